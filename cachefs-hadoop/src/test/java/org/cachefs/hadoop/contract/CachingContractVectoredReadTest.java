package org.cachefs.hadoop.contract;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.contract.AbstractContractVectoredReadTest;
import org.apache.hadoop.fs.contract.AbstractFSContract;

/**
 * Hadoop's {@code AbstractContractVectoredReadTest} against {@code CachingFileSystem} over the local file system,
 * with direct and heap buffers.
 */
public class CachingContractVectoredReadTest extends AbstractContractVectoredReadTest
{
    public CachingContractVectoredReadTest(final String bufferType)
    {
        super(bufferType);
    }

    @Override
    protected AbstractFSContract createContract(final Configuration conf)
    {
        return new CachingFSContract(conf);
    }
}
