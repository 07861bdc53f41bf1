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
    public static final int FLAG_CLEAN = 1;
    public static final int KNOWN_FLAGS = FLAG_CLEAN;
    public static final int MAX_INDEX_HEIGHT = 32;

    /**
     * Where the commit record starts within its superblock slot block.
     */
    public static final int SLOT_OFFSET = Superblock.LENGTH;

    public static final int MAGIC_OFFSET = 0;
    public static final int LENGTH_OFFSET;
    public static final int GENERATION_OFFSET;
    public static final int COMMITTED_OFFSET;
    public static final int FLAGS_OFFSET;
    public static final int INDEX_HEIGHT_OFFSET;
    public static final int INDEX_ROOT_OFFSET;
    public static final int OBJECT_COUNT_OFFSET;
    public static final int NEXT_OBJECT_ID_OFFSET;
    public static final int USED_BLOCKS_OFFSET;
    public static final int PAGE_COUNT_OFFSET;
    public static final int MOUNT_COUNT_OFFSET;
    public static final int INDEX_ROOT_CRC_OFFSET;
    public static final int RESERVED_BLOCKS_OFFSET;
    public static final int RESERVED_OFFSET;
    public static final int CRC_OFFSET;
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
     * Wraps the commit record of the superblock slot held in {@code buffer}.
     */
    public CommitRecord wrap(final ByteBuffer buffer)
    {
        wrap(buffer, SLOT_OFFSET, LENGTH);
        return this;
    }

    /**
     * Writes the commit record of an empty cache.
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
     */
    public CommitRecord copyFrom(final CommitRecord other)
    {
        for (int i = 0; i < LENGTH; i += Long.BYTES)
        {
            putLong(i, other.getLong(i));
        }
        return this;
    }

    public int magic()
    {
        return getInt(MAGIC_OFFSET);
    }

    public int length()
    {
        return getInt(LENGTH_OFFSET);
    }

    public long generation()
    {
        return getLong(GENERATION_OFFSET);
    }

    public CommitRecord generation(final long generation)
    {
        putLong(GENERATION_OFFSET, generation);
        return this;
    }

    public long committedMillis()
    {
        return getLong(COMMITTED_OFFSET);
    }

    public CommitRecord committedMillis(final long millis)
    {
        putLong(COMMITTED_OFFSET, millis);
        return this;
    }

    public int flags()
    {
        return getInt(FLAGS_OFFSET);
    }

    public CommitRecord flags(final int flags)
    {
        putInt(FLAGS_OFFSET, flags);
        return this;
    }

    public boolean clean()
    {
        return (flags() & FLAG_CLEAN) != 0;
    }

    public CommitRecord clean(final boolean clean)
    {
        return flags(clean ? flags() | FLAG_CLEAN : flags() & ~FLAG_CLEAN);
    }

    public int indexHeight()
    {
        return getInt(INDEX_HEIGHT_OFFSET);
    }

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
     */
    public CommitRecord indexRoot(final long root, final int rootCrc, final int height)
    {
        putLong(INDEX_ROOT_OFFSET, root);
        putInt(INDEX_ROOT_CRC_OFFSET, rootCrc);
        putInt(INDEX_HEIGHT_OFFSET, height);
        return this;
    }

    public long objectCount()
    {
        return getLong(OBJECT_COUNT_OFFSET);
    }

    public CommitRecord objectCount(final long count)
    {
        putLong(OBJECT_COUNT_OFFSET, count);
        return this;
    }

    public long nextObjectId()
    {
        return getLong(NEXT_OBJECT_ID_OFFSET);
    }

    public CommitRecord nextObjectId(final long id)
    {
        putLong(NEXT_OBJECT_ID_OFFSET, id);
        return this;
    }

    public long usedBlocks()
    {
        return getLong(USED_BLOCKS_OFFSET);
    }

    public CommitRecord usedBlocks(final long blocks)
    {
        putLong(USED_BLOCKS_OFFSET, blocks);
        return this;
    }

    public long pageCount()
    {
        return getLong(PAGE_COUNT_OFFSET);
    }

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

    public CommitRecord reservedBlocks(final long blocks)
    {
        putLong(RESERVED_BLOCKS_OFFSET, blocks);
        return this;
    }

    public long mountCount()
    {
        return getLong(MOUNT_COUNT_OFFSET);
    }

    public CommitRecord mountCount(final long count)
    {
        putLong(MOUNT_COUNT_OFFSET, count);
        return this;
    }

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
