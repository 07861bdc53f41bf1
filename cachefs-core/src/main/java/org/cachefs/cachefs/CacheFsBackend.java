package org.cachefs.cachefs;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheContext;
import org.cachefs.fscache.spi.CacheControl;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;
import org.cachefs.fscache.spi.ObjectState;
import org.cachefs.fscache.spi.Retrieval;
import org.cachefs.fscache.spi.Storage;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.CacheFsException;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BufferPool;

/**
 * The CacheFS backend: the FS-Cache operations table over a mounted {@link CacheStore}. Objects are looked up and
 * created in the store's index by (parent object id, netfs key); pages are read synchronously on the calling thread
 * with O_DIRECT straight into the netfs page when its buffer is aligned (through one bounce buffer otherwise), with
 * adjacent blocks of a multi-page read merged into one I/O; every page is checked against its CRC32C and a mismatch is
 * a miss. Writes run on the FS-Cache pool, as the core schedules them.
 * <p>
 * A corrupt page map costs its object only: the store drops the object's pages (leaving their blocks allocated for
 * fsck), counts and logs the error ({@link #corruptions()}, {@link #usage()}), and the netfs gets misses for that
 * object while every other object is served. Any I/O error, or a corrupt index node, met by an operation reports
 * {@link CacheContext#ioError()} to the core, which from then on passes only release operations; the netfs sees
 * {@code NO_BUFS} and carries on. {@link #close()} unmounts: it commits with the clean flag and releases the device.
 * Withdraw the cache from its FS-Cache first.
 * <p>
 * Threading: every operation may be called from any thread; the store serialises metadata work, data moves outside
 * its lock.
 */
public final class CacheFsBackend implements CacheBackend, CacheControl, Closeable
{
    /** Most blocks merged into one read. */
    static final int MAX_MERGED_BLOCKS = 32;

    private static final System.Logger LOG = System.getLogger(CacheFsBackend.class.getName());

    private final CacheStore store;
    private final int pageSize;
    private final BufferPool runBuffers;
    private volatile CacheContext cache;

    CacheFsBackend(final CacheStore store)
    {
        this.store = store;
        this.pageSize = store.blockSize();
        this.runBuffers = new BufferPool(pageSize * MAX_MERGED_BLOCKS, pageSize, 8);
        store.failureListener(this::failed);
        if (!store.wasClean())
        {
            LOG.log(System.Logger.Level.WARNING, store.device().name() + " was not unmounted cleanly: " +
                "recovered from commit " + (store.snapshot().generation() - 1));
        }
        final RamTier ram = store.ram();
        LOG.log(System.Logger.Level.DEBUG, "cachefs " + store.device().name() + " mounted: " + (ram == null ?
            "RAM tier off" : "RAM tier of up to " + ((long)ram.capacityPages() * pageSize >> 20) + " MiB"));
    }

    /**
     * @return the engine (for tests and tools in this package).
     */
    CacheStore store()
    {
        return store;
    }

    /**
     * @return true if the image had been unmounted cleanly before this mount; false means the last session's
     * uncommitted changes were lost (nothing wrong is served).
     */
    public boolean wasClean()
    {
        return store.wasClean();
    }

    /**
     * @return the cache's usage now.
     */
    public StoreSnapshot snapshot()
    {
        return store.snapshot();
    }

    /**
     * @return pages whose check value did not match since mount (each was dropped and reported as a miss).
     */
    public long checksumMismatches()
    {
        return store.stats().checksumMismatches.sum();
    }

    /**
     * @return the first {@value PageDrops#MAX_KEPT_CORRUPTIONS} corruption errors met since mount that cost an object
     * its page map (each also counted in {@link #usage()} as {@code droppedPageMaps} and logged); the cache went on.
     */
    public List<CorruptCacheException> corruptions()
    {
        return store.corruptions();
    }

