package org.cachefs.fscache;

/**
 * The type of a cookie: {@link #INDEX} (type 0), {@link #DATAFILE} (type 1), or a miscellaneous type 2..255
 * (extended attributes, directory entries...), which behaves as a data file.
 * <p>
 * Immutable; the 256 instances are interned, so {@code ==} compares types.
 */
public final class CookieType
{
    /** The highest type code. */
    public static final int MAX_CODE = 255;

    private static final CookieType[] TYPES = new CookieType[MAX_CODE + 1];

    static
    {
        for (int code = 0; code <= MAX_CODE; code++)
        {
            TYPES[code] = new CookieType(code);
        }
    }

    /** An index ({@code FSCACHE_COOKIE_TYPE_INDEX}). */
    public static final CookieType INDEX = TYPES[0];

    /** A data file ({@code FSCACHE_COOKIE_TYPE_DATAFILE}). */
    public static final CookieType DATAFILE = TYPES[1];

    private final int code;

    private CookieType(final int code)
    {
        this.code = code;
    }

    /**
     * The type of a code.
     *
     * @param code 0..255.
     * @return the interned type.
     * @throws IllegalArgumentException if the code is out of range.
     */
    public static CookieType of(final int code)
    {
        if (code < 0 || code > MAX_CODE)
        {
            throw new IllegalArgumentException("cookie type must be in [0, " + MAX_CODE + "]: " + code);
        }

        return TYPES[code];
    }

    /**
     * The type code.
     *
     * @return 0..255.
     */
    public int code()
    {
        return code;
    }

    /**
     * Whether this is the index type.
     *
     * @return true for {@link #INDEX}.
     */
    public boolean isIndex()
    {
        return code == 0;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return code == 0 ? "INDEX" : code == 1 ? "DATAFILE" : "TYPE_" + code;
    }
}
