package org.cachefs.cachefs;

import java.util.function.LongConsumer;

/**
 * A set of device block numbers as a bitmap split into chunks of {@value #CHUNK_BLOCKS} blocks, each allocated when
 * a block in it is first added. Adding, removing and testing a block are a word operation; blocks added together
 * share words, which a hash set of the same blocks would scatter over memory. Memory follows the span of blocks in
 * use: a chunk that is empty when {@link #trim()} runs is given back.
 * <p>
 * Threading: not thread-safe; owned by {@link BlockAllocator}.
 */
final class BlockSet
{
    static final int CHUNK_SHIFT = 18;
    /** Blocks per chunk: 2^18, a 32 KiB bitmap. */
    static final int CHUNK_BLOCKS = 1 << CHUNK_SHIFT;
    private static final int CHUNK_WORDS = CHUNK_BLOCKS / Long.SIZE;

    private final long[][] chunks;
    private final int[] counts;
    private long size;

    /**
     * @param blockCount blocks of the device: every block added is in {@code [0, blockCount)}.
     */
    BlockSet(final long blockCount)
    {
        if (blockCount < 0)
        {
            throw new IllegalArgumentException("blockCount must be >= 0: " + blockCount);
        }
        final long chunkCount = (blockCount + CHUNK_BLOCKS - 1) >>> CHUNK_SHIFT;
        if (chunkCount > Integer.MAX_VALUE)
        {
            throw new IllegalArgumentException("too many blocks for a block set: " + blockCount);
        }
        this.chunks = new long[(int)chunkCount][];
        this.counts = new int[(int)chunkCount];
    }

    long size()
    {
        return size;
    }

    boolean contains(final long block)
    {
        final long[] chunk = chunks[(int)(block >>> CHUNK_SHIFT)];
        return chunk != null && (chunk[wordIn(block)] & (1L << block)) != 0;
    }

    /**
     * @return true if {@code block} was not in the set.
     */
    boolean add(final long block)
    {
        final int c = (int)(block >>> CHUNK_SHIFT);
        long[] chunk = chunks[c];
        if (chunk == null)
        {
            chunk = new long[CHUNK_WORDS];
            chunks[c] = chunk;
        }
        final int w = wordIn(block);
        final long bit = 1L << block;
        if ((chunk[w] & bit) != 0)
        {
            return false;
        }
        chunk[w] |= bit;
        counts[c]++;
        size++;
        return true;
    }

    /**
     * @return true if {@code block} was in the set.
     */
    boolean remove(final long block)
    {
        final int c = (int)(block >>> CHUNK_SHIFT);
        final long[] chunk = chunks[c];
        if (chunk == null)
        {
            return false;
        }
        final int w = wordIn(block);
        final long bit = 1L << block;
        if ((chunk[w] & bit) == 0)
        {
            return false;
        }
        chunk[w] &= ~bit;
        counts[c]--;
        size--;
        return true;
    }

    /**
     * Calls {@code action} with each block of the set in ascending order. The action must not change this set.
     */
    void forEach(final LongConsumer action)
    {
        for (int c = 0; c < chunks.length; c++)
        {
            if (counts[c] == 0)
            {
                continue;
            }
            final long[] chunk = chunks[c];
            final long base = (long)c << CHUNK_SHIFT;
            for (int w = 0; w < CHUNK_WORDS; w++)
            {
                long word = chunk[w];
                while (word != 0)
                {
                    action.accept(base + ((long)w << 6) + Long.numberOfTrailingZeros(word));
                    word &= word - 1;
                }
            }
        }
    }

    /**
     * Sets bits of {@code words} (a bitmap of all blocks, one bit per block, as {@code BlockAllocator} keeps) for
     * the blocks of this set.
     */
    void orInto(final long[] words)
    {
        for (int c = 0; c < chunks.length; c++)
        {
            if (counts[c] == 0)
            {
                continue;
            }
            final long[] chunk = chunks[c];
            final int first = c * CHUNK_WORDS;
            final int end = Math.min(CHUNK_WORDS, words.length - first);
            for (int w = 0; w < end; w++)
            {
                words[first + w] |= chunk[w];
            }
        }
    }

    /**
     * Keeps only the blocks also in {@code other}.
     */
    void retainAll(final BlockSet other)
    {
        for (int c = 0; c < chunks.length; c++)
        {
            if (counts[c] == 0)
            {
                continue;
            }
            final long[] chunk = chunks[c];
            final long[] keep = other.chunks[c];
            int count = 0;
            for (int w = 0; w < CHUNK_WORDS; w++)
            {
                final long word = keep == null ? 0 : chunk[w] & keep[w];
                chunk[w] = word;
                count += Long.bitCount(word);
            }
            size -= counts[c] - count;
            counts[c] = count;
        }
    }

    void clear()
    {
        for (int c = 0; c < chunks.length; c++)
        {
            if (counts[c] != 0)
            {
                java.util.Arrays.fill(chunks[c], 0);
                counts[c] = 0;
            }
        }
        size = 0;
    }

    /**
     * Gives back the memory of empty chunks.
     */
    void trim()
    {
        for (int c = 0; c < chunks.length; c++)
        {
            if (counts[c] == 0)
            {
                chunks[c] = null;
            }
        }
    }

    private static int wordIn(final long block)
    {
        return (int)(block >>> 6) & (CHUNK_WORDS - 1);
    }
}
