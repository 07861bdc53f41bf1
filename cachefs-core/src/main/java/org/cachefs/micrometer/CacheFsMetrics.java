package org.cachefs.micrometer;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Objects;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tag;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;
import io.micrometer.core.instrument.binder.BaseUnits;
import io.micrometer.core.instrument.binder.MeterBinder;

import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.StatCounter;
import org.cachefs.readthrough.MountedImage;
import org.cachefs.readthrough.ReadThroughCache;

/**
 * A Micrometer {@link MeterBinder} for cachefs: binds a mounted CacheFS cache's figures ({@link CacheFsBackend#usage()},
 * {@link CacheFsBackend#cullingStats()}, its latencies) as {@code cachefs.*} meters and its FS-Cache's counters
 * ({@link FsCache#stats()}) as {@code fscache.*} counters, every meter tagged {@value #CACHE_TAG} with the cache's
 * name, plus any tags given with {@link #withTags(Iterable)}:
 * <pre>{@code
 * CacheFsMetrics.of(readThroughCache).bindTo(registry);           // every image: cache=<image path>
 * CacheFsMetrics.of(fsCache, backend, "mycache").bindTo(registry); // cache=mycache
 * }</pre>
 * Monotonic figures are {@link FunctionCounter}s, levels {@link Gauge}s in base units (bytes, not blocks), and the
 * latencies {@link TimeGauge}s: {@code cachefs.latency} tagged {@value #OPERATION_TAG} ({@code hit}, {@code miss},
 * {@code store}, {@code commit}, {@code cull}) and {@value #QUANTILE_TAG} ({@code 0.5}, {@code 0.99}, {@code 0.999}),
 * {@code cachefs.latency.max} and the counter {@code cachefs.latency.operations} of operations timed, each per
 * operation. The meters read a snapshot of the figures, taken at most once per {@link #SNAPSHOT_NANOS} of the
 * registry's clock, so that one scrape shows one instant. Nothing is recorded on the cache's paths: the meters only
 * read what the cache counts anyway.
 * <p>
 * Once the cache is unmounted its meters show its last figures, until {@link #close()} removes the meters this binder
 * registered from every registry it was bound to: meters that two binders registered with the same name and tags are
 * one meter in a registry, removed by the first close.
 * <p>
 * Threading: immutable but for the meters registered, which {@link #bindTo} and {@link #close} keep under this
 * object's monitor; both may be called from any thread. The meters are read by the registries' threads.
 */
public final class CacheFsMetrics implements MeterBinder, AutoCloseable
{
    /** The tag naming the cache: its tag in its FS-Cache, or for a read-through cache the image's path. */
    public static final String CACHE_TAG = "cache";
    /** The tag of a latency meter naming the operation timed: hit, miss, store, commit or cull. */
    public static final String OPERATION_TAG = "operation";
    /** The tag of {@code cachefs.latency} naming the quantile: 0.5, 0.99 or 0.999. */
    public static final String QUANTILE_TAG = "quantile";
    /** The tag of {@code cachefs.reads} naming the result: hit or miss. */
    public static final String RESULT_TAG = "result";
    /** How long, in the registry clock's nanoseconds, a snapshot of a cache's figures serves the meters. */
    public static final long SNAPSHOT_NANOS = TimeUnit.SECONDS.toNanos(1);

    private static final String BYTES = BaseUnits.BYTES;
    /** The base unit of time in Micrometer, which names no constant for it. */
    private static final String SECONDS = "seconds";
    private static final String READS = "pages read, by result: hit (from the RAM tier or the device) or miss";
    private static final String[] OPERATIONS = {"hit", "miss", "store", "commit", "cull"};
    private static final String[] OPERATION_DESCRIPTIONS =
    {
        "single-page reads that returned the page (RAM-tier hits sampled, so an estimate with the RAM tier on)",
        "single-page reads that returned no data",
        "pages handed to the store to write",
        "commits",
        "culling passes"
    };

    private final List<Source> sources;
    private final Tags tags;
    private final BoundMeters bound = new BoundMeters();

    /** One cache: its name, and its FS-Cache and backend, either of which may be absent. */
    private record Source(String cache, FsCache fsCache, CacheFsBackend backend)
    {
    }

    private CacheFsMetrics(final List<Source> sources, final Tags tags)
    {
        this.sources = sources;
        this.tags = tags;
    }

