package org.cachefs.cachefs;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/**
 * Pages of one object written to consecutive blocks and not yet on the device: they reach it in one I/O when the
 * run is full, when the next page's block does not follow, before anything reads or frees them, and before every
 * commit. An open run ({@link ObjectRecord#run}) is guarded by the {@link CacheStore} lock; a full one is sealed and
 * written without the lock by the thread that filled it, and {@link #written} tells the threads that need its pages
 * on the device (holding the lock) when they are.
 */
final class WriteRun
{
    /** Blocks in a full run: 128 KiB at 4 KiB blocks, the size multi-page reads merge to. */
    static final int MAX_BLOCKS = CacheFsBackend.MAX_MERGED_BLOCKS;

    final ObjectRecord record;
    final ByteBuffer buffer;
    final long firstBlock;
    int count;

    /** Counted down when the write of a sealed run has completed, or failed. */
    final CountDownLatch written = new CountDownLatch(1);

    /** What made the write fail; set before {@link #written} is counted down. */
    volatile Throwable failure;

    WriteRun(final ObjectRecord record, final ByteBuffer buffer, final long firstBlock)
    {
        this.record = record;
        this.buffer = buffer;
        this.firstBlock = firstBlock;
    }

    /**
     * Waits, uninterruptibly, until the sealed run's write has completed; an interrupt meanwhile is kept.
     */
    void awaitWritten()
    {
        boolean interrupted = false;
        while (true)
        {
            try
            {
                written.await();
                break;
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    boolean follows(final long block)
    {
        return block == firstBlock + count && count < MAX_BLOCKS;
    }

    boolean holds(final long block)
    {
        return block >= firstBlock && block < firstBlock + count;
    }
}
