package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.CacheFsException;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.FormatVersion;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.NotFormattedException;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * Checks both superblock slots and the backup superblock one by one, and chooses the current commit: the valid slot
 * with the highest generation, as mount does. Reports a damaged or stale slot, a damaged backup, no valid slot at all,
 * and an image larger than its device.
 * <p>
 * An image that holds no cachefs superblock anywhere, another filesystem, or a newer format is not a finding: the
 * {@link ImageHeader} exceptions for those propagate (an operational error).
 */
final class SlotCheck
{
    private final RegionLayout layout;
    private final int current;
    private final ByteBuffer currentBlock;
    private final ByteBuffer backupBlock;
    private final boolean truncated;

    private SlotCheck(
        final RegionLayout layout, final int current, final ByteBuffer currentBlock, final ByteBuffer backupBlock,
        final boolean truncated)
    {
        this.layout = layout;
        this.current = current;
        this.currentBlock = currentBlock;
        this.backupBlock = backupBlock;
        this.truncated = truncated;
    }

    /**
     * @return the image's layout, or null if no superblock was found valid (nothing else can be checked).
     */
    RegionLayout layout()
    {
        return layout;
    }

    /**
     * @return the current slot, 0 or 1, or -1 if neither slot is valid.
     */
    int current()
    {
        return current;
    }

    /**
     * @return a copy of the current slot's block (superblock and commit record), or null.
     */
    ByteBuffer currentBlock()
    {
        return currentBlock;
    }

    /**
     * @return a copy of the intact backup superblock's block, or null if it is damaged or was not read.
     */
    ByteBuffer backupBlock()
    {
        return backupBlock;
    }

    /**
     * @return true if the image is larger than its device, so that nothing past the slots can be checked.
     */
    boolean truncated()
    {
        return truncated;
    }

    CommitRecord commit()
    {
        return new CommitRecord().wrap(currentBlock);
    }

    Superblock superblock()
    {
        return new Superblock().wrap(currentBlock);
    }

    static SlotCheck read(final BlockDevice device, final Findings findings) throws IOException
    {
        final String name = device.name();
        ImageHeader header = null;
        CacheFsException headerError = null;
        try
        {
            header = ImageHeader.read(device);
        }
        catch (final CorruptCacheException ex)
        {
            headerError = ex;
        }
        catch (final NotFormattedException ex)
        {
            // no magic in either slot: still an image if the backup superblock says so
            if (ImageHeader.readBackup(device) == null)
            {
                throw ex;
            }
            headerError = ex;
        }
        final int blockSize = header != null ? header.layout().blockSize() : findBlockSize(device);
        if (blockSize < 0)
        {
            findings.add(new FsckFinding(FsckFinding.Kind.NO_VALID_SLOT, "neither superblock slot is valid and " +
                "there is no intact backup superblock: " + headerError.getMessage(), FsckFinding.Repair.NONE));
            return new SlotCheck(null, -1, null, null, false);
        }

        final ByteBuffer[] blocks = new ByteBuffer[2];
        final String[] problems = new String[2];
        final RegionLayout[] layouts = new RegionLayout[2];
        for (int slot = 0; slot < 2; slot++)
        {
            blocks[slot] = readBlock(device, slot, blockSize);
            if (blocks[slot] == null)
            {
                problems[slot] = name + " ends before block " + slot;
                continue;
            }
            try
            {
                layouts[slot] = verify(name, blocks[slot], slot, slot, blockSize);
            }
            catch (final CacheFsException ex)
            {
                problems[slot] = ex.getMessage();
            }
        }
        int current = -1;
        for (int slot = 0; slot < 2; slot++)
        {
            if (problems[slot] == null && (current < 0 || generation(blocks[slot]) > generation(blocks[current])))
            {
                current = slot;
            }
        }
        final int other = 1 - Math.max(current, 0);
        if (current >= 0 && problems[other] == null &&
            !new Superblock().wrap(blocks[current]).sameImage(new Superblock().wrap(blocks[other])))
        {
            problems[other] = "its static fields differ from slot " + current + "'s (uuid " +
                new Superblock().wrap(blocks[other]).uuid() + " vs " + new Superblock().wrap(blocks[current]).uuid() +
                ")";
        }

        if (current < 0)
        {
            final ByteBuffer backup = readBackup(device, blockSize);
            final FsckFinding.Repair repair = backup != null ? FsckFinding.Repair.YES : FsckFinding.Repair.NONE;
            for (int slot = 0; slot < 2; slot++)
            {
                findings.add(new FsckFinding(FsckFinding.Kind.SLOT_DAMAGED, slotDamaged(slot, problems[slot]),
                    repair));
            }
            if (backup == null)
            {
                findings.add(new FsckFinding(FsckFinding.Kind.NO_VALID_SLOT, "neither superblock slot is valid " +
                    "and there is no intact backup superblock", repair));
                return new SlotCheck(null, -1, null, null, false);
            }
            final RegionLayout layout = new Superblock().wrap(backup).verify(name, device.size() / blockSize - 1,
                Superblock.SLOT_BACKUP);
            findings.add(new FsckFinding(FsckFinding.Kind.NO_VALID_SLOT, "neither superblock slot is valid; the " +
                "backup superblock at block " + layout.backupBlock() + " is intact: rebuilding from it drops all " +
                "cached data", repair));
            return new SlotCheck(layout, -1, null, backup, false);
        }

        final RegionLayout layout = layouts[current];
        if (problems[other] != null)
        {
            findings.add(FsckFinding.of(FsckFinding.Kind.SLOT_DAMAGED, slotDamaged(other, problems[other])));
        }
        if (layout.bytes() > device.size())
        {
            findings.add(FsckFinding.of(FsckFinding.Kind.IMAGE_TRUNCATED, "the superblock counts " +
                layout.blockCount() + " blocks (" + layout.bytes() + " bytes) but " + name + " holds " +
                device.size() + " bytes: truncated image?"));
            return new SlotCheck(layout, current, blocks[current], null, true);
        }
        final long generation = generation(blocks[current]);
        if (problems[other] == null && generation(blocks[other]) < generation - 1)
        {
            findings.add(FsckFinding.of(FsckFinding.Kind.SLOT_STALE, "superblock slot " + other + " (block " +
                other + ") is stale: it holds generation " + generation(blocks[other]) + ", the one before the " +
                "current generation " + generation + " (slot " + current + ") is " + (generation - 1)));
        }

        final ByteBuffer backup = readBlock(device, layout.backupBlock(), blockSize);
        String backupProblem = null;
        try
        {
            verify(name, backup, layout.backupBlock(), Superblock.SLOT_BACKUP, blockSize);
            if (!new Superblock().wrap(backup).sameImage(new Superblock().wrap(blocks[current])))
            {
                backupProblem = "its static fields differ from slot " + current + "'s";
            }
        }
        catch (final CacheFsException ex)
        {
            backupProblem = ex.getMessage();
        }
        if (backupProblem != null)
        {
            findings.add(FsckFinding.of(FsckFinding.Kind.BACKUP_DAMAGED, "backup superblock (block " +
                layout.backupBlock() + ") is damaged: " + backupProblem));
        }
        return new SlotCheck(layout, current, blocks[current], backupProblem == null ? backup : null, false);
    }

