package org.cachefs.cachefs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.PriorityQueue;
import java.util.concurrent.RejectedExecutionException;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.atomic.AtomicBoolean;

import org.agrona.collections.LongHashSet;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.RegionLayout;

/**
 * Culling of a mount: when free space falls below {@code bcull}, retires the least recently used objects that are
 * neither in use nor pinned nor parents, and drops the least recently used page ranges of objects larger than
 * their share, until free space reaches {@code brun}, committing after each batch; tracks page-range access times.
 * <p>
 * Threading: culls run under the store lock (held exclusively), from a caller or on the store's background
 * thread; {@link #scheduleCull} may be called by any thread.
 */
final class Culler
{
    /** Objects culled between commits at most. */
    private static final int CULL_BATCH = 64;

    /** Most page ranges whose access times a large object keeps in memory. */
    private static final int MAX_TRACKED_RANGES = 1 << 20;

    private final StoreState state;
    private final AccessClock clock;
    private final LiveObjects live;
    private final StoreSpace space;
    private final Committer commits;
    private final PageDrops drops;
    private final ObjectTable objects;
    private final MountOptions options;
    private final RegionLayout layout;
    private final StoreLock lock;
    private final BlockAllocator allocator;
    private final IndexTree index;
    private final PageMaps pageMaps;
    private final StoreStats stats;
    private final StoreLatencies latencies;
    private final long rangePages;
    /** Whether a background cull is queued and not started yet. */
    private final AtomicBoolean cullScheduled = new AtomicBoolean();

    Culler(
        final StoreState state, final AccessClock clock, final LiveObjects live, final StoreSpace space,
        final Committer commits, final PageDrops drops, final ObjectTable objects)
    {
        this.state = state;
        this.clock = clock;
        this.live = live;
        this.space = space;
        this.commits = commits;
        this.drops = drops;
        this.objects = objects;
        this.options = state.options;
        this.layout = state.layout;
        this.lock = state.lock;
        this.allocator = state.allocator;
        this.index = state.index;
        this.pageMaps = state.pageMaps;
        this.stats = state.stats;
        this.latencies = state.latencies;
        this.rangePages = state.rangePages;
    }

    /**
     * @return true if free space is below {@code bcull}.
     */
    boolean needsCulling()
    {
        lock.lock();
        try
        {
            return !state.closed && space.freePercent() < space.thresholds().bcull();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * If free space is below {@code bcull}, culls the least recently used objects that are neither in use nor
     * pinned nor parents of other objects, until free space is at or above {@code brun} or nothing more can be culled,
     * committing after each batch so that their blocks become free. A pass that starts is counted and timed, from the
     * check of {@code bcull} to its end.
     *
     * @return the number of objects culled.
     */
    int cull() throws IOException
    {
        lock.lock();
        try
        {
            final long start = System.nanoTime();
            if (state.closed || state.failure() != null || space.freePercent() >= space.thresholds().bcull())
            {
                return 0;
            }
            stats.cullRuns.increment();
            int culled = 0;
            while (space.freePercent() < space.thresholds().brun())
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
                        objects.retireLocked(victim);
                        stats.objectsCulled.increment();
                        stats.pagesCulled.add(pages);
                        culled++;
                    }
                    stats.blocksCulled.add(allocator.freeBlocks() + allocator.pendingFree() - before);
                    if (space.freePercent() >= space.thresholds().brun())
                    {
                        break;
                    }
                }
                commits.commitLocked(false);
                if (allocator.freeBlocks() <= freeBefore && culled == 0)
                {
                    break;
                }
            }
            space.belowStop();
            latencies.cull(start);
            return culled;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Under the lock: notes an access to the page range holding {@code pageIndex} (a write), for the culling of
     * large objects by range.
     */
    void touchRange(final ObjectRecord record, final long pageIndex)
    {
        final long range = pageIndex / rangePages;
        if (range >= MAX_TRACKED_RANGES)
        {
            return;
        }
        long[] ranges = record.rangeAccess;
        if (ranges == null || range >= ranges.length)
        {
            ranges = Arrays.copyOf(ranges == null ? new long[0] : ranges,
                (int)Math.min(MAX_TRACKED_RANGES, Math.max(range + 1, ranges == null ? 4 : 2L * ranges.length)));
            record.rangeAccess = ranges;
        }
        ranges[(int)range] = clock.nextAccessTime();
    }

    /**
     * Drops the least recently used page ranges of a large object until free space reaches {@code brun} or the
     * object is within its share; ranges with no access recorded in this mount go first, in page order.
     *
     * @return pages dropped.
     */
    private long cullRanges(final ObjectRecord record, final long limitPages) throws IOException
    {
        final LongHashSet present = new LongHashSet();
        try
        {
            pageMaps.forEachPage(record, 0, (pageIndex, pointer, crc) -> present.add(pageIndex / rangePages));
        }
        catch (final CorruptCacheException ex)
        {
            final long pages = record.pageCount;
            drops.dropCorruptPageMap(record, ex);
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
        Arrays.sort(order, (a, b) ->
        {
            final long accessA = access != null && a < access.length ? access[(int)(long)a] : 0;
            final long accessB = access != null && b < access.length ? access[(int)(long)b] : 0;
            return accessA != accessB ? Long.compare(accessA, accessB) : Long.compare(a, b);
        });
        long dropped = 0;
        for (final Long range : order)
        {
            if (space.freePercent() >= space.thresholds().brun() || record.pageCount <= limitPages)
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
                drops.dropCorruptPageMap(record, ex);
                break;
            }
            for (final long pageIndex : pages)
            {
                drops.removePageLocked(record, pageIndex);
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
        final PriorityQueue<ObjectRecord> oldest = new PriorityQueue<>(max + 1,
            (a, b) -> Long.compare(b.accessTime, a.accessTime));
        index.forEach(found ->
        {
            final ObjectRecord record = live.resolve(found);
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
                throw new UncheckedIOException(ex);
            }
        });
        return victims;
    }

    /**
     * Queues a cull on the store's background thread unless one is queued already or the options say no (any
     * thread).
     */
    void scheduleCull()
    {
        final ScheduledExecutorService background = commits.background();
        if (background == null || !options.backgroundCulling() || !cullScheduled.compareAndSet(false, true))
        {
            return;
        }
        try
        {
            background.execute(() ->
            {
                cullScheduled.set(false);
                try
                {
                    cull();
                }
                catch (final IOException | RuntimeException ex)
                {
                    stats.commitFailures.increment();
                    state.failed(ex);
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            cullScheduled.set(false);
        }
    }
}
