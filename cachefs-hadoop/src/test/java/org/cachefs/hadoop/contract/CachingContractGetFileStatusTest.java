package org.cachefs.hadoop.contract;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.contract.AbstractContractGetFileStatusTest;
import org.apache.hadoop.fs.contract.AbstractFSContract;

/** Hadoop's {@code AbstractContractGetFileStatusTest} against {@code CachingFileSystem} over the local file system. */
public class CachingContractGetFileStatusTest extends AbstractContractGetFileStatusTest
{
    @Override
    protected AbstractFSContract createContract(final Configuration conf)
    {
        return new CachingFSContract(conf);
    }
}
