package org.cachefs.micrometer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.GeneratedOrigin;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughOptions;
import org.cachefs.readthrough.ReadThroughStats;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link ReadThroughMetrics} against a {@link SimpleMeterRegistry} on a {@link MockClock}: the exact meters, their
 * values after a cold and a warm read (equal to {@link ReadThroughCache#stats()}), one snapshot per
 * {@link CacheFsMetrics#SNAPSHOT_NANOS}, the figures kept after the cache is closed, and unbinding. One test thread.
 */
class ReadThroughMetricsTest
{
    private static final int PAGE = 4096;

    @TempDir
    Path dir;

    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);

    private double counter(final String name, final Tag... tags)
    {
        return registry.get(name).tag(CacheFsMetrics.CACHE_TAG, "reads").tags(List.of(tags)).functionCounter()
            .count();
    }

    @Test
    void theMetersShowTheCachesStatisticsOfOneInstant() throws IOException, InterruptedException
    {
        final ReadThroughOptions options = ReadThroughOptions.builder().image(dir.resolve("cache.img"), 16L << 20)
            .mountOptions(MountOptions.defaults().withBackgroundCulling(false)).jmx(false).build();
        final ReadThroughMetrics metrics;
        try (ReadThroughCache cache = ReadThroughCache.open(new GeneratedOrigin(8 * 4096), options))
        {
            metrics = ReadThroughMetrics.of(cache, "reads");
            metrics.bindTo(registry);
            final List<String> meters = new ArrayList<>();
            for (final Meter meter : registry.getMeters())
            {
                final StringBuilder sb = new StringBuilder(meter.getId().getName());
                for (final Tag tag : meter.getId().getTagsAsIterable())
                {
                    sb.append(' ').append(tag.getKey()).append('=').append(tag.getValue());
                }
                meters.add(sb.toString());
            }
            meters.sort(null);
            assertThat(meters).containsExactly(
                "cachefs.readthrough.bytes cache=reads source=cache",
                "cachefs.readthrough.bytes cache=reads source=fallback",
                "cachefs.readthrough.bytes cache=reads source=origin",
                "cachefs.readthrough.fallbacks cache=reads",
                "cachefs.readthrough.hit.reads cache=reads",
                "cachefs.readthrough.images.unavailable cache=reads",
                "cachefs.readthrough.latency cache=reads operation=hit quantile=0.5",
                "cachefs.readthrough.latency cache=reads operation=hit quantile=0.99",
                "cachefs.readthrough.latency cache=reads operation=hit quantile=0.999",
                "cachefs.readthrough.latency cache=reads operation=origin quantile=0.5",
                "cachefs.readthrough.latency cache=reads operation=origin quantile=0.99",
                "cachefs.readthrough.latency cache=reads operation=origin quantile=0.999",
                "cachefs.readthrough.latency.max cache=reads operation=hit",
                "cachefs.readthrough.latency.max cache=reads operation=origin",
                "cachefs.readthrough.origin.bytes cache=reads",
                "cachefs.readthrough.origin.requests cache=reads",
                "cachefs.readthrough.origin.stats cache=reads",
                "cachefs.readthrough.pages.refused cache=reads",
                "cachefs.readthrough.pages.stored cache=reads",
                "cachefs.readthrough.readahead.fetches cache=reads",
                "cachefs.readthrough.reads cache=reads",
                "cachefs.readthrough.store.errors cache=reads",
                "cachefs.readthrough.version.changes cache=reads");
            // The first scrape takes the snapshot: nothing read yet.
            assertThat(counter("cachefs.readthrough.reads")).isZero();

            try (CachedFile file = cache.open("/f"))
            {
                file.readFully(0, ByteBuffer.allocate(8 * PAGE));
                assertThat(cache.awaitStored(10, TimeUnit.SECONDS)).isTrue();
                file.readFully(0, ByteBuffer.allocate(8 * PAGE));
            }
            // Within the snapshot's second: still the first instant.
            clock.add(CacheFsMetrics.SNAPSHOT_NANOS - 1, TimeUnit.NANOSECONDS);
            assertThat(counter("cachefs.readthrough.reads")).isZero();
            clock.add(1, TimeUnit.NANOSECONDS);
            final ReadThroughStats stats = cache.stats();
            assertThat(counter("cachefs.readthrough.reads")).isEqualTo(2);
            assertThat(counter("cachefs.readthrough.hit.reads")).isEqualTo(1);
            assertThat(counter("cachefs.readthrough.bytes", Tag.of("source", "cache"))).isEqualTo(8 * PAGE);
            assertThat(counter("cachefs.readthrough.bytes", Tag.of("source", "origin"))).isEqualTo(8 * PAGE);
            assertThat(counter("cachefs.readthrough.bytes", Tag.of("source", "fallback"))).isZero();
            assertThat(counter("cachefs.readthrough.pages.stored")).isEqualTo(8);
            assertThat(counter("cachefs.readthrough.origin.requests")).isEqualTo(stats.originRequests())
                .isPositive();
            assertThat(counter("cachefs.readthrough.origin.bytes")).isEqualTo(stats.originBytes());
            assertThat(registry.get("cachefs.readthrough.images.unavailable").gauge().value()).isZero();
            // A time gauge keeps seconds: nanoseconds come back through a double, so they are rounded.
            final long p50 = Math.round(registry.get("cachefs.readthrough.latency")
                .tags("operation", "hit", "quantile", "0.5").timeGauge().value(TimeUnit.NANOSECONDS));
            final long max = Math.round(registry.get("cachefs.readthrough.latency.max").tags("operation", "hit")
                .timeGauge().value(TimeUnit.NANOSECONDS));
            assertThat(p50).isEqualTo(stats.hitLatency().getValueAtPercentile(50)).isPositive();
            assertThat(max).isEqualTo(stats.hitLatency().getMaxValue()).isGreaterThanOrEqualTo(p50);
        }

        // Closed: the last figures stay until the binder is closed.
        clock.add(CacheFsMetrics.SNAPSHOT_NANOS, TimeUnit.NANOSECONDS);
        assertThat(counter("cachefs.readthrough.reads")).isEqualTo(2);
        metrics.close();
        assertThat(registry.getMeters()).isEmpty();
    }

    @Test
    void refusesAnEmptyName() throws IOException
    {
        final ReadThroughOptions options = ReadThroughOptions.builder().image(dir.resolve("cache.img"), 16L << 20)
            .jmx(false).build();
        try (ReadThroughCache cache = ReadThroughCache.open(new GeneratedOrigin(8 * 4096), options))
        {
            assertThatThrownBy(() -> ReadThroughMetrics.of(cache, ""))
                .isInstanceOf(IllegalArgumentException.class)
                .hasMessage("the read-through cache's name (the 'cache' tag) is empty");
            assertThatThrownBy(() -> ReadThroughMetrics.of(null, "reads"))
                .isInstanceOf(NullPointerException.class).hasMessage("cache");
        }
    }
}
