package org.cachefs.fscache;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.ReentrantLock;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Threads of random netfs calls (acquire, read, multi-page read, allocate, write, uncache, release, attribute change,
 * update, pin, relinquish with and without retirement) on shared files, checked against a model: a page read back
 * from the cache must hold the last completed write of that page (a page never written, discarded, truncated or
 * obsolete must not be read back at all); every read callback arrives exactly once; every wait is bounded.
 * <p>
 * The seed is printed on failure; set it with {@code -Dcachefs.seed=N} to replay the same choices (thread
 * interleaving is not replayed).
 */
class RandomizedConcurrencyTest
{
    private static final int PAGE_SIZE = 4096;
    private static final int THREADS = 4;
    private static final int FILES = 8;
    private static final int PAGES = 8;
    private static final int OPS_PER_THREAD = 15000;
    private static final long NONE = -1;

    private final List<Throwable> errors = new CopyOnWriteArrayList<>();
    private final List<String> violations = new CopyOnWriteArrayList<>();

    @Test
    void randomCallsKeepPagesCoherentAndCallbacksExactlyOnce() throws Exception
    {
        final long seed = Long.getLong("cachefs.seed", System.nanoTime());
        try
        {
            for (int round = 0; round < 4; round++)
            {
                run(seed + round, round % 2 == 1);
            }
        }
        catch (final Throwable ex)
        {
            throw new AssertionError("randomized test failed with seed " + seed + " (replay with -Dcachefs.seed=" +
                seed + "): " + ex, ex);
        }
    }

    private void run(final long seed, final boolean asyncReads) throws Exception
    {
        errors.clear();
        violations.clear();
        final MemoryCacheBackend backend = MemoryCacheBackend.builder()
            .capacityPages(FILES * PAGES / 2).asyncReads(asyncReads).identifier("random").build();
        final FsCache fsCache = FsCache.create(FsCacheOptions.builder()
            .threadCount(2).storeBatchPages(3).errorHandler(errors::add).build());
        final Model[] files = new Model[FILES];
        try
        {
            fsCache.addCache(backend, "random");
            final Netfs netfs = fsCache.registerNetfs("randomfs", 1);
            final Cookie volume = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("volume"));
            for (int i = 0; i < FILES; i++)
            {
                files[i] = new Model(i);
            }

            final Thread[] threads = new Thread[THREADS];
            final Throwable[] failures = new Throwable[THREADS];
            for (int t = 0; t < THREADS; t++)
            {
                final int id = t;
                final Random random = new Random(seed * 31 + t);
                threads[t] = new Thread(() ->
                {
                    try
                    {
                        for (int op = 0; op < OPS_PER_THREAD; op++)
                        {
                            final Model file = files[random.nextInt(FILES)];
                            if (file.owner.tryLock())
                            {
                                try
                                {
                                    file.step(volume, random);
                                }
                                finally
                                {
                                    file.owner.unlock();
                                }
                            }
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failures[id] = ex;
                    }
                }, "random-netfs-" + t);
                threads[t].start();
            }

            for (int t = 0; t < THREADS; t++)
            {
                threads[t].join(TimeUnit.SECONDS.toMillis(30));
                if (threads[t].isAlive())
                {
                    final StringBuilder dump = new StringBuilder();
                    for (final Map.Entry<Thread, StackTraceElement[]> entry : Thread.getAllStackTraces().entrySet())
                    {
                        dump.append(entry.getKey().getName()).append('\n');
                        for (final StackTraceElement element : entry.getValue())
                        {
                            dump.append("    at ").append(element).append('\n');
                        }
                    }
                    throw new AssertionError("thread " + threads[t].getName() + " did not finish: deadlock?\n" +
                        fsCache.describeObjects() + dump);
                }
                if (null != failures[t])
                {
                    throw new AssertionError("thread " + t + " failed", failures[t]);
                }
            }

            for (final Model file : files)
            {
                file.owner.lock();
                try
                {
                    file.close(false);
                }
                finally
                {
                    file.owner.unlock();
                }
            }
            volume.relinquish(false);
            fsCache.unregisterNetfs(netfs);
            assertThat(fsCache.awaitIdle(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

            long dispatched = 0;
            long completed = 0;
            for (final Model file : files)
            {
                dispatched += file.dispatched;
                completed += file.callbacks.completed();
                assertThat(file.callbacks.duplicates()).isEmpty();
            }
            assertThat(completed).isEqualTo(dispatched);
            final FsCacheStats stats = fsCache.stats();
            assertThat(stats.get(StatCounter.OBJECTS_DEAD)).isEqualTo(stats.get(StatCounter.OBJECTS_ALLOC));
            assertThat(stats.get(StatCounter.STORES_OK) + stats.get(StatCounter.STORES_NO_BUFS))
                .isEqualTo(stats.get(StatCounter.STORES));
        }
        finally
        {
            fsCache.close();
        }

        assertThat(violations).isEmpty();
        assertThat(errors).isEmpty();
    }

    /**
     * Counts callbacks per dispatched page.
     */
    private static final class Callbacks implements ReadCompletion<Object>
    {
        private final Map<CachePage, Result> results = new IdentityHashMap<>();
        private final List<String> duplicates = new ArrayList<>();

        public synchronized void readComplete(final CachePage page, final Object context, final Result result)
        {
            if (null != results.put(page, result))
            {
                duplicates.add("page " + page.index() + " completed twice");
            }
            notifyAll();
        }

        synchronized Result await(final CachePage page) throws InterruptedException
        {
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.TIMEOUT_SECONDS);
            while (!results.containsKey(page))
            {
                final long remainingMs = TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime());
                if (remainingMs <= 0)
                {
                    throw new AssertionError("no callback for page " + page.index() + ": lost completion");
                }
                wait(remainingMs);
            }
            return results.get(page);
        }

        synchronized long completed()
        {
            return results.size();
        }

        synchronized List<String> duplicates()
        {
            return new ArrayList<>(duplicates);
        }
    }

