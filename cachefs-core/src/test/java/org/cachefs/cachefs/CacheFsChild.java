package org.cachefs.cachefs;

import java.io.InputStream;
import java.nio.file.Path;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.TreeMap;
import java.util.TreeSet;

import org.cachefs.format.CacheFsException;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.TestFile;

/**
 * The program the cross-process tests fork: it uses a CacheFS image through the public API in a JVM of its own.
 * <ul>
 *     <li>{@code write IMAGE SEED}: stores the pages of {@link #plan(long)}, unmounts cleanly and exits 0.</li>
 *     <li>{@code crash IMAGE SEED}: stores the pages of {@link #plan(long)} and commits; then rewrites the pages of
 *     {@link #rewritePlan(long)} (version 2, freeing committed blocks) and stores those of {@link #laterPlan(long)},
 *     waits for every write, and halts with {@link #CRASH_EXIT} without unmounting. It prints the generation after
 *     its commit and before halting.</li>
 *     <li>{@code hold IMAGE}: mounts, prints {@code mounted}, waits for the end of its standard input, unmounts
 *     cleanly and exits 0.</li>
 *     <li>{@code mount PATH}: tries to mount; prints the refusal ({@code SimpleName: message}) and exits
 *     {@link #REFUSED_EXIT}, or unmounts and exits 0.</li>
 * </ul>
 * Any other failure ends it with a stack trace on standard error and a non-zero exit code.
 */
public final class CacheFsChild
{
    static final int CRASH_EXIT = 42;
    static final int REFUSED_EXIT = 3;
    static final String AUX = "v1";
    static final String LATE_FILE = "late";

    private CacheFsChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        switch (args[0])
        {
            case "write" -> write(Path.of(args[1]), Long.parseLong(args[2]));
            case "crash" -> crash(Path.of(args[1]), Long.parseLong(args[2]));
            case "hold" -> hold(Path.of(args[1]));
            case "mount" -> tryMount(Path.of(args[1]));
            default -> throw new IllegalArgumentException("unknown mode " + args[0]);
        }
        System.out.flush();
        System.exit(0);
    }

    /**
     * Files and the pages of each stored first, all derived from {@code seed}: three files of 10 to 40 pages below
     * 600 (more than one page-map leaf) and one page far out (a page-map tree three levels high).
     */
    static TreeMap<String, TreeSet<Long>> plan(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        final TreeMap<String, TreeSet<Long>> plan = new TreeMap<>();
        for (final String key : new String[]{ "alpha", "beta", "gamma" })
        {
            final TreeSet<Long> pages = new TreeSet<>();
            final int count = 10 + random.nextInt(31);
            while (pages.size() < count)
            {
                pages.add((long)random.nextInt(600));
            }
            pages.add(64_000L + random.nextInt(1000));
            plan.put(key, pages);
        }
        return plan;
    }

    /**
     * Pages stored after the commit in crash mode: new pages of every planned file (indexes 1000 and up, never in
     * {@link #plan(long)}) and a file of its own, {@link #LATE_FILE}.
     */
    static TreeMap<String, TreeSet<Long>> laterPlan(final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed ^ 0x1A7E);
        final TreeMap<String, TreeSet<Long>> later = new TreeMap<>();
        for (final String key : plan(seed).keySet())
        {
            final TreeSet<Long> pages = new TreeSet<>();
            while (pages.size() < 8)
            {
                pages.add(1000L + random.nextInt(500));
            }
            later.put(key, pages);
        }
        later.put(LATE_FILE, new TreeSet<>(java.util.List.of(0L, 1L, 2L, 3L)));
        return later;
    }

    /**
     * Pages of {@link #plan(long)} rewritten (version 2) after the commit in crash mode: the first three of each file.
     */
    static TreeMap<String, TreeSet<Long>> rewritePlan(final long seed)
    {
        final TreeMap<String, TreeSet<Long>> rewrites = new TreeMap<>();
        for (final Map.Entry<String, TreeSet<Long>> file : plan(seed).entrySet())
        {
            final TreeSet<Long> pages = new TreeSet<>();
            for (final long page : file.getValue())
            {
                if (pages.size() < 3)
                {
                    pages.add(page);
                }
            }
            rewrites.put(file.getKey(), pages);
        }
        return rewrites;
    }

    private static void write(final Path image, final long seed) throws Exception
    {
        int pages = 0;
        try (ApiSession session = ApiSession.mount(image))
        {
            pages += storeAll(session, seed, plan(seed), 1, true);
        }
        System.out.println("unmounted pages=" + pages);
    }

    private static void crash(final Path image, final long seed) throws Exception
    {
        final ApiSession session = ApiSession.mount(image);
        storeAll(session, seed, plan(seed), 1, true);
        session.backend.commit();
        System.out.println("committed generation=" + session.backend.snapshot().generation());
        storeAll(session, seed, rewritePlan(seed), 2, false);
        storeAll(session, seed, laterPlan(seed), 1, true);
        System.out.println("halting generation=" + session.backend.snapshot().generation());
        System.out.flush();
        Runtime.getRuntime().halt(CRASH_EXIT);
    }

    private static void hold(final Path image) throws Exception
    {
        try (ApiSession session = ApiSession.mount(image))
        {
            System.out.println("mounted");
            System.out.flush();
            final InputStream in = System.in;
            while (in.read() >= 0)
            {
                // wait for the parent to close our standard input
            }
            ApiSession.check(session.backend.wasClean(), "image was not clean when mounted");
        }
        System.out.println("unmounted");
    }

    private static void tryMount(final Path path) throws Exception
    {
        final CacheFsBackend backend;
        try
        {
            backend = CacheFs.mount(path, ApiSession.OPTIONS);
        }
        catch (final CacheFsException ex)
        {
            System.out.println(ex.getClass().getSimpleName() + ": " + ex.getMessage());
            System.out.flush();
            System.exit(REFUSED_EXIT);
            return;
        }
        backend.close();
        System.out.println("mounted");
    }

    /**
     * Stores version {@code version} of the pages of {@code plan}, each file acquired for it and relinquished after.
     *
     * @return pages stored.
     */
    private static int storeAll(
        final ApiSession session, final long seed, final TreeMap<String, TreeSet<Long>> plan, final int version,
        final boolean absent)
    {
        int stored = 0;
        for (final Map.Entry<String, TreeSet<Long>> file : plan.entrySet())
        {
            final Cookie cookie = session.acquire(new TestFile(file.getKey()).aux(AUX));
            for (final long index : file.getValue())
            {
                final byte[] data = ApiSession.content(seed, file.getKey(), index, version);
                if (absent)
                {
                    session.storeNew(cookie, index, data);
                }
                else
                {
                    session.store(cookie, index, data);
                }
                stored++;
            }
            session.relinquish(cookie, false);
        }
        return stored;
    }
}
