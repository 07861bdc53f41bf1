package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BitmapBlock;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * The check of the commit's bitmap copy against the blocks the index and page maps refer to, once {@link Checker}
 * has walked them: blocks marked used that nothing refers to (leaked) and blocks referred to that are free, each
 * reported as runs of consecutive blocks, and the bitmap's set bits against the commit record's count of used blocks.
 * Reads the bitmap copy one block at a time and changes nothing.
 * <p>
 * Used by the checking thread only.
 */
final class BitmapCheck
{
    private final BlockDevice device;
    private final String name;
    private final RegionLayout layout;
    private final CommitRecord commit;
    private final Findings findings;
    private final int blockSize;

    BitmapCheck(final BlockDevice device, final RegionLayout layout, final CommitRecord commit, final Findings findings)
    {
        this.device = device;
        this.name = device.name();
        this.layout = layout;
        this.commit = commit;
        this.findings = findings;
        this.blockSize = layout.blockSize();
    }

    /**
     * Compares the commit's bitmap copy with {@code referenced}, the blocks the trees refer to, and its set bits with
     * the commit's count.
     */
    void check(final Bits referenced) throws IOException
    {
        final int copy = commit.bitmapCopy();
        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize, Math.max(device.logicalSectorSize(),
            AlignedBuffers.DEFAULT_ALIGNMENT));
        final BitmapBlock bitmap = new BitmapBlock();
        final long bitsPerBlock = BitmapBlock.bitsPerBlock(blockSize);
        final int wordsPerBlock = (int)(bitsPerBlock / Long.SIZE);
        final long[] words = new long[wordsPerBlock];
        final Runs leaked = new Runs(FsckFinding.Kind.LEAKED_BLOCK, copy);
        final Runs free = new Runs(FsckFinding.Kind.REFERENCED_FREE_BLOCK, copy);
        long setBits = 0;
        boolean allValid = true;
        for (long index = 0; index < layout.bitmapBlocks(); index++)
        {
            final long block = layout.bitmapStart(copy) + index;
            device.read(block * blockSize, buffer.clear());
            try
            {
                bitmap.wrap(buffer, blockSize).verify(name, block, copy, index, commit.generation(), layout);
            }
            catch (final CorruptCacheException ex)
            {
                allValid = false;
                leaked.end();
                free.end();
                findings.add(FsckFinding.Kind.BITMAP_CORRUPT, ex.getMessage() + " (bitmap copy " + copy +
                    " block " + index + ")");
                continue;
            }
            setBits += bitmap.cardinality();
            bitmap.copyBitsTo(words, 0, wordsPerBlock);
            final long firstBit = index * bitsPerBlock;
            for (int w = 0; w < wordsPerBlock; w++)
            {
                final long wordStart = firstBit + (long)w * Long.SIZE;
                if (wordStart >= layout.dataEnd())
                {
                    break;
                }
                final long inRegion = regionMask(wordStart);
                final long used = words[w] & inRegion;
                final long refs = referenced.word(wordStart >>> 6) & inRegion;
                long leakedBits = used & ~refs;
                long freeBits = refs & ~used;
                if (leakedBits == 0 && freeBits == 0)
                {
                    leaked.end();
                    free.end();
                    continue;
                }
                for (int bit = 0; bit < Long.SIZE; bit++)
                {
                    final long blockNumber = wordStart + bit;
                    if ((inRegion & (1L << bit)) == 0)
                    {
                        continue;
                    }
                    leaked.next(blockNumber, (leakedBits & (1L << bit)) != 0);
                    free.next(blockNumber, (freeBits & (1L << bit)) != 0);
                }
            }
        }
        leaked.end();
        free.end();
        if (allValid && setBits != commit.usedBlocks())
        {
            findings.add(FsckFinding.Kind.COUNTER_USED_BLOCKS, "commit record counts " + commit.usedBlocks() +
                " used blocks, bitmap copy " + copy + " marks " + setBits);
        }
    }

    /**
     * @return the bits of the 64 blocks from {@code wordStart} that lie in the data region.
     */
    private long regionMask(final long wordStart)
    {
        long mask = -1L;
        final long start = layout.dataStart();
        final long end = layout.dataEnd();
        if (start > wordStart)
        {
            mask = start - wordStart >= Long.SIZE ? 0 : mask & (-1L << (start - wordStart));
        }
        if (end < wordStart + Long.SIZE)
        {
            mask = end <= wordStart ? 0 : mask & (-1L >>> (Long.SIZE - (end - wordStart)));
        }
        return mask;
    }

    /**
     * Runs of consecutive blocks in one state, reported as one finding per run.
     */
    private final class Runs
    {
        private final FsckFinding.Kind kind;
        private final int copy;
        private long start = -1;
        private long end;

        Runs(final FsckFinding.Kind kind, final int copy)
        {
            this.kind = kind;
            this.copy = copy;
        }

        void next(final long block, final boolean in)
        {
            if (in && start >= 0 && block == end)
            {
                end++;
                return;
            }
            end();
            if (in)
            {
                start = block;
                end = block + 1;
            }
        }

        void end()
        {
            if (start < 0)
            {
                return;
            }
            final long count = end - start;
            final String blocks = count == 1 ? "block " + start : "blocks " + start + "-" + (end - 1) + " (" +
                count + " blocks)";
            if (kind == FsckFinding.Kind.LEAKED_BLOCK)
            {
                findings.add(kind, blocks + (count == 1 ? " is" : " are") + " marked used in bitmap copy " + copy +
                    " but nothing refers to " + (count == 1 ? "it" : "them"));
            }
            else
            {
                findings.add(kind, blocks + (count == 1 ? " is" : " are") + " in use but free in bitmap copy " +
                    copy);
            }
            start = -1;
        }
    }
}
