package org.cachefs.format;

import java.nio.ByteBuffer;

/**
 * Flyweight over the commit record that follows the {@link Superblock} in each superblock slot. Writing it (one
 * sector-aligned block write, then a flush) makes a new index tree root and bitmap copy current atomically: mount
 * takes the valid slot with the highest generation. Generation {@code g} lives in slot {@code g % 2} and its
 * allocation bitmap in bitmap copy {@code g % 2}.
 *
 * <pre>
 *   0          4          8                   16                  24         28         32
 *   +----------+----------+-------------------+-------------------+----------+----------+
 *   | magic    | length   | generation        | committed (ms)    | flags    | height   |
 *   +----------+----------+-------------------+-------------------+----------+----------+
 *  32 index root pointer   | object count      | next object id    | used blocks         |
 *   +-------------------+-------------------+-------------------+-------------------+
 *  64 page count          | mount count       | root crc | zero     | reserved blocks     |
 *   +-------------------+-------------------+----------+----------+-------------------+
 *  96 reserved, zero ...                                                   | crc32c   |
 *   +----------------------------------------------------------------------+----------+
 *                                                                            124        128
 * </pre>
 * The root crc is the check value of the index root node, so a stale root block is caught like any stale child.
 * Flags: bit 0 {@link #FLAG_CLEAN}, set by a clean unmount and cleared by the first commit of the next mount.
 */
public final class CommitRecord extends Flyweight
{
    /**
     * "CFSC" read as a little-endian int.
     */
    public static final int MAGIC = 0x43534643;
    /** Flag: the cache was unmounted cleanly after this commit. */
    public static final int FLAG_CLEAN = 1;
    /** Every flag this format version defines; any other bit set is corruption. */
    public static final int KNOWN_FLAGS = FLAG_CLEAN;
    /** Largest height of the index tree. */
    public static final int MAX_INDEX_HEIGHT = 32;

    /**
     * Where the commit record starts within its superblock slot block.
     */
    public static final int SLOT_OFFSET = Superblock.LENGTH;

    /** Offset of the magic number (4 bytes). */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the record's length, {@link #LENGTH} (4 bytes). */
    public static final int LENGTH_OFFSET;
    /** Offset of the commit's generation (8 bytes). */
    public static final int GENERATION_OFFSET;
    /** Offset of the commit time, milliseconds since the epoch (8 bytes). */
    public static final int COMMITTED_OFFSET;
    /** Offset of the flags (4 bytes, {@link #KNOWN_FLAGS}). */
    public static final int FLAGS_OFFSET;
    /** Offset of the index tree's height (4 bytes). */
    public static final int INDEX_HEIGHT_OFFSET;
    /** Offset of the pointer to the index tree's root (8 bytes). */
    public static final int INDEX_ROOT_OFFSET;
    /** Offset of the number of objects (8 bytes). */
    public static final int OBJECT_COUNT_OFFSET;
    /** Offset of the next object id to hand out (8 bytes). */
    public static final int NEXT_OBJECT_ID_OFFSET;
    /** Offset of the number of blocks in use, metadata included (8 bytes). */
    public static final int USED_BLOCKS_OFFSET;
    /** Offset of the number of pages stored (8 bytes). */
    public static final int PAGE_COUNT_OFFSET;
    /** Offset of the number of mounts so far (8 bytes). */
    public static final int MOUNT_COUNT_OFFSET;
    /** Offset of the check value of the index root node (4 bytes). */
    public static final int INDEX_ROOT_CRC_OFFSET;
    /** Offset of the number of blocks reserved for objects and not yet used (8 bytes). */
    public static final int RESERVED_BLOCKS_OFFSET;
    /** Offset of the reserved bytes, zero, up to the check value. */
    public static final int RESERVED_OFFSET;
    /** Offset of the crc32c (4 bytes). */
    public static final int CRC_OFFSET;
    /** Length of the commit record, check value included. */
    public static final int LENGTH = 128;

