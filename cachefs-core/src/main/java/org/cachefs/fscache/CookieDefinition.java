package org.cachefs.fscache;

import java.util.List;

/**
 * The definition of a kind of cookie ({@code struct fscache_cookie_def}): how FS-Cache gets the key, auxiliary
 * data and size of an object from the netfs's data, and the netfs's callbacks. One definition serves every cookie of
 * its kind; the per-cookie data {@code D} is given to {@link Cookie#acquire(CookieDefinition, Object)}.
 * <p>
 * Only {@link #type()} and {@link #key(Object)} are mandatory; the default methods stand for the kernel's absent
 * (NULL) operations. {@link #nowUncached(Object)} should be implemented for data files.
 * <p>
 * Threading: {@link #key}, {@link #aux}, {@link #size} are called on the netfs thread that acquires, updates or
 * reports attribute changes; {@link #checkAux} on an FS-Cache pool thread during lookup;
 * {@link #markPagesCached} on the thread where the backend marks pages (a netfs thread or a backend thread);
 * {@link #nowUncached} on the thread withdrawing the cache; {@link #selectCache} on the acquiring thread.
 *
 * @param <D> the type of the netfs's per-cookie data.
 */
public interface CookieDefinition<D>
{
    /** The longest definition name. */
    int MAX_NAME_LENGTH = 16;

    /** The most bytes of key and auxiliary data together that a netfs may rely on. */
    int MAX_KEY_AND_AUX_LENGTH = 400;

    /**
     * The name of the kind of object, for display (optional, at most {@value #MAX_NAME_LENGTH} characters).
     *
     * @return the name; empty by default.
     */
    default String name()
    {
        return "";
    }

    /**
     * The type of the objects (mandatory).
     *
     * @return {@link CookieType#INDEX}, {@link CookieType#DATAFILE} or another type 2..255.
     */
    CookieType type();

    /**
     * Pick the cache in which an index is instantiated when a non-index object below it is created
     * ({@code select_cache}). Called on the definition of the index, with the data of the index's parent and of the
     * index itself.
     *
     * @param parentData the netfs data of the index's parent cookie (null for a netfs primary index).
     * @param data       the netfs data of the index.
     * @return a tag from {@link FsCache#lookupCacheTag(String)}, or null for no preference (the first cache in the
     * parent's list, else the first cache added).
     */
    default CacheTag selectCache(final Object parentData, final D data)
    {
        return null;
    }

    /**
     * The object's key in its parent index (mandatory, {@code get_key}). Key and auxiliary data together may not
     * exceed {@value #MAX_KEY_AND_AUX_LENGTH} bytes.
     *
     * @param data the netfs data.
     * @return the key, of any length.
     */
    byte[] key(D data);

    /**
     * The data file's size ({@code get_attr}); may govern the store limit and reservations.
     *
     * @param data the netfs data.
     * @return bytes; 0 by default.
     */
    default long size(final D data)
    {
        return 0;
    }

    /**
     * The auxiliary (coherency) data to store with the object ({@code get_aux}).
     *
     * @param data the netfs data.
     * @return the data; empty by default.
     */
    default byte[] aux(final D data)
    {
        return new byte[0];
    }

    /**
     * Decide whether an object found in the cache is still valid ({@code check_aux}). If this method is not
     * overridden, a found object is always valid and counts under {@code ChkAux non}.
     *
     * @param data the netfs data.
     * @param aux  the auxiliary data stored in the cache.
     * @return the verdict.
     */
    default CheckAux checkAux(final D data, final byte[] aux)
    {
        return CheckAux.OKAY;
    }

    /**
     * Take a reference on the context passed to read completion callbacks ({@code get_context}); called when a
     * read or allocation is submitted.
     *
     * @param data    the netfs data.
     * @param context the context given to the read call.
     */
    default void getContext(final D data, final Object context)
    {
    }

    /**
     * Drop the reference taken by {@link #getContext} ({@code put_context}); called when the retrieval is released.
     *
     * @param data    the netfs data.
     * @param context the context.
     */
    default void putContext(final D data, final Object context)
    {
    }

    /**
     * The cache now tracks these pages ({@code mark_pages_cached}); each must later be uncached. PG_fscache is
     * already set on them. Only called if overridden.
     *
     * @param data  the netfs data.
     * @param pages the pages; not to be retained.
     */
    default void markPagesCached(final D data, final List<CachePage> pages)
    {
    }

    /**
     * The backing object is being unbound from the cookie, for example because the cache is withdrawn
     * ({@code now_uncached}). The core has already torn down its tracking and cleared PG_fscache on every page it
     * tracked for the cookie; the netfs drops any cache state of its own.
     *
     * @param data the netfs data.
     */
    default void nowUncached(final D data)
    {
    }
}