    /**
     * Culls now if free space is below {@code bcull}: least recently used objects that are neither in use nor pinned
     * are dropped (large ones by page range) until free space is back at {@code brun}.
     *
     * @return objects dropped whole.
     * @throws IOException on an I/O error (the cache is then withdrawn).
     */
    public int cull() throws IOException
    {
        return store.cull();
    }

    /**
     * @return the culling limits in force.
     */
    public CullingThresholds thresholds()
    {
        return store.thresholds();
    }

    /**
     * Changes the culling limits of the mounted cache; culling starts at once if free space is below the new
     * {@code bcull}.
     *
     * @param thresholds the new limits.
     */
    public void thresholds(final CullingThresholds thresholds)
    {
        store.thresholds(thresholds);
    }

    /**
     * @return what culling has done since mount.
     */
    public CullingStats cullingStats()
    {
        final StoreStats stats = store.stats();
        return new CullingStats(stats.cullRuns.sum(), stats.objectsCulled.sum(), stats.pagesCulled.sum(),
            stats.blocksCulled.sum() * pageSize, store.nanosBelowStop(), stats.refusedBelowStop.sum(),
            store.freePercentNow());
    }

    /**
     * @return the latencies of page hits, misses, page stores, commits and culling passes since mount.
     */
    public CacheFsLatencies latencies()
    {
        return store.latencies();
    }

    /**
     * {@inheritDoc}
     * <p>
     * Space in blocks of {@code blockSize} bytes, counters since mount, and the latencies of {@link #latencies()} in
     * nanoseconds: for each of {@code hit}, {@code miss}, {@code store}, {@code commit} and {@code cull}, the keys
     * {@code <kind>LatencyCount}, {@code <kind>LatencyP50Nanos}, {@code <kind>LatencyP99Nanos},
     * {@code <kind>LatencyP999Nanos} and {@code <kind>LatencyMaxNanos}.
     */
    @Override
    public java.util.Map<String, Long> usage()
    {
        final StoreSnapshot s = store.snapshot();
        final StoreStats stats = store.stats();
        final java.util.Map<String, Long> usage = new java.util.LinkedHashMap<>();
        usage.put("blockSize", (long)pageSize);
        usage.put("dataBlocks", s.dataBlocks());
        usage.put("usedDataBlocks", s.usedDataBlocks());
        usage.put("freeBlocks", s.freeBlocks());
        usage.put("reservedBlocks", s.reservedBlocks());
        usage.put("pendingFreeBlocks", s.pendingFree());
        usage.put("objects", s.objects());
        usage.put("pages", s.pages());
        usage.put("generation", s.generation());
        usage.put("dirtyNodes", s.dirtyNodes());
        usage.put("cachedNodes", s.cachedNodes());
        usage.put("nodeReads", s.nodeReads());
        usage.put("nodeWrites", s.nodeWrites());
        usage.put("readHits", stats.readHits.sum());
        usage.put("readMisses", stats.readMisses.sum());
        usage.put("checksumMismatches", stats.checksumMismatches.sum());
        usage.put("quarantinedPages", stats.quarantinedPages.sum());
        usage.put("droppedPageMaps", stats.droppedPageMaps.sum());
        usage.put("droppedPages", stats.droppedPages.sum());
        usage.put("restoredBlocks", store.restoredBlocks());
        usage.put("pageWrites", stats.pageWrites.sum());
        usage.put("runWrites", stats.runWrites.sum());
        usage.put("writesRefused", stats.writesRefused.sum());
        usage.put("commits", stats.commits.sum());
        usage.put("storeLockWaits", store.lock().waits.sum());
        usage.put("storeLockWaitNanos", store.lock().waitNanos.sum());
        RamTier.usage(store.ram(), pageSize, usage);
        usage.put("ioErrors", store.failure() == null ? 0L : 1L);
        final CacheFsLatencies latencies = store.latencies();
        putLatency(usage, "hit", latencies.hits());
        putLatency(usage, "miss", latencies.misses());
        putLatency(usage, "store", latencies.stores());
        putLatency(usage, "commit", latencies.commits());
        putLatency(usage, "cull", latencies.culls());
        return usage;
    }

