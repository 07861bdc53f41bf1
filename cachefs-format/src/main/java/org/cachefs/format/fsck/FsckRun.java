package org.cachefs.format.fsck;

import org.cachefs.format.Progress;

import java.io.IOException;
import java.io.PrintStream;

import org.cachefs.format.CommitRecord;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.FormatVersion;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Superblock;
import org.cachefs.format.UnsupportedFeatureException;
import org.cachefs.format.device.BlockDevice;

/**
 * One run of fsck over an open device: the slot check, the checking pass, and, when the mode allows and every
 * finding is repairable in it, the repair and a check of the repaired image. Used by
 * {@link org.cachefs.format.Fsck}.
 */
public final class FsckRun
{
    private final BlockDevice device;
    private final FsckOptions options;
    private final PrintStream out;
    private final String name;
    private final Progress progress;
    private boolean countsPrinted;

    private FsckRun(
        final BlockDevice device, final FsckOptions options, final PrintStream out, final Progress progress)
    {
        this.progress = progress;
        this.device = device;
        this.options = options;
        this.out = out;
        this.name = device.name();
    }

    /**
     * Checks (and repairs, as {@code options} allow) the image on {@code device}; prints findings and the summary
     * to {@code out} (nothing if null).
     *
     * @param device   the open device, writable if {@code options} may repair.
     * @param options  mode, force, verbose.
     * @param out      where findings and the summary go, or {@code null} for nowhere.
     * @param progress told how many page bytes have been read.
     * @return what was found and done.
     * @throws IOException on an I/O error; {@link org.cachefs.format.Fsck#check(java.nio.file.Path, FsckOptions,
     *                     PrintStream)} lists the other exceptions.
     */
    public static FsckResult run(
        final BlockDevice device, final FsckOptions options, final PrintStream out, final Progress progress)
        throws IOException
    {
        if (options.mayWrite() && device.isReadOnly())
        {
            throw new IllegalArgumentException(device.name() + " is open read-only: a repair (" + options.mode() +
                ") needs it writable");
        }
        return new FsckRun(device, options, out, progress).run();
    }

    private FsckResult run() throws IOException
    {
        final Findings findings = new Findings(out, options.verbose());
        final SlotCheck slots = SlotCheck.read(device, findings);
        final RegionLayout layout = slots.layout();
        if (layout == null || slots.truncated())
        {
            mayRepair(findings);
            return finish(findings, false, null, -1, -1, -1, 0, 0, -1);
        }
        if (slots.current() < 0)
        {
            return fromBackup(findings, slots);
        }

        final CommitRecord commit = slots.commit();
        if (options.verbose() && out != null && !commit.clean())
        {
            out.println(name + ": not unmounted cleanly (generation " + commit.generation() + ")");
        }
        final Checker checker = new Checker(device, layout, commit, options.force(), findings);
        checker.progress(progress);
        checker.check();
        final ObjectTable table = checker.table();
        final long kept = table.keptObjects();
        final long dropped = checker.droppedObjects();
        if (findings.total() == 0 || !mayRepair(findings))
        {
            return finish(findings, false, layout, kept, table.keptPages(), checker.usedBlocks(), dropped,
                checker.droppedPages(), commit.generation());
        }

        checkWritable(slots.superblock());
        final Rebuilder rebuilder = new Rebuilder(device, layout, slots.superblock(), commit, checker,
            options.force());
        try
        {
            rebuilder.repair(slots.backupBlock() == null);
        }
        catch (final RepairException ex)
        {
            print(name + ": repair not written: " + ex.getMessage());
            return finish(findings, false, layout, kept, table.keptPages(), checker.usedBlocks(), dropped,
                checker.droppedPages(), commit.generation());
        }
        final long droppedPages = checker.pagesBefore() - rebuilder.pages();
        print(name + ": repair committed as generation " + rebuilder.generation() + " (dropped " + dropped +
            (dropped == 1 ? " object, " : " objects, ") + droppedPages + (droppedPages == 1 ? " page)" : " pages)"));
        return verified(findings, layout, dropped, droppedPages);
    }