    private static String slotDamaged(final int slot, final String problem)
    {
        return "superblock slot " + slot + " (block " + slot + ") is damaged: " + problem;
    }

    private static long generation(final ByteBuffer block)
    {
        return new CommitRecord().wrap(block).generation();
    }

    /**
     * Validates the superblock and commit record of a slot block read at {@code blockSize}.
     */
    private static RegionLayout verify(
        final String name, final ByteBuffer block, final long blockNumber, final int slot, final int blockSize)
    {
        final RegionLayout layout;
        try
        {
            layout = new Superblock().wrap(block).verify(name, blockNumber, slot);
            new CommitRecord().wrap(block).verify(name, blockNumber, slot, layout);
        }
        catch (final IllegalArgumentException | IndexOutOfBoundsException ex)
        {
            throw new CorruptCacheException("superblock", name, blockNumber, "layout", ex.getMessage());
        }
        if (layout.blockSize() != blockSize)
        {
            throw new CorruptCacheException("superblock", name, blockNumber, "block size", blockSize,
                layout.blockSize());
        }
        return layout;
    }

    /**
     * Finds the block size of an image neither of whose slots {@link ImageHeader#read} accepts: the first size at
     * which a slot is valid on its own, else the backup's.
     *
     * @return the block size, or -1 if no slot and no backup is valid at any size.
     */
    private static int findBlockSize(final BlockDevice device) throws IOException
    {
        for (int blockSize = FormatVersion.MIN_BLOCK_SIZE; blockSize <= FormatVersion.MAX_BLOCK_SIZE; blockSize <<= 1)
        {
            for (int slot = 0; slot < 2; slot++)
            {
                final ByteBuffer block = readBlock(device, slot, blockSize);
                if (block == null)
                {
                    continue;
                }
                try
                {
                    verify(device.name(), block, slot, slot, blockSize);
                    return blockSize;
                }
                catch (final CacheFsException ex)
                {
                    // not valid at this size
                }
            }
        }
        final ImageHeader backup = ImageHeader.readBackup(device);
        return backup == null ? -1 : backup.layout().blockSize();
    }

    private static ByteBuffer readBackup(final BlockDevice device, final int blockSize) throws IOException
    {
        final long blockNumber = device.size() / blockSize - 1;
        final ByteBuffer block = readBlock(device, blockNumber, blockSize);
        if (block == null)
        {
            return null;
        }
        try
        {
            final RegionLayout layout = verify(device.name(), block, blockNumber, Superblock.SLOT_BACKUP, blockSize);
            return layout.backupBlock() == blockNumber ? block : null;
        }
        catch (final CacheFsException ex)
        {
            return null;
        }
    }

    /**
     * @return block {@code blockNumber} at {@code blockSize}, or null if the device ends before it.
     */
    static ByteBuffer readBlock(final BlockDevice device, final long blockNumber, final int blockSize)
        throws IOException
    {
        if (blockNumber < 0 || (blockNumber + 1) * blockSize > device.size())
        {
            return null;
        }
        final ByteBuffer block = AlignedBuffers.allocate(blockSize,
            Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT));
        device.read(blockNumber * blockSize, block);
        return block.clear();
    }
}
