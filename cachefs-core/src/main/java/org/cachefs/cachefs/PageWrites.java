package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.BufferPool;

/**
 * The page write path of a mount: admits a page, allocates its block next to the object's last one, and either
 * writes it through with its own I/O outside the lock or stages it in the object's write run (write-behind);
 * then records it in the page map with its check value and does the accounting. Every page handed to it is timed
 * ({@link StoreLatencies}).
 * <p>
 * Threading: any thread; allocation and the page map under the store lock (exclusive), data I/O and check values
 * outside it.
 */
final class PageWrites
{
    private static final ThreadLocal<WriteScratch> WRITE_SCRATCH = ThreadLocal.withInitial(WriteScratch::new);

    private final StoreState state;
    private final LiveObjects live;
    private final WriteRuns runs;
    private final StoreSpace space;
    private final Committer commits;
    private final PageDrops drops;
    private final Culler culler;
    private final BlockDevice device;
    private final MountOptions options;
    private final int blockSize;
    private final StoreLock lock;
    private final BlockAllocator allocator;
    private final PageMaps pageMaps;
    /** The RAM tier, or null if it is off. */
    private final RamTier ram;
    private final BufferPool buffers;
    private final StoreStats stats;
    private final StoreLatencies latencies;

    PageWrites(
        final StoreState state, final LiveObjects live, final WriteRuns runs, final StoreSpace space,
        final Committer commits, final PageDrops drops, final Culler culler)
    {
        this.state = state;
        this.live = live;
        this.runs = runs;
        this.space = space;
        this.commits = commits;
        this.drops = drops;
        this.culler = culler;
        this.device = state.device;
        this.options = state.options;
        this.blockSize = state.blockSize;
        this.lock = state.lock;
        this.allocator = state.allocator;
        this.pageMaps = state.pageMaps;
        this.ram = state.ram;
        this.buffers = state.buffers;
        this.stats = state.stats;
        this.latencies = state.latencies;
    }

    /**
     * Stores one block from {@code src} (from its position) as page {@code pageIndex}, in a new block; the page's
     * previous block, if any, is freed. A refused write also forgets the page's previous contents, so that a later
     * read is a miss rather than stale data. Timed as one store, stored or refused.
     *
     * @return false if the page lies past the object's size, the object is gone, or the cache has no room.
     */
    boolean write(final ObjectRecord record, final long pageIndex, final ByteBuffer src) throws IOException
    {
        final long start = System.nanoTime();
        final boolean stored =
            options.writeBehind() ? writeBehind(record, pageIndex, src) : writeThrough(record, pageIndex, src);
        latencies.stores(start, 1);
        return stored;
    }