    /**
     * A binder of one cache: the backend's {@code cachefs.*} meters and the FS-Cache's {@code fscache.*} counters.
     * The FS-Cache's counters cover every cache added to it: with several, bind them with one cache only (and the
     * others with {@link #of(CacheFsBackend, String)}).
     *
     * @param fsCache the FS-Cache the backend is added to.
     * @param backend the mounted cache.
     * @param cache   the value of the {@value #CACHE_TAG} tag: the tag the backend is added under.
     * @return the binder.
     * @throws NullPointerException     if an argument is null.
     * @throws IllegalArgumentException if {@code cache} is empty.
     */
    public static CacheFsMetrics of(final FsCache fsCache, final CacheFsBackend backend, final String cache)
    {
        return new CacheFsMetrics(List.of(new Source(checkCache(cache), Objects.requireNonNull(fsCache, "fsCache"),
            Objects.requireNonNull(backend, "backend"))), Tags.empty());
    }

    /**
     * A binder of a mounted cache's {@code cachefs.*} meters alone.
     *
     * @param backend the mounted cache.
     * @param cache   the value of the {@value #CACHE_TAG} tag: the tag the backend is added under.
     * @return the binder.
     * @throws NullPointerException     if an argument is null.
     * @throws IllegalArgumentException if {@code cache} is empty.
     */
    public static CacheFsMetrics of(final CacheFsBackend backend, final String cache)
    {
        return new CacheFsMetrics(List.of(new Source(checkCache(cache), null,
            Objects.requireNonNull(backend, "backend"))), Tags.empty());
    }

    /**
     * A binder of an FS-Cache's {@code fscache.*} counters alone (with any backend).
     *
     * @param fsCache the FS-Cache.
     * @param cache   the value of the {@value #CACHE_TAG} tag.
     * @return the binder.
     * @throws NullPointerException     if an argument is null.
     * @throws IllegalArgumentException if {@code cache} is empty.
     */
    public static CacheFsMetrics of(final FsCache fsCache, final String cache)
    {
        return new CacheFsMetrics(List.of(new Source(checkCache(cache), Objects.requireNonNull(fsCache, "fsCache"),
            null)), Tags.empty());
    }

    /**
     * A binder of every image a read-through cache reads ({@link ReadThroughCache#mountedImages()}): each image's
     * {@code cachefs.*} meters and its FS-Cache's {@code fscache.*} counters, tagged {@value #CACHE_TAG} with the
     * image's path (every image is added to its own FS-Cache under the same tag, {@value MountedImage#TAG}, which
     * would not tell them apart). A Hadoop {@code CachingFileSystem}'s cache is its {@code readThroughCache()}.
     * Images that could not be mounted have no meters.
     *
     * @param cache the read-through cache.
     * @return the binder.
     * @throws NullPointerException if {@code cache} is null.
     */
    public static CacheFsMetrics of(final ReadThroughCache cache)
    {
        final List<Source> sources = new ArrayList<>();
        for (final MountedImage image : Objects.requireNonNull(cache, "cache").mountedImages())
        {
            sources.add(new Source(image.image().toString(), image.fsCache(), image.backend()));
        }
        return new CacheFsMetrics(List.copyOf(sources), Tags.empty());
    }

    /**
     * A binder of the same caches whose meters also carry the tags given (an application's or a host's).
     *
     * @param extraTags tags added to every meter, beside those of this binder.
     * @return the new binder.
     * @throws NullPointerException     if {@code extraTags} is null.
     * @throws IllegalArgumentException if a tag is named {@value #CACHE_TAG}, which the binder sets.
     */
    public CacheFsMetrics withTags(final Iterable<Tag> extraTags)
    {
        final Tags added = Tags.of(Objects.requireNonNull(extraTags, "extraTags"));
        for (final Tag tag : added)
        {
            if (CACHE_TAG.equals(tag.getKey()))
            {
                throw new IllegalArgumentException("the tag '" + CACHE_TAG + "' names the cache and is set by " +
                    CacheFsMetrics.class.getSimpleName() + ", not given: " + tag.getKey() + "=" + tag.getValue());
            }
        }
        return new CacheFsMetrics(sources, tags.and(added));
    }

    /**
     * Registers the meters of every cache of this binder with a registry, each reading through a snapshot that
     * follows the registry's clock. Binding again to the same registry registers nothing new.
     *
     * @param registry the registry.
     * @throws NullPointerException if {@code registry} is null.
     */
    @Override
    public synchronized void bindTo(final MeterRegistry registry)
    {
        Objects.requireNonNull(registry, "registry");
        for (final Source source : sources)
        {
            final ScrapeSnapshot snapshot = new ScrapeSnapshot(registry.config().clock(), source.backend(),
                source.fsCache());
            final Tags common = tags.and(CACHE_TAG, source.cache());
            if (null != source.backend())
            {
                bindBackend(registry, snapshot, common);
            }
            if (null != source.fsCache())
            {
                for (final StatCounter counter : StatCounter.values())
                {
                    counter(registry, snapshot, meterName(counter), "FS-Cache statistics, " +
                        counter.lineLabel() + ": " + counter.label(), null, common, s -> s.engine(counter));
                }
            }
        }
    }

