package org.cachefs.cachefs;

import java.util.ArrayList;

import org.cachefs.format.IndexNode;
import org.cachefs.format.MetadataBlock;

/**
 * A decoded index node. Clean nodes are immutable and shared through the {@link NodeCache}; a node about to change is
 * first copied ({@link #mutableCopy()}) and stays in memory, referenced from its dirty parent, until the next commit
 * writes it to a new block.
 */
final class IndexNodeData
{
    /**
     * A branch's reference to a child: the smallest key of the child's subtree, where the child is on disk, and the
     * child itself while it is dirty.
     */
    static final class Entry
    {
        final long parentId;
        final byte[] key;
        long pointer;
        int crc;
        IndexNodeData dirtyChild;

        Entry(final long parentId, final byte[] key, final long pointer, final int crc)
        {
            this.parentId = parentId;
            this.key = key;
            this.pointer = pointer;
            this.crc = crc;
        }

        int length()
        {
            return IndexNode.branchEntryLength(key.length) + IndexNode.SLOT_LENGTH;
        }
    }

    final int level;
    final ArrayList<ObjectRecord> records;
    final ArrayList<Entry> entries;
    /** Block this node was read from, or 0 for a node never written. */
    long block;
    boolean dirty;

    IndexNodeData(final int level)
    {
        this.level = level;
        this.records = level == 0 ? new ArrayList<>() : null;
        this.entries = level > 0 ? new ArrayList<>() : null;
    }

    boolean isLeaf()
    {
        return level == 0;
    }

    int size()
    {
        return isLeaf() ? records.size() : entries.size();
    }

    /**
     * @return the bytes the node takes when encoded.
     */
    int encodedLength()
    {
        int length = MetadataBlock.HEADER_LENGTH;
        if (isLeaf())
        {
            for (int i = 0; i < records.size(); i++)
            {
                length += records.get(i).entryLength();
            }
        }
        else
        {
            for (int i = 0; i < entries.size(); i++)
            {
                length += entries.get(i).length();
            }
        }
        return length;
    }

    long firstParentId()
    {
        return isLeaf() ? records.get(0).parentId : entries.get(0).parentId;
    }

    byte[] firstKey()
    {
        return isLeaf() ? records.get(0).key : entries.get(0).key;
    }

    static IndexNodeData decode(final IndexNode node, final long block)
    {
        final IndexNodeData data = new IndexNodeData(node.level());
        final int count = node.count();
        for (int i = 0; i < count; i++)
        {
            if (data.isLeaf())
            {
                data.records.add(ObjectRecord.decode(node, i));
            }
            else
            {
                data.entries.add(new Entry(node.parentId(i), node.key(i), node.child(i), node.childCrc(i)));
            }
        }
        data.block = block;
        return data;
    }

    IndexNodeData mutableCopy()
    {
        final IndexNodeData copy = new IndexNodeData(level);
        if (isLeaf())
        {
            copy.records.addAll(records);
        }
        else
        {
            for (final Entry entry : entries)
            {
                final Entry e = new Entry(entry.parentId, entry.key, entry.pointer, entry.crc);
                e.dirtyChild = entry.dirtyChild;
                copy.entries.add(e);
            }
        }
        copy.block = block;
        copy.dirty = true;
        return copy;
    }
}
