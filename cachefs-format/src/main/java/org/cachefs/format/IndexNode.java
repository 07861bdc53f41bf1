package org.cachefs.format;

import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * Flyweight over a node of the index B+tree, which maps (parent object id, netfs key) to an object record. Nodes are
 * copy-on-write: a committed node is never rewritten; a change writes a new node and a new path up to the root.
 * <p>
 * A node is slotted: after the {@link MetadataBlock} header comes an array of {@code count} 2-byte entry offsets, in
 * key order; entries are packed from the end of the block downwards ({@code free end} is the lowest entry offset).
 * Header fields: kind {@link #KIND_LEAF} or {@link #KIND_BRANCH}, level 0 for leaves and the height above the leaves
 * for branches, owner 0, first 0.
 *
 * <pre>
 *   0        64            64 + 2 * count               free end                      block size
 *   +--------+-------------+----------------------------+---------+---------+----------+
 *   | header | slot offsets|        free space          | entry n | ...     | entry 0  |
 *   +--------+-------------+----------------------------+---------+---------+----------+
 *
 * leaf entry (object record), 72 bytes + key + aux:
 *   0 parent id | 8 object id | 16 object size | 24 reserved bytes | 32 access time (µs since the epoch) |
 *  40 page-map root pointer | 48 page count | 56 key length (2) | 58 aux length (2) |
 *  60 type (1) | 61 flags (1) | 62 page-map height (1) | 63 reserved (1) | 64 page-map root crc32c (4) |
 *  68 reserved (4) | 72 key | aux
 *
 * branch entry, 24 bytes + key: the smallest key of the child's subtree and a pointer to it.
 *   0 child pointer | 8 child crc32c (4) | 12 key length (2) | 14 reserved (2) | 16 parent id | 24 key
 * </pre>
 * Keys order by parent id (unsigned), then key bytes (unsigned, lexicographic), then length.
 */
public final class IndexNode extends MetadataBlock
{
    /**
     * "CFSI" read as a little-endian int.
     */
    public static final int MAGIC = 0x49534643;
    /** Header kind of a leaf: its entries are object records. */
    public static final int KIND_LEAF = 1;
    /** Header kind of a branch: its entries point to child nodes. */
    public static final int KIND_BRANCH = 2;
    /** Object record flag: the object is pinned, never culled. */
    public static final int FLAG_PINNED = 1;
    /** Every object record flag this format version defines; any other bit set is corruption. */
    public static final int KNOWN_FLAGS = FLAG_PINNED;
    /** Largest object type (one byte). */
    public static final int MAX_TYPE = 255;
    /** Largest level of a node: the root of the tallest tree {@link CommitRecord#MAX_INDEX_HEIGHT} allows. */
    public static final int MAX_LEVEL = CommitRecord.MAX_INDEX_HEIGHT - 1;
    /** Offset of the slot array, right after the header. */
    public static final int SLOTS_OFFSET = HEADER_LENGTH;
    /** Length of one slot: the 2-byte offset of an entry. */
    public static final int SLOT_LENGTH = Short.BYTES;

    /** Offset in a leaf entry of the parent object's id (8 bytes). */
    public static final int LEAF_PARENT_OFFSET = 0;
    /** Offset in a leaf entry of the object's id (8 bytes). */
    public static final int LEAF_OBJECT_ID_OFFSET = 8;
    /** Offset in a leaf entry of the object's size in bytes (8 bytes). */
    public static final int LEAF_OBJECT_SIZE_OFFSET = 16;
    /** Offset in a leaf entry of the bytes reserved for the object (8 bytes). */
    public static final int LEAF_RESERVED_BYTES_OFFSET = 24;
    /** Offset in a leaf entry of the last access time, microseconds since the epoch (8 bytes). */
    public static final int LEAF_ACCESS_TIME_OFFSET = 32;
    /** Offset in a leaf entry of the pointer to the root of the object's page map (8 bytes). */
    public static final int LEAF_PAGEMAP_ROOT_OFFSET = 40;
    /** Offset in a leaf entry of the number of pages stored (8 bytes). */
    public static final int LEAF_PAGE_COUNT_OFFSET = 48;
    /** Offset in a leaf entry of the key length (2 bytes). */
    public static final int LEAF_KEY_LENGTH_OFFSET = 56;
    /** Offset in a leaf entry of the aux data length (2 bytes). */
    public static final int LEAF_AUX_LENGTH_OFFSET = 58;
    /** Offset in a leaf entry of the object type (1 byte). */
    public static final int LEAF_TYPE_OFFSET = 60;
    /** Offset in a leaf entry of the flags (1 byte, {@link #KNOWN_FLAGS}). */
    public static final int LEAF_FLAGS_OFFSET = 61;
    /** Offset in a leaf entry of the page map's height (1 byte). */
    public static final int LEAF_PAGEMAP_HEIGHT_OFFSET = 62;
    /** Offset in a leaf entry of a reserved byte, zero. */
    public static final int LEAF_RESERVED_OFFSET = 63;
    /** Offset in a leaf entry of the crc32c of the page map's root (4 bytes). */
    public static final int LEAF_PAGEMAP_CRC_OFFSET = 64;
    /** Offset in a leaf entry of 4 reserved bytes, zero. */
    public static final int LEAF_RESERVED2_OFFSET = 68;
    /** Length of a leaf entry before its key and aux data. */
    public static final int LEAF_FIXED_LENGTH = 72;

    /** Offset in a branch entry of the pointer to the child (8 bytes). */
    public static final int BRANCH_CHILD_OFFSET = 0;
    /** Offset in a branch entry of the child's crc32c (4 bytes). */
    public static final int BRANCH_CHILD_CRC_OFFSET = 8;
    /** Offset in a branch entry of the key length (2 bytes). */
    public static final int BRANCH_KEY_LENGTH_OFFSET = 12;
    /** Offset in a branch entry of 2 reserved bytes, zero. */
    public static final int BRANCH_RESERVED_OFFSET = 14;
    /** Offset in a branch entry of the parent id of the child's smallest key (8 bytes). */
    public static final int BRANCH_PARENT_OFFSET = 16;
    /** Length of a branch entry before its key. */
    public static final int BRANCH_FIXED_LENGTH = 24;

    /**
     * Largest leaf entry, with its slot: a node always has room for at least
     * {@code (blockSize - HEADER_LENGTH) / MAX_LEAF_ENTRY} entries.
     */
    public static final int MAX_LEAF_ENTRY = LEAF_FIXED_LENGTH + FormatVersion.MAX_KEY_AND_AUX + SLOT_LENGTH;

    private static final String STRUCTURE = "index node";

    /**
     * A flyweight over no block yet: {@link #wrap(ByteBuffer, int)} gives it one.
     */
    public IndexNode()
    {
    }

    @Override
    protected int magicNumber()
    {
        return MAGIC;
    }

    @Override
    protected String structure()
    {
        return STRUCTURE;
    }

    /**
     * Wraps a block read from or to be written to the device.
     *
     * @param buffer    the block's bytes, from position 0.
     * @param blockSize the image's block size.
     * @return this flyweight.
     */
    public IndexNode wrap(final ByteBuffer buffer, final int blockSize)
    {
        wrapBlock(buffer, blockSize);
        return this;
    }

    /**
     * Starts an empty node to be written to {@code block} in commit {@code generation}.
     *
     * @param kind       {@link #KIND_LEAF} or {@link #KIND_BRANCH}.
     * @param level      0 for a leaf, the height above the leaves for a branch.
     * @param generation the commit that writes the node.
     * @param block      the block the node is written to.
     * @return this flyweight.
     */
    public IndexNode init(final int kind, final int level, final long generation, final long block)
    {
        if (kind != KIND_LEAF && kind != KIND_BRANCH)
        {
            throw new IllegalArgumentException("unknown index node kind " + kind);
        }
        if ((kind == KIND_LEAF) != (level == 0) || level > MAX_LEVEL)
        {
            throw new IllegalArgumentException("level " + level + " does not fit node kind " + kind);
        }
        initHeader(kind, level, generation, block, 0, 0);
        putInt(FREE_END_OFFSET, blockSize);
        return this;
    }

    /** @return whether this node is a leaf. */
    public boolean isLeaf()
    {
        return kind() == KIND_LEAF;
    }

    /** @return the offset of the lowest entry: entries fill the block from its end down to here. */
    public int freeEnd()
    {
        return getInt(FREE_END_OFFSET);
    }

    /**
     * @return bytes still free for entries and their slots.
     */
    public int freeSpace()
    {
        return freeEnd() - (SLOTS_OFFSET + count() * SLOT_LENGTH);
    }

    /**
     * @param keyLength the key's length in bytes.
     * @param auxLength the aux data's length in bytes.
     * @return the bytes a leaf entry takes, without its slot.
     */
    public static int leafEntryLength(final int keyLength, final int auxLength)
    {
        return LEAF_FIXED_LENGTH + keyLength + auxLength;
    }

    /**
     * @param keyLength the key's length in bytes.
     * @return the bytes a branch entry takes, without its slot.
     */
    public static int branchEntryLength(final int keyLength)
    {
        return BRANCH_FIXED_LENGTH + keyLength;
    }

    /**
     * Appends an object record; records must be appended in key order.
     *
     * @param parentId       the id of the object's parent (index) object.
     * @param key            the netfs key.
     * @param aux            the auxiliary (coherency) data.
     * @param type           the object type, 0 to {@link #MAX_TYPE}.
     * @param flags          the flags, within {@link #KNOWN_FLAGS}.
     * @param objectId       the object's id.
     * @param objectSize     the object's size in bytes.
     * @param reservedBytes  the bytes reserved for the object.
     * @param accessTime     the last access, microseconds since the epoch.
     * @param pageMapRoot    the pointer to the root of the object's page map, or 0 for none.
     * @param pageMapRootCrc the crc32c of that root.
     * @param pageMapHeight  the page map's height.
     * @param pageCount      the pages stored.
     * @return false, changing nothing, if the node has no room for it.
     */
    public boolean appendLeaf(
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
        final long pageCount)
    {
        checkKeyAndAux(key.length, aux.length);
        final int at = allocate(leafEntryLength(key.length, aux.length));
        if (at < 0)
        {
            return false;
        }
        putLong(at + LEAF_PARENT_OFFSET, parentId);
        putLong(at + LEAF_OBJECT_ID_OFFSET, objectId);
        putLong(at + LEAF_OBJECT_SIZE_OFFSET, objectSize);
        putLong(at + LEAF_RESERVED_BYTES_OFFSET, reservedBytes);
        putLong(at + LEAF_ACCESS_TIME_OFFSET, accessTime);
        putLong(at + LEAF_PAGEMAP_ROOT_OFFSET, pageMapRoot);
        putLong(at + LEAF_PAGE_COUNT_OFFSET, pageCount);
        putShort(at + LEAF_KEY_LENGTH_OFFSET, key.length);
        putShort(at + LEAF_AUX_LENGTH_OFFSET, aux.length);
        putByte(at + LEAF_TYPE_OFFSET, type);
        putByte(at + LEAF_FLAGS_OFFSET, flags);
        putByte(at + LEAF_PAGEMAP_HEIGHT_OFFSET, pageMapHeight);
        putInt(at + LEAF_PAGEMAP_CRC_OFFSET, pageMapRootCrc);
        putBytes(at + LEAF_FIXED_LENGTH, key, 0, key.length);
        putBytes(at + LEAF_FIXED_LENGTH + key.length, aux, 0, aux.length);
        return true;
    }

    /**
     * Appends a branch entry; entries must be appended in key order.
     *
     * @param parentId the parent id of the child's smallest key.
     * @param key      the netfs key of the child's smallest key.
     * @param child    the pointer to the child node.
     * @param childCrc the child's check value.
     * @return false, changing nothing, if the node has no room for it.
     */
    public boolean appendBranch(final long parentId, final byte[] key, final long child, final int childCrc)
    {
        checkKeyAndAux(key.length, 0);
        final int at = allocate(branchEntryLength(key.length));
        if (at < 0)
        {
            return false;
        }
        putLong(at + BRANCH_CHILD_OFFSET, child);
        putInt(at + BRANCH_CHILD_CRC_OFFSET, childCrc);
        putShort(at + BRANCH_KEY_LENGTH_OFFSET, key.length);
        putLong(at + BRANCH_PARENT_OFFSET, parentId);
        putBytes(at + BRANCH_FIXED_LENGTH, key, 0, key.length);
        return true;
    }

    private static void checkKeyAndAux(final int keyLength, final int auxLength)
    {
        if (keyLength + auxLength > FormatVersion.MAX_KEY_AND_AUX)
        {
            throw new IllegalArgumentException("key (" + keyLength + " bytes) and aux (" + auxLength +
                " bytes) exceed " + FormatVersion.MAX_KEY_AND_AUX + " bytes together");
        }
    }

    private int allocate(final int length)
    {
        final int count = count();
        if (freeSpace() < length + SLOT_LENGTH)
        {
            return -1;
        }
        final int at = freeEnd() - length;
        putInt(FREE_END_OFFSET, at);
        putShort(SLOTS_OFFSET + count * SLOT_LENGTH, at);
        count(count + 1);
        return at;
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the offset of entry {@code i} in the block.
     */
    public int entryOffset(final int i)
    {
        return getUnsignedShort(SLOTS_OFFSET + i * SLOT_LENGTH);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the parent id of entry {@code i}'s key.
     */
    public long parentId(final int i)
    {
        return getLong(entryOffset(i) + (isLeaf() ? LEAF_PARENT_OFFSET : BRANCH_PARENT_OFFSET));
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the length of entry {@code i}'s netfs key.
     */
    public int keyLength(final int i)
    {
        return getUnsignedShort(entryOffset(i) + (isLeaf() ? LEAF_KEY_LENGTH_OFFSET : BRANCH_KEY_LENGTH_OFFSET));
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return a copy of entry {@code i}'s netfs key.
     */
    public byte[] key(final int i)
    {
        final byte[] key = new byte[keyLength(i)];
        getBytes(keyOffset(i), key, 0, key.length);
        return key;
    }

    private int keyOffset(final int i)
    {
        return entryOffset(i) + (isLeaf() ? LEAF_FIXED_LENGTH : BRANCH_FIXED_LENGTH);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the length of leaf entry {@code i}'s aux data.
     */
    public int auxLength(final int i)
    {
        return getUnsignedShort(entryOffset(i) + LEAF_AUX_LENGTH_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return a copy of leaf entry {@code i}'s aux data.
     */
    public byte[] aux(final int i)
    {
        final byte[] aux = new byte[auxLength(i)];
        getBytes(keyOffset(i) + keyLength(i), aux, 0, aux.length);
        return aux;
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the object id of leaf entry {@code i}.
     */
    public long objectId(final int i)
    {
        return getLong(entryOffset(i) + LEAF_OBJECT_ID_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the object size in bytes of leaf entry {@code i}.
     */
    public long objectSize(final int i)
    {
        return getLong(entryOffset(i) + LEAF_OBJECT_SIZE_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the bytes reserved for the object of leaf entry {@code i}.
     */
    public long reservedBytes(final int i)
    {
        return getLong(entryOffset(i) + LEAF_RESERVED_BYTES_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the last access time of leaf entry {@code i}, microseconds since the epoch.
     */
    public long accessTime(final int i)
    {
        return getLong(entryOffset(i) + LEAF_ACCESS_TIME_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the page map root pointer of leaf entry {@code i}, 0 for none.
     */
    public long pageMapRoot(final int i)
    {
        return getLong(entryOffset(i) + LEAF_PAGEMAP_ROOT_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the crc32c of the page map root of leaf entry {@code i}.
     */
    public int pageMapRootCrc(final int i)
    {
        return getInt(entryOffset(i) + LEAF_PAGEMAP_CRC_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the page map height of leaf entry {@code i}.
     */
    public int pageMapHeight(final int i)
    {
        return getUnsignedByte(entryOffset(i) + LEAF_PAGEMAP_HEIGHT_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the pages stored for leaf entry {@code i}.
     */
    public long pageCount(final int i)
    {
        return getLong(entryOffset(i) + LEAF_PAGE_COUNT_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the object type of leaf entry {@code i}.
     */
    public int type(final int i)
    {
        return getUnsignedByte(entryOffset(i) + LEAF_TYPE_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the flags of leaf entry {@code i}.
     */
    public int flags(final int i)
    {
        return getUnsignedByte(entryOffset(i) + LEAF_FLAGS_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the child pointer of branch entry {@code i}.
     */
    public long child(final int i)
    {
        return getLong(entryOffset(i) + BRANCH_CHILD_OFFSET);
    }

    /**
     * @param i the entry's index, in key order from 0.
     * @return the child's check value recorded in branch entry {@code i}.
     */
    public int childCrc(final int i)
    {
        return getInt(entryOffset(i) + BRANCH_CHILD_CRC_OFFSET);
    }

    /**
     * Compares entry {@code i}'s key with (parentId, key).
     *
     * @param i        the entry's index, in key order from 0.
     * @param parentId the parent id of the key to compare with.
     * @param key      the netfs key to compare with.
     * @return negative, zero or positive as entry {@code i}'s key orders before, as or after it.
     */
    public int compare(final int i, final long parentId, final byte[] key)
    {
        final int byParent = Long.compareUnsigned(parentId(i), parentId);
        if (byParent != 0)
        {
            return byParent;
        }
        final int keyOffset = keyOffset(i);
        final int length = keyLength(i);
        final int common = Math.min(length, key.length);
        for (int b = 0; b < common; b++)
        {
            final int byByte = Integer.compare(buffer.get(offset + keyOffset + b) & 0xFF, key[b] & 0xFF);
            if (byByte != 0)
            {
                return byByte;
            }
        }
        return Integer.compare(length, key.length);
    }

    /**
     * Orders (parent id, key) pairs as the tree does.
     *
     * @param parentA the first key's parent id.
     * @param keyA    the first key's netfs key.
     * @param parentB the second key's parent id.
     * @param keyB    the second key's netfs key.
     * @return negative, zero or positive as the first key orders before, as or after the second.
     */
    public static int compareKeys(final long parentA, final byte[] keyA, final long parentB, final byte[] keyB)
    {
        final int byParent = Long.compareUnsigned(parentA, parentB);
        return byParent != 0 ? byParent : Arrays.compareUnsigned(keyA, keyB);
    }

    /**
     * Validates the node read from {@code block} for a commit of {@code generation}: header, kind and level,
     * slots and entry bounds, key order, and every field of every entry, pointers against the data region.
     *
     * @param device        device name for messages.
     * @param block         where the node was read from.
     * @param generation    the generation of the commit being read: no node of it may be newer.
     * @param expectedLevel the level the parent expects, or -1 if unknown.
     * @param expectedCrc   the check value the parent recorded, or {@code null} for the root.
     * @param layout        the image's regions, to check pointers against.
     */
    public void verify(
        final String device,
        final long block,
        final long generation,
        final int expectedLevel,
        final Integer expectedCrc,
        final RegionLayout layout)
    {
        verifyHeader(device, block, 0, generation, expectedCrc);
        final int kind = kind();
        if (kind != KIND_LEAF && kind != KIND_BRANCH)
        {
            throw corrupt(device, block, "kind", KIND_LEAF + " or " + KIND_BRANCH, kind);
        }
        final int level = level();
        if (expectedLevel >= 0 && level != expectedLevel)
        {
            throw corrupt(device, block, "level", expectedLevel, level);
        }
        if ((kind == KIND_LEAF) != (level == 0) || level > MAX_LEVEL)
        {
            throw corrupt(device, block, "level", kind == KIND_LEAF ? "0" : "in [1, " + MAX_LEVEL + "]", level);
        }
        if (first() != 0)
        {
            throw corrupt(device, block, "first", 0, first());
        }
        final int count = count();
        final int slotsEnd = SLOTS_OFFSET + count * SLOT_LENGTH;
        final int freeEnd = freeEnd();
        if (slotsEnd > blockSize || freeEnd < slotsEnd || freeEnd > blockSize)
        {
            throw corrupt(device, block, "free end", "in [" + slotsEnd + ", " + blockSize + "]", freeEnd);
        }
        if (kind == KIND_BRANCH && count == 0)
        {
            throw corrupt(device, block, "count", ">= 1 in a branch", 0);
        }
        for (int i = 0; i < count; i++)
        {
            verifyEntry(device, block, i, freeEnd, layout);
            if (i > 0 && compareEntries(i - 1, i) >= 0)
            {
                throw corrupt(device, block, "key order", "entry " + (i - 1) + " < entry " + i, "not increasing");
            }
        }
    }

    private void verifyEntry(
        final String device, final long block, final int i, final int freeEnd, final RegionLayout layout)
    {
        final int at = entryOffset(i);
        final boolean leaf = isLeaf();
        final int fixed = leaf ? LEAF_FIXED_LENGTH : BRANCH_FIXED_LENGTH;
        if (at < freeEnd || at + fixed > blockSize)
        {
            throw corrupt(device, block, "entry " + i + " offset", "in [" + freeEnd + ", " + (blockSize - fixed) +
                "]", at);
        }
        final int keyLength = keyLength(i);
        final int auxLength = leaf ? auxLength(i) : 0;
        if (keyLength + auxLength > FormatVersion.MAX_KEY_AND_AUX)
        {
            throw corrupt(device, block, "entry " + i + " key+aux length", "<= " + FormatVersion.MAX_KEY_AND_AUX,
                keyLength + auxLength);
        }
        if (at + fixed + keyLength + auxLength > blockSize)
        {
            throw corrupt(device, block, "entry " + i + " length", "<= " + (blockSize - at),
                fixed + keyLength + auxLength);
        }
        final String field = "entry " + i;
        if (leaf)
        {
            final long objectId = objectId(i);
            if (objectId < 1)
            {
                throw corrupt(device, block, field + " object id", ">= 1", objectId);
            }
            if (objectSize(i) < 0 || reservedBytes(i) < 0 || pageCount(i) < 0)
            {
                throw corrupt(device, block, field + " size/reserved/pages", "non-negative",
                    objectSize(i) + "/" + reservedBytes(i) + "/" + pageCount(i));
            }
            if ((flags(i) & ~KNOWN_FLAGS) != 0)
            {
                throw corrupt(device, block, field + " flags", "subset of " + hex(KNOWN_FLAGS), hex(flags(i)));
            }
            if (getUnsignedByte(at + LEAF_RESERVED_OFFSET) != 0 || getInt(at + LEAF_RESERVED2_OFFSET) != 0)
            {
                throw corrupt(device, block, field + " reserved", 0,
                    getUnsignedByte(at + LEAF_RESERVED_OFFSET) | getInt(at + LEAF_RESERVED2_OFFSET));
            }
            final long root = pageMapRoot(i);
            final int height = pageMapHeight(i);
            if (root == BlockPointer.NULL)
            {
                if (height != 0 || pageCount(i) != 0 || pageMapRootCrc(i) != 0)
                {
                    throw corrupt(device, block, field + " page-map height/pages/crc", "0/0/0 without a root",
                        height + "/" + pageCount(i) + "/" + pageMapRootCrc(i));
                }
            }
            else
            {
                if (height < 1 || height > PageMapNode.MAX_HEIGHT)
                {
                    throw corrupt(device, block, field + " page-map height", "in [1, " + PageMapNode.MAX_HEIGHT +
                        "]", height);
                }
                BlockPointer.check(root, height == 1 ? BlockPointer.KIND_PAGEMAP_LEAF :
                    BlockPointer.KIND_PAGEMAP_BRANCH, layout.dataStart(), layout.dataEnd(), STRUCTURE, device,
                    block, field + " page-map root");
            }
        }
        else
        {
            if (getUnsignedShort(at + BRANCH_RESERVED_OFFSET) != 0)
            {
                throw corrupt(device, block, field + " reserved", 0, getUnsignedShort(at + BRANCH_RESERVED_OFFSET));
            }
            BlockPointer.check(child(i), level() == 1 ? BlockPointer.KIND_INDEX_LEAF :
                BlockPointer.KIND_INDEX_BRANCH, layout.dataStart(), layout.dataEnd(), STRUCTURE, device, block,
                field + " child");
        }
    }

    private int compareEntries(final int a, final int b)
    {
        return compare(a, parentId(b), key(b));
    }
}
