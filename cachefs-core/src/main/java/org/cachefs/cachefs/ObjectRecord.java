package org.cachefs.cachefs;

import java.util.Arrays;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.IndexNode;

/**
 * One object of the index: its key, coherency data, limits and the root of its page map, as stored in an index leaf
 * entry. While an object is in use (looked up by the core) or has changes not yet committed, the store keeps one live
 * instance of it; index leaves decoded later refer to the same instance.
 * <p>
 * Threading: mutated only under the {@link CacheStore} lock.
 */
final class ObjectRecord
{
    final long parentId;
    final byte[] key;
    final long objectId;
    int type;
    byte[] aux;
    int flags;
    long objectSize;
    long reservedBytes;
    /** Last access, in microseconds since the epoch (unique per access within a mount, for LRU order). */
    long accessTime;
    /**
     * Last access of each range of {@link CacheStore#rangePages()} pages, while in memory (not stored): what culling
     * of a large object goes by. Grown under the store lock; readers update entries that exist.
     */
    volatile long[] rangeAccess;
    /** Pages written but still in memory, on their way to consecutive blocks (guarded by the store lock). */
    WriteRun run;
    /** The access time last written to the index. */
    long committedAccessTime;
    long pageCount;

    /** On-disk page-map root, its check value and the tree height (0: no pages). */
    long pageMapRoot = BlockPointer.NULL;
    int pageMapRootCrc;
    int pageMapHeight;

    /** The decoded root while pages are looked up or changed; null until needed. */
    PageMapNodeData pageMapRootNode;

    /** Users of the live instance (lookups not yet released). */
    /**
     * Bumped when every page of the object changes at once (discard, truncation, retirement, a dropped page map): the
     * RAM tier's copies of its pages must carry the current value. Written under the store lock; read by any thread.
     */
    volatile int ramEpoch;

    /**
     * Whether the RAM tier ever took a page of the object: until then a read does not look there (a fill's misses
     * then cost no probe of the tier). Set by the tier before the first page it takes becomes visible; never cleared.
     */
    volatile boolean inRamTier;

    int users;
    /** Fields changed since the last commit. */
    boolean dirty;
    /** Removed from the index; its blocks are freed. */
    boolean retired;
    /** The block of the last page written, where the next page's block is looked for first (not stored). */
    long lastBlock;

    ObjectRecord(final long parentId, final byte[] key, final long objectId)
    {
        this.parentId = parentId;
        this.key = key;
        this.objectId = objectId;
    }

    boolean pinned()
    {
        return (flags & IndexNode.FLAG_PINNED) != 0;
    }

    int compareTo(final long otherParent, final byte[] otherKey)
    {
        return IndexNode.compareKeys(parentId, key, otherParent, otherKey);
    }

    int entryLength()
    {
        return IndexNode.leafEntryLength(key.length, aux.length) + IndexNode.SLOT_LENGTH;
    }

    static ObjectRecord decode(final IndexNode node, final int i)
    {
        final ObjectRecord record = new ObjectRecord(node.parentId(i), node.key(i), node.objectId(i));
        record.type = node.type(i);
        record.aux = node.aux(i);
        record.flags = node.flags(i);
        record.objectSize = node.objectSize(i);
        record.reservedBytes = node.reservedBytes(i);
        record.accessTime = node.accessTime(i);
        record.committedAccessTime = record.accessTime;
        record.pageCount = node.pageCount(i);
        record.pageMapRoot = node.pageMapRoot(i);
        record.pageMapRootCrc = node.pageMapRootCrc(i);
        record.pageMapHeight = node.pageMapHeight(i);
        return record;
    }

    boolean encode(final IndexNode node)
    {
        return node.appendLeaf(parentId, key, aux, type, flags, objectId, objectSize, reservedBytes, accessTime,
            pageMapRoot, pageMapRootCrc, pageMapHeight, pageCount);
    }

    @Override
    public String toString()
    {
        return "ObjectRecord{id=" + objectId + ", parent=" + parentId + ", key=" + Arrays.toString(key) +
            ", type=" + type + ", pages=" + pageCount + '}';
    }
}
