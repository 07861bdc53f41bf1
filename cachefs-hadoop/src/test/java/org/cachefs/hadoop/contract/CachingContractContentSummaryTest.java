package org.cachefs.hadoop.contract;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.contract.AbstractContractContentSummaryTest;
import org.apache.hadoop.fs.contract.AbstractFSContract;

/** Hadoop's {@code AbstractContractContentSummaryTest} against {@code CachingFileSystem} over the local file system. */
public class CachingContractContentSummaryTest extends AbstractContractContentSummaryTest
{
    @Override
    protected AbstractFSContract createContract(final Configuration conf)
    {
        return new CachingFSContract(conf);
    }
}
