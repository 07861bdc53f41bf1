package org.cachefs.format;

import java.util.Locale;

/**
 * Sizes written the e2fsprogs way: a number of bytes, or a number with a binary suffix K, M, G, T or P (KiB..PiB),
 * upper or lower case, optionally followed by "B" or "iB".
 */
public final class Sizes
{
    private Sizes()
    {
    }

    /**
     * @param text a number of bytes, optionally with a K, M, G, T or P suffix (binary units).
     * @return the size in bytes.
     * @throws IllegalArgumentException naming the text if it is not a positive size or overflows.
     */
    public static long parse(final String text)
    {
        final String trimmed = text.trim();
        String upper = trimmed.toUpperCase(Locale.ROOT);
        if (upper.endsWith("IB") && upper.length() > 2 && "KMGTP".indexOf(upper.charAt(upper.length() - 3)) >= 0)
        {
            upper = upper.substring(0, upper.length() - 2);
        }
        else if (upper.endsWith("B") && upper.length() > 1 && !Character.isDigit(upper.charAt(upper.length() - 2)))
        {
            upper = upper.substring(0, upper.length() - 1);
        }
        int shift = 0;
        if (!upper.isEmpty())
        {
            final int suffix = "KMGTP".indexOf(upper.charAt(upper.length() - 1));
            if (suffix >= 0)
            {
                shift = 10 * (suffix + 1);
                upper = upper.substring(0, upper.length() - 1);
            }
        }
        final long number;
        try
        {
            number = Long.parseLong(upper);
        }
        catch (final NumberFormatException ex)
        {
            throw new IllegalArgumentException("invalid size '" + text + "': expected a number with an optional " +
                "K, M, G, T or P suffix");
        }
        if (number <= 0)
        {
            throw new IllegalArgumentException("invalid size '" + text + "': must be positive");
        }
        if (shift > 0 && number > (Long.MAX_VALUE >> shift))
        {
            throw new IllegalArgumentException("invalid size '" + text + "': too large");
        }
        return number << shift;
    }

    /**
     * @param bytes a number of bytes, {@code >= 0}.
     * @return {@code bytes} in the largest binary unit that keeps one decimal, e.g. "1.0 GiB".
     */
    public static String format(final long bytes)
    {
        final String[] units = { "B", "KiB", "MiB", "GiB", "TiB", "PiB" };
        double value = bytes;
        int unit = 0;
        while (value >= 1024 && unit < units.length - 1)
        {
            value /= 1024;
            unit++;
        }
        return unit == 0 ? bytes + " B" : String.format(Locale.ROOT, "%.1f %s", value, units[unit]);
    }
}
