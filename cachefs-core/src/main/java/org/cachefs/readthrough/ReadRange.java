package org.cachefs.readthrough;

/**
 * One range of a vectored read ({@link CachedFile#readVectored}).
 *
 * @param offset the first byte, {@code >= 0}.
 * @param length the number of bytes, {@code >= 0}.
 */
public record ReadRange(long offset, int length)
{
    /**
     * Checks the components.
     *
     * @param offset the first byte, {@code >= 0}.
     * @param length the number of bytes, {@code >= 0}.
     * @throws IllegalArgumentException if {@code offset} or {@code length} is negative.
     */
    public ReadRange
    {
        if (offset < 0)
        {
            throw new IllegalArgumentException("range offset must be >= 0: " + offset);
        }
        if (length < 0)
        {
            throw new IllegalArgumentException("range length must be >= 0: " + length);
        }
    }

    /**
     * @return the first byte after the range.
     */
    public long end()
    {
        return offset + length;
    }
}
