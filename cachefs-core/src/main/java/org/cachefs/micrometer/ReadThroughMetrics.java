package org.cachefs.micrometer;

import java.util.Objects;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughStats;

/**
 * A Micrometer {@link MeterBinder} of a read-through cache's own figures ({@link ReadThroughCache#stats()}): reads and
 * bytes by where they came from, origin requests, stores and fallbacks as {@code cachefs.readthrough.*}
 * {@link FunctionCounter}s, the images that could not be mounted as a {@link Gauge}, and the latencies of reads
 * served from the cache and of origin requests as {@link TimeGauge}s {@code cachefs.readthrough.latency} tagged
 * {@value CacheFsMetrics#OPERATION_TAG} ({@code hit}, {@code origin}) and {@value CacheFsMetrics#QUANTILE_TAG}
 * ({@code 0.5}, {@code 0.99}, {@code 0.999}) with {@code cachefs.readthrough.latency.max}. Every meter is tagged
 * {@value CacheFsMetrics#CACHE_TAG} with the name given. The images' own meters are {@link CacheFsMetrics#of(
 * ReadThroughCache)}'s:
 * <pre>{@code
 * ReadThroughMetrics.of(cache, "s3-reads").bindTo(registry);
 * CacheFsMetrics.of(cache).bindTo(registry);
 * }</pre>
 * The meters read one {@link ReadThroughCache#stats()} snapshot per {@link CacheFsMetrics#SNAPSHOT_NANOS} of the
 * registry's clock, so that one scrape shows one instant; after the cache is closed they show its last figures until
 * {@link #close()} removes them.
 * <p>
 * Threading: as {@link CacheFsMetrics}: {@link #bindTo} and {@link #close} under this object's monitor, from any
 * thread; the meters are read by the registries' threads.
 */
public final class ReadThroughMetrics implements MeterBinder, AutoCloseable
{
    private static final String BYTES = BaseUnits.BYTES;
    private static final String BYTES_READ = "bytes returned to callers, by source: cache, origin (chunks fetched " +
        "because they were not cached) or fallback (read from the origin without the cache)";

    private final ReadThroughCache cache;
    private final String name;
    private final BoundMeters bound = new BoundMeters();

    private ReadThroughMetrics(final ReadThroughCache cache, final String name)
    {
        this.cache = cache;
        this.name = name;
    }

    /**
     * A binder of a read-through cache's figures. A Hadoop {@code CachingFileSystem}'s cache is its
     * {@code readThroughCache()}.
     *
     * @param cache the read-through cache.
     * @param name  the value of the {@value CacheFsMetrics#CACHE_TAG} tag.
     * @return the binder.
     * @throws NullPointerException     if an argument is null.
     * @throws IllegalArgumentException if {@code name} is empty.
     */
    public static ReadThroughMetrics of(final ReadThroughCache cache, final String name)
    {
        Objects.requireNonNull(cache, "cache");
        if (Objects.requireNonNull(name, "name").isEmpty())
        {
            throw new IllegalArgumentException("the read-through cache's name (the '" + CacheFsMetrics.CACHE_TAG +
                "' tag) is empty");
        }
        return new ReadThroughMetrics(cache, name);
    }

