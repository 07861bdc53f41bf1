package org.cachefs.hadoop.contract;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.contract.AbstractContractSeekTest;
import org.apache.hadoop.fs.contract.AbstractFSContract;

/** Hadoop's {@code AbstractContractSeekTest} against {@code CachingFileSystem} over the local file system. */
public class CachingContractSeekTest extends AbstractContractSeekTest
{
    @Override
    protected AbstractFSContract createContract(final Configuration conf)
    {
        return new CachingFSContract(conf);
    }
}