    static
    {
        int offset = MAGIC_OFFSET + Integer.BYTES;
        LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        GENERATION_OFFSET = offset;
        offset += Long.BYTES;
        COMMITTED_OFFSET = offset;
        offset += Long.BYTES;
        FLAGS_OFFSET = offset;
        offset += Integer.BYTES;
        INDEX_HEIGHT_OFFSET = offset;
        offset += Integer.BYTES;
        INDEX_ROOT_OFFSET = offset;
        offset += Long.BYTES;
        OBJECT_COUNT_OFFSET = offset;
        offset += Long.BYTES;
        NEXT_OBJECT_ID_OFFSET = offset;
        offset += Long.BYTES;
        USED_BLOCKS_OFFSET = offset;
        offset += Long.BYTES;
        PAGE_COUNT_OFFSET = offset;
        offset += Long.BYTES;
        MOUNT_COUNT_OFFSET = offset;
        offset += Long.BYTES;
        INDEX_ROOT_CRC_OFFSET = offset;
        offset += Integer.BYTES;
        offset += Integer.BYTES; // zero, keeps the longs aligned
        RESERVED_BLOCKS_OFFSET = offset;
        offset += Long.BYTES;
        RESERVED_OFFSET = offset;
        CRC_OFFSET = LENGTH - Integer.BYTES;
    }

    private static final String STRUCTURE = "commit record";

    /**
     * A flyweight over no superblock slot yet: {@link #wrap(ByteBuffer)} gives it one.
     */
    public CommitRecord()
    {
    }

    /**
     * Wraps the commit record of the superblock slot held in {@code buffer}.
     *
     * @param buffer a superblock slot's block, read or to be written.
     * @return this flyweight.
     */
    public CommitRecord wrap(final ByteBuffer buffer)
    {
        wrap(buffer, SLOT_OFFSET, LENGTH);
        return this;
    }

    /**
     * Writes the commit record of an empty cache.
     *
     * @param generation      the generation of the first commit.
     * @param committedMillis the commit time, milliseconds since the epoch.
     * @param layout          the image's regions, whose metadata blocks are the only ones in use.
     * @return this flyweight.
     */
    public CommitRecord init(final long generation, final long committedMillis, final RegionLayout layout)
    {
        zero(0, LENGTH);
        putInt(MAGIC_OFFSET, MAGIC);
        putInt(LENGTH_OFFSET, LENGTH);
        putLong(GENERATION_OFFSET, generation);
        putLong(COMMITTED_OFFSET, committedMillis);
        putInt(FLAGS_OFFSET, FLAG_CLEAN);
        putInt(INDEX_HEIGHT_OFFSET, 0);
        putLong(INDEX_ROOT_OFFSET, BlockPointer.NULL);
        putInt(INDEX_ROOT_CRC_OFFSET, 0);
        putLong(OBJECT_COUNT_OFFSET, 0);
        putLong(NEXT_OBJECT_ID_OFFSET, 1);
        putLong(USED_BLOCKS_OFFSET, layout.metadataBlocks());
        putLong(PAGE_COUNT_OFFSET, 0);
        putLong(MOUNT_COUNT_OFFSET, 0);
        return this;
    }

    /**
     * Copies every field of {@code other}.
     *
     * @param other the commit record to copy.
     * @return this flyweight.
     */
    public CommitRecord copyFrom(final CommitRecord other)
    {
        for (int i = 0; i < LENGTH; i += Long.BYTES)
        {
            putLong(i, other.getLong(i));
        }
        return this;
    }

    /** @return the magic number as read. */
    public int magic()
    {
        return getInt(MAGIC_OFFSET);
    }

    /** @return the record's length as read. */
    public int length()
    {
        return getInt(LENGTH_OFFSET);
    }

    /** @return the commit's generation. */
    public long generation()
    {
        return getLong(GENERATION_OFFSET);
    }

    /**
     * Sets the commit's generation.
     *
     * @param generation the generation, one more than the last commit's.
     * @return this flyweight.
     */
    public CommitRecord generation(final long generation)
    {
        putLong(GENERATION_OFFSET, generation);
        return this;
    }

    /** @return the commit time, milliseconds since the epoch. */
    public long committedMillis()
    {
        return getLong(COMMITTED_OFFSET);
    }

    /**
     * Sets the commit time.
     *
     * @param millis milliseconds since the epoch.
     * @return this flyweight.
     */
    public CommitRecord committedMillis(final long millis)
    {
        putLong(COMMITTED_OFFSET, millis);
        return this;
    }

    /** @return the flags. */
    public int flags()
    {
        return getInt(FLAGS_OFFSET);
    }

    /**
     * Sets the flags.
     *
     * @param flags within {@link #KNOWN_FLAGS}.
     * @return this flyweight.
     */
    public CommitRecord flags(final int flags)
    {
        putInt(FLAGS_OFFSET, flags);
        return this;
    }

