package org.cachefs.cachefs;

import org.agrona.collections.Long2LongHashMap;

/**
 * A bounded cache of clean decoded nodes (index and page-map), keyed by block number, evicting with the CLOCK
 * approximation of least-recently-used: a hit sets the slot's reference bit; eviction sweeps the slots, clearing bits,
 * and takes the first slot whose bit was clear. Dirty nodes are never in it: they live with their dirty parents until
 * committed. A freed block's entry is removed before the block can be reused.
 * <p>
 * Threading: {@link #get(long)} may run concurrently with other gets (under the {@link CacheStore}'s read lock): it
 * reads the map and sets a reference bit, a benign race. {@link #put}, {@link #remove} and {@link #clear} run under
 * the store's write lock. Nothing here allocates after construction, so a hit costs no garbage.
 */
final class NodeCache
{
    private static final long MISSING = -1;

    private final int capacity;
    private final Long2LongHashMap slotOf;
    private final long[] blocks;
    private final Object[] nodes;
    private final boolean[] referenced;
    private int size;
    private int hand;

    NodeCache(final int capacity)
    {
        this.capacity = capacity;
        this.slotOf = new Long2LongHashMap(capacity * 2, 0.65f, MISSING);
        this.blocks = new long[capacity];
        this.nodes = new Object[capacity];
        this.referenced = new boolean[capacity];
    }

    Object get(final long block)
    {
        final long slot = slotOf.get(block);
        if (slot == MISSING)
        {
            return null;
        }
        referenced[(int)slot] = true;
        return nodes[(int)slot];
    }

    void put(final long block, final Object node)
    {
        final long existing = slotOf.get(block);
        if (existing != MISSING)
        {
            nodes[(int)existing] = node;
            referenced[(int)existing] = true;
            return;
        }
        final int slot = size < capacity ? firstEmptySlot() : evict();
        blocks[slot] = block;
        nodes[slot] = node;
        referenced[slot] = false;
        slotOf.put(block, slot);
        size++;
    }

    void remove(final long block)
    {
        final long slot = slotOf.remove(block);
        if (slot != MISSING)
        {
            nodes[(int)slot] = null;
            referenced[(int)slot] = false;
            size--;
        }
    }

    void clear()
    {
        slotOf.clear();
        java.util.Arrays.fill(nodes, null);
        java.util.Arrays.fill(referenced, false);
        size = 0;
    }

    int size()
    {
        return size;
    }

    private int firstEmptySlot()
    {
        while (nodes[hand] != null)
        {
            hand = (hand + 1) % capacity;
        }
        return hand;
    }

    /**
     * Frees a slot by the CLOCK sweep and returns it.
     */
    private int evict()
    {
        while (referenced[hand])
        {
            referenced[hand] = false;
            hand = (hand + 1) % capacity;
        }
        final int slot = hand;
        slotOf.remove(blocks[slot]);
        nodes[slot] = null;
        size--;
        hand = (hand + 1) % capacity;
        return slot;
    }
}
