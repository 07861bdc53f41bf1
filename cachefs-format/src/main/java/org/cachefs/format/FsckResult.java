package org.cachefs.format;

import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What {@link Fsck#check} found and did.
 *
 * @param device         the device's name.
 * @param findings       the findings in the order they were found; at most {@link #MAX_LISTED_FINDINGS} of them
 *                       (see {@link #findingCount()} for all).
 * @param findingCount   how many findings there were.
 * @param counts         findings by kind (kinds without findings are absent).
 * @param repaired       true if a repair was written.
 * @param objects        objects in the cache after the check: those a repair keeps (or kept), -1 if unknown.
 * @param pages          pages in the cache after the check, likewise, -1 if unknown.
 * @param usedBlocks     blocks in use: those the current commit refers to (including the regions outside the data
 *                       region), or after a repair the new commit's count; -1 if unknown.
 * @param blockCount     blocks of the image, -1 if unknown.
 * @param droppedObjects objects a repair drops (or dropped).
 * @param droppedPages   pages a repair drops (or dropped), alone or with their objects.
 * @param generation     the generation of the current commit after the check, -1 if unknown.
 */
public record FsckResult(
    String device,
    List<FsckFinding> findings,
    long findingCount,
    Map<FsckFinding.Kind, Long> counts,
    boolean repaired,
    long objects,
    long pages,
    long usedBlocks,
    long blockCount,
    long droppedObjects,
    long droppedPages,
    long generation)
{
    /**
     * Exit status of a check that found nothing wrong.
     */
    public static final int EXIT_CLEAN = 0;

    /**
     * Exit status of a check that found errors and corrected all of them.
     */
    public static final int EXIT_CORRECTED = 1;

    /**
     * Exit status of a check that left errors uncorrected (always with {@code -n}).
     */
    public static final int EXIT_UNCORRECTED = 4;

    /**
     * Exit status when the check could not be carried out: an I/O error, a device in use, an image that is not
     * formatted, holds another filesystem or a newer format.
     */
    public static final int EXIT_OPERATIONAL = 8;

    /**
     * Exit status of a command line that cannot be acted on (as e2fsck's 16).
     */
    public static final int EXIT_USAGE = 16;

    /**
     * Most findings kept in {@link #findings()}; the counts cover all of them.
     */
    public static final int MAX_LISTED_FINDINGS = 10_000;

    /**
     * Copies the findings and counts, which are then unmodifiable.
     *
     * @param device         the device's name.
     * @param findings       the findings in the order they were found; at most {@link #MAX_LISTED_FINDINGS} of them
     *                       (see {@link #findingCount()} for all).
     * @param findingCount   how many findings there were.
     * @param counts         findings by kind (kinds without findings are absent).
     * @param repaired       true if a repair was written.
     * @param objects        objects in the cache after the check: those a repair keeps (or kept), -1 if unknown.
     * @param pages          pages in the cache after the check, likewise, -1 if unknown.
     * @param usedBlocks     blocks in use: those the current commit refers to (including the regions outside the data
     *                       region), or after a repair the new commit's count; -1 if unknown.
     * @param blockCount     blocks of the image, -1 if unknown.
     * @param droppedObjects objects a repair drops (or dropped).
     * @param droppedPages   pages a repair drops (or dropped), alone or with their objects.
     * @param generation     the generation of the current commit after the check, -1 if unknown.
     */
    public FsckResult
    {
        findings = List.copyOf(findings);
        final EnumMap<FsckFinding.Kind, Long> copy = new EnumMap<>(FsckFinding.Kind.class);
        copy.putAll(counts);
        counts = Collections.unmodifiableMap(copy);
    }

    /**
     * @param kind the kind of finding.
     * @return how many findings of {@code kind} there were.
     */
    public long count(final FsckFinding.Kind kind)
    {
        return counts.getOrDefault(kind, 0L);
    }

    /**
     * @return true if nothing was found wrong.
     */
    public boolean clean()
    {
        return findingCount == 0;
    }

    /**
     * @return {@link #EXIT_CLEAN}, {@link #EXIT_CORRECTED} or {@link #EXIT_UNCORRECTED}.
     */
    public int exitCode()
    {
        if (findingCount == 0)
        {
            return EXIT_CLEAN;
        }
        return repaired ? EXIT_CORRECTED : EXIT_UNCORRECTED;
    }

    /**
     * @return the last line fsck prints, e.g. {@code cache.img: clean, 3 objects, 42 pages, 1234/4096 blocks}.
     */
    public String summary()
    {
        final StringBuilder line = new StringBuilder(device).append(": ");
        if (findingCount == 0)
        {
            line.append("clean");
        }
        else
        {
            line.append(findingCount).append(findingCount == 1 ? " error " : " errors ")
                .append(repaired ? "corrected" : "left uncorrected");
        }
        if (objects >= 0)
        {
            line.append(", ").append(objects).append(objects == 1 ? " object, " : " objects, ")
                .append(pages).append(pages == 1 ? " page, " : " pages, ")
                .append(usedBlocks).append('/').append(blockCount).append(" blocks");
        }
        return line.toString();
    }
}
