package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.CacheTag;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.Netfs;

import java.lang.invoke.MethodHandles;

/**
 * Internal, not API: the engine's way to the private members of the netfs API types that hold engine state
 * ({@link CachePage}, {@link CacheTag}, {@link Netfs}), after the JDK's "shared secrets". Each of those classes
 * registers, from its static initializer, an implementation of its interface here, declared inside itself; the engine
 * takes it after forcing that class's initialization and keeps it in a {@code static final} field, so every call is
 * monomorphic and inlines. The members it reaches stay private to their class, out of a netfs's sight, and only this
 * package can take a registration back out.
 * <p>
 * Threading: each access is registered once, while its API class is initialized; the engine's read after
 * {@link MethodHandles.Lookup#ensureInitialized(Class)} is ordered after that write by the class's initialization.
 */
public final class ApiAccess
{
    private static Pages pages;
    private static Tags tags;
    private static Netfses netfses;

    private ApiAccess()
    {
    }

    /**
     * Internal, not API: the engine's part of a {@link CachePage}: the flags beyond PG_fscache and PG_fscache_write
     * ({@code PageState}) and the links by which a cookie tracks the page. Implemented by {@link CachePage} alone.
     */
    public interface Pages
    {
        /**
         * @param page a page.
         * @param bits flags.
         * @return true if any of them is set.
         */
        boolean hasBits(CachePage page, int bits);

        /**
         * Sets flags atomically.
         *
         * @param page a page.
         * @param bits flags to set.
         */
        void setBits(CachePage page, int bits);

        /**
         * Clears flags atomically.
         *
         * @param page a page.
         * @param bits flags to clear.
         */
        void clearBits(CachePage page, int bits);

        /**
         * Clears a flag atomically.
         *
         * @param page a page.
         * @param bit  a flag.
         * @return whether it was set before.
         */
        boolean testAndClear(CachePage page, int bit);

        /**
         * @param page a page.
         * @return the retrieval whose read of the page is in flight, or null (a volatile read).
         */
        RetrievalOp reader(CachePage page);

        /**
         * Sets the retrieval reading the page (a volatile write), before the engine flags the read pending.
         *
         * @param page   a page.
         * @param reader the retrieval, or null.
         */
        void reader(CachePage page, RetrievalOp reader);

        /**
         * @param page a page.
         * @param reading true for the link of the cookie's pages being read, false for that of its tracked pages.
         * @return the next page of the same index in that set, or null; under the cookie's lock.
         */
        CachePage next(CachePage page, boolean reading);

        /**
         * Sets the link of a page in one of its cookie's sets; under the cookie's lock.
         *
         * @param page    a page.
         * @param reading true for the link of the cookie's pages being read, false for that of its tracked pages.
         * @param next    the next page of the same index in that set, or null.
         */
        void next(CachePage page, boolean reading, CachePage next);
    }

    /**
     * Internal, not API: making a {@link CacheTag} over its engine state, and finding that state from a tag.
     * Implemented by {@link CacheTag} alone.
     */
    public interface Tags
    {
        /**
         * @param binding the tag's engine state.
         * @param name    the tag's name.
         * @return a new tag over {@code binding}.
         */
        CacheTag newTag(TagBinding binding, String name);

        /**
         * @param tag a tag.
         * @return its engine state, or null for {@link CacheTag#NO_CACHE}.
         */
        TagBinding binding(CacheTag tag);
    }

    /**
     * Internal, not API: making a {@link Netfs} registration. Implemented by {@link Netfs} alone.
     */
    public interface Netfses
    {
        /**
         * @param name    the netfs's name.
         * @param version the netfs's version.
         * @return a registration without its primary index yet.
         */
        Netfs newNetfs(String name, int version);

        /**
         * Sets the netfs's primary index, once, before the registration is handed out.
         *
         * @param netfs        the registration.
         * @param primaryIndex its primary index.
         */
        void primaryIndex(Netfs netfs, Cookie primaryIndex);
    }

    /**
     * Called by {@link CachePage}'s static initializer.
     *
     * @param access the access, declared in {@link CachePage}.
     * @throws IllegalArgumentException if the access is declared elsewhere.
     */
    public static void registerPages(final Pages access)
    {
        pages = checked(access, CachePage.class);
    }

    /**
     * Called by {@link CacheTag}'s static initializer.
     *
     * @param access the access, declared in {@link CacheTag}.
     * @throws IllegalArgumentException if the access is declared elsewhere.
     */
    public static void registerTags(final Tags access)
    {
        tags = checked(access, CacheTag.class);
    }

    /**
     * Called by {@link Netfs}'s static initializer.
     *
     * @param access the access, declared in {@link Netfs}.
     * @throws IllegalArgumentException if the access is declared elsewhere.
     */
    public static void registerNetfses(final Netfses access)
    {
        netfses = checked(access, Netfs.class);
    }

    static Pages pages()
    {
        initialize(CachePage.class);
        return pages;
    }

    static Tags tags()
    {
        initialize(CacheTag.class);
        return tags;
    }

    static Netfses netfses()
    {
        initialize(Netfs.class);
        return netfses;
    }

    private static <T> T checked(final T access, final Class<?> apiClass)
    {
        final Class<?> type = access.getClass();
        if (type.getNestHost() != apiClass)
        {
            throw new IllegalArgumentException("the engine's access to " + apiClass.getName() +
                " is registered by that class alone, not by " + type.getName());
        }

        return access;
    }

    private static void initialize(final Class<?> apiClass)
    {
        try
        {
            MethodHandles.lookup().ensureInitialized(apiClass);
        }
        catch (final IllegalAccessException ex)
        {
            throw new IllegalStateException(ex);
        }
    }
}
