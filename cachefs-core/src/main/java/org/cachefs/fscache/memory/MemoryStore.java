package org.cachefs.fscache.memory;

import org.agrona.collections.LongHashSet;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.Retrieval;

import java.util.ArrayList;
import java.util.Iterator;

/**
 * The in-memory store of a {@link MemoryCacheBackend}: the tree of entries by key under the master index's root,
 * each entry's pages and blocks, the capacity accounting (a page of capacity per block, or per reserved page when
 * the reservation is larger), culling of unused, unpinned data objects least recently used first when space is
 * needed, and whether the backend is dissociated from a cache (no page is then allocated, stored or read).
 * <p>
 * Threading: every method is called with the backend's lock held, except {@link #dissociated()}, a volatile read
 * from any thread. The page data arrays are immutable once stored.
 */
final class MemoryStore
{
    private final long capacityPages;
    private final long pinLimitPages;
    private final MemoryEntry root = new MemoryEntry(null, new ByteKey(new byte[0]), CookieType.INDEX, new byte[0]);
    private long usedPages;
    private long clock;
    private long culled;
    private volatile boolean dissociated = true;

    MemoryStore(final long capacityPages, final long pinLimitPages)
    {
        this.capacityPages = capacityPages;
        this.pinLimitPages = pinLimitPages;
    }

    /**
     * Whether the backend is dissociated from a cache: before it is added and after withdrawal. Any thread.
     *
     * @return true if dissociated.
     */
    boolean dissociated()
    {
        return dissociated;
    }

    /**
     * Associate with a cache and bind the master index's object to the root entry.
     *
     * @param master the cache's master index object.
     */
    void associate(final MemoryObject master)
    {
        dissociated = false;
        master.entry = root;
        root.bound = master;
    }

    /**
     * Dissociate from the cache: from now on nothing is allocated, stored or read.
     */
    void dissociate()
    {
        dissociated = true;
    }

    /**
     * Capacity in use: blocks and reservations of all entries.
     *
     * @return pages.
     */
    long usedPages()
    {
        return usedPages;
    }

    /**
     * Pages holding written data.
     *
     * @return pages.
     */
    long storedPages()
    {
        return countStored(root);
    }

    /**
     * Entries stored, not counting the root.
     *
     * @return the count.
     */
    int objectCount()
    {
        return countEntries(root) - 1;
    }

    /**
     * Entries culled to make space so far.
     *
     * @return the count.
     */
    long culledObjects()
    {
        return culled;
    }

    /**
     * Bind a cache object to an entry and mark the entry used.
     *
     * @param entry  the entry.
     * @param object the object.
     */
    void bind(final MemoryEntry entry, final MemoryObject object)
    {
        entry.bound = object;
        object.entry = entry;
        touch(entry);
    }

    /**
     * Add a new, empty entry under a parent, in place of any entry of that key.
     *
     * @param parent the parent entry.
     * @param key    the key.
     * @param type   the type.
     * @param aux    the auxiliary data.
     * @return the entry.
     */
    MemoryEntry create(final MemoryEntry parent, final ByteKey key, final CookieType type, final byte[] aux)
    {
        final MemoryEntry created = new MemoryEntry(parent, key, type, aux);
        parent.children.put(key, created);

        return created;
    }

    /**
     * Pin an entry unless the pages held by pinned entries would then exceed the pin limit.
     *
     * @param entry the entry.
     * @return true if pinned.
     */
    boolean pin(final MemoryEntry entry)
    {
        if (!entry.pinned && pinnedUsage(root) + entry.usage() > pinLimitPages)
        {
            return false;
        }
        entry.pinned = true;

        return true;
    }

    /**
     * Unbind a dropped object from its entry: a retired entry is removed with its subtree (except the root), any
     * other keeps its pages and loses its unwritten blocks.
     *
     * @param object the object.
     * @param retire true if the object is being retired.
     */
    void drop(final MemoryObject object, final boolean retire)
    {
        final MemoryEntry entry = object.entry;
        object.entry = null;
        if (null == entry)
        {
            return;
        }

        if (entry.bound == object)
        {
            entry.bound = null;
        }

        if (retire && entry != root)
        {
            removeSubtree(entry);
        }
        else
        {
            final long before = entry.usage();
            entry.allocated.clear();
            usedPages += entry.usage() - before;
            touch(entry);
        }
    }

    /**
     * Set an entry's size and store limit, dropping its pages and blocks at and beyond the limit.
     *
     * @param entry      the entry.
     * @param sizeBytes  the size.
     * @param limitPages the first page index beyond the size.
     */
    void truncate(final MemoryEntry entry, final long sizeBytes, final long limitPages)
    {
        final long before = entry.usage();
        final Iterator<Long> pages = entry.pages.keySet().iterator();
        while (pages.hasNext())
        {
            if (pages.next() >= limitPages)
            {
                pages.remove();
            }
        }
        final LongHashSet.LongIterator allocated = entry.allocated.iterator();
        while (allocated.hasNext())
        {
            if (allocated.nextValue() >= limitPages)
            {
                allocated.remove();
            }
        }
        entry.sizeBytes = sizeBytes;
        entry.limitPages = limitPages;
        usedPages += entry.usage() - before;
    }

