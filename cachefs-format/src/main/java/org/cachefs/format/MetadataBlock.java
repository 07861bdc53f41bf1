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
    public static final int MAGIC_OFFSET = 0;
    public static final int KIND_OFFSET = 4;
    public static final int LEVEL_OFFSET = 5;
    public static final int COUNT_OFFSET = 6;
    public static final int GENERATION_OFFSET = 8;
    public static final int BLOCK_OFFSET = 16;
    public static final int OWNER_OFFSET = 24;
    public static final int FIRST_OFFSET = 32;
    public static final int FREE_END_OFFSET = 40;
    public static final int RESERVED_OFFSET = 44;
    public static final int CRC_OFFSET = 60;
    public static final int HEADER_LENGTH = 64;

    protected int blockSize;

    /**
     * @return the magic number of this kind of block.
     */
    protected abstract int magicNumber();

    /**
     * @return the structure's name for messages, e.g. "index node".
     */
    protected abstract String structure();

    protected void wrapBlock(final ByteBuffer buffer, final int blockSize)
    {
        wrap(buffer, 0, blockSize);
        this.blockSize = blockSize;
    }

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

    public int blockSize()
    {
        return blockSize;
    }

    public int magic()
    {
        return getInt(MAGIC_OFFSET);
    }

    public int kind()
    {
        return getUnsignedByte(KIND_OFFSET);
    }

    public int level()
    {
        return getUnsignedByte(LEVEL_OFFSET);
    }

    public int count()
    {
        return getUnsignedShort(COUNT_OFFSET);
    }

    protected void count(final int count)
    {
        putShort(COUNT_OFFSET, count);
    }

    public long generation()
    {
        return getLong(GENERATION_OFFSET);
    }

    public long block()
    {
        return getLong(BLOCK_OFFSET);
    }

    public long owner()
    {
        return getLong(OWNER_OFFSET);
    }

    public long first()
    {
        return getLong(FIRST_OFFSET);
    }

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

    protected final CorruptCacheException corrupt(
        final String device, final long block, final String field, final Object expected, final Object actual)
    {
        return new CorruptCacheException(structure(), device, block, field, expected, actual);
    }
}
