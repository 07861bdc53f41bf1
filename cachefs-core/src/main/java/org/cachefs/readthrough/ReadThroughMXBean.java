package org.cachefs.readthrough;

/**
 * The statistics of a {@link ReadThroughCache} over JMX: {@code org.cachefs:type=ReadThrough,name=NAMESPACE}.
 */
public interface ReadThroughMXBean
{
    /** @return read calls (a vectored read counts one per merged range). */
    long getReads();

    /** @return bytes returned to callers. */
    long getBytesRead();

    /** @return reads served entirely from the cache. */
    long getHitReads();

    /** @return bytes returned from cached pages. */
    long getCacheHitBytes();

    /** @return bytes returned from chunks fetched from the origin because they were not cached. */
    long getCacheMissBytes();

    /** @return read requests sent to the origin (chunk fetches and fallbacks). */
    long getOriginRequests();

    /** @return bytes the origin returned. */
    long getOriginBytes();

    /** @return stat requests sent to the origin. */
    long getOriginStats();

    /** @return reads or parts of reads the cache could not take part in, read from the origin without storing. */
    long getFallbacks();

    /** @return bytes of those fallback reads. */
    long getFallbackBytes();

    /** @return pages written to the cache. */
    long getStoredPages();

    /** @return pages the cache refused to store (full, past the file's size, withdrawn). */
    long getRefusedPages();

    /** @return images that could not be mounted (in use by another process, corrupt, foreign). */
    int getUnavailableImages();

    /** @return the median latency of reads served from the cache, in microseconds. */
    long getHitLatencyP50Micros();

    /** @return the 99th percentile latency of reads served from the cache, in microseconds. */
    long getHitLatencyP99Micros();

    /** @return the median latency of origin read requests, in microseconds. */
    long getOriginLatencyP50Micros();

    /** @return the 99th percentile latency of origin read requests, in microseconds. */
    long getOriginLatencyP99Micros();

    /** @return the images the cache uses, and those it could not mount with the reason. */
    String[] getImages();
}