    /**
     * Removes the meters this binder registered from the registries it was bound to. The binder may be bound again.
     */
    @Override
    public synchronized void close()
    {
        bound.removeAll();
    }

    /**
     * The name of an FS-Cache counter's meter: {@code fscache.} and the constant's name in lower case with dots,
     * for example {@code fscache.retrievals.no.data} for {@link StatCounter#RETRIEVALS_NO_DATA}.
     *
     * @param counter the counter.
     * @return the meter's name.
     */
    public static String meterName(final StatCounter counter)
    {
        return "fscache." + counter.name().toLowerCase(Locale.ROOT).replace('_', '.');
    }

    private void bindBackend(final MeterRegistry registry, final ScrapeSnapshot snapshot, final Tags common)
    {
        gauge(registry, snapshot, "cachefs.block.size", "the cache's block (page) size", BYTES, common,
            s -> s.usage("blockSize"));
        gauge(registry, snapshot, "cachefs.space.total", "the data region", BYTES, common,
            s -> s.usageBytes("dataBlocks"));
        gauge(registry, snapshot, "cachefs.space.used",
            "data-region blocks in use: pages, nodes, and freed blocks not yet reusable", BYTES, common,
            s -> s.usageBytes("usedDataBlocks"));
        gauge(registry, snapshot, "cachefs.space.free", "blocks free now", BYTES, common,
            s -> s.usageBytes("freeBlocks"));
        gauge(registry, snapshot, "cachefs.space.reserved", "blocks reserved for objects and not yet used by them",
            BYTES, common, s -> s.usageBytes("reservedBlocks"));
        gauge(registry, snapshot, "cachefs.space.pending.free", "blocks freed, reusable after the next commits",
            BYTES, common, s -> s.usageBytes("pendingFreeBlocks"));
        gauge(registry, snapshot, "cachefs.space.free.ratio", "free space, as a fraction of the data region", null,
            common, s -> s.culling().freePercent() / 100);
        gauge(registry, snapshot, "cachefs.objects", "objects in the index", null, common, s -> s.usage("objects"));
        gauge(registry, snapshot, "cachefs.pages", "pages stored", null, common, s -> s.usage("pages"));
        gauge(registry, snapshot, "cachefs.commit.generation", "generation of the last commit", null, common,
            s -> s.usage("generation"));
        gauge(registry, snapshot, "cachefs.nodes.dirty", "index and page-map nodes changed since the last commit",
            null, common, s -> s.usage("dirtyNodes"));
        gauge(registry, snapshot, "cachefs.nodes.cached", "clean nodes held decoded in memory", null, common,
            s -> s.usage("cachedNodes"));
        gauge(registry, snapshot, "cachefs.ram.tier.capacity", "the RAM tier's size", BYTES, common,
            s -> s.usage("ramTierBytes"));
        gauge(registry, snapshot, "cachefs.ram.tier.allocated", "off-heap memory the RAM tier has allocated", BYTES,
            common, s -> s.usage("ramTierAllocatedBytes"));
        gauge(registry, snapshot, "cachefs.ram.tier.pages", "pages held in the RAM tier", null, common,
            s -> s.usage("ramTierPages"));
        gauge(registry, snapshot, "cachefs.io.failed", "1 once an I/O error or a corrupt index node failed the cache",
            null, common, s -> s.usage("ioErrors"));

        counter(registry, snapshot, "cachefs.reads", READS, null,
            common.and(RESULT_TAG, "hit"), s -> s.usage("readHits"));
        counter(registry, snapshot, "cachefs.reads", READS, null,
            common.and(RESULT_TAG, "miss"), s -> s.usage("readMisses"));
        counter(registry, snapshot, "cachefs.node.reads", "node blocks read", null, common,
            s -> s.usage("nodeReads"));
        counter(registry, snapshot, "cachefs.node.writes", "node blocks written", null, common,
            s -> s.usage("nodeWrites"));
        counter(registry, snapshot, "cachefs.checksum.mismatches", "pages whose check value did not match", null,
            common, s -> s.usage("checksumMismatches"));
        counter(registry, snapshot, "cachefs.pages.quarantined", "pages set aside after a check-value mismatch",
            null, common, s -> s.usage("quarantinedPages"));
        counter(registry, snapshot, "cachefs.page.maps.dropped", "objects whose corrupt page map was dropped", null,
            common, s -> s.usage("droppedPageMaps"));
        counter(registry, snapshot, "cachefs.pages.dropped", "pages dropped with corrupt page maps", null, common,
            s -> s.usage("droppedPages"));
        counter(registry, snapshot, "cachefs.blocks.restored",
            "blocks holding intact data that the bitmap had lost, marked in use again", null, common,
            s -> s.usage("restoredBlocks"));
        counter(registry, snapshot, "cachefs.page.writes", "pages written", null, common,
            s -> s.usage("pageWrites"));
        counter(registry, snapshot, "cachefs.run.writes", "write-behind runs written", null, common,
            s -> s.usage("runWrites"));
        counter(registry, snapshot, "cachefs.writes.refused", "pages the cache refused to store", null, common,
            s -> s.usage("writesRefused"));
        counter(registry, snapshot, "cachefs.commits", "commits", null, common, s -> s.usage("commits"));
        counter(registry, snapshot, "cachefs.store.lock.waits",
            "acquisitions of the store's lock that found it taken and waited", null, common,
            s -> s.usage("storeLockWaits"));
        counter(registry, snapshot, "cachefs.store.lock.wait", "time spent waiting for the store's lock", SECONDS,
            common, s -> s.usage("storeLockWaitNanos") / 1e9);
        counter(registry, snapshot, "cachefs.ram.hits", "pages served from the RAM tier", null, common,
            s -> s.usage("ramHits"));
        counter(registry, snapshot, "cachefs.ram.admissions", "pages admitted to the RAM tier", null, common,
            s -> s.usage("ramAdmissions"));
        counter(registry, snapshot, "cachefs.ram.rejections", "pages the RAM tier declined", null, common,
            s -> s.usage("ramRejections"));
        counter(registry, snapshot, "cachefs.ram.evictions", "pages evicted from the RAM tier", null, common,
            s -> s.usage("ramEvictions"));

        counter(registry, snapshot, "cachefs.cull.runs", "culling runs", null, common, s -> s.culling().runs());
        counter(registry, snapshot, "cachefs.cull.objects", "objects culled whole", null, common,
            s -> s.culling().objectsCulled());
        counter(registry, snapshot, "cachefs.cull.pages", "pages culled", null, common,
            s -> s.culling().pagesCulled());
        counter(registry, snapshot, "cachefs.cull.freed", "blocks culling gave back", BYTES, common,
            s -> s.culling().bytesFreed());
        counter(registry, snapshot, "cachefs.space.below.stop", "time spent below bstop, refusing new pages",
            SECONDS, common, s -> s.culling().nanosBelowStop() / 1e9);
        counter(registry, snapshot, "cachefs.space.below.stop.refused", "pages refused below bstop", null, common,
            s -> s.culling().refusedBelowStop());

        for (int i = 0; i < OPERATIONS.length; i++)
        {
            final String prefix = OPERATIONS[i] + "Latency";
            final Tags operation = common.and(OPERATION_TAG, OPERATIONS[i]);
            final String timed = OPERATION_DESCRIPTIONS[i];
            counter(registry, snapshot, "cachefs.latency.operations", "operations timed: " + timed,
                BaseUnits.OPERATIONS, operation, s -> s.usage(prefix + "Count"));
            latency(registry, snapshot, "cachefs.latency", "latency quantile of " + timed,
                operation.and(QUANTILE_TAG, "0.5"), prefix + "P50Nanos");
            latency(registry, snapshot, "cachefs.latency", "latency quantile of " + timed,
                operation.and(QUANTILE_TAG, "0.99"), prefix + "P99Nanos");
            latency(registry, snapshot, "cachefs.latency", "latency quantile of " + timed,
                operation.and(QUANTILE_TAG, "0.999"), prefix + "P999Nanos");
            latency(registry, snapshot, "cachefs.latency.max", "longest latency of " + timed, operation,
                prefix + "MaxNanos");
        }
    }

    private void gauge(
        final MeterRegistry registry, final ScrapeSnapshot snapshot, final String name, final String description,
        final String unit, final Tags tags, final ToDoubleFunction<ScrapeSnapshot> value)
    {
        bound.gauge(registry, name, description, unit, tags, snapshot, value);
    }

    private void latency(
        final MeterRegistry registry, final ScrapeSnapshot snapshot, final String name, final String description,
        final Tags tags, final String key)
    {
        bound.timeGauge(registry, name, description, tags, snapshot, s -> s.usage(key));
    }

    private void counter(
        final MeterRegistry registry, final ScrapeSnapshot snapshot, final String name, final String description,
        final String unit, final Tags tags, final ToDoubleFunction<ScrapeSnapshot> value)
    {
        bound.counter(registry, name, description, unit, tags, snapshot, value);
    }

    private static String checkCache(final String cache)
    {
        if (Objects.requireNonNull(cache, "cache").isEmpty())
        {
            throw new IllegalArgumentException("the cache's name (the '" + CACHE_TAG + "' tag) is empty");
        }
        return cache;
    }
}
