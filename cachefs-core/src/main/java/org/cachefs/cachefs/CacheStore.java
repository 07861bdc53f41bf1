package org.cachefs.cachefs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;
import java.util.function.Consumer;

import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;

/**
 * The CacheFS storage engine over one device: objects in the index tree, their pages in page maps, blocks from the
 * allocator, and the commit protocol that makes a new state current atomically (see DESIGN.md, "Commit protocol").
 * This class mounts and unmounts the store and is the one entry of its callers; the work is done by its rooms, which
 * share a {@link StoreState}: {@link ObjectTable} (object lifecycle) over {@link LiveObjects}, {@link PageReads},
 * {@link PageWrites} over {@link WriteRuns} (write-behind), {@link PageDrops} (removal, quarantine, corrupt page
 * maps), {@link StoreSpace} (space and reservations), {@link Committer} and {@link Culler}, with the
 * {@link AccessClock}.
 * <p>
 * Threading: metadata (index, page maps, allocator, live objects) is guarded by one lock, held only for in-memory
 * work and metadata-node reads; page data moves between the device and the caller's buffers outside the lock, so
 * reads and writes of different pages proceed in parallel. Commits hold the lock throughout. A page read that races
 * with a rewrite of the same page can only see a check-value mismatch (a miss), never wrong bytes, because blocks are
 * reused only after the commits that could refer to them are superseded, and every page is checked on read. Every
 * method may be called by any thread.
 */
final class CacheStore implements Closeable
{
    /** Object size meaning "no store limit set". */
    static final long UNLIMITED = Long.MAX_VALUE;

    static final int READ_HIT = 0;
    static final int READ_MISS = 1;
    static final int READ_CORRUPT = 2;

    /** Blocks kept free beyond the dirty nodes so that a commit can always write its metadata. */
    static final int COMMIT_SLACK_BLOCKS = 2 * (CommitRecord.MAX_INDEX_HEIGHT + 8);

    /**
     * Objects with an open run at most (8 MiB of buffers at 4 KiB blocks): an object that starts a run beyond them
     * seals the run of the one that started longest ago.
     */
    static final int MAX_OPEN_RUNS = 64;

    private final StoreState state;
    private final WriteRuns runs;
    private final StoreSpace space;
    private final Committer commits;
    private final PageDrops drops;
    private final ObjectTable objects;
    private final Culler culler;
    private final PageReads reads;
    private final PageWrites writes;

    private CacheStore(final BlockDevice device, final MountOptions options, final ImageHeader header)
        throws IOException
    {
        this.state = new StoreState(device, options, header);
        final AccessClock clock = new AccessClock();
        final LiveObjects live = new LiveObjects(state);
        this.runs = new WriteRuns(state, live);
        this.space = new StoreSpace(state, header.commit().reservedBlocks(), live);
        this.commits = new Committer(state, header, live, runs, space);
        this.drops = new PageDrops(state, live, runs, space);
        this.objects = new ObjectTable(state, clock, live, runs, space, drops);
        this.culler = new Culler(state, clock, live, space, commits, drops, objects);
        space.bind(commits, culler);
        this.reads = new PageReads(state, clock, runs, drops);
        this.writes = new PageWrites(state, live, runs, space, commits, drops, culler);
    }

    /**
     * Mounts the image or device at {@code path}.
     */
    static CacheStore mount(final Path path, final MountOptions options) throws IOException
    {
        final BlockDevice device = DirectBlockDevice.open(path);
        try
        {
            return mount(device, options);
        }
        catch (final IOException | RuntimeException ex)
        {
            device.close();
            throw ex;
        }
    }

    /**
     * Mounts an open device; on success the store owns it and closes it on {@link #close()}.
     */
    static CacheStore mount(final BlockDevice device, final MountOptions options) throws IOException
    {
        final ImageHeader header = ImageHeader.read(device);
        header.checkWritable(device.name());
        final CacheStore store = new CacheStore(device, options, header);
        // Every bitmap block may differ from the copy the next commit writes: rewrite them all once.
        store.state.allocator.markAllDirty();
        // Record that the cache is in use: a crash from here on is reported as an unclean shutdown.
        store.state.lock.lock();
        try
        {
            store.commits.commitLocked(false);
        }
        finally
        {
            store.state.lock.unlock();
        }
        store.commits.startPeriodic();
        return store;
    }

    BlockDevice device()
    {
        return state.device;
    }

    RegionLayout layout()
    {
        return state.layout;
    }

