package org.cachefs.fscache;

import org.cachefs.fscache.engine.ApiAccess;
import org.cachefs.fscache.engine.TagBinding;

/**
 * A cache tag ({@code struct fscache_cache_tag}): a name binding index subtrees to a particular cache when several
 * caches are added. Obtained from {@link FsCache#lookupCacheTag(String)}, which never fails: a tag whose cache has
 * not been added yet is unbound and inhibits caching of the objects that select it until a cache is added with that
 * tag, when it binds. {@link #NO_CACHE} never binds.
 * <p>
 * The binding is kept by the owning {@link FsCache}'s engine, changed under its structure lock and read with volatile
 * semantics; the tag itself is immutable.
 */
public final class CacheTag
{
    /** The dummy tag: selecting it inhibits caching ({@code fscache_nocache_tag}). */
    public static final CacheTag NO_CACHE = new CacheTag(null, "");

    static
    {
        ApiAccess.registerTags(new Access());
    }

    private final TagBinding binding;
    private final String name;

    private CacheTag(final TagBinding binding, final String name)
    {
        this.binding = binding;
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
        return null != binding && binding.isBound();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return this == NO_CACHE ? "CacheTag{NO_CACHE}" : "CacheTag{" + name + (isBound() ? ", bound}" : "}");
    }

    /**
     * The core's access to a tag's engine state; see {@link ApiAccess}.
     */
    private static final class Access implements ApiAccess.Tags
    {
        public CacheTag newTag(final TagBinding binding, final String name)
        {
            return new CacheTag(binding, name);
        }

        public TagBinding binding(final CacheTag tag)
        {
            return tag.binding;
        }
    }
}