    private static void putLatency(
        final java.util.Map<String, Long> usage, final String kind, final LatencySummary summary)
    {
        usage.put(kind + "LatencyCount", summary.count());
        usage.put(kind + "LatencyP50Nanos", summary.p50Nanos());
        usage.put(kind + "LatencyP99Nanos", summary.p99Nanos());
        usage.put(kind + "LatencyP999Nanos", summary.p999Nanos());
        usage.put(kind + "LatencyMaxNanos", summary.maxNanos());
    }

    @Override
    public java.util.Map<String, Long> culling()
    {
        final CullingStats stats = cullingStats();
        final java.util.Map<String, Long> culling = new java.util.LinkedHashMap<>();
        culling.put("runs", stats.runs());
        culling.put("objectsCulled", stats.objectsCulled());
        culling.put("pagesCulled", stats.pagesCulled());
        culling.put("bytesFreed", stats.bytesFreed());
        culling.put("millisBelowStop", stats.nanosBelowStop() / 1_000_000);
        culling.put("refusedBelowStop", stats.refusedBelowStop());
        culling.put("freePermille", Math.round(stats.freePercent() * 10));
        return culling;
    }

    @Override
    public String cullingThresholds()
    {
        final CullingThresholds t = store.thresholds();
        return t.brun() + "/" + t.bcull() + "/" + t.bstop();
    }

    @Override
    public void setCullingThresholds(final int brun, final int bcull, final int bstop)
    {
        thresholds(new CullingThresholds(brun, bcull, bstop));
    }

    /**
     * Commits every change so far (the same as the core's sync).
     *
     * @throws IOException on an I/O error (the cache is then withdrawn).
     */
    public void commit() throws IOException
    {
        store.commit();
    }

    @Override
    public String name()
    {
        return "cachefs";
    }

    @Override
    public String identifier()
    {
        return store.device().name();
    }

    @Override
    public int pageSize()
    {
        return pageSize;
    }

    @Override
    public CacheObject initCache(final CacheContext cache, final ObjectContext fsdef)
    {
        this.cache = cache;
        return new CacheFsObject(fsdef, true);
    }

    @Override
    public CacheObject allocObject(final ObjectContext object)
    {
        return new CacheFsObject(object, false);
    }

    @Override
    public void lookupObject(final CacheObject object)
    {
        final CacheFsObject o = (CacheFsObject)object;
        final CacheFsObject parent = (CacheFsObject)object.parent();
        final long parentId = parent == null ? -1 : parent.objectId();
        if (parentId < 0)
        {
            object.lookupError();
            return;
        }
        try
        {
            final byte[] key = object.key();
            final int type = typeCode(object.type());
            ObjectRecord record = store.lookup(parentId, key);
            if (record != null && record.type != type)
            {
                retireAndRelease(record);
                record = null;
            }
            if (record != null)
            {
                switch (object.checkAux(record.aux))
                {
                    case OKAY:
                        break;
                    case NEEDS_UPDATE:
                        store.setAux(record, object.aux());
                        break;
                    case OBSOLETE:
                    default:
                        retireAndRelease(record);
                        record = null;
                        break;
                }
            }
            if (record == null)
            {
                object.lookupNegative();
                // No store limit until the netfs reports a size through attrChanged.
                record = store.create(parentId, key, type, object.aux(), CacheStore.UNLIMITED);
            }
            else if (record.objectSize != CacheStore.UNLIMITED)
            {
                object.setStoreLimit(record.objectSize);
            }
            o.record = record;
            object.obtainedObject();
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            object.lookupError();
        }
    }

    private void retireAndRelease(final ObjectRecord record) throws IOException
    {
        try
        {
            store.retire(record);
        }
        finally
        {
            store.release(record);
        }
    }

    private static int typeCode(final CookieType type)
    {
        return type.code();
    }

