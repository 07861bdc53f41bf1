package org.cachefs.format.fsck;

/**
 * A fixed-size set of block numbers, one bit per block, in the bitmap's word order (bit {@code b} is bit
 * {@code b % 64} of word {@code b / 64}), so that words copy straight into and out of bitmap blocks.
 */
final class Bits
{
    private final long[] words;

    Bits(final long size)
    {
        final long words = (size + 63) >>> 6;
        if (words > Integer.MAX_VALUE - 8)
        {
            throw new IllegalArgumentException("too many blocks for one bit set: " + size);
        }
        this.words = new long[(int)words];
    }

    boolean get(final long bit)
    {
        return (words[(int)(bit >>> 6)] & (1L << bit)) != 0;
    }

    void set(final long bit)
    {
        words[(int)(bit >>> 6)] |= 1L << bit;
    }

    /**
     * Sets the bit.
     *
     * @return true if it was clear.
     */
    boolean add(final long bit)
    {
        final int word = (int)(bit >>> 6);
        final long mask = 1L << bit;
        final boolean clear = (words[word] & mask) == 0;
        words[word] |= mask;
        return clear;
    }

    /**
     * Sets the bits of {@code [from, to)}.
     */
    void setRange(final long from, final long to)
    {
        for (long bit = from; bit < to; bit++)
        {
            set(bit);
        }
    }

    /**
     * @return word {@code index}, or 0 past the end.
     */
    long word(final long index)
    {
        return index < words.length ? words[(int)index] : 0;
    }

    long[] words()
    {
        return words;
    }

    long cardinality()
    {
        long count = 0;
        for (final long word : words)
        {
            count += Long.bitCount(word);
        }
        return count;
    }
}
