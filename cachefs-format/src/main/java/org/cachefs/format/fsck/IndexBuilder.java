package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.IndexNode;
import org.cachefs.format.device.AlignedBuffers;

/**
 * Bulk-loads a new index B+tree from object records given in key order: leaves are filled and written as they
 * fill, each written node becomes an entry (its smallest key, pointer and CRC32C) of the open node one level up, and
 * {@link #finish()} writes the open nodes bottom up. A level that never filled a node is the root, so the root is a
 * branch only if it has two entries or more. Memory: one block per level.
 * <p>
 * Not thread-safe.
 */
final class IndexBuilder
{
    /**
     * The root of a finished tree: a null pointer with height 0 when no record was added.
     */
    record Root(long pointer, int crc, int height)
    {
    }

    private final NodeWriter writer;
    private final int blockSize;
    private final long generation;
    private final int alignment;
    private final List<Level> levels = new ArrayList<>();

    private static final class Level
    {
        final ByteBuffer buffer;
        final IndexNode node = new IndexNode();
        boolean open;
        long block;
        long firstParent;
        byte[] firstKey;

        Level(final int blockSize, final int alignment)
        {
            this.buffer = AlignedBuffers.allocate(blockSize, alignment);
        }
    }

    IndexBuilder(final NodeWriter writer, final int blockSize, final int alignment, final long generation)
    {
        this.writer = writer;
        this.blockSize = blockSize;
        this.generation = generation;
        this.alignment = alignment;
    }

    /**
     * Appends an object record; records must come in strictly increasing key order.
     */
    void add(
        final long parentId,
        final byte[] key,
        final byte[] aux,
        final int type,
        final int flags,
        final long objectId,
        final long objectSize,
        final long reservedBytes,
        final long accessTime,
        final long pageMapRoot,
        final int pageMapRootCrc,
        final int pageMapHeight,
        final long pageCount) throws IOException
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final Level leaf = open(0, parentId, key);
            if (leaf.node.appendLeaf(parentId, key, aux, type, flags, objectId, objectSize, reservedBytes, accessTime,
                pageMapRoot, pageMapRootCrc, pageMapHeight, pageCount))
            {
                return;
            }
            close(0);
        }
        throw new IllegalStateException("object record of " + (key.length + aux.length) + " bytes of key and aux " +
            "does not fit an empty index leaf");
    }

    private void addBranch(final int level, final long parentId, final byte[] key, final long child, final int crc)
        throws IOException
    {
        for (int attempt = 0; attempt < 2; attempt++)
        {
            final Level branch = open(level, parentId, key);
            if (branch.node.appendBranch(parentId, key, child, crc))
            {
                return;
            }
            close(level);
        }
        throw new IllegalStateException("branch entry does not fit an empty index branch");
    }

    /**
     * @return the open node of {@code level}, opened (with {@code parentId, key} as its smallest key) if none is.
     */
    private Level open(final int level, final long parentId, final byte[] key) throws IOException
    {
        if (level >= CommitRecord.MAX_INDEX_HEIGHT)
        {
            throw new IllegalStateException("index taller than " + CommitRecord.MAX_INDEX_HEIGHT + " levels");
        }
        while (levels.size() <= level)
        {
            levels.add(new Level(blockSize, alignment));
        }
        final Level at = levels.get(level);
        if (!at.open)
        {
            at.block = writer.allocate();
            at.node.wrap(at.buffer, blockSize).init(level == 0 ? IndexNode.KIND_LEAF : IndexNode.KIND_BRANCH, level,
                generation, at.block);
            at.open = true;
            at.firstParent = parentId;
            at.firstKey = key;
        }
        return at;
    }

    /**
     * Writes the open node of {@code level} and enters it in the level above.
     */
    private void close(final int level) throws IOException
    {
        final Level at = levels.get(level);
        final int crc = write(at);
        addBranch(level + 1, at.firstParent, at.firstKey, pointer(level, at.block), crc);
    }

    private int write(final Level at) throws IOException
    {
        final int crc = at.node.seal();
        writer.write(at.block, at.buffer.clear());
        at.open = false;
        return crc;
    }

    private static long pointer(final int level, final long block)
    {
        return BlockPointer.encode(block, level == 0 ? BlockPointer.KIND_INDEX_LEAF : BlockPointer.KIND_INDEX_BRANCH);
    }

    /**
     * Writes every open node, bottom up.
     *
     * @return the root.
     */
    Root finish() throws IOException
    {
        for (int level = 0; level < levels.size(); level++)
        {
            final Level at = levels.get(level);
            if (!at.open)
            {
                continue;
            }
            if (level == levels.size() - 1)
            {
                final int crc = write(at);
                return new Root(pointer(level, at.block), crc, level + 1);
            }
            close(level);
        }
        return new Root(BlockPointer.NULL, 0, 0);
    }
}
