package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.agrona.collections.LongHashSet;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.IndexNode;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * Walks the index B+tree of a commit depth first, in key order, validating every node ({@link IndexNode#verify}:
 * header, CRC32C recorded by the parent, level, entries), the key range each node's parent gives it (separators),
 * and the order of records across leaves. A node met a second time is not entered again, so a damaged tree cannot
 * make the walk loop or repeat. Iterative, one buffer per level: memory and stack depth are bounded by
 * {@link CommitRecord#MAX_INDEX_HEIGHT}, plus one entry per index node visited.
 * <p>
 * The walk depends only on the image, never on what the listener does, so two walks of an unchanged image meet the
 * same records in the same order.
 */
final class IndexWalker
{
    /**
     * What a walk reports.
     */
    interface Listener
    {
        /**
         * A node referenced a second time (by {@code referrer}); it is not entered again.
         */
        void nodeRevisited(long block, int level, String referrer) throws IOException;

        /**
         * A node failed validation; the records below it are not visited.
         */
        void nodeCorrupt(long block, int level, String referrer, CorruptCacheException error) throws IOException;

        /**
         * A node passed validation.
         */
        void nodeVerified(long block, int level, String referrer) throws IOException;

        /**
         * The first or last key of a node lies outside the range {@code referrer} gives it.
         */
        void separatorViolated(long block, int level, String referrer) throws IOException;

        /**
         * Record {@code entry} of {@code leaf} (at {@code block}).
         *
         * @param inOrder          false if its key is not above the last record in order before it.
         * @param previousObjectId the object id of that record, or 0 for none.
         */
        void record(IndexNode leaf, long block, int entry, boolean inOrder, long previousObjectId) throws IOException;
    }

    private final BlockDevice device;
    private final RegionLayout layout;
    private final CommitRecord commit;
    private final int blockSize;
    private final int alignment;
    private final ByteBuffer[] buffers = new ByteBuffer[CommitRecord.MAX_INDEX_HEIGHT];
    private final IndexNode[] nodes = new IndexNode[CommitRecord.MAX_INDEX_HEIGHT];
    private final long[] blocks = new long[CommitRecord.MAX_INDEX_HEIGHT];
    private final int[] next = new int[CommitRecord.MAX_INDEX_HEIGHT];
    private final long[] highParents = new long[CommitRecord.MAX_INDEX_HEIGHT];
    private final byte[][] highKeys = new byte[CommitRecord.MAX_INDEX_HEIGHT][];
    private final LongHashSet visited = new LongHashSet();
    private long lastParent;
    private byte[] lastKey;
    private long lastObjectId;
    private boolean complete;

    IndexWalker(final BlockDevice device, final RegionLayout layout, final CommitRecord commit)
    {
        this.device = device;
        this.layout = layout;
        this.commit = commit;
        this.blockSize = layout.blockSize();
        this.alignment = Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT);
    }

    /**
     * @return true if the last walk met every node once and every node was valid.
     */
    boolean complete()
    {
        return complete;
    }

    void walk(final Listener listener) throws IOException
    {
        visited.clear();
        lastKey = null;
        lastObjectId = 0;
        complete = true;
        final long root = commit.indexRoot();
        if (root == BlockPointer.NULL)
        {
            return;
        }
        final int height = commit.indexHeight();
        int top = height - 1;
        if (!enter(top, BlockPointer.block(root), commit.indexRootCrc(), 0, null, 0, null, "the commit record",
            listener))
        {
            return;
        }
        while (top < height)
        {
            final IndexNode node = nodes[top];
            final int i = next[top];
            if (i >= node.count())
            {
                top++;
                continue;
            }
            next[top] = i + 1;
            final boolean last = i + 1 >= node.count();
            final long highParent = last ? highParents[top] : node.parentId(i + 1);
            final byte[] highKey = last ? highKeys[top] : node.key(i + 1);
            if (enter(top - 1, BlockPointer.block(node.child(i)), node.childCrc(i), node.parentId(i), node.key(i),
                highParent, highKey, "index branch at block " + blocks[top] + " entry " + i, listener))
            {
                top--;
            }
        }
    }

    /**
     * Reads, validates and reports a node; a leaf's records are reported at once.
     *
     * @return true if the node is a branch to descend into.
     */
    private boolean enter(
        final int level,
        final long block,
        final int crc,
        final long lowParent,
        final byte[] lowKey,
        final long highParent,
        final byte[] highKey,
        final String referrer,
        final Listener listener) throws IOException
    {
        if (!visited.add(block))
        {
            complete = false;
            listener.nodeRevisited(block, level, referrer);
            return false;
        }
        if (buffers[level] == null)
        {
            buffers[level] = AlignedBuffers.allocate(blockSize, alignment);
            nodes[level] = new IndexNode();
        }
        final ByteBuffer buffer = buffers[level];
        device.read(block * blockSize, buffer.clear());
        final IndexNode node = nodes[level].wrap(buffer, blockSize);
        try
        {
            node.verify(device.name(), block, commit.generation(), level, crc, layout);
        }
        catch (final CorruptCacheException ex)
        {
            complete = false;
            listener.nodeCorrupt(block, level, referrer, ex);
            return false;
        }
        catch (final RuntimeException ex)
        {
            complete = false;
            listener.nodeCorrupt(block, level, referrer, new CorruptCacheException("index node", device.name(), block,
                "contents", "unreadable (" + ex + ")"));
            return false;
        }
        listener.nodeVerified(block, level, referrer);
        final int count = node.count();
        if (count > 0 && ((lowKey != null && node.compare(0, lowParent, lowKey) < 0) ||
            (highKey != null && node.compare(count - 1, highParent, highKey) >= 0)))
        {
            listener.separatorViolated(block, level, referrer);
        }
        blocks[level] = block;
        if (level > 0)
        {
            next[level] = 0;
            highParents[level] = highParent;
            highKeys[level] = highKey;
            return true;
        }
        for (int i = 0; i < count; i++)
        {
            final boolean inOrder = lastKey == null || node.compare(i, lastParent, lastKey) > 0;
            final long previous = lastObjectId;
            if (inOrder)
            {
                lastParent = node.parentId(i);
                lastKey = node.key(i);
                lastObjectId = node.objectId(i);
            }
            listener.record(node, block, i, inOrder, previous);
        }
        return false;
    }
}
