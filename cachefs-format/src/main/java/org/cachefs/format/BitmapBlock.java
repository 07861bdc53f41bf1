package org.cachefs.format;

import java.nio.ByteBuffer;

/**
 * Flyweight over one block of an allocation bitmap copy: a {@link MetadataBlock} header, then one bit per device
 * block, least significant bit first, set when the block is in use. Header fields: kind 1, owner = the copy (0 or 1),
 * first = the index of this block within its copy, generation = the commit that last wrote it.
 *
 * <pre>
 *   0                                  64                                           block size
 *   +----------------------------------+---------------------------------------------+
 *   | header (owner = copy, first = i) | bits for blocks [i * bits, (i + 1) * bits)  |
 *   +----------------------------------+---------------------------------------------+
 * </pre>
 * Bits of blocks outside the device are zero; bits of blocks outside the data region are one.
 */
public final class BitmapBlock extends MetadataBlock
{
    /**
     * "CFSB" read as a little-endian int.
     */
    public static final int MAGIC = 0x42534643;
    /** Header kind of a bitmap block. */
    public static final int KIND = 1;
    /** Offset of the bits, right after the header. */
    public static final int BITS_OFFSET = HEADER_LENGTH;
    private static final String STRUCTURE = "bitmap block";

    /**
     * A flyweight over no block yet: {@link #wrap(ByteBuffer, int)} gives it one.
     */
    public BitmapBlock()
    {
    }