    /**
     * Reserve capacity for up to {@code pages} pages of an entry, culling other entries if needed.
     *
     * @param entry the entry.
     * @param pages the pages to reserve.
     * @return false if the space cannot be found.
     */
    boolean reserve(final MemoryEntry entry, final long pages)
    {
        final long before = entry.usage();
        final long delta = Math.max(entry.blocks(), pages) - before;
        if (delta > 0 && usedPages + delta > capacityPages && !cull(usedPages + delta - capacityPages, entry))
        {
            return false;
        }
        entry.reservedPages = pages;
        usedPages += entry.usage() - before;

        return true;
    }

    /**
     * Make sure a page of an entry has a block.
     *
     * @param entry the entry, or null.
     * @param index the page index.
     * @return false if dissociated, there is no entry, the page is beyond the store limit, or no space can be found.
     */
    boolean allocateFor(final MemoryEntry entry, final long index)
    {
        if (dissociated || null == entry || index >= entry.limitPages)
        {
            return false;
        }

        if (entry.pages.containsKey(index) || entry.allocated.contains(index))
        {
            return true;
        }

        return allocateBlock(entry, index);
    }

    /**
     * Store a written page's data in its block, allocating the block if the page has none; the data is dropped
     * when dissociated, without an entry, beyond the store limit, or when no space can be found.
     *
     * @param entry the entry, or null.
     * @param index the page index.
     * @param data  the page data, not changed afterwards.
     */
    void storePage(final MemoryEntry entry, final long index, final byte[] data)
    {
        if (dissociated || null == entry || index >= entry.limitPages)
        {
            return;
        }

        if (!entry.pages.containsKey(index) && !entry.allocated.contains(index) && !allocateBlock(entry, index))
        {
            return;
        }

        final long before = entry.usage();
        entry.allocated.remove(index);
        entry.pages.put(index, data);
        usedPages += entry.usage() - before;
        touch(entry);
    }

    /**
     * Free the block of a page allocated but not written.
     *
     * @param entry the entry, or null.
     * @param index the page index.
     */
    void uncache(final MemoryEntry entry, final long index)
    {
        if (null != entry)
        {
            final long before = entry.usage();
            if (entry.allocated.remove(index))
            {
                usedPages += entry.usage() - before;
            }
        }
    }

    /**
     * Copy a page's stored data into its buffer.
     *
     * @param op   the retrieval.
     * @param page the page.
     * @return the result to end the page with, or null if the page must not be touched (dissociated).
     */
    Result copyIn(final Retrieval op, final CachePage page)
    {
        if (dissociated)
        {
            return null;
        }

        final MemoryEntry entry = ((MemoryObject)op.object()).entry;
        final byte[] data = null == entry ? null : entry.pages.get(page.index());
        if (null == data)
        {
            return Result.NO_DATA;
        }

        page.buffer().put(0, data);
        return Result.OK;
    }

    /**
     * Remove an entry with its whole subtree, freeing their capacity.
     *
     * @param entry the entry.
     */
    void removeSubtree(final MemoryEntry entry)
    {
        for (final MemoryEntry child : new ArrayList<>(entry.children.values()))
        {
            removeSubtree(child);
        }

        usedPages -= entry.usage();
        entry.pages.clear();
        entry.allocated.clear();
        entry.reservedPages = 0;
        if (null != entry.parent && entry.parent.children.get(entry.key) == entry)
        {
            entry.parent.children.remove(entry.key);
        }
    }

    /**
     * Mark an entry as the most recently used.
     *
     * @param entry the entry.
     */
    void touch(final MemoryEntry entry)
    {
        entry.lastUse = ++clock;
    }

    private boolean allocateBlock(final MemoryEntry entry, final long index)
    {
        final long before = entry.usage();
        if (entry.blocks() >= entry.reservedPages && usedPages + 1 > capacityPages &&
            !cull(usedPages + 1 - capacityPages, entry))
        {
            return false;
        }

        entry.allocated.add(index);
        usedPages += entry.usage() - before;
        return true;
    }

    /**
     * Cull unused, unpinned data objects, least recently used first, until {@code needed} pages are free.
     */
    private boolean cull(final long needed, final MemoryEntry keep)
    {
        long freed = 0;
        while (freed < needed)
        {
            final MemoryEntry victim = findCullable(root, keep, null);
            if (null == victim)
            {
                return false;
            }

            freed += victim.usage();
            removeSubtree(victim);
            culled++;
        }

        return true;
    }

    private static MemoryEntry findCullable(final MemoryEntry entry, final MemoryEntry keep, final MemoryEntry best)
    {
        MemoryEntry result = best;
        for (final MemoryEntry child : entry.children.values())
        {
            if (!child.type.isIndex() && child != keep && null == child.bound && !child.pinned &&
                child.children.isEmpty() && child.usage() > 0 && (null == result || child.lastUse < result.lastUse))
            {
                result = child;
            }
            result = findCullable(child, keep, result);
        }

        return result;
    }

    private long pinnedUsage(final MemoryEntry entry)
    {
        long total = entry.pinned ? entry.usage() : 0;
        for (final MemoryEntry child : entry.children.values())
        {
            total += pinnedUsage(child);
        }

        return total;
    }

    private static long countStored(final MemoryEntry entry)
    {
        long total = entry.pages.size();
        for (final MemoryEntry child : entry.children.values())
        {
            total += countStored(child);
        }

        return total;
    }

    private static int countEntries(final MemoryEntry entry)
    {
        int total = 1;
        for (final MemoryEntry child : entry.children.values())
        {
            total += countEntries(child);
        }

        return total;
    }
}
