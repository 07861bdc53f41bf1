package org.cachefs.cachefs;

import java.io.IOException;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.PageMapNode;

/**
 * Operations on objects' page maps: copy-on-write radix trees from page index to {data block, CRC32C}. The tree of an
 * object grows in height as higher page indexes are stored; a change copies the nodes on its path into memory
 * (freeing their old blocks for reuse once no commit refers to them); the next commit writes them, children first,
 * and records the new root in the object's index entry.
 * <p>
 * Threading: owned by {@link CacheStore} and used only under its lock.
 */
final class PageMaps
{
    private final MetadataIo io;
    private final int blockSize;
    private final int fanout;

    /**
     * {@link PageMapNode#coverage} by level, computed once: a lookup asks for it at every level of its path, and
     * computing it costs a division per level.
     */
    private final long[] coverage;

    /** Check value of the page found by the last successful {@link #lookup}. */
    int foundCrc;

    PageMaps(final MetadataIo io)
    {
        this.io = io;
        this.blockSize = io.blockSize();
        this.fanout = PageMapNode.fanout(blockSize);
        this.coverage = coverageByLevel(blockSize);
    }

    /**
     * @return {@link PageMapNode#coverage} of every level up to the first that covers every page index.
     */
    private static long[] coverageByLevel(final int blockSize)
    {
        int levels = 1;
        while (PageMapNode.coverage(blockSize, levels - 1) != Long.MAX_VALUE)
        {
            levels++;
        }
        final long[] coverage = new long[levels];
        for (int level = 0; level < levels; level++)
        {
            coverage[level] = PageMapNode.coverage(blockSize, level);
        }
        return coverage;
    }

    /**
     * @return the pages a node of {@code level} covers, as {@link PageMapNode#coverage}.
     */
    private long coverage(final int level)
    {
        return level >= 0 && level < coverage.length ? coverage[level] : PageMapNode.coverage(blockSize, level);
    }

    /**
     * @return the data block pointer of page {@code pageIndex} (its check value in {@link #foundCrc}), or
     * {@link BlockPointer#NULL} if the page is not stored.
     */
    long lookup(final ObjectRecord record, final long pageIndex) throws IOException
    {
        if (record.pageMapHeight == 0 || pageIndex >= coverage(record.pageMapHeight - 1))
        {
            return BlockPointer.NULL;
        }
        PageMapNodeData node = root(record);
        while (node.level > 0)
        {
            final int slot = slot(node, pageIndex);
            final PageMapNodeData child = node.dirtyChildren[slot];
            if (child != null)
            {
                node = child;
                continue;
            }
            if (node.pointers[slot] == BlockPointer.NULL)
            {
                return BlockPointer.NULL;
            }
            node = io.loadPageMap(node.pointers[slot], node.crcs[slot], record.objectId, node.level - 1,
                childFirst(node, slot));
        }
        final int slot = (int)(pageIndex - node.firstPage);
        foundCrc = node.crcs[slot];
        return node.pointers[slot];
    }

    /**
     * {@link #lookup} for readers sharing the store's read lock: touches only cached nodes, reads no block and
     * changes nothing but cache reference bits.
     *
     * @param crcOut receives the page's check value in element 0.
     * @return the data block pointer, {@link BlockPointer#NULL} if the page is not stored, or {@link #NEEDS_IO} if a
     * node on the path is not cached (the caller retries with {@link #lookup} under the write lock).
     */
    long lookupCached(final ObjectRecord record, final long pageIndex, final int[] crcOut)
    {
        final int height = record.pageMapHeight;
        if (height == 0 || pageIndex >= coverage(height - 1))
        {
            return BlockPointer.NULL;
        }
        PageMapNodeData node = record.pageMapRootNode;
        if (node == null)
        {
            node = io.cachedPageMap(record.pageMapRoot);
            if (node == null)
            {
                return NEEDS_IO;
            }
        }
        while (node.level > 0)
        {
            final int slot = slot(node, pageIndex);
            final PageMapNodeData child = node.dirtyChildren[slot];
            if (child != null)
            {
                node = child;
                continue;
            }
            if (node.pointers[slot] == BlockPointer.NULL)
            {
                return BlockPointer.NULL;
            }
            node = io.cachedPageMap(node.pointers[slot]);
            if (node == null)
            {
                return NEEDS_IO;
            }
        }
        final int slot = (int)(pageIndex - node.firstPage);
        crcOut[0] = node.crcs[slot];
        return node.pointers[slot];
    }

    /** {@link #lookupCached} could not answer without reading a node. */
    static final long NEEDS_IO = -1;

    /**
     * Records page {@code pageIndex} at data block {@code pointer} with check value {@code crc}.
     *
     * @return the data block pointer the page had before, or {@link BlockPointer#NULL}; the caller frees it.
     */
    long put(final ObjectRecord record, final long pageIndex, final long pointer, final int crc) throws IOException
    {
        growFor(record, pageIndex);
        final PageMapNodeData leaf = writableLeaf(record, pageIndex);
        final int slot = (int)(pageIndex - leaf.firstPage);
        final long previous = leaf.pointers[slot];
        leaf.set(slot, pointer, crc);
        if (previous == BlockPointer.NULL)
        {
            record.pageCount++;
        }
        record.dirty = true;
        return previous;
    }

