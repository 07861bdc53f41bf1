package org.cachefs.format;

/**
 * Options of {@link Fsck#check}: immutable, validated at construction.
 *
 * @param mode    what the check may change: nothing ({@link Mode#NO_CHANGES}, {@code -n}), only what drops no cached
 *                data ({@link Mode#PREEN}, {@code -p}), or everything it can repair ({@link Mode#YES}, {@code -y}).
 * @param force   also read every data page and check its CRC32C ({@code -f}); without it only metadata is read.
 * @param verbose print each finding as it is found ({@code -v}); without it one line per kind of finding.
 */
public record FsckOptions(Mode mode, boolean force, boolean verbose)
{
    /**
     * What a check may change. No mode asks questions: fsck never prompts.
     */
    public enum Mode
    {
        /**
         * Open the image read-only and change nothing ({@code -n}); the default.
         */
        NO_CHANGES,

        /**
         * Repair only what drops no cached object or page: damaged or stale superblock slots and backup, the bitmap,
         * the commit record's counters, objects' page counts, index separators ({@code -p}). Anything else leaves
         * the image unchanged and the check reports it uncorrected.
         */
        PREEN,

        /**
         * Repair everything repairable ({@code -y}): objects and pages that cannot be trusted are dropped.
         */
        YES
    }

    /**
     * Checks the components.
     *
     * @param mode    what the check may change: nothing ({@link Mode#NO_CHANGES}, {@code -n}), only what drops no
     *                cached data ({@link Mode#PREEN}, {@code -p}), or everything it can repair ({@link Mode#YES},
     *                {@code -y}).
     * @param force   also read every data page and check its CRC32C ({@code -f}); without it only metadata is read.
     * @param verbose print each finding as it is found ({@code -v}); without it one line per kind of finding.
     * @throws IllegalArgumentException if {@code mode} is null.
     */
    public FsckOptions
    {
        if (mode == null)
        {
            throw new IllegalArgumentException("mode must not be null");
        }
    }

    /**
     * @return a read-only check of the metadata, printing one line per kind of finding.
     */
    public static FsckOptions defaults()
    {
        return new FsckOptions(Mode.NO_CHANGES, false, false);
    }

    /**
     * @param mode what the check may change.
     * @return these options with {@code mode}.
     */
    public FsckOptions withMode(final Mode mode)
    {
        return new FsckOptions(mode, force, verbose);
    }

    /**
     * @param force whether to check every data page's CRC32C too.
     * @return these options with {@code force}.
     */
    public FsckOptions withForce(final boolean force)
    {
        return new FsckOptions(mode, force, verbose);
    }

    /**
     * @param verbose whether to print each finding as it is found.
     * @return these options with {@code verbose}.
     */
    public FsckOptions withVerbose(final boolean verbose)
    {
        return new FsckOptions(mode, force, verbose);
    }

    /**
     * @return true if the check may write to the device.
     */
    public boolean mayWrite()
    {
        return mode != Mode.NO_CHANGES;
    }
}
