package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.List;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.cachefs.format.CommitRecord;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * The commit protocol of a mount (see DESIGN.md, "Commit protocol"): writes the page data still in runs, the
 * changed page-map and index nodes and the bitmap copy, then the commit record in one slot block, each step
 * durable before the next; and runs the periodic commit on the store's background thread, which also runs
 * background culls.
 * <p>
 * Threading: commits run under the store lock (held exclusively throughout), from any thread.
 */
final class Committer
{
    private final StoreState state;
    private final LiveObjects live;
    private final WriteRuns runs;
    private final StoreSpace space;
    private final BlockDevice device;
    private final MountOptions options;
    private final int blockSize;
    private final StoreLock lock;
    private final BlockAllocator allocator;
    private final MetadataIo io;
    private final IndexTree index;
    private final PageMaps pageMaps;
    private final StoreStats stats;
    private final StoreLatencies latencies;
    /** The commit slot block, built in place by each commit. */
    private final ByteBuffer slotBuffer;
    /**
     * The store's background thread (periodic commits, background culls), or null if the store has neither.
     */
    private final ScheduledExecutorService background;

    Committer(
        final StoreState state, final ImageHeader header, final LiveObjects live, final WriteRuns runs,
        final StoreSpace space)
    {
        this.state = state;
        this.live = live;
        this.runs = runs;
        this.space = space;
        this.device = state.device;
        this.options = state.options;
        this.blockSize = state.blockSize;
        this.lock = state.lock;
        this.allocator = state.allocator;
        this.io = state.io;
        this.index = state.index;
        this.pageMaps = state.pageMaps;
        this.stats = state.stats;
        this.latencies = state.latencies;
        this.slotBuffer = AlignedBuffers.allocate(blockSize, blockSize);
        this.slotBuffer.put(header.copyOfSlot()).clear();
        this.background = options.commitIntervalSeconds() > 0 || options.backgroundCulling() ?
            Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "cachefs-commit-" + device.name());
            thread.setDaemon(true);
            return thread;
        }) : null;
    }

    /**
     * Starts the periodic commits, if the options ask for them.
     */
    void startPeriodic()
    {
        if (options.commitIntervalSeconds() > 0)
        {
            final long interval = options.commitIntervalSeconds();
            background.scheduleWithFixedDelay(this::periodicCommit, interval, interval, TimeUnit.SECONDS);
        }
    }

    /**
     * @return the store's background thread, or null if the store has none.
     */
    ScheduledExecutorService background()
    {
        return background;
    }

    /**
     * Stops the background thread (unmounting). No interrupt unless {@code now}: a periodic commit interrupted in its
     * I/O would close the device's channel under the final commit. One in progress finishes first (the lock); none
     * starts after (shutdown, closed).
     */
    void shutdown(final boolean now)
    {
        if (background != null)
        {
            if (now)
            {
                background.shutdownNow();
            }
            else
            {
                background.shutdown();
            }
        }
    }

    /**
     * Commits every change made so far (sync).
     */
    void commit() throws IOException
    {
        lock.lock();
        try
        {
            state.checkOpen();
            commitLocked(false);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Under the lock: commits every change made so far, with the clean flag if {@code clean} (unmounting). Counted and
     * timed once it is durable.
     */
    void commitLocked(final boolean clean) throws IOException
    {
        final long start = System.nanoTime();
        io.discardWrites();
        runs.flushRuns();
        final long next = state.generation + 1;
        // 1. New page-map and index nodes, children first; then the bitmap copy of this generation.
        final Iterator<ObjectRecord> it = live.records().iterator();
        final List<ObjectRecord> written = new ArrayList<>();
        while (it.hasNext())
        {
            final ObjectRecord record = it.next();
            if (record.dirty)
            {
                written.add(record);
            }
        }
        for (final ObjectRecord record : written)
        {
            pageMaps.write(record);
            index.put(record);
        }
        index.write();
        io.flushWrites();
        allocator.writeBitmap(device, next);
        // 2. Data and metadata durable before the record that points to them.
        device.flush();
        // 3. The atomic switch: one slot block, then flush.
        final int slot = (int)(next & 1);
        final Superblock superblock = new Superblock().wrap(slotBuffer).slot(slot);
        final CommitRecord commit = new CommitRecord().wrap(slotBuffer);
        commit.generation(next)
            .committedMillis(System.currentTimeMillis())
            .clean(clean)
            .indexRoot(index.rootPointer(), index.rootCrc(), index.height())
            .objectCount(state.objectCount)
            .nextObjectId(state.nextObjectId)
            .usedBlocks(allocator.committedUsedCount())
            .pageCount(state.pageCount)
            .reservedBlocks(space.reservedBlocks())
            .mountCount(state.mountCount);
        superblock.seal(slot);
        commit.seal(slot);
        device.write((long)slot * blockSize, slotBuffer.clear());
        device.flush();
        // 4. Durable: release what the superseded commit held, forget dirtiness.
        state.generation = next;
        allocator.committed();
        io.committed(next);
        for (final ObjectRecord record : written)
        {
            record.dirty = false;
            record.committedAccessTime = record.accessTime;
            live.dropIfIdle(record);
        }
        state.changed = false;
        stats.commits.increment();
        latencies.commit(start);
    }

    private void periodicCommit()
    {
        lock.lock();
        try
        {
            if (!state.closed && state.changed && state.failure() == null)
            {
                commitLocked(false);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            stats.commitFailures.increment();
            state.failed(ex);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Under the lock: commits if the changed nodes reach {@link MountOptions#maxDirtyNodes()}.
     */
    void maybeCommitForDirtyNodes() throws IOException
    {
        if (io.dirtyNodes() >= options.maxDirtyNodes())
        {
            commitLocked(false);
        }
    }
}
