package org.cachefs.fscache;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * A netfs file (or index entry) for tests: key, mutable aux and size, a configurable coherency verdict, and records
 * of the callbacks FS-Cache made.
 */
public final class TestFile
{
    /** Data file definition: checkAux compares the stored aux with the current one (OKAY / OBSOLETE) unless a verdict
     * is forced. */
    public static final CookieDefinition<TestFile> DATA = new CookieDefinition<>()
    {
        public String name()
        {
            return "test.file";
        }

        public CookieType type()
        {
            return CookieType.DATAFILE;
        }

        public byte[] key(final TestFile file)
        {
            return file.key;
        }

        public byte[] aux(final TestFile file)
        {
            return file.aux;
        }

        public long size(final TestFile file)
        {
            return file.size;
        }

        public CheckAux checkAux(final TestFile file, final byte[] aux)
        {
            return file.check(aux);
        }

        public void markPagesCached(final TestFile file, final List<CachePage> pages)
        {
            file.marked.addAndGet(pages.size());
        }

        public void nowUncached(final TestFile file)
        {
            file.nowUncached.incrementAndGet();
        }
    };

    /** Index definition with the same callbacks and an optional cache selection. */
    public static final CookieDefinition<TestFile> INDEX = new CookieDefinition<>()
    {
        public String name()
        {
            return "test.index";
        }

        public CookieType type()
        {
            return CookieType.INDEX;
        }

        public CacheTag selectCache(final Object parentData, final TestFile file)
        {
            return file.selectTag;
        }

        public byte[] key(final TestFile file)
        {
            return file.key;
        }

        public byte[] aux(final TestFile file)
        {
            return file.aux;
        }

        public CheckAux checkAux(final TestFile file, final byte[] aux)
        {
            return file.check(aux);
        }
    };

    final byte[] key;
    volatile byte[] aux;
    volatile long size;
    volatile CheckAux forcedVerdict;
    volatile CacheTag selectTag;
    final List<byte[]> seenAux = new ArrayList<>();
    final List<CheckAux> verdicts = new ArrayList<>();
    final AtomicInteger marked = new AtomicInteger();
    final AtomicInteger nowUncached = new AtomicInteger();

    public TestFile(final String key)
    {
        this(key, new byte[0]);
    }

    public TestFile(final String key, final byte[] aux)
    {
        this.key = key.getBytes(StandardCharsets.UTF_8);
        this.aux = aux;
    }

    public TestFile aux(final String aux)
    {
        this.aux = aux.getBytes(StandardCharsets.UTF_8);
        return this;
    }

    public TestFile size(final long size)
    {
        this.size = size;
        return this;
    }

    public TestFile verdict(final CheckAux verdict)
    {
        this.forcedVerdict = verdict;
        return this;
    }

    public TestFile selectTag(final CacheTag tag)
    {
        this.selectTag = tag;
        return this;
    }

    synchronized CheckAux check(final byte[] stored)
    {
        seenAux.add(stored);
        final CheckAux verdict = null != forcedVerdict ? forcedVerdict :
            java.util.Arrays.equals(stored, aux) ? CheckAux.OKAY : CheckAux.OBSOLETE;
        verdicts.add(verdict);
        return verdict;
    }

    public synchronized List<String> seenAux()
    {
        final List<String> result = new ArrayList<>();
        for (final byte[] bytes : seenAux)
        {
            result.add(new String(bytes, StandardCharsets.UTF_8));
        }
        return result;
    }

    public synchronized List<CheckAux> verdicts()
    {
        return new ArrayList<>(verdicts);
    }

    public int markedPages()
    {
        return marked.get();
    }

    public int nowUncachedCalls()
    {
        return nowUncached.get();
    }
}
