package org.cachefs.fscache.jmx;

import java.util.Map;

/**
 * One cache added to an FS-Cache, as seen through JMX ({@code org.cachefs:type=Cache,tag=TAG}): its state, its
 * backend's usage and culling figures, and the controls of {@code /sys/fs/fscache/TAG}. Registered when the cache is
 * added, unregistered when it is withdrawn.
 */
public interface CacheMXBean
{
    /**
     * @return the cache's tag.
     */
    String getTag();

    /**
     * @return the backend's provider name, e.g. {@code "cachefs"}.
     */
    String getBackend();

    /**
     * @return the backend's identifier, e.g. the device name.
     */
    String getIdentifier();

    /**
     * @return {@code ACTIVE}, or {@code IO_ERROR} once the backend reported an I/O error.
     */
    String getState();

    /**
     * @return the backend's usage figures (blocks, pages, objects, ...); empty if it reports none.
     */
    Map<String, Long> getUsage();

    /**
     * @return the backend's culling figures; empty if it does not cull.
     */
    Map<String, Long> getCulling();

    /**
     * @return the culling thresholds as {@code brun/bcull/bstop} percentages, or empty if the backend has none.
     */
    String getCullingThresholds();

    /**
     * Sets the culling thresholds ({@code 0 <= bstop < bcull < brun < 100}).
     *
     * @param brun  culling stops once free space (percent of the data region) is at or above this.
     * @param bcull culling starts when free space falls below this.
     * @param bstop new pages are refused while free space is below this.
     * @throws IllegalArgumentException naming the bad value; UnsupportedOperationException if the backend does not
     *                                  cull.
     */
    void setCullingThresholds(int brun, int bcull, int bstop);

    /**
     * Synchronises the cache with its device (the backend's sync).
     */
    void sync();

    /**
     * Withdraws the cache from its FS-Cache.
     */
    void withdraw();
}
