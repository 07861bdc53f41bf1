package org.cachefs.format;

import java.io.IOException;
import java.io.PrintStream;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.device.LibC;

/**
 * Formats a device or image file as an empty cachefs cache: the library call behind {@code mkfs.cachefs}.
 * <p>
 * Order of writes, so that a crash at any point leaves either the old contents' signatures destroyed and "not
 * formatted", or a complete image:
 * <ol>
 *     <li>zero the first {@link ForeignSignatures#PROBE_LENGTH} bytes and the last block (old signatures and both
 *     superblock slots), flush;</li>
 *     <li>unless {@link MkfsOptions#discard()} is off, make every other byte mkfs does not write (the data region
 *     past the zeroed start, the tail past the last block) read back as zeros, with {@link Discarder}, flush;</li>
 *     <li>write both bitmap copies (metadata blocks marked used), flush;</li>
 *     <li>write the backup superblock (generation 0) and slot 1 (generation 1), flush;</li>
 *     <li>write slot 0 (generation 2), the "ready" mark, last; flush.</li>
 * </ol>
 */
public final class Mkfs
{
    private Mkfs()
    {
    }

    /**
     * Formats {@code target}.
     *
     * @param target  an image file (created if {@code options.size()} is given and it does not exist) or a block
     *                device.
     * @param options block size, label, size, force, discard.
     * @param out     where to print the summary, or {@code null} for none.
     * @return what was written.
     * @throws IllegalArgumentException    on options that do not fit the target (size on a block device, no size for
     *                                     a missing image, shrinking, a block size the device cannot take, too
     *                                     small).
     * @throws ForeignFilesystemException  if the target holds a recognised filesystem and {@code force} is off.
     * @throws CacheFsException            if the target holds a cachefs image and {@code force} is off, or is in use.
     * @throws IOException                 on an I/O error.
     */
    public static MkfsResult format(final Path target, final MkfsOptions options, final PrintStream out)
        throws IOException
    {
        return format(target, options, out, Progress.NONE);
    }

    /**
     * Formats {@code target}, telling {@code progress} how far the discard ({@value Discarder#PHASE}, in bytes) and
     * the initialisation of the bitmaps have come.
     *
     * @param target   an image file (created if {@code options.size()} is given and it does not exist) or a block
     *                 device.
     * @param options  block size, label, size, force, discard.
     * @param out      where to print the summary, or {@code null} for none.
     * @param progress told how far each phase has come.
     * @return what was written.
     * @throws IOException on an I/O error; {@link #format(Path, MkfsOptions, PrintStream)} lists the other exceptions.
     */
    public static MkfsResult format(
        final Path target, final MkfsOptions options, final PrintStream out, final Progress progress)
        throws IOException
    {
        if (!options.force() && Files.exists(target) && Files.size(target) > 0 && !Files.isDirectory(target))
        {
            // Refuse before -s grows anything: a refused mkfs leaves the target as it was.
            try (BlockDevice existing = DirectBlockDevice.openReadOnly(target))
            {
                refuseExisting(existing);
            }
        }
        prepare(target, options);
        try (BlockDevice device = DirectBlockDevice.open(target))
        {
            return format(device, options, out, progress);
        }
    }

    /**
     * Formats an open device (its whole size).
     *
     * @param device  the open device.
     * @param options block size, label, force, discard; the size is the device's.
     * @param out     where to print the summary, or {@code null} for none.
     * @return what was written.
     * @throws IOException on an I/O error; {@link #format(Path, MkfsOptions, PrintStream)} lists the other exceptions.
     */
    public static MkfsResult format(final BlockDevice device, final MkfsOptions options, final PrintStream out)
        throws IOException
    {
        return format(device, options, out, Progress.NONE);
    }

