package org.cachefs.cachefs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.cachefs.format.BlockPointer;

/**
 * The index: a copy-on-write B+tree of {@link ObjectRecord}s keyed by (parent object id, netfs key). Lookups read only
 * the path they need, through the node cache. A change copies the nodes on its path into memory (their old blocks are
 * freed, to be reused only once no commit on disk refers to them) and the next commit writes them to new blocks,
 * children before parents. Nodes split when they overflow a block and are dropped when they empty; a root branch with
 * one child gives way to the child.
 * <p>
 * Threading: owned by {@link CacheStore} and used only under its lock.
 */
final class IndexTree
{
    private final MetadataIo io;
    private long rootPointer;
    private int rootCrc;
    private int height;
    private IndexNodeData dirtyRoot;

    IndexTree(final MetadataIo io, final long rootPointer, final int rootCrc, final int height)
    {
        this.io = io;
        this.rootPointer = rootPointer;
        this.rootCrc = rootCrc;
        this.height = height;
    }

    int rootCrc()
    {
        return rootCrc;
    }

    long rootPointer()
    {
        return rootPointer;
    }

    int height()
    {
        return height;
    }

    /**
     * @return the record with this key, or null.
     */
    ObjectRecord find(final long parentId, final byte[] key) throws IOException
    {
        IndexNodeData node = readRoot();
        if (node == null)
        {
            return null;
        }
        while (!node.isLeaf())
        {
            node = child(node, childIndex(node, parentId, key));
        }
        final int at = search(node, parentId, key);
        return at >= 0 ? node.records.get(at) : null;
    }

    /**
     * @return every record whose parent is {@code parentId}, in key order.
     */
    List<ObjectRecord> children(final long parentId) throws IOException
    {
        final List<ObjectRecord> found = new ArrayList<>();
        final IndexNodeData root = readRoot();
        if (root != null)
        {
            collect(root, parentId, found);
        }
        return found;
    }

    private void collect(final IndexNodeData node, final long parentId, final List<ObjectRecord> found)
        throws IOException
    {
        if (node.isLeaf())
        {
            for (final ObjectRecord record : node.records)
            {
                if (record.parentId == parentId)
                {
                    found.add(record);
                }
            }
            return;
        }
        final int size = node.entries.size();
        for (int i = 0; i < size; i++)
        {
            final IndexNodeData.Entry entry = node.entries.get(i);
            final long next = i + 1 < size ? node.entries.get(i + 1).parentId : Long.MAX_VALUE;
            // Child i holds keys in [entry i, entry i+1): it may hold parentId if the range covers it.
            final boolean startsAfter = i > 0 && Long.compareUnsigned(entry.parentId, parentId) > 0;
            final boolean endsBefore = i + 1 < size && Long.compareUnsigned(next, parentId) < 0;
            if (!startsAfter && !endsBefore)
            {
                collect(child(node, i), parentId, found);
            }
        }
    }

    /**
     * Visits every record (for statistics and checks).
     */
    void forEach(final java.util.function.Consumer<ObjectRecord> visitor) throws IOException
    {
        final IndexNodeData root = readRoot();
        if (root != null)
        {
            visit(root, visitor);
        }
    }

    private void visit(final IndexNodeData node, final java.util.function.Consumer<ObjectRecord> visitor)
        throws IOException
    {
        if (node.isLeaf())
        {
            for (int i = 0; i < node.records.size(); i++)
            {
                visitor.accept(node.records.get(i));
            }
            return;
        }
        for (int i = 0; i < node.entries.size(); i++)
        {
            visit(child(node, i), visitor);
        }
    }

    /**
     * Checks the tree's invariants in memory: keys strictly increasing within and across nodes, every key of a child
     * at least its separator and below the next one, levels consistent, no node over a block.
     *
     * @throws IllegalStateException naming the first violation.
     */
    void checkInvariants() throws IOException
    {
        final IndexNodeData root = readRoot();
        if (root != null)
        {
            check(root, height - 1, null, null, new ObjectRecord[1]);
        }
    }

