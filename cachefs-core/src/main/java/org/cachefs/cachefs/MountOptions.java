package org.cachefs.cachefs;

/**
 * Options of {@link CacheFs#mount}: immutable, validated at construction with messages that name the option.
 *
 * @param commitIntervalSeconds how often a mounted cache commits on its own (CacheFS's {@code wander}); 0 commits
 *                              only on sync, unmount and allocator pressure. Range [0, 3600].
 * @param nodeCacheSize         how many clean index and page-map nodes are kept decoded in memory. Range
 *                              [16, 1048576].
 * @param maxDirtyNodes         how many modified nodes may wait for a commit before one is forced. Range
 *                              [64, 1048576].
 */
public record MountOptions(int commitIntervalSeconds, int nodeCacheSize, int maxDirtyNodes)
{
    public static final int DEFAULT_COMMIT_INTERVAL_SECONDS = 5;
    public static final int DEFAULT_NODE_CACHE_SIZE = 4096;
    public static final int DEFAULT_MAX_DIRTY_NODES = 8192;

    public MountOptions
    {
        check("commitIntervalSeconds", commitIntervalSeconds, 0, 3600);
        check("nodeCacheSize", nodeCacheSize, 16, 1 << 20);
        check("maxDirtyNodes", maxDirtyNodes, 64, 1 << 20);
    }

    /**
     * @return the defaults: commit every 5 s, 4096 cached nodes, commit after 8192 dirty nodes.
     */
    public static MountOptions defaults()
    {
        return new MountOptions(DEFAULT_COMMIT_INTERVAL_SECONDS, DEFAULT_NODE_CACHE_SIZE, DEFAULT_MAX_DIRTY_NODES);
    }

    public MountOptions withCommitIntervalSeconds(final int seconds)
    {
        return new MountOptions(seconds, nodeCacheSize, maxDirtyNodes);
    }

    public MountOptions withNodeCacheSize(final int nodes)
    {
        return new MountOptions(commitIntervalSeconds, nodes, maxDirtyNodes);
    }

    public MountOptions withMaxDirtyNodes(final int nodes)
    {
        return new MountOptions(commitIntervalSeconds, nodeCacheSize, nodes);
    }

    private static void check(final String option, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("invalid mount option " + option + "=" + value + ": must be in [" +
                min + ", " + max + "]");
        }
    }
}
