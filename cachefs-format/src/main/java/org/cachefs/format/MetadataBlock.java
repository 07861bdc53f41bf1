package org.cachefs.format;

import java.nio.ByteBuffer;

/**
 * The 64-byte header every metadata block in the bitmap and data regions starts with, and the checks common to all
 * of them. Subclasses ({@link BitmapBlock}, {@link IndexNode}, {@link PageMapNode}) define the body.
 *
 * <pre>
 *   0          4     5     6           8                   16                  24
 *   +----------+-----+-----+-----------+-------------------+-------------------+
 *   | magic    | kind|level| count     | generation        | block number      |
 *   +----------+-----+-----+-----------+-------------------+-------------------+
 *  24 owner              | first               | free end  | reserved, zero    |
 *   +-------------------+-------------------+----------+------------+----------+
 *  64                                                      56           60       64
 *                                                          reserved     crc32c
 * </pre>
 * The check value covers the whole block (less the check field), seeded with the block number and the owner, so a
 * block written to the wrong place or left over from another owner is detected.
 */
public abstract class MetadataBlock extends Flyweight
{
    /** Offset of the magic number, which tells the kind of structure (4 bytes). */
    public static final int MAGIC_OFFSET = 0;
    /** Offset of the kind of block, by subclass (1 byte). */
    public static final int KIND_OFFSET = 4;
    /** Offset of the level in its tree, by subclass (1 byte). */
    public static final int LEVEL_OFFSET = 5;
    /** Offset of the number of entries (2 bytes). */
    public static final int COUNT_OFFSET = 6;
    /** Offset of the generation of the commit that wrote the block (8 bytes). */
    public static final int GENERATION_OFFSET = 8;
    /** Offset of the block number the block was written to (8 bytes). */
    public static final int BLOCK_OFFSET = 16;
    /** Offset of the object id the block belongs to, or 0 (8 bytes). */
    public static final int OWNER_OFFSET = 24;
    /** Offset of the first item the block covers, by subclass (8 bytes). */
    public static final int FIRST_OFFSET = 32;
    /** Offset of the lowest entry offset of a slotted block, by subclass (4 bytes). */
    public static final int FREE_END_OFFSET = 40;
    /** Offset of 16 reserved bytes, zero. */
    public static final int RESERVED_OFFSET = 44;
    /** Offset of the crc32c of the block (4 bytes). */
    public static final int CRC_OFFSET = 60;
    /** Length of the header: the body starts here. */
    public static final int HEADER_LENGTH = 64;

    /** The image's block size: the length of the block wrapped. */
    protected int blockSize;

    /**
     * A flyweight over no block yet: the subclass's {@code wrap} gives it one.
     */
    protected MetadataBlock()
    {
    }

    /**
     * @return the magic number of this kind of block.
     */
    protected abstract int magicNumber();

    /**
     * @return the structure's name for messages, e.g. "index node".
     */
    protected abstract String structure();

    /**
     * Wraps a block of {@code blockSize} bytes.
     *
     * @param buffer    the block's bytes, from position 0.
     * @param blockSize the image's block size.
     */
    protected void wrapBlock(final ByteBuffer buffer, final int blockSize)
    {
        wrap(buffer, 0, blockSize);
        this.blockSize = blockSize;
    }

    /**
     * Zeroes the block and writes the header fields; the count and the check value are left 0.
     *
     * @param kind       the kind of block, by subclass.
     * @param level      the level, by subclass.
     * @param generation the commit that writes the block.
     * @param block      the block it is written to.
     * @param owner      the object id it belongs to, or 0.
     * @param first      the first item it covers (by subclass), or 0.
     */
    protected void initHeader(
        final int kind, final int level, final long generation, final long block, final long owner, final long first)
    {
        zero(0, blockSize);
        putInt(MAGIC_OFFSET, magicNumber());
        putByte(KIND_OFFSET, kind);
        putByte(LEVEL_OFFSET, level);
        putLong(GENERATION_OFFSET, generation);
        putLong(BLOCK_OFFSET, block);
        putLong(OWNER_OFFSET, owner);
        putLong(FIRST_OFFSET, first);
    }

    /** @return the block size, the length of the block wrapped. */
    public int blockSize()
    {
        return blockSize;
    }

    /** @return the magic number as read. */
    public int magic()
    {
        return getInt(MAGIC_OFFSET);
    }

