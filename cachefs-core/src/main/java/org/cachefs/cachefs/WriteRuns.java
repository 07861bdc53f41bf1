package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.BufferPool;

/**
 * The write-behind pipeline of a mount (see {@link WriteRun}): the open run of each object, the runs sealed and
 * being written by the writer threads, and their landing, which lets a run's blocks count as referenced.
 * <p>
 * Threading: open and sealed runs are guarded by the store lock; the writer threads write a sealed run without it
 * and land it only if the lock is free; a thread holding the lock that needs a run's pages on the device writes
 * it itself or waits for its write ({@link #land}).
 */
final class WriteRuns
{
    private final StoreState state;
    private final LiveObjects live;
    private final BlockDevice device;
    private final int blockSize;
    private final StoreLock lock;
    private final BlockAllocator allocator;
    private final StoreStats stats;

    /** Runs taken out of their objects and being written without the lock; guarded by the lock. */
    private final List<WriteRun> sealedRuns = new ArrayList<>();

    /** The objects with an open run, the oldest run first; guarded by the lock. */
    private final ArrayDeque<ObjectRecord> openRuns = new ArrayDeque<>(CacheStore.MAX_OPEN_RUNS);

    /**
     * Sealed runs queued or being written at most: twice the writer threads, and at least 8 (1 MiB at 4 KiB blocks).
     * A thread that seals a run while that many are out waits.
     */
    private final int maxSealedRuns;

    /**
     * Write sealed runs (write-behind only, else null), so that the thread that filled a run goes on at once.
     */
    private final ExecutorService runWriter;
    private final Semaphore runSlots;
    private final BufferPool runBuffers;

    WriteRuns(final StoreState state, final LiveObjects live)
    {
        this.state = state;
        this.live = live;
        this.device = state.device;
        this.blockSize = state.blockSize;
        this.lock = state.lock;
        this.allocator = state.allocator;
        this.stats = state.stats;
        final MountOptions options = state.options;
        this.maxSealedRuns = Math.max(8, 2 * options.writeThreads());
        this.runSlots = new Semaphore(maxSealedRuns);
        this.runBuffers = new BufferPool(blockSize * WriteRun.MAX_BLOCKS, blockSize,
            CacheStore.MAX_OPEN_RUNS + maxSealedRuns);
        final AtomicInteger writers = new AtomicInteger();
        this.runWriter = options.writeBehind() ? Executors.newFixedThreadPool(options.writeThreads(), r ->
        {
            final Thread thread = new Thread(r, "cachefs-writer-" + writers.incrementAndGet() + "-" + device.name());
            thread.setDaemon(true);
            return thread;
        }) : null;
    }

    /**
     * Under the lock: stages a page's data (one block of {@code src} from {@code offset}) for its new block in the
     * object's write run, adding the runs this seals to {@code sealed}, which the caller submits after releasing the
     * lock: the run the block does not follow, a full one, and the oldest open run of another object when
     * {@link CacheStore#MAX_OPEN_RUNS} objects have one already.
     */
    void append(
        final ObjectRecord record, final long block, final ByteBuffer src, final int offset,
        final List<WriteRun> sealed)
    {
        if (record.run == null && openRuns.size() >= CacheStore.MAX_OPEN_RUNS)
        {
            sealed.add(seal(openRuns.peekFirst()));
        }
        final WriteRun previous = stage(record, block, src, offset);
        if (previous != null)
        {
            sealed.add(previous);
        }
        if (record.run.count == WriteRun.MAX_BLOCKS)
        {
            sealed.add(seal(record));
        }
    }

    /**
     * Copies a page's data (one block of {@code src} from {@code offset}) to the object's write run if its block
     * follows the run's last one, else seals the run and starts a new one. Pages of one object written in order, to
     * consecutive blocks, reach the device in runs of up to {@link WriteRun#MAX_BLOCKS} blocks with one I/O.
     *
     * @return the run sealed, which the caller must {@link #submit(WriteRun)} after releasing the lock, or null.
     */
    private WriteRun stage(final ObjectRecord record, final long block, final ByteBuffer src, final int offset)
    {
        WriteRun sealed = null;
        WriteRun run = record.run;
        if (run != null && !run.follows(block))
        {
            sealed = seal(record);
            run = null;
        }
        if (run == null)
        {
            run = new WriteRun(record, runBuffers.acquire(), block);
            record.run = run;
            openRuns.addLast(record);
        }
        run.buffer.clear().put(run.count * blockSize, src, offset, blockSize);
        run.count++;
        return sealed;
    }

    /**
     * Takes the object's run out of it for writing outside the lock; until it lands, it stays in
     * {@link #sealedRuns}, where readers and commits find it.
     */
    private WriteRun seal(final ObjectRecord record)
    {
        final WriteRun run = record.run;
        record.run = null;
        openRuns.remove(record);
        sealedRuns.add(run);
        return run;
    }

    /**
     * Queues a sealed run for the writer threads (called without the lock), first waiting while
     * {@link #maxSealedRuns} are queued or being written. If the writers are shut down (unmounting), writes it here.
     */
    private void submit(final WriteRun run)
    {
        if (run == null)
        {
            return;
        }
        runSlots.acquireUninterruptibly();
        try
        {
            runWriter.execute(() -> writeSealed(run));
        }
        catch (final RejectedExecutionException ex)
        {
            writeSealed(run);
        }
    }

    /**
     * Submits and forgets the runs in {@code sealed} (without the lock).
     */
    void submitAll(final List<WriteRun> sealed)
    {
        while (!sealed.isEmpty())
        {
            submit(sealed.remove(0));
        }
    }

