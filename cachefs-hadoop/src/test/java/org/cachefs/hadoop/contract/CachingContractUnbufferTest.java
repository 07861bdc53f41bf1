package org.cachefs.hadoop.contract;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.contract.AbstractContractUnbufferTest;
import org.apache.hadoop.fs.contract.AbstractFSContract;

/** Hadoop's {@code AbstractContractUnbufferTest} against {@code CachingFileSystem} over the local file system. */
public class CachingContractUnbufferTest extends AbstractContractUnbufferTest
{
    @Override
    protected AbstractFSContract createContract(final Configuration conf)
    {
        return new CachingFSContract(conf);
    }
}
