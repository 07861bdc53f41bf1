package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.device.AlignedBuffers;

/**
 * Builds a new page map of a given height from pages given in increasing page order: one open node per level, the
 * nodes on the path to the last page; a node is written when the next page lies outside it, children before their
 * parents, and {@link #finish()} writes the open path. Memory: one block per level.
 * <p>
 * Not thread-safe; reusable: {@link #start} begins the next map.
 */
final class PageMapBuilder
{
    /**
     * The root of a finished map: a null pointer with height 0 when no page was added.
     */
    record Root(long pointer, int crc, int height, long pages)
    {
    }

    private final NodeWriter writer;
    private final int blockSize;
    private final long generation;
    private final ByteBuffer[] buffers = new ByteBuffer[PageMapNode.MAX_HEIGHT];
    private final PageMapNode[] nodes = new PageMapNode[PageMapNode.MAX_HEIGHT];
    private final boolean[] open = new boolean[PageMapNode.MAX_HEIGHT];
    private final long[] blocks = new long[PageMapNode.MAX_HEIGHT];
    private long objectId;
    private int height;
    private long pages;
    private long lastPage;

    PageMapBuilder(final NodeWriter writer, final int blockSize, final int alignment, final long generation)
    {
        this.writer = writer;
        this.blockSize = blockSize;
        this.generation = generation;
        for (int level = 0; level < PageMapNode.MAX_HEIGHT; level++)
        {
            buffers[level] = AlignedBuffers.allocate(blockSize, alignment);
            nodes[level] = new PageMapNode();
        }
    }

    /**
     * Begins the page map of {@code objectId}, {@code height} levels high (its root covers
     * {@code coverage(height - 1)} pages from page 0).
     */
    void start(final long objectId, final int height)
    {
        if (height < 1 || height > PageMapNode.MAX_HEIGHT)
        {
            throw new IllegalArgumentException("page-map height " + height + " outside [1, " +
                PageMapNode.MAX_HEIGHT + "]");
        }
        this.objectId = objectId;
        this.height = height;
        this.pages = 0;
        this.lastPage = -1;
        java.util.Arrays.fill(open, false);
    }

    /**
     * Adds page {@code pageIndex}, stored at data block {@code pointer} with check value {@code crc}; pages must come
     * in increasing order and lie within the root's coverage.
     */
    void add(final long pageIndex, final long pointer, final int crc) throws IOException
    {
        if (pageIndex <= lastPage || pageIndex >= PageMapNode.coverage(blockSize, height - 1))
        {
            throw new IllegalArgumentException("page " + pageIndex + " after page " + lastPage + " in a page map " +
                "of height " + height);
        }
        for (int level = height - 1; level >= 0; level--)
        {
            final long cover = PageMapNode.coverage(blockSize, level);
            if (open[level] && pageIndex - nodes[level].firstPage() < cover)
            {
                continue;
            }
            for (int below = 0; below <= level; below++)
            {
                if (open[below])
                {
                    close(below);
                }
            }
            blocks[level] = writer.allocate();
            nodes[level].wrap(buffers[level], blockSize).init(level, objectId,
                level == height - 1 ? 0 : pageIndex - pageIndex % cover, generation, blocks[level]);
            open[level] = true;
        }
        nodes[0].entry((int)(pageIndex - nodes[0].firstPage()), pointer, crc);
        pages++;
        lastPage = pageIndex;
    }

    /**
     * Writes the node of {@code level} and records it in its parent.
     */
    private void close(final int level) throws IOException
    {
        final PageMapNode node = nodes[level];
        final int crc = node.seal();
        writer.write(blocks[level], buffers[level].clear());
        open[level] = false;
        if (level + 1 < height)
        {
            final PageMapNode parent = nodes[level + 1];
            final long slot = (node.firstPage() - parent.firstPage()) / PageMapNode.coverage(blockSize, level);
            parent.entry((int)slot, pointer(level, blocks[level]), crc);
        }
    }

    private static long pointer(final int level, final long block)
    {
        return BlockPointer.encode(block, level == 0 ? BlockPointer.KIND_PAGEMAP_LEAF :
            BlockPointer.KIND_PAGEMAP_BRANCH);
    }

    /**
     * Writes the open nodes, bottom up.
     */
    Root finish() throws IOException
    {
        if (pages == 0)
        {
            return new Root(BlockPointer.NULL, 0, 0, 0);
        }
        int rootCrc = 0;
        for (int level = 0; level < height; level++)
        {
            if (open[level])
            {
                if (level == height - 1)
                {
                    rootCrc = nodes[level].seal();
                    writer.write(blocks[level], buffers[level].clear());
                    open[level] = false;
                }
                else
                {
                    close(level);
                }
            }
        }
        return new Root(pointer(height - 1, blocks[height - 1]), rootCrc, height, pages);
    }
}