    /**
     * One file: its cookie, its netfs pages and the model of what the cache may hold. A write accepted for a page
     * over the size last reported (or made before a truncation) is checked against the store limit in force when
     * it is dispatched, so the model accepts either outcome for it; it is still the latest write of that page. Owned by one thread at a time
     * ({@link #owner}); {@link #expected} is also reset by the coherency check on a pool thread, hence synchronized.
     */
    private final class Model
    {
        final ReentrantLock owner = new ReentrantLock();
        final int number;
        final Callbacks callbacks = new Callbacks();
        final CachePage[] pages = new CachePage[PAGES];
        final long[] pendingVersion = new long[PAGES];
        final boolean[] pendingAmbiguous = new boolean[PAGES];
        private final long[] expected = new long[PAGES];
        private final List<List<Long>> alternatives = new ArrayList<>();
        final List<String> history = new ArrayList<>();
        long dispatched;
        long nextVersion;
        int auxGeneration;
        long size = (long)PAGES * PAGE_SIZE;
        long limitPages = Long.MAX_VALUE;
        Cookie cookie;

        final CookieDefinition<Model> definition = new CookieDefinition<>()
        {
            public String name()
            {
                return "random.file";
            }

            public CookieType type()
            {
                return CookieType.DATAFILE;
            }

            public byte[] key(final Model model)
            {
                return ("file-" + model.number).getBytes();
            }

            public byte[] aux(final Model model)
            {
                return ByteBuffer.allocate(4).putInt(model.auxGeneration).array();
            }

            public long size(final Model model)
            {
                return model.size;
            }

            public CheckAux checkAux(final Model model, final byte[] aux)
            {
                if (ByteBuffer.wrap(aux).getInt() == model.auxGeneration)
                {
                    return CheckAux.OKAY;
                }
                model.resetExpected();
                return CheckAux.OBSOLETE;
            }
        };

        Model(final int number)
        {
            this.number = number;
            java.util.Arrays.fill(expected, NONE);
            java.util.Arrays.fill(pendingVersion, NONE);
            for (int i = 0; i < PAGES; i++)
            {
                alternatives.add(new ArrayList<>());
            }
            nextVersion = (long)number << 32;
        }