    /**
     * Neither slot is valid but the backup is: {@code -y} rebuilds an empty cache from it.
     */
    private FsckResult fromBackup(final Findings findings, final SlotCheck slots) throws IOException
    {
        final RegionLayout layout = slots.layout();
        if (!mayRepair(findings))
        {
            return finish(findings, false, layout, -1, -1, -1, 0, 0, -1);
        }
        final Superblock backup = new Superblock().wrap(slots.backupBlock());
        checkWritable(backup);
        new CommitWriter(device, layout).writeEmpty(backup, System.currentTimeMillis());
        print(name + ": rebuilt an empty cache from the backup superblock (all cached data dropped)");
        return verified(findings, layout, 0, 0);
    }

    /**
     * Checks the repaired image again and reports the repair.
     */
    private FsckResult verified(
        final Findings findings, final RegionLayout layout, final long droppedObjects, final long droppedPages)
        throws IOException
    {
        final Findings again = new Findings(null, false);
        final SlotCheck slots = SlotCheck.read(device, again);
        if (slots.current() < 0 || slots.truncated())
        {
            print(name + ": the repaired image still has " + again.total() + " errors; run fsck again");
            return finish(findings, false, layout, -1, -1, -1, droppedObjects, droppedPages, -1);
        }
        final CommitRecord commit = slots.commit();
        final Checker checker = new Checker(device, layout, commit, false, again);
        checker.check();
        if (again.total() != 0)
        {
            print(name + ": the repaired image still has " + again.total() + " errors; run fsck again");
            for (final FsckFinding finding : again.listed())
            {
                print(finding.message());
            }
            return finish(findings, false, layout, commit.objectCount(), commit.pageCount(), commit.usedBlocks(),
                droppedObjects, droppedPages, commit.generation());
        }
        return finish(findings, true, layout, commit.objectCount(), commit.pageCount(), commit.usedBlocks(),
            droppedObjects, droppedPages, commit.generation());
    }

    /**
     * @return true if the mode may write and repairs every finding; prints why not for {@code -p}.
     */
    private boolean mayRepair(final Findings findings)
    {
        printCounts(findings);
        if (!options.mayWrite())
        {
            return false;
        }
        if (findings.allRepairableIn(options.mode()))
        {
            return true;
        }
        if (options.mode() == FsckOptions.Mode.PREEN && findings.allRepairableIn(FsckOptions.Mode.YES))
        {
            print(name + ": UNEXPECTED INCONSISTENCY: -p repairs only what drops no cached data; run fsck.cachefs " +
                "-y");
        }
        else
        {
            print(name + ": some errors cannot be repaired; nothing was changed");
        }
        return false;
    }

    private void checkWritable(final Superblock superblock)
    {
        final long unknown = superblock.roCompatFeatures() & ~FormatVersion.RO_COMPAT_SUPPORTED;
        if (unknown != 0)
        {
            throw new UnsupportedFeatureException(name, "ro-compat", unknown);
        }
    }

    private FsckResult finish(
        final Findings findings,
        final boolean repaired,
        final RegionLayout layout,
        final long objects,
        final long pages,
        final long usedBlocks,
        final long droppedObjects,
        final long droppedPages,
        final long generation)
    {
        final boolean known = objects >= 0 && layout != null;
        final FsckResult result = new FsckResult(name, findings.listed(), findings.total(), findings.counts(),
            repaired, known ? objects : -1, known ? pages : -1, known ? usedBlocks : -1,
            layout == null ? -1 : layout.blockCount(), droppedObjects, droppedPages, generation);
        printCounts(findings);
        print(result.summary());
        return result;
    }

    /**
     * Without {@code -v}, prints one line per kind of finding, once, before anything else is said about them.
     */
    private void printCounts(final Findings findings)
    {
        if (!options.verbose() && out != null && !countsPrinted)
        {
            findings.printCounts();
        }
        countsPrinted = true;
    }

    private void print(final String line)
    {
        if (out != null)
        {
            out.println(line);
        }
    }
}