    @Override
    public void lookupComplete(final CacheObject object)
    {
        // The lookup keeps no state beyond the record, which lives as long as the object.
    }

    @Override
    public CacheObject grabObject(final CacheObject object)
    {
        final CacheFsObject o = (CacheFsObject)object;
        final CacheContext cache = this.cache;
        if (cache != null && cache.isWithdrawn())
        {
            return null;
        }
        int current;
        do
        {
            current = o.references.get();
            if (current <= 0)
            {
                return null;
            }
        }
        while (!o.references.compareAndSet(current, current + 1));
        return object;
    }

    @Override
    public void putObject(final CacheObject object)
    {
        final CacheFsObject o = (CacheFsObject)object;
        final int left = o.references.decrementAndGet();
        if (left == 0)
        {
            releaseAllPending(o);
            final ObjectRecord record = o.record;
            o.record = null;
            if (record != null && !store.isClosed())
            {
                store.release(record);
            }
            final CacheContext cache = this.cache;
            if (cache != null)
            {
                cache.objectDestroyed();
            }
        }
        else if (left < 0)
        {
            throw new IllegalStateException("put of " + object + " with no reference left");
        }
    }

    @Override
    public void lockObject(final CacheObject object)
    {
        ((CacheFsObject)object).lock.lock();
    }

    @Override
    public void unlockObject(final CacheObject object)
    {
        ((CacheFsObject)object).lock.unlock();
    }

    @Override
    public Result pinObject(final CacheObject object)
    {
        return setPinned(object, true);
    }

    @Override
    public void unpinObject(final CacheObject object)
    {
        setPinned(object, false);
    }

    private Result setPinned(final CacheObject object, final boolean pinned)
    {
        final ObjectRecord record = ((CacheFsObject)object).record;
        if (record == null)
        {
            return Result.NO_BUFS;
        }
        try
        {
            store.setPinned(record, pinned);
            return Result.OK;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.IO_ERROR;
        }
    }

    @Override
    public Result updateObject(final CacheObject object)
    {
        final ObjectRecord record = ((CacheFsObject)object).record;
        if (record == null)
        {
            return Result.NO_BUFS;
        }
        try
        {
            store.setAux(record, object.aux());
            return Result.OK;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.IO_ERROR;
        }
    }

    @Override
    public void dropObject(final CacheObject object)
    {
        final ObjectRecord record = ((CacheFsObject)object).record;
        if (record == null || store.isClosed() || object.state() != ObjectState.RECYCLING)
        {
            return;
        }
        try
        {
            store.retire(record);
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
        }
    }

    @Override
    public void sync()
    {
        if (store.isClosed())
        {
            return;
        }
        try
        {
            store.commit();
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
        }
    }

    @Override
    public void dissociatePages()
    {
        // Reads complete before the operation that started them returns and writes copy nothing out of the page
        // after they return: no page is referenced once the core stops calling.
        final Runnable listener = dissociateListener;
        if (listener != null)
        {
            listener.run();
        }
    }

    private volatile Runnable dissociateListener;

    /**
     * Test seam: runs {@code listener} when the core dissociates pages at withdrawal (a test holding device writes
     * in flight releases them there).
     */
    void dissociateListener(final Runnable listener)
    {
        this.dissociateListener = listener;
    }

    @Override
    public Result attrChanged(final CacheObject object)
    {
        final ObjectRecord record = ((CacheFsObject)object).record;
        if (record == null)
        {
            return Result.NO_BUFS;
        }
        try
        {
            store.setSize(record, object.objectSize());
            object.setStoreLimit(object.objectSize());
            return Result.OK;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.IO_ERROR;
        }
    }

    @Override
    public Result reserveSpace(final CacheObject object, final long size)
    {
        final ObjectRecord record = ((CacheFsObject)object).record;
        if (record == null)
        {
            return Result.NO_BUFS;
        }
        try
        {
            return store.reserve(record, size) ? Result.OK : Result.NO_SPACE;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.IO_ERROR;
        }
    }

