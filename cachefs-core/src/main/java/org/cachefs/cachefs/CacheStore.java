package org.cachefs.cachefs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.Checksums;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.BufferPool;
import org.cachefs.format.device.DirectBlockDevice;

/**
 * The CacheFS storage engine over one device: objects in the index tree, their pages in page maps, blocks from the
 * allocator, and the commit protocol that makes a new state current atomically (see DESIGN.md, "Commit protocol").
 * <p>
 * Threading: metadata (index, page maps, allocator, live objects) is guarded by one lock, held only for in-memory
 * work and metadata-node reads; page data moves between the device and the caller's buffers outside the lock, so
 * reads and writes of different pages proceed in parallel. Commits hold the lock throughout. A page read that races
 * with a rewrite of the same page can only see a check-value mismatch (a miss), never wrong bytes, because blocks are
 * reused only after the commits that could refer to them are superseded, and every page is checked on read.
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
     * Blocks a reservation sets aside beyond its pages and their page-map leaves: page-map branches and the index
     * path its entry rewrites.
     */
    private static final int RESERVATION_OVERHEAD_BLOCKS = 4;

    private final BlockDevice device;
    private final MountOptions options;
    private final RegionLayout layout;
    private final int blockSize;
    /**
     * Guards all metadata: held exclusively for every change, every node read and every commit, shared by page
     * lookups that find every node on their path in the node cache.
     */
    private final StoreLock lock = new StoreLock();

    /** Runs taken out of their objects and being written without the lock; guarded by the lock. */
    private final List<WriteRun> sealedRuns = new ArrayList<>();

    /**
     * Objects with an open run at most (8 MiB of buffers at 4 KiB blocks): an object that starts a run beyond them
     * seals the run of the one that started longest ago.
     */
    static final int MAX_OPEN_RUNS = 64;

    /** The objects with an open run, the oldest run first; guarded by the lock. */
    private final java.util.ArrayDeque<ObjectRecord> openRuns = new java.util.ArrayDeque<>(MAX_OPEN_RUNS);

    /**
     * Sealed runs queued or being written at most: twice the writer threads, and at least 8 (1 MiB at 4 KiB blocks).
     * A thread that seals a run while that many are out waits.
     */
    private final int maxSealedRuns;

    /** Write sealed runs (write-behind only), so that the thread that filled a run goes on at once. */
    private final java.util.concurrent.ExecutorService runWriter;
    private final java.util.concurrent.Semaphore runSlots;
    private final BlockAllocator allocator;
    private final MetadataIo io;
    private final IndexTree index;
    private final PageMaps pageMaps;
    private final Map<ObjectKey, ObjectRecord> liveByKey = new HashMap<>();
    private final Long2ObjectHashMap<ObjectRecord> liveById = new Long2ObjectHashMap<>();
    private final BufferPool buffers;
    private final BufferPool runBuffers;
    private final ByteBuffer slotBuffer;
    private final boolean wasClean;
    private final StoreStats stats = new StoreStats();
    private final ScheduledExecutorService committer;

    private volatile CullingThresholds thresholds;
    private final long rangePages;
    private final java.util.concurrent.atomic.AtomicLong accessClock = new java.util.concurrent.atomic.AtomicLong();
    private final java.util.concurrent.atomic.AtomicBoolean cullScheduled =
        new java.util.concurrent.atomic.AtomicBoolean();
    private long belowStopSince = -1;
    private long nanosBelowStop;

    private long generation;
    private long objectCount;
    private long nextObjectId;
    private long pageCount;
    private long reservedBlocks;
    /**
     * Pages allocated for the netfs (read or alloc of an absent page) and not yet written or uncached. Raised under
     * the lock, shared ({@link #reservePage}, by compare-and-set) or exclusive; lowered with or without it (giving a
     * block back only makes room).
     */
    private final java.util.concurrent.atomic.AtomicLong pendingPages = new java.util.concurrent.atomic.AtomicLong();
    private long mountCount;
    private boolean changed;
    private boolean closed;

    private CacheStore(final BlockDevice device, final MountOptions options, final ImageHeader header)
        throws IOException
    {
        this.device = device;
        this.options = options;
        this.layout = header.layout();
        this.blockSize = layout.blockSize();
        final CommitRecord commit = header.commit();
        this.allocator = BlockAllocator.load(device, layout, commit);
        this.io = new MetadataIo(device, layout, allocator, new NodeCache(options.nodeCacheSize()),
            commit.generation());
        this.index = new IndexTree(io, commit.indexRoot(), commit.indexRootCrc(), commit.indexHeight());
        this.pageMaps = new PageMaps(io);
        this.buffers = new BufferPool(blockSize, blockSize, 64);
        this.maxSealedRuns = Math.max(8, 2 * options.writeThreads());
        this.runSlots = new java.util.concurrent.Semaphore(maxSealedRuns);
        this.runBuffers = new BufferPool(blockSize * WriteRun.MAX_BLOCKS, blockSize, MAX_OPEN_RUNS + maxSealedRuns);
        this.slotBuffer = AlignedBuffers.allocate(blockSize, blockSize);
        this.slotBuffer.put(header.copyOfSlot()).clear();
        this.wasClean = commit.clean();
        this.generation = commit.generation();
        this.objectCount = commit.objectCount();
        this.nextObjectId = commit.nextObjectId();
        this.pageCount = commit.pageCount();
        this.reservedBlocks = commit.reservedBlocks();
        this.mountCount = commit.mountCount() + 1;
        this.thresholds = options.thresholds();
        this.rangePages = org.cachefs.format.PageMapNode.fanout(blockSize);
        this.committer = options.commitIntervalSeconds() > 0 || options.backgroundCulling() ?
            Executors.newSingleThreadScheduledExecutor(r ->
        {
            final Thread thread = new Thread(r, "cachefs-commit-" + device.name());
            thread.setDaemon(true);
            return thread;
        }) : null;
        final java.util.concurrent.atomic.AtomicInteger writers = new java.util.concurrent.atomic.AtomicInteger();
        this.runWriter = options.writeBehind() ? Executors.newFixedThreadPool(options.writeThreads(), r ->
        {
            final Thread thread = new Thread(r, "cachefs-writer-" + writers.incrementAndGet() + "-" + device.name());
            thread.setDaemon(true);
            return thread;
        }) : null;
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
        store.allocator.markAllDirty();
        // Record that the cache is in use: a crash from here on is reported as an unclean shutdown.
        store.lock.lock();
        try
        {
            store.commitLocked(false);
        }
        finally
        {
            store.lock.unlock();
        }
        if (options.commitIntervalSeconds() > 0)
        {
            final long interval = options.commitIntervalSeconds();
            store.committer.scheduleWithFixedDelay(store::periodicCommit, interval, interval, TimeUnit.SECONDS);
        }
        return store;
    }

    BlockDevice device()
    {
        return device;
    }

    RegionLayout layout()
    {
        return layout;
    }

    int blockSize()
    {
        return blockSize;
    }

    /**
     * @return true if the image had been unmounted cleanly before this mount.
     */
    boolean wasClean()
    {
        return wasClean;
    }

    StoreStats stats()
    {
        return stats;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Objects
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Finds an object and takes a use of it.
     *
     * @return the live record, or null if there is no such object.
     */
    ObjectRecord lookup(final long parentId, final byte[] key) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            ObjectRecord record = liveByKey.get(new ObjectKey(parentId, key));
            if (record == null)
            {
                record = index.find(parentId, key);
                if (record == null)
                {
                    return null;
                }
                final ObjectRecord live = liveById.get(record.objectId);
                record = live != null ? live : record;
                makeLive(record);
            }
            record.users++;
            record.accessTime = nextAccessTime();
            return record;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Creates an object and takes a use of it.
     */
    ObjectRecord create(final long parentId, final byte[] key, final int type, final byte[] aux, final long size)
        throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            final ObjectRecord record = new ObjectRecord(parentId, key.clone(), nextObjectId++);
            record.type = type;
            record.aux = aux.clone();
            record.objectSize = size;
            record.accessTime = nextAccessTime();
            index.put(record);
            objectCount++;
            makeLive(record);
            record.users++;
            markDirty(record);
            return record;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Gives back a use taken by {@link #lookup} or {@link #create}.
     */
    void release(final ObjectRecord record)
    {
        lock.lock();
        try
        {
            if (record.users <= 0)
            {
                throw new IllegalStateException("release of an object not in use: " + record);
            }
            record.users--;
            if (record.users == 0 && record.accessTime != record.committedAccessTime && !record.retired)
            {
                // The access time reaches the disk once per use of the object, not once per read.
                markDirty(record);
            }
            dropIfIdle(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    void setAux(final ObjectRecord record, final byte[] aux) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            record.aux = aux.clone();
            markDirty(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Sets the object's size (its store limit) and drops the pages that lie past it.
     */
    void setSize(final ObjectRecord record, final long size) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            settle(record);
            final long unusedBefore = unusedReservation(record);
            record.objectSize = size;
            final long firstDropped = pagesFor(size);
            final List<Long> dropped = new ArrayList<>();
            try
            {
                pageMaps.forEachPage(record, firstDropped, (pageIndex, pointer, crc) -> dropped.add(pageIndex));
                for (final long pageIndex : dropped)
                {
                    final long previous = pageMaps.remove(record, pageIndex);
                    pageCount--;
                    freeData(record, pageIndex, previous);
                }
            }
            catch (final CorruptCacheException ex)
            {
                // The pages removed so far are accounted for here, the rest by the drop.
                reservedBlocks += unusedReservation(record) - unusedBefore;
                dropCorruptPageMap(record, ex);
                return;
            }
            reservedBlocks += unusedReservation(record) - unusedBefore;
            markDirty(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    void setPinned(final ObjectRecord record, final boolean pinned) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            record.flags = pinned ? record.flags | org.cachefs.format.IndexNode.FLAG_PINNED :
                record.flags & ~org.cachefs.format.IndexNode.FLAG_PINNED;
            markDirty(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Reserves space for up to {@code bytes} of the object's data; 0 cancels.
     *
     * @return false if the space cannot be guaranteed.
     */
    boolean reserve(final ObjectRecord record, final long bytes) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            final long unusedBefore = unusedReservation(record);
            final long unusedAfter = Math.max(0, reservationBlocks(pagesFor(bytes)) -
                reservationBlocks(record.pageCount));
            final long more = unusedAfter - unusedBefore;
            if (more > 0 && !ensureFree(more, 0))
            {
                return false;
            }
            record.reservedBytes = bytes;
            reservedBlocks += more;
            markDirty(record);
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Removes the object, all its descendants and all their pages from the cache.
     */
    void retire(final ObjectRecord record) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            retireLocked(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void retireLocked(final ObjectRecord record) throws IOException
    {
        retireLocked(record, new LongHashSet());
    }

    private void retireLocked(final ObjectRecord record, final LongHashSet ancestors) throws IOException
    {
        if (record.retired)
        {
            return;
        }
        if (!ancestors.add(record.objectId))
        {
            throw new CorruptCacheException("index", device.name(), BlockPointer.block(index.rootPointer()),
                "object " + record.objectId, "an acyclic hierarchy", "a cycle through its own descendants");
        }
        for (final ObjectRecord child : index.children(record.objectId))
        {
            final ObjectRecord live = liveById.get(child.objectId);
            retireLocked(live != null ? live : child, ancestors);
        }
        ancestors.remove(record.objectId);
        discardLocked(record);
        reservedBlocks -= unusedReservation(record);
        index.remove(record.parentId, record.key);
        objectCount--;
        record.retired = true;
        record.dirty = false;
        liveById.remove(record.objectId);
        liveByKey.remove(new ObjectKey(record.parentId, record.key));
        changed = true;
    }

    /**
     * Drops all pages of the object (coherency said its data is obsolete).
     */
    void discard(final ObjectRecord record) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            discardLocked(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void discardLocked(final ObjectRecord record) throws IOException
    {
        dropRun(record);
        final long unusedBefore = unusedReservation(record);
        final long pages = record.pageCount;
        try
        {
            pageMaps.freeAll(record, (pageIndex, pointer, crc) -> freeData(record, pageIndex, pointer));
            pageCount -= pages;
            reservedBlocks += unusedReservation(record) - unusedBefore;
            markDirty(record);
        }
        catch (final CorruptCacheException ex)
        {
            // The map is dropped with what it still holds: nothing more of it is freed.
            dropCorruptPageMap(record, ex);
        }
    }

    /**
     * Checks the index tree's in-memory invariants (for tests and checks).
     */
    void checkIndex() throws IOException
    {
        lock.lock();
        try
        {
            index.checkInvariants();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return the records of the object's children (for inspection).
     */
    List<ObjectRecord> children(final long parentId) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            final List<ObjectRecord> children = index.children(parentId);
            children.replaceAll(r -> liveById.containsKey(r.objectId) ? liveById.get(r.objectId) : r);
            return children;
        }
        finally
        {
            lock.unlock();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Pages
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * @return true if the object's page map holds the page (no data is read).
     */
    boolean contains(final ObjectRecord record, final long pageIndex) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            return lookupPage(record, pageIndex) != BlockPointer.NULL;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Reads page {@code pageIndex} into {@code dst} (from its position, one block) and checks it.
     *
     * @return {@link #READ_HIT}, {@link #READ_MISS} if the page is not stored, or {@link #READ_CORRUPT} if its check
     * value did not match (the page is then dropped).
     */
    int read(final ObjectRecord record, final long pageIndex, final ByteBuffer dst) throws IOException
    {
        final int[] crc = CRC_SCRATCH.get();
        long pointer = PageMaps.NEEDS_IO;
        final long shared = lock.readLock();
        try
        {
            if (!closed && failure == null)
            {
                pointer = pageMaps.lookupCached(record, pageIndex, crc);
                if (inRun(record, pointer))
                {
                    pointer = PageMaps.NEEDS_IO;
                }
            }
        }
        finally
        {
            lock.unlockRead(shared);
        }
        if (pointer == PageMaps.NEEDS_IO)
        {
            lock.lock();
            try
            {
                checkOpen();
                pointer = lookupPage(record, pageIndex);
                crc[0] = pageMaps.foundCrc;
                if (inRun(record, pointer))
                {
                    settle(record);
                }
            }
            finally
            {
                lock.unlock();
            }
        }
        final int outcome = readAt(record, pageIndex, pointer, crc[0], dst);
        if (outcome == READ_HIT)
        {
            // Read the access clock rather than advance it: no contended update on the hit path.
            final long now = Math.max(System.currentTimeMillis() * 1000, accessClock.get());
            record.accessTime = now;
            final long[] ranges = record.rangeAccess;
            final long range = pageIndex / rangePages;
            if (ranges != null && range < ranges.length)
            {
                ranges[(int)range] = now;
            }
        }
        return outcome;
    }

    /**
     * Whether the page at {@code pointer} is in the object's write run, not yet on the device. Called under the lock,
     * shared or exclusive.
     */
    private boolean inRun(final ObjectRecord record, final long pointer)
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

    private static final ThreadLocal<int[]> CRC_SCRATCH = ThreadLocal.withInitial(() -> new int[1]);

    /**
     * Looks up the blocks and check values of several pages at once.
     *
     * @param pageIndexes the pages.
     * @param count       how many of {@code pageIndexes} to look up.
     * @param pointers    receives each page's block pointer, or {@link BlockPointer#NULL}.
     * @param crcs        receives each page's check value.
     */
    void lookupPages(
        final ObjectRecord record, final long[] pageIndexes, final int count, final long[] pointers, final int[] crcs)
        throws IOException
    {
        if (lookupPagesCached(record, pageIndexes, count, pointers, crcs))
        {
            return;
        }
        lock.lock();
        try
        {
            checkOpen();
            boolean unwritten = false;
            for (int i = 0; i < count; i++)
            {
                pointers[i] = lookupPage(record, pageIndexes[i]);
                crcs[i] = pageMaps.foundCrc;
                unwritten |= inRun(record, pointers[i]);
            }
            if (record.pageMapHeight == 0)
            {
                // A page map found corrupt part way is gone: pages looked up before it went are not its any more.
                java.util.Arrays.fill(pointers, 0, count, BlockPointer.NULL);
            }
            if (unwritten)
            {
                settle(record);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The shared path of {@link #lookupPages}: every page's node is in the node cache and no page is in a write run
     * still to be written.
     *
     * @return false if the exclusive path must look the pages up.
     */
    private boolean lookupPagesCached(
        final ObjectRecord record, final long[] pageIndexes, final int count, final long[] pointers, final int[] crcs)
    {
        final int[] crc = CRC_SCRATCH.get();
        final long shared = lock.readLock();
        try
        {
            if (closed || failure != null)
            {
                return false;
            }
            for (int i = 0; i < count; i++)
            {
                final long pointer = pageMaps.lookupCached(record, pageIndexes[i], crc);
                if (pointer == PageMaps.NEEDS_IO || inRun(record, pointer))
                {
                    return false;
                }
                pointers[i] = pointer;
                crcs[i] = crc[0];
            }
            return true;
        }
        finally
        {
            lock.unlockRead(shared);
        }
    }

    /**
     * Reads the page at the block {@code pointer} found for it into {@code dst} (from its position) and checks it.
     *
     * @return {@link #READ_HIT}, {@link #READ_MISS} for a null pointer, or {@link #READ_CORRUPT}.
     */
    int readAt(
        final ObjectRecord record, final long pageIndex, final long pointer, final int expectedCrc,
        final ByteBuffer dst) throws IOException
    {
        if (pointer == BlockPointer.NULL)
        {
            stats.readMisses.increment();
            return READ_MISS;
        }
        final int start = dst.position();
        final int limit = dst.limit();
        final long position = BlockPointer.block(pointer) * blockSize;
        final boolean valid;
        if (isDirect(dst))
        {
            // Straight into the caller's buffer; its position and limit are restored, so nothing is allocated.
            try
            {
                dst.limit(start + blockSize);
                device.read(position, dst);
                dst.position(start);
                valid = verify(record, pageIndex, pointer, expectedCrc, dst);
            }
            finally
            {
                dst.limit(limit).position(start);
            }
        }
        else
        {
            final ByteBuffer bounce = buffers.acquire();
            try
            {
                device.read(position, bounce);
                bounce.flip();
                valid = verify(record, pageIndex, pointer, expectedCrc, bounce);
                if (valid)
                {
                    dst.put(bounce);
                    dst.position(start);
                }
            }
            finally
            {
                buffers.release(bounce);
            }
        }
        return valid ? READ_HIT : READ_CORRUPT;
    }

    /**
     * Checks page data read from the block {@code pointer} (from the buffer's position to its limit) against its
     * check value; on a mismatch the page is counted and dropped, so that it is never served. Its block is not freed:
     * a page whose block holds something else may share it with another owner (see {@link #quarantinePage}).
     *
     * @return true if the data is the page that was written.
     */
    boolean verify(
        final ObjectRecord record, final long pageIndex, final long pointer, final int expectedCrc,
        final ByteBuffer data) throws IOException
    {
        if (crcOf(record.objectId, pageIndex, data) == expectedCrc)
        {
            stats.readHits.increment();
            return true;
        }
        stats.checksumMismatches.increment();
        dropIfStill(record, pageIndex, pointer);
        return false;
    }

    /**
     * @return true if a page at {@code pageIndex} may be stored now: within the object's size and with space for it.
     */
    boolean canStore(final ObjectRecord record, final long pageIndex) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            return withinObject(record, pageIndex) && roomFor(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Sets a block aside for a page the netfs will fetch and may write: within the object's size and only if there
     * is room beyond every other page set aside.
     *
     * @return false if the page cannot be stored now.
     */
    boolean reservePage(final ObjectRecord record, final long pageIndex) throws IOException
    {
        final long shared = lock.readLock();
        try
        {
            checkOpen();
            if (!withinObject(record, pageIndex))
            {
                return false;
            }
            if (reserveShared(record))
            {
                return true;
            }
        }
        finally
        {
            lock.unlockRead(shared);
        }
        lock.lock();
        try
        {
            if (!canStore(record, pageIndex))
            {
                return false;
            }
            pendingPages.incrementAndGet();
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Under the shared lock, so that nothing but other reservations changes the space figures: sets a block aside if
     * there is room without committing or culling (else the caller asks again under the exclusive lock, which may).
     *
     * @return true if the block was set aside.
     */
    private boolean reserveShared(final ObjectRecord record)
    {
        final long ownReservation = unusedReservation(record);
        // The most pages that may be pending for this one to be set aside: the conditions of roomFor, solved for the
        // pending count, so that one compare-and-set checks them all.
        long limit = roomBeforePending(ownReservation) - 1;
        if (ownReservation == 0)
        {
            // freePercent() >= bstop, that is (free - pending) * 100 >= bstop * dataBlocks.
            final long floor = (thresholds.bstop() * layout.dataBlocks() + 99) / 100;
            limit = Math.min(limit, freeBeforePending() - floor);
        }
        long pending;
        do
        {
            pending = pendingPages.get();
            if (pending > limit)
            {
                return false;
            }
        }
        while (!pendingPages.compareAndSet(pending, pending + 1));
        return true;
    }

    /**
     * @return true if page {@code pageIndex} lies within the object's size and the object is still there.
     */
    private boolean withinObject(final ObjectRecord record, final long pageIndex)
    {
        return pageIndex >= 0 && pageIndex < pagesFor(record.objectSize) && !record.retired;
    }

    /**
     * Gives back {@code pages} blocks set aside by {@link #reservePage} for pages never written.
     */
    void releasePages(final long pages)
    {
        pendingPages.addAndGet(-pages);
    }

    /**
     * @return blocks set aside by {@link #reservePage} for pages not yet written or uncached.
     */
    long pendingPages()
    {
        return pendingPages.get();
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
        return options.writeBehind() ? writeBehind(record, pageIndex, src) : writeThrough(record, pageIndex, src);
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
        final int crc = crcOf(record.objectId, pageIndex, src.duplicate().limit(start + blockSize));
        boolean written = false;
        try
        {
            final long position = block * blockSize;
            if (isDirect(src))
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
            if (closed || !withinObject(record, pageIndex))
            {
                allocator.free(block);
                stats.writesRefused.increment();
                return false;
            }
            allocator.landed(block);
            recordPage(record, pageIndex, block, crc);
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
        checkOpen();
        if (!withinObject(record, pageIndex))
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
        final long block = roomFor(record) ? allocator.allocate(record.lastBlock + 1, true) : -1;
        if (block < 0)
        {
            stats.writesRefused.increment();
            removePageLocked(record, pageIndex);
            return -1;
        }
        record.lastBlock = block;
        return block;
    }

    /**
     * Records a written page in the object's page map, frees its previous block and does the accounting.
     */
    private void recordPage(final ObjectRecord record, final long pageIndex, final long block, final int crc)
        throws IOException
    {
        final long unusedBefore = unusedReservation(record);
        try
        {
            final long previous = pageMaps.put(record, pageIndex, BlockPointer.encode(block, BlockPointer.KIND_DATA),
                crc);
            if (previous != BlockPointer.NULL)
            {
                freeData(record, pageIndex, previous);
            }
            else
            {
                pageCount++;
            }
            reservedBlocks += unusedReservation(record) - unusedBefore;
        }
        catch (final CorruptCacheException ex)
        {
            // The page is lost with the map (its new block too: left allocated like the rest).
            reservedBlocks += unusedReservation(record) - unusedBefore;
            dropCorruptPageMap(record, ex);
        }
        markDirty(record);
        touchRange(record, pageIndex);
        stats.pageWrites.increment();
        maybeCommitForDirtyNodes();
        if (freePercent() < thresholds.bcull())
        {
            scheduleCull();
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
        final int crc = crcOfBlock(record.objectId, pageIndex, src, src.position());
        final List<WriteRun> sealed = WRITE_SCRATCH.get().sealed;
        try
        {
            lock.lock();
            try
            {
                landWritten();
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
            submitAll(sealed);
        }
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
        releasePages(reserved);
        if (!options.writeBehind())
        {
            for (int i = 0; i < count; i++)
            {
                writeThrough(record, indexes[i], pages[i].duplicate().limit(blockSize).position(0));
            }
            return;
        }
        final WriteScratch scratch = WRITE_SCRATCH.get();
        final int[] crcs = scratch.crcs(count);
        for (int i = 0; i < count; i++)
        {
            crcs[i] = crcOfBlock(record.objectId, indexes[i], pages[i], 0);
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
                    landWritten();
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
                submitAll(sealed);
            }
        }
        finally
        {
            submitAll(sealed);
        }
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

    private static final ThreadLocal<WriteScratch> WRITE_SCRATCH = ThreadLocal.withInitial(WriteScratch::new);

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
        if (inRun(record, lookupPage(record, pageIndex)))
        {
            settle(record);
        }
        final long block = allocateFor(record, pageIndex);
        if (block < 0)
        {
            return false;
        }
        if (record.run == null && openRuns.size() >= MAX_OPEN_RUNS)
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
        recordPage(record, pageIndex, block, crc);
        return true;
    }

    /**
     * Submits and forgets the runs in {@code sealed} (without the lock).
     */
    private void submitAll(final List<WriteRun> sealed)
    {
        while (!sealed.isEmpty())
        {
            submit(sealed.remove(0));
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
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            writeSealed(run);
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
                    fail(ex);
                    failed(ex);
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
    private void landWritten()
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
    private void settle(final ObjectRecord record) throws IOException
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
    private static void rethrow(final Throwable failure) throws IOException
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
    private void flushRuns() throws IOException
    {
        for (final ObjectRecord record : liveById.values())
        {
            flushRun(record);
        }
        rethrow(landSealed(null));
    }

    /**
     * Drops the object's runs (the object is gone): the open one and sealed ones not started are not written; the
     * ones being written are waited for.
     */
    private void dropRun(final ObjectRecord record)
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
     * Forgets a page (nothing is written to the device until the next commit).
     */
    void removePage(final ObjectRecord record, final long pageIndex) throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            removePageLocked(record, pageIndex);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void removePageLocked(final ObjectRecord record, final long pageIndex) throws IOException
    {
        if (record.retired)
        {
            return;
        }
        settle(record);
        final long unusedBefore = unusedReservation(record);
        try
        {
            final long previous = pageMaps.remove(record, pageIndex);
            if (previous != BlockPointer.NULL)
            {
                pageCount--;
                reservedBlocks += unusedReservation(record) - unusedBefore;
                markDirty(record);
                freeData(record, pageIndex, previous);
            }
        }
        catch (final CorruptCacheException ex)
        {
            dropCorruptPageMap(record, ex);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Commit, space, unmount
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Commits every change made so far (sync).
     */
    void commit() throws IOException
    {
        lock.lock();
        try
        {
            checkOpen();
            commitLocked(false);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return blocks in the data region neither used nor reserved.
     */
    long availableBlocks()
    {
        lock.lock();
        try
        {
            return Math.max(0, allocator.freeBlocks() - reservedBlocks);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return the index root pointer of the state being built (the last commit's, if nothing changed since).
     */
    long snapshotRoot()
    {
        lock.lock();
        try
        {
            return index.rootPointer();
        }
        finally
        {
            lock.unlock();
        }
    }

    StoreSnapshot snapshot()
    {
        lock.lock();
        try
        {
            return new StoreSnapshot(layout.dataBlocks(), allocator.usedBlocks() - layout.metadataBlocks(),
                allocator.freeBlocks(), reservedBlocks, allocator.pendingFree(), objectCount, pageCount, generation,
                io.dirtyNodes(), io.cache().size(), io.nodeReads(), io.nodeWrites(), wasClean, mountCount);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return blocks found since mount to hold an intact node or page though the bitmap had lost them (marked free, or
     * freed through a pointer that shared them): marked in use again.
     */
    long restoredBlocks()
    {
        lock.lock();
        try
        {
            return io.restoredBlocks();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Unmounts cleanly: commits with the clean flag and releases the device. Idempotent.
     */
    @Override
    public void close() throws IOException
    {
        if (committer != null)
        {
            // No interrupt: a periodic commit interrupted in its I/O would close the device's channel under the
            // final commit. One in progress finishes first (the lock); none starts after (shutdown, closed).
            committer.shutdown();
        }
        if (runWriter != null)
        {
            // Runs queued still get written (the final commit waits for them); later ones are written by their
            // writers.
            runWriter.shutdown();
        }
        lock.lock();
        try
        {
            if (closed)
            {
                return;
            }
            try
            {
                if (failure == null)
                {
                    commitLocked(true);
                }
            }
            finally
            {
                closed = true;
                io.cache().clear();
                device.close();
            }
        }
        finally
        {
            lock.unlock();
            awaitWriters();
        }
    }

    /**
     * After the writers were shut down: waits (10 s at most, less if interrupted) until the writer threads have
     * exited, so that none outlives the mount.
     */
    private void awaitWriters()
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

    /**
     * Stops using the device without committing, as after an I/O error: what was committed stays; the rest is lost.
     */
    void abandon() throws IOException
    {
        if (committer != null)
        {
            committer.shutdownNow();
        }
        if (runWriter != null)
        {
            runWriter.shutdown();
        }
        lock.lock();
        try
        {
            if (!closed)
            {
                closed = true;
                io.cache().clear();
                device.close();
            }
        }
        finally
        {
            lock.unlock();
            awaitWriters();
        }
    }

    boolean isClosed()
    {
        return closed;
    }

    private void periodicCommit()
    {
        lock.lock();
        try
        {
            if (!closed && changed && failure == null)
            {
                commitLocked(false);
            }
        }
        catch (final IOException | RuntimeException ex)
        {
            stats.commitFailures.increment();
            failed(ex);
        }
        finally
        {
            lock.unlock();
        }
    }

    private volatile java.util.function.Consumer<Exception> failureListener;

    /**
     * Reports a failure that no caller waits for (a periodic commit, a background cull, a run written by a writer
     * thread) to the {@link #failureListener}.
     */
    private void failed(final Exception ex)
    {
        final java.util.function.Consumer<Exception> listener = failureListener;
        if (listener != null)
        {
            listener.accept(ex);
        }
    }

    /**
     * Sets who is told when a commit that no caller waits for (a periodic one) fails.
     */
    void failureListener(final java.util.function.Consumer<Exception> listener)
    {
        this.failureListener = listener;
    }

    private void commitLocked(final boolean clean) throws IOException
    {
        io.discardWrites();
        flushRuns();
        final long next = generation + 1;
        // 1. New page-map and index nodes, children first; then the bitmap copy of this generation.
        final Iterator<ObjectRecord> it = liveById.values().iterator();
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
            .objectCount(objectCount)
            .nextObjectId(nextObjectId)
            .usedBlocks(allocator.committedUsedCount())
            .pageCount(pageCount)
            .reservedBlocks(reservedBlocks)
            .mountCount(mountCount);
        superblock.seal(slot);
        commit.seal(slot);
        device.write((long)slot * blockSize, slotBuffer.clear());
        device.flush();
        // 4. Durable: release what the superseded commit held, forget dirtiness.
        generation = next;
        allocator.committed();
        io.committed(next);
        for (final ObjectRecord record : written)
        {
            record.dirty = false;
            record.committedAccessTime = record.accessTime;
            dropIfIdle(record);
        }
        changed = false;
        stats.commits.increment();
    }

    /**
     * @return true if one more page of the object fits now: below {@code bstop} only within the object's own
     * reservation; otherwise if the free blocks, less what others reserved, what is set aside and the commit
     * reserve, leave one, committing first if that releases freed blocks.
     */
    private boolean roomFor(final ObjectRecord record) throws IOException
    {
        final long ownReservation = unusedReservation(record);
        if (ownReservation == 0 && belowStop())
        {
            stats.refusedBelowStop.increment();
            scheduleCull();
            return false;
        }
        return roomBeyond(ownReservation) >= 1 || ensureFree(1, ownReservation);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Culling
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * @return space free for new pages as a percentage of the data region: free blocks and blocks the next commit
     * releases, less reservations, blocks set aside for allocated pages and the commit reserve.
     */
    double freePercent()
    {
        return 100.0 * Math.max(0, freeBeforePending() - pendingPages.get()) / layout.dataBlocks();
    }

    /**
     * @return {@link #freePercent()}'s free blocks before the blocks set aside for allocated pages are subtracted.
     */
    private long freeBeforePending()
    {
        return allocator.freeBlocks() + allocator.pendingFree() - reservedBlocks - commitReserve();
    }

    /**
     * @return {@link #freePercent()}, taking the lock.
     */
    double freePercentNow()
    {
        lock.lock();
        try
        {
            return freePercent();
        }
        finally
        {
            lock.unlock();
        }
    }

    private boolean belowStop()
    {
        final boolean below = freePercent() < thresholds.bstop();
        final long now = System.nanoTime();
        if (below && belowStopSince < 0)
        {
            belowStopSince = now;
        }
        else if (!below && belowStopSince >= 0)
        {
            nanosBelowStop += now - belowStopSince;
            belowStopSince = -1;
        }
        return below;
    }

    CullingThresholds thresholds()
    {
        return thresholds;
    }

    /**
     * Changes the culling limits of the mounted cache.
     */
    void thresholds(final CullingThresholds thresholds)
    {
        this.thresholds = java.util.Objects.requireNonNull(thresholds, "thresholds");
        if (needsCulling())
        {
            scheduleCull();
        }
    }

    /**
     * @return true if free space is below {@code bcull}.
     */
    boolean needsCulling()
    {
        lock.lock();
        try
        {
            return !closed && freePercent() < thresholds.bcull();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return nanoseconds spent below {@code bstop} since mount.
     */
    long nanosBelowStop()
    {
        lock.lock();
        try
        {
            return nanosBelowStop + (belowStopSince >= 0 ? System.nanoTime() - belowStopSince : 0);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * If free space is below {@code bcull}, culls the least recently used objects that are neither in use nor
     * pinned nor parents of other objects, until free space is at or above {@code brun} or nothing more can be culled,
     * committing after each batch so that their blocks become free.
     *
     * @return the number of objects culled.
     */
    int cull() throws IOException
    {
        lock.lock();
        try
        {
            if (closed || failure != null || freePercent() >= thresholds.bcull())
            {
                return 0;
            }
            stats.cullRuns.increment();
            int culled = 0;
            while (freePercent() < thresholds.brun())
            {
                final List<ObjectRecord> victims = oldestCullable(CULL_BATCH);
                if (victims.isEmpty())
                {
                    break;
                }
                final long freeBefore = allocator.freeBlocks() + allocator.pendingFree();
                final long largePages = layout.dataBlocks() * options.largeObjectPercent() / 100;
                for (final ObjectRecord victim : victims)
                {
                    final long pages = victim.pageCount;
                    final long before = allocator.freeBlocks() + allocator.pendingFree();
                    if (pages > largePages)
                    {
                        stats.pagesCulled.add(cullRanges(victim, largePages));
                    }
                    else
                    {
                        retireLocked(victim);
                        stats.objectsCulled.increment();
                        stats.pagesCulled.add(pages);
                        culled++;
                    }
                    stats.blocksCulled.add(allocator.freeBlocks() + allocator.pendingFree() - before);
                    if (freePercent() >= thresholds.brun())
                    {
                        break;
                    }
                }
                commitLocked(false);
                if (allocator.freeBlocks() <= freeBefore && culled == 0)
                {
                    break;
                }
            }
            belowStop();
            return culled;
        }
        finally
        {
            lock.unlock();
        }
    }

    private static final int CULL_BATCH = 64;

    /** Most page ranges whose access times a large object keeps in memory. */
    private static final int MAX_TRACKED_RANGES = 1 << 20;

    /**
     * @return pages per range of a large object's access tracking: the pages of one page-map leaf.
     */
    long rangePages()
    {
        return rangePages;
    }

    private void touchRange(final ObjectRecord record, final long pageIndex)
    {
        final long range = pageIndex / rangePages;
        if (range >= MAX_TRACKED_RANGES)
        {
            return;
        }
        long[] ranges = record.rangeAccess;
        if (ranges == null || range >= ranges.length)
        {
            ranges = java.util.Arrays.copyOf(ranges == null ? new long[0] : ranges,
                (int)Math.min(MAX_TRACKED_RANGES, Math.max(range + 1, ranges == null ? 4 : 2L * ranges.length)));
            record.rangeAccess = ranges;
        }
        ranges[(int)range] = nextAccessTime();
    }

    /**
     * Drops the least recently used page ranges of a large object until free space reaches {@code brun} or the
     * object is within its share; ranges with no access recorded in this mount go first, in page order.
     *
     * @return pages dropped.
     */
    private long cullRanges(final ObjectRecord record, final long limitPages) throws IOException
    {
        final org.agrona.collections.LongHashSet present = new org.agrona.collections.LongHashSet();
        try
        {
            pageMaps.forEachPage(record, 0, (pageIndex, pointer, crc) -> present.add(pageIndex / rangePages));
        }
        catch (final CorruptCacheException ex)
        {
            final long pages = record.pageCount;
            dropCorruptPageMap(record, ex);
            return pages;
        }
        final long[] ranges = new long[present.size()];
        int n = 0;
        for (final LongHashSet.LongIterator it = present.iterator(); it.hasNext(); )
        {
            ranges[n++] = it.nextValue();
        }
        final long[] access = record.rangeAccess;
        final Long[] order = new Long[n];
        for (int i = 0; i < n; i++)
        {
            order[i] = ranges[i];
        }
        java.util.Arrays.sort(order, (a, b) ->
        {
            final long accessA = access != null && a < access.length ? access[(int)(long)a] : 0;
            final long accessB = access != null && b < access.length ? access[(int)(long)b] : 0;
            return accessA != accessB ? Long.compare(accessA, accessB) : Long.compare(a, b);
        });
        long dropped = 0;
        for (final Long range : order)
        {
            if (freePercent() >= thresholds.brun() || record.pageCount <= limitPages)
            {
                break;
            }
            final List<Long> pages = new ArrayList<>();
            final long first = range * rangePages;
            try
            {
                pageMaps.forEachPage(record, first, (pageIndex, pointer, crc) ->
                {
                    if (pageIndex < first + rangePages)
                    {
                        pages.add(pageIndex);
                    }
                });
            }
            catch (final CorruptCacheException ex)
            {
                dropped += record.pageCount;
                dropCorruptPageMap(record, ex);
                break;
            }
            for (final long pageIndex : pages)
            {
                removePageLocked(record, pageIndex);
                dropped++;
            }
        }
        return dropped;
    }

    /**
     * @return up to {@code max} cullable objects, oldest access first.
     */
    private List<ObjectRecord> oldestCullable(final int max) throws IOException
    {
        // A max-heap on access time keeps the {@code max} oldest seen so far.
        final java.util.PriorityQueue<ObjectRecord> oldest = new java.util.PriorityQueue<>(max + 1,
            (a, b) -> Long.compare(b.accessTime, a.accessTime));
        index.forEach(found ->
        {
            final ObjectRecord live = liveById.get(found.objectId);
            final ObjectRecord record = live != null ? live : found;
            if (record.users > 0 || record.pinned() || record.type == 0 || record.retired)
            {
                return;
            }
            if (oldest.size() < max)
            {
                oldest.add(record);
            }
            else if (record.accessTime < oldest.peek().accessTime)
            {
                oldest.poll();
                oldest.add(record);
            }
        });
        final List<ObjectRecord> victims = new ArrayList<>(oldest);
        victims.sort((a, b) -> Long.compare(a.accessTime, b.accessTime));
        // Objects with children are not culled: their children would go with them.
        victims.removeIf(record ->
        {
            try
            {
                return !index.children(record.objectId).isEmpty();
            }
            catch (final IOException ex)
            {
                throw new java.io.UncheckedIOException(ex);
            }
        });
        return victims;
    }

    private void scheduleCull()
    {
        if (committer == null || !options.backgroundCulling() || !cullScheduled.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            committer.execute(() ->
            {
                cullScheduled.set(false);
                try
                {
                    cull();
                }
                catch (final IOException | RuntimeException ex)
                {
                    stats.commitFailures.increment();
                    failed(ex);
                }
            });
        }
        catch (final java.util.concurrent.RejectedExecutionException ex)
        {
            cullScheduled.set(false);
        }
    }

    /**
     * @return a unique, increasing access time in microseconds since the epoch.
     */
    private long nextAccessTime()
    {
        final long now = System.currentTimeMillis() * 1000;
        long previous;
        long next;
        do
        {
            previous = accessClock.get();
            next = Math.max(now, previous + 1);
        }
        while (!accessClock.compareAndSet(previous, next));
        return next;
    }

    /**
     * Makes room for {@code blocks} more blocks (beyond {@code ownReservation} the caller may use) by committing, if
     * committing would release freed blocks.
     *
     * @return true if there is room now.
     */
    private boolean ensureFree(final long blocks, final long ownReservation) throws IOException
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            if (roomBeyond(ownReservation) >= blocks)
            {
                return true;
            }
            if (allocator.pendingFree() == 0)
            {
                return false;
            }
            commitLocked(false);
            stats.pressureCommits.increment();
        }
        return roomBeyond(ownReservation) >= blocks;
    }

    /**
     * @return blocks free for new pages of an object with {@code ownReservation} unused: free blocks less the other
     * objects' reservations, the blocks set aside and the commit reserve.
     */
    private long roomBeyond(final long ownReservation)
    {
        return roomBeforePending(ownReservation) - pendingPages.get();
    }

    /**
     * @return {@link #roomBeyond}'s blocks before the blocks set aside for allocated pages are subtracted.
     */
    private long roomBeforePending(final long ownReservation)
    {
        return allocator.freeBlocks() - (reservedBlocks - ownReservation) - commitReserve();
    }

    private long commitReserve()
    {
        return io.dirtyNodes() + COMMIT_SLACK_BLOCKS;
    }

    private void maybeCommitForDirtyNodes() throws IOException
    {
        if (io.dirtyNodes() >= options.maxDirtyNodes())
        {
            commitLocked(false);
        }
    }

    /**
     * Frees the data block of page {@code pageIndex} of the object, which its page map has just let go of, unless
     * the block cannot be that page's: a block the bitmap marks free, or freed already since the last commit (the
     * page shared it with another reference, which freed it), or a block holding a node. Such a block is left as
     * it is.
     *
     * @throws CorruptCacheException naming the block, the page and the object, if the block cannot be the page's.
     */
    private void freeData(final ObjectRecord record, final long pageIndex, final long pointer)
    {
        final long block = BlockPointer.block(pointer);
        final String problem = allocator.dataBlockProblem(block, true);
        if (problem != null)
        {
            throw new CorruptCacheException("page map", device.name(), block,
                "page " + pageIndex + " of object " + record.objectId, "points at block " + block + ", " + problem);
        }
        allocator.free(block);
    }

    /**
     * Looks a page up under the lock (its check value left in {@link PageMaps#foundCrc}); a page map found corrupt on
     * the way is dropped (see {@link #dropCorruptPageMap}) and the page is not stored.
     */
    private long lookupPage(final ObjectRecord record, final long pageIndex) throws IOException
    {
        try
        {
            return pageMaps.lookup(record, pageIndex);
        }
        catch (final CorruptCacheException ex)
        {
            dropCorruptPageMap(record, ex);
            return BlockPointer.NULL;
        }
    }

    /**
     * After a check-value mismatch: forgets the page if its map still names the block read (a rewrite may have
     * replaced it meanwhile); see {@link #quarantinePage}.
     */
    private void dropIfStill(final ObjectRecord record, final long pageIndex, final long pointer) throws IOException
    {
        lock.lock();
        try
        {
            if (!closed && failure == null && !record.retired && lookupPage(record, pageIndex) == pointer)
            {
                quarantinePage(record, pageIndex);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Forgets a page whose block did not hold its data, without freeing the block: it may be another object's page
     * or a node (a page map damaged to point there), and freeing it would let the next allocation overwrite what
     * that owner still refers to. The block stays allocated (if it was bit rot, fsck reclaims it as leaked).
     */
    private void quarantinePage(final ObjectRecord record, final long pageIndex) throws IOException
    {
        final long unusedBefore = unusedReservation(record);
        try
        {
            if (pageMaps.remove(record, pageIndex) != BlockPointer.NULL)
            {
                pageCount--;
                reservedBlocks += unusedReservation(record) - unusedBefore;
                markDirty(record);
                stats.quarantinedPages.increment();
            }
        }
        catch (final CorruptCacheException ex)
        {
            dropCorruptPageMap(record, ex);
        }
    }

    /** Corruption errors kept for {@link #corruptions()}. */
    static final int MAX_KEPT_CORRUPTIONS = 16;

    /** The first corruption errors the store recovered from; guarded by the lock. */
    private final List<CorruptCacheException> corruptions = new ArrayList<>();

    /**
     * The object's page map cannot be trusted (a node failed validation, or a page pointed at a block that cannot be
     * its own): every page of it is forgotten and none of its blocks is freed (data and nodes alike stay allocated,
     * since some may be other owners'; fsck reclaims those nothing refers to). The object stays, with no pages: the
     * netfs gets misses and may store its pages again. The error is counted and logged once; nothing else is
     * stopped. Called under the lock.
     */
    private void dropCorruptPageMap(final ObjectRecord record, final CorruptCacheException cause)
    {
        dropRun(record);
        final long unusedBefore = unusedReservation(record);
        final long pages = record.pageCount;
        pageCount -= pages;
        pageMaps.forget(record);
        reservedBlocks += unusedReservation(record) - unusedBefore;
        markDirty(record);
        stats.droppedPageMaps.increment();
        stats.droppedPages.add(pages);
        if (corruptions.size() < MAX_KEPT_CORRUPTIONS)
        {
            corruptions.add(cause);
        }
        LOG.log(System.Logger.Level.WARNING, "cachefs " + device.name() + ": dropped the " + pages + " pages of " +
            "object " + record.objectId + ", whose page map is corrupt (its blocks stay allocated until fsck): " +
            cause.getMessage());
    }

    /**
     * @return the first {@value #MAX_KEPT_CORRUPTIONS} corruption errors met and recovered from since mount (each
     * cost one object its pages).
     */
    List<CorruptCacheException> corruptions()
    {
        lock.lock();
        try
        {
            return List.copyOf(corruptions);
        }
        finally
        {
            lock.unlock();
        }
    }

    private static final System.Logger LOG = System.getLogger(CacheStore.class.getName());

    /**
     * @return the part of the object's reservation its pages do not use yet.
     */
    private long unusedReservation(final ObjectRecord record)
    {
        return Math.max(0, reservationBlocks(pagesFor(record.reservedBytes)) - reservationBlocks(record.pageCount));
    }

    /**
     * @return blocks that {@code pages} pages take with the metadata that tracks them.
     */
    private long reservationBlocks(final long pages)
    {
        if (pages == 0)
        {
            return 0;
        }
        final long leafEntries = org.cachefs.format.PageMapNode.fanout(blockSize);
        return pages + (pages + leafEntries - 1) / leafEntries + RESERVATION_OVERHEAD_BLOCKS;
    }

    long pagesFor(final long bytes)
    {
        return bytes / blockSize + (bytes % blockSize != 0 ? 1 : 0);
    }

    private void makeLive(final ObjectRecord record)
    {
        liveById.put(record.objectId, record);
        liveByKey.put(new ObjectKey(record.parentId, record.key), record);
    }

    private void markDirty(final ObjectRecord record)
    {
        record.dirty = true;
        changed = true;
        if (!liveById.containsKey(record.objectId) && !record.retired)
        {
            makeLive(record);
        }
    }

    private void dropIfIdle(final ObjectRecord record)
    {
        if (record.users == 0 && !record.dirty)
        {
            liveById.remove(record.objectId);
            liveByKey.remove(new ObjectKey(record.parentId, record.key));
        }
    }

    private static int crcOf(final long objectId, final long pageIndex, final ByteBuffer data)
    {
        return CHECKSUMS.get().page(objectId, pageIndex, data);
    }

    /**
     * @return the check value of the block of {@code src} at {@code offset} (its position and limit are kept).
     */
    private int crcOfBlock(final long objectId, final long pageIndex, final ByteBuffer src, final int offset)
    {
        final int position = src.position();
        final int limit = src.limit();
        try
        {
            src.limit(offset + blockSize).position(offset);
            return crcOf(objectId, pageIndex, src);
        }
        finally
        {
            src.limit(limit).position(position);
        }
    }

    private static final ThreadLocal<Checksums> CHECKSUMS = ThreadLocal.withInitial(Checksums::new);

    private boolean isDirect(final ByteBuffer buffer)
    {
        return buffer.isDirect() && buffer.remaining() >= blockSize &&
            buffer.alignmentOffset(buffer.position(), sectorSize()) == 0;
    }

    /**
     * @return the alignment of memory for O_DIRECT I/O on the device. Not just the logical sector size: the JDK's
     * O_DIRECT channel wants addresses aligned to the block size of the file store holding the path (4096 for a
     * device node), more than a 512-byte-sector disk's sector size.
     */
    int sectorSize()
    {
        return Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT);
    }

    private void checkOpen() throws IOException
    {
        if (closed)
        {
            throw new IOException(device.name() + " is unmounted");
        }
        final Exception failure = this.failure;
        if (failure != null)
        {
            throw new IOException(device.name() + " stopped after an I/O error: " + failure.getMessage(), failure);
        }
    }

    private volatile Exception failure;

    /**
     * Stops using the device after an I/O error or a corrupt index (a corrupt page map is dropped instead, see
     * {@link #dropCorruptPageMap}): every later operation fails, and unmounting commits nothing, so the last durable
     * commit stays as it was.
     */
    void fail(final Exception cause)
    {
        if (failure == null)
        {
            failure = cause;
        }
    }

    /**
     * @return the error that stopped the store, or null.
     */
    Exception failure()
    {
        return failure;
    }

    /**
     * Key of a live object.
     */
    private record ObjectKey(long parentId, byte[] key)
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof ObjectKey other && parentId == other.parentId &&
                java.util.Arrays.equals(key, other.key);
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(parentId) * 31 + java.util.Arrays.hashCode(key);
        }
    }
}
