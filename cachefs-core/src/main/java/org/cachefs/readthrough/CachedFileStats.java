package org.cachefs.readthrough;

/**
 * A snapshot of one {@link CachedFile} handle's reads since it was opened: its share of what
 * {@link ReadThroughStats} counts for the whole cache (a file system adapter reports it as the statistics of one
 * input stream).
 *
 * @param reads          read calls of the handle (a vectored read counts one per merged range).
 * @param bytesRead      bytes returned to the handle's callers.
 * @param cacheHitBytes  bytes returned from cached pages.
 * @param cacheMissBytes bytes returned from chunks fetched from the origin because they were not cached (fetched by
 *                       this handle's read or by another read it waited for).
 * @param fallbacks      reads or parts of reads the cache could not take part in, read from the origin without
 *                       storing.
 * @param fallbackBytes  bytes of those reads.
 */
public record CachedFileStats(
    long reads,
    long bytesRead,
    long cacheHitBytes,
    long cacheMissBytes,
    long fallbacks,
    long fallbackBytes)
{
}
