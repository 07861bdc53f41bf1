package org.cachefs.fscache;

/**
 * An immutable snapshot of the FS-Cache statistics counters ({@link FsCache#stats()}). Each counter is read
 * atomically; the snapshot as a whole is not a single instant while calls are running.
 */
public final class FsCacheStats
{
    private final long[] values;

    private FsCacheStats(final long[] values)
    {
        this.values = values;
    }

    /**
     * A snapshot of given counter values: what {@link FsCache#stats()} returns, made from the live counters.
     *
     * @param values one value per counter, in the order of {@link StatCounter#values()}; copied.
     * @return the snapshot.
     * @throws IllegalArgumentException if there is not one value per counter.
     */
    public static FsCacheStats of(final long[] values)
    {
        if (values.length != StatCounter.VALUES.length)
        {
            throw new IllegalArgumentException("statistics need " + StatCounter.VALUES.length +
                " values, one per StatCounter, not " + values.length);
        }

        return new FsCacheStats(values.clone());
    }

    /**
     * The value of a counter.
     *
     * @param counter the counter.
     * @return its value.
     */
    public long get(final StatCounter counter)
    {
        return values[counter.ordinal()];
    }

    /**
     * The statistics in the text layout of the kernel's {@code /proc/fs/fscache/stats}, for example:
     * <pre>
     * FS-Cache statistics
     * Cookies: idx=3 dat=8 spc=0
     * Objects: alc=11 nal=0 avl=11 ded=0
     * ChkAux : non=0 ok=2 upd=0 obs=0
     * Pages  : mrk=40 unc=8
     * ...
     * Ops    : pend=0 run=40 enq=8
     * </pre>
     *
     * @return the text, one line per group, each ending with a newline.
     */
    public String toProcText()
    {
        final StringBuilder sb = new StringBuilder(1024);
        sb.append("FS-Cache statistics\n");
        int line = -1;
        for (final StatCounter counter : StatCounter.VALUES)
        {
            if (counter.line() != line)
            {
                if (line >= 0)
                {
                    sb.append('\n');
                }
                line = counter.line();
                final String label = counter.lineLabel();
                sb.append(label);
                for (int i = label.length(); i < 7; i++)
                {
                    sb.append(' ');
                }
                sb.append(':');
            }
            sb.append(' ').append(counter.label()).append('=').append(values[counter.ordinal()]);
        }
        sb.append('\n');

        return sb.toString();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return toProcText();
    }
}