    /** @return the kind of block, by subclass. */
    public int kind()
    {
        return getUnsignedByte(KIND_OFFSET);
    }

    /** @return the level of the block in its tree, by subclass. */
    public int level()
    {
        return getUnsignedByte(LEVEL_OFFSET);
    }

    /** @return the number of entries in the block. */
    public int count()
    {
        return getUnsignedShort(COUNT_OFFSET);
    }

    /**
     * Sets the number of entries in the block.
     *
     * @param count 0 to 65535.
     */
    protected void count(final int count)
    {
        putShort(COUNT_OFFSET, count);
    }

    /** @return the generation of the commit that wrote the block. */
    public long generation()
    {
        return getLong(GENERATION_OFFSET);
    }

    /** @return the block number the block was written to. */
    public long block()
    {
        return getLong(BLOCK_OFFSET);
    }

    /** @return the object id the block belongs to, or 0. */
    public long owner()
    {
        return getLong(OWNER_OFFSET);
    }

    /** @return the first item the block covers (by subclass), or 0. */
    public long first()
    {
        return getLong(FIRST_OFFSET);
    }

    /** @return the check value as read. */
    public int crc()
    {
        return getInt(CRC_OFFSET);
    }

    /**
     * Computes and stores the check value. Call after the last change, before writing the block.
     *
     * @return the check value, which a parent structure may record.
     */
    public int seal()
    {
        final int crc = checksums.metadata(buffer, offset, blockSize, CRC_OFFSET, block(), owner());
        putInt(CRC_OFFSET, crc);
        return crc;
    }

    /**
     * Checks the header: magic, check value, block number, owner, kind, generation, reserved bytes.
     *
     * @param device         device name for messages.
     * @param block          where the block was read from.
     * @param owner          the owner the referrer expects.
     * @param maxGeneration  the generation of the commit being read: no block of it may be newer.
     * @param expectedCrc    the check value the referrer recorded, or {@code null} if none.
     */
    protected void verifyHeader(
        final String device, final long block, final long owner, final long maxGeneration, final Integer expectedCrc)
    {
        final String structure = structure();
        if (magic() != magicNumber())
        {
            if (isZero())
            {
                throw new CorruptCacheException(structure, device, block, "magic", hex(magicNumber()),
                    "0x0 (block never written)");
            }
            throw new CorruptCacheException(structure, device, block, "magic", hex(magicNumber()), hex(magic()));
        }
        final int actualCrc = checksums.metadata(buffer, offset, blockSize, CRC_OFFSET, block, owner);
        if (actualCrc != crc())
        {
            if (block() != block)
            {
                throw new CorruptCacheException(structure, device, block, "block number", block, block());
            }
            if (owner() != owner)
            {
                throw new CorruptCacheException(structure, device, block, "owner", owner, owner());
            }
            throw new CorruptCacheException(structure, device, block, "crc", Checksums.hex(crc()),
                Checksums.hex(actualCrc));
        }
        if (expectedCrc != null && expectedCrc != actualCrc)
        {
            throw new CorruptCacheException(structure, device, block, "crc recorded by parent",
                Checksums.hex(expectedCrc), Checksums.hex(actualCrc));
        }
        final long generation = generation();
        if (generation < 0 || generation > maxGeneration)
        {
            throw new CorruptCacheException(structure, device, block, "generation", "in [0, " + maxGeneration + "]",
                generation);
        }
        for (int field = RESERVED_OFFSET; field < CRC_OFFSET; field += Integer.BYTES)
        {
            if (getInt(field) != 0)
            {
                throw new CorruptCacheException(structure, device, block, "reserved@" + field, "0",
                    hex(getInt(field) & 0xFFFFFFFFL));
            }
        }
    }

    private boolean isZero()
    {
        for (int i = 0; i < blockSize; i += Long.BYTES)
        {
            if (getLong(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param device   device name for messages.
     * @param block    where the block was read from.
     * @param field    the field's name.
     * @param expected what it should hold.
     * @param actual   what it holds.
     * @return an exception for a field of this block that does not hold what it should.
     */
    protected final CorruptCacheException corrupt(
        final String device, final long block, final String field, final Object expected, final Object actual)
    {
        return new CorruptCacheException(structure(), device, block, field, expected, actual);
    }
}