    @Override
    public Result readOrAllocPage(final Retrieval op, final CachePage page)
    {
        final ObjectRecord record = ((CacheFsObject)op.object()).record;
        if (record == null)
        {
            return Result.NO_BUFS;
        }
        try
        {
            final int outcome = readPage(record, page);
            if (outcome == CacheStore.READ_HIT)
            {
                op.markPagesCached(page);
                op.endIo(page, Result.OK);
                return Result.OK;
            }
            return allocate(op, record, page) ? Result.NO_DATA : Result.NO_BUFS;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.NO_BUFS;
        }
    }

    /**
     * Copies the range from the RAM tier, up to the first page it does not hold; nothing is read from the device.
     */
    @Override
    public int readResident(
        final CacheObject object, final long position, final ByteBuffer dst, final int offset, final int length)
    {
        final ObjectRecord record = ((CacheFsObject)object).record;
        return record == null ? 0 : store.readResident(record, position, dst, offset, length);
    }

    /**
     * Reads a page into bytes [0, page size) of its buffer, leaving the buffer's position and limit as they were
     * (no view of the buffer is allocated).
     */
    private int readPage(final ObjectRecord record, final CachePage page) throws IOException
    {
        final ByteBuffer buffer = page.buffer();
        final int position = buffer.position();
        final int limit = buffer.limit();
        try
        {
            buffer.limit(pageSize).position(0);
            return store.read(record, page.index(), buffer);
        }
        finally
        {
            buffer.limit(limit).position(position);
        }
    }

    /**
     * Copies a page from the RAM tier into bytes [0, page size) of its buffer, if the tier holds it, leaving the
     * buffer's position and limit as they were.
     */
    private boolean readFromRam(final ObjectRecord record, final CachePage page)
    {
        final ByteBuffer buffer = page.buffer();
        final int position = buffer.position();
        final int limit = buffer.limit();
        try
        {
            buffer.limit(pageSize).position(0);
            return store.readFromRam(record, page.index(), buffer);
        }
        finally
        {
            buffer.limit(limit).position(position);
        }
    }

    /**
     * @return how many pages from {@code pages[from]} are consecutive pages of the object cut one after another from
     * one buffer ({@link CachePage#slicesOf}) within its limit: at least 1.
     */
    private int wholeRun(final List<CachePage> pages, final int from, final int count)
    {
        final CachePage first = pages.get(from);
        final ByteBuffer whole = first.wholeBuffer();
        if (null == whole)
        {
            return 1;
        }
        final int offset = first.offsetInWholeBuffer();
        int run = 1;
        while (from + run < count)
        {
            final CachePage page = pages.get(from + run);
            if (page.wholeBuffer() != whole || page.index() != first.index() + run ||
                page.offsetInWholeBuffer() != offset + run * pageSize ||
                offset + (run + 1) * pageSize > whole.limit())
            {
                break;
            }
            run++;
        }
        return offset + pageSize > whole.limit() ? 1 : run;
    }

    /**
     * Copies the run of pages starting at {@code first} from the RAM tier into the buffer they were cut from, up to
     * the first page the tier does not hold.
     *
     * @return the pages copied.
     */
    private int residentRun(final ObjectRecord record, final CachePage first, final int run)
    {
        return store.readResident(record, first.index() * pageSize, first.wholeBuffer(), first.offsetInWholeBuffer(),
            run * pageSize) / pageSize;
    }