    int blockSize()
    {
        return state.blockSize;
    }

    /**
     * @return true if the image had been unmounted cleanly before this mount.
     */
    boolean wasClean()
    {
        return state.wasClean;
    }

    StoreStats stats()
    {
        return state.stats;
    }

    /**
     * @return the latencies of the store's operations since mount (see {@link StoreLatencies}).
     */
    CacheFsLatencies latencies()
    {
        return state.latencies.snapshot();
    }

    /**
     * Times a multi-page read of the backend's (see {@link StoreLatencies#pageReads}).
     */
    void timePageReads(final long startNanos, final int pages, final int deviceHits, final int misses)
    {
        state.latencies.pageReads(startNanos, pages, deviceHits, misses);
    }

    /**
     * Finds an object and takes a use of it.
     *
     * @return the live record, or null if there is no such object.
     */
    ObjectRecord lookup(final long parentId, final byte[] key) throws IOException
    {
        return objects.lookup(parentId, key);
    }

    /**
     * Creates an object and takes a use of it.
     */
    ObjectRecord create(final long parentId, final byte[] key, final int type, final byte[] aux, final long size)
        throws IOException
    {
        return objects.create(parentId, key, type, aux, size);
    }

    /**
     * Gives back a use taken by {@link #lookup} or {@link #create}.
     */
    void release(final ObjectRecord record)
    {
        objects.release(record);
    }

    void setAux(final ObjectRecord record, final byte[] aux) throws IOException
    {
        objects.setAux(record, aux);
    }

    /**
     * Sets the object's size (its store limit) and drops the pages that lie past it.
     */
    void setSize(final ObjectRecord record, final long size) throws IOException
    {
        objects.setSize(record, size);
    }

    void setPinned(final ObjectRecord record, final boolean pinned) throws IOException
    {
        objects.setPinned(record, pinned);
    }

    /**
     * Reserves space for up to {@code bytes} of the object's data; 0 cancels.
     *
     * @return false if the space cannot be guaranteed.
     */
    boolean reserve(final ObjectRecord record, final long bytes) throws IOException
    {
        return space.reserve(record, bytes);
    }

    /**
     * Removes the object, all its descendants and all their pages from the cache.
     */
    void retire(final ObjectRecord record) throws IOException
    {
        objects.retire(record);
    }

    /**
     * Drops all pages of the object (coherency said its data is obsolete).
     */
    void discard(final ObjectRecord record) throws IOException
    {
        objects.discard(record);
    }

    /**
     * Checks the index tree's in-memory invariants (for tests and checks).
     */
    void checkIndex() throws IOException
    {
        objects.checkIndex();
    }

    /**
     * @return the records of the object's children (for inspection).
     */
    List<ObjectRecord> children(final long parentId) throws IOException
    {
        return objects.children(parentId);
    }

    /**
     * @return true if the object's page map holds the page (no data is read).
     */
    boolean contains(final ObjectRecord record, final long pageIndex) throws IOException
    {
        return reads.contains(record, pageIndex);
    }

    /**
     * Reads page {@code pageIndex} into {@code dst} (from its position, one block) and checks it.
     *
     * @return {@link #READ_HIT}, {@link #READ_MISS} if the page is not stored, or {@link #READ_CORRUPT} if its check
     * value did not match (the page is then dropped).
     */
    int read(final ObjectRecord record, final long pageIndex, final ByteBuffer dst) throws IOException
    {
        return reads.read(record, pageIndex, dst);
    }

    /**
     * Copies a byte range of the object's data from the RAM tier, up to the first page it does not hold (see
     * {@link PageReads#readResident}).
     *
     * @return the bytes copied.
     */
    int readResident(
        final ObjectRecord record, final long position, final ByteBuffer dst, final int offset, final int length)
    {
        return reads.readResident(record, position, dst, offset, length);
    }

    /**
     * Copies the page from the RAM tier, if it holds it, into {@code dst} (see {@link PageReads#readFromRam}).
     *
     * @return true on a hit.
     */
    boolean readFromRam(final ObjectRecord record, final long pageIndex, final ByteBuffer dst)
    {
        return reads.readFromRam(record, pageIndex, dst);
    }

    /**
     * Looks up the blocks, check values and RAM-tier tickets of several pages at once (see
     * {@link PageReads#lookupPages}).
     */
    void lookupPages(
        final ObjectRecord record, final long[] pageIndexes, final int count, final long[] pointers, final int[] crcs,
        final long[] tickets) throws IOException
    {
        reads.lookupPages(record, pageIndexes, count, pointers, crcs, tickets);
    }

