package org.cachefs.hadoop;

import java.util.Collections;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Consumer;

import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.MeanStatistic;

/**
 * Live {@link IOStatistics} of a {@link CachingFileSystem} or one of its streams: every call to {@link #counters()}
 * or {@link #gauges()} reads the current values (Hadoop's {@code IOStatisticsSupport.snapshotIOStatistics} takes a
 * copy). No minimums, maximums or means.
 * <p>
 * Threading: thread-safe if the sources are.
 */
final class CacheIOStatistics implements IOStatistics
{
    /** Bytes returned from cached pages. */
    static final String CACHE_HIT_BYTES = "cache_hit_bytes";
    /** Bytes returned from chunks fetched from the wrapped file system because they were not cached. */
    static final String CACHE_MISS_BYTES = "cache_miss_bytes";
    /** Reads or parts of reads the cache could not take part in, read from the wrapped file system uncached. */
    static final String CACHE_FALLBACKS = "cache_fallbacks";
    /** Bytes of those reads. */
    static final String CACHE_FALLBACK_BYTES = "cache_fallback_bytes";
    /** Reads of the cache (buffer fills and direct reads of streams; one per merged range of a vectored read). */
    static final String CACHE_READS = "cache_reads";
    /** Read requests sent to the wrapped file system (chunk fetches and fallbacks). */
    static final String CACHE_ORIGIN_REQUESTS = "cache_origin_requests";
    /** Bytes the wrapped file system returned. */
    static final String CACHE_ORIGIN_BYTES = "cache_origin_bytes";
    /** {@code getFileStatus} calls made to open files (none for an {@code openFile} given the status). */
    static final String CACHE_STATUS_REQUESTS = "cache_status_requests";
    /** Streams of the wrapped file system opened to fetch chunks. */
    static final String CACHE_ORIGIN_STREAMS_OPENED = "cache_origin_streams_opened";
    /** Pages written to the cache. */
    static final String CACHE_STORED_PAGES = "cache_stored_pages";
    /** Pages the cache refused (full, withdrawn). */
    static final String CACHE_REFUSED_PAGES = "cache_refused_pages";
    /** Chunk stores that failed with an unexpected error (logged). */
    static final String CACHE_STORE_ERRORS = "cache_store_errors";
    /** Opens that found a new version of a file whose old pages were dropped. */
    static final String CACHE_VERSION_CHANGES = "cache_version_changes";
    /** Paths whose pages were dropped because the file system wrote, renamed or deleted them. */
    static final String CACHE_INVALIDATIONS = "cache_invalidations";
    /** Input streams opened through the cache. */
    static final String CACHE_OPENS = "cache_opens";
    /** Gauge: the images this file system's cache uses. */
    static final String CACHE_IMAGES = "cache_images";
    /** Gauge: the images named that could not be used (in use by another process, corrupt, missing). */
    static final String CACHE_UNAVAILABLE_IMAGES = "cache_unavailable_images";

    /** Hadoop's stream statistic names ({@code StreamStatisticNames}). */
    static final String STREAM_READ_BYTES = "stream_read_bytes";
    static final String STREAM_READ_OPERATIONS = "stream_read_operations";
    static final String STREAM_READ_SEEK_OPERATIONS = "stream_read_seek_operations";
    static final String STREAM_READ_VECTORED_OPERATIONS = "stream_read_vectored_operations";
    static final String STREAM_READ_VECTORED_INCOMING_RANGES = "stream_read_vectored_incoming_ranges";
    static final String STREAM_READ_UNBUFFERED = "stream_read_unbuffered";

    private final Consumer<Map<String, Long>> counters;
    private final Consumer<Map<String, Long>> gauges;

    /**
     * @param counters fills a map with the current counters.
     * @param gauges   fills a map with the current gauges.
     */
    CacheIOStatistics(final Consumer<Map<String, Long>> counters, final Consumer<Map<String, Long>> gauges)
    {
        this.counters = counters;
        this.gauges = gauges;
    }

    @Override
    public Map<String, Long> counters()
    {
        final Map<String, Long> values = new TreeMap<>();
        counters.accept(values);
        return values;
    }

    @Override
    public Map<String, Long> gauges()
    {
        final Map<String, Long> values = new TreeMap<>();
        gauges.accept(values);
        return values;
    }

    @Override
    public Map<String, Long> minimums()
    {
        return Collections.emptyMap();
    }

    @Override
    public Map<String, Long> maximums()
    {
        return Collections.emptyMap();
    }

    @Override
    public Map<String, MeanStatistic> meanStatistics()
    {
        return Collections.emptyMap();
    }

    @Override
    public String toString()
    {
        final StringBuilder text = new StringBuilder("counters=(");
        counters().forEach((key, value) -> text.append('(').append(key).append('=').append(value).append(") "));
        text.append(");\ngauges=(");
        gauges().forEach((key, value) -> text.append('(').append(key).append('=').append(value).append(") "));
        return text.append(");").toString();
    }
}
