package org.cachefs.readthrough;

/**
 * The statistics of a {@link ReadThroughCache} over JMX: {@code org.cachefs:type=ReadThrough,name=NAMESPACE}.
 */
public interface ReadThroughMXBean
{
    long getReads();

    long getBytesRead();

    long getHitReads();

    long getCacheHitBytes();

    long getCacheMissBytes();

    long getOriginRequests();

    long getOriginBytes();

    long getOriginStats();

    long getFallbacks();

    long getFallbackBytes();

    long getStoredPages();

    long getRefusedPages();

    int getUnavailableImages();

    long getHitLatencyP50Micros();

    long getHitLatencyP99Micros();

    long getOriginLatencyP50Micros();

    long getOriginLatencyP99Micros();

    /** @return the images the cache uses, and those it could not mount with the reason. */
    String[] getImages();
}
