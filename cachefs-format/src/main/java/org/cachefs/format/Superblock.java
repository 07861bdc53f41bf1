package org.cachefs.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.UUID;

/**
 * Flyweight over the static part of a superblock slot: the first {@link #LENGTH} bytes of blocks 0 and 1 and of the
 * backup block. The {@link CommitRecord} follows it in the same block at {@link CommitRecord#SLOT_OFFSET}.
 *
 * <pre>
 * offset size field
 *      0    8 magic "CACHEFS\0"
 *      8    2 major version
 *     10    2 minor version
 *     12    4 header length (256)
 *     16    8 compat features
 *     24    8 ro-compat features
 *     32    8 incompat features
 *     40   16 uuid
 *     56   32 label (UTF-8, NUL padded)
 *     88    8 created (ms)
 *     96    4 block size
 *    100    4 sector size
 *    104    8 block count
 *    112    4 slot
 *    116    4 padding, zero
 *    120    8 bitmap start
 *    128    8 bitmap blocks
 *    136    8 data start
 *    144    8 data end
 *    152    8 backup block
 *    160   92 reserved, zero
 *    252    4 crc32c
 * </pre>
 * Magic, major and minor are at the same offsets in every format version, so a reader can refuse a newer major
 * version before it interprets anything else. The check value covers the 256 bytes (less the check field), seeded
 * with the block number and the slot index.
 */
public final class Superblock extends Flyweight
{
    /**
     * "CACHEFS\0" read as a little-endian long.
     */
    public static final long MAGIC = 0x0053464548434143L;
    /** The slot index of the backup superblock, in the image's last block (slots 0 and 1 are blocks 0 and 1). */
    public static final int SLOT_BACKUP = 2;
    /** Largest label, in bytes of UTF-8. */
    public static final int LABEL_LENGTH = 32;

    /** Offset of the magic number (8 bytes). */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the format's major version (2 bytes). */
    public static final int MAJOR_OFFSET;
    /** Offset of the format's minor version (2 bytes). */
    public static final int MINOR_OFFSET;
    /** Offset of the header length, {@link #LENGTH} (4 bytes). */
    public static final int HEADER_LENGTH_OFFSET;
    /** Offset of the compatible feature flags (8 bytes). */
    public static final int COMPAT_OFFSET;
    /** Offset of the read-only-compatible feature flags (8 bytes). */
    public static final int RO_COMPAT_OFFSET;
    /** Offset of the incompatible feature flags (8 bytes). */
    public static final int INCOMPAT_OFFSET;
    /** Offset of the image's UUID (16 bytes). */
    public static final int UUID_OFFSET;
    /** Offset of the label, UTF-8 padded with NULs ({@link #LABEL_LENGTH} bytes). */
    public static final int LABEL_OFFSET;
    /** Offset of the creation time, milliseconds since the epoch (8 bytes). */
    public static final int CREATED_OFFSET;
    /** Offset of the block size (4 bytes). */
    public static final int BLOCK_SIZE_OFFSET;
    /** Offset of the device's sector size at mkfs time (4 bytes). */
    public static final int SECTOR_SIZE_OFFSET;
    /** Offset of the number of blocks of the image (8 bytes). */
    public static final int BLOCK_COUNT_OFFSET;
    /** Offset of the slot index: 0, 1 or {@link #SLOT_BACKUP} (4 bytes). */
    public static final int SLOT_OFFSET;
    /** Offset of 4 padding bytes, zero. */
    public static final int PADDING_OFFSET;
    /** Offset of the first block of the first bitmap copy (8 bytes). */
    public static final int BITMAP_START_OFFSET;
    /** Offset of the number of blocks of one bitmap copy (8 bytes). */
    public static final int BITMAP_BLOCKS_OFFSET;
    /** Offset of the first block of the data region (8 bytes). */
    public static final int DATA_START_OFFSET;
    /** Offset of the block after the data region (8 bytes). */
    public static final int DATA_END_OFFSET;
    /** Offset of the block number of the backup superblock (8 bytes). */
    public static final int BACKUP_BLOCK_OFFSET;
    /** Offset of the reserved bytes, zero, up to the check value. */
    public static final int RESERVED_OFFSET;
    /** Offset of the crc32c (4 bytes). */
    public static final int CRC_OFFSET;
    /** Length of the static part of a superblock slot, check value included. */
    public static final int LENGTH = 256;