    /**
     * Formats an open device (its whole size), telling {@code progress} how far the discard and the bitmaps have
     * come.
     *
     * @param device   the open device.
     * @param options  block size, label, force, discard; the size is the device's.
     * @param out      where to print the summary, or {@code null} for none.
     * @param progress told how far each phase has come.
     * @return what was written.
     * @throws IOException on an I/O error; {@link #format(Path, MkfsOptions, PrintStream)} lists the other exceptions.
     */
    public static MkfsResult format(
        final BlockDevice device, final MkfsOptions options, final PrintStream out, final Progress progress)
        throws IOException
    {
        final String name = device.name();
        FormatVersion.checkBlockSize(options.blockSize(), device.logicalSectorSize());
        final RegionLayout layout = RegionLayout.of(options.blockSize(), device.size() / options.blockSize());
        if (!options.force())
        {
            refuseExisting(device);
        }
        final int blockSize = layout.blockSize();
        final UUID uuid = options.uuid() != null ? options.uuid() : UUID.randomUUID();
        final long created = options.createdMillis() >= 0 ? options.createdMillis() : System.currentTimeMillis();

        // whole blocks covering all of the probed bytes: rounding down would leave the btrfs magic at 64 KiB + 64
        final long wipeBlocks = (ForeignSignatures.PROBE_LENGTH + blockSize - 1) / blockSize;
        final int wipeLength = (int)(Math.min(wipeBlocks, layout.blockCount()) * blockSize);
        device.write(0, AlignedBuffers.allocate(wipeLength, blockSize));
        device.write(layout.backupBlock() * blockSize, AlignedBuffers.allocate(blockSize, blockSize));
        device.flush();

        // After the slots are gone, so that a crash while discarding leaves "not formatted"; before the slots are
        // written again, so that a formatted image never holds the device's old bytes.
        final DiscardReport discard = discard(device, layout, options.discard(), wipeLength, progress);

        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize, blockSize);
        final BitmapBlock bitmap = new BitmapBlock();
        for (int copy = 0; copy < 2; copy++)
        {
            final long generation = copy == 0 ? 2 : 1;
            for (long index = 0; index < layout.bitmapBlocks(); index++)
            {
                final long block = layout.bitmapStart(copy) + index;
                bitmap.wrap(buffer, blockSize).init(copy, index, generation, block);
                final long first = index * bitmap.bits();
                final long end = Math.min(first + bitmap.bits(), layout.blockCount());
                for (long b = first; b < Math.min(end, layout.dataStart()); b++)
                {
                    bitmap.set(b - first);
                }
                if (layout.backupBlock() >= first && layout.backupBlock() < end)
                {
                    bitmap.set(layout.backupBlock() - first);
                }
                bitmap.seal();
                device.write(block * blockSize, buffer.clear());
                progress.update("writing bitmaps", copy * layout.bitmapBlocks() + index + 1, 2 * layout.bitmapBlocks());
            }
        }
        device.flush();

        writeSlot(device, layout, uuid, options.label(), created, Superblock.SLOT_BACKUP, 0, layout.backupBlock());
        writeSlot(device, layout, uuid, options.label(), created, 1, 1, RegionLayout.SLOT1_BLOCK);
        device.flush();
        writeSlot(device, layout, uuid, options.label(), created, 0, 2, RegionLayout.SLOT0_BLOCK);
        device.flush();

