package org.cachefs.hadoop.contract;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.contract.AbstractContractMkdirTest;
import org.apache.hadoop.fs.contract.AbstractFSContract;

/** Hadoop's {@code AbstractContractMkdirTest} against {@code CachingFileSystem} over the local file system. */
public class CachingContractMkdirTest extends AbstractContractMkdirTest
{
    @Override
    protected AbstractFSContract createContract(final Configuration conf)
    {
        return new CachingFSContract(conf);
    }
}
