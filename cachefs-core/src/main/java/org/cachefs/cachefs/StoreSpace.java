package org.cachefs.cachefs;

import java.io.IOException;
import java.util.Objects;
import java.util.concurrent.atomic.AtomicLong;

import org.cachefs.format.PageMapNode;
import org.cachefs.format.RegionLayout;

/**
 * Space accounting of a mount: object reservations, blocks set aside for pages the netfs will write, the
 * commit reserve, the culling thresholds and the time spent below {@code bstop}; decides whether one more page fits,
 * committing to release freed blocks or asking the culler when space is short.
 * <p>
 * Threading: reservation figures and the {@code bstop} clock are guarded by the store lock; blocks set aside
 * ({@link #pendingPages}) are raised under the lock, shared (by compare-and-set) or exclusive, and lowered by any
 * thread; the thresholds are read by any thread.
 */
final class StoreSpace
{
    private final StoreState state;
    private final LiveObjects live;
    private Committer commits;
    private Culler culler;
    private final RegionLayout layout;
    private final int blockSize;
    private final StoreLock lock;
    private final BlockAllocator allocator;
    private final MetadataIo io;
    private final StoreStats stats;

    /**
     * Blocks a reservation sets aside beyond its pages and their page-map leaves: page-map branches and the index
     * path its entry rewrites.
     */
    private static final int RESERVATION_OVERHEAD_BLOCKS = 4;

    /** Blocks reserved for objects and not used by their pages yet; in the commit record. */
    private long reservedBlocks;

    /**
     * Pages allocated for the netfs (read or alloc of an absent page) and not yet written or uncached. Raised under
     * the lock, shared ({@link #reservePage}, by compare-and-set) or exclusive; lowered with or without it (giving a
     * block back only makes room).
     */
    private final AtomicLong pendingPages = new AtomicLong();

    private volatile CullingThresholds thresholds;
    private long belowStopSince = -1;
    private long nanosBelowStop;

    StoreSpace(final StoreState state, final long reservedBlocks, final LiveObjects live)
    {
        this.state = state;
        this.reservedBlocks = reservedBlocks;
        this.live = live;
        this.thresholds = state.options.thresholds();
        this.layout = state.layout;
        this.blockSize = state.blockSize;
        this.lock = state.lock;
        this.allocator = state.allocator;
        this.io = state.io;
        this.stats = state.stats;
    }

    /**
     * Connects the rooms that space pressure calls on, once, before the store is used: the committer, whose commits
     * release freed blocks, and the culler.
     */
    void bind(final Committer commits, final Culler culler)
    {
        this.commits = commits;
        this.culler = culler;
    }

    /**
     * @return blocks reserved for objects and not used by their pages yet.
     */
    long reservedBlocks()
    {
        return reservedBlocks;
    }

    /**
     * Under the lock: accounts for a change of the object's pages or reservation since its unused reservation was
     * {@code unusedBefore}.
     */
    void reservationChanged(final ObjectRecord record, final long unusedBefore)
    {
        reservedBlocks += unusedReservation(record) - unusedBefore;
    }

    /**
     * Under the lock: gives back the unused reservation of an object being retired.
     */
    void reservationRetired(final ObjectRecord record)
    {
        reservedBlocks -= unusedReservation(record);
    }

    /**
     * @return blocks set aside by {@link #reservePage} for pages not yet written or uncached.
     */
    long pendingPages()
    {
        return pendingPages.get();
    }

    /**
     * @return the culling limits in force.
     */
    CullingThresholds thresholds()
    {
        return thresholds;
    }

    /**
     * Changes the culling limits of the mounted cache.
     */
    void thresholds(final CullingThresholds thresholds)
    {
        this.thresholds = Objects.requireNonNull(thresholds, "thresholds");
        if (culler.needsCulling())
        {
            culler.scheduleCull();
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
     * Reserves space for up to {@code bytes} of the object's data; 0 cancels.
     *
     * @return false if the space cannot be guaranteed.
     */
    boolean reserve(final ObjectRecord record, final long bytes) throws IOException
    {
        lock.lock();
        try
        {
            state.checkOpen();
            final long unusedBefore = unusedReservation(record);
            final long unusedAfter = Math.max(0, reservationBlocks(state.pagesFor(bytes)) -
                reservationBlocks(record.pageCount));
            final long more = unusedAfter - unusedBefore;
            if (more > 0 && !ensureFree(more, 0))
            {
                return false;
            }
            record.reservedBytes = bytes;
            reservedBlocks += more;
            live.markDirty(record);
            return true;
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
            state.checkOpen();
            if (!state.withinObject(record, pageIndex))
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
     * @return true if a page at {@code pageIndex} may be stored now: within the object's size and with space for it.
     */
    boolean canStore(final ObjectRecord record, final long pageIndex) throws IOException
    {
        lock.lock();
        try
        {
            state.checkOpen();
            return state.withinObject(record, pageIndex) && roomFor(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Gives back {@code pages} blocks set aside by {@link #reservePage} for pages never written.
     */
    void releasePages(final long pages)
    {
        pendingPages.addAndGet(-pages);
    }

    /**
     * @return true if one more page of the object fits now: below {@code bstop} only within the object's own
     * reservation; otherwise if the free blocks, less what others reserved, what is set aside and the commit
     * reserve, leave one, committing first if that releases freed blocks.
     */
    boolean roomFor(final ObjectRecord record) throws IOException
    {
        final long ownReservation = unusedReservation(record);
        if (ownReservation == 0 && belowStop())
        {
            stats.refusedBelowStop.increment();
            culler.scheduleCull();
            return false;
        }
        return roomBeyond(ownReservation) >= 1 || ensureFree(1, ownReservation);
    }

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

    /**
     * Under the lock: whether free space is below {@code bstop}, keeping the time spent below it.
     */
    boolean belowStop()
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
            commits.commitLocked(false);
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

    /**
     * @return blocks kept for the next commit's metadata.
     */
    private long commitReserve()
    {
        return io.dirtyNodes() + CacheStore.COMMIT_SLACK_BLOCKS;
    }

    /**
     * @return the part of the object's reservation its pages do not use yet.
     */
    long unusedReservation(final ObjectRecord record)
    {
        return Math.max(0, reservationBlocks(state.pagesFor(record.reservedBytes)) -
            reservationBlocks(record.pageCount));
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
        final long leafEntries = PageMapNode.fanout(blockSize);
        return pages + (pages + leafEntries - 1) / leafEntries + RESERVATION_OVERHEAD_BLOCKS;
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
}
