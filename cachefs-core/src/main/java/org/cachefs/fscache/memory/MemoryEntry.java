package org.cachefs.fscache.memory;

import org.agrona.collections.Long2ObjectHashMap;
import org.agrona.collections.LongHashSet;
import org.cachefs.fscache.CookieType;

import java.util.HashMap;

/**
 * One stored object of the in-memory store: its place in the tree (parent, key, children by key), type, auxiliary
 * data and size, its pages' data by index, the blocks allocated but not yet written, its reservation, whether it is
 * pinned, when it was last used, and the cache object bound to it while one is live.
 * <p>
 * Threading: guarded by the backend's lock; the page data arrays are immutable once stored.
 */
final class MemoryEntry
{
    final MemoryEntry parent;
    final ByteKey key;
    final CookieType type;
    final HashMap<ByteKey, MemoryEntry> children = new HashMap<>();
    final Long2ObjectHashMap<byte[]> pages = new Long2ObjectHashMap<>();
    final LongHashSet allocated = new LongHashSet();
    byte[] aux;
    long reservedPages;
    long sizeBytes = -1;
    long limitPages = Long.MAX_VALUE;
    boolean pinned;
    long lastUse;
    MemoryObject bound;

    MemoryEntry(final MemoryEntry parent, final ByteKey key, final CookieType type, final byte[] aux)
    {
        this.parent = parent;
        this.key = key;
        this.type = type;
        this.aux = aux;
    }

    /**
     * Blocks held: pages with data and pages allocated but not written.
     *
     * @return pages.
     */
    long blocks()
    {
        return pages.size() + allocated.size();
    }

    /**
     * Capacity used: the blocks held, or the reservation if larger.
     *
     * @return pages.
     */
    long usage()
    {
        return Math.max(blocks(), reservedPages);
    }
}
