package org.cachefs.cachefs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.device.BlockDevice;

/**
 * Forgets pages: removal and uncache, the quarantine of a page whose block did not hold its data, and the drop
 * of a page map found corrupt (its blocks stay allocated until fsck), with the corruption errors kept for
 * inspection.
 * <p>
 * Threading: under the store lock (held exclusively); {@link #dropIfStill} and {@link #removePage} take it.
 */
final class PageDrops
{
    /** Corruption errors kept for {@link #corruptions()}. */
    static final int MAX_KEPT_CORRUPTIONS = 16;

    private static final System.Logger LOG = System.getLogger(CacheStore.class.getName());

    private final StoreState state;
    private final LiveObjects live;
    private final WriteRuns runs;
    private final StoreSpace space;
    private final BlockDevice device;
    private final StoreLock lock;
    private final BlockAllocator allocator;
    private final PageMaps pageMaps;
    /** The RAM tier, or null if it is off. */
    private final RamTier ram;
    private final StoreStats stats;

    /** The first corruption errors the store recovered from; guarded by the lock. */
    private final List<CorruptCacheException> corruptions = new ArrayList<>();

    PageDrops(final StoreState state, final LiveObjects live, final WriteRuns runs, final StoreSpace space)
    {
        this.state = state;
        this.live = live;
        this.runs = runs;
        this.space = space;
        this.device = state.device;
        this.lock = state.lock;
        this.allocator = state.allocator;
        this.pageMaps = state.pageMaps;
        this.ram = state.ram;
        this.stats = state.stats;
    }

    /**
     * Frees the data block of page {@code pageIndex} of the object, which its page map has just let go of, unless
     * the block cannot be that page's: a block the bitmap marks free, or freed already since the last commit (the
     * page shared it with another reference, which freed it), or a block holding a node. Such a block is left as
     * it is.
     *
     * @throws CorruptCacheException naming the block, the page and the object, if the block cannot be the page's.
     */
    void freeData(final ObjectRecord record, final long pageIndex, final long pointer)
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
    long lookupPage(final ObjectRecord record, final long pageIndex) throws IOException
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
    void dropIfStill(final ObjectRecord record, final long pageIndex, final long pointer) throws IOException
    {
        lock.lock();
        try
        {
            if (!state.closed && state.failure() == null && !record.retired &&
                lookupPage(record, pageIndex) == pointer)
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
        final long unusedBefore = space.unusedReservation(record);
        try
        {
            if (ram != null)
            {
                ram.invalidatePage(record, pageIndex);
            }
            if (pageMaps.remove(record, pageIndex) != BlockPointer.NULL)
            {
                state.pageCount--;
                space.reservationChanged(record, unusedBefore);
                live.markDirty(record);
                stats.quarantinedPages.increment();
            }
        }
        catch (final CorruptCacheException ex)
        {
            dropCorruptPageMap(record, ex);
        }
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

    /**
     * The object's page map cannot be trusted (a node failed validation, or a page pointed at a block that cannot be
     * its own): every page of it is forgotten and none of its blocks is freed (data and nodes alike stay allocated,
     * since some may be other owners'; fsck reclaims those nothing refers to). The object stays, with no pages: the
     * netfs gets misses and may store its pages again. The error is counted and logged once; nothing else is
     * stopped. Called under the lock.
     */
    void dropCorruptPageMap(final ObjectRecord record, final CorruptCacheException cause)
    {
        runs.dropRun(record);
        final long unusedBefore = space.unusedReservation(record);
        final long pages = record.pageCount;
        state.pageCount -= pages;
        RamTier.invalidateObject(record);
        pageMaps.forget(record);
        space.reservationChanged(record, unusedBefore);
        live.markDirty(record);
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
     * Forgets a page (nothing is written to the device until the next commit).
     */
    void removePage(final ObjectRecord record, final long pageIndex) throws IOException
    {
        lock.lock();
        try
        {
            state.checkOpen();
            removePageLocked(record, pageIndex);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Under the lock: forgets a page of a live object, first putting its pages still in write runs on the device.
     */
    void removePageLocked(final ObjectRecord record, final long pageIndex) throws IOException
    {
        if (record.retired)
        {
            return;
        }
        runs.settle(record);
        final long unusedBefore = space.unusedReservation(record);
        try
        {
            if (ram != null)
            {
                ram.invalidatePage(record, pageIndex);
            }
            final long previous = pageMaps.remove(record, pageIndex);
            if (previous != BlockPointer.NULL)
            {
                state.pageCount--;
                space.reservationChanged(record, unusedBefore);
                live.markDirty(record);
                freeData(record, pageIndex, previous);
            }
        }
        catch (final CorruptCacheException ex)
        {
            dropCorruptPageMap(record, ex);
        }
    }
}
