package org.cachefs.fscache.spi;

import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.CookieType;

import java.util.Objects;

/**
 * An object in a cache: the backend's representation of one cookie in one cache (the kernel's
 * {@code struct fscache_object}, which backends embed in their own object). Backends extend this class and keep
 * their per-object state in the subclass; the core passes instances back to the backend's operations, where the
 * backend casts them to its own type.
 * <p>
 * The core-side state (object state, operation counts, store limit) lives in the {@link ObjectContext} the core
 * created; the final methods here are the utilities the core offers backends on an object. They may be called from
 * any thread.
 */
public abstract class CacheObject
{
    private final ObjectContext context;

    /**
     * Initialise the object and bind it to the core's context ({@code fscache_object_init}): the object starts in
     * {@link ObjectState#INIT} and counts as an object of the cache until {@link CacheContext#objectDestroyed()} is
     * called for it.
     *
     * @param context the context the core passed to {@link CacheBackend#allocObject(ObjectContext)} or
     *                {@link CacheBackend#initCache(CacheContext, ObjectContext)}.
     */
    protected CacheObject(final ObjectContext context)
    {
        this.context = Objects.requireNonNull(context, "context");
        context.init(this);
    }

    /**
     * The core's context of this object.
     *
     * @return the context given to the constructor.
     */
    public final ObjectContext context()
    {
        return context;
    }

    /**
     * The cache this object belongs to.
     *
     * @return the cache context.
     */
    public final CacheContext cache()
    {
        return context.cache();
    }

    /**
     * The parent object in the same cache: the index that holds this object's entry.
     *
     * @return the parent, or null for the master index.
     */
    public final CacheObject parent()
    {
        return context.parent();
    }

    /**
     * The debugging id ({@code debug_id}); {@link #toString()} prints it as {@code OBJ%x}.
     *
     * @return the id.
     */
    public final int debugId()
    {
        return context.debugId();
    }

    /**
     * The object's state ({@code object->state}). An object should be retired when dropped in
     * {@link ObjectState#RECYCLING}.
     *
     * @return the state.
     */
    public final ObjectState state()
    {
        return context.state();
    }

    /**
     * The cookie type: index, data file or another type.
     *
     * @return the type.
     */
    public final CookieType type()
    {
        return context.type();
    }

    /**
     * The name of the cookie definition, for display.
     *
     * @return the name, possibly empty.
     */
    public final String cookieName()
    {
        return context.cookieName();
    }

    /**
     * The object's key in its parent index ({@code cookie->def->get_key}).
     *
     * @return a fresh copy of the key.
     */
    public final byte[] key()
    {
        return context.key();
    }

    /**
     * The netfs's current auxiliary data ({@code cookie->def->get_aux}), as read at acquisition or at the last
     * {@code update}.
     *
     * @return a fresh copy, possibly empty.
     */
    public final byte[] aux()
    {
        return context.aux();
    }

    /**
     * The netfs's size of the object ({@code cookie->def->get_attr}), as read at acquisition or at the last
     * {@code attrChanged}.
     *
     * @return bytes.
     */
    public final long objectSize()
    {
        return context.objectSize();
    }

    /**
     * The store limit in pages ({@code object->store_limit}).
     *
     * @return pages, {@link Long#MAX_VALUE} until {@link #setStoreLimit(long)} is called.
     */
    public final long storeLimit()
    {
        return context.storeLimit();
    }

    /**
     * Set the highest byte FS-Cache is willing to try to store for this object ({@code fscache_set_store_limit}).
     * Any page over this limit is rejected by the read, allocate and write calls with {@code NO_BUFS}.
     *
     * @param size the size in bytes; rounded up to whole pages.
     */
    public final void setStoreLimit(final long size)
    {
        context.setStoreLimit(size);
    }

    /**
     * Ask the netfs to perform a coherency check on this object, just looked up ({@code fscache_check_aux}).
     * On {@link CheckAux#NEEDS_UPDATE} the backend rewrites the stored auxiliary data with {@link #aux()}; on
     * {@link CheckAux#OBSOLETE} it discards the object and its data (and children) and creates it afresh.
     *
     * @param aux the auxiliary data found in the cache.
     * @return the netfs's verdict; {@link CheckAux#OKAY} if the netfs has no check.
     */
    public final CheckAux checkAux(final byte[] aux)
    {
        return context.checkAux(aux);
    }

    /**
     * Report a negative lookup ({@code fscache_object_lookup_negative}): reads pending on the lookup may go to the
     * server. Only the first call on an object counts.
     */
    public final void lookupNegative()
    {
        context.lookupNegative();
    }

    /**
     * Report that the object was found valid or was created ({@code fscache_obtained_object}); call once per object.
     */
    public final void obtainedObject()
    {
        context.obtainedObject();
    }

    /**
     * Report a fatal lookup error ({@code fscache_object_lookup_error}); the object will be withdrawn.
     */
    public final void lookupError()
    {
        context.lookupError();
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "OBJ" + Integer.toHexString(context.debugId());
    }
}