    /**
     * @param blockSize the image's block size.
     * @return how many device blocks one bitmap block covers.
     */
    public static long bitsPerBlock(final int blockSize)
    {
        return (long)(blockSize - HEADER_LENGTH) * Byte.SIZE;
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
    public BitmapBlock wrap(final ByteBuffer buffer, final int blockSize)
    {
        wrapBlock(buffer, blockSize);
        return this;
    }

    /**
     * Starts an empty bitmap block (all bits clear).
     *
     * @param copy       bitmap copy, 0 or 1.
     * @param index      index of this block within the copy.
     * @param generation the commit generation being written.
     * @param block      the block it will be written to.
     * @return this flyweight.
     */
    public BitmapBlock init(final int copy, final long index, final long generation, final long block)
    {
        initHeader(KIND, 0, generation, block, copy, index);
        return this;
    }

    /** @return the bitmap copy, 0 or 1 (the header's owner). */
    public int copy()
    {
        return (int)owner();
    }

    /** @return the index of this block within its copy (the header's first). */
    public long index()
    {
        return first();
    }

    /**
     * Sets the generation of the commit that writes the block.
     *
     * @param generation the commit's generation.
     */
    public void generation(final long generation)
    {
        putLong(GENERATION_OFFSET, generation);
    }

    /**
     * Sets the block the block is written to.
     *
     * @param block the block number.
     */
    public void block(final long block)
    {
        putLong(BLOCK_OFFSET, block);
    }

    /**
     * Sets the bitmap copy the block belongs to.
     *
     * @param copy 0 or 1.
     */
    public void copy(final int copy)
    {
        putLong(OWNER_OFFSET, copy);
    }

    /**
     * @return the number of device blocks this bitmap block covers.
     */
    public long bits()
    {
        return bitsPerBlock(blockSize);
    }

    /**
     * @param bit the device block number, relative to the first block this bitmap block covers.
     * @return whether the device block of {@code bit} is in use.
     */
    public boolean get(final long bit)
    {
        return (buffer.get(byteOffset(bit)) & mask(bit)) != 0;
    }

    /**
     * Marks the device block of {@code bit} in use.
     *
     * @param bit the device block number, relative to the first block this bitmap block covers.
     */
    public void set(final long bit)
    {
        final int at = byteOffset(bit);
        buffer.put(at, (byte)(buffer.get(at) | mask(bit)));
    }

    /**
     * Marks the device block of {@code bit} free.
     *
     * @param bit the device block number, relative to the first block this bitmap block covers.
     */
    public void clear(final long bit)
    {
        final int at = byteOffset(bit);
        buffer.put(at, (byte)(buffer.get(at) & ~mask(bit)));
    }

    /**
     * @return the number of set bits.
     */
    public long cardinality()
    {
        long count = 0;
        for (int i = BITS_OFFSET; i < blockSize; i += Long.BYTES)
        {
            count += Long.bitCount(getLong(i));
        }
        return count;
    }

    /**
     * Copies the bits of this block into {@code dst} (one long per 64 device blocks, the same bit order) starting at
     * word {@code dstWord}; copies at most {@code maxWords} words.
     *
     * @param dst      the words to copy into.
     * @param dstWord  the first word of {@code dst} written.
     * @param maxWords the most words copied.
     */
    public void copyBitsTo(final long[] dst, final int dstWord, final int maxWords)
    {
        final int words = (int)Math.min(maxWords, bits() / Long.SIZE);
        for (int w = 0; w < words; w++)
        {
            dst[dstWord + w] = getLong(BITS_OFFSET + w * Long.BYTES);
        }
    }

    /**
     * Copies bits from {@code src} words starting at {@code srcWord}; words past {@code src}'s end are zero.
     *
     * @param src     the words to copy from.
     * @param srcWord the first word of {@code src} read.
     */
    public void copyBitsFrom(final long[] src, final int srcWord)
    {
        final int words = (int)(bits() / Long.SIZE);
        for (int w = 0; w < words; w++)
        {
            final int from = srcWord + w;
            putLong(BITS_OFFSET + w * Long.BYTES, from < src.length ? src[from] : 0);
        }
    }

    /**
     * Validates the block as block {@code index} of bitmap copy {@code copy} of an image with {@code layout}, read
     * for a commit of {@code generation}: the header, and the bits that the layout fixes (blocks outside the data
     * region set, blocks past the device end clear).
     *
     * @param device     device name for messages.
     * @param block      where the block was read from.
     * @param copy       the bitmap copy, 0 or 1.
     * @param index      the block's index within the copy.
     * @param generation the generation of the commit being read: no block of it may be newer.
     * @param layout     the image's regions.
     */
    public void verify(
        final String device, final long block, final int copy, final long index, final long generation,
        final RegionLayout layout)
    {
        verifyHeader(device, block, copy, generation, null);
        if (kind() != KIND)
        {
            throw corrupt(device, block, "kind", KIND, kind());
        }
        if (index() != index)
        {
            throw corrupt(device, block, "index", index, index());
        }
        if (level() != 0 || count() != 0 || getInt(FREE_END_OFFSET) != 0)
        {
            throw corrupt(device, block, "level/count/free end", "0/0/0",
                level() + "/" + count() + "/" + getInt(FREE_END_OFFSET));
        }
        final long firstBlock = index * bits();
        final long endBlock = firstBlock + bits();
        for (long b = firstBlock; b < Math.min(endBlock, layout.dataStart()); b++)
        {
            if (!get(b - firstBlock))
            {
                throw corrupt(device, block, "bit of metadata block " + b, 1, 0);
            }
        }
        final long backup = layout.backupBlock();
        if (backup >= firstBlock && backup < endBlock && !get(backup - firstBlock))
        {
            throw corrupt(device, block, "bit of backup superblock " + backup, 1, 0);
        }
        for (long b = Math.max(firstBlock, layout.blockCount()); b < endBlock; b++)
        {
            if (get(b - firstBlock))
            {
                throw corrupt(device, block, "bit of block " + b + " past the device end", 0, 1);
            }
        }
    }

    private int byteOffset(final long bit)
    {
        if (bit < 0 || bit >= bits())
        {
            throw new IndexOutOfBoundsException("bit " + bit + " outside [0, " + bits() + ")");
        }
        return offset + BITS_OFFSET + (int)(bit >>> 3);
    }

    private static int mask(final long bit)
    {
        return 1 << (int)(bit & 7);
    }
}