    /**
     * Reads the page at the block {@code pointer} found for it into {@code dst} (from its position) and checks it
     * (see {@link PageReads#readAt}).
     *
     * @return {@link #READ_HIT}, {@link #READ_MISS} for a null pointer, or {@link #READ_CORRUPT}.
     */
    int readAt(
        final ObjectRecord record, final long pageIndex, final long pointer, final int expectedCrc, final long ticket,
        final ByteBuffer dst) throws IOException
    {
        return reads.readAt(record, pageIndex, pointer, expectedCrc, ticket, dst);
    }

    /**
     * Checks page data read from the block {@code pointer} against its check value, dropping the page on a mismatch
     * and offering an intact one to the RAM tier (see {@link PageReads#verify}).
     *
     * @return true if the data is the page that was written.
     */
    boolean verify(
        final ObjectRecord record, final long pageIndex, final long pointer, final int expectedCrc, final long ticket,
        final ByteBuffer data) throws IOException
    {
        return reads.verify(record, pageIndex, pointer, expectedCrc, ticket, data);
    }

    /**
     * @return the store's lock, for its contention counters.
     */
    StoreLock lock()
    {
        return state.lock;
    }

    /**
     * @return the RAM tier, or null if it is off.
     */
    RamTier ram()
    {
        return state.ram;
    }

    /**
     * @return true if a page at {@code pageIndex} may be stored now: within the object's size and with space for it.
     */
    boolean canStore(final ObjectRecord record, final long pageIndex) throws IOException
    {
        return space.canStore(record, pageIndex);
    }

    /**
     * Sets a block aside for a page the netfs will fetch and may write: within the object's size and only if there
     * is room beyond every other page set aside.
     *
     * @return false if the page cannot be stored now.
     */
    boolean reservePage(final ObjectRecord record, final long pageIndex) throws IOException
    {
        return space.reservePage(record, pageIndex);
    }

    /**
     * Gives back {@code pages} blocks set aside by {@link #reservePage} for pages never written.
     */
    void releasePages(final long pages)
    {
        space.releasePages(pages);
    }

    /**
     * @return blocks set aside by {@link #reservePage} for pages not yet written or uncached.
     */
    long pendingPages()
    {
        return space.pendingPages();
    }

    /**
     * Stores one block from {@code src} (from its position) as page {@code pageIndex}, in a new block; the page's
     * previous block, if any, is freed. A refused write also forgets the page's previous contents, so that a later
     * read is a miss rather than stale data.
     *
     * @return false if the page lies past the object's size, the object is gone, or the cache has no room.
     */
    boolean write(final ObjectRecord record, final long pageIndex, final ByteBuffer src) throws IOException
    {
        return writes.write(record, pageIndex, src);
    }

    /**
     * Stores pages {@code indexes[0, count)} of the object, each from bytes {@code [0, block size)} of
     * {@code pages[i]} (by absolute position; positions and limits are kept), as
     * {@link #write(ObjectRecord, long, ByteBuffer)} does for each in turn, and first gives back {@code reserved}
     * blocks set aside by {@link #reservePage} for them. With write-behind the lock is taken once for several pages.
     */
    void writePages(
        final ObjectRecord record, final long[] indexes, final ByteBuffer[] pages, final int count, final int reserved)
        throws IOException
    {
        writes.writePages(record, indexes, pages, count, reserved);
    }

    /**
     * @return the runs sealed and not landed yet (for tests).
     */
    int sealedRunCount()
    {
        return runs.sealedRunCount();
    }

    /**
     * Forgets a page (nothing is written to the device until the next commit).
     */
    void removePage(final ObjectRecord record, final long pageIndex) throws IOException
    {
        drops.removePage(record, pageIndex);
    }

    /**
     * Commits every change made so far (sync).
     */
    void commit() throws IOException
    {
        commits.commit();
    }

    /**
     * @return blocks in the data region neither used nor reserved.
     */
    long availableBlocks()
    {
        return space.availableBlocks();
    }

    /**
     * @return the index root pointer of the state being built (the last commit's, if nothing changed since).
     */
    long snapshotRoot()
    {
        state.lock.lock();
        try
        {
            return state.index.rootPointer();
        }
        finally
        {
            state.lock.unlock();
        }
    }

