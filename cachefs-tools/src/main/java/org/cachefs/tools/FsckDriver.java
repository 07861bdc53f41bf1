package org.cachefs.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.cachefs.format.CacheFsException;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.Fsck;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.Progress;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.fsck.FsckRun;

/**
 * What {@code fsck.cachefs} does around the library's check ({@link Fsck}): the quick answer for an image marked clean,
 * and a read-only check that judges one commit even while a mounted cache writes the image.
 * <ul>
 *     <li><b>Quick answer</b> (no {@code -f}, no {@code --check-pages}, no live mount): the two superblock slots are
 *     read and each validated as mount validates it (magic, version, features, CRC32C, layout, commit record); if
 *     both are valid, describe the same image, hold consecutive generations and the newer one's commit has the clean
 *     flag (the last writer unmounted cleanly), the answer is "clean" with the commit record's counters, and nothing
 *     else is read. Anything else (a damaged or stale slot, an unclean shutdown, no valid slot) runs the full
 *     check.</li>
 *     <li><b>A consistent read-only check</b>: both superblock slot blocks are read before and after the check. A
 *     writer overwrites no block of its last commit, and no bitmap copy that commit uses, before it has written the
 *     next commit's slot (the commit protocol's delayed reuse); blocks it allocated since are in neither that commit's
 *     trees nor its bitmap copy, so the check does not read them. Slots unchanged after the check therefore mean that
 *     every block it read belonged to the commit it judged, and its findings stand. Slots that changed mean a commit
 *     landed during the check, after which the writer may have reused blocks of the commit judged: such a block then
 *     fails the CRC32C its parent recorded (every node and page is self-identifying, a bitmap block names its
 *     generation), so a check that found nothing wrong read that commit whole all the same and stands, while findings
 *     may be the writer's later work and are not reported: the check is run again (its output discarded), up to
 *     {@link #MAX_ATTEMPTS} times.</li>
 *     <li>Repairs ({@code -p}, {@code -y}) are the library's, on the device opened exclusively.</li>
 * </ul>
 * Used by the thread that runs the command.
 */
final class FsckDriver
{
    /**
     * Read-only checks tried before giving up on an image whose writer commits during every one of them.
     */
    static final int MAX_ATTEMPTS = 10;

    private FsckDriver()
    {
    }

    /**
     * Checks {@code target} as {@code options} say.
     *
     * @param full     false for the quick answer on an image marked clean.
     * @param out      where findings and the summary go.
     * @param progress told how far reading the pages has come.
     * @return what the check found and did.
     * @throws CacheFsException if the image cannot be checked: not formatted, another filesystem, in use for a repair,
     *                          or changed by its writer during every one of {@link #MAX_ATTEMPTS} checks.
     * @throws IOException      on an I/O error.
     */
    static FsckResult check(
        final Path target, final FsckOptions options, final boolean full, final PrintStream out,
        final Progress progress) throws IOException
    {
        if (!full)
        {
            final FsckResult quick = quickAnswer(target);
            if (quick != null)
            {
                out.println(quick.summary());
                return quick;
            }
        }
        if (options.mayWrite())
        {
            return Fsck.check(target, options, out, progress);
        }
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(target))
        {
            return consistentCheck(device, options, out, progress);
        }
    }

    /**
     * @return the "clean" result from the slots alone, or null if a full check is needed.
     */
    static FsckResult quickAnswer(final Path target) throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(target))
        {
            final ImageHeader header;
            try
            {
                header = ImageHeader.read(device);
            }
            catch (final CacheFsException ex)
            {
                return null;
            }
            final CommitRecord commit = header.commit();
            if (header.slot() > 1 || !header.problems().isEmpty() || !commit.clean() || !otherSlotPrecedes(device,
                header))
            {
                return null;
            }
            final RegionLayout layout = header.layout();
            return new FsckResult(device.name(), List.of(), 0, Map.of(), false, commit.objectCount(),
                commit.pageCount(), commit.usedBlocks(), layout.blockCount(), 0, 0, commit.generation());
        }
    }

    /**
     * @return true if the slot {@code header} was not read from is valid, of the same image, and one generation
     * older.
     */
    private static boolean otherSlotPrecedes(final BlockDevice device, final ImageHeader header) throws IOException
    {
        final int other = 1 - header.slot();
        final ByteBuffer block = readSlots(device, header.layout().blockSize());
        block.position(other * header.layout().blockSize()).limit((other + 1) * header.layout().blockSize());
        final ByteBuffer slot = block.slice();
        final Superblock superblock = new Superblock().wrap(slot);
        final CommitRecord commit = new CommitRecord().wrap(slot);
        try
        {
            final long blockNumber = other == 0 ? RegionLayout.SLOT0_BLOCK : RegionLayout.SLOT1_BLOCK;
            final RegionLayout layout = superblock.verify(device.name(), blockNumber, other);
            commit.verify(device.name(), blockNumber, other, layout);
        }
        catch (final CacheFsException ex)
        {
            return false;
        }
        return superblock.sameImage(header.superblock()) &&
            commit.generation() == header.commit().generation() - 1;
    }

    private static FsckResult consistentCheck(
        final BlockDevice device, final FsckOptions options, final PrintStream out, final Progress progress)
        throws IOException
    {
        final int blockSize = blockSize(device);
        if (blockSize < 0)
        {
            // no valid slot: nothing commits to this image, and the check reports what is wrong with it
            return FsckRun.run(device, options, out, progress);
        }
        for (int attempt = 1; ; attempt++)
        {
            final ByteBuffer before = readSlots(device, blockSize);
            final ByteArrayOutputStream captured = new ByteArrayOutputStream();
            final FsckResult result;
            try (PrintStream capture = new PrintStream(captured, true, StandardCharsets.UTF_8))
            {
                result = FsckRun.run(device, options, capture, progress);
            }
            if (result.findingCount() == 0 || readSlots(device, blockSize).equals(before))
            {
                out.print(captured.toString(StandardCharsets.UTF_8));
                return result;
            }
            if (attempt == MAX_ATTEMPTS)
            {
                throw new CacheFsException(device.name(), device.name() + ": a new commit landed during each of " +
                    MAX_ATTEMPTS + " checks that found errors, which may be the mounted cache's later writes: run " +
                    "fsck again, or unmount the cache first");
            }
        }
    }

    /**
     * @return the block size the image's slots give, or -1 if neither slot is valid.
     */
    private static int blockSize(final BlockDevice device) throws IOException
    {
        try
        {
            return ImageHeader.read(device).layout().blockSize();
        }
        catch (final CacheFsException ex)
        {
            return -1;
        }
    }

    /**
     * @return blocks 0 and 1, the two superblock slots.
     */
    private static ByteBuffer readSlots(final BlockDevice device, final int blockSize) throws IOException
    {
        final ByteBuffer slots = AlignedBuffers.allocate(2 * blockSize, Math.max(device.logicalSectorSize(),
            AlignedBuffers.DEFAULT_ALIGNMENT));
        device.read(0, slots);
        return slots.clear();
    }
}
