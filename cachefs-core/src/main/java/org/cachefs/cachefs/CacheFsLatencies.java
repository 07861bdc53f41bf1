package org.cachefs.cachefs;

/**
 * The latencies of a mounted CacheFS cache's store operations since mount ({@link CacheFsBackend#latencies()}), each
 * timed with {@link System#nanoTime()} from the call into the store to its return; operations that fail with an
 * error are not timed.
 *
 * @param hits    pages read, from the RAM tier or the device. A multi-page read (the netfs's
 *                {@code readOrAllocPages}, as the read-through API and the Hadoop file system make) counts each page
 *                it read from the device with the call's time divided by its pages. RAM-tier hits are timed one in {@value StoreLatencies#RAM_HIT_SAMPLING}, chosen at
 *                random, each timed one counting {@value StoreLatencies#RAM_HIT_SAMPLING}: their count is an
 *                estimate, and so is this summary's.
 * @param misses  pages asked for and not returned: not stored, or dropped on a check-value mismatch; a multi-page
 *                read counts each such page with the call's time divided by its pages.
 * @param stores  pages handed to the store to write, stored or refused; a call that stores several pages at once
 *                counts each page with the call's time divided by its pages.
 * @param commits commits: periodic, sync, under space pressure or after a cull batch, and the mount's and unmount's.
 * @param culls   culling passes: from the check that free space is below {@code bcull} to the end of the pass,
 *                commits included; one per {@link CullingStats#runs()}.
 */
public record CacheFsLatencies(
    LatencySummary hits, LatencySummary misses, LatencySummary stores, LatencySummary commits, LatencySummary culls)
{
}
