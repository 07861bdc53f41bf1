package org.cachefs.fscache.spi;

import java.util.Map;

/**
 * What a {@link CacheBackend} may offer beyond the operations table for statistics and control (the sysfs side of a
 * cache): the core's JMX view of the cache calls it when the backend implements it.
 */
public interface CacheControl
{
    /**
     * @return usage figures by name, e.g. {@code "dataBlocks"}, {@code "pages"}; may be called from any thread.
     */
    Map<String, Long> usage();

    /**
     * @return culling figures by name; empty if the backend does not cull.
     */
    Map<String, Long> culling();

    /**
     * @return the culling thresholds as {@code "brun/bcull/bstop"}, or {@code ""} if the backend does not cull.
     */
    String cullingThresholds();

    /**
     * Sets the culling thresholds.
     *
     * @param brun  culling stops once free space (percent of the data region) is at or above this.
     * @param bcull culling starts when free space falls below this.
     * @param bstop new pages are refused while free space is below this.
     * @throws IllegalArgumentException if they do not satisfy {@code 0 <= bstop < bcull < brun < 100}.
     * @throws UnsupportedOperationException if the backend does not cull.
     */
    void setCullingThresholds(int brun, int bcull, int bstop);
}
