package org.cachefs.format;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Path;

import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.fsck.FsckRun;

/**
 * Checks and repairs a cachefs image: the library call behind {@code fsck.cachefs}.
 *
 * <h2>What is checked</h2>
 * <ul>
 *     <li>Both superblock slots and the backup superblock, each validated on its own: a damaged slot, a slot older
 *     than the generation before the current one, a damaged backup; the current commit is the valid slot with the
 *     highest generation, as mount chooses it.</li>
 *     <li>The index tree of the current commit: every node validated ({@link IndexNode#verify}: header, CRC32C the
 *     parent recorded, generation not above the commit's, level, entries, pointers), each node's keys within the
 *     range its parent's separators give it, record keys strictly increasing across leaves, no node reached
 *     twice.</li>
 *     <li>Every object record: unique object ids below the commit's next object id, parents that exist (or the
 *     master index, 0), no parent cycles.</li>
 *     <li>Every object's page map: every node validated ({@link PageMapNode#verify}), the recorded page count, no
 *     page past the object's size; with {@code force}, every data page read and its CRC32C checked.</li>
 *     <li>The commit's bitmap copy against the blocks the trees refer to: leaked blocks (used, nothing refers to
 *     them), referenced blocks marked free, blocks referenced twice; the commit record's counters (objects, pages,
 *     used blocks, reserved blocks).</li>
 * </ul>
 * Every inconsistency of an untrusted image is a {@link FsckFinding}, never an exception; the walks are iterative,
 * bounded by the trees' heights, and never enter a node twice.
 *
 * <h2>Repairs</h2>
 * A cache may drop what it cannot trust, never invent data. A repair drops objects whose index or page-map nodes are
 * corrupt (with their descendants), duplicate ids, orphans and cycles, pages past the store limit, pages with a bad
 * CRC32C ({@code force}) and later references to doubly-referenced blocks; fixes the counters and recomputes the
 * bitmap. It is written as a new metadata set, crash-safe like an engine commit: a new index tree bulk-loaded from the
 * surviving records and new page maps for objects that lost pages, in blocks that the current commit does not use,
 * then bitmap copy {@code (g + 1) % 2} in full, a flush, superblock slot {@code (g + 1) % 2} with generation
 * {@code g + 1} and the clean flag, a flush. The damaged slot, if any, is the one that commit lands in. With no valid
 * slot and an intact backup, {@link FsckOptions.Mode#YES} rebuilds an empty cache from the backup. The repaired image
 * is checked again before the result reports it repaired.
 *
 * <h2>Memory</h2>
 * Bit sets of one bit per device block: the blocks the trees refer to and the page-map nodes walked (each walked
 * once at most), the repair's new bitmap, and one more when some block is referenced twice; 25 bytes per object
 * (ids, parents, kept pages and flags, for the hierarchy checks); one hash-set entry per index node (so that no node
 * is entered twice); at most {@link FsckResult#MAX_LISTED_FINDINGS} findings kept; buffers bounded by the trees'
 * heights. Nothing per page.
 */
public final class Fsck
{
    private Fsck()
    {
    }

    /**
     * Checks the image file or block device at {@code target}: opened read-only for
     * {@link FsckOptions.Mode#NO_CHANGES}, else exclusively.
     *
     * @param target  an image file or block device.
     * @param options mode, force, verbose.
     * @param out     where findings and the summary go, or {@code null} for nowhere.
     * @return what was found and done.
     * @throws DeviceInUseException        if a repair is asked for and a mounted cache has the device.
     * @throws NotFormattedException       if the device holds no cachefs image.
     * @throws ForeignFilesystemException  if it holds another filesystem.
     * @throws FormatVersionException      if it holds an image of another major format version.
     * @throws UnsupportedFeatureException if it needs features this software lacks, or a repair would write an
     *                                     image with read-only-compatible features it does not know.
     * @throws IOException                 on an I/O error.
     */
    public static FsckResult check(final Path target, final FsckOptions options, final PrintStream out)
        throws IOException
    {
        return check(target, options, out, Progress.NONE);
    }

    /**
     * Checks {@code target}, telling {@code progress} how far reading the pages ({@code -f}) has come.
     *
     * @param target   an image file or block device.
     * @param options  mode, force, verbose.
     * @param out      where findings and the summary go, or {@code null} for nowhere.
     * @param progress told how many page bytes have been read.
     * @return what was found and done.
     * @throws IOException on an I/O error; {@link #check(Path, FsckOptions, PrintStream)} lists the other exceptions.
     */
    public static FsckResult check(
        final Path target, final FsckOptions options, final PrintStream out, final Progress progress)
        throws IOException
    {
        try (BlockDevice device = options.mayWrite() ? DirectBlockDevice.open(target) :
            DirectBlockDevice.openReadOnly(target))
        {
            return FsckRun.run(device, options, out, progress);
        }
    }

    /**
     * Checks the image on an open device (writable unless the mode is {@link FsckOptions.Mode#NO_CHANGES}).
     *
     * @see #check(Path, FsckOptions, PrintStream)
     * @param device  the open device.
     * @param options mode, force, verbose.
     * @param out     where findings and the summary go, or {@code null} for nowhere.
     * @return what was found and done.
     * @throws IOException on an I/O error; {@link #check(Path, FsckOptions, PrintStream)} lists the other exceptions.
     */
    public static FsckResult check(final BlockDevice device, final FsckOptions options, final PrintStream out)
        throws IOException
    {
        return FsckRun.run(device, options, out, Progress.NONE);
    }
}
