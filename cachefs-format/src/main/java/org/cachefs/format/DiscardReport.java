package org.cachefs.format;

import org.cachefs.format.device.DiscardMethod;

/**
 * What mkfs did to the bytes of the device it does not write itself (the data region and the tail past the last
 * block), so that they do not keep what the device held before.
 *
 * @param method  how they were made to read back as zeros, or {@code null} if discarding was turned off.
 * @param bytes   how many bytes that is.
 * @param refusal why a cheaper method was not used (e.g. "punching a hole refused: Operation not supported"), or
 *                {@code null}.
 */
public record DiscardReport(DiscardMethod method, long bytes, String refusal)
{
    /**
     * Checks the components.
     *
     * @param method  how they were made to read back as zeros, or {@code null} if discarding was turned off.
     * @param bytes   how many bytes that is.
     * @param refusal why a cheaper method was not used (e.g. "punching a hole refused: Operation not supported"), or
     *                {@code null}.
     * @throws IllegalArgumentException if {@code bytes} is negative.
     */
    public DiscardReport
    {
        if (bytes < 0)
        {
            throw new IllegalArgumentException("invalid discarded bytes " + bytes + ": must not be negative");
        }
    }

    /**
     * @param bytes the bytes that keep their old contents.
     * @return the report of a discard turned off, over {@code bytes} bytes.
     */
    public static DiscardReport skipped(final long bytes)
    {
        return new DiscardReport(null, bytes, null);
    }

    /**
     * @return true if discarding was turned off ({@code -E nodiscard}): the bytes keep their old contents.
     */
    public boolean skipped()
    {
        return method == null;
    }

    /**
     * @return the summary's text, e.g. "discarded 15.9 MiB (punched holes)", "zeroed 15.9 MiB (wrote zeros;
     * punching a hole refused: Operation not supported)" or "skipped (-E nodiscard): 15.9 MiB keep their old
     * contents".
     */
    public String describe()
    {
        if (method == null)
        {
            return "skipped (-E nodiscard): " + Sizes.format(bytes) + " keep their old contents";
        }
        return method.verb() + " " + Sizes.format(bytes) + " (" + method.how() +
            (refusal == null ? "" : "; " + refusal) + ")";
    }
}
