package org.cachefs.cachefs;

import java.util.Arrays;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * How often keys were seen lately: a count-min sketch of 4-bit counters, four per key in four rows, behind a
 * doorkeeper (a Bloom filter that takes each key's first access, so that keys seen once, such as a scan's, never
 * reach the counters); all counters are halved and the doorkeeper cleared once about {@code 10 ×} the capacity
 * accesses were recorded, so that past popularity fades. The admission filter of the {@link RamTier}: a page enters
 * a full set only if it was seen more often than the page it would evict (TinyLFU).
 * <p>
 * Threading: any thread, without a lock. Updates race and one may be lost, which only blurs an estimate; every
 * counter stays within [0, 15].
 */
final class FrequencySketch
{
    /** Accesses are counted toward the reset one in this many, so that the count is not a shared hot spot. */
    private static final int SAMPLE_EVERY = 16;
    private static final long HALF_MASK = 0x7777_7777_7777_7777L;
    private static final long[] SEEDS =
    {
        0x9E37_79B9_7F4A_7C15L, 0xC2B2_AE3D_27D4_EB4FL, 0x1656_67B1_9E37_79F9L, 0x27D4_EB2F_1656_67C5L
    };

    /** One row of 16 counters per long; row {@code i} of a key is in the quarter {@code i} of the table. */
    private final long[] table;
    private final int rowMask;
    /** The doorkeeper's bits, 64 per key the filter admits (a reset period sees up to 10 keys per key): two per key. */
    private final long[] doorkeeper;
    private final int doorMask;
    /** Accesses counted (one in {@link #SAMPLE_EVERY}) before the counters are halved. */
    private final int samplesPerReset;
    private final AtomicBoolean resetting = new AtomicBoolean();
    private int samples;

    /**
     * @param capacity how many keys the filter admits (the tier's pages).
     */
    FrequencySketch(final int capacity)
    {
        final int slots = Integer.highestOneBit(Math.max(64, capacity) * 2 - 1);
        final int rowLongs = slots / 4;
        this.table = new long[rowLongs * 4];
        this.rowMask = rowLongs - 1;
        this.doorkeeper = new long[slots];
        this.doorMask = slots * 64 - 1;
        this.samplesPerReset = Math.max(1, (int)Math.min(Integer.MAX_VALUE, 10L * capacity / SAMPLE_EVERY));
    }

    /**
     * Records an access to the key with this hash.
     *
     * @return true if this access made the counters halve.
     */
    boolean increment(final long hash)
    {
        if (!admitted(hash))
        {
            return sample();
        }
        for (int row = 0; row < 4; row++)
        {
            final long mixed = mix(hash + SEEDS[row]);
            final int index = (row * (rowMask + 1)) + ((int)(mixed >>> 32) & rowMask);
            final int shift = ((int)mixed & 15) << 2;
            final long word = table[index];
            if (((word >>> shift) & 15) < 15)
            {
                table[index] = word + (1L << shift);
            }
        }
        return sample();
    }

    /**
     * Passes a key through the doorkeeper: its first access since the last reset only sets its bits.
     *
     * @return true if the key had been seen before.
     */
    private boolean admitted(final long hash)
    {
        if (seenBefore(hash))
        {
            return true;
        }
        final long mixed = mix(hash);
        final int first = (int)mixed & doorMask;
        final int second = (int)(mixed >>> 32) & doorMask;
        doorkeeper[first >>> 6] |= 1L << first;
        doorkeeper[second >>> 6] |= 1L << second;
        return false;
    }

    private boolean seenBefore(final long hash)
    {
        final long mixed = mix(hash);
        final int first = (int)mixed & doorMask;
        final int second = (int)(mixed >>> 32) & doorMask;
        return (doorkeeper[first >>> 6] & (1L << first)) != 0 && (doorkeeper[second >>> 6] & (1L << second)) != 0;
    }

    /**
     * Counts one access toward the next reset, one in {@link #SAMPLE_EVERY}.
     *
     * @return true if the counters were halved.
     */
    private boolean sample()
    {
        return (ThreadLocalRandom.current().nextInt() & (SAMPLE_EVERY - 1)) == 0 && ++samples >= samplesPerReset &&
            reset();
    }

    /**
     * @return the estimated accesses to the key with this hash since the counters were last halved, in [0, 16].
     */
    int frequency(final long hash)
    {
        int min = 15;
        for (int row = 0; row < 4; row++)
        {
            final long mixed = mix(hash + SEEDS[row]);
            final int index = (row * (rowMask + 1)) + ((int)(mixed >>> 32) & rowMask);
            final int shift = ((int)mixed & 15) << 2;
            min = Math.min(min, (int)((table[index] >>> shift) & 15));
        }
        return min + (seenBefore(hash) ? 1 : 0);
    }

    /**
     * Halves every counter and clears the doorkeeper (one thread at a time; others go on counting meanwhile).
     */
    private boolean reset()
    {
        if (!resetting.compareAndSet(false, true))
        {
            return false;
        }
        try
        {
            samples = 0;
            for (int i = 0; i < table.length; i++)
            {
                table[i] = (table[i] >>> 1) & HALF_MASK;
            }
            Arrays.fill(doorkeeper, 0);
        }
        finally
        {
            resetting.set(false);
        }
        return true;
    }

    /**
     * The finalizer of MurmurHash3's 64-bit hash: every input bit affects every output bit.
     */
    static long mix(final long value)
    {
        long h = value;
        h ^= h >>> 33;
        h *= 0xFF51_AFD7_ED55_8CCDL;
        h ^= h >>> 33;
        h *= 0xC4CE_B9FE_1A85_EC53L;
        h ^= h >>> 33;
        return h;
    }
}
