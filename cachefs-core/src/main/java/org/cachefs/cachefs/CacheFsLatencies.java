package org.cachefs.cachefs;

/**
 * The latencies of a mounted CacheFS cache's store operations since mount ({@link CacheFsBackend#latencies()}), each
 * timed with {@link System#nanoTime()} from the call into the store to its return; operations that fail with an
 * error are not timed.
 *
 * @param hits    single-page reads that returned the page, from the RAM tier or the device, and pages served from the
 *                RAM tier by multi-page reads. Pages of multi-page reads that come from the device, in merged I/Os,
 *                are not timed. RAM-tier hits are timed one in {@value StoreLatencies#RAM_HIT_SAMPLING}, chosen at
 *                random, each timed one counting {@value StoreLatencies#RAM_HIT_SAMPLING}: their count is an
 *                estimate, and so is this summary's.
 * @param misses  single-page reads that returned no data: the page not stored, or dropped on a check-value
 *                mismatch.
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
