package org.cachefs.format.fsck;

import java.io.PrintStream;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;

/**
 * Collects the findings of one check: counts every finding by kind, keeps the first
 * {@link FsckResult#MAX_LISTED_FINDINGS} of them, and prints each as it comes when verbose.
 */
final class Findings
{
    private final PrintStream out;
    private final boolean verbose;
    private final List<FsckFinding> listed = new ArrayList<>();
    private final EnumMap<FsckFinding.Kind, Long> counts = new EnumMap<>(FsckFinding.Kind.class);
    private long total;

    Findings(final PrintStream out, final boolean verbose)
    {
        this.out = out;
        this.verbose = verbose;
    }

    void add(final FsckFinding finding)
    {
        total++;
        counts.merge(finding.kind(), 1L, Long::sum);
        if (listed.size() < FsckResult.MAX_LISTED_FINDINGS)
        {
            listed.add(finding);
        }
        if (verbose && out != null)
        {
            out.println(finding.message());
        }
    }

    void add(final FsckFinding.Kind kind, final String message)
    {
        add(FsckFinding.of(kind, message));
    }

    long total()
    {
        return total;
    }

    long count(final FsckFinding.Kind kind)
    {
        return counts.getOrDefault(kind, 0L);
    }

    List<FsckFinding> listed()
    {
        return listed;
    }

    Map<FsckFinding.Kind, Long> counts()
    {
        return counts;
    }

    /**
     * @return true if every finding is repaired in {@code mode}. Findings beyond the listed ones are of kinds whose
     * repair does not vary, so the kinds decide for them.
     */
    boolean allRepairableIn(final FsckOptions.Mode mode)
    {
        for (final FsckFinding finding : listed)
        {
            if (!finding.repairableIn(mode))
            {
                return false;
            }
        }
        for (final FsckFinding.Kind kind : counts.keySet())
        {
            if (!FsckFinding.of(kind, "").repairableIn(mode))
            {
                return false;
            }
        }
        return true;
    }

    /**
     * Prints one line per kind of finding, e.g. {@code orphan object: 2}.
     */
    void printCounts()
    {
        if (out == null)
        {
            return;
        }
        for (final Map.Entry<FsckFinding.Kind, Long> entry : counts.entrySet())
        {
            out.println(entry.getKey().label() + ": " + entry.getValue());
        }
    }
}