    /**
     * Registers the meters with a registry, reading through a snapshot that follows the registry's clock.
     *
     * @param registry the registry.
     * @throws NullPointerException if {@code registry} is null.
     */
    @Override
    public synchronized void bindTo(final MeterRegistry registry)
    {
        final Snapshot snapshot = new Snapshot(Objects.requireNonNull(registry, "registry").config().clock(), cache);
        final Tags common = Tags.of(CacheFsMetrics.CACHE_TAG, name);
        counter(registry, snapshot, "cachefs.readthrough.reads", "read calls (a vectored read counts one per merged " +
            "range)", common, ReadThroughStats::reads);
        counter(registry, snapshot, "cachefs.readthrough.hit.reads", "reads served entirely from the cache", common,
            ReadThroughStats::hitReads);
        counter(registry, snapshot, "cachefs.readthrough.bytes", BYTES_READ, BYTES, common.and("source", "cache"),
            ReadThroughStats::cacheHitBytes);
        counter(registry, snapshot, "cachefs.readthrough.bytes", BYTES_READ, BYTES, common.and("source", "origin"),
            ReadThroughStats::cacheMissBytes);
        counter(registry, snapshot, "cachefs.readthrough.bytes", BYTES_READ, BYTES, common.and("source",
            "fallback"), ReadThroughStats::fallbackBytes);
        counter(registry, snapshot, "cachefs.readthrough.origin.requests", "read requests sent to the origin",
            common, ReadThroughStats::originRequests);
        counter(registry, snapshot, "cachefs.readthrough.origin.bytes", "bytes the origin returned", BYTES, common,
            ReadThroughStats::originBytes);
        counter(registry, snapshot, "cachefs.readthrough.origin.stats", "stat requests sent to the origin", common,
            ReadThroughStats::originStats);
        counter(registry, snapshot, "cachefs.readthrough.fallbacks", "reads or parts of reads served from the " +
            "origin without the cache", common, ReadThroughStats::fallbacks);
        counter(registry, snapshot, "cachefs.readthrough.pages.stored", "pages written to the cache", common,
            ReadThroughStats::storedPages);
        counter(registry, snapshot, "cachefs.readthrough.pages.refused", "pages the cache refused to store", common,
            ReadThroughStats::refusedPages);
        counter(registry, snapshot, "cachefs.readthrough.store.errors", "chunk stores that failed with an " +
            "unexpected error", common, ReadThroughStats::storeErrors);
        counter(registry, snapshot, "cachefs.readthrough.readahead.fetches", "chunks fetched ahead of reads", common,
            ReadThroughStats::readaheadFetches);
        counter(registry, snapshot, "cachefs.readthrough.version.changes", "opens that found a new version of a file",
            common, ReadThroughStats::versionChanges);
        bound.gauge(registry, "cachefs.readthrough.images.unavailable", "images that could not be mounted", null,
            common, snapshot, s -> s.value(ReadThroughStats::unavailableImages));
        latencies(registry, snapshot, common.and(CacheFsMetrics.OPERATION_TAG, "hit"), "reads served from the cache",
            true);
        latencies(registry, snapshot, common.and(CacheFsMetrics.OPERATION_TAG, "origin"), "origin read requests",
            false);
    }

    /**
     * Removes the meters this binder registered from the registries it was bound to. The binder may be bound again.
     */
    @Override
    public synchronized void close()
    {
        bound.removeAll();
    }

    private void latencies(
        final MeterRegistry registry, final Snapshot snapshot, final Tags operation, final String timed,
        final boolean hits)
    {
        for (final double quantile : new double[] {0.5, 0.99, 0.999})
        {
            bound.timeGauge(registry, "cachefs.readthrough.latency", "latency quantile of " + timed,
                operation.and(CacheFsMetrics.QUANTILE_TAG, Double.toString(quantile)), snapshot,
                s -> s.quantile(hits, quantile * 100));
        }
        bound.timeGauge(registry, "cachefs.readthrough.latency.max", "longest latency of " + timed, operation,
            snapshot, s -> s.quantile(hits, 100));
    }

    private void counter(
        final MeterRegistry registry, final Snapshot snapshot, final String meter, final String description,
        final Tags tags, final ToDoubleFunction<ReadThroughStats> value)
    {
        counter(registry, snapshot, meter, description, null, tags, value);
    }

    private void counter(
        final MeterRegistry registry, final Snapshot snapshot, final String meter, final String description,
        final String unit, final Tags tags, final ToDoubleFunction<ReadThroughStats> value)
    {
        bound.counter(registry, meter, description, unit, tags, snapshot, s -> s.value(value));
    }

    /**
     * One registry's view of the cache's statistics: one {@link ReadThroughCache#stats()} per
     * {@link CacheFsMetrics#SNAPSHOT_NANOS} of the registry's clock. Read under its monitor by the registry's threads.
     */
    private static final class Snapshot
    {
        private final Clock clock;
        private final ReadThroughCache cache;
        private ReadThroughStats stats;
        private long takenAtNanos;

        Snapshot(final Clock clock, final ReadThroughCache cache)
        {
            this.clock = clock;
            this.cache = cache;
        }

        synchronized double value(final ToDoubleFunction<ReadThroughStats> value)
        {
            return value.applyAsDouble(refreshed());
        }

        synchronized double quantile(final boolean hits, final double percentile)
        {
            final ReadThroughStats current = refreshed();
            return (hits ? current.hitLatency() : current.originLatency()).getValueAtPercentile(percentile);
        }

        private ReadThroughStats refreshed()
        {
            final long now = clock.monotonicTime();
            if (null == stats || now - takenAtNanos >= CacheFsMetrics.SNAPSHOT_NANOS)
            {
                stats = cache.stats();
                takenAtNanos = now;
            }
            return stats;
        }
    }
}
