package org.cachefs.fscache;

/**
 * Thrown by {@link FsCache#addCache(org.cachefs.fscache.spi.CacheBackend, String)} when a cache is already added
 * under the tag (the kernel's {@code -EEXIST}).
 */
public final class CacheTagInUseException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /** The tag in use. */
    private final String tag;

    /**
     * An exception for a tag.
     *
     * @param tag     the tag in use.
     * @param holder  the identifier of the cache holding it.
     */
    public CacheTagInUseException(final String tag, final String holder)
    {
        super("cache tag '" + tag + "' is already in use by cache '" + holder + "'");
        this.tag = tag;
    }

    /**
     * The tag in use.
     *
     * @return the tag name.
     */
    public String tag()
    {
        return tag;
    }
}