    static
    {
        int offset = MAGIC_OFFSET + Long.BYTES;
        MAJOR_OFFSET = offset;
        offset += Short.BYTES;
        MINOR_OFFSET = offset;
        offset += Short.BYTES;
        HEADER_LENGTH_OFFSET = offset;
        offset += Integer.BYTES;
        COMPAT_OFFSET = offset;
        offset += Long.BYTES;
        RO_COMPAT_OFFSET = offset;
        offset += Long.BYTES;
        INCOMPAT_OFFSET = offset;
        offset += Long.BYTES;
        UUID_OFFSET = offset;
        offset += 16;
        LABEL_OFFSET = offset;
        offset += LABEL_LENGTH;
        CREATED_OFFSET = offset;
        offset += Long.BYTES;
        BLOCK_SIZE_OFFSET = offset;
        offset += Integer.BYTES;
        SECTOR_SIZE_OFFSET = offset;
        offset += Integer.BYTES;
        BLOCK_COUNT_OFFSET = offset;
        offset += Long.BYTES;
        SLOT_OFFSET = offset;
        offset += Integer.BYTES;
        PADDING_OFFSET = offset; // reserved, keeps the longs aligned
        offset += Integer.BYTES;
        BITMAP_START_OFFSET = offset;
        offset += Long.BYTES;
        BITMAP_BLOCKS_OFFSET = offset;
        offset += Long.BYTES;
        DATA_START_OFFSET = offset;
        offset += Long.BYTES;
        DATA_END_OFFSET = offset;
        offset += Long.BYTES;
        BACKUP_BLOCK_OFFSET = offset;
        offset += Long.BYTES;
        RESERVED_OFFSET = offset;
        CRC_OFFSET = LENGTH - Integer.BYTES;
    }

    private static final String STRUCTURE = "superblock";

    /**
     * A flyweight over no superblock slot yet: {@link #wrap(ByteBuffer)} gives it one.
     */
    public Superblock()
    {
    }

    /**
     * Wraps the superblock at the start of {@code buffer}.
     *
     * @param buffer a block read from or to be written to a superblock slot.
     * @return this flyweight.
     */
    public Superblock wrap(final ByteBuffer buffer)
    {
        wrap(buffer, 0, LENGTH);
        return this;
    }

    /**
     * Writes a fresh superblock for {@code layout}, all reserved bytes zero, check value unset.
     *
     * @param layout        the image's regions.
     * @param sectorSize    the device's logical sector size.
     * @param uuid          the image's UUID.
     * @param label         the label, at most {@link #LABEL_LENGTH} bytes of UTF-8.
     * @param createdMillis the creation time, milliseconds since the epoch.
     * @param slot          the slot index: 0, 1 or {@link #SLOT_BACKUP}.
     * @return this flyweight.
     */
    public Superblock init(
        final RegionLayout layout,
        final int sectorSize,
        final UUID uuid,
        final String label,
        final long createdMillis,
        final int slot)
    {
        zero(0, LENGTH);
        putLong(MAGIC_OFFSET, MAGIC);
        putShort(MAJOR_OFFSET, FormatVersion.MAJOR);
        putShort(MINOR_OFFSET, FormatVersion.MINOR);
        putInt(HEADER_LENGTH_OFFSET, LENGTH);
        putLong(UUID_OFFSET, uuid.getMostSignificantBits());
        putLong(UUID_OFFSET + Long.BYTES, uuid.getLeastSignificantBits());
        label(label);
        putLong(CREATED_OFFSET, createdMillis);
        putInt(BLOCK_SIZE_OFFSET, layout.blockSize());
        putInt(SECTOR_SIZE_OFFSET, sectorSize);
        putLong(BLOCK_COUNT_OFFSET, layout.blockCount());
        putInt(SLOT_OFFSET, slot);
        putLong(BITMAP_START_OFFSET, layout.bitmapStart(0));
        putLong(BITMAP_BLOCKS_OFFSET, layout.bitmapBlocks());
        putLong(DATA_START_OFFSET, layout.dataStart());
        putLong(DATA_END_OFFSET, layout.dataEnd());
        putLong(BACKUP_BLOCK_OFFSET, layout.backupBlock());
        return this;
    }

    /**
     * Copies the static fields of {@code other} into this superblock and sets the slot index.
     *
     * @param other the superblock to copy.
     * @param slot  the slot index of this copy.
     * @return this flyweight.
     */
    public Superblock copyFrom(final Superblock other, final int slot)
    {
        for (int i = 0; i < LENGTH; i += Long.BYTES)
        {
            putLong(i, other.getLong(i));
        }
        putInt(SLOT_OFFSET, slot);
        return this;
    }

    /** @return the magic number as read. */
    public long magic()
    {
        return getLong(MAGIC_OFFSET);
    }

    /** @return the format's major version as read. */
    public int majorVersion()
    {
        return getUnsignedShort(MAJOR_OFFSET);
    }

