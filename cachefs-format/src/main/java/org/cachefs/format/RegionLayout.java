package org.cachefs.format;

/**
 * Where each region of an image lies, derived from the block size and block count alone, so that a reader can check
 * every region field of a superblock against it.
 *
 * <pre>
 * block 0        superblock slot 0   (static fields + commit record of even generations)
 * block 1        superblock slot 1   (static fields + commit record of odd generations)
 * block 2        bitmap copy 0       (bitmapBlocks blocks, current in even generations)
 * 2 + B          bitmap copy 1       (bitmapBlocks blocks, current in odd generations)
 * 2 + 2B         data region         (index nodes, page-map nodes and data pages, allocated by the bitmap)
 * count - 1      backup superblock   (written by mkfs: static fields + the empty commit, generation 0)
 * </pre>
 */
public final class RegionLayout
{
    /** The block of superblock slot 0. */
    public static final long SLOT0_BLOCK = 0;
    /** The block of superblock slot 1. */
    public static final long SLOT1_BLOCK = 1;
    /** The first block of bitmap copy 0. */
    public static final long BITMAP_START = 2;

    /**
     * Fewest blocks the data region may have.
     */
    public static final long MIN_DATA_BLOCKS = 64;

    private final int blockSize;
    private final long blockCount;
    private final long bitmapBlocks;

    private RegionLayout(final int blockSize, final long blockCount, final long bitmapBlocks)
    {
        this.blockSize = blockSize;
        this.blockCount = blockCount;
        this.bitmapBlocks = bitmapBlocks;
    }

    /**
     * Lays out a device of {@code blockCount} blocks of {@code blockSize} bytes.
     *
     * @param blockSize  the block size in bytes.
     * @param blockCount the device's size in blocks.
     * @return the layout.
     * @throws IllegalArgumentException if the device is too small or too large for the format.
     */
    public static RegionLayout of(final int blockSize, final long blockCount)
    {
        if (blockCount > maximumBlocks(blockSize))
        {
            throw new IllegalArgumentException("device too large: " + blockCount + " blocks, the format addresses " +
                maximumBlocks(blockSize));
        }
        final long bitsPerBlock = BitmapBlock.bitsPerBlock(blockSize);
        final long bitmapBlocks = Math.max(1, (blockCount + bitsPerBlock - 1) / bitsPerBlock);
        final RegionLayout layout = new RegionLayout(blockSize, blockCount, bitmapBlocks);
        if (blockCount < minimumBlocks(blockSize))
        {
            throw new IllegalArgumentException("device too small: " + blockCount + " blocks of " + blockSize +
                " bytes, cachefs needs at least " + minimumBlocks(blockSize) + " blocks (" +
                minimumBlocks(blockSize) * blockSize + " bytes)");
        }
        return layout;
    }

    /**
     * @param blockSize the block size in bytes.
     * @return the fewest blocks a device of this block size must have.
     */
    public static long minimumBlocks(final int blockSize)
    {
        return BITMAP_START + 2 + MIN_DATA_BLOCKS + 1;
    }

    /**
     * @param blockSize the block size in bytes.
     * @return the most blocks a device of this block size may have: as many as a {@link BlockPointer} addresses, and
     * few enough that the device's size in bytes fits a {@code long}.
     */
    public static long maximumBlocks(final int blockSize)
    {
        return Math.min(BlockPointer.MAX_BLOCK, Long.MAX_VALUE / blockSize);
    }

    /** @return the block size in bytes. */
    public int blockSize()
    {
        return blockSize;
    }

    /** @return the device's size in blocks. */
    public long blockCount()
    {
        return blockCount;
    }

    /** @return the blocks of one bitmap copy. */
    public long bitmapBlocks()
    {
        return bitmapBlocks;
    }

    /**
     * @param copy 0 or 1.
     * @return the first block of bitmap copy {@code copy}.
     */
    public long bitmapStart(final int copy)
    {
        return BITMAP_START + (long)copy * bitmapBlocks;
    }

    /** @return the first block of the data region. */
    public long dataStart()
    {
        return BITMAP_START + 2 * bitmapBlocks;
    }

    /** @return the block after the data region: the backup superblock's. */
    public long dataEnd()
    {
        return blockCount - 1;
    }

    /** @return the block of the backup superblock, the device's last. */
    public long backupBlock()
    {
        return blockCount - 1;
    }

    /** @return the blocks of the data region. */
    public long dataBlocks()
    {
        return dataEnd() - dataStart();
    }

    /**
     * @return the blocks outside the data region, which the bitmap always marks used.
     */
    public long metadataBlocks()
    {
        return blockCount - dataBlocks();
    }

    /** @return the device's size in bytes. */
    public long bytes()
    {
        return blockCount * blockSize;
    }

    @Override
    public String toString()
    {
        return "RegionLayout{blockSize=" + blockSize + ", blockCount=" + blockCount + ", bitmapBlocks=" +
            bitmapBlocks + ", dataStart=" + dataStart() + ", dataEnd=" + dataEnd() + '}';
    }
}