    private void check(
        final IndexNodeData node, final int level, final IndexNodeData.Entry low, final IndexNodeData.Entry high,
        final ObjectRecord[] previous) throws IOException
    {
        if (node.level != level)
        {
            throw new IllegalStateException("node at level " + node.level + " where " + level + " expected");
        }
        if (node.encodedLength() > io.blockSize() || node.size() == 0)
        {
            throw new IllegalStateException("node of " + node.size() + " entries, " + node.encodedLength() + " bytes");
        }
        if (node.isLeaf())
        {
            for (final ObjectRecord record : node.records)
            {
                if (previous[0] != null && previous[0].compareTo(record.parentId, record.key) >= 0)
                {
                    throw new IllegalStateException("records out of order: " + previous[0] + " then " + record);
                }
                if (low != null && record.compareTo(low.parentId, low.key) < 0 ||
                    high != null && record.compareTo(high.parentId, high.key) >= 0)
                {
                    throw new IllegalStateException("record " + record + " outside its node's key range");
                }
                previous[0] = record;
            }
            return;
        }
        for (int i = 0; i < node.entries.size(); i++)
        {
            final IndexNodeData.Entry entry = node.entries.get(i);
            final IndexNodeData.Entry next = i + 1 < node.entries.size() ? node.entries.get(i + 1) : high;
            if (next != null && org.cachefs.format.IndexNode.compareKeys(entry.parentId, entry.key, next.parentId,
                next.key) >= 0)
            {
                throw new IllegalStateException("separators out of order at level " + node.level + " entry " + i);
            }
            check(child(node, i), level - 1, i == 0 ? low : entry, next, previous);
        }
    }

    /**
     * Inserts a record whose key is not in the tree, or replaces the entry with the same key.
     */
    void put(final ObjectRecord record) throws IOException
    {
        if (readRoot() == null)
        {
            final IndexNodeData leaf = new IndexNodeData(0);
            leaf.dirty = true;
            io.nodeDirtied();
            leaf.records.add(record);
            dirtyRoot = leaf;
            height = 1;
            return;
        }
        final List<IndexNodeData> path = new ArrayList<>(height);
        final List<Integer> slots = new ArrayList<>(height);
        IndexNodeData node = writableRoot();
        while (!node.isLeaf())
        {
            final int i = childIndex(node, record.parentId, record.key);
            final IndexNodeData.Entry first = node.entries.get(0);
            if (i == 0 && record.compareTo(first.parentId, first.key) < 0)
            {
                // Keep each separator the smallest key of its subtree, so that splits keep separators in order.
                final IndexNodeData.Entry lowered = new IndexNodeData.Entry(record.parentId, record.key,
                    first.pointer, first.crc);
                lowered.dirtyChild = first.dirtyChild;
                node.entries.set(0, lowered);
            }
            path.add(node);
            slots.add(i);
            node = writableChild(node, i);
        }
        final int at = search(node, record.parentId, record.key);
        if (at >= 0)
        {
            node.records.set(at, record);
        }
        else
        {
            node.records.add(-at - 1, record);
        }
        splitUpwards(node, path, slots);
    }

    /**
     * Removes the entry with this key, if any.
     *
     * @return true if there was one.
     */
    boolean remove(final long parentId, final byte[] key) throws IOException
    {
        if (find(parentId, key) == null)
        {
            return false;
        }
        final List<IndexNodeData> path = new ArrayList<>(height);
        final List<Integer> slots = new ArrayList<>(height);
        IndexNodeData node = writableRoot();
        while (!node.isLeaf())
        {
            final int i = childIndex(node, parentId, key);
            path.add(node);
            slots.add(i);
            node = writableChild(node, i);
        }
        node.records.remove(search(node, parentId, key));
        // Drop emptied nodes from their parents, bottom up.
        IndexNodeData emptied = node;
        for (int level = path.size() - 1; level >= 0 && emptied.size() == 0; level--)
        {
            final IndexNodeData parent = path.get(level);
            parent.entries.remove((int)slots.get(level));
            io.dirtyNodeDropped();
            emptied = parent;
        }
        if (dirtyRoot.size() == 0)
        {
            dirtyRoot = null;
            io.dirtyNodeDropped();
            rootPointer = BlockPointer.NULL;
            rootCrc = 0;
            height = 0;
        }
        while (dirtyRoot != null && !dirtyRoot.isLeaf() && dirtyRoot.entries.size() == 1)
        {
            dirtyRoot = writableChild(dirtyRoot, 0);
            io.dirtyNodeDropped();
            height--;
        }
        return true;
    }

    /**
     * Writes every dirty node, children first, and makes the new root current for the commit being built.
     */
    void write() throws IOException
    {
        if (dirtyRoot == null)
        {
            return;
        }
        rootPointer = writeSubtree(dirtyRoot);
        rootCrc = io.lastCrc();
        dirtyRoot = null;
    }

    private long writeSubtree(final IndexNodeData node) throws IOException
    {
        if (!node.isLeaf())
        {
            for (final IndexNodeData.Entry entry : node.entries)
            {
                if (entry.dirtyChild != null)
                {
                    entry.pointer = writeSubtree(entry.dirtyChild);
                    entry.crc = io.lastCrc();
                    entry.dirtyChild = null;
                }
            }
        }
        return io.writeIndex(node);
    }

    private IndexNodeData readRoot() throws IOException
    {
        if (dirtyRoot != null)
        {
            return dirtyRoot;
        }
        if (rootPointer == BlockPointer.NULL)
        {
            return null;
        }
        return io.loadIndex(rootPointer, rootCrc, height - 1);
    }