    /**
     * Forgets page {@code pageIndex}.
     *
     * @return the data block pointer it had, or {@link BlockPointer#NULL}; the caller frees it.
     */
    long remove(final ObjectRecord record, final long pageIndex) throws IOException
    {
        if (lookup(record, pageIndex) == BlockPointer.NULL)
        {
            return BlockPointer.NULL;
        }
        final PageMapNodeData leaf = writableLeaf(record, pageIndex);
        final int slot = (int)(pageIndex - leaf.firstPage);
        final long previous = leaf.pointers[slot];
        leaf.set(slot, BlockPointer.NULL, 0);
        record.pageCount--;
        record.dirty = true;
        return previous;
    }

    /**
     * Visitor of stored pages, for freeing and checks.
     */
    interface PageVisitor
    {
        void page(long pageIndex, long pointer, int crc) throws IOException;
    }

    /**
     * Visits every stored page of the object whose index is at least {@code fromPage}, in page order.
     */
    void forEachPage(final ObjectRecord record, final long fromPage, final PageVisitor visitor) throws IOException
    {
        if (record.pageMapHeight == 0)
        {
            return;
        }
        visit(record, root(record), fromPage, visitor);
    }

    private void visit(
        final ObjectRecord record, final PageMapNodeData node, final long fromPage, final PageVisitor visitor)
        throws IOException
    {
        final long cover = node.level == 0 ? 1 : coverage(node.level - 1);
        for (int slot = 0; slot < fanout; slot++)
        {
            final long first = node.firstPage + slot * cover;
            if (first + cover <= fromPage)
            {
                continue;
            }
            if (node.level == 0)
            {
                if (node.pointers[slot] != BlockPointer.NULL)
                {
                    visitor.page(first, node.pointers[slot], node.crcs[slot]);
                }
                continue;
            }
            final PageMapNodeData child = node.dirtyChildren[slot] != null ? node.dirtyChildren[slot] :
                node.pointers[slot] == BlockPointer.NULL ? null :
                io.loadPageMap(node.pointers[slot], node.crcs[slot], record.objectId, node.level - 1, first);
            if (child != null)
            {
                visit(record, child, fromPage, visitor);
            }
        }
    }

    /**
     * Frees the object's pages and page map: every stored page is handed to {@code freer} (which frees its data
     * block) in page order, each node's block is freed after its pages and children; the object is left with no
     * pages. Nodes are read once each.
     * <p>
     * If {@code freer} or a node read throws, what was freed stays freed and the rest of the map is left as it was
     * (the nodes freed are detached from their dirty parents), for {@link #forget} to drop without freeing.
     */
    void freeAll(final ObjectRecord record, final PageVisitor freer) throws IOException
    {
        if (record.pageMapHeight > 0)
        {
            freeSubtree(record, root(record), freer);
        }
        clear(record);
    }

    private void freeSubtree(final ObjectRecord record, final PageMapNodeData node, final PageVisitor freer)
        throws IOException
    {
        if (node.level == 0)
        {
            for (int slot = 0; slot < fanout; slot++)
            {
                if (node.pointers[slot] != BlockPointer.NULL)
                {
                    freer.page(node.firstPage + slot, node.pointers[slot], node.crcs[slot]);
                }
            }
        }
        else
        {
            final long cover = coverage(node.level - 1);
            for (int slot = 0; slot < fanout; slot++)
            {
                final PageMapNodeData dirtyChild = node.dirtyChildren[slot];
                final PageMapNodeData child = dirtyChild != null ? dirtyChild :
                    node.pointers[slot] == BlockPointer.NULL ? null :
                    io.loadPageMap(node.pointers[slot], node.crcs[slot], record.objectId, node.level - 1,
                        node.firstPage + slot * cover);
                if (child != null)
                {
                    freeSubtree(record, child, freer);
                    // Freed: not to be counted again should a later part of the map turn out corrupt.
                    node.dirtyChildren[slot] = null;
                }
            }
        }
        if (node.dirty)
        {
            io.dirtyNodeDropped();
        }
        else
        {
            io.retireNodeBlock(node.block);
        }
    }

    /**
     * Drops the object's page map without freeing anything: its data blocks and node blocks stay allocated (the map
     * is corrupt, so they may be other owners'; fsck reclaims the ones nothing refers to). Only memory is touched:
     * the dirty nodes are let go of. The object is left with no pages.
     */
    void forget(final ObjectRecord record)
    {
        final PageMapNodeData root = record.pageMapRootNode;
        if (root != null && root.dirty)
        {
            forgetDirty(root);
        }
        clear(record);
    }

    private void forgetDirty(final PageMapNodeData node)
    {
        if (node.dirtyChildren != null)
        {
            for (int slot = 0; slot < fanout; slot++)
            {
                final PageMapNodeData child = node.dirtyChildren[slot];
                if (child != null)
                {
                    forgetDirty(child);
                    node.dirtyChildren[slot] = null;
                }
            }
        }
        io.dirtyNodeDropped();
    }

