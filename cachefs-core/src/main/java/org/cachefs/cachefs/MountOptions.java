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
 * @param thresholds            the culling limits (CacheFiles' brun/bcull/bstop).
 * @param backgroundCulling     whether a background thread culls when free space falls below {@code bcull}; when
 *                              off, culling runs only when asked ({@link CacheFsBackend#cull()}).
 * @param largeObjectPercent    an object holding more than this share of the data region loses its least recently
 *                              used page ranges when culled, instead of being dropped whole. Range [1, 100].
 * @param writeBehind           whether page writes of an object to consecutive blocks are gathered in memory and
 *                              reach the device in runs of up to 32 blocks, one I/O each (before any read or free of
 *                              them and before every commit); off, each page is written by its own I/O before
 *                              {@code writePage} returns.
 * @param writeThreads          with write-behind, how many threads write full runs to the device, each one run at
 *                              a time: the run writes in flight at once, as a device's queue depth. Range [1, 64].
 * @param ramTierBytes          the most off-heap memory kept for copies of hot pages above the device (the RAM
 *                              tier), allocated in slabs of up to 4 MiB as pages enter; 0 (or less than 16 pages)
 *                              turns it off. A page enters after it was read from the device, if it was read more
 *                              often lately than the page it evicts. The JVM's direct-memory limit
 *                              ({@code -XX:MaxDirectMemorySize}, by default the heap's maximum) caps it: beyond that
 *                              the tier stops growing and logs a warning. Range [0, 2^40].
 */
public record MountOptions(
    int commitIntervalSeconds, int nodeCacheSize, int maxDirtyNodes, CullingThresholds thresholds,
    boolean backgroundCulling, int largeObjectPercent, boolean writeBehind, int writeThreads, long ramTierBytes)
{
    /** The default {@link #largeObjectPercent()}: 10. */
    public static final int DEFAULT_LARGE_OBJECT_PERCENT = 10;

    /** The default {@link #commitIntervalSeconds()}: 5. */
    public static final int DEFAULT_COMMIT_INTERVAL_SECONDS = 5;
    /** The default {@link #nodeCacheSize()}: 12288 nodes. */
    public static final int DEFAULT_NODE_CACHE_SIZE = 12288;
    /** The default {@link #maxDirtyNodes()}: 12288 nodes. */
    public static final int DEFAULT_MAX_DIRTY_NODES = 12288;
    /** The default {@link #writeThreads()}: 4. */
    public static final int DEFAULT_WRITE_THREADS = 4;
    /** The default {@link #ramTierBytes()}: 128 MiB. */
    public static final long DEFAULT_RAM_TIER_BYTES = 128L << 20;
    /** The largest {@link #ramTierBytes()}: 2^40 bytes (1 TiB). */
    public static final long MAX_RAM_TIER_BYTES = 1L << 40;

    /**
     * Checks every option.
     *
     * @param commitIntervalSeconds see {@link #commitIntervalSeconds()}, 0 to 3600.
     * @param nodeCacheSize         see {@link #nodeCacheSize()}, 16 to 1048576.
     * @param maxDirtyNodes         see {@link #maxDirtyNodes()}, 64 to 1048576.
     * @param thresholds            see {@link #thresholds()}, not null.
     * @param backgroundCulling     see {@link #backgroundCulling()}.
     * @param largeObjectPercent    see {@link #largeObjectPercent()}, 1 to 100.
     * @param writeBehind           see {@link #writeBehind()}.
     * @param writeThreads          see {@link #writeThreads()}, 1 to 64.
     * @param ramTierBytes          see {@link #ramTierBytes()}, 0 to 2^40.
     * @throws IllegalArgumentException naming the first option out of its range, or {@code thresholds} null.
     */
    public MountOptions
    {
        check("commitIntervalSeconds", commitIntervalSeconds, 0, 3600);
        check("nodeCacheSize", nodeCacheSize, 16, 1 << 20);
        check("maxDirtyNodes", maxDirtyNodes, 64, 1 << 20);
        check("largeObjectPercent", largeObjectPercent, 1, 100);
        check("writeThreads", writeThreads, 1, 64);
        if (ramTierBytes < 0 || ramTierBytes > MAX_RAM_TIER_BYTES)
        {
            throw new IllegalArgumentException("invalid mount option ramTierBytes=" + ramTierBytes +
                ": must be in [0, " + MAX_RAM_TIER_BYTES + "]");
        }
        if (thresholds == null)
        {
            throw new IllegalArgumentException("invalid mount option thresholds=null: give CullingThresholds");
        }
    }

    /**
     * @return the defaults: commit every 5 s, 12288 cached nodes, commit after 12288 dirty nodes (the page-map
     * leaves of about 48 files of 256 MiB written at once in random order), culling at brun=10 % / bcull=7 % /
     * bstop=3 % free space in the background, objects over 10 % of the cache culled by page range, write-behind
     * runs on, written by 4 threads, and a RAM tier of up to 128 MiB.
     */
    public static MountOptions defaults()
    {
        return new MountOptions(DEFAULT_COMMIT_INTERVAL_SECONDS, DEFAULT_NODE_CACHE_SIZE, DEFAULT_MAX_DIRTY_NODES,
            CullingThresholds.defaults(), true, DEFAULT_LARGE_OBJECT_PERCENT, true, DEFAULT_WRITE_THREADS,
            DEFAULT_RAM_TIER_BYTES);
    }

    /**
     * @param seconds the commit interval in seconds, 0 to 3600.
     * @return these options with {@link #commitIntervalSeconds()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withCommitIntervalSeconds(final int seconds)
    {
        return new MountOptions(seconds, nodeCacheSize, maxDirtyNodes, thresholds, backgroundCulling,
            largeObjectPercent, writeBehind, writeThreads, ramTierBytes);
    }

    /**
     * @param nodes the clean nodes kept decoded, 16 to 1048576.
     * @return these options with {@link #nodeCacheSize()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withNodeCacheSize(final int nodes)
    {
        return new MountOptions(commitIntervalSeconds, nodes, maxDirtyNodes, thresholds, backgroundCulling,
            largeObjectPercent, writeBehind, writeThreads, ramTierBytes);
    }

    /**
     * @param nodes the modified nodes that force a commit, 64 to 1048576.
     * @return these options with {@link #maxDirtyNodes()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withMaxDirtyNodes(final int nodes)
    {
        return new MountOptions(commitIntervalSeconds, nodeCacheSize, nodes, thresholds, backgroundCulling,
            largeObjectPercent, writeBehind, writeThreads, ramTierBytes);
    }

    /**
     * @param thresholds the culling limits.
     * @return these options with {@link #thresholds()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withThresholds(final CullingThresholds thresholds)
    {
        return new MountOptions(commitIntervalSeconds, nodeCacheSize, maxDirtyNodes, thresholds, backgroundCulling,
            largeObjectPercent, writeBehind, writeThreads, ramTierBytes);
    }

    /**
     * @param background whether a background thread culls.
     * @return these options with {@link #backgroundCulling()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withBackgroundCulling(final boolean background)
    {
        return new MountOptions(commitIntervalSeconds, nodeCacheSize, maxDirtyNodes, thresholds, background,
            largeObjectPercent, writeBehind, writeThreads, ramTierBytes);
    }

    /**
     * @param percent the share of the data region above which an object is culled by page range, 1 to 100.
     * @return these options with {@link #largeObjectPercent()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withLargeObjectPercent(final int percent)
    {
        return new MountOptions(commitIntervalSeconds, nodeCacheSize, maxDirtyNodes, thresholds, backgroundCulling,
            percent, writeBehind, writeThreads, ramTierBytes);
    }

    /**
     * @param writeBehind whether page writes are gathered into runs.
     * @return these options with {@link #writeBehind()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withWriteBehind(final boolean writeBehind)
    {
        return new MountOptions(commitIntervalSeconds, nodeCacheSize, maxDirtyNodes, thresholds, backgroundCulling,
            largeObjectPercent, writeBehind, writeThreads, ramTierBytes);
    }

    /**
     * @param threads the threads writing runs, 1 to 64.
     * @return these options with {@link #writeThreads()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withWriteThreads(final int threads)
    {
        return new MountOptions(commitIntervalSeconds, nodeCacheSize, maxDirtyNodes, thresholds, backgroundCulling,
            largeObjectPercent, writeBehind, threads, ramTierBytes);
    }

    /**
     * @param bytes the RAM tier's size in bytes, 0 (off) to 2^40.
     * @return these options with {@link #ramTierBytes()} replaced.
     * @throws IllegalArgumentException if the value is out of its range.
     */
    public MountOptions withRamTierBytes(final long bytes)
    {
        return new MountOptions(commitIntervalSeconds, nodeCacheSize, maxDirtyNodes, thresholds, backgroundCulling,
            largeObjectPercent, writeBehind, writeThreads, bytes);
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
