package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BitmapBlock;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * Makes a new metadata set current the way the engine commits (DESIGN.md, "Commit protocol"): the bitmap copy of
 * the new generation written in full, a flush, the superblock slot of the new generation (static fields and commit
 * record in one block), a flush. A crash before the slot write is durable leaves the previous commit current.
 */
final class CommitWriter
{
    private final BlockDevice device;
    private final RegionLayout layout;
    private final int blockSize;
    private final int alignment;

    CommitWriter(final BlockDevice device, final RegionLayout layout)
    {
        this.device = device;
        this.layout = layout;
        this.blockSize = layout.blockSize();
        this.alignment = Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT);
    }

    /**
     * Marks what every bitmap marks used: the blocks outside the data region.
     */
    static void markMetadata(final Bits used, final RegionLayout layout)
    {
        used.setRange(0, layout.dataStart());
        used.set(layout.backupBlock());
    }

    /**
     * Writes every block of bitmap copy {@code generation % 2} from {@code used}.
     */
    void writeBitmap(final long generation, final Bits used) throws IOException
    {
        final int copy = (int)(generation & 1);
        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize, alignment);
        final BitmapBlock bitmap = new BitmapBlock();
        final int wordsPerBlock = (int)(BitmapBlock.bitsPerBlock(blockSize) / Long.SIZE);
        for (long index = 0; index < layout.bitmapBlocks(); index++)
        {
            final long block = layout.bitmapStart(copy) + index;
            bitmap.wrap(buffer, blockSize).init(copy, index, generation, block);
            final long firstWord = index * wordsPerBlock;
            if (firstWord < used.words().length)
            {
                bitmap.copyBitsFrom(used.words(), (int)firstWord);
            }
            bitmap.seal();
            device.write(block * blockSize, buffer.clear());
        }
    }

    /**
     * Writes the superblock slot of {@code commit}'s generation from {@code superblock}'s static fields and
     * {@code commit}, sealed for the slot's block.
     */
    void writeSlot(final Superblock superblock, final CommitRecord commit) throws IOException
    {
        final int slot = commit.bitmapCopy();
        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize, alignment);
        new Superblock().wrap(buffer).copyFrom(superblock, slot).seal(slot);
        new CommitRecord().wrap(buffer).copyFrom(commit).seal(slot);
        device.write((long)slot * blockSize, buffer);
    }

    /**
     * Writes the backup superblock: {@code superblock}'s static fields and the commit record of an empty cache,
     * generation 0, as mkfs writes it.
     */
    void writeBackup(final Superblock superblock) throws IOException
    {
        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize, alignment);
        final long block = layout.backupBlock();
        new Superblock().wrap(buffer).copyFrom(superblock, Superblock.SLOT_BACKUP).seal(block);
        new CommitRecord().wrap(buffer).init(0, superblock.createdMillis(), layout).seal(block);
        device.write(block * blockSize, buffer);
    }

    /**
     * Replaces the image's metadata by an empty cache with the static fields of {@code superblock} (the backup's),
     * in mkfs's order: both bitmap copies, a flush, slot 1 (generation 1), a flush, slot 0 (generation 2), a flush.
     */
    void writeEmpty(final Superblock superblock, final long nowMillis) throws IOException
    {
        final Bits used = new Bits(layout.blockCount());
        markMetadata(used, layout);
        writeBitmap(1, used);
        writeBitmap(2, used);
        device.flush();
        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize, alignment);
        final CommitRecord commit = new CommitRecord().wrap(buffer);
        commit.init(1, nowMillis, layout);
        writeSlot(superblock, commit);
        device.flush();
        commit.init(2, nowMillis, layout);
        writeSlot(superblock, commit);
        device.flush();
    }
}