    private static void clear(final ObjectRecord record)
    {
        record.pageMapRoot = BlockPointer.NULL;
        record.pageMapRootCrc = 0;
        record.pageMapHeight = 0;
        record.pageMapRootNode = null;
        record.pageCount = 0;
        record.dirty = true;
    }

    /**
     * Writes the object's dirty page-map nodes, children first, and records the new root in the object.
     */
    void write(final ObjectRecord record) throws IOException
    {
        final PageMapNodeData root = record.pageMapRootNode;
        if (root == null || !root.dirty)
        {
            return;
        }
        if (writeSubtree(record, root))
        {
            record.pageMapRoot = root.level == 0 ?
                BlockPointer.encode(root.block, BlockPointer.KIND_PAGEMAP_LEAF) :
                BlockPointer.encode(root.block, BlockPointer.KIND_PAGEMAP_BRANCH);
            record.pageMapRootCrc = io.lastCrc();
        }
        else
        {
            record.pageMapRoot = BlockPointer.NULL;
            record.pageMapRootCrc = 0;
            record.pageMapHeight = 0;
        }
        record.pageMapRootNode = null;
    }

    /**
     * @return false if the node turned out empty and was not written.
     */
    private boolean writeSubtree(final ObjectRecord record, final PageMapNodeData node) throws IOException
    {
        if (node.level > 0)
        {
            for (int slot = 0; slot < fanout; slot++)
            {
                final PageMapNodeData child = node.dirtyChildren[slot];
                if (child != null)
                {
                    node.dirtyChildren[slot] = null;
                    if (writeSubtree(record, child))
                    {
                        node.set(slot, BlockPointer.encode(child.block, child.level == 0 ?
                            BlockPointer.KIND_PAGEMAP_LEAF : BlockPointer.KIND_PAGEMAP_BRANCH), io.lastCrc());
                    }
                    else
                    {
                        node.set(slot, BlockPointer.NULL, 0);
                    }
                }
            }
        }
        if (node.count == 0)
        {
            node.dirty = false;
            io.dirtyNodeDropped();
            return false;
        }
        io.writePageMap(node, record.objectId);
        return true;
    }

    private PageMapNodeData root(final ObjectRecord record) throws IOException
    {
        if (record.pageMapRootNode != null)
        {
            return record.pageMapRootNode;
        }
        return io.loadPageMap(record.pageMapRoot, record.pageMapRootCrc, record.objectId,
            record.pageMapHeight - 1, 0);
    }

    private PageMapNodeData writableRoot(final ObjectRecord record) throws IOException
    {
        final PageMapNodeData root = record.pageMapRootNode;
        if (root != null && root.dirty)
        {
            return root;
        }
        final PageMapNodeData copy = makeWritable(root(record));
        record.pageMapRootNode = copy;
        return copy;
    }

    private void growFor(final ObjectRecord record, final long pageIndex) throws IOException
    {
        if (record.pageMapHeight == 0)
        {
            final PageMapNodeData leaf = new PageMapNodeData(0, 0, fanout);
            leaf.dirty = true;
            io.nodeDirtied();
            record.pageMapRootNode = leaf;
            record.pageMapHeight = 1;
        }
        while (pageIndex >= coverage(record.pageMapHeight - 1))
        {
            final PageMapNodeData old = writableRoot(record);
            final PageMapNodeData root = new PageMapNodeData(record.pageMapHeight, 0, fanout);
            root.dirty = true;
            io.nodeDirtied();
            root.dirtyChildren[0] = old;
            record.pageMapRootNode = root;
            record.pageMapHeight++;
        }
    }

    private PageMapNodeData writableLeaf(final ObjectRecord record, final long pageIndex) throws IOException
    {
        PageMapNodeData node = writableRoot(record);
        while (node.level > 0)
        {
            final int slot = slot(node, pageIndex);
            PageMapNodeData child = node.dirtyChildren[slot];
            if (child == null)
            {
                if (node.pointers[slot] == BlockPointer.NULL)
                {
                    child = new PageMapNodeData(node.level - 1, childFirst(node, slot), fanout);
                    child.dirty = true;
                    io.nodeDirtied();
                }
                else
                {
                    child = makeWritable(io.loadPageMap(node.pointers[slot], node.crcs[slot], record.objectId,
                        node.level - 1, childFirst(node, slot)));
                }
                node.dirtyChildren[slot] = child;
            }
            node = child;
        }
        return node;
    }

    private PageMapNodeData makeWritable(final PageMapNodeData clean)
    {
        final PageMapNodeData copy = clean.mutableCopy();
        io.retireNodeBlock(clean.block);
        copy.block = 0;
        io.nodeDirtied();
        return copy;
    }

    private int slot(final PageMapNodeData node, final long pageIndex)
    {
        return (int)((pageIndex - node.firstPage) / coverage(node.level - 1));
    }

    private long childFirst(final PageMapNodeData node, final int slot)
    {
        return node.firstPage + slot * coverage(node.level - 1);
    }
}