    private IndexNodeData writableRoot() throws IOException
    {
        if (dirtyRoot == null)
        {
            final IndexNodeData clean = readRoot();
            dirtyRoot = makeWritable(clean);
        }
        return dirtyRoot;
    }

    private IndexNodeData child(final IndexNodeData branch, final int i) throws IOException
    {
        final IndexNodeData.Entry entry = branch.entries.get(i);
        if (entry.dirtyChild != null)
        {
            return entry.dirtyChild;
        }
        return io.loadIndex(entry.pointer, entry.crc, branch.level - 1);
    }

    private IndexNodeData writableChild(final IndexNodeData branch, final int i) throws IOException
    {
        final IndexNodeData.Entry entry = branch.entries.get(i);
        if (entry.dirtyChild == null)
        {
            entry.dirtyChild = makeWritable(io.loadIndex(entry.pointer, entry.crc, branch.level - 1));
        }
        return entry.dirtyChild;
    }

    private IndexNodeData makeWritable(final IndexNodeData clean)
    {
        final IndexNodeData copy = clean.mutableCopy();
        io.retireNodeBlock(clean.block);
        copy.block = 0;
        io.nodeDirtied();
        return copy;
    }

    private void splitUpwards(final IndexNodeData leaf, final List<IndexNodeData> path, final List<Integer> slots)
    {
        IndexNodeData node = leaf;
        for (int level = path.size() - 1; level >= -1; level--)
        {
            if (node.encodedLength() <= io.blockSize())
            {
                return;
            }
            final IndexNodeData right = split(node);
            final IndexNodeData.Entry rightEntry = new IndexNodeData.Entry(right.firstParentId(), right.firstKey(),
                BlockPointer.NULL, 0);
            rightEntry.dirtyChild = right;
            if (level >= 0)
            {
                final IndexNodeData parent = path.get(level);
                parent.entries.add(slots.get(level) + 1, rightEntry);
                node = parent;
            }
            else
            {
                final IndexNodeData root = new IndexNodeData(node.level + 1);
                root.dirty = true;
                io.nodeDirtied();
                final IndexNodeData.Entry leftEntry = new IndexNodeData.Entry(node.firstParentId(), node.firstKey(),
                    BlockPointer.NULL, 0);
                leftEntry.dirtyChild = node;
                root.entries.add(leftEntry);
                root.entries.add(rightEntry);
                dirtyRoot = root;
                height++;
                node = root;
            }
        }
    }

    /**
     * Moves the upper half (by encoded bytes) of an overflowing node into a new right sibling.
     */
    private IndexNodeData split(final IndexNodeData node)
    {
        final IndexNodeData right = new IndexNodeData(node.level);
        right.dirty = true;
        io.nodeDirtied();
        final int total = node.encodedLength();
        int length = org.cachefs.format.MetadataBlock.HEADER_LENGTH;
        int keep = 0;
        final int size = node.size();
        while (keep < size - 1)
        {
            final int entry = node.isLeaf() ? node.records.get(keep).entryLength() : node.entries.get(keep).length();
            if (length + entry > total / 2 + org.cachefs.format.MetadataBlock.HEADER_LENGTH / 2 && keep > 0)
            {
                break;
            }
            length += entry;
            keep++;
        }
        if (node.isLeaf())
        {
            final List<ObjectRecord> moved = node.records.subList(keep, size);
            right.records.addAll(moved);
            moved.clear();
        }
        else
        {
            final List<IndexNodeData.Entry> moved = node.entries.subList(keep, size);
            right.entries.addAll(moved);
            moved.clear();
        }
        return right;
    }

    private static int childIndex(final IndexNodeData branch, final long parentId, final byte[] key)
    {
        int low = 1;
        int high = branch.entries.size() - 1;
        int found = 0;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final IndexNodeData.Entry entry = branch.entries.get(mid);
            if (org.cachefs.format.IndexNode.compareKeys(entry.parentId, entry.key, parentId, key) <= 0)
            {
                found = mid;
                low = mid + 1;
            }
            else
            {
                high = mid - 1;
            }
        }
        return found;
    }

    /**
     * @return the index of the record with this key, or {@code -(insertion point) - 1}.
     */
    private static int search(final IndexNodeData leaf, final long parentId, final byte[] key)
    {
        int low = 0;
        int high = leaf.records.size() - 1;
        while (low <= high)
        {
            final int mid = (low + high) >>> 1;
            final int cmp = leaf.records.get(mid).compareTo(parentId, key);
            if (cmp < 0)
            {
                low = mid + 1;
            }
            else if (cmp > 0)
            {
                high = mid - 1;
            }
            else
            {
                return mid;
            }
        }
        return -(low + 1);
    }
}
