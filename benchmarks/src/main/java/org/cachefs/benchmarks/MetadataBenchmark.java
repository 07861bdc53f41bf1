package org.cachefs.benchmarks;

import java.io.IOException;
import java.lang.management.BufferPoolMXBean;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryMXBean;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.cachefs.StoreSnapshot;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.fscache.Cookie;
import org.openjdk.jmh.annotations.Benchmark;
import org.openjdk.jmh.annotations.BenchmarkMode;
import org.openjdk.jmh.annotations.Fork;
import org.openjdk.jmh.annotations.Level;
import org.openjdk.jmh.annotations.Measurement;
import org.openjdk.jmh.annotations.Mode;
import org.openjdk.jmh.annotations.OutputTimeUnit;
import org.openjdk.jmh.annotations.Param;
import org.openjdk.jmh.annotations.Scope;
import org.openjdk.jmh.annotations.Setup;
import org.openjdk.jmh.annotations.State;
import org.openjdk.jmh.annotations.TearDown;
import org.openjdk.jmh.annotations.Threads;
import org.openjdk.jmh.annotations.Warmup;

/**
 * Metadata: acquiring and relinquishing data cookies of objects that exist among many, and mounting an image that
 * holds many pages.
 * <p>
 * The images are built once, through the public API, and kept in the data directory with a marker recording what
 * they hold; later runs mount them as they are. Building the 1M-object image and the 1M-page image takes minutes;
 * the first run pays for it (the time is printed).
 */
@Fork(1)
public class MetadataBenchmark
{
    /**
     * A mounted image holding {@code objects} data objects (no pages) in one index.
     */
    @State(Scope.Benchmark)
    public static class Objects
    {
        /** Data objects in the image. */
        @Param("1000000")
        public int objects;

        /** Threads of the FS-Cache operation pool. */
        @Param("2")
        public int poolThreads;

        CacheSetup cache;
        private final SplittableRandom seeds = new SplittableRandom(11);

        @Setup(Level.Trial)
        public void setup() throws IOException
        {
            final Path image = objectsImage(objects, poolThreads);
            cache = CacheSetup.mount(image, poolThreads, MountOptions.defaults());
            BenchFiles.log("MetadataBenchmark: mounted %s: %d objects", image.getFileName(),
                cache.backend.snapshot().objects());
        }

        @TearDown(Level.Trial)
        public void tearDown() throws IOException
        {
            cache.awaitIdle();
            cache.close();
        }

        synchronized SplittableRandom newRandom()
        {
            return seeds.split();
        }
    }

    /**
     * One thread's random source.
     */
    @State(Scope.Thread)
    public static class Picker
    {
        SplittableRandom random;

        @Setup(Level.Trial)
        public void setup(final Objects objects)
        {
            random = objects.newRandom();
        }
    }

    /** Name of object {@code i}. */
    static String objectName(final int i)
    {
        return "obj-" + i;
    }

    /**
     * acquire of the data cookie of a random existing object (a positive lookup in the index, which
     * relinquish waits for) and relinquish(false).
     */
    @Benchmark
    @BenchmarkMode(Mode.Throughput)
    @OutputTimeUnit(TimeUnit.SECONDS)
    @Warmup(iterations = 3, time = 2)
    @Measurement(iterations = 5, time = 2)
    public void acquireRelinquish(final Objects objects, final Picker picker)
    {
        final Cookie cookie = objects.cache.acquire(objectName(picker.random.nextInt(objects.objects)));
        cookie.relinquish(false);
    }

    /**
     * The image {@link #mount} mounts: {@code pages} pages in files of {@value #MOUNT_FILE_PAGES} pages.
     */
    @State(Scope.Benchmark)
    public static class MountImage
    {
        /** Pages cached in the image. */
        @Param("1048576")
        public int pages;

        Path image;
        CacheFsBackend mounted;

        @Setup(Level.Trial)
        public void setup() throws IOException
        {
            image = pagesImage(pages);
            measureMemory(image);
        }

        /** Unmounts what the invocation mounted (outside the measured time). */
        @TearDown(Level.Invocation)
        public void unmount() throws IOException
        {
            if (mounted != null)
            {
                mounted.close();
                mounted = null;
            }
        }
    }

