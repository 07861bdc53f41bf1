package org.cachefs.format.fsck;

import java.util.Arrays;

import org.cachefs.format.FsckFinding;

/**
 * The objects of the index, in the order the index walk meets them (key order), with what the check decided about
 * each: their ids and parent ids for the hierarchy checks (unique ids, parents that exist, no cycles), the pages each
 * keeps, and flags. A record is known by its position in the walk, which is the same in every walk of an unchanged
 * image.
 * <p>
 * Memory: 25 bytes per object (33 while {@link #resolve} runs), independent of the number of pages.
 */
final class ObjectTable
{
    /** Dropped for a reason of its own: corrupt or doubly-referenced page map, key out of order, duplicate id. */
    static final int DROP = 1;
    /** Its page map is rewritten: some of its pages are dropped, or some of its blocks are doubly referenced. */
    static final int REBUILD = 2;
    /** Some of its pages failed their CRC32C check ({@code -f}): the repair checks its pages again. */
    static final int BAD_CRC = 4;
    /** Dropped because an ancestor is dropped, or as part of a parent cycle, or as an orphan. */
    static final int DROP_HIERARCHY = 8;

    private static final int INITIAL_CAPACITY = 64;

    private long[] ids = new long[INITIAL_CAPACITY];
    private long[] parents = new long[INITIAL_CAPACITY];
    private long[] pages = new long[INITIAL_CAPACITY];
    private byte[] flags = new byte[INITIAL_CAPACITY];
    private int size;

    /**
     * Adds the next record of the walk.
     *
     * @return its position.
     */
    int add(final long objectId, final long parentId)
    {
        if (size == ids.length)
        {
            final int capacity = (int)Math.min(Integer.MAX_VALUE - 8, (long)size * 2);
            if (capacity == size)
            {
                throw new IllegalStateException("more than " + size + " objects in one index");
            }
            ids = Arrays.copyOf(ids, capacity);
            parents = Arrays.copyOf(parents, capacity);
            pages = Arrays.copyOf(pages, capacity);
            flags = Arrays.copyOf(flags, capacity);
        }
        ids[size] = objectId;
        parents[size] = parentId;
        return size++;
    }

    int size()
    {
        return size;
    }

    long id(final int i)
    {
        return ids[i];
    }

    void flag(final int i, final int flag)
    {
        flags[i] |= flag;
    }

    boolean has(final int i, final int flag)
    {
        return (flags[i] & flag) != 0;
    }

    boolean dropped(final int i)
    {
        return (flags[i] & (DROP | DROP_HIERARCHY)) != 0;
    }

    /**
     * Records how many pages object {@code i} keeps.
     */
    void pages(final int i, final long kept)
    {
        pages[i] = kept;
    }

    long keptObjects()
    {
        long kept = 0;
        for (int i = 0; i < size; i++)
        {
            kept += dropped(i) ? 0 : 1;
        }
        return kept;
    }

    long keptPages()
    {
        long kept = 0;
        for (int i = 0; i < size; i++)
        {
            kept += dropped(i) ? 0 : pages[i];
        }
        return kept;
    }

