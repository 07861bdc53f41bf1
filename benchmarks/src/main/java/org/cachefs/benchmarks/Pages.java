package org.cachefs.benchmarks;

import java.nio.ByteBuffer;
import java.util.SplittableRandom;

/**
 * Page contents: a pseudo-random pattern written once per buffer, and a stamp (file tag, page index) in its first
 * 16 bytes, so pages differ and the cache's check values are computed over real data.
 */
final class Pages
{
    private Pages()
    {
    }

    static void pattern(final ByteBuffer buffer, final long seed)
    {
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i + 8 <= buffer.capacity(); i += 8)
        {
            buffer.putLong(i, random.nextLong());
        }
    }

    static void stamp(final ByteBuffer buffer, final long tag, final long index)
    {
        buffer.putLong(0, tag);
        buffer.putLong(8, index);
    }

    /**
     * A bijection of [0, 2^16): the order in which a file's pages are visited in "random order" fills.
     */
    static int permute16(final int value, final int salt)
    {
        int x = (value ^ salt) & 0xFFFF;
        x = (x * 0x9E3B) & 0xFFFF; // odd multiplier: a bijection mod 2^16
        x ^= x >>> 7;
        x = (x * 0x2C1D) & 0xFFFF;
        x ^= x >>> 9;
        x = (x * 0x5A4F) & 0xFFFF;
        x ^= x >>> 8;
        return x;
    }
}