    @Override
    public Result readOrAllocPages(final Retrieval op, final List<CachePage> pages)
    {
        final ObjectRecord record = ((CacheFsObject)op.object()).record;
        if (record == null)
        {
            return Result.NO_BUFS;
        }
        final long startNanos = System.nanoTime();
        final int count = pages.size();
        final Scratch scratch = SCRATCH.get().ensure(count);
        final long[] indexes = scratch.indexes;
        final long[] pointers = scratch.pointers;
        final int[] crcs = scratch.crcs;
        final long[] tickets = scratch.tickets;
        final boolean[] hit = scratch.hit;
        try
        {
            int misses = 0;
            for (int i = 0; i < count; )
            {
                // Consecutive pages cut from one buffer are copied from the RAM tier together, into that buffer.
                final int run = wholeRun(pages, i, count);
                int copied = run > 1 ? residentRun(record, pages.get(i), run) : 0;
                for (int end = i + run; i < end; i++)
                {
                    final CachePage page = pages.get(i);
                    indexes[i] = page.index();
                    hit[i] = copied-- > 0 || readFromRam(record, page);
                    misses += hit[i] ? 0 : 1;
                }
            }
            if (misses > 0)
            {
                store.lookupPages(record, indexes, count, pointers, crcs, tickets);
            }
            for (int i = 0; i < count; i++)
            {
                if (hit[i])
                {
                    // Served from the RAM tier: not read again.
                    pointers[i] = BlockPointer.NULL;
                }
            }
            int start = 0;
            while (start < count)
            {
                if (pointers[start] == BlockPointer.NULL)
                {
                    start++;
                    continue;
                }
                int end = start + 1;
                while (end < count && end - start < MAX_MERGED_BLOCKS && pointers[end] != BlockPointer.NULL &&
                    BlockPointer.block(pointers[end]) == BlockPointer.block(pointers[end - 1]) + 1)
                {
                    end++;
                }
                readRun(record, pages, indexes, pointers, crcs, tickets, hit, start, end);
                start = end;
            }
            boolean noBufs = false;
            boolean noData = false;
            // Pages read are dispatched and leave the list; the others stay, in order.
            int kept = 0;
            for (int i = 0; i < count; i++)
            {
                final CachePage page = pages.get(i);
                if (hit[i])
                {
                    op.markPagesCached(page);
                    op.endIo(page, Result.OK);
                    continue;
                }
                if (allocate(op, record, page))
                {
                    noData = true;
                }
                else
                {
                    noBufs = true;
                }
                pages.set(kept++, page);
            }
            for (int i = count - 1; i >= kept; i--)
            {
                pages.remove(i);
            }
            // Of the pages the RAM tier did not serve, those not left in the list were read from the device.
            store.timePageReads(startNanos, count, misses - kept, kept);
            return noBufs ? Result.NO_BUFS : noData ? Result.NO_DATA : Result.OK;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.NO_BUFS;
        }
    }

    /** Per-thread arrays of a multi-page read or write, grown to the largest page list seen. */
    private static final class Scratch
    {
        long[] indexes = new long[MAX_MERGED_BLOCKS];
        long[] pointers = new long[MAX_MERGED_BLOCKS];
        int[] crcs = new int[MAX_MERGED_BLOCKS];
        long[] tickets = new long[MAX_MERGED_BLOCKS];
        boolean[] hit = new boolean[MAX_MERGED_BLOCKS];
        ByteBuffer[] buffers = new ByteBuffer[MAX_MERGED_BLOCKS];

        Scratch ensure(final int count)
        {
            if (count > indexes.length)
            {
                indexes = new long[count];
                pointers = new long[count];
                crcs = new int[count];
                tickets = new long[count];
                hit = new boolean[count];
                buffers = new ByteBuffer[count];
            }
            java.util.Arrays.fill(hit, 0, count, false);
            return this;
        }
    }

    private static final ThreadLocal<Scratch> SCRATCH = ThreadLocal.withInitial(Scratch::new);

