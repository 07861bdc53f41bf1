package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * Walks an object's page map depth first, in page order, validating every node against what its parent recorded
 * (level, owner, first page, CRC32C) and against the commit's generation. Iterative, one buffer per level: memory and
 * stack depth are bounded by {@link PageMapNode#MAX_HEIGHT}.
 * <p>
 * Not thread-safe: one instance per check.
 */
final class PageMapWalker
{
    /**
     * What a walk reports.
     */
    interface Listener
    {
        /**
         * A node passed validation.
         */
        void node(long block, int level, long firstPage) throws IOException;

        /**
         * A page the map holds (the pointer's kind and range are valid).
         */
        void page(long pageIndex, long pointer, int crc) throws IOException;
    }

    private static final String STRUCTURE = "page-map node";

    private final BlockDevice device;
    private final RegionLayout layout;
    private final long generation;
    private final int blockSize;
    private final ByteBuffer[] buffers = new ByteBuffer[PageMapNode.MAX_HEIGHT];
    private final PageMapNode[] nodes = new PageMapNode[PageMapNode.MAX_HEIGHT];
    private final long[] blocks = new long[PageMapNode.MAX_HEIGHT];
    private final int[] next = new int[PageMapNode.MAX_HEIGHT];

    PageMapWalker(final BlockDevice device, final RegionLayout layout, final long generation)
    {
        this.device = device;
        this.layout = layout;
        this.generation = generation;
        this.blockSize = layout.blockSize();
        final int alignment = Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT);
        for (int level = 0; level < PageMapNode.MAX_HEIGHT; level++)
        {
            buffers[level] = AlignedBuffers.allocate(blockSize, alignment);
            nodes[level] = new PageMapNode();
        }
    }

    /**
     * Walks the page map of object {@code objectId} whose root the object's index record gives.
     *
     * @throws CorruptCacheException on the first node that fails validation; the pages reported before it stand.
     */
    void walk(
        final long objectId, final long root, final int rootCrc, final int height, final Listener listener)
        throws IOException
    {
        if (root == BlockPointer.NULL)
        {
            return;
        }
        int top = height - 1;
        if (!enter(objectId, top, BlockPointer.block(root), 0, rootCrc, listener))
        {
            return;
        }
        while (top < height)
        {
            final PageMapNode node = nodes[top];
            final int fanout = node.fanout();
            int slot = next[top];
            while (slot < fanout && node.pointer(slot) == BlockPointer.NULL)
            {
                slot++;
            }
            if (slot == fanout)
            {
                top++;
                continue;
            }
            next[top] = slot + 1;
            final long cover = PageMapNode.coverage(blockSize, top - 1);
            final long first = node.firstPage();
            if (slot > 0 && cover > (Long.MAX_VALUE - first) / slot)
            {
                throw new CorruptCacheException(STRUCTURE, device.name(), blocks[top], "entry " + slot,
                    "covers pages past the largest page index");
            }
            if (enter(objectId, top - 1, BlockPointer.block(node.pointer(slot)), first + slot * cover,
                node.entryCrc(slot), listener))
            {
                top--;
            }
        }
    }

    /**
     * Reads and validates a node; reports a leaf's pages at once.
     *
     * @return true if the node is a branch to descend into.
     */
    private boolean enter(
        final long objectId, final int level, final long block, final long firstPage, final int crc,
        final Listener listener) throws IOException
    {
        final ByteBuffer buffer = buffers[level];
        device.read(block * blockSize, buffer.clear());
        final PageMapNode node = nodes[level].wrap(buffer, blockSize);
        try
        {
            node.verify(device.name(), block, objectId, generation, level, firstPage, crc, layout);
        }
        catch (final CorruptCacheException ex)
        {
            throw ex;
        }
        catch (final RuntimeException ex)
        {
            throw new CorruptCacheException(STRUCTURE, device.name(), block, "contents", "unreadable (" + ex + ")");
        }
        listener.node(block, level, firstPage);
        blocks[level] = block;
        if (level > 0)
        {
            next[level] = 0;
            return true;
        }
        final int fanout = node.fanout();
        for (int slot = 0; slot < fanout; slot++)
        {
            final long pointer = node.pointer(slot);
            if (pointer == BlockPointer.NULL)
            {
                continue;
            }
            if (firstPage > Long.MAX_VALUE - slot)
            {
                throw new CorruptCacheException(STRUCTURE, device.name(), block, "entry " + slot,
                    "covers pages past the largest page index");
            }
            listener.page(firstPage + slot, pointer, node.entryCrc(slot));
        }
        return false;
    }
}