    /**
     * The writer's task: writes a sealed run to the device unless a thread that needed it has already, then lands it
     * if the lock is free (else the next thread that needs it, or writes, lands it). Never waits for the lock, so
     * that a thread holding it can wait for the run.
     */
    private void writeSealed(final WriteRun run)
    {
        try
        {
            if (run.claim())
            {
                writeRun(run);
                // No caller to throw to: stop the store, as a failed periodic commit does.
                final Throwable failure = run.failure;
                if (failure != null)
                {
                    final Exception ex = failure instanceof Exception e ? e :
                        new IOException("write of page data failed: " + failure, failure);
                    state.fail(ex);
                    state.failed(ex);
                }
            }
        }
        finally
        {
            runSlots.release();
            if (lock.tryLock())
            {
                try
                {
                    land(run);
                }
                finally
                {
                    lock.unlock();
                }
            }
        }
    }

    /**
     * Writes a run claimed by this thread and counts it written; a failure is kept in {@link WriteRun#failure}.
     */
    private void writeRun(final WriteRun run)
    {
        try
        {
            run.buffer.limit(run.count * blockSize).position(0);
            device.write(run.firstBlock * blockSize, run.buffer);
            stats.runWrites.increment();
        }
        catch (final IOException | RuntimeException | Error ex)
        {
            run.failure = ex;
        }
        finally
        {
            run.written.countDown();
        }
    }

    /**
     * @return the runs sealed and not landed yet (for tests).
     */
    int sealedRunCount()
    {
        lock.lock();
        try
        {
            return sealedRuns.size();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Under the lock: lands the sealed runs whose writes have completed.
     */
    void landWritten()
    {
        for (int i = sealedRuns.size() - 1; i >= 0; i--)
        {
            if (sealedRuns.get(i).written.getCount() == 0)
            {
                land(sealedRuns.get(i));
            }
        }
    }

    /**
     * Under the lock: writes the sealed run if no thread has started to, else waits until its write has completed;
     * then lets its blocks count as referenced and gives its buffer back (once, whoever comes first).
     *
     * @return what made the write fail, or null.
     */
    private Throwable land(final WriteRun run)
    {
        // A run no writer has started (or that this thread sealed and has not submitted yet) is written here.
        if (run.claim())
        {
            writeRun(run);
        }
        run.awaitWritten();
        if (sealedRuns.remove(run))
        {
            for (int i = 0; i < run.count; i++)
            {
                allocator.landed(run.firstBlock + i);
            }
            runBuffers.release(run.buffer.clear());
        }
        return run.failure;
    }

    /**
     * Under the lock: puts every page of the object that is in a write run on the device.
     */
    void settle(final ObjectRecord record) throws IOException
    {
        flushRun(record);
        rethrow(landSealed(record));
    }

    /**
     * Under the lock: lands the sealed runs of {@code record}, or all of them if it is null (see {@link #land}).
     *
     * @return what made the first failed write fail, or null.
     */
    private Throwable landSealed(final ObjectRecord record)
    {
        Throwable failure = null;
        for (int i = sealedRuns.size() - 1; i >= 0; i--)
        {
            final WriteRun run = sealedRuns.get(i);
            if (record == null || run.record == record)
            {
                final Throwable f = land(run);
                failure = failure == null ? f : failure;
            }
        }
        return failure;
    }

    /**
     * Throws what made a run's write fail, if anything did.
     */
    static void rethrow(final Throwable failure) throws IOException
    {
        if (failure instanceof IOException ex)
        {
            throw ex;
        }
        if (failure instanceof RuntimeException ex)
        {
            throw ex;
        }
        if (failure instanceof Error ex)
        {
            throw ex;
        }
    }

    /**
     * Writes the object's open run, if any, to the device, one I/O, and lets its blocks count as referenced.
     */
    private void flushRun(final ObjectRecord record) throws IOException
    {
        if (record.run != null)
        {
            rethrow(land(seal(record)));
        }
    }

    /**
     * Puts every page in a write run on the device (before a commit: data before the metadata that points to it).
     */
    void flushRuns() throws IOException
    {
        for (final ObjectRecord record : live.records())
        {
            flushRun(record);
        }
        rethrow(landSealed(null));
    }

    /**
     * Drops the object's runs (the object is gone): the open one and sealed ones not started are not written; the
     * ones being written are waited for.
     */
    void dropRun(final ObjectRecord record)
    {
        if (record.run != null)
        {
            seal(record);
        }
        for (final WriteRun run : sealedRuns)
        {
            if (run.record == record && run.claim())
            {
                run.written.countDown();
            }
        }
        landSealed(record);
    }

    /**
     * Whether the page at {@code pointer} is in the object's write run, not yet on the device. Called under the lock,
     * shared or exclusive.
     */
    boolean inRun(final ObjectRecord record, final long pointer)
    {
        if (pointer == BlockPointer.NULL || pointer == PageMaps.NEEDS_IO)
        {
            return false;
        }
        final long block = BlockPointer.block(pointer);
        final WriteRun run = record.run;
        if (run != null && run.holds(block))
        {
            return true;
        }
        for (int i = 0, n = sealedRuns.size(); i < n; i++)
        {
            final WriteRun sealed = sealedRuns.get(i);
            if (sealed.record == record && sealed.holds(block))
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Lets the writer threads finish the runs queued and exit (unmounting); runs sealed later are written by the
     * threads that seal them.
     */
    void shutdown()
    {
        if (runWriter != null)
        {
            runWriter.shutdown();
        }
    }

    /**
     * After the writers were shut down: waits (10 s at most, less if interrupted) until the writer threads have
     * exited, so that none outlives the mount.
     */
    void awaitWriters()
    {
        if (runWriter == null)
        {
            return;
        }
        try
        {
            runWriter.awaitTermination(10, TimeUnit.SECONDS);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
    }
}
