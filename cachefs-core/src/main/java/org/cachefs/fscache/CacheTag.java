package org.cachefs.fscache;

/**
 * A cache tag ({@code struct fscache_cache_tag}): a name binding index subtrees to a particular cache when several
 * caches are added. Obtained from {@link FsCache#lookupCacheTag(String)}, which never fails: a tag whose cache has
 * not been added yet is unbound and inhibits caching of the objects that select it until a cache is added with that
 * tag, when it binds. {@link #NO_CACHE} never binds.
 * <p>
 * The binding is changed under the structure lock of the owning {@link FsCache}'s engine and read with volatile
 * semantics.
 */
public final class CacheTag
{
    /** The dummy tag: selecting it inhibits caching ({@code fscache_nocache_tag}). */
    public static final CacheTag NO_CACHE = new CacheTag(null, "");

    final CacheEngine owner;
    private final String name;
    volatile CacheImpl cache;
    int usage;

    CacheTag(final CacheEngine owner, final String name)
    {
        this.owner = owner;
        this.name = name;
    }

    /**
     * The tag's name.
     *
     * @return the name; empty for {@link #NO_CACHE}.
     */
    public String name()
    {
        return name;
    }

    /**
     * Whether a cache is currently added under this tag.
     *
     * @return true if bound.
     */
    public boolean isBound()
    {
        return cache != null;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return this == NO_CACHE ? "CacheTag{NO_CACHE}" : "CacheTag{" + name + (isBound() ? ", bound}" : "}");
    }
}
