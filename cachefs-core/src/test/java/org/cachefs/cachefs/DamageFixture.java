package org.cachefs.cachefs;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.cachefs.format.Fsck;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.testing.CrashSimulatingDevice;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.TestFile;

/**
 * Images for the block-ownership damage tests: a template written through the public API (a volume of data files,
 * some with two-level page maps), the model of what it holds, sessions over in-memory copies of it, reading every
 * page back with a tally of hits, misses and wrong bytes, churn that reuses freed blocks, and fsck of the unmounted
 * result.
 * <p>
 * Threading: one test thread.
 */
final class DamageFixture
{
    /** The aux data every file is stored with; acquiring with another one discards the file (obsolete). */
    static final String AUX = "v1";
    static final String DEVICE = "cache.img";

    /** File name to page index to contents. */
    final TreeMap<String, TreeMap<Long, byte[]>> model = new TreeMap<>();
    private final byte[] template;

    /**
     * Writes {@code files} files of pages {@code 0..pagesPerFile-1} each (every third file also page 300 + its
     * number, so its page map has two levels; every fourth, from file 1, with space reserved), with keys padded to {@code keyLength} characters (long keys spread
     * the index over several leaves), to an image of {@code blocks} blocks, and unmounts it cleanly.
     */
    DamageFixture(final long seed, final int blocks, final int files, final int pagesPerFile, final int keyLength)
        throws IOException
    {
        final CrashSimulatingDevice device = new CrashSimulatingDevice(DEVICE, new byte[blocks * ApiSession.PAGE_SIZE],
            512);
        Mkfs.format(device, MkfsOptions.defaults().withLabel("damage"), null);
        device.flush();
        try (ApiSession session = ApiSession.mount(device))
        {
            for (int n = 0; n < files; n++)
            {
                final String key = name(n, keyLength);
                final TreeMap<Long, byte[]> pages = new TreeMap<>();
                final Cookie cookie = session.acquire(new TestFile(key).aux(AUX));
                if (n % 4 == 1)
                {
                    // A reservation beyond the pages: a dropped page map must give back exactly its unused part.
                    final org.cachefs.fscache.Result reserved =
                        cookie.reserveSpace((pagesPerFile + 20L) * ApiSession.PAGE_SIZE);
                    ApiSession.check(reserved == org.cachefs.fscache.Result.OK, "reservation of " + key + ": " +
                        reserved);
                }
                for (long index = 0; index < pagesPerFile; index++)
                {
                    pages.put(index, ApiSession.content(seed, key, index, 1));
                }
                if (n % 3 == 0)
                {
                    pages.put(300L + n, ApiSession.content(seed, key, 300 + n, 1));
                }
                for (final Map.Entry<Long, byte[]> page : pages.entrySet())
                {
                    session.storeNew(cookie, page.getKey(), page.getValue());
                }
                session.relinquish(cookie, false);
                model.put(key, pages);
            }
        }
        this.template = device.contents();
    }

    static String name(final int n, final int keyLength)
    {
        final StringBuilder key = new StringBuilder(String.format("file-%02d", n));
        while (key.length() < keyLength)
        {
            key.append('.');
        }
        return key.toString();
    }

    /**
     * @return a copy of the template image.
     */
    byte[] image()
    {
        return template.clone();
    }

    /**
     * @return the number of pages the model holds.
     */
    int pages()
    {
        return model.values().stream().mapToInt(Map::size).sum();
    }

    /**
     * A mounted copy of an image.
     */
    static final class Mounted implements AutoCloseable
    {
        final CrashSimulatingDevice device;
        final ApiSession session;

        Mounted(final byte[] image) throws IOException
        {
            this(image, ApiSession.OPTIONS);
        }

        Mounted(final byte[] image, final MountOptions options) throws IOException
        {
            this.device = new CrashSimulatingDevice(DEVICE, image, 512);
            this.session = ApiSession.mount(device, options);
        }

        CacheFsBackend backend()
        {
            return session.backend;
        }

        long usage(final String key)
        {
            return session.backend.usage().get(key);
        }

        /**
         * Unmounts cleanly (failing if FS-Cache saw an error) and returns the image.
         */
        byte[] unmount() throws IOException
        {
            session.close();
            return device.contents();
        }

        @Override
        public void close() throws IOException
        {
            session.close();
        }
    }