        synchronized void log(final String event)
        {
            history.add(Thread.currentThread().getName() + ": " + event);
            if (history.size() > 60)
            {
                history.remove(0);
            }
        }

        synchronized void resetExpected()
        {
            log("reset expected");
            java.util.Arrays.fill(expected, NONE);
            for (final List<Long> list : alternatives)
            {
                list.clear();
            }
        }

        synchronized boolean isExpected(final int index, final long version)
        {
            return version == expected[index] || alternatives.get(index).contains(version);
        }

        synchronized String describeExpected(final int index)
        {
            return (expected[index] == NONE ? "none (the page must not be cached)" : Long.toString(expected[index])) +
                (alternatives.get(index).isEmpty() ? "" : " or one of " + alternatives.get(index));
        }

        synchronized void expect(final int index, final long version)
        {
            expected[index] = version;
            alternatives.get(index).clear();
        }

        /**
         * Either the current expectation or {@code version} may be in the cache.
         */
        synchronized void expectEither(final int index, final long version)
        {
            alternatives.get(index).add(version);
        }

        void step(final Cookie volume, final Random random) throws InterruptedException
        {
            if (null == cookie)
            {
                if (random.nextInt(4) == 0)
                {
                    auxGeneration++;
                }
                cookie = volume.acquire(definition, this);
                assertThat(cookie.isNoop()).isFalse();
                log("acquire aux " + auxGeneration);
                return;
            }

            final int choice = random.nextInt(100);
            final int index = random.nextInt(PAGES);
            if (choice < 30)
            {
                readOne(index);
            }
            else if (choice < 40)
            {
                readMany(random);
            }
            else if (choice < 48)
            {
                if (null == pages[index])
                {
                    final CachePage page = Pages.page(index, PAGE_SIZE);
                    final Result allocated = cookie.allocPage(page);
                    log("alloc " + index + " -> " + allocated);
                    if (allocated == Result.OK)
                    {
                        pages[index] = page;
                    }
                }
            }
            else if (choice < 70)
            {
                write(index, random);
            }
            else if (choice < 80)
            {
                release(index);
            }
            else if (choice < 83)
            {
                maybeRelease(index);
            }
            else if (choice < 88)
            {
                size = (long)random.nextInt(PAGES * PAGE_SIZE + 1);
                final long newLimit = size / PAGE_SIZE + (size % PAGE_SIZE != 0 ? 1 : 0);
                for (int i = (int)Math.min(newLimit, PAGES); i < PAGES; i++)
                {
                    expect(i, NONE);
                    pendingAmbiguous[i] = true;
                }
                limitPages = newLimit;
                log("attrChanged limit " + newLimit);
                assertThat(cookie.attrChanged()).isEqualTo(Result.OK);
            }
            else if (choice < 90)
            {
                if (random.nextBoolean())
                {
                    auxGeneration++;
                }
                log("update aux " + auxGeneration);
                cookie.update();
            }
            else if (choice < 92)
            {
                assertThat(cookie.pin()).isIn(Result.OK, Result.NO_SPACE, Result.NO_BUFS);
            }
            else
            {
                close(random.nextInt(4) == 0);
            }
        }

        private void readOne(final int index) throws InterruptedException
        {
            if (null != pages[index])
            {
                return;
            }

            final CachePage page = Pages.page(index, PAGE_SIZE);
            final Result result = cookie.readOrAllocPage(page, callbacks, this);
            log("read " + index + " -> " + result);
            if (result == Result.OK)
            {
                dispatched++;
                check(page, callbacks.await(page));
            }
            else
            {
                assertThat(result).isIn(Result.NO_DATA, Result.NO_BUFS);
            }
            if (page.isFsCache())
            {
                pages[index] = page;
            }
        }

