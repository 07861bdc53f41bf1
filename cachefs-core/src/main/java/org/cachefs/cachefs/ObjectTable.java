package org.cachefs.cachefs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.agrona.collections.LongHashSet;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.device.BlockDevice;

/**
 * The object lifecycle of a mount: lookup and creation in the index tree, uses, aux and size changes, pinning,
 * discarding an object's pages and retiring an object with its descendants.
 * <p>
 * Threading: each call takes the store lock (exclusively) for its whole work, from any thread.
 */
final class ObjectTable
{
    private final StoreState state;
    private final AccessClock clock;
    private final LiveObjects live;
    private final WriteRuns runs;
    private final StoreSpace space;
    private final PageDrops drops;
    private final BlockDevice device;
    private final StoreLock lock;
    private final IndexTree index;
    private final PageMaps pageMaps;
    /** The RAM tier, or null if it is off. */
    private final RamTier ram;

    ObjectTable(
        final StoreState state, final AccessClock clock, final LiveObjects live, final WriteRuns runs,
        final StoreSpace space, final PageDrops drops)
    {
        this.state = state;
        this.clock = clock;
        this.live = live;
        this.runs = runs;
        this.space = space;
        this.drops = drops;
        this.device = state.device;
        this.lock = state.lock;
        this.index = state.index;
        this.pageMaps = state.pageMaps;
        this.ram = state.ram;
    }

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
            state.checkOpen();
            ObjectRecord record = live.byKey(parentId, key);
            if (record == null)
            {
                record = index.find(parentId, key);
                if (record == null)
                {
                    return null;
                }
                record = live.resolve(record);
                live.makeLive(record);
            }
            record.users++;
            record.accessTime = clock.nextAccessTime();
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
            state.checkOpen();
            final ObjectRecord record = new ObjectRecord(parentId, key.clone(), state.nextObjectId++);
            record.type = type;
            record.aux = aux.clone();
            record.objectSize = size;
            record.accessTime = clock.nextAccessTime();
            index.put(record);
            state.objectCount++;
            live.makeLive(record);
            record.users++;
            live.markDirty(record);
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
                live.markDirty(record);
            }
            live.dropIfIdle(record);
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
            state.checkOpen();
            record.aux = aux.clone();
            live.markDirty(record);
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
            state.checkOpen();
            runs.settle(record);
            final long unusedBefore = space.unusedReservation(record);
            record.objectSize = size;
            final long firstDropped = state.pagesFor(size);
            final List<Long> dropped = new ArrayList<>();
            try
            {
                pageMaps.forEachPage(record, firstDropped, (pageIndex, pointer, crc) -> dropped.add(pageIndex));
                for (final long pageIndex : dropped)
                {
                    if (ram != null)
                    {
                        ram.invalidatePage(record, pageIndex);
                    }
                    final long previous = pageMaps.remove(record, pageIndex);
                    state.pageCount--;
                    drops.freeData(record, pageIndex, previous);
                }
            }
            catch (final CorruptCacheException ex)
            {
                // The pages removed so far are accounted for here, the rest by the drop.
                space.reservationChanged(record, unusedBefore);
                drops.dropCorruptPageMap(record, ex);
                return;
            }
            space.reservationChanged(record, unusedBefore);
            live.markDirty(record);
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
            state.checkOpen();
            record.flags = pinned ? record.flags | org.cachefs.format.IndexNode.FLAG_PINNED :
                record.flags & ~org.cachefs.format.IndexNode.FLAG_PINNED;
            live.markDirty(record);
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
            state.checkOpen();
            retireLocked(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Under the lock: removes the object, all its descendants and all their pages.
     */
    void retireLocked(final ObjectRecord record) throws IOException
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
            retireLocked(live.resolve(child), ancestors);
        }
        ancestors.remove(record.objectId);
        discardLocked(record);
        space.reservationRetired(record);
        index.remove(record.parentId, record.key);
        state.objectCount--;
        record.retired = true;
        record.dirty = false;
        live.remove(record);
        state.changed = true;
    }

    /**
     * Drops all pages of the object (coherency said its data is obsolete).
     */
    void discard(final ObjectRecord record) throws IOException
    {
        lock.lock();
        try
        {
            state.checkOpen();
            discardLocked(record);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void discardLocked(final ObjectRecord record) throws IOException
    {
        runs.dropRun(record);
        final long unusedBefore = space.unusedReservation(record);
        final long pages = record.pageCount;
        try
        {
            RamTier.invalidateObject(record);
            pageMaps.freeAll(record, (pageIndex, pointer, crc) -> drops.freeData(record, pageIndex, pointer));
            state.pageCount -= pages;
            space.reservationChanged(record, unusedBefore);
            live.markDirty(record);
        }
        catch (final CorruptCacheException ex)
        {
            // The map is dropped with what it still holds: nothing more of it is freed.
            drops.dropCorruptPageMap(record, ex);
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
            state.checkOpen();
            final List<ObjectRecord> children = index.children(parentId);
            children.replaceAll(live::resolve);
            return children;
        }
        finally
        {
            lock.unlock();
        }
    }
}
