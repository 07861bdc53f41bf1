package org.cachefs.fscache.engine;

import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.StatCounter;

import java.nio.ByteBuffer;
import java.util.HashMap;
import java.util.concurrent.locks.ReentrantLock;

/**
 * The child cookies of one cookie ({@code fscache_acquire_cookie} under it): creates them, binds the non-index ones
 * to objects, and keeps those acquired and not relinquished by key. An object is identified by its parent and key,
 * so a second cookie of a key still held could only wait for the first one's object to die: it gets the no-op cookie.
 * <p>
 * Threading: acquisition runs on the acquiring thread; the children are guarded by the parent cookie's lock
 * ({@link CookieImpl#lock}), which a child's relinquishment takes after the child's own.
 */
final class CookieChildren
{
    private final CookieImpl cookie;
    private final ReentrantLock lock;
    private int count;
    private HashMap<ByteBuffer, CookieImpl> byKey;

    CookieChildren(final CookieImpl cookie)
    {
        this.cookie = cookie;
        this.lock = cookie.lock;
    }

    /**
     * Acquire a child of a checked definition, key and aux data (copied here).
     */
    <D> Cookie acquire(
        final CookieDefinition<D> def, final String defName, final D data, final byte[] childKey, final byte[] childAux)
    {
        final CacheEngine engine = cookie.engine;
        final Stats stats = engine.counters();
        stats.inc(StatCounter.ACQUIRES);
        final CookieImpl child = new CookieImpl(
            engine, cookie, def, defName, data, childKey.clone(), childAux.clone());
        if (!add(child))
        {
            stats.inc(StatCounter.ACQUIRES_DUPLICATE);
            return engine.noopCookie();
        }
        if (!child.type.isIndex())
        {
            child.size = def.size(data);
        }
        stats.inc(child.type.isIndex() ? StatCounter.COOKIES_INDEX :
            child.type == CookieType.DATAFILE ? StatCounter.COOKIES_DATA : StatCounter.COOKIES_SPECIAL);

        if (child.type.isIndex())
        {
            stats.inc(StatCounter.ACQUIRES_OK);
            return child;
        }

        return engine.binder.bindNonIndex(child);
    }

    /**
     * Create a child without statistics (netfs primary indices).
     */
    CookieImpl create(final CookieDefinition<?> def, final Object data, final byte[] key, final byte[] aux)
    {
        final CookieImpl child = new CookieImpl(cookie.engine, cookie, def, def.name(), data, key, aux);
        if (!add(child))
        {
            throw new IllegalStateException("cookie '" + child.name + "' is already acquired");
        }
        return child;
    }

    /**
     * @return false if a child of the same key is held.
     */
    private boolean add(final CookieImpl child)
    {
        lock.lock();
        try
        {
            if (cookie.binding.isRelinquished())
            {
                throw new IllegalStateException(
                    "cannot acquire a cookie under relinquished cookie '" + cookie.name + "'");
            }
            if (null == byKey)
            {
                byKey = new HashMap<>();
            }
            if (null != byKey.putIfAbsent(ByteBuffer.wrap(child.key), child))
            {
                return false;
            }
            count++;
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    void remove(final CookieImpl child)
    {
        lock.lock();
        try
        {
            count--;
            byKey.remove(ByteBuffer.wrap(child.key), child);
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return the children acquired and not relinquished.
     */
    int countLocked()
    {
        return count;
    }
}
