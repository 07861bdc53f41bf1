package org.cachefs.fscache.engine;

import org.cachefs.fscache.CacheTag;

/**
 * The engine's side of one {@link CacheTag} ({@code struct fscache_cache_tag}'s cache and usage): the engine that
 * made the tag, the cache added under it and the count of its users (lookups not yet released and the cache added
 * under it). Made by {@link CacheRegistry} with the tag it stands behind; the tag reaches it only to answer
 * {@link CacheTag#isBound()}, which is why this class is public.
 * <p>
 * Threading: {@link #cache} and {@link #usage} are changed under the owning engine's structure lock; {@link #cache}
 * is volatile and read from any thread.
 */
public final class TagBinding
{
    private static final ApiAccess.Tags TAGS = ApiAccess.tags();

    final CacheEngine owner;
    final CacheTag tag;
    volatile CacheImpl cache;
    int usage;

    TagBinding(final CacheEngine owner, final String name)
    {
        this.owner = owner;
        this.tag = TAGS.newTag(this, name);
    }

    /**
     * @param tag a tag.
     * @return its engine state, or null for {@link CacheTag#NO_CACHE}.
     */
    static TagBinding of(final CacheTag tag)
    {
        return TAGS.binding(tag);
    }

    String name()
    {
        return tag.name();
    }

    /**
     * @return true while a cache is added under the tag.
     */
    public boolean isBound()
    {
        return null != cache;
    }
}