    /** @return whether the cache was unmounted cleanly after this commit ({@link #FLAG_CLEAN}). */
    public boolean clean()
    {
        return (flags() & FLAG_CLEAN) != 0;
    }

    /**
     * Sets or clears {@link #FLAG_CLEAN}.
     *
     * @param clean whether the commit is a clean unmount's.
     * @return this flyweight.
     */
    public CommitRecord clean(final boolean clean)
    {
        return flags(clean ? flags() | FLAG_CLEAN : flags() & ~FLAG_CLEAN);
    }

    /** @return the index tree's height: 0 without a root, 1 for a leaf root. */
    public int indexHeight()
    {
        return getInt(INDEX_HEIGHT_OFFSET);
    }

    /** @return the pointer to the index tree's root, {@link BlockPointer#NULL} for none. */
    public long indexRoot()
    {
        return getLong(INDEX_ROOT_OFFSET);
    }

    /**
     * @return the check value of the index root node (0 without a root).
     */
    public int indexRootCrc()
    {
        return getInt(INDEX_ROOT_CRC_OFFSET);
    }

    /**
     * Sets the index tree: a null root with height 0, a leaf with height 1, or a branch with height 2 or more, and
     * the root node's check value.
     *
     * @param root    the root's pointer, or {@link BlockPointer#NULL}.
     * @param rootCrc the root node's check value (0 without a root).
     * @param height  the tree's height.
     * @return this flyweight.
     */
    public CommitRecord indexRoot(final long root, final int rootCrc, final int height)
    {
        putLong(INDEX_ROOT_OFFSET, root);
        putInt(INDEX_ROOT_CRC_OFFSET, rootCrc);
        putInt(INDEX_HEIGHT_OFFSET, height);
        return this;
    }

    /** @return the number of objects. */
    public long objectCount()
    {
        return getLong(OBJECT_COUNT_OFFSET);
    }

    /**
     * Sets the number of objects.
     *
     * @param count the objects in the index.
     * @return this flyweight.
     */
    public CommitRecord objectCount(final long count)
    {
        putLong(OBJECT_COUNT_OFFSET, count);
        return this;
    }

    /** @return the next object id to hand out. */
    public long nextObjectId()
    {
        return getLong(NEXT_OBJECT_ID_OFFSET);
    }

    /**
     * Sets the next object id to hand out.
     *
     * @param id larger than every id in the index.
     * @return this flyweight.
     */
    public CommitRecord nextObjectId(final long id)
    {
        putLong(NEXT_OBJECT_ID_OFFSET, id);
        return this;
    }

    /** @return the number of blocks in use, metadata included. */
    public long usedBlocks()
    {
        return getLong(USED_BLOCKS_OFFSET);
    }

    /**
     * Sets the number of blocks in use.
     *
     * @param blocks the blocks set in the commit's bitmap copy.
     * @return this flyweight.
     */
    public CommitRecord usedBlocks(final long blocks)
    {
        putLong(USED_BLOCKS_OFFSET, blocks);
        return this;
    }

    /** @return the number of pages stored. */
    public long pageCount()
    {
        return getLong(PAGE_COUNT_OFFSET);
    }

    /**
     * Sets the number of pages stored.
     *
     * @param count the pages of all objects.
     * @return this flyweight.
     */
    public CommitRecord pageCount(final long count)
    {
        putLong(PAGE_COUNT_OFFSET, count);
        return this;
    }

    /**
     * @return blocks reserved for objects and not yet used by their pages: unavailable to other objects.
     */
    public long reservedBlocks()
    {
        return getLong(RESERVED_BLOCKS_OFFSET);
    }

    /**
     * Sets the blocks reserved for objects and not yet used.
     *
     * @param blocks see {@link #reservedBlocks()}.
     * @return this flyweight.
     */
    public CommitRecord reservedBlocks(final long blocks)
    {
        putLong(RESERVED_BLOCKS_OFFSET, blocks);
        return this;
    }

    /** @return the number of mounts so far. */
    public long mountCount()
    {
        return getLong(MOUNT_COUNT_OFFSET);
    }

    /**
     * Sets the number of mounts so far.
     *
     * @param count the mounts, this one included.
     * @return this flyweight.
     */
    public CommitRecord mountCount(final long count)
    {
        putLong(MOUNT_COUNT_OFFSET, count);
        return this;
    }

    /** @return the check value as read. */
    public int crc()
    {
        return getInt(CRC_OFFSET);
    }

    /**
     * @return the bitmap copy that goes with this generation.
     */
    public int bitmapCopy()
    {
        return (int)(generation() & 1);
    }