    StoreSnapshot snapshot()
    {
        state.lock.lock();
        try
        {
            final BlockAllocator allocator = state.allocator;
            final MetadataIo io = state.io;
            return new StoreSnapshot(state.layout.dataBlocks(), allocator.usedBlocks() - state.layout.metadataBlocks(),
                allocator.freeBlocks(), space.reservedBlocks(), allocator.pendingFree(), state.objectCount,
                state.pageCount, state.generation, io.dirtyNodes(), io.cache().size(), io.nodeReads(),
                io.nodeWrites(), state.wasClean, state.mountCount);
        }
        finally
        {
            state.lock.unlock();
        }
    }

    /**
     * @return blocks found since mount to hold an intact node or page though the bitmap had lost them (marked free, or
     * freed through a pointer that shared them): marked in use again.
     */
    long restoredBlocks()
    {
        state.lock.lock();
        try
        {
            return state.io.restoredBlocks();
        }
        finally
        {
            state.lock.unlock();
        }
    }

    /**
     * Unmounts cleanly: commits with the clean flag and releases the device. Idempotent.
     */
    @Override
    public void close() throws IOException
    {
        commits.shutdown(false);
        // Runs queued still get written (the final commit waits for them); later ones are written by their writers.
        runs.shutdown();
        state.lock.lock();
        try
        {
            if (state.closed)
            {
                return;
            }
            try
            {
                if (state.failure() == null)
                {
                    commits.commitLocked(true);
                }
            }
            finally
            {
                state.closed = true;
                state.io.cache().clear();
                state.device.close();
            }
        }
        finally
        {
            state.lock.unlock();
            runs.awaitWriters();
        }
    }

    /**
     * Stops using the device without committing, as after an I/O error: what was committed stays; the rest is lost.
     */
    void abandon() throws IOException
    {
        commits.shutdown(true);
        runs.shutdown();
        state.lock.lock();
        try
        {
            if (!state.closed)
            {
                state.closed = true;
                state.io.cache().clear();
                state.device.close();
            }
        }
        finally
        {
            state.lock.unlock();
            runs.awaitWriters();
        }
    }

    boolean isClosed()
    {
        return state.closed;
    }

    /**
     * Sets who is told when work that no caller waits for (a periodic commit, a background cull, a run written by a
     * writer thread) fails.
     */
    void failureListener(final Consumer<Exception> listener)
    {
        state.failureListener(listener);
    }

    /**
     * @return space free for new pages as a percentage of the data region (see {@link StoreSpace#freePercent}); the
     * caller holds no lock, so the figure may be a moment old.
     */
    double freePercent()
    {
        return space.freePercent();
    }

    /**
     * @return {@link #freePercent()}, taking the lock.
     */
    double freePercentNow()
    {
        return space.freePercentNow();
    }

    CullingThresholds thresholds()
    {
        return space.thresholds();
    }

    /**
     * Changes the culling limits of the mounted cache.
     */
    void thresholds(final CullingThresholds thresholds)
    {
        space.thresholds(thresholds);
    }

    /**
     * @return true if free space is below {@code bcull}.
     */
    boolean needsCulling()
    {
        return culler.needsCulling();
    }

    /**
     * @return nanoseconds spent below {@code bstop} since mount.
     */
    long nanosBelowStop()
    {
        return space.nanosBelowStop();
    }

    /**
     * Culls if free space is below {@code bcull} (see {@link Culler#cull}).
     *
     * @return the number of objects culled.
     */
    int cull() throws IOException
    {
        return culler.cull();
    }

    /**
     * @return pages per range of a large object's access tracking: the pages of one page-map leaf.
     */
    long rangePages()
    {
        return state.rangePages;
    }

    /**
     * @return the first {@value PageDrops#MAX_KEPT_CORRUPTIONS} corruption errors met and recovered from since mount
     * (each cost one object its pages).
     */
    List<CorruptCacheException> corruptions()
    {
        return drops.corruptions();
    }

    long pagesFor(final long bytes)
    {
        return state.pagesFor(bytes);
    }

    /**
     * @return the alignment of memory for O_DIRECT I/O on the device (see {@link StoreState#sectorSize}).
     */
    int sectorSize()
    {
        return state.sectorSize();
    }

    /**
     * Stops using the device after an I/O error or a corrupt index (see {@link StoreState#fail}).
     */
    void fail(final Exception cause)
    {
        state.fail(cause);
    }

    /**
     * @return the error that stopped the store, or null.
     */
    Exception failure()
    {
        return state.failure();
    }
}
