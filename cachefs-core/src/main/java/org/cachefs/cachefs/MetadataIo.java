package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.IndexNode;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * Reads, validates, decodes, encodes and writes index and page-map nodes, through the {@link NodeCache}, and frees
 * and allocates their blocks through the {@link BlockAllocator}. Every node read is checked against what its parent
 * recorded (level, owner, first page, check value) and against the generation of the last commit, and then against
 * the allocator: its own block stays allocated (see {@link BlockAllocator#keepNode}), and a page-map leaf's data
 * pointers must name blocks in use that are neither freed nor a node's ({@link BlockAllocator#dataBlockProblem}).
 * <p>
 * Threading: owned by {@link CacheStore} and used only under its lock.
 */
final class MetadataIo
{
    private final BlockDevice device;
    private final RegionLayout layout;
    private final BlockAllocator allocator;
    private final NodeCache cache;
    private final ByteBuffer buffer;
    private final IndexNode indexNode = new IndexNode();
    private final PageMapNode pageMapNode = new PageMapNode();
    private long generation;
    private int dirtyNodes;
    private long nodeReads;
    private long nodeWrites;
    private long restoredBlocks;
    private final org.cachefs.format.Checksums checksums = new org.cachefs.format.Checksums();

    MetadataIo(
        final BlockDevice device,
        final RegionLayout layout,
        final BlockAllocator allocator,
        final NodeCache cache,
        final long generation)
    {
        this.device = device;
        this.layout = layout;
        this.allocator = allocator;
        this.cache = cache;
        this.buffer = AlignedBuffers.allocate(layout.blockSize(), layout.blockSize());
        this.generation = generation;
    }

    int blockSize()
    {
        return layout.blockSize();
    }

    BlockAllocator allocator()
    {
        return allocator;
    }

    NodeCache cache()
    {
        return cache;
    }

    /**
     * @return the generation of the last durable commit: no node read may be newer.
     */
    long generation()
    {
        return generation;
    }

    void generation(final long generation)
    {
        this.generation = generation;
    }

    /**
     * @return nodes changed since the last commit; each needs a new block at the next commit.
     */
    int dirtyNodes()
    {
        return dirtyNodes;
    }

    long nodeReads()
    {
        return nodeReads;
    }

    long nodeWrites()
    {
        return nodeWrites;
    }

    /**
     * @return blocks found since mount to hold an intact node or page of the tree, though the bitmap marked them free
     * or they had been freed: marked in use again.
     */
    long restoredBlocks()
    {
        return restoredBlocks;
    }

    IndexNodeData loadIndex(final long pointer, final int crc, final int level) throws IOException
    {
        final long block = BlockPointer.block(pointer);
        final Object cached = cache.get(block);
        if (cached instanceof IndexNodeData)
        {
            return (IndexNodeData)cached;
        }
        readBlock(block);
        indexNode.wrap(buffer, layout.blockSize()).verify(device.name(), block, generation + 1, level, crc, layout);
        keep(block, "index node");
        final IndexNodeData node = IndexNodeData.decode(indexNode, block);
        cache.put(block, node);
        return node;
    }

    /**
     * @return the decoded page-map node at {@code pointer} if it is cached, else null; reads nothing (safe under the
     * store's read lock).
     */
    PageMapNodeData cachedPageMap(final long pointer)
    {
        final Object cached = cache.get(BlockPointer.block(pointer));
        return cached instanceof PageMapNodeData ? (PageMapNodeData)cached : null;
    }

    PageMapNodeData loadPageMap(
        final long pointer, final int crc, final long objectId, final int level, final long firstPage)
        throws IOException
    {
        final long block = BlockPointer.block(pointer);
        final Object cached = cache.get(block);
        if (cached instanceof PageMapNodeData)
        {
            return (PageMapNodeData)cached;
        }
        readBlock(block);
        pageMapNode.wrap(buffer, layout.blockSize())
            .verify(device.name(), block, objectId, generation + 1, level, firstPage, crc, layout);
        final PageMapNodeData node = PageMapNodeData.decode(pageMapNode, block);
        keep(block, "page-map node");
        if (level == 0)
        {
            checkDataPointers(node, objectId);
        }
        cache.put(block, node);
        return node;
    }

    /**
     * Keeps the block of a node just read and validated allocated, as metadata.
     *
     * @throws CorruptCacheException if the block was allocated again since the last commit.
     */
    private void keep(final long block, final String structure)
    {
        final int outcome = allocator.keepNode(block);
        if (outcome == BlockAllocator.NODE_REUSED)
        {
            throw new CorruptCacheException(structure, device.name(), block, "block",
                "was allocated again since the last commit: it was freed through a pointer that shared it");
        }
        if (outcome == BlockAllocator.NODE_RESTORED)
        {
            restoredBlocks++;
        }
    }

    /**
     * Checks the data pointers of a page-map leaf read from disk against the allocator. A page whose block is free,
     * or was freed since the last commit, is read: if it holds that page (its check value is seeded with the object
     * and the page index, so no other page's data matches), the bitmap, or a pointer that shared the block, was wrong
     * and the block is taken back into use. Any other page whose block cannot be its own (a node's, one allocated
     * since the last commit, or a lost block holding something else) makes the page map corrupt.
     */
    private void checkDataPointers(final PageMapNodeData leaf, final long objectId) throws IOException
    {
        final long[] pointers = leaf.pointers;
        for (int slot = 0; slot < pointers.length; slot++)
        {
            if (pointers[slot] == BlockPointer.NULL)
            {
                continue;
            }
            final long target = BlockPointer.block(pointers[slot]);
            final String problem = allocator.dataBlockProblem(target, false);
            if (problem == null)
            {
                continue;
            }
            final long page = leaf.firstPage + slot;
            if (allocator.isLost(target) && holdsPage(target, objectId, page, leaf.crcs[slot]))
            {
                allocator.restore(target);
                restoredBlocks++;
                continue;
            }
            throw new CorruptCacheException("page-map node", device.name(), leaf.block,
                "entry " + slot + " (object " + objectId + ", page " + page + ")",
                "points at block " + target + ", " + problem);
        }
    }

    /**
     * @return true if {@code block} holds page {@code page} of the object with check value {@code crc}. Uses the node
     * buffer: call after decoding the node.
     */
    private boolean holdsPage(final long block, final long objectId, final long page, final int crc)
        throws IOException
    {
        device.read(block * layout.blockSize(), buffer.clear());
        return checksums.page(objectId, page, buffer.clear()) == crc;
    }

    private void readBlock(final long block) throws IOException
    {
        device.read(block * layout.blockSize(), buffer.clear());
        nodeReads++;
    }

    /**
     * A clean node is about to change: its block is freed (it stays readable by the commits on disk until they are
     * superseded) and it leaves the cache.
     */
    void retireNodeBlock(final long block)
    {
        if (block != 0)
        {
            cache.remove(block);
            allocator.free(block);
        }
    }

    void nodeDirtied()
    {
        dirtyNodes++;
    }

    /**
     * A dirty node was dropped before being written (emptied or part of a removed subtree).
     */
    void dirtyNodeDropped()
    {
        dirtyNodes--;
    }

    /**
     * Writes a dirty index node (its dirty children already written) to a new block.
     *
     * @return the pointer; the node's check value is left in {@link #lastCrc()}.
     */
    long writeIndex(final IndexNodeData node) throws IOException
    {
        final long block = allocateMetadataBlock();
        indexNode.wrap(buffer, layout.blockSize())
            .init(node.isLeaf() ? IndexNode.KIND_LEAF : IndexNode.KIND_BRANCH, node.level, generation + 1, block);
        if (node.isLeaf())
        {
            for (final ObjectRecord record : node.records)
            {
                if (!record.encode(indexNode))
                {
                    throw new IllegalStateException("index leaf overflow at block " + block);
                }
            }
        }
        else
        {
            for (final IndexNodeData.Entry entry : node.entries)
            {
                if (!indexNode.appendBranch(entry.parentId, entry.key, entry.pointer, entry.crc))
                {
                    throw new IllegalStateException("index branch overflow at block " + block);
                }
            }
        }
        lastCrc = indexNode.seal();
        writeBlock(block);
        node.block = block;
        node.dirty = false;
        cache.put(block, node);
        return BlockPointer.encode(block, node.isLeaf() ? BlockPointer.KIND_INDEX_LEAF : BlockPointer.KIND_INDEX_BRANCH);
    }

    /**
     * Writes a dirty page-map node (its dirty children already written) to a new block.
     *
     * @return the pointer; the node's check value is left in {@link #lastCrc()}.
     */
    long writePageMap(final PageMapNodeData node, final long objectId) throws IOException
    {
        final long block = allocateMetadataBlock();
        pageMapNode.wrap(buffer, layout.blockSize()).init(node.level, objectId, node.firstPage, generation + 1, block);
        for (int slot = 0; slot < node.pointers.length; slot++)
        {
            if (node.pointers[slot] != BlockPointer.NULL)
            {
                pageMapNode.entry(slot, node.pointers[slot], node.crcs[slot]);
            }
        }
        lastCrc = pageMapNode.seal();
        writeBlock(block);
        node.block = block;
        node.dirty = false;
        cache.put(block, node);
        return BlockPointer.encode(block, node.level == 0 ? BlockPointer.KIND_PAGEMAP_LEAF :
            BlockPointer.KIND_PAGEMAP_BRANCH);
    }

    private int lastCrc;

    int lastCrc()
    {
        return lastCrc;
    }

    private long allocateMetadataBlock()
    {
        final long block = allocator.allocate(-1, false);
        if (block < 0)
        {
            // The store keeps a reserve for every dirty node, so this is a broken invariant, not a full cache.
            throw new IllegalStateException("no block left for metadata: " + dirtyNodes + " dirty nodes");
        }
        allocator.markNode(block);
        return block;
    }

    /** Node blocks a commit gathers into one write when they are consecutive (they usually are: see allocate). */
    static final int GATHER_BLOCKS = WriteRun.MAX_BLOCKS;

    private ByteBuffer gather;
    private long gatherFirst;
    private int gatherCount;

    /**
     * Adds the encoded node to the gathered write if its block follows the gathered ones, else writes those first.
     * The nodes reach the device by {@link #flushWrites()}, which the commit calls before its flush.
     */
    private void writeBlock(final long block) throws IOException
    {
        final int blockSize = layout.blockSize();
        if (gatherCount > 0 && (block != gatherFirst + gatherCount || gatherCount == GATHER_BLOCKS))
        {
            flushWrites();
        }
        if (gather == null)
        {
            gather = AlignedBuffers.allocate(blockSize * GATHER_BLOCKS, blockSize);
        }
        if (gatherCount == 0)
        {
            gatherFirst = block;
        }
        gather.clear().put(gatherCount * blockSize, buffer, 0, blockSize);
        gatherCount++;
        nodeWrites++;
    }

    /**
     * Forgets node blocks gathered by a commit that failed before writing them.
     */
    void discardWrites()
    {
        gatherCount = 0;
    }

    /**
     * Writes the gathered node blocks, one I/O.
     */
    void flushWrites() throws IOException
    {
        if (gatherCount == 0)
        {
            return;
        }
        final int count = gatherCount;
        gatherCount = 0;
        device.write(gatherFirst * layout.blockSize(), gather.clear().limit(count * layout.blockSize()));
    }

    /**
     * The commit that wrote the dirty nodes is durable.
     */
    void committed(final long generation)
    {
        this.generation = generation;
        dirtyNodes = 0;
    }
}