    /**
     * Computes and stores the check value for the slot {@code block}.
     *
     * @param block the block of the slot the record is written to.
     * @return this flyweight.
     */
    public CommitRecord seal(final long block)
    {
        putInt(CRC_OFFSET, checksums.metadata(buffer, offset, LENGTH, CRC_OFFSET, block, MAGIC));
        return this;
    }

    /**
     * Validates every field against the image layout.
     *
     * @param device       device name for messages.
     * @param block        block the record was read from.
     * @param expectedSlot 0 or 1 for the slots (generation parity must match), {@link Superblock#SLOT_BACKUP} for
     *                     the backup (generation 0).
     * @param layout       the layout from the superblock in the same block.
     * @throws CorruptCacheException on any inconsistency.
     */
    public void verify(
        final String device, final long block, final int expectedSlot, final RegionLayout layout)
    {
        if (magic() != MAGIC)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "magic", hex(MAGIC), hex(magic()));
        }
        final int actualCrc = checksums.metadata(buffer, offset, LENGTH, CRC_OFFSET, block, MAGIC);
        if (actualCrc != crc())
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "crc", Checksums.hex(crc()),
                Checksums.hex(actualCrc));
        }
        expect(device, block, "length", LENGTH, length());
        final long generation = generation();
        if (expectedSlot == Superblock.SLOT_BACKUP)
        {
            expect(device, block, "generation", 0, generation);
        }
        else if (generation < 0 || (generation & 1) != expectedSlot)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "generation",
                "a non-negative " + (expectedSlot == 0 ? "even" : "odd") + " number", generation);
        }
        if ((flags() & ~KNOWN_FLAGS) != 0)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "flags", "subset of " + hex(KNOWN_FLAGS),
                hex(flags()));
        }
        final long root = indexRoot();
        final int height = indexHeight();
        if (root == BlockPointer.NULL)
        {
            expect(device, block, "index height", 0, height);
            expect(device, block, "index root crc", 0, indexRootCrc());
            expect(device, block, "object count", 0, objectCount());
        }
        else
        {
            if (height < 1 || height > MAX_INDEX_HEIGHT)
            {
                throw new CorruptCacheException(STRUCTURE, device, block, "index height",
                    "in [1, " + MAX_INDEX_HEIGHT + "]", height);
            }
            BlockPointer.check(root, height == 1 ? BlockPointer.KIND_INDEX_LEAF : BlockPointer.KIND_INDEX_BRANCH,
                layout.dataStart(), layout.dataEnd(), STRUCTURE, device, block, "index root");
        }
        final long nextObjectId = nextObjectId();
        if (nextObjectId < 1)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "next object id", ">= 1", nextObjectId);
        }
        if (objectCount() < 0 || objectCount() >= nextObjectId)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "object count",
                "in [0, " + (nextObjectId - 1) + "]", objectCount());
        }
        if (usedBlocks() < layout.metadataBlocks() || usedBlocks() > layout.blockCount())
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "used blocks",
                "in [" + layout.metadataBlocks() + ", " + layout.blockCount() + "]", usedBlocks());
        }
        if (pageCount() < 0 || pageCount() > usedBlocks() - layout.metadataBlocks())
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "page count",
                "in [0, " + (usedBlocks() - layout.metadataBlocks()) + "]", pageCount());
        }
        if (reservedBlocks() < 0 || reservedBlocks() > layout.dataBlocks())
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "reserved blocks",
                "in [0, " + layout.dataBlocks() + "]", reservedBlocks());
        }
        if (getInt(INDEX_ROOT_CRC_OFFSET + Integer.BYTES) != 0)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "reserved@" + (INDEX_ROOT_CRC_OFFSET + 4), "0",
                hex(getInt(INDEX_ROOT_CRC_OFFSET + Integer.BYTES) & 0xFFFFFFFFL));
        }
        if (mountCount() < 0)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "mount count", ">= 0", mountCount());
        }
        for (int field = RESERVED_OFFSET; field < CRC_OFFSET; field += Integer.BYTES)
        {
            if (getInt(field) != 0)
            {
                throw new CorruptCacheException(STRUCTURE, device, block, "reserved@" + field, "0",
                    hex(getInt(field) & 0xFFFFFFFFL));
            }
        }
    }

    private static void expect(
        final String device, final long block, final String field, final long expected, final long actual)
    {
        if (expected != actual)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, field, expected, actual);
        }
    }
}
