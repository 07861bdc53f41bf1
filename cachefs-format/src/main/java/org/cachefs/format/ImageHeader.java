package org.cachefs.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * The current superblock and commit record of an image, chosen from the two slots, and what was wrong with the other
 * slot if anything. Reading touches only the first blocks of the device (and the last, when both slots are damaged):
 * never the data region.
 * <p>
 * Outcomes of {@link #read(BlockDevice)}, in the order they are decided:
 * <ol>
 *     <li>a device too small to hold block 0, or whose first bytes are all zero and whose slot 1 holds nothing:
 *     {@link NotFormattedException};</li>
 *     <li>no cachefs magic in slot 0 but another filesystem's signature: {@link ForeignFilesystemException};</li>
 *     <li>the valid slot with the highest generation, the other slot's problem noted in {@link #problems()};</li>
 *     <li>no valid slot and a slot of a major version other than {@link FormatVersion#MAJOR}:
 *     {@link FormatVersionException};</li>
 *     <li>no valid slot: the {@link CorruptCacheException} of slot 0, or of slot 1 if block 0 holds no superblock
 *     (naming the intact backup, if any).</li>
 * </ol>
 */
public final class ImageHeader
{
    private final ByteBuffer block;
    private final int slot;
    private final RegionLayout layout;
    private final Superblock superblock;
    private final CommitRecord commit;
    private final List<String> problems;

    private ImageHeader(final ByteBuffer block, final int slot, final RegionLayout layout, final List<String> problems)
    {
        this.block = block;
        this.slot = slot;
        this.layout = layout;
        this.superblock = new Superblock().wrap(block);
        this.commit = new CommitRecord().wrap(block);
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * @return the slot the current commit was read from: 0, 1 or {@link Superblock#SLOT_BACKUP}.
     */
    public int slot()
    {
        return slot;
    }

    /** @return the regions of the image, from its block size and count. */
    public RegionLayout layout()
    {
        return layout;
    }

    /** @return the superblock of the slot the current commit was read from. */
    public Superblock superblock()
    {
        return superblock;
    }

    /** @return the current commit record. */
    public CommitRecord commit()
    {
        return commit;
    }

    /**
     * @return what was found wrong with the slots that were not chosen, one line each.
     */
    public List<String> problems()
    {
        return problems;
    }

    /**
     * Reads and validates the superblock slots of {@code device} and returns the current one.
     *
     * @param device the open device.
     * @return the header of the current commit.
     * @throws NotFormattedException       if the device holds no cachefs image and nothing else recognised.
     * @throws ForeignFilesystemException  if it holds another filesystem.
     * @throws FormatVersionException      if the image is of another major version.
     * @throws UnsupportedFeatureException if the image needs features this software lacks.
     * @throws CorruptCacheException       if no slot is valid, or the device is smaller than the image.
     * @throws IOException                 on an I/O error.
     */
    public static ImageHeader read(final BlockDevice device) throws IOException
    {
        final String name = device.name();
        final int sector = Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT);
        if (device.size() < FormatVersion.MIN_BLOCK_SIZE)
        {
            throw new NotFormattedException(name, name + " is not formatted: " + device.size() +
                " bytes is too small to hold a cachefs image");
        }
        final int probeLength = (int)Math.min((ForeignSignatures.PROBE_LENGTH + sector - 1) / sector * sector,
            device.size() / sector * sector);
        final ByteBuffer probe = AlignedBuffers.allocate(probeLength, sector);
        device.read(0, probe);
        probe.clear();

        final ByteBuffer slot0 = AlignedBuffers.allocate(sector, sector);
        slot0.put(probe.duplicate().limit(sector)).clear();
        final Superblock superblock0 = new Superblock().wrap(slot0);
        final List<String> problems = new ArrayList<>();

        CorruptCacheException slot0Error = null;
        FormatVersionException versionError = null;
        RegionLayout layout0 = null;
        if (superblock0.hasMagic())
        {
            try
            {
                layout0 = verifySlot(name, slot0, RegionLayout.SLOT0_BLOCK, 0);
            }
            catch (final CorruptCacheException ex)
            {
                slot0Error = ex;
                problems.add("slot 0: " + ex.getMessage());
            }
            catch (final FormatVersionException ex)
            {
                // A newer image says so in both slots; one slot alone saying so is damage, if the other is valid.
                versionError = ex;
                problems.add("slot 0: " + ex.getMessage());
            }
        }
        else
        {
            final String foreign = ForeignSignatures.detect(probe);
            if (foreign != null)
            {
                throw new ForeignFilesystemException(name, foreign);
            }
            problems.add("slot 0: no superblock magic in block 0");
        }

        // Slot 1 lives at block 1, whose position depends on the block size: known from slot 0 if that is valid.
        ImageHeader best = layout0 != null ? new ImageHeader(slot0, 0, layout0, problems) : null;
        ImageHeader other = null;
        CorruptCacheException slot1Error = null;
        final int[] candidates = layout0 != null ? new int[]{ layout0.blockSize() } : allBlockSizes();
        for (final int blockSize : candidates)
        {
            if (device.size() < 2L * blockSize)
            {
                continue;
            }
            final ByteBuffer slot1 = AlignedBuffers.allocate(sector, sector);
            device.read(blockSize, slot1);
            slot1.clear();
            if (!new Superblock().wrap(slot1).hasMagic())
            {
                continue;
            }
            try
            {
                final RegionLayout layout1 = verifySlot(name, slot1, RegionLayout.SLOT1_BLOCK, 1);
                if (layout1.blockSize() != blockSize)
                {
                    continue;
                }
                other = new ImageHeader(slot1, 1, layout1, problems);
                break;
            }
            catch (final CorruptCacheException ex)
            {
                if (layout0 != null)
                {
                    problems.add("slot 1: " + ex.getMessage());
                }
                else if (slot1Error == null)
                {
                    slot1Error = ex;
                }
            }
            catch (final FormatVersionException ex)
            {
                if (layout0 != null)
                {
                    problems.add("slot 1: " + ex.getMessage());
                }
                else if (versionError == null)
                {
                    versionError = ex;
                }
            }
        }
        if (best != null && other != null && !best.superblock.sameImage(other.superblock))
        {
            throw new CorruptCacheException("superblock", name, RegionLayout.SLOT1_BLOCK, "static fields",
                "equal to slot 0's", "different (uuid " + other.superblock.uuid() + " vs " +
                best.superblock.uuid() + ")");
        }
        if (best == null || (other != null && other.commit.generation() > best.commit.generation()))
        {
            best = other;
        }
        if (best == null)
        {
            if (versionError != null)
            {
                throw versionError;
            }
            // a damaged superblock in slot 1 means an image, even when block 0 holds nothing
            final CorruptCacheException slotError = slot0Error != null ? slot0Error : slot1Error;
            if (slotError == null && ForeignSignatures.isZero(probe.limit(FormatVersion.MIN_BLOCK_SIZE)))
            {
                throw new NotFormattedException(name, name + " is not formatted: block 0 is all zeros");
            }
            if (slotError == null)
            {
                throw new NotFormattedException(name, name + " does not contain a cachefs image (no superblock " +
                    "magic in block 0 or block 1)");
            }
            final ImageHeader backup = readBackup(device, layout0 == null ? allBlockSizes() : candidates);
            if (backup != null)
            {
                throw new CorruptCacheException("superblock", name, slotError.block(), slotError.field(),
                    "invalid in both slots (" + slotError.getMessage() + "); the backup superblock at block " +
                    backup.layout.backupBlock() + " is intact: fsck.cachefs -y rebuilds from it");
            }
            throw slotError;
        }
        if (best.layout.bytes() > device.size())
        {
            throw new CorruptCacheException("superblock", name, best.slot, "block count",
                "<= " + device.size() / best.layout.blockSize() + " (the device holds " + device.size() + " bytes)",
                best.layout.blockCount() + " (" + best.layout.bytes() + " bytes): truncated image?");
        }
        return best;
    }

    /**
     * Reads the backup superblock at the end of the device, trying each block size.
     *
     * @param device the open device.
     * @return the backup, or {@code null} if none is valid.
     * @throws IOException on an I/O error.
     */
    public static ImageHeader readBackup(final BlockDevice device) throws IOException
    {
        return readBackup(device, allBlockSizes());
    }

    private static ImageHeader readBackup(final BlockDevice device, final int[] blockSizes) throws IOException
    {
        final int sector = Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT);
        for (final int blockSize : blockSizes)
        {
            final long blocks = device.size() / blockSize;
            if (blocks < 2)
            {
                continue;
            }
            final long backupBlock = blocks - 1;
            final ByteBuffer buffer = AlignedBuffers.allocate(sector, sector);
            device.read(backupBlock * blockSize, buffer);
            buffer.clear();
            if (!new Superblock().wrap(buffer).hasMagic())
            {
                continue;
            }
            try
            {
                final RegionLayout layout = verifySlot(device.name(), buffer, backupBlock, Superblock.SLOT_BACKUP);
                if (layout.blockSize() == blockSize && layout.backupBlock() == backupBlock)
                {
                    return new ImageHeader(buffer, Superblock.SLOT_BACKUP, layout, new ArrayList<>());
                }
            }
            catch (final CorruptCacheException ex)
            {
                // not a valid backup at this block size; try the next
            }
        }
        return null;
    }

    private static RegionLayout verifySlot(
        final String device, final ByteBuffer block, final long blockNumber, final int slot)
    {
        final RegionLayout layout = new Superblock().wrap(block).verify(device, blockNumber, slot);
        new CommitRecord().wrap(block).verify(device, blockNumber, slot, layout);
        return layout;
    }

    private static int[] allBlockSizes()
    {
        final int count = Integer.numberOfTrailingZeros(FormatVersion.MAX_BLOCK_SIZE) -
            Integer.numberOfTrailingZeros(FormatVersion.MIN_BLOCK_SIZE) + 1;
        final int[] sizes = new int[count];
        for (int i = 0; i < count; i++)
        {
            sizes[i] = FormatVersion.MIN_BLOCK_SIZE << i;
        }
        return sizes;
    }

    /**
     * Refuses to write to an image with read-only-compatible features this software does not know.
     *
     * @param device the name of the device or image file, for messages.
     * @throws UnsupportedFeatureException naming the unknown flags.
     */
    public void checkWritable(final String device)
    {
        final long unknown = superblock.roCompatFeatures() & ~FormatVersion.RO_COMPAT_SUPPORTED;
        if (unknown != 0)
        {
            throw new UnsupportedFeatureException(device, "ro-compat", unknown);
        }
    }

    /**
     * @return a copy of the start of the slot block (at least the superblock and commit record) this header was read
     * from, for writing the next commit from.
     */
    public ByteBuffer copyOfSlot()
    {
        final ByteBuffer copy = AlignedBuffers.allocate(block.capacity());
        copy.put(block.duplicate().clear()).clear();
        return copy;
    }
}
