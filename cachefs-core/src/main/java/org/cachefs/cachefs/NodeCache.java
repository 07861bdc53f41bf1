package org.cachefs.cachefs;

import java.util.LinkedHashMap;
import java.util.Map;

/**
 * A bounded, least-recently-used cache of clean decoded nodes (index and page-map), keyed by block number. Dirty
 * nodes are never in it: they live with their dirty parents until committed. A freed block's entry is removed before
 * the block can be reused.
 * <p>
 * Threading: used only under the {@link CacheStore} lock.
 */
final class NodeCache
{
    private final int capacity;
    private final LinkedHashMap<Long, Object> nodes;
    private long hits;
    private long misses;

    NodeCache(final int capacity)
    {
        this.capacity = capacity;
        this.nodes = new LinkedHashMap<>(Math.min(capacity, 1 << 16) * 2, 0.75f, true)
        {
            @Override
            protected boolean removeEldestEntry(final Map.Entry<Long, Object> eldest)
            {
                return size() > NodeCache.this.capacity;
            }
        };
    }

    Object get(final long block)
    {
        final Object node = nodes.get(block);
        if (node != null)
        {
            hits++;
        }
        else
        {
            misses++;
        }
        return node;
    }

    void put(final long block, final Object node)
    {
        nodes.put(block, node);
    }

    void remove(final long block)
    {
        nodes.remove(block);
    }

    void clear()
    {
        nodes.clear();
    }

    int size()
    {
        return nodes.size();
    }

    int capacity()
    {
        return capacity;
    }

    long hits()
    {
        return hits;
    }

    long misses()
    {
        return misses;
    }
}