    /** Pages per file in the mount image. */
    static final int MOUNT_FILE_PAGES = 16384;

    /**
     * CacheFs.mount of an image holding {@code pages} pages (unmounted after each measurement).
     */
    @Benchmark
    @BenchmarkMode(Mode.SingleShotTime)
    @OutputTimeUnit(TimeUnit.MILLISECONDS)
    @Threads(1)
    @Warmup(iterations = 3)
    @Measurement(iterations = 10)
    public long mount(final MountImage state) throws IOException
    {
        state.mounted = CacheFs.mount(state.image, MountOptions.defaults());
        return state.mounted.snapshot().pages();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Images built once and reused.
    // ---------------------------------------------------------------------------------------------------------------

    private static Path objectsImage(final int objects, final int poolThreads) throws IOException
    {
        // About 75 bytes of index entry per object, leaves half to fully used, plus room for copies on write.
        final long bytes = roundMiB(Math.max(64L << 20, objects * 400L));
        final String name = "meta-" + objects + ".img";
        return reuseOrBuild(name, "objects=" + objects + " bytes=" + bytes, s -> s.objects() >= objects, (image) ->
        {
            Mkfs.format(image, MkfsOptions.defaults().withLabel("bench").withForce(true).withSize(bytes), null);
            try (CacheSetup cache = CacheSetup.mount(image, Math.max(2, poolThreads),
                MountOptions.defaults().withCommitIntervalSeconds(0)))
            {
                final int threads = 8;
                parallel(threads, (t) ->
                {
                    for (int i = t; i < objects; i += threads)
                    {
                        cache.acquire(objectName(i)).relinquish(false);
                    }
                });
                cache.awaitIdle();
                cache.backend.commit();
                final StoreSnapshot snapshot = cache.backend.snapshot();
                if (snapshot.objects() < objects)
                {
                    throw new IllegalStateException("built " + snapshot.objects() + " objects, expected " + objects);
                }
            }
        });
    }

    private static Path pagesImage(final int pages) throws IOException
    {
        final int files = (pages + MOUNT_FILE_PAGES - 1) / MOUNT_FILE_PAGES;
        final long bytes = roundMiB((long)files * MOUNT_FILE_PAGES * CacheSetup.PAGE_SIZE * 21 / 20 + (64L << 20));
        final String name = "mount-" + pages + ".img";
        return reuseOrBuild(name, "pages=" + pages + " bytes=" + bytes, s -> s.pages() >= pages, (image) ->
        {
            Mkfs.format(image, MkfsOptions.defaults().withLabel("bench").withForce(true).withSize(bytes), null);
            try (CacheSetup cache = CacheSetup.mount(image, 4, MountOptions.defaults().withCommitIntervalSeconds(0)))
            {
                final Cookie[] cookies = new Cookie[files];
                for (int f = 0; f < files; f++)
                {
                    cookies[f] = cache.acquire("file-" + f);
                }
                final int threads = 4;
                parallel(threads, (t) ->
                {
                    for (int f = t; f < files; f += threads)
                    {
                        final long count = Math.min(MOUNT_FILE_PAGES, pages - (long)f * MOUNT_FILE_PAGES);
                        CacheSetup.fill(cookies[f], 0, count, 32, f);
                    }
                });
                for (final Cookie cookie : cookies)
                {
                    cookie.relinquish(false);
                }
                cache.awaitIdle();
                cache.backend.commit();
                final StoreSnapshot snapshot = cache.backend.snapshot();
                if (snapshot.pages() < pages)
                {
                    throw new IllegalStateException("built " + snapshot.pages() + " pages, expected " + pages);
                }
            }
        });
    }

    interface Builder
    {
        void build(Path image) throws IOException;
    }

    interface Task
    {
        void run(int thread) throws IOException;
    }

    /**
     * The image {@code name} in the data directory: reused when its marker says it holds {@code contents} and it
     * mounts and passes {@code check}; built afresh otherwise (say, after a format change).
     */
    private static Path reuseOrBuild(
        final String name, final String contents, final Predicate<StoreSnapshot> check, final Builder builder)
        throws IOException
    {
        final Path dir = BenchFiles.dataDir();
        final Path image = dir.resolve(name);
        final Path marker = dir.resolve(name + ".ready");
        if (Files.isRegularFile(image) && Files.isRegularFile(marker) &&
            Files.readString(marker, StandardCharsets.UTF_8).trim().equals(contents))
        {
            try (CacheFsBackend backend = CacheFs.mount(image, MountOptions.defaults()))
            {
                if (check.test(backend.snapshot()))
                {
                    return image;
                }
                BenchFiles.log("%s does not hold what its marker says (%s): rebuilding", name, backend.snapshot());
            }
            catch (final IOException | RuntimeException ex)
            {
                BenchFiles.log("%s cannot be reused (%s): rebuilding", name, ex);
            }
        }
        Files.deleteIfExists(marker);
        Files.deleteIfExists(image);
        final long start = System.nanoTime();
        BenchFiles.log("building %s (%s); later runs reuse it", image, contents);
        builder.build(image);
        Files.writeString(marker, contents + "\n", StandardCharsets.UTF_8);
        BenchFiles.log("built %s in %.1f s", image.getFileName(), (System.nanoTime() - start) / 1e9);
        return image;
    }

    private static void parallel(final int threads, final Task task) throws IOException
    {
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<?>> done = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final int thread = t;
                done.add(pool.submit(() ->
                {
                    task.run(thread);
                    return null;
                }));
            }
            for (final Future<?> future : done)
            {
                future.get();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while building", ex);
        }
        catch (final ExecutionException ex)
        {
            throw new IOException("building failed: " + ex.getCause(), ex.getCause());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    private static long roundMiB(final long bytes)
    {
        return (bytes + (1 << 20) - 1) & -(1L << 20);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Memory after mounting.
    // ---------------------------------------------------------------------------------------------------------------

    /**
     * Mounts the image once and records heap used (after a full GC) and direct memory used, before and after,
     * printing them and writing {@code mount-memory.json} into the results directory when one is named.
     */
    static void measureMemory(final Path image) throws IOException
    {
        final long[] before = memory();
        try (CacheFsBackend backend = CacheFs.mount(image, MountOptions.defaults()))
        {
            final long[] after = memory();
            final StoreSnapshot snapshot = backend.snapshot();
            final long heapDelta = after[0] - before[0];
            final long directDelta = after[1] - before[1];
            BenchFiles.log("memory after mounting %s (%d pages, %d objects, %d blocks): heap used %.1f MiB " +
                    "(+%.1f MiB for the mount), direct %.1f MiB (+%.1f MiB)", image.getFileName(), snapshot.pages(),
                snapshot.objects(), snapshot.dataBlocks(), mib(after[0]), mib(heapDelta), mib(after[1]),
                mib(directDelta));
            final Path results = BenchFiles.resultsDir();
            if (results != null)
            {
                final String json = String.format(Locale.ROOT, "{%n" +
                        "  \"image\": \"%s\",%n  \"imageBytes\": %d,%n  \"pages\": %d,%n  \"objects\": %d,%n" +
                        "  \"dataBlocks\": %d,%n  \"heapUsedBefore\": %d,%n  \"heapUsedAfter\": %d,%n" +
                        "  \"directUsedBefore\": %d,%n  \"directUsedAfter\": %d%n}%n",
                    image.getFileName(), Files.size(image), snapshot.pages(), snapshot.objects(),
                    snapshot.dataBlocks(), before[0], after[0], before[1], after[1]);
                Files.writeString(results.resolve("mount-memory.json"), json, StandardCharsets.UTF_8);
            }
        }
    }

    /** Heap used after a full GC, and direct buffer memory used. */
    private static long[] memory()
    {
        final MemoryMXBean memory = ManagementFactory.getMemoryMXBean();
        for (int i = 0; i < 3; i++)
        {
            System.gc();
        }
        long direct = 0;
        for (final BufferPoolMXBean pool : ManagementFactory.getPlatformMXBeans(BufferPoolMXBean.class))
        {
            if ("direct".equals(pool.getName()))
            {
                direct = pool.getMemoryUsed();
            }
        }
        return new long[] {memory.getHeapMemoryUsage().getUsed(), direct};
    }

    private static double mib(final long bytes)
    {
        return bytes / (1024.0 * 1024.0);
    }
}
