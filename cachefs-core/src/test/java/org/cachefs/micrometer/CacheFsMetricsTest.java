package org.cachefs.micrometer;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.MockClock;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.simple.SimpleConfig;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.LatencySummary;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.GeneratedOrigin;
import org.cachefs.readthrough.MountedImage;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughOptions;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link CacheFsMetrics} against a {@link SimpleMeterRegistry} on a {@link MockClock}: the exact meters and tags of a
 * cache and of its FS-Cache, their values after known operations (equal to {@link CacheFsBackend#usage()} and
 * {@link FsCache#stats()}), one snapshot per {@link CacheFsMetrics#SNAPSHOT_NANOS} of the registry's clock, the
 * binders of a read-through cache's images, and unbinding. One test thread.
 */
class CacheFsMetricsTest
{
    private static final int PAGE = 4096;
    private static final String TAG = "mycache";
    private static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0)
        .withBackgroundCulling(false).withRamTierBytes(0);

    /** The backend's meters, name and the tags beside {@code cache}, in the order of {@link Meter.Id} sorting. */
    private static final List<String> BACKEND_METERS = List.of(
        "cachefs.block.size",
        "cachefs.blocks.restored",
        "cachefs.checksum.mismatches",
        "cachefs.commit.generation",
        "cachefs.commits",
        "cachefs.cull.freed",
        "cachefs.cull.objects",
        "cachefs.cull.pages",
        "cachefs.cull.runs",
        "cachefs.io.failed",
        "cachefs.latency operation=commit quantile=0.5",
        "cachefs.latency operation=commit quantile=0.99",
        "cachefs.latency operation=commit quantile=0.999",
        "cachefs.latency operation=cull quantile=0.5",
        "cachefs.latency operation=cull quantile=0.99",
        "cachefs.latency operation=cull quantile=0.999",
        "cachefs.latency operation=hit quantile=0.5",
        "cachefs.latency operation=hit quantile=0.99",
        "cachefs.latency operation=hit quantile=0.999",
        "cachefs.latency operation=miss quantile=0.5",
        "cachefs.latency operation=miss quantile=0.99",
        "cachefs.latency operation=miss quantile=0.999",
        "cachefs.latency operation=store quantile=0.5",
        "cachefs.latency operation=store quantile=0.99",
        "cachefs.latency operation=store quantile=0.999",
        "cachefs.latency.max operation=commit",
        "cachefs.latency.max operation=cull",
        "cachefs.latency.max operation=hit",
        "cachefs.latency.max operation=miss",
        "cachefs.latency.max operation=store",
        "cachefs.latency.operations operation=commit",
        "cachefs.latency.operations operation=cull",
        "cachefs.latency.operations operation=hit",
        "cachefs.latency.operations operation=miss",
        "cachefs.latency.operations operation=store",
        "cachefs.node.reads",
        "cachefs.node.writes",
        "cachefs.nodes.cached",
        "cachefs.nodes.dirty",
        "cachefs.objects",
        "cachefs.page.maps.dropped",
        "cachefs.page.writes",
        "cachefs.pages",
        "cachefs.pages.dropped",
        "cachefs.pages.quarantined",
        "cachefs.ram.admissions",
        "cachefs.ram.evictions",
        "cachefs.ram.hits",
        "cachefs.ram.rejections",
        "cachefs.ram.tier.allocated",
        "cachefs.ram.tier.capacity",
        "cachefs.ram.tier.pages",
        "cachefs.reads result=hit",
        "cachefs.reads result=miss",
        "cachefs.run.writes",
        "cachefs.space.below.stop",
        "cachefs.space.below.stop.refused",
        "cachefs.space.free",
        "cachefs.space.free.ratio",
        "cachefs.space.pending.free",
        "cachefs.space.reserved",
        "cachefs.space.total",
        "cachefs.space.used",
        "cachefs.store.lock.wait",
        "cachefs.store.lock.waits",
        "cachefs.writes.refused");

    /** A remote file: its path is the key, its version the coherency data. */
    record RemoteFile(String path, long size, String version)
    {
    }

    static final CookieDefinition<RemoteFile> FILE = new CookieDefinition<>()
    {
        public CookieType type()
        {
            return CookieType.DATAFILE;
        }

        public byte[] key(final RemoteFile file)
        {
            return file.path().getBytes(StandardCharsets.UTF_8);
        }

        public byte[] aux(final RemoteFile file)
        {
            return file.version().getBytes(StandardCharsets.UTF_8);
        }

        public long size(final RemoteFile file)
        {
            return file.size();
        }
    };

    @TempDir
    Path dir;
    private final MockClock clock = new MockClock();
    private final SimpleMeterRegistry registry = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
    private CacheFsBackend backend;
    private FsCache fsCache;
    private Cookie file;

    @BeforeEach
    void mount() throws IOException
    {
        final Path image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(16L << 20), null);
        backend = CacheFs.mount(image, OPTIONS);
        fsCache = FsCache.create(FsCacheOptions.builder().jmx(false).build());
        fsCache.addCache(backend, TAG);
        file = fsCache.registerNetfs("metricsfs", 1).primaryIndex()
            .acquire(FILE, new RemoteFile("/data/part-0", 64L * PAGE, "v1"));
        file.attrChanged();
    }

    @AfterEach
    void unmount() throws IOException
    {
        file.relinquish(false);
        fsCache.close();
        backend.close();
    }

    /**
     * Reads a page through the netfs API; on a miss stores it and waits for the write.
     *
     * @return the read's result.
     */
    private Result readOrStore(final long index, final boolean store)
    {
        final CachePage page = new CachePage(index, AlignedBuffers.allocate(PAGE));
        final Result result = file.readOrAllocPage(page, (p, context, r) -> { }, null);
        if (result == Result.NO_DATA && store)
        {
            page.buffer().putLong(0, index);
            assertThat(file.writePage(page)).isEqualTo(Result.OK);
            file.waitOnPageWrite(page);
        }
        file.uncachePage(page);
        return result;
    }

    private static String describe(final Meter.Id id)
    {
        final StringBuilder sb = new StringBuilder(id.getName());
        for (final Tag tag : id.getTagsAsIterable())
        {
            if (!tag.getKey().equals(CacheFsMetrics.CACHE_TAG))
            {
                sb.append(' ').append(tag.getKey()).append('=').append(tag.getValue());
            }
        }
        return sb.toString();
    }

    private static List<String> meters(final MeterRegistry registry, final String cache)
    {
        final List<String> names = new ArrayList<>();
        for (final Meter meter : registry.getMeters())
        {
            if (cache.equals(meter.getId().getTag(CacheFsMetrics.CACHE_TAG)))
            {
                names.add(describe(meter.getId()));
            }
        }
        names.sort(null);
        return names;
    }

    private static List<String> engineMeters()
    {
        final List<String> names = new ArrayList<>();
        for (final StatCounter counter : StatCounter.values())
        {
            names.add(CacheFsMetrics.meterName(counter));
        }
        names.sort(null);
        return names;
    }

    private double value(final String name, final String... tags)
    {
        final Meter meter = registry.get(name).tags(tags).meter();
        if (meter instanceof TimeGauge timeGauge)
        {
            return timeGauge.value(TimeUnit.NANOSECONDS);
        }
        if (meter instanceof Gauge gauge)
        {
            return gauge.value();
        }
        return ((FunctionCounter)meter).count();
    }

    @Test
    void bindsEveryFigureOfTheCacheAndOfItsFsCacheUnderTheCacheTag()
    {
        CacheFsMetrics.of(fsCache, backend, TAG).bindTo(registry);

        final List<String> expected = new ArrayList<>(BACKEND_METERS);
        expected.addAll(engineMeters());
        expected.sort(null);
        assertThat(meters(registry, TAG)).containsExactlyElementsOf(expected);
        assertThat(registry.getMeters()).hasSize(BACKEND_METERS.size() + StatCounter.values().length);
        assertThat(engineMeters()).hasSize(60).contains("fscache.cookies.index", "fscache.checkaux.okay",
            "fscache.acquires", "fscache.acquires.no.bufs", "fscache.retrievals.no.data", "fscache.ops.enqueued");

        final Meter.Id latency = registry.get("cachefs.latency").tags("operation", "hit", "quantile", "0.99")
            .timeGauge().getId();
        assertThat(latency.getTags()).containsExactly(Tag.of("cache", TAG), Tag.of("operation", "hit"),
            Tag.of("quantile", "0.99"));
        assertThat(latency.getBaseUnit()).isEqualTo("seconds");
        assertThat(registry.get("cachefs.space.used").gauge().getId().getBaseUnit()).isEqualTo("bytes");
        assertThat(registry.get("cachefs.cull.freed").functionCounter().getId().getBaseUnit()).isEqualTo("bytes");
        assertThat(registry.get("cachefs.space.below.stop").functionCounter().getId().getBaseUnit())
            .isEqualTo("seconds");
        assertThat(registry.get("cachefs.latency.operations").tags("operation", "store").functionCounter().getId()
            .getBaseUnit()).isEqualTo("operations");
        assertThat(registry.get("fscache.retrievals.no.data").functionCounter().getId().getDescription())
            .isEqualTo("FS-Cache statistics, Retrvls: nod");
    }

    @Test
    void theMetersShowTheCacheFiguresAfterKnownOperations()
    {
        CacheFsMetrics.of(fsCache, backend, TAG).bindTo(registry);
        // 5 pages stored after their misses, 3 of them read again (hits), 2 pages never stored read (misses). The
        // first read of the new file is answered by FS-Cache (no data yet) without asking the cache.
        for (long p = 0; p < 5; p++)
        {
            assertThat(readOrStore(p, true)).isEqualTo(Result.NO_DATA);
        }
        for (long p = 0; p < 3; p++)
        {
            assertThat(readOrStore(p, false)).isEqualTo(Result.OK);
        }
        for (long p = 10; p < 12; p++)
        {
            assertThat(readOrStore(p, false)).isEqualTo(Result.NO_DATA);
        }
        assertThat(fsCache.awaitIdle(10, TimeUnit.SECONDS)).isTrue();
        final Map<String, Long> usage = backend.usage();
        clock.add(CacheFsMetrics.SNAPSHOT_NANOS, TimeUnit.NANOSECONDS);

        final long hits = 3;
        final long misses = 6;
        final long stores = 5;
        assertThat(usage.get("readHits")).isEqualTo(hits);
        assertThat(usage.get("readMisses")).isEqualTo(misses);
        assertThat(usage.get("pageWrites")).isEqualTo(stores);
        assertThat(value("cachefs.reads", "result", "hit")).isEqualTo(hits);
        assertThat(value("cachefs.reads", "result", "miss")).isEqualTo(misses);
        assertThat(value("cachefs.page.writes")).isEqualTo(stores);
        assertThat(value("cachefs.pages")).isEqualTo(stores);
        // The netfs's primary index and the file.
        assertThat(value("cachefs.objects")).isEqualTo(2);
        assertThat(value("cachefs.latency.operations", "operation", "hit")).isEqualTo(hits);
        assertThat(value("cachefs.latency.operations", "operation", "miss")).isEqualTo(misses);
        assertThat(value("cachefs.latency.operations", "operation", "store")).isEqualTo(stores);
        // The mount's commit; no culling.
        assertThat(value("cachefs.latency.operations", "operation", "commit")).isEqualTo(1);
        assertThat(value("cachefs.commits")).isEqualTo(1);
        assertThat(value("cachefs.latency.operations", "operation", "cull")).isEqualTo(0);
        assertThat(value("cachefs.block.size")).isEqualTo(PAGE);
        assertThat(value("cachefs.space.total")).isEqualTo((double)usage.get("dataBlocks") * PAGE);
        assertThat(value("cachefs.space.used")).isEqualTo((double)usage.get("usedDataBlocks") * PAGE);
        assertThat(value("cachefs.space.free")).isEqualTo((double)usage.get("freeBlocks") * PAGE);
        assertThat(value("cachefs.space.reserved")).isEqualTo((double)usage.get("reservedBlocks") * PAGE);
        assertThat(value("cachefs.space.pending.free")).isEqualTo((double)usage.get("pendingFreeBlocks") * PAGE);
        assertThat(value("cachefs.space.free.ratio")).isEqualTo(backend.cullingStats().freePercent() / 100);
        assertThat(value("cachefs.ram.tier.capacity")).isEqualTo(0);
        assertThat(value("cachefs.io.failed")).isEqualTo(0);
        assertThat(value("cachefs.node.writes")).isEqualTo((double)usage.get("nodeWrites"));
        assertThat(value("cachefs.commit.generation")).isEqualTo((double)usage.get("generation"));

        for (final String operation : List.of("hit", "miss", "store", "commit", "cull"))
        {
            final String prefix = operation + "Latency";
            final LatencySummary summary = new LatencySummary(usage.get(prefix + "Count"),
                usage.get(prefix + "P50Nanos"), usage.get(prefix + "P99Nanos"), usage.get(prefix + "P999Nanos"),
                usage.get(prefix + "MaxNanos"));
            // A time gauge keeps seconds: nanoseconds come back through a double, so they are rounded, not cut.
            final LatencySummary shown = new LatencySummary(
                Math.round(value("cachefs.latency.operations", "operation", operation)),
                Math.round(value("cachefs.latency", "operation", operation, "quantile", "0.5")),
                Math.round(value("cachefs.latency", "operation", operation, "quantile", "0.99")),
                Math.round(value("cachefs.latency", "operation", operation, "quantile", "0.999")),
                Math.round(value("cachefs.latency.max", "operation", operation)));
            assertThat(shown).as(operation).isEqualTo(summary);
            if (summary.count() > 0)
            {
                assertThat(shown.p50Nanos()).as(operation).isPositive().isLessThanOrEqualTo(shown.p99Nanos());
                assertThat(shown.p99Nanos()).as(operation).isLessThanOrEqualTo(shown.p999Nanos());
                assertThat(shown.p999Nanos()).as(operation).isLessThanOrEqualTo(shown.maxNanos());
            }
        }
        assertThat(registry.get("cachefs.latency").tags("operation", "hit", "quantile", "0.5").timeGauge()
            .value(TimeUnit.SECONDS)).isEqualTo((double)usage.get("hitLatencyP50Nanos") / 1e9);

        assertThat(value("fscache.retrievals")).isEqualTo(hits + misses + 1);
        assertThat(value("fscache.retrievals.ok")).isEqualTo(hits);
        assertThat(value("fscache.retrievals.no.data")).isEqualTo(misses + 1);
        assertThat(value("fscache.stores")).isEqualTo(stores);
        assertThat(value("fscache.stores.ok")).isEqualTo(stores);
        for (final StatCounter counter : StatCounter.values())
        {
            assertThat(value(CacheFsMetrics.meterName(counter))).as(counter.name())
                .isEqualTo(fsCache.stats().get(counter));
        }
    }

    @Test
    void everyUsageFigureIsAMeter()
    {
        CacheFsMetrics.of(backend, TAG).bindTo(registry);
        final Map<String, Long> usage = backend.usage();
        // Each key of usage() and the meter showing it (blocks are shown in bytes).
        final Map<String, String> shownBy = new TreeMap<>();
        shownBy.put("blockSize", "cachefs.block.size");
        shownBy.put("dataBlocks", "cachefs.space.total");
        shownBy.put("usedDataBlocks", "cachefs.space.used");
        shownBy.put("freeBlocks", "cachefs.space.free");
        shownBy.put("reservedBlocks", "cachefs.space.reserved");
        shownBy.put("pendingFreeBlocks", "cachefs.space.pending.free");
        shownBy.put("objects", "cachefs.objects");
        shownBy.put("pages", "cachefs.pages");
        shownBy.put("generation", "cachefs.commit.generation");
        shownBy.put("dirtyNodes", "cachefs.nodes.dirty");
        shownBy.put("cachedNodes", "cachefs.nodes.cached");
        shownBy.put("nodeReads", "cachefs.node.reads");
        shownBy.put("nodeWrites", "cachefs.node.writes");
        shownBy.put("readHits", "cachefs.reads result=hit");
        shownBy.put("readMisses", "cachefs.reads result=miss");
        shownBy.put("checksumMismatches", "cachefs.checksum.mismatches");
        shownBy.put("quarantinedPages", "cachefs.pages.quarantined");
        shownBy.put("droppedPageMaps", "cachefs.page.maps.dropped");
        shownBy.put("droppedPages", "cachefs.pages.dropped");
        shownBy.put("restoredBlocks", "cachefs.blocks.restored");
        shownBy.put("pageWrites", "cachefs.page.writes");
        shownBy.put("runWrites", "cachefs.run.writes");
        shownBy.put("writesRefused", "cachefs.writes.refused");
        shownBy.put("commits", "cachefs.commits");
        shownBy.put("storeLockWaits", "cachefs.store.lock.waits");
        shownBy.put("storeLockWaitNanos", "cachefs.store.lock.wait");
        shownBy.put("ramTierBytes", "cachefs.ram.tier.capacity");
        shownBy.put("ramTierAllocatedBytes", "cachefs.ram.tier.allocated");
        shownBy.put("ramTierPages", "cachefs.ram.tier.pages");
        shownBy.put("ramHits", "cachefs.ram.hits");
        shownBy.put("ramAdmissions", "cachefs.ram.admissions");
        shownBy.put("ramRejections", "cachefs.ram.rejections");
        shownBy.put("ramEvictions", "cachefs.ram.evictions");
        shownBy.put("ioErrors", "cachefs.io.failed");
        for (final String operation : List.of("hit", "miss", "store", "commit", "cull"))
        {
            final String tags = " operation=" + operation;
            shownBy.put(operation + "LatencyCount", "cachefs.latency.operations" + tags);
            shownBy.put(operation + "LatencyP50Nanos", "cachefs.latency" + tags + " quantile=0.5");
            shownBy.put(operation + "LatencyP99Nanos", "cachefs.latency" + tags + " quantile=0.99");
            shownBy.put(operation + "LatencyP999Nanos", "cachefs.latency" + tags + " quantile=0.999");
            shownBy.put(operation + "LatencyMaxNanos", "cachefs.latency.max" + tags);
        }
        assertThat(shownBy.keySet()).containsExactlyInAnyOrderElementsOf(usage.keySet());
        assertThat(BACKEND_METERS).containsAll(shownBy.values());
        // The others come from cullingStats().
        final List<String> fromCulling = new ArrayList<>(BACKEND_METERS);
        fromCulling.removeAll(shownBy.values());
        assertThat(fromCulling).containsExactly("cachefs.cull.freed", "cachefs.cull.objects", "cachefs.cull.pages",
            "cachefs.cull.runs", "cachefs.space.below.stop", "cachefs.space.below.stop.refused",
            "cachefs.space.free.ratio");
        assertThat(meters(registry, TAG)).containsExactlyElementsOf(BACKEND_METERS);
    }

    @Test
    void aSnapshotServesEveryMeterReadForOneSecondOfTheRegistryClock()
    {
        CacheFsMetrics.of(fsCache, backend, TAG).bindTo(registry);
        assertThat(readOrStore(0, true)).isEqualTo(Result.NO_DATA);
        assertThat(fsCache.awaitIdle(10, TimeUnit.SECONDS)).isTrue();
        clock.add(CacheFsMetrics.SNAPSHOT_NANOS, TimeUnit.NANOSECONDS);
        assertThat(value("cachefs.reads", "result", "hit")).isEqualTo(0);
        assertThat(value("fscache.retrievals")).isEqualTo(1);

        assertThat(readOrStore(0, false)).isEqualTo(Result.OK);
        assertThat(readOrStore(0, false)).isEqualTo(Result.OK);
        // Still the same scrape instant: every meter shows the snapshot taken before the hits.
        clock.add(CacheFsMetrics.SNAPSHOT_NANOS - 1, TimeUnit.NANOSECONDS);
        assertThat(value("cachefs.reads", "result", "hit")).isEqualTo(0);
        assertThat(value("cachefs.latency.operations", "operation", "hit")).isEqualTo(0);
        assertThat(value("cachefs.latency.max", "operation", "hit")).isEqualTo(0);
        assertThat(value("fscache.retrievals")).isEqualTo(1);

        clock.add(1, TimeUnit.NANOSECONDS);
        assertThat(value("cachefs.reads", "result", "hit")).isEqualTo(2);
        assertThat(value("cachefs.latency.operations", "operation", "hit")).isEqualTo(2);
        assertThat(Math.round(value("cachefs.latency.max", "operation", "hit")))
            .isEqualTo(backend.latencies().hits().maxNanos()).isPositive();
        assertThat(value("fscache.retrievals")).isEqualTo(3);
    }

    @Test
    void theBackendAndTheFsCacheBindApart()
    {
        final SimpleMeterRegistry engineOnly = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
        CacheFsMetrics.of(fsCache, "engine").bindTo(engineOnly);
        assertThat(meters(engineOnly, "engine")).containsExactlyElementsOf(engineMeters());
        assertThat(engineOnly.getMeters()).hasSize(60);

        CacheFsMetrics.of(backend, TAG).withTags(Tags.of("host", "h1", "env", "test")).bindTo(registry);
        assertThat(registry.getMeters()).hasSize(BACKEND_METERS.size());
        assertThat(registry.get("cachefs.pages").gauge().getId().getTags()).containsExactly(Tag.of("cache", TAG),
            Tag.of("env", "test"), Tag.of("host", "h1"));
    }

    @Test
    void closeRemovesTheMetersFromEveryRegistryAndTheBinderBindsAgain()
    {
        final SimpleMeterRegistry other = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
        final MeterRegistry unrelated = new SimpleMeterRegistry(SimpleConfig.DEFAULT, clock);
        unrelated.counter("app.requests");
        registry.counter("app.requests");
        final CacheFsMetrics metrics = CacheFsMetrics.of(fsCache, backend, TAG);
        metrics.bindTo(registry);
        metrics.bindTo(other);
        metrics.bindTo(other);
        assertThat(other.getMeters()).hasSize(BACKEND_METERS.size() + 60);

        metrics.close();
        assertThat(registry.getMeters()).extracting(meter -> meter.getId().getName()).containsExactly("app.requests");
        assertThat(other.getMeters()).isEmpty();
        assertThat(unrelated.getMeters()).hasSize(1);
        metrics.close();

        metrics.bindTo(other);
        assertThat(other.getMeters()).hasSize(BACKEND_METERS.size() + 60);
        assertThat(value(other, "cachefs.block.size")).isEqualTo(PAGE);
    }

    private static double value(final MeterRegistry registry, final String name)
    {
        return registry.get(name).gauge().value();
    }

    @Test
    void argumentsAreChecked()
    {
        assertThatThrownBy(() -> CacheFsMetrics.of(fsCache, backend, ""))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("the cache's name (the 'cache' tag) is empty");
        assertThatThrownBy(() -> CacheFsMetrics.of(backend, null))
            .isInstanceOf(NullPointerException.class).hasMessage("cache");
        assertThatThrownBy(() -> CacheFsMetrics.of(null, backend, TAG))
            .isInstanceOf(NullPointerException.class).hasMessage("fsCache");
        assertThatThrownBy(() -> CacheFsMetrics.of((CacheFsBackend)null, TAG))
            .isInstanceOf(NullPointerException.class).hasMessage("backend");
        assertThatThrownBy(() -> CacheFsMetrics.of((ReadThroughCache)null))
            .isInstanceOf(NullPointerException.class).hasMessage("cache");
        assertThatThrownBy(() -> CacheFsMetrics.of(backend, TAG).withTags(Tags.of("cache", "other")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("the tag 'cache' names the cache and is set by CacheFsMetrics, not given: cache=other");
        assertThatThrownBy(() -> CacheFsMetrics.of(backend, TAG).bindTo(null))
            .isInstanceOf(NullPointerException.class).hasMessage("registry");
    }

    @Test
    void aReadThroughCacheBindsEachImageUnderItsPath() throws Exception
    {
        final Path first = dir.resolve("a.img");
        final Path second = dir.resolve("b.img");
        final ReadThroughOptions options = ReadThroughOptions.builder().image(first, 16L << 20)
            .image(second, 16L << 20).mountOptions(OPTIONS).jmx(false).build();
        try (ReadThroughCache cache = ReadThroughCache.open(new GeneratedOrigin(8 * PAGE), options))
        {
            final List<MountedImage> images = cache.mountedImages();
            assertThat(images).extracting(MountedImage::image).containsExactly(first, second);
            CacheFsMetrics.of(cache).bindTo(registry);
            final List<String> expected = new ArrayList<>(BACKEND_METERS);
            expected.addAll(engineMeters());
            expected.sort(null);
            assertThat(meters(registry, first.toString())).containsExactlyElementsOf(expected);
            assertThat(meters(registry, second.toString())).containsExactlyElementsOf(expected);
            assertThat(registry.getMeters()).hasSize(2 * expected.size());

            for (final String path : List.of("/f0", "/f1", "/f2", "/f3", "/f4", "/f5"))
            {
                try (CachedFile opened = cache.open(path))
                {
                    opened.readFully(0, ByteBuffer.allocate(8 * PAGE));
                    assertThat(cache.awaitStored(10, TimeUnit.SECONDS)).isTrue();
                    opened.readFully(0, ByteBuffer.allocate(8 * PAGE));
                }
            }
            clock.add(CacheFsMetrics.SNAPSHOT_NANOS, TimeUnit.NANOSECONDS);
            long pages = 0;
            for (final MountedImage image : images)
            {
                final Map<String, Long> usage = image.backend().usage();
                final String tag = image.image().toString();
                assertThat(registry.get("cachefs.pages").tag("cache", tag).gauge().value())
                    .isEqualTo((double)usage.get("pages"));
                assertThat(registry.get("cachefs.reads").tags("cache", tag, "result", "hit").functionCounter()
                    .count()).isEqualTo((double)usage.get("readHits"));
                assertThat(registry.get("fscache.stores.ok").tag("cache", tag).functionCounter().count())
                    .isEqualTo((double)image.fsCache().stats().get(StatCounter.STORES_OK));
                pages += usage.get("pages");
            }
            assertThat(pages).isEqualTo(6 * 8);
            assertThat(cache.stats().cacheHitBytes()).isEqualTo(6 * 8 * PAGE);
            cache.close();

            // Unmounted (the cache was the images' last user): the meters show the last figures, commits included.
            clock.add(CacheFsMetrics.SNAPSHOT_NANOS, TimeUnit.NANOSECONDS);
            double shown = 0;
            for (final MountedImage image : images)
            {
                final String tag = image.image().toString();
                shown += registry.get("cachefs.pages").tag("cache", tag).gauge().value();
                assertThat(registry.get("cachefs.commits").tag("cache", tag).functionCounter().count())
                    .isEqualTo((double)image.backend().usage().get("commits")).isGreaterThanOrEqualTo(2);
            }
            assertThat(shown).isEqualTo(6 * 8);
        }
    }
}
