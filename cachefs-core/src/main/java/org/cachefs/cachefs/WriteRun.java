package org.cachefs.cachefs;

import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;

/**
 * Pages of one object written to consecutive blocks and not yet on the device: they reach it in one I/O when the
 * run is full, when the next page's block does not follow, before anything reads or frees them, and before every
 * commit. An open run ({@link ObjectRecord#run}) is guarded by the {@link CacheStore} lock; a full one is sealed and
 * queued for the store's writer threads, one of which writes it without the lock, unless a thread holding the lock
 * needs its pages on the device first and writes it itself ({@link #claim()}); {@link #written} tells the others
 * when it is.
 */
final class WriteRun
{
    /** Blocks in a full run: 128 KiB at 4 KiB blocks, the size multi-page reads merge to. */
    static final int MAX_BLOCKS = CacheFsBackend.MAX_MERGED_BLOCKS;

    final ObjectRecord record;
    final ByteBuffer buffer;
    final long firstBlock;
    int count;

    /** Set by the one thread that writes the sealed run: a writer thread, or a thread that needs it first. */
    private final java.util.concurrent.atomic.AtomicBoolean claimed = new java.util.concurrent.atomic.AtomicBoolean();

    /** Counted down when the write of a sealed run has completed or failed, or the run was dropped unwritten. */
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
     * @return true if the caller is the one to write the sealed run.
     */
    boolean claim()
    {
        return !claimed.get() && claimed.compareAndSet(false, true);
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