        private void readMany(final Random random) throws InterruptedException
        {
            final List<CachePage> list = new ArrayList<>();
            for (int i = 0; i < PAGES; i++)
            {
                if (null == pages[i] && random.nextBoolean())
                {
                    list.add(Pages.page(i, PAGE_SIZE));
                }
            }
            final List<CachePage> all = new ArrayList<>(list);
            final Result result = cookie.readOrAllocPages(list, callbacks, this);
            log("read pages " + all.size() + " -> " + result + " left " + list.size());
            assertThat(result).isIn(Result.OK, Result.NO_DATA, Result.NO_BUFS);
            for (final CachePage page : all)
            {
                if (!list.contains(page))
                {
                    dispatched++;
                    check(page, callbacks.await(page));
                }
                if (page.isFsCache())
                {
                    pages[(int)page.index()] = page;
                }
            }
            if (result == Result.OK)
            {
                assertThat(list).isEmpty();
            }
        }

        private void check(final CachePage page, final Result result)
        {
            if (result != Result.OK)
            {
                return;
            }

            final int index = (int)page.index();
            final long got;
            try
            {
                got = Pages.seedOf(page);
            }
            catch (final AssertionError ex)
            {
                violations.add("file " + number + " page " + index + ": torn content: " + ex.getMessage());
                return;
            }
            if (!isExpected(index, got))
            {
                final String history;
                synchronized (this)
                {
                    history = String.join("\n  ", this.history);
                }
                violations.add("file " + number + " page " + index + ": read version " + got + " but the last " +
                    "completed write is " + describeExpected(index) + "\n  " + history);
            }
        }

        private void write(final int index, final Random random)
        {
            final CachePage page = pages[index];
            if (null == page)
            {
                return;
            }

            assertThat(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            settle(index);
            final long version = ++nextVersion;
            Pages.fill(page, version);
            final Result result = cookie.writePage(page);
            log("write " + index + " v" + version + " -> " + result + " limit " + limitPages);
            assertThat(result).isIn(Result.OK, Result.NO_BUFS);
            if (result == Result.OK)
            {
                pendingVersion[index] = version;
                pendingAmbiguous[index] = index >= limitPages;
                if (random.nextInt(4) == 0)
                {
                    assertThat(cookie.writePage(page)).isIn(Result.OK, Result.NO_BUFS);
                }
            }
            else
            {
                pendingVersion[index] = NONE;
            }
        }

        /**
         * The page's write, if any, has completed: it is now the last completed write.
         */
        private void settle(final int index)
        {
            if (pendingVersion[index] != NONE)
            {
                log("settle " + index + " v" + pendingVersion[index] + (pendingAmbiguous[index] ? " (maybe)" : ""));
                if (pendingAmbiguous[index])
                {
                    expectEither(index, pendingVersion[index]);
                }
                else
                {
                    expect(index, pendingVersion[index]);
                }
                pendingVersion[index] = NONE;
            }
        }

        /**
         * Release under memory pressure: a pending write may be cancelled or may have completed just before, so
         * either version may be in the cache afterwards.
         */
        private void maybeRelease(final int index)
        {
            final CachePage page = pages[index];
            if (null == page)
            {
                return;
            }

            if (!cookie.checkPageWrite(page))
            {
                settle(index);
            }
            final boolean released = cookie.maybeReleasePage(page);
            log("maybeRelease " + index + " -> " + released);
            if (released)
            {
                if (pendingVersion[index] != NONE)
                {
                    expectEither(index, pendingVersion[index]);
                    pendingVersion[index] = NONE;
                }
            }
            else
            {
                assertThat(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                settle(index);
                assertThat(cookie.maybeReleasePage(page)).isTrue();
            }
            assertThat(page.isFsCache()).isFalse();
            pages[index] = null;
        }

        private void release(final int index)
        {
            final CachePage page = pages[index];
            if (null == page)
            {
                return;
            }

            assertThat(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
            settle(index);
            cookie.uncachePage(page);
            assertThat(page.isFsCache()).isFalse();
            pages[index] = null;
        }

        void close(final boolean retire)
        {
            if (null == cookie)
            {
                return;
            }

            for (int i = 0; i < PAGES; i++)
            {
                release(i);
            }
            log("relinquish retire=" + retire);
            cookie.relinquish(retire);
            if (retire)
            {
                resetExpected();
            }
            cookie = null;
            limitPages = Long.MAX_VALUE;
            size = (long)PAGES * PAGE_SIZE;
        }
    }
}