    /** @return the format's minor version as read. */
    public int minorVersion()
    {
        return getUnsignedShort(MINOR_OFFSET);
    }

    /** @return the header length as read. */
    public int headerLength()
    {
        return getInt(HEADER_LENGTH_OFFSET);
    }

    /** @return the compatible feature flags. */
    public long compatFeatures()
    {
        return getLong(COMPAT_OFFSET);
    }

    /**
     * Sets the compatible feature flags.
     *
     * @param flags the feature bits.
     * @return this flyweight.
     */
    public Superblock compatFeatures(final long flags)
    {
        putLong(COMPAT_OFFSET, flags);
        return this;
    }

    /** @return the read-only-compatible feature flags. */
    public long roCompatFeatures()
    {
        return getLong(RO_COMPAT_OFFSET);
    }

    /**
     * Sets the read-only-compatible feature flags.
     *
     * @param flags the feature bits.
     * @return this flyweight.
     */
    public Superblock roCompatFeatures(final long flags)
    {
        putLong(RO_COMPAT_OFFSET, flags);
        return this;
    }

    /** @return the incompatible feature flags. */
    public long incompatFeatures()
    {
        return getLong(INCOMPAT_OFFSET);
    }

    /**
     * Sets the incompatible feature flags.
     *
     * @param flags the feature bits.
     * @return this flyweight.
     */
    public Superblock incompatFeatures(final long flags)
    {
        putLong(INCOMPAT_OFFSET, flags);
        return this;
    }

    /** @return the image's UUID. */
    public UUID uuid()
    {
        return new UUID(getLong(UUID_OFFSET), getLong(UUID_OFFSET + Long.BYTES));
    }

    /** @return the label, up to its first NUL. */
    public String label()
    {
        final byte[] bytes = new byte[LABEL_LENGTH];
        getBytes(LABEL_OFFSET, bytes, 0, LABEL_LENGTH);
        int length = 0;
        while (length < LABEL_LENGTH && bytes[length] != 0)
        {
            length++;
        }
        return new String(bytes, 0, length, StandardCharsets.UTF_8);
    }

    /**
     * Sets the label.
     *
     * @param label at most {@link #LABEL_LENGTH} bytes of UTF-8, no NUL.
     * @return this flyweight.
     * @throws IllegalArgumentException if the label is too long or holds a NUL.
     */
    public Superblock label(final String label)
    {
        final byte[] bytes = checkLabel(label);
        zero(LABEL_OFFSET, LABEL_LENGTH);
        putBytes(LABEL_OFFSET, bytes, 0, bytes.length);
        return this;
    }

    /**
     * Validates a label and returns its UTF-8 bytes.
     *
     * @param label the label.
     * @return its UTF-8 bytes.
     * @throws IllegalArgumentException if it is longer than {@link #LABEL_LENGTH} bytes in UTF-8 or holds a NUL.
     */
    public static byte[] checkLabel(final String label)
    {
        final byte[] bytes = label.getBytes(StandardCharsets.UTF_8);
        if (bytes.length > LABEL_LENGTH)
        {
            throw new IllegalArgumentException("label too long: " + bytes.length + " bytes in UTF-8, at most " +
                LABEL_LENGTH);
        }
        if (label.indexOf('\0') >= 0)
        {
            throw new IllegalArgumentException("label must not contain a NUL character");
        }
        return bytes;
    }

    /** @return the creation time, milliseconds since the epoch. */
    public long createdMillis()
    {
        return getLong(CREATED_OFFSET);
    }

    /** @return the block size in bytes. */
    public int blockSize()
    {
        return getInt(BLOCK_SIZE_OFFSET);
    }

    /** @return the device's logical sector size at mkfs time. */
    public int sectorSize()
    {
        return getInt(SECTOR_SIZE_OFFSET);
    }

    /** @return the number of blocks of the image. */
    public long blockCount()
    {
        return getLong(BLOCK_COUNT_OFFSET);
    }

    /** @return the slot index: 0, 1 or {@link #SLOT_BACKUP}. */
    public int slot()
    {
        return getInt(SLOT_OFFSET);
    }

    /**
     * Sets the slot index, for writing the same superblock to the other slot; re-seal afterwards.
     *
     * @param slot 0, 1 or {@link #SLOT_BACKUP}.
     * @return this flyweight.
     */
    public Superblock slot(final int slot)
    {
        putInt(SLOT_OFFSET, slot);
        return this;
    }

    /** @return the first block of the first bitmap copy. */
    public long bitmapStart()
    {
        return getLong(BITMAP_START_OFFSET);
    }

    /** @return the number of blocks of one bitmap copy. */
    public long bitmapBlocks()
    {
        return getLong(BITMAP_BLOCKS_OFFSET);
    }

