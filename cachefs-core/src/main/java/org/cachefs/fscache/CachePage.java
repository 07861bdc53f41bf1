package org.cachefs.fscache;

import org.cachefs.fscache.engine.ApiAccess;
import org.cachefs.fscache.engine.RetrievalOp;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.Objects;

/**
 * A netfs page: its index in the file, its buffer (bytes {@code [0, pageSize)} by absolute position, so the buffer's
 * capacity must equal the FS-Cache page size), and the page flags FS-Cache uses.
 * <ul>
 * <li>{@code PG_fscache}: the cache has an interest in the page (metadata, reserved resources or I/O in progress)
 * and must be told, with {@link Cookie#uncachePage(CachePage)}, before the page goes away. Set by the core when the
 * backend marks the page cached.</li>
 * <li>{@code PG_fscache_write}: a write of the page to the cache is in progress; the cache may still be reading the
 * buffer until it clears.</li>
 * </ul>
 * The flags are atomic and may be tested and changed from any thread; the core keeps its own record of which pages
 * it tracks, so a netfs changing a flag cannot corrupt the core's state. The netfs owns the page; a page must not be
 * given to two calls at once. Several pages of the same index (one per netfs thread, say) may be read, tracked and
 * written at the same time; of several writes of one index, the last one submitted is what the cache keeps.
 * <p>
 * The core keeps its own state of the page here too (flags of reads and writes in flight, the links of its page sets),
 * out of the netfs's reach: only the core's internal access, registered by this class, touches it.
 */
public final class CachePage
{
    private static final int PG_FSCACHE = 1;
    private static final int PG_FSCACHE_WRITE = 1 << 1;

    private static final VarHandle FLAGS;

