package org.cachefs.readthrough;

import org.HdrHistogram.Histogram;

/**
 * A snapshot of a {@link ReadThroughCache}'s statistics since it was opened.
 *
 * @param reads              read calls (a vectored read counts one per merged range).
 * @param bytesRead          bytes returned to callers.
 * @param hitReads           reads served entirely from the cache.
 * @param cacheHitBytes      bytes returned from cached pages.
 * @param cacheMissBytes     bytes returned from chunks fetched from the origin because they were not cached.
 * @param originRequests     read requests sent to the origin (chunk fetches and fallbacks).
 * @param originBytes        bytes the origin returned.
 * @param originStats        stat requests sent to the origin.
 * @param fallbacks          reads or parts of reads the cache could not take part in (no image available, the
 *                           cache full, withdrawn or failing, a file being switched to a new version), read from the
 *                           origin without storing.
 * @param fallbackBytes      bytes of those reads.
 * @param storedPages        pages written to the cache.
 * @param refusedPages       pages the cache refused to store (full, past the file's size, withdrawn).
 * @param storeErrors        chunk stores that failed with an unexpected error (logged).
 * @param readaheadFetches   chunks fetched ahead of reads.
 * @param versionChanges     opens that found a new version of a file whose old pages were then dropped.
 * @param unavailableImages  images that could not be mounted (in use by another process, corrupt, foreign).
 * @param hitLatency         latency of reads served from the cache, in nanoseconds.
 * @param originLatency      latency of origin read requests, in nanoseconds.
 */
public record ReadThroughStats(
    long reads,
    long bytesRead,
    long hitReads,
    long cacheHitBytes,
    long cacheMissBytes,
    long originRequests,
    long originBytes,
    long originStats,
    long fallbacks,
    long fallbackBytes,
    long storedPages,
    long refusedPages,
    long storeErrors,
    long readaheadFetches,
    long versionChanges,
    int unavailableImages,
    Histogram hitLatency,
    Histogram originLatency)
{
    @Override
    public String toString()
    {
        return "reads=" + reads + " bytesRead=" + bytesRead + " hitReads=" + hitReads + " cacheHitBytes=" +
            cacheHitBytes + " cacheMissBytes=" + cacheMissBytes + " originRequests=" + originRequests +
            " originBytes=" + originBytes + " originStats=" + originStats + " fallbacks=" + fallbacks +
            " fallbackBytes=" + fallbackBytes + " storedPages=" + storedPages + " refusedPages=" + refusedPages + " storeErrors=" + storeErrors +
            " readaheadFetches=" + readaheadFetches + " versionChanges=" + versionChanges + " unavailableImages=" +
            unavailableImages + " hitP50us=" + hitLatency.getValueAtPercentile(50) / 1000 + " hitP99us=" +
            hitLatency.getValueAtPercentile(99) / 1000 + " originP50us=" +
            originLatency.getValueAtPercentile(50) / 1000;
    }
}