    /** @return the first block of the data region. */
    public long dataStart()
    {
        return getLong(DATA_START_OFFSET);
    }

    /** @return the block after the data region. */
    public long dataEnd()
    {
        return getLong(DATA_END_OFFSET);
    }

    /** @return the block number of the backup superblock. */
    public long backupBlock()
    {
        return getLong(BACKUP_BLOCK_OFFSET);
    }

    /** @return the check value as read. */
    public int crc()
    {
        return getInt(CRC_OFFSET);
    }

    /**
     * Computes and stores the check value for the superblock's home {@code block}.
     *
     * @param block the block the superblock is written to.
     * @return this flyweight.
     */
    public Superblock seal(final long block)
    {
        putInt(CRC_OFFSET, checksums.metadata(buffer, offset, LENGTH, CRC_OFFSET, block, slot()));
        return this;
    }

    /**
     * @return true if the magic number identifies a cachefs superblock; nothing else is checked.
     */
    public boolean hasMagic()
    {
        return magic() == MAGIC;
    }

    /**
     * Validates every field, in the order: magic, version, check value, features, geometry, layout.
     *
     * @param device       device name for messages.
     * @param block        block the superblock was read from.
     * @param expectedSlot the slot index that block holds.
     * @return the layout the superblock describes.
     * @throws CorruptCacheException        on any inconsistency.
     * @throws FormatVersionException       on a major version other than {@link FormatVersion#MAJOR}.
     * @throws UnsupportedFeatureException  on unknown incompatible features.
     */
    public RegionLayout verify(final String device, final long block, final int expectedSlot)
    {
        if (magic() != MAGIC)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "magic", hex(MAGIC), hex(magic()));
        }
        if (majorVersion() != FormatVersion.MAJOR)
        {
            throw new FormatVersionException(device, majorVersion(), minorVersion());
        }
        final int actualCrc = checksums.metadata(buffer, offset, LENGTH, CRC_OFFSET, block, slot());
        if (actualCrc != crc())
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "crc", Checksums.hex(crc()),
                Checksums.hex(actualCrc));
        }
        expect(device, block, "header length", LENGTH, headerLength());
        expect(device, block, "slot", expectedSlot, slot());
        final long unknownIncompat = incompatFeatures() & ~FormatVersion.INCOMPAT_SUPPORTED;
        if (unknownIncompat != 0)
        {
            throw new UnsupportedFeatureException(device, "incompat", unknownIncompat);
        }
        final int blockSize = blockSize();
        if (blockSize < FormatVersion.MIN_BLOCK_SIZE || blockSize > FormatVersion.MAX_BLOCK_SIZE ||
            Integer.bitCount(blockSize) != 1)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "block size",
                "power of two in [" + FormatVersion.MIN_BLOCK_SIZE + ", " + FormatVersion.MAX_BLOCK_SIZE + "]",
                blockSize);
        }
        final long blockCount = blockCount();
        if (blockCount < RegionLayout.minimumBlocks(blockSize) || blockCount > RegionLayout.maximumBlocks(blockSize))
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "block count",
                "in [" + RegionLayout.minimumBlocks(blockSize) + ", " + RegionLayout.maximumBlocks(blockSize) + "]",
                blockCount);
        }
        final RegionLayout layout = RegionLayout.of(blockSize, blockCount);
        expect(device, block, "bitmap start", layout.bitmapStart(0), bitmapStart());
        expect(device, block, "bitmap blocks", layout.bitmapBlocks(), bitmapBlocks());
        expect(device, block, "data start", layout.dataStart(), dataStart());
        expect(device, block, "data end", layout.dataEnd(), dataEnd());
        expect(device, block, "backup block", layout.backupBlock(), backupBlock());
        checkReserved(device, block, PADDING_OFFSET);
        for (int field = RESERVED_OFFSET; field < CRC_OFFSET; field += Integer.BYTES)
        {
            checkReserved(device, block, field);
        }
        return layout;
    }

    private void checkReserved(final String device, final long block, final int field)
    {
        if (getInt(field) != 0)
        {
            throw new CorruptCacheException(STRUCTURE, device, block, "reserved@" + field, "0",
                hex(getInt(field) & 0xFFFFFFFFL));
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

    /**
     * @param other another slot of the image.
     * @return true if the static fields (everything but the slot index and check value) equal {@code other}'s.
     */
    public boolean sameImage(final Superblock other)
    {
        for (int i = 0; i < CRC_OFFSET; i += Integer.BYTES)
        {
            if (i != SLOT_OFFSET && getInt(i) != other.getInt(i))
            {
                return false;
            }
        }
        return true;
    }
}
