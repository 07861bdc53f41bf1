package org.cachefs.fscache.jmx;

import java.util.Map;

/**
 * The FS-Cache core as seen through JMX ({@code org.cachefs:type=FsCache}): the counters of
 * {@code /proc/fs/fscache/stats}.
 */
public interface FsCacheMXBean
{
    /**
     * @return every counter by its {@code /proc/fs/fscache/stats} name, e.g. {@code "Retrvls.ok"}.
     */
    Map<String, Long> getCounters();

    /**
     * @return the counters in the {@code /proc/fs/fscache/stats} layout.
     */
    String getStatsText();

    /**
     * @return the tags of the caches added, in order.
     */
    String[] getCacheTags();
}
