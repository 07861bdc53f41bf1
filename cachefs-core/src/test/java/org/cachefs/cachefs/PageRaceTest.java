package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.ReentrantLock;
import java.util.concurrent.locks.ReentrantReadWriteLock;
import java.util.stream.Stream;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.Await;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.Pages;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.TestFile;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Page-level races on CacheFS through the public netfs API, checked against a model: 4 to 32 threads read (one page
 * and page lists), store what they missed, rewrite pages without waiting, truncate and extend files, relinquish them
 * with and without retirement, and remount the cache, in both write modes. Every page read from the cache must hold
 * exactly the bytes of a version the model allows: one written for that file and page, no older than the newest
 * version known to be stored when the read began (a write waited for while it was the page's latest), and not one a
 * later truncation or retirement took away. A miss is always allowed.
 * <p>
 * The operations per run are {@code -Dcachefs.race.ops} (default 3,000, shared by the threads); the seed of a run is
 * printed and fixed with {@code -Dcachefs.race.seed}.
 */
class PageRaceTest
{
    private static final int PAGE_SIZE = 4096;
    private static final int FILES = 6;
    private static final int PAGES = 96;
    private static final long OPS = Long.getLong("cachefs.race.ops", 3_000);
    private static final long SEED = Long.getLong("cachefs.race.seed", System.nanoTime());

    @TempDir
    Path dir;

    static Stream<Arguments> configurations()
    {
        final List<Arguments> configurations = new ArrayList<>();
        for (final boolean writeBehind : new boolean[] {true, false})
        {
            for (final int threads : new int[] {4, 8, 16, 32})
            {
                // The smaller image cannot hold every page: writes are refused and objects culled as well.
                configurations.add(Arguments.of(writeBehind, threads, threads == 8 ? 3L << 20 : 16L << 20));
            }
        }
        return configurations.stream();
    }

    @ParameterizedTest(name = "writeBehind={0} threads={1} image={2}")
    @MethodSource("configurations")
    void readsReturnTheLastVersionWrittenOrAMiss(final boolean writeBehind, final int threads, final long imageSize)
        throws Exception
    {
        final long seed = SEED ^ (threads * 31L + (writeBehind ? 1 : 0));
        final Race race = new Race(dir.resolve("race.img"), imageSize, writeBehind, seed);
        try
        {
            race.run(threads, OPS);
        }
        catch (final Throwable ex)
        {
            throw new AssertionError("race failed with seed " + seed + " (-Dcachefs.race.seed=" + SEED + ")", ex);
        }
        finally
        {
            race.close();
        }
        System.out.printf("page race writeBehind=%s threads=%d image=%d MiB seed=%d: %d ops, %d pages checked " +
                "(%d hits, %d of them from the RAM tier, %d of those by resident reads, %d misses), %d writes, %d truncations, %d relinquishments, " +
                "%d remounts, 0 wrong%n",
            writeBehind, threads, imageSize >> 20, seed, race.ops.get(), race.checked.get(), race.hits.get(),
            race.ramHits.get(), race.resident.get(), race.misses.get(), race.writes.get(), race.truncations.get(), race.relinquishments.get(),
            race.remounts.get());
        assertThat(race.wrong).isEmpty();
        assertThat(race.errors).isEmpty();
        assertThat(race.hits.get()).isPositive();
        assertThat(race.checked.get()).isEqualTo(race.hits.get() + race.misses.get());
    }

    /**
     * What the model knows of one page: the oldest version a read may still return, and the newest version whose
     * write was accepted. Guarded by its own monitor, which also orders the writes of the page.
     */
    private static final class PageModel
    {
        long floor;
        long latest = -1;
        /** Why the floor is what it is, for failure messages. */
        String why = "nothing stored yet";
        String latestHow = "";
    }

    /**
     * One file: its netfs data, its cookie (replaced when it is relinquished) and its pages' model. Page operations
     * hold {@link #use} shared; relinquishing holds it exclusively, so no page of the old cookie is tracked then.
     */
    private static final class RaceFile
    {
        final int number;
        final TestFile netfsData;
        final ReentrantReadWriteLock use = new ReentrantReadWriteLock();
        final ReentrantLock attributes = new ReentrantLock();
        final PageModel[] pages = new PageModel[PAGES];
        volatile Cookie cookie;
        volatile int generation;

        RaceFile(final int number)
        {
            this.number = number;
            this.netfsData = new TestFile("race-file-" + number).size((long)PAGES * PAGE_SIZE);
            for (int i = 0; i < PAGES; i++)
            {
                pages[i] = new PageModel();
            }
        }
    }

    private static final class Race
    {
        final Path image;
        final boolean writeBehind;
        final long seed;
        final ReentrantReadWriteLock mount = new ReentrantReadWriteLock();
        final RaceFile[] files = new RaceFile[FILES];
        final AtomicLong versions = new AtomicLong(1);
        final AtomicLong ops = new AtomicLong();
        final AtomicLong checked = new AtomicLong();
        final AtomicLong hits = new AtomicLong();
        final AtomicLong misses = new AtomicLong();
        /** Pages copied by resident reads (and checked, as hits). */
        final AtomicLong resident = new AtomicLong();
        final AtomicLong writes = new AtomicLong();
        final AtomicLong truncations = new AtomicLong();
        final AtomicLong relinquishments = new AtomicLong();
        final AtomicLong remounts = new AtomicLong();
        final List<String> wrong = new CopyOnWriteArrayList<>();
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final ReadCompletion<Object> completion = (page, context, result) -> { };
        CacheFsBackend backend;
        /** Hits served by the RAM tier, over every mount so far. */
        final java.util.concurrent.atomic.AtomicLong ramHits = new java.util.concurrent.atomic.AtomicLong();
        FsCache fsCache;
        Cookie volume;

        Race(final Path image, final long imageSize, final boolean writeBehind, final long seed) throws IOException
        {
            this.image = image;
            this.writeBehind = writeBehind;
            this.seed = seed;
            Mkfs.format(image, MkfsOptions.defaults().withSize(imageSize).withForce(true), null);
            for (int i = 0; i < FILES; i++)
            {
                files[i] = new RaceFile(i);
            }
            mount();
        }

        private void mount() throws IOException
        {
            backend = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)
                .withWriteBehind(writeBehind));
            fsCache = FsCache.create(FsCacheOptions.builder().threadCount(4).pageSize(PAGE_SIZE)
                .errorHandler(errors::add).build());
            fsCache.addCache(backend, "race");
            final Netfs netfs = fsCache.registerNetfs("racefs", 1);
            volume = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("volume"));
            for (final RaceFile file : files)
            {
                file.cookie = acquire(file);
            }
        }

        private Cookie acquire(final RaceFile file)
        {
            final Cookie cookie = volume.acquire(TestFile.DATA, file.netfsData);
            assertThat(cookie.isNoop()).as("cookie of file %d", file.number).isFalse();
            cookie.attrChanged();
            return cookie;
        }

        private void unmount() throws IOException
        {
            for (final RaceFile file : files)
            {
                file.cookie.relinquish(false);
            }
            volume.relinquish(false);
            fsCache.withdrawCache("race");
            fsCache.close();
            ramHits.addAndGet(backend.usage().get("ramHits"));
            backend.close();
        }

        void close() throws IOException
        {
            if (null != backend)
            {
                unmount();
                backend = null;
            }
        }

        void run(final int threads, final long totalOps) throws Exception
        {
            final long opsPerThread = Math.max(1, totalOps / threads);
            final CountDownLatch start = new CountDownLatch(1);
            final List<Thread> workers = new ArrayList<>();
            final List<Throwable> failures = new CopyOnWriteArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final SplittableRandom random = new SplittableRandom(seed * 1_000_003L + t);
                final Thread worker = new Thread(() ->
                {
                    try
                    {
                        start.await();
                        for (long i = 0; i < opsPerThread && failures.isEmpty(); i++)
                        {
                            step(random);
                            ops.incrementAndGet();
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                }, "race-" + t);
                workers.add(worker);
                worker.start();
            }
            start.countDown();
            for (final Thread worker : workers)
            {
                worker.join(TimeUnit.MINUTES.toMillis(5));
                assertThat(worker.isAlive()).as("%s finished", worker.getName()).isFalse();
            }
            if (!failures.isEmpty())
            {
                final AssertionError error = new AssertionError("worker failed: " + failures.get(0), failures.get(0));
                failures.stream().skip(1).forEach(error::addSuppressed);
                throw error;
            }

            // Every page once more, single-threaded, after all writes were stored and after a remount.
            assertThat(fsCache.awaitIdle(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            final SplittableRandom random = new SplittableRandom(seed);
            for (final RaceFile file : files)
            {
                for (int page = 0; page < PAGES; page++)
                {
                    readOne(file, page, random, false);
                }
            }
            remount();
            for (final RaceFile file : files)
            {
                for (int page = 0; page < PAGES; page++)
                {
                    readOne(file, page, random, false);
                }
            }
        }

        private void step(final SplittableRandom random) throws Exception
        {
            final int dice = random.nextInt(1000);
            if (dice < 2)
            {
                remount();
                return;
            }
            final RaceFile file = files[random.nextInt(FILES)];
            if (dice < 12)
            {
                relinquish(file, random.nextBoolean());
                return;
            }
            mount.readLock().lock();
            try
            {
                file.use.readLock().lock();
                try
                {
                    if (dice < 22)
                    {
                        truncate(file, random);
                    }
                    else if (dice < 400)
                    {
                        readOne(file, random.nextInt(PAGES), random, true);
                    }
                    else if (dice < 550)
                    {
                        readList(file, random);
                    }
                    else if (dice < 620)
                    {
                        readResident(file, random);
                    }
                    else
                    {
                        rewrite(file, random.nextInt(PAGES), random);
                    }
                }
                finally
                {
                    file.use.readLock().unlock();
                }
            }
            finally
            {
                mount.readLock().unlock();
            }
        }

        private CachePage newPage(final int index)
        {
            return new CachePage(index, AlignedBuffers.allocate(PAGE_SIZE, PAGE_SIZE));
        }

        /**
         * Reads one page; on a miss, maybe stores a new version of it (the netfs fetched it from the server).
         */
        private void readOne(final RaceFile file, final int index, final SplittableRandom random, final boolean store)
        {
            final Cookie cookie = file.cookie;
            final long floor = floorOf(file, index);
            final CachePage page = newPage(index);
            final Result result = cookie.readOrAllocPage(page, completion, null);
            try
            {
                if (result == Result.OK)
                {
                    check(file, page, floor);
                }
                else
                {
                    assertThat(result).isIn(Result.NO_DATA, Result.NO_BUFS);
                    misses.incrementAndGet();
                    checked.incrementAndGet();
                    if (store && result == Result.NO_DATA && random.nextInt(4) != 0)
                    {
                        write(file, page, random.nextBoolean());
                    }
                }
            }
            finally
            {
                cookie.uncachePage(page);
            }
        }

        private void readList(final RaceFile file, final SplittableRandom random)
        {
            final Cookie cookie = file.cookie;
            final int first = random.nextInt(PAGES);
            final int count = 1 + random.nextInt(Math.min(12, PAGES - first));
            final long[] floors = new long[count];
            final List<CachePage> pages = new ArrayList<>(count);
            for (int i = 0; i < count; i++)
            {
                floors[i] = floorOf(file, first + i);
                pages.add(newPage(first + i));
            }
            final List<CachePage> all = new ArrayList<>(pages);
            final Result result = cookie.readOrAllocPages(pages, completion, null);
            try
            {
                assertThat(result).isIn(Result.OK, Result.NO_DATA, Result.NO_BUFS);
                for (int i = 0; i < count; i++)
                {
                    final CachePage page = all.get(i);
                    if (pages.contains(page))
                    {
                        misses.incrementAndGet();
                        checked.incrementAndGet();
                    }
                    else
                    {
                        check(file, page, floors[i]);
                    }
                }
            }
            finally
            {
                for (final CachePage page : all)
                {
                    cookie.uncachePage(page);
                }
            }
        }

        /**
         * Copies a run of pages from the RAM tier with {@link Cookie#readResident}: each page copied is checked as a
         * page read is.
         */
        private void readResident(final RaceFile file, final SplittableRandom random)
        {
            final int first = random.nextInt(PAGES);
            final int count = 1 + random.nextInt(Math.min(12, PAGES - first));
            final long[] floors = new long[count];
            for (int i = 0; i < count; i++)
            {
                floors[i] = floorOf(file, first + i);
            }
            final java.nio.ByteBuffer run = java.nio.ByteBuffer.allocate(count * PAGE_SIZE);
            final int copied = file.cookie.readResident((long)first * PAGE_SIZE, run, 0, count * PAGE_SIZE);
            assertThat(copied % PAGE_SIZE).as("bytes copied from page-aligned positions").isZero();
            for (int i = 0; i < count; i++)
            {
                if (i >= copied / PAGE_SIZE)
                {
                    checked.incrementAndGet();
                    misses.incrementAndGet();
                    continue;
                }
                final CachePage page = newPage(first + i);
                page.buffer().put(0, run, i * PAGE_SIZE, PAGE_SIZE);
                check(file, page, floors[i]);
                resident.incrementAndGet();
            }
        }

        /**
         * Allocates a page, stores a new version, waiting for the write or not.
         */
        private void rewrite(final RaceFile file, final int index, final SplittableRandom random)
        {
            final Cookie cookie = file.cookie;
            final CachePage page = newPage(index);
            final Result allocated = cookie.allocPage(page);
            try
            {
                if (allocated == Result.OK)
                {
                    write(file, page, random.nextInt(3) == 0);
                }
                else
                {
                    assertThat(allocated).isEqualTo(Result.NO_BUFS);
                }
            }
            finally
            {
                cookie.uncachePage(page);
            }
        }

        private void write(final RaceFile file, final CachePage page, final boolean wait)
        {
            final Cookie cookie = file.cookie;
            final PageModel model = file.pages[(int)page.index()];
            final long version;
            synchronized (model)
            {
                version = versions.getAndIncrement();
                Pages.fill(page, seedOf(version, file.number, (int)page.index()));
                final Result result = cookie.writePage(page);
                assertThat(result).isIn(Result.OK, Result.NO_BUFS);
                if (result != Result.OK)
                {
                    return;
                }
                model.latest = version;
                model.latestHow = "cookie " + file.generation + " mount " + remounts.get() + " wait " + wait;
            }
            writes.incrementAndGet();
            if (wait)
            {
                assertThat(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS))
                    .as("write of page %d of file %d ended", page.index(), file.number).isTrue();
                synchronized (model)
                {
                    if (model.latest == version && version > model.floor)
                    {
                        model.floor = version;
                        model.why = "version " + version + " was written and waited for";
                    }
                }
            }
        }

        /**
         * Truncates the file to a random size and extends it back; pages past the smaller size lose every version
         * written so far. Their writes wait meanwhile (the model's page monitors are held), so that what a write
         * between the two changes leaves is not in question.
         */
        private void truncate(final RaceFile file, final SplittableRandom random)
        {
            if (!file.attributes.tryLock())
            {
                return;
            }
            try
            {
                final int keep = random.nextInt(PAGES);
                truncateFrom(file, keep, () ->
                {
                    file.netfsData.size((long)keep * PAGE_SIZE - (keep > 0 ? random.nextInt(PAGE_SIZE) : 0));
                    assertThat(file.cookie.attrChanged()).isEqualTo(Result.OK);
                    raiseFloors(file, keep, "truncated to " + TestFile.DATA.size(file.netfsData) + " bytes");
                    file.netfsData.size((long)PAGES * PAGE_SIZE);
                    assertThat(file.cookie.attrChanged()).isEqualTo(Result.OK);
                });
                truncations.incrementAndGet();
            }
            finally
            {
                file.attributes.unlock();
            }
        }

        private static void truncateFrom(final RaceFile file, final int page, final Runnable change)
        {
            if (page == PAGES)
            {
                change.run();
                return;
            }
            synchronized (file.pages[page])
            {
                truncateFrom(file, page + 1, change);
            }
        }

        /**
         * Pages from {@code firstPage} on may return only versions not assigned yet.
         */
        private void raiseFloors(final RaceFile file, final int firstPage, final String why)
        {
            final long next = versions.get();
            for (int i = firstPage; i < PAGES; i++)
            {
                final PageModel model = file.pages[i];
                synchronized (model)
                {
                    if (next > model.floor)
                    {
                        model.floor = next;
                        model.why = why + " when version " + next + " was next, cookie " + file.generation + " mount " + remounts.get();
                    }
                }
            }
        }

        private void relinquish(final RaceFile file, final boolean retire)
        {
            mount.readLock().lock();
            try
            {
                file.use.writeLock().lock();
                try
                {
                    file.cookie.relinquish(retire);
                    if (retire)
                    {
                        raiseFloors(file, 0, "retired");
                    }
                    file.cookie = acquire(file);
                    file.generation++;
                    relinquishments.incrementAndGet();
                }
                finally
                {
                    file.use.writeLock().unlock();
                }
            }
            finally
            {
                mount.readLock().unlock();
            }
        }

        private void remount() throws IOException
        {
            mount.writeLock().lock();
            try
            {
                unmount();
                mount();
                remounts.incrementAndGet();
            }
            finally
            {
                mount.writeLock().unlock();
            }
        }

        private String whyOf(final RaceFile file, final int index)
        {
            final PageModel model = file.pages[index];
            synchronized (model)
            {
                return model.why + " (latest accepted " + model.latest + " " + model.latestHow + "; now cookie " +
                    file.generation + " mount " + remounts.get() + ")";
            }
        }

        private long floorOf(final RaceFile file, final int index)
        {
            final PageModel model = file.pages[index];
            synchronized (model)
            {
                return model.floor;
            }
        }

        private void check(final RaceFile file, final CachePage page, final long floor)
        {
            checked.incrementAndGet();
            final long seed;
            try
            {
                seed = Pages.seedOf(page);
            }
            catch (final AssertionError ex)
            {
                wrong.add("file " + file.number + " page " + page.index() + ": bytes of no version written");
                throw new AssertionError(wrong.get(wrong.size() - 1), ex);
            }
            final long version = seed >>> 16;
            final int fileNumber = (int)((seed >>> 8) & 0xff);
            final int index = (int)(seed & 0xff);
            if (fileNumber != file.number || index != page.index() || version < floor ||
                version >= versions.get())
            {
                wrong.add("file " + file.number + " page " + page.index() + ": read version " + version +
                    " of file " + fileNumber + " page " + index + ", oldest allowed " + floor + ": " +
                    whyOf(file, (int)page.index()));
                throw new AssertionError(wrong.get(wrong.size() - 1));
            }
            hits.incrementAndGet();
        }

        private static long seedOf(final long version, final int file, final int index)
        {
            return version << 16 | (long)file << 8 | index;
        }
    }
}