    static
    {
        try
        {
            FLAGS = MethodHandles.lookup().findVarHandle(CachePage.class, "flags", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
        ApiAccess.registerPages(new Access());
    }

    private long index;
    private final ByteBuffer buffer;
    private final ByteBuffer whole;
    private final int offsetInWhole;
    /** PG_fscache and PG_fscache_write in bits 0 and 1; the core's own flags above them. */
    @SuppressWarnings("unused")
    private volatile int flags;

    /** The retrieval whose read of this page is in flight; written before the core flags the read pending. */
    private volatile RetrievalOp reader;

    /** The next page of the same index in the cookie's tracked pages; under the cookie's lock. */
    private CachePage nextTracked;

    /** The next page of the same index in the cookie's pages being read; under the cookie's lock. */
    private CachePage nextReading;

    /**
     * A page.
     *
     * @param index  the page's index in its file, {@code >= 0}.
     * @param buffer the page's buffer; direct buffers let disk backends read into it without a copy.
     */
    public CachePage(final long index, final ByteBuffer buffer)
    {
        if (index < 0)
        {
            throw new IllegalArgumentException("page index must be >= 0: " + index);
        }

        this.index = index;
        this.buffer = Objects.requireNonNull(buffer, "buffer");
        this.whole = null;
        this.offsetInWhole = -1;
    }

    private CachePage(final long index, final ByteBuffer whole, final int offset, final int pageSize)
    {
        if (index < 0)
        {
            throw new IllegalArgumentException("page index must be >= 0: " + index);
        }
        this.index = index;
        this.buffer = whole.slice(offset, pageSize);
        this.whole = whole;
        this.offsetInWhole = offset;
    }

    /**
     * Pages cut from one buffer, page {@code i} at byte {@code i * pageSize}: a backend may read pages of
     * consecutive indexes whose blocks are consecutive into that buffer with one I/O and no copy
     * ({@link #wholeBuffer()}). The buffer belongs to the caller's thread while the pages are in a call.
     *
     * @param whole    a direct buffer; aligned to the device's sectors for O_DIRECT reads straight into it.
     * @param pageSize the page size.
     * @return {@code whole.capacity() / pageSize} pages, with index 0 until {@link #setIndex(long)}.
     */
    public static CachePage[] slicesOf(final ByteBuffer whole, final int pageSize)
    {
        if (pageSize <= 0 || whole.capacity() % pageSize != 0)
        {
            throw new IllegalArgumentException("buffer capacity " + whole.capacity() + " is not a multiple of " +
                "the page size " + pageSize);
        }
        final CachePage[] pages = new CachePage[whole.capacity() / pageSize];
        for (int i = 0; i < pages.length; i++)
        {
            pages[i] = new CachePage(0, whole, i * pageSize, pageSize);
        }
        return pages;
    }

    /**
     * The buffer this page was cut from by {@link #slicesOf}, or null. A backend that uses it must leave its
     * position and limit as it found them.
     *
     * @return the whole buffer, or null.
     */
    public ByteBuffer wholeBuffer()
    {
        return whole;
    }

    /**
     * @return where the page's bytes start in {@link #wholeBuffer()}, or -1.
     */
    public int offsetInWholeBuffer()
    {
        return offsetInWhole;
    }

    /**
     * The page's index in its file ({@code page->index}).
     *
     * @return the index.
     */
    public long index()
    {
        return index;
    }

    /**
     * Gives the page another index, so that a netfs can reuse its pages (and their buffers) for other positions
     * without allocating: only while the cache has no interest in the page.
     *
     * @param index the new index, {@code >= 0}.
     * @throws IllegalStateException if the page is tracked, being read or being written ({@code PG_fscache} or
     *                               {@code PG_fscache_write} set, or a call in progress).
     */
    public void setIndex(final long index)
    {
        if (index < 0)
        {
            throw new IllegalArgumentException("page index must be >= 0: " + index);
        }
        if (flags != 0 || null != reader)
        {
            throw new IllegalStateException("page " + this.index + " is in use by the cache: uncache it and wait " +
                "for its write before giving it another index");
        }
        this.index = index;
    }

    /**
     * The page's buffer.
     *
     * @return the buffer given to the constructor.
     */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    /**
     * Test PG_fscache ({@code PageFsCache}).
     *
     * @return true if set.
     */
    public boolean isFsCache()
    {
        return (flags & PG_FSCACHE) != 0;
    }

    /** Set PG_fscache ({@code SetPageFsCache}). */
    public void setFsCache()
    {
        setBits(PG_FSCACHE);
    }

    /** Clear PG_fscache ({@code ClearPageFsCache}). */
    public void clearFsCache()
    {
        clearBits(PG_FSCACHE);
    }

    /**
     * Set PG_fscache and return its previous value ({@code TestSetPageFsCache}).
     *
     * @return true if it was set.
     */
    public boolean testAndSetFsCache()
    {
        return testAndSet(PG_FSCACHE);
    }

    /**
     * Clear PG_fscache and return its previous value ({@code TestClearPageFsCache}).
     *
     * @return true if it was set.
     */
    public boolean testAndClearFsCache()
    {
        return testAndClear(PG_FSCACHE);
    }

    /**
     * Test PG_fscache_write.
     *
     * @return true while a write to the cache is in progress.
     */
    public boolean isFsCacheWrite()
    {
        return (flags & PG_FSCACHE_WRITE) != 0;
    }

    /** Set PG_fscache_write. */
    public void setFsCacheWrite()
    {
        setBits(PG_FSCACHE_WRITE);
    }

    /** Clear PG_fscache_write. */
    public void clearFsCacheWrite()
    {
        clearBits(PG_FSCACHE_WRITE);
    }

    /**
     * Set PG_fscache_write and return its previous value.
     *
     * @return true if it was set.
     */
    public boolean testAndSetFsCacheWrite()
    {
        return testAndSet(PG_FSCACHE_WRITE);
    }

    /**
     * Clear PG_fscache_write and return its previous value.
     *
     * @return true if it was set.
     */
    public boolean testAndClearFsCacheWrite()
    {
        return testAndClear(PG_FSCACHE_WRITE);
    }

    private boolean hasBits(final int bits)
    {
        return (flags & bits) != 0;
    }

    private void setBits(final int bits)
    {
        int current;
        do
        {
            current = flags;
        }
        while (!FLAGS.compareAndSet(this, current, current | bits));
    }

    private void clearBits(final int bits)
    {
        int current;
        do
        {
            current = flags;
        }
        while (!FLAGS.compareAndSet(this, current, current & ~bits));
    }

    private boolean testAndSet(final int bit)
    {
        int current;
        do
        {
            current = flags;
            if ((current & bit) != 0)
            {
                return true;
            }
        }
        while (!FLAGS.compareAndSet(this, current, current | bit));

        return false;
    }

    private boolean testAndClear(final int bit)
    {
        int current;
        do
        {
            current = flags;
            if ((current & bit) == 0)
            {
                return false;
            }
        }
        while (!FLAGS.compareAndSet(this, current, current & ~bit));

        return true;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "CachePage{index=" + index +
            ", PG_fscache=" + isFsCache() +
            ", PG_fscache_write=" + isFsCacheWrite() + '}';
    }

    /**
     * The core's access to the page's engine state; see {@link ApiAccess}.
     */
    private static final class Access implements ApiAccess.Pages
    {
        public boolean hasBits(final CachePage page, final int bits)
        {
            return page.hasBits(bits);
        }

        public void setBits(final CachePage page, final int bits)
        {
            page.setBits(bits);
        }

        public void clearBits(final CachePage page, final int bits)
        {
            page.clearBits(bits);
        }

        public boolean testAndClear(final CachePage page, final int bit)
        {
            return page.testAndClear(bit);
        }

        public RetrievalOp reader(final CachePage page)
        {
            return page.reader;
        }

        public void reader(final CachePage page, final RetrievalOp reader)
        {
            page.reader = reader;
        }

        public CachePage next(final CachePage page, final boolean reading)
        {
            return reading ? page.nextReading : page.nextTracked;
        }

        public void next(final CachePage page, final boolean reading, final CachePage next)
        {
            if (reading)
            {
                page.nextReading = next;
            }
            else
            {
                page.nextTracked = next;
            }
        }
    }
}