    /**
     * Reads pages {@code [start, end)}, whose blocks are consecutive, in one I/O, and checks each.
     */
    private void readRun(
        final ObjectRecord record,
        final List<CachePage> pages,
        final long[] indexes,
        final long[] pointers,
        final int[] crcs,
        final long[] tickets,
        final boolean[] hit,
        final int start,
        final int end) throws IOException
    {
        if (end - start == 1)
        {
            // Straight into the page, its position and limit kept as they were: no view of the buffer is made.
            final ByteBuffer buffer = pages.get(start).buffer();
            final int position = buffer.position();
            final int limit = buffer.limit();
            try
            {
                buffer.limit(pageSize).position(0);
                hit[start] = store.readAt(record, indexes[start], pointers[start], crcs[start], tickets[start],
                    buffer) == CacheStore.READ_HIT;
            }
            finally
            {
                buffer.limit(limit).position(position);
            }
            return;
        }
        if (intoWholeBuffer(record, pages, indexes, pointers, crcs, tickets, hit, start, end))
        {
            return;
        }
        final ByteBuffer run = runBuffers.acquire();
        try
        {
            run.limit((end - start) * pageSize);
            store.device().read(BlockPointer.block(pointers[start]) * pageSize, run);
            for (int i = start; i < end; i++)
            {
                final int offset = (i - start) * pageSize;
                run.limit(offset + pageSize).position(offset);
                if (store.verify(record, indexes[i], pointers[i], crcs[i], tickets[i], run))
                {
                    pages.get(i).buffer().put(0, run, offset, pageSize);
                    hit[i] = true;
                }
            }
        }
        finally
        {
            runBuffers.release(run);
        }
    }

    /**
     * Reads pages {@code [start, end)} straight into the buffer they were cut from, when they follow each other in
     * it ({@link CachePage#slicesOf}) and it is aligned for the device: one I/O and no copy.
     *
     * @return false if the pages are not laid out so; nothing was read then.
     */
    private boolean intoWholeBuffer(
        final ObjectRecord record,
        final List<CachePage> pages,
        final long[] indexes,
        final long[] pointers,
        final int[] crcs,
        final long[] tickets,
        final boolean[] hit,
        final int start,
        final int end) throws IOException
    {
        final CachePage first = pages.get(start);
        final ByteBuffer whole = first.wholeBuffer();
        final int offset = first.offsetInWholeBuffer();
        if (null == whole || !whole.isDirect() || whole.alignmentOffset(offset, store.sectorSize()) != 0)
        {
            return false;
        }
        for (int i = start + 1; i < end; i++)
        {
            final CachePage page = pages.get(i);
            if (page.wholeBuffer() != whole || page.offsetInWholeBuffer() != offset + (i - start) * pageSize)
            {
                return false;
            }
        }
        final int position = whole.position();
        final int limit = whole.limit();
        try
        {
            whole.limit(offset + (end - start) * pageSize).position(offset);
            store.device().read(BlockPointer.block(pointers[start]) * pageSize, whole);
            for (int i = start; i < end; i++)
            {
                final int at = offset + (i - start) * pageSize;
                whole.limit(at + pageSize).position(at);
                hit[i] = store.verify(record, indexes[i], pointers[i], crcs[i], tickets[i], whole);
            }
        }
        finally
        {
            whole.limit(limit).position(position);
        }
        return true;
    }

    /**
     * Tracks a page that will be fetched from the server: marks it if the cache could store it.
     */
    private boolean allocate(final Retrieval op, final ObjectRecord record, final CachePage page) throws IOException
    {
        final CacheFsObject object = (CacheFsObject)op.object();
        final boolean pending;
        synchronized (object.pendingPages)
        {
            pending = object.pendingPages.contains(page.index());
        }
        // The store's lock is taken without the set's, so that the pool thread writing the object's pages does not
        // wait for this thread to get it.
        if (!pending)
        {
            if (!store.reservePage(record, page.index()))
            {
                return false;
            }
            final boolean added;
            synchronized (object.pendingPages)
            {
                added = object.pendingPages.add(page.index());
            }
            if (!added)
            {
                // Allocated twice at once: one block set aside is enough.
                store.releasePages(1);
            }
        }
        op.markPagesCached(page);
        return true;
    }

    /**
     * @return true if the page had a block set aside, which the caller now gives back.
     */
    private static boolean takePending(final CacheFsObject object, final long pageIndex)
    {
        synchronized (object.pendingPages)
        {
            return object.pendingPages.remove(pageIndex);
        }
    }