    /**
     * Writes the page with its own I/O, outside the lock, before returning; the page map is updated after.
     */
    private boolean writeThrough(final ObjectRecord record, final long pageIndex, final ByteBuffer src)
        throws IOException
    {
        final long block;
        lock.lock();
        try
        {
            if (!admit(record, pageIndex))
            {
                return false;
            }
            block = allocateFor(record, pageIndex);
            if (block < 0)
            {
                return false;
            }
        }
        finally
        {
            lock.unlock();
        }
        final int start = src.position();
        final int crc = state.crcOf(record.objectId, pageIndex, src.duplicate().limit(start + blockSize));
        boolean written = false;
        try
        {
            final long position = block * blockSize;
            if (state.isDirect(src))
            {
                device.write(position, src.duplicate().limit(start + blockSize));
            }
            else
            {
                final ByteBuffer bounce = buffers.acquire();
                try
                {
                    bounce.put(src.duplicate().limit(start + blockSize)).flip();
                    device.write(position, bounce);
                }
                finally
                {
                    buffers.release(bounce);
                }
            }
            written = true;
        }
        finally
        {
            if (!written)
            {
                lock.lock();
                try
                {
                    allocator.free(block);
                }
                finally
                {
                    lock.unlock();
                }
            }
        }
        lock.lock();
        try
        {
            if (state.closed || !state.withinObject(record, pageIndex))
            {
                allocator.free(block);
                stats.writesRefused.increment();
                return false;
            }
            allocator.landed(block);
            recordPage(record, pageIndex, block, crc, true);
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Checks the page may be written at all. Called under the lock.
     *
     * @return false (counted) if the page lies past the object's size or the object is gone.
     */
    private boolean admit(final ObjectRecord record, final long pageIndex) throws IOException
    {
        state.checkOpen();
        if (!state.withinObject(record, pageIndex))
        {
            stats.writesRefused.increment();
            return false;
        }
        return true;
    }

    /**
     * Allocates the block for a page, next to the object's last one where free. Called under the lock.
     *
     * @return the block, or -1 (counted) if there is no room: the page's old contents are then forgotten.
     */
    private long allocateFor(final ObjectRecord record, final long pageIndex) throws IOException
    {
        final long block = space.roomFor(record) ? allocator.allocate(record.lastBlock + 1, true) : -1;
        if (block < 0)
        {
            stats.writesRefused.increment();
            drops.removePageLocked(record, pageIndex);
            return -1;
        }
        record.lastBlock = block;
        return block;
    }

    /**
     * Records a written page in the object's page map, frees its previous block and does the accounting.
     *
     * @param mapped false if the caller found the page unmapped under this hold of the lock: it is then not in the
     *               RAM tier and no admission of it can succeed (every removal of a mapping invalidates it there
     *               first), so the tier is not touched.
     */
    private void recordPage(
        final ObjectRecord record, final long pageIndex, final long block, final int crc, final boolean mapped)
        throws IOException
    {
        final long unusedBefore = space.unusedReservation(record);
        try
        {
            if (ram != null && mapped)
            {
                ram.invalidatePage(record, pageIndex);
            }
            final long previous = pageMaps.put(record, pageIndex, BlockPointer.encode(block, BlockPointer.KIND_DATA),
                crc);
            if (previous != BlockPointer.NULL)
            {
                drops.freeData(record, pageIndex, previous);
            }
            else
            {
                state.pageCount++;
            }
            space.reservationChanged(record, unusedBefore);
        }
        catch (final CorruptCacheException ex)
        {
            // The page is lost with the map (its new block too: left allocated like the rest).
            space.reservationChanged(record, unusedBefore);
            drops.dropCorruptPageMap(record, ex);
        }
        live.markDirty(record);
        culler.touchRange(record, pageIndex);
        stats.pageWrites.increment();
        commits.maybeCommitForDirtyNodes();
        if (space.freePercent() < space.thresholds().bcull())
        {
            culler.scheduleCull();
        }
    }

    /**
     * Copies the page into the object's write run (see {@link WriteRun}); the run reaches the device in one I/O. A run
     * that is full, or that the page's block does not follow, is sealed and handed to the writer threads, so that
     * neither this thread nor other pages' lookups, reads and allocations wait for its I/O.
     */
    private boolean writeBehind(final ObjectRecord record, final long pageIndex, final ByteBuffer src)
        throws IOException
    {
        final int crc = state.crcOfBlock(record.objectId, pageIndex, src, src.position());
        final List<WriteRun> sealed = WRITE_SCRATCH.get().sealed;
        try
        {
            lock.lock();
            try
            {
                runs.landWritten();
                return admit(record, pageIndex) &&
                    writeBehindLocked(record, pageIndex, src, src.position(), crc, sealed);
            }
            finally
            {
                lock.unlock();
            }
        }
        finally
        {
            runs.submitAll(sealed);
        }
    }

    /**
     * Stores pages {@code indexes[0, count)} of the object, each from bytes {@code [0, block size)} of
     * {@code pages[i]} (by absolute position; positions and limits are kept), as
     * {@link #write(ObjectRecord, long, ByteBuffer)} does for each in turn, and first gives back {@code reserved}
     * blocks set aside by {@link StoreSpace#reservePage} for them. With write-behind the lock is taken once for several
     * pages. Each page counts as one store taking the call's time divided by the pages.
     */
    void writePages(
        final ObjectRecord record, final long[] indexes, final ByteBuffer[] pages, final int count, final int reserved)
        throws IOException
    {
        final long start = System.nanoTime();
        space.releasePages(reserved);
        if (!options.writeBehind())
        {
            for (int i = 0; i < count; i++)
            {
                writeThrough(record, indexes[i], pages[i].duplicate().limit(blockSize).position(0));
            }
            latencies.stores(start, count);
            return;
        }
        final WriteScratch scratch = WRITE_SCRATCH.get();
        final int[] crcs = scratch.crcs(count);
        for (int i = 0; i < count; i++)
        {
            crcs[i] = state.crcOfBlock(record.objectId, indexes[i], pages[i], 0);
        }
        final List<WriteRun> sealed = scratch.sealed;
        int i = 0;
        try
        {
            while (i < count)
            {
                lock.lock();
                try
                {
                    runs.landWritten();
                    // Runs sealed meanwhile go to the writers every few pages, as with one page per call.
                    for (; i < count && sealed.size() < 2; i++)
                    {
                        if (admit(record, indexes[i]))
                        {
                            writeBehindLocked(record, indexes[i], pages[i], 0, crcs[i], sealed);
                        }
                    }
                }
                finally
                {
                    lock.unlock();
                }
                runs.submitAll(sealed);
            }
        }
        finally
        {
            runs.submitAll(sealed);
        }
        latencies.stores(start, count);
    }

    /** Per-thread arrays of page writes: check values computed before the lock, runs sealed under it. */
    private static final class WriteScratch
    {
        final List<WriteRun> sealed = new ArrayList<>(4);
        private int[] crcs = new int[WriteRun.MAX_BLOCKS];

        int[] crcs(final int count)
        {
            if (count > crcs.length)
            {
                crcs = new int[count];
            }
            return crcs;
        }
    }

    /**
     * Under the lock: stores an admitted page in the object's write run, adding the runs this seals to
     * {@code sealed}, which the caller submits after releasing the lock.
     *
     * @return false if there was no room (the page is forgotten).
     */
    private boolean writeBehindLocked(
        final ObjectRecord record,
        final long pageIndex,
        final ByteBuffer src,
        final int offset,
        final int crc,
        final List<WriteRun> sealed) throws IOException
    {
        // A rewrite of a page not yet on the device: write it out first, so that the page's old block is on disk
        // before it is freed and reused.
        final long previous = drops.lookupPage(record, pageIndex);
        if (runs.inRun(record, previous))
        {
            runs.settle(record);
        }
        final long block = allocateFor(record, pageIndex);
        if (block < 0)
        {
            return false;
        }
        runs.append(record, block, src, offset, sealed);
        recordPage(record, pageIndex, block, crc, previous != BlockPointer.NULL);
        return true;
    }
}
