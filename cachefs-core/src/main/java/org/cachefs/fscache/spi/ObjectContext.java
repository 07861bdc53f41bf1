package org.cachefs.fscache.spi;

import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.CookieType;

/**
 * The core's side of one in-cache object. The core passes it to {@link CacheBackend#allocObject(ObjectContext)}
 * (and, for the master index, to {@link CacheBackend#initCache(CacheContext, ObjectContext)}); the backend hands it
 * to the {@link CacheObject} constructor and from then on uses the methods of {@link CacheObject}, which delegate
 * here.
 * <p>
 * Implemented by the core; every method may be called from any thread. Backends never implement it.
 */
public interface ObjectContext
{
    /**
     * Bind the backend object to this context ({@code fscache_object_init}); called by the {@link CacheObject}
     * constructor.
     *
     * @param object the backend object.
     * @throws IllegalStateException if a backend object is already bound.
     */
    void init(CacheObject object);

    /**
     * The cache the object belongs to.
     *
     * @return the cache context.
     */
    CacheContext cache();

    /**
     * The parent object in the same cache.
     *
     * @return the parent, or null for the master index.
     */
    CacheObject parent();

    /**
     * The debugging id, printed as {@code OBJ%x}.
     *
     * @return the id.
     */
    int debugId();

    /**
     * The current state.
     *
     * @return the state.
     */
    ObjectState state();

    /**
     * The cookie type.
     *
     * @return the type.
     */
    CookieType type();

    /**
     * The cookie definition's name, for display.
     *
     * @return the name, possibly empty.
     */
    String cookieName();

    /**
     * The object's key in its parent index ({@code get_key}).
     *
     * @return a fresh copy.
     */
    byte[] key();

    /**
     * The netfs's current auxiliary data ({@code get_aux}), as read at acquisition or at the last update.
     *
     * @return a fresh copy, possibly empty.
     */
    byte[] aux();

    /**
     * The netfs's size of the object ({@code get_attr}), as read at acquisition or at the last attribute change.
     *
     * @return bytes.
     */
    long objectSize();

    /**
     * The store limit in pages: pages at or above it are refused with {@code NO_BUFS}.
     *
     * @return the limit, {@link Long#MAX_VALUE} until the backend sets one.
     */
    long storeLimit();

    /**
     * Set the highest byte FS-Cache is willing to store for the object ({@code fscache_set_store_limit}).
     *
     * @param size the size in bytes; the limit becomes that many bytes rounded up to whole pages.
     */
    void setStoreLimit(long size);

    /**
     * Ask the netfs whether data found in the cache is still valid ({@code fscache_check_aux}).
     *
     * @param aux the auxiliary data stored in the cache.
     * @return the netfs's verdict.
     */
    CheckAux checkAux(byte[] aux);

    /** The lookup found nothing ({@code fscache_object_lookup_negative}); only the first call counts. */
    void lookupNegative();

    /** The object was found valid or was created ({@code fscache_obtained_object}). */
    void obtainedObject();

    /** The lookup failed fatally ({@code fscache_object_lookup_error}). */
    void lookupError();
}