    private void releaseAllPending(final CacheFsObject object)
    {
        final int pending;
        synchronized (object.pendingPages)
        {
            pending = object.pendingPages.size();
            object.pendingPages.clear();
        }
        if (pending > 0 && !store.isClosed())
        {
            store.releasePages(pending);
        }
    }

    @Override
    public Result allocatePage(final Retrieval op, final CachePage page)
    {
        final ObjectRecord record = ((CacheFsObject)op.object()).record;
        if (record == null)
        {
            return Result.NO_BUFS;
        }
        try
        {
            return allocate(op, record, page) ? Result.OK : Result.NO_BUFS;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.NO_BUFS;
        }
    }

    @Override
    public Result allocatePages(final Retrieval op, final List<CachePage> pages)
    {
        final ObjectRecord record = ((CacheFsObject)op.object()).record;
        if (record == null)
        {
            return Result.NO_BUFS;
        }
        try
        {
            boolean noBufs = false;
            for (final CachePage page : pages)
            {
                noBufs |= !allocate(op, record, page);
            }
            return noBufs ? Result.NO_BUFS : Result.OK;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.NO_BUFS;
        }
    }

    @Override
    public Result writePage(final Storage op, final CachePage page)
    {
        final Scratch scratch = SCRATCH.get().ensure(1);
        scratch.indexes[0] = page.index();
        scratch.buffers[0] = page.buffer();
        return store((CacheFsObject)op.object(), scratch, 1);
    }

    /**
     * Stores the pages with one store call, which takes the store's lock once for several pages.
     */
    @Override
    public Result writePages(final Storage op, final List<CachePage> pages)
    {
        final int count = pages.size();
        final Scratch scratch = SCRATCH.get().ensure(count);
        for (int i = 0; i < count; i++)
        {
            scratch.indexes[i] = pages.get(i).index();
            scratch.buffers[i] = pages.get(i).buffer();
        }
        return store((CacheFsObject)op.object(), scratch, count);
    }

    /**
     * Stores the pages in {@code scratch.indexes} and {@code scratch.buffers} {@code [0, count)}, giving back the
     * blocks set aside for them. A refused write (no room, past the size) stores nothing and forgets the old page:
     * the next read is a miss, which the operation allows.
     */
    private Result store(final CacheFsObject object, final Scratch scratch, final int count)
    {
        try
        {
            final ObjectRecord record = object.record;
            if (record == null)
            {
                return Result.NO_BUFS;
            }
            int reserved = 0;
            synchronized (object.pendingPages)
            {
                for (int i = 0; i < count; i++)
                {
                    if (object.pendingPages.remove(scratch.indexes[i]))
                    {
                        reserved++;
                    }
                }
            }
            store.writePages(record, scratch.indexes, scratch.buffers, count, reserved);
            return Result.OK;
        }
        catch (final IOException | CacheFsException ex)
        {
            failed(ex);
            return Result.IO_ERROR;
        }
        finally
        {
            java.util.Arrays.fill(scratch.buffers, 0, count, null);
        }
    }

    @Override
    public void uncachePage(final CacheObject object, final CachePage page)
    {
        // A page allocated but never written gives its block back and never appears.
        if (takePending((CacheFsObject)object, page.index()) && !store.isClosed())
        {
            store.releasePages(1);
        }
    }

    /**
     * Unmounts: commits every change with the clean flag and releases the device. Withdraw the cache from its
     * FS-Cache first; operations after this report an I/O error.
     */
    @Override
    public void close() throws IOException
    {
        store.close();
    }

    private void failed(final Exception ex)
    {
        if (store.failure() == null)
        {
            LOG.log(System.Logger.Level.ERROR, "cachefs " + store.device().name() + ": withdrawing after " +
                ex.getMessage());
        }
        store.fail(ex);
        final CacheContext cache = this.cache;
        if (cache != null)
        {
            cache.ioError();
        }
    }
}