    /**
     * Finds duplicate ids, orphans and parent cycles, and drops them and every descendant of a dropped object.
     * Iterative: no recursion however deep the hierarchy.
     */
    void resolve(final Findings findings)
    {
        final int[] byId = new int[size];
        for (int i = 0; i < size; i++)
        {
            byId[i] = i;
        }
        sortById(byId);
        for (int at = 0; at < size; )
        {
            int end = at + 1;
            while (end < size && ids[byId[end]] == ids[byId[at]])
            {
                end++;
            }
            if (end - at > 1)
            {
                findings.add(FsckFinding.Kind.DUPLICATE_OBJECT_ID, "object id " + ids[byId[at]] + " is used by " +
                    (end - at) + " index records");
                for (int d = at; d < end; d++)
                {
                    flags[byId[d]] |= DROP;
                }
            }
            at = end;
        }

        // state: 0 unknown, 1 on the current chain, 2 kept, 3 dropped
        final byte[] state = new byte[size];
        int[] chain = new int[16];
        for (int start = 0; start < size; start++)
        {
            int length = 0;
            int current = start;
            boolean kept;
            int cycleFrom = -1;
            while (true)
            {
                if (state[current] == 2 || state[current] == 3)
                {
                    kept = state[current] == 2;
                    break;
                }
                if (state[current] == 1)
                {
                    kept = false;
                    cycleFrom = indexOf(chain, length, current);
                    break;
                }
                if (length == chain.length)
                {
                    chain = Arrays.copyOf(chain, Math.min(size, chain.length * 2));
                }
                chain[length++] = current;
                state[current] = 1;
                if ((flags[current] & DROP) != 0)
                {
                    state[current] = 3;
                    length--;
                    kept = false;
                    break;
                }
                final long parent = parents[current];
                if (parent == 0)
                {
                    state[current] = 2;
                    length--;
                    kept = true;
                    break;
                }
                final int found = find(byId, parent);
                if (found < 0)
                {
                    findings.add(FsckFinding.Kind.ORPHAN_OBJECT, "object " + ids[current] + ": parent object " +
                        parent + " does not exist");
                    flags[current] |= DROP_HIERARCHY;
                    state[current] = 3;
                    length--;
                    kept = false;
                    break;
                }
                current = found;
            }
            if (cycleFrom >= 0)
            {
                final StringBuilder members = new StringBuilder();
                final int count = length - cycleFrom;
                for (int c = cycleFrom; c < length; c++)
                {
                    if (c - cycleFrom < 8)
                    {
                        members.append(c == cycleFrom ? "" : " -> ").append(ids[chain[c]]);
                    }
                    flags[chain[c]] |= DROP_HIERARCHY;
                    state[chain[c]] = 3;
                }
                members.append(count > 8 ? " -> ... (" + count + " objects)" : " -> " + ids[chain[cycleFrom]]);
                findings.add(FsckFinding.Kind.PARENT_CYCLE, "objects " + members + ": the parent chain loops " +
                    "without reaching the master index (0)");
                length = cycleFrom;
            }
            for (int c = length - 1; c >= 0; c--)
            {
                state[chain[c]] = (byte)(kept ? 2 : 3);
                if (!kept)
                {
                    flags[chain[c]] |= DROP_HIERARCHY;
                }
            }
        }
    }

    private static int indexOf(final int[] chain, final int length, final int value)
    {
        for (int i = 0; i < length; i++)
        {
            if (chain[i] == value)
            {
                return i;
            }
        }
        throw new IllegalStateException("object " + value + " is not on the chain");
    }

    /**
     * @return the position of an object with id {@code id}, or -1.
     */
    private int find(final int[] byId, final long id)
    {
        int low = 0;
        int high = size - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final long value = ids[byId[mid]];
            if (value < id)
            {
                low = mid + 1;
            }
            else if (value > id)
            {
                high = mid - 1;
            }
            else
            {
                return byId[mid];
            }
        }
        return -1;
    }

    /**
     * Heap sort of positions by object id (ids are positive, so signed order is their order), then by position.
     */
    private void sortById(final int[] order)
    {
        final int n = order.length;
        for (int i = n / 2 - 1; i >= 0; i--)
        {
            siftDown(order, i, n);
        }
        for (int end = n - 1; end > 0; end--)
        {
            final int top = order[0];
            order[0] = order[end];
            order[end] = top;
            siftDown(order, 0, end);
        }
    }

    private void siftDown(final int[] order, final int from, final int n)
    {
        int root = from;
        while (true)
        {
            int child = 2 * root + 1;
            if (child >= n)
            {
                return;
            }
            if (child + 1 < n && less(order[child], order[child + 1]))
            {
                child++;
            }
            if (!less(order[root], order[child]))
            {
                return;
            }
            final int swap = order[root];
            order[root] = order[child];
            order[child] = swap;
            root = child;
        }
    }

    private boolean less(final int a, final int b)
    {
        return ids[a] < ids[b] || (ids[a] == ids[b] && a < b);
    }
}