    /**
     * Captures what {@link CacheStore} logs (through {@code java.util.logging}, where {@code System.Logger} goes by
     * default) while open, and keeps it from the console.
     */
    static final class StoreLog implements AutoCloseable
    {
        private final java.util.logging.Logger logger = java.util.logging.Logger.getLogger(CacheStore.class.getName());
        private final boolean useParent = logger.getUseParentHandlers();
        final List<java.util.logging.LogRecord> records = new java.util.concurrent.CopyOnWriteArrayList<>();
        private final java.util.logging.Handler handler = new java.util.logging.Handler()
        {
            @Override
            public void publish(final java.util.logging.LogRecord record)
            {
                records.add(record);
            }

            @Override
            public void flush()
            {
            }

            @Override
            public void close()
            {
            }
        };

        StoreLog()
        {
            logger.addHandler(handler);
            logger.setUseParentHandlers(false);
        }

        /**
         * @return the messages logged, as "LEVEL message".
         */
        List<String> messages()
        {
            final List<String> messages = new ArrayList<>();
            records.forEach(r -> messages.add(r.getLevel() + " " + r.getMessage()));
            return messages;
        }

        @Override
        public void close()
        {
            logger.removeHandler(handler);
            logger.setUseParentHandlers(useParent);
        }
    }

    /**
     * What reading pages back found.
     */
    static final class Tally
    {
        long pages;
        long hits;
        long misses;
        long wrongBytes;
        final List<String> wrong = new ArrayList<>();
        /** Pages of each file that missed. */
        final TreeMap<String, TreeSet<Long>> missed = new TreeMap<>();

        void add(final Tally other)
        {
            pages += other.pages;
            hits += other.hits;
            misses += other.misses;
            wrongBytes += other.wrongBytes;
            wrong.addAll(other.wrong);
            other.missed.forEach((file, set) -> missed.computeIfAbsent(file, f -> new TreeSet<>()).addAll(set));
        }
    }

    /**
     * Reads every page of {@code files} through the API: each must be exactly the bytes written or a miss (the
     * session fails on any other outcome, NO_BUFS included).
     */
    Tally readBack(final ApiSession session, final Iterable<String> files)
    {
        return readBack(session, model, files);
    }

    /**
     * As {@link #readBack(ApiSession, Iterable)}, against {@code expected} instead of the template's model.
     */
    static Tally readBack(
        final ApiSession session, final Map<String, TreeMap<Long, byte[]>> expected, final Iterable<String> files)
    {
        final Tally tally = new Tally();
        for (final String file : files)
        {
            final Cookie cookie = session.acquire(new TestFile(file).aux(AUX));
            for (final Map.Entry<Long, byte[]> page : expected.get(file).entrySet())
            {
                final byte[] read = session.load(cookie, page.getKey());
                tally.pages++;
                if (read == null)
                {
                    tally.misses++;
                    tally.missed.computeIfAbsent(file, f -> new TreeSet<>()).add(page.getKey());
                    continue;
                }
                final int differing = differingBytes(page.getValue(), read);
                if (differing == 0)
                {
                    tally.hits++;
                }
                else
                {
                    tally.wrongBytes += differing;
                    tally.wrong.add(file + " page " + page.getKey() + ": " + differing + " wrong bytes");
                }
            }
            session.relinquish(cookie, false);
        }
        return tally;
    }

    private static int differingBytes(final byte[] expected, final byte[] actual)
    {
        int differing = 0;
        for (int i = 0; i < expected.length; i++)
        {
            differing += expected[i] != actual[i] ? 1 : 0;
        }
        return differing;
    }

    /**
     * @return a copy of the model that may be changed (the page contents are shared).
     */
    TreeMap<String, TreeMap<Long, byte[]>> copyOfModel()
    {
        final TreeMap<String, TreeMap<Long, byte[]>> copy = new TreeMap<>();
        model.forEach((file, pages) -> copy.put(file, new TreeMap<>(pages)));
        return copy;
    }

    /**
     * Rewrites page {@code index} of {@code file} with {@code data}.
     */
    static void rewrite(final ApiSession session, final String file, final long index, final byte[] data)
    {
        final Cookie cookie = session.acquire(new TestFile(file).aux(AUX));
        session.store(cookie, index, data);
        session.relinquish(cookie, false);
    }

    /**
     * Truncates {@code file} to {@code pages} pages (an attribute change): the cache drops the pages past them.
     */
    static void truncate(final ApiSession session, final String file, final long pages)
    {
        final Cookie cookie = session.acquire(new TestFile(file).aux(AUX).size(pages * ApiSession.PAGE_SIZE));
        cookie.attrChanged();
        session.relinquish(cookie, false);
        // The truncation is applied by a pool thread, possibly after the cookie is relinquished: wait for it.
        awaitPool(session, "the truncation of " + file);
    }

