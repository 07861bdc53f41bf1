package org.cachefs.cachefs;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.PageMapNode;

/**
 * A decoded page-map node. Clean nodes are immutable and shared through the {@link NodeCache}; a node about to change
 * is first copied ({@link #mutableCopy()}) and stays in memory, referenced from its dirty parent, until the next
 * commit writes it to a new block.
 */
final class PageMapNodeData
{
    final int level;
    final long firstPage;
    final long[] pointers;
    final int[] crcs;
    /** Dirty children of a branch, by slot; null entries are clean (read through the cache) or absent. */
    final PageMapNodeData[] dirtyChildren;
    /** Block this node was read from, or 0 for a node never written. */
    long block;
    boolean dirty;
    int count;

    PageMapNodeData(final int level, final long firstPage, final int fanout)
    {
        this.level = level;
        this.firstPage = firstPage;
        this.pointers = new long[fanout];
        this.crcs = new int[fanout];
        this.dirtyChildren = level > 0 ? new PageMapNodeData[fanout] : null;
    }

    static PageMapNodeData decode(final PageMapNode node, final long block)
    {
        final int fanout = node.fanout();
        final PageMapNodeData data = new PageMapNodeData(node.level(), node.firstPage(), fanout);
        for (int slot = 0; slot < fanout; slot++)
        {
            data.pointers[slot] = node.pointer(slot);
            data.crcs[slot] = node.entryCrc(slot);
        }
        data.count = node.count();
        data.block = block;
        return data;
    }

    PageMapNodeData mutableCopy()
    {
        final PageMapNodeData copy = new PageMapNodeData(level, firstPage, pointers.length);
        System.arraycopy(pointers, 0, copy.pointers, 0, pointers.length);
        System.arraycopy(crcs, 0, copy.crcs, 0, crcs.length);
        copy.count = count;
        copy.block = block;
        copy.dirty = true;
        return copy;
    }

    void set(final int slot, final long pointer, final int crc)
    {
        final boolean was = pointers[slot] != BlockPointer.NULL;
        final boolean now = pointer != BlockPointer.NULL;
        pointers[slot] = pointer;
        crcs[slot] = now ? crc : 0;
        count += (now ? 1 : 0) - (was ? 1 : 0);
    }

    boolean isEmpty()
    {
        for (int slot = 0; slot < pointers.length; slot++)
        {
            if (pointers[slot] != BlockPointer.NULL || (dirtyChildren != null && dirtyChildren[slot] != null))
            {
                return false;
            }
        }
        return true;
    }
}
