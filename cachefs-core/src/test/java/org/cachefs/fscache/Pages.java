package org.cachefs.fscache;

import java.nio.ByteBuffer;

/**
 * Page helpers for tests: pages with recognisable content.
 */
public final class Pages
{
    private Pages()
    {
    }

    public static CachePage page(final long index, final int pageSize)
    {
        return new CachePage(index, ByteBuffer.allocateDirect(pageSize));
    }

    /**
     * Fill a page with bytes derived from {@code seed}; the first eight bytes hold the seed.
     */
    public static void fill(final CachePage page, final long seed)
    {
        final ByteBuffer buffer = page.buffer();
        buffer.putLong(0, seed);
        long state = seed * 0x9E3779B97F4A7C15L + page.index();
        for (int i = 8; i < buffer.capacity(); i++)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            buffer.put(i, (byte)state);
        }
    }

    /**
     * The seed of a page filled by {@link #fill}, or throw if the page does not hold a consistent fill.
     */
    public static long seedOf(final CachePage page)
    {
        final long seed = page.buffer().getLong(0);
        final CachePage expected = page(page.index(), page.buffer().capacity());
        fill(expected, seed);
        if (!expected.buffer().equals(page.buffer().duplicate().clear()))
        {
            throw new AssertionError("page " + page.index() + " content is not a consistent fill of seed " + seed);
        }
        return seed;
    }

    public static void clear(final CachePage page)
    {
        final ByteBuffer buffer = page.buffer();
        for (int i = 0; i < buffer.capacity(); i++)
        {
            buffer.put(i, (byte)0);
        }
    }
}