    /**
     * Waits until the pool has applied what the calls so far handed it (a truncation, a discard, a retirement).
     */
    static void awaitPool(final ApiSession session, final String what)
    {
        if (!session.fsCache.awaitIdle(30, java.util.concurrent.TimeUnit.SECONDS))
        {
            throw new AssertionError("the pool did not apply " + what + " within 30 s");
        }
    }

    /**
     * Discards a file: acquiring it with other aux data makes it obsolete, and the cache drops its pages.
     */
    void discard(final ApiSession session, final String file)
    {
        final Cookie cookie = session.acquire(new TestFile(file).aux("obsolete"));
        session.relinquish(cookie, true);
        // The pages are dropped and the object retired by pool threads: what follows meets the blocks freed.
        awaitPool(session, "the discard of " + file);
    }

    /**
     * Writes and retires {@code rounds} batches of {@code pagesPerRound} pages of new files, committing after each
     * write and each retirement, so that blocks freed before are allocated and written again; the allocator's cursor
     * goes round the data region.
     */
    static void churn(final ApiSession session, final long seed, final int rounds, final int pagesPerRound)
        throws IOException
    {
        for (int round = 0; round < rounds; round++)
        {
            final String key = "churn-" + round;
            final Cookie cookie = session.acquire(new TestFile(key).aux(AUX));
            for (long index = 0; index < pagesPerRound; index++)
            {
                session.storeNew(cookie, index, ApiSession.content(seed, key, index, 1));
            }
            session.backend.commit();
            session.relinquish(cookie, true);
            // The retirement runs on a pool thread: wait for it, so that its blocks are free for the next round.
            awaitPool(session, "the retirement of " + key);
            session.backend.commit();
        }
    }

    /**
     * Checks the unmounted image: {@code fsck -n -f} finds only kinds in {@code allowed} (each of which {@code -p}
     * repairs without dropping data), {@code -p} repairs them (exit 1, or 0 if there was nothing), and a second
     * {@code -n -f} finds the image clean.
     *
     * @return the findings of the first check.
     */
    static List<FsckFinding> assertPreenRepairs(final byte[] image, final Set<FsckFinding.Kind> allowed)
        throws IOException
    {
        final FsckOptions check = FsckOptions.defaults().withMode(FsckOptions.Mode.NO_CHANGES).withForce(true);
        final FsckResult first = fsck(image, check);
        for (final FsckFinding finding : first.findings())
        {
            ApiSession.check(allowed.contains(finding.kind()), "fsck found " + finding.kind() + ": " +
                finding.message());
            ApiSession.check(finding.repair() == FsckFinding.Repair.PREEN, "not repaired by -p: " + finding);
        }
        final FsckResult preen = fsck(image, FsckOptions.defaults().withMode(FsckOptions.Mode.PREEN));
        ApiSession.check(preen.exitCode() == (first.findings().isEmpty() ? FsckResult.EXIT_CLEAN :
            FsckResult.EXIT_CORRECTED), "fsck -p exit " + preen.exitCode() + ": " + preen.findings());
        final FsckResult again = fsck(image, check);
        ApiSession.check(again.findings().isEmpty() && again.exitCode() == FsckResult.EXIT_CLEAN,
            "after fsck -p: " + again.findings());
        return first.findings();
    }

    private static FsckResult fsck(final byte[] image, final FsckOptions options) throws IOException
    {
        final CrashSimulatingDevice device = new CrashSimulatingDevice(DEVICE, image, 512);
        final FsckResult result = Fsck.check(device, options, new PrintStream(java.io.OutputStream.nullOutputStream(),
            false, StandardCharsets.UTF_8));
        System.arraycopy(device.contents(), 0, image, 0, image.length);
        return result;
    }

    /**
     * @return the blocks that the leaked-block findings name.
     */
    static TreeSet<Long> leakedBlocks(final List<FsckFinding> findings)
    {
        final TreeSet<Long> blocks = new TreeSet<>();
        for (final FsckFinding finding : findings)
        {
            if (finding.kind() != FsckFinding.Kind.LEAKED_BLOCK)
            {
                continue;
            }
            final String[] words = finding.message().split(" ");
            final String range = words[1];
            final int dash = range.indexOf('-');
            final long from = Long.parseLong(dash < 0 ? range : range.substring(0, dash));
            final long to = dash < 0 ? from : Long.parseLong(range.substring(dash + 1));
            for (long block = from; block <= to; block++)
            {
                blocks.add(block);
            }
        }
        return blocks;
    }
}