        final MkfsResult result = new MkfsResult(name, layout, uuid, options.label(), created, discard);
        if (out != null)
        {
            result.print(out);
        }
        return result;
    }

    /**
     * Makes the bytes mkfs does not write read back as zeros, if {@code enabled}: the data region from the end of the
     * zeroed start of the device (which covers its first blocks when the bitmaps are small) to the backup superblock,
     * and whatever follows the last block. Flushes.
     */
    private static DiscardReport discard(
        final BlockDevice device,
        final RegionLayout layout,
        final boolean enabled,
        final long wipedBytes,
        final Progress progress) throws IOException
    {
        final long blockSize = layout.blockSize();
        final long dataFrom = Math.max(wipedBytes, layout.dataStart() * blockSize);
        final long dataBytes = Math.max(0, layout.backupBlock() * blockSize - dataFrom);
        final long tailFrom = layout.blockCount() * blockSize;
        final long tailBytes = device.size() - tailFrom;
        if (!enabled)
        {
            return DiscardReport.skipped(dataBytes + tailBytes);
        }
        final Discarder discarder = new Discarder(device, dataBytes + tailBytes, progress);
        if (dataBytes > 0)
        {
            discarder.zero(dataFrom, dataBytes);
        }
        if (tailBytes > 0)
        {
            discarder.zero(tailFrom, tailBytes);
        }
        device.flush();
        return discarder.report();
    }

    private static void writeSlot(
        final BlockDevice device,
        final RegionLayout layout,
        final UUID uuid,
        final String label,
        final long created,
        final int slot,
        final long generation,
        final long block) throws IOException
    {
        final ByteBuffer buffer = AlignedBuffers.allocate(layout.blockSize(), layout.blockSize());
        new Superblock().wrap(buffer).init(layout, device.logicalSectorSize(), uuid, label, created, slot).seal(block);
        new CommitRecord().wrap(buffer).init(generation, created, layout).seal(block);
        device.write(block * layout.blockSize(), buffer);
    }

    private static void refuseExisting(final BlockDevice device) throws IOException
    {
        final String name = device.name();
        final ImageHeader existing;
        try
        {
            existing = ImageHeader.read(device);
        }
        catch (final NotFormattedException ex)
        {
            return;
        }
        catch (final ForeignFilesystemException ex)
        {
            throw new ForeignFilesystemException(name, ex.filesystem(), " (use -f to overwrite it)");
        }
        catch (final CacheFsException ex)
        {
            throw new CacheFsException(name, name + " contains a cachefs image that cannot be read (" +
                ex.getMessage() + "); use -f to overwrite it");
        }
        final Superblock superblock = existing.superblock();
        final String label = superblock.label();
        throw new CacheFsException(name, name + " already contains a cachefs image (uuid " + superblock.uuid() +
            (label.isEmpty() ? "" : ", label '" + label + "'") + "); use -f to overwrite it");
    }

    private static void prepare(final Path target, final MkfsOptions options) throws IOException
    {
        final String name = target.getFileName() == null ? target.toString() : target.getFileName().toString();
        if (!Files.exists(target))
        {
            if (options.size() < 0)
            {
                throw new IllegalArgumentException(name + " does not exist: give a size (-s SIZE) to create it");
            }
            if (target.getParent() != null && !Files.isDirectory(target.getParent()))
            {
                throw new IllegalArgumentException("cannot create " + target + ": " + target.getParent() +
                    " is not a directory");
            }
            Files.createFile(target);
            allocate(target, options.size());
            return;
        }
        if (DirectBlockDevice.isBlockDevice(target))
        {
            if (options.size() >= 0)
            {
                throw new IllegalArgumentException(name + " is a block device: its size is the device's, -s " +
                    "cannot be used");
            }
            return;
        }
        if (!Files.isRegularFile(target))
        {
            throw new IllegalArgumentException(name + " is neither a regular file nor a block device");
        }
        if (options.size() >= 0)
        {
            final long current = Files.size(target);
            if (options.size() < current)
            {
                throw new IllegalArgumentException(name + " is already " + current + " bytes: -s " +
                    options.size() + " would shrink it (delete it first)");
            }
            if (options.size() > current)
            {
                allocate(target, options.size());
            }
        }
    }

    /**
     * Grows an image file to {@code size} bytes with allocated (not sparse) blocks where the filesystem allows.
     */
    private static void allocate(final Path target, final long size) throws IOException
    {
        final int fd = LibC.Holder.POSIX.open(target.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd >= 0)
        {
            try
            {
                if (LibC.Holder.LIBC.fallocate(fd, 0, 0, size) == 0)
                {
                    return;
                }
            }
            finally
            {
                LibC.Holder.POSIX.close(fd);
            }
        }
        try (RandomAccessFile file = new RandomAccessFile(target.toFile(), "rw"))
        {
            file.setLength(size);
        }
    }
}
