package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A real cookie ({@code struct fscache_cookie}): the netfs API on one index, data file or other object. Checks each
 * call's arguments and hands it to the room doing that job:
 * <ul>
 *     <li>{@link CookieBinding}: the backing objects, the lookup and relinquished flags, and the waits on them;</li>
 *     <li>{@link CookieChildren}: acquisition of child cookies, the children held by key;</li>
 *     <li>{@link CookiePages}: the pages marked cached and those being read, marking and uncaching;</li>
 *     <li>{@link CookieReads}: page reads and allocations, and the retrievals kept for reuse;</li>
 *     <li>{@link CookieWrites}: the write queue, supersede of queued writes, the waits on writes, page release;</li>
 *     <li>{@link CookieObjectCalls}: update, attribute change, pin, unpin, reserve;</li>
 *     <li>{@link CookieTeardown}: relinquishment, and withdrawal of an object whose cache goes away.</li>
 * </ul>
 * Index cookies have no pages, reads or writes ({@link #pages}, {@link #reads} and {@link #writes} are null).
 * <h2>Threading</h2>
 * Created by the acquiring thread; then used from any thread. All mutable state, in every room and in the cookie's
 * backing objects ({@link FsObject}), is guarded by {@link #lock}; {@link #changed} is signalled whenever a waiter's
 * condition may have changed (lookup finished, operation started or cancelled, page write ended). The lock is never
 * held while calling the backend or the netfs. Lock order: a child cookie's lock before its parent's.
 */
final class CookieImpl implements Cookie
{
    final CacheEngine engine;
    final CookieImpl parent;
    final CookieDefinition<Object> def;
    final Object data;
    final CookieType type;
    final String name;
    final byte[] key;
    final Cookies.Traits traits;
    volatile byte[] aux;
    volatile long size;

    final ReentrantLock lock = new SpinningLock();
    final Condition changed = lock.newCondition();

    final CookieBinding binding;
    final CookieChildren children;
    final CookiePages pages;
    final CookieReads reads;
    final CookieWrites writes;
    final CookieObjectCalls calls;
    final CookieTeardown teardown;

    @SuppressWarnings("unchecked")
    CookieImpl(
        final CacheEngine engine,
        final CookieImpl parent,
        final CookieDefinition<?> def,
        final String name,
        final Object data,
        final byte[] key,
        final byte[] aux)
    {
        this.engine = engine;
        this.parent = parent;
        this.def = (CookieDefinition<Object>)def;
        this.data = data;
        this.type = def.type();
        this.name = Cookies.displayName(def, name);
        this.key = key;
        this.aux = aux;
        this.traits = Cookies.traits(def);
        this.binding = new CookieBinding(this);
        this.children = new CookieChildren(this);
        if (type.isIndex())
        {
            pages = null;
            reads = null;
            writes = null;
        }
        else
        {
            pages = new CookiePages(this);
            reads = new CookieReads(this);
            writes = new CookieWrites(this);
        }
        this.calls = new CookieObjectCalls(this);
        this.teardown = new CookieTeardown(this);
    }

    public boolean isNoop()
    {
        return false;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Acquisition, update, relinquishment.
    // ---------------------------------------------------------------------------------------------------------------

    public <D> Cookie acquire(final CookieDefinition<D> def, final D data)
    {
        final String defName = Cookies.validateDefinition(def);
        if (def.type().isIndex() && !type.isIndex())
        {
            throw new IllegalArgumentException("index cookie '" + Cookies.displayName(def, defName) +
                "' cannot be acquired under non-index cookie '" + name + "'");
        }

        final byte[] childKey = def.key(data);
        if (null == childKey)
        {
            throw new IllegalArgumentException("cookie '" + Cookies.displayName(def, defName) + "' has a null key");
        }
        final byte[] childAux = nonNull(def.aux(data));
        Cookies.checkKeyAndAux(Cookies.displayName(def, defName), childKey.length, childAux.length);

        return children.acquire(def, defName, data, childKey, childAux);
    }

    /**
     * Create a child without statistics (netfs primary indices).
     */
    CookieImpl createChild(final CookieDefinition<?> def, final Object data, final byte[] key, final byte[] aux)
    {
        return children.create(def, data, key, aux);
    }

    void removeChild(final CookieImpl child)
    {
        children.remove(child);
    }

    public void update()
    {
        engine.counters().inc(StatCounter.UPDATES);
        final byte[] newAux = nonNull(def.aux(data)).clone();
        Cookies.checkKeyAndAux(name, key.length, newAux.length);
        calls.update(newAux);
    }

    public void relinquish(final boolean retire)
    {
        engine.counters().inc(StatCounter.RELINQUISHES);
        teardown.relinquish(retire);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Attributes, pinning, reservation.
    // ---------------------------------------------------------------------------------------------------------------

    public Result attrChanged()
    {
        requireDataCookie("attrChanged");
        engine.counters().inc(StatCounter.ATTR_CHANGED);
        final long newSize = def.size(data);
        if (newSize < 0)
        {
            throw new IllegalArgumentException("cookie '" + name + "' reported a negative size: " + newSize);
        }

        return calls.attrChanged(newSize);
    }

    public Result pin()
    {
        requireDataCookie("pin");
        return calls.pin();
    }

    public void unpin()
    {
        requireDataCookie("unpin");
        calls.unpin();
    }

    public Result reserveSpace(final long size)
    {
        requireDataCookie("reserveSpace");
        if (size < 0)
        {
            throw new IllegalArgumentException("reservation size must be >= 0: " + size);
        }
        return calls.reserveSpace(size);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Reads and allocations.
    // ---------------------------------------------------------------------------------------------------------------

    @SuppressWarnings("unchecked")
    public <C> Result readOrAllocPage(
        final CachePage page, final ReadCompletion<? super C> callback, final C context)
    {
        requireDataCookie("readOrAllocPage");
        checkPage(page);
        if (null == callback)
        {
            throw new IllegalArgumentException("read completion callback must not be null");
        }

        return reads.readOrAllocPage(page, (ReadCompletion<Object>)callback, context);
    }

    @SuppressWarnings("unchecked")
    public <C> Result readOrAllocPages(
        final List<CachePage> pages, final ReadCompletion<? super C> callback, final C context)
    {
        requireDataCookie("readOrAllocPages");
        if (null == pages)
        {
            throw new IllegalArgumentException("page list must not be null");
        }
        if (null == callback)
        {
            throw new IllegalArgumentException("read completion callback must not be null");
        }
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            checkPage(pages.get(i));
        }

        return reads.readOrAllocPages(pages, (ReadCompletion<Object>)callback, context);
    }

    public int readResident(final long position, final ByteBuffer dst, final int offset, final int length)
    {
        requireDataCookie("readResident");
        if (position < 0)
        {
            throw new IllegalArgumentException("position must be >= 0: " + position);
        }
        if (null == dst)
        {
            throw new IllegalArgumentException("buffer must not be null");
        }
        java.util.Objects.checkFromIndexSize(offset, length, dst.limit());
        return length == 0 ? 0 : reads.readResident(position, dst, offset, length);
    }

    public Result allocPage(final CachePage page)
    {
        requireDataCookie("allocPage");
        checkPage(page);
        return reads.allocPage(page);
    }

    /**
     * Takes back a retrieval that completed and that nothing refers to any more (called once per retrieval).
     */
    void offerSpare(final RetrievalOp op)
    {
        reads.offerSpare(op);
    }

    /**
     * @return the first retrieval kept for reuse, or null (for tests).
     */
    RetrievalOp spareRetrieval()
    {
        return reads.spareRetrieval();
    }

    /**
     * A read ended through {@link RetrievalOp#endIo}.
     */
    void readEnded(final CachePage page)
    {
        pages.unreserve(page);
    }

    void markPagesCached(final RetrievalOp op, final CachePage page)
    {
        pages.markPagesCached(op, page);
    }

    void markPagesCached(final RetrievalOp op, final List<CachePage> pages)
    {
        this.pages.markPagesCached(op, pages);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Writes and uncaching.
    // ---------------------------------------------------------------------------------------------------------------

    public Result writePage(final CachePage page)
    {
        requireDataCookie("writePage");
        checkPage(page);
        return writes.writePage(page);
    }

    boolean hasPendingStoresLocked()
    {
        return null != writes && writes.hasPendingStoresLocked();
    }

    /**
     * Take the next pending page for the storage operation; pages at or over the limit are superseded (ended
     * without being written).
     */
    CachePage takePendingStoreLocked(final long limit)
    {
        return writes.takePendingStoreLocked(limit);
    }

    /**
     * Ends the writes of pages the storage operation took together, waking waiters once.
     */
    void endPageWritesLocked(final List<CachePage> pages)
    {
        writes.endPageWritesLocked(pages);
    }

    void cancelPendingStoresLocked()
    {
        if (null != writes)
        {
            writes.cancelPendingStoresLocked();
        }
    }

    public void uncachePage(final CachePage page)
    {
        requireDataCookie("uncachePage");
        if (null == page)
        {
            throw new IllegalArgumentException("page must not be null");
        }

        pages.uncachePage(page);
    }

    public void uncachePages(final List<CachePage> pages)
    {
        requireDataCookie("uncachePages");
        if (null == pages)
        {
            throw new IllegalArgumentException("page list must not be null");
        }

        this.pages.uncachePages(pages);
    }

    public boolean checkPageWrite(final CachePage page)
    {
        requireDataCookie("checkPageWrite");
        return writes.checkPageWrite(page);
    }

    public void waitOnPageWrite(final CachePage page)
    {
        requireDataCookie("waitOnPageWrite");
        writes.waitOnPageWrite(page);
    }

    public boolean waitOnPageWrite(final CachePage page, final long timeout, final TimeUnit unit)
    {
        requireDataCookie("waitOnPageWrite");
        return writes.waitOnPageWrite(page, timeout, unit);
    }

    public boolean maybeReleasePage(final CachePage page)
    {
        requireDataCookie("maybeReleasePage");
        return writes.maybeReleasePage(page);
    }

    public void uncacheAllPages()
    {
        requireDataCookie("uncacheAllPages");
        writes.uncacheAllPages();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Object binding, called by FsObject, ObjectBinder and CacheRegistry.
    // ---------------------------------------------------------------------------------------------------------------

    FsObject firstObjectLocked()
    {
        return binding.firstObjectLocked();
    }

    FsObject objectInLocked(final CacheImpl cache)
    {
        return binding.objectInLocked(cache);
    }

    void attachLocked(final FsObject object)
    {
        binding.attachLocked(object);
    }

    void markLookingUpLocked()
    {
        binding.markLookingUpLocked();
    }

    void detachLocked(final FsObject object)
    {
        binding.removeLocked(object);
        cancelPendingStoresLocked();
        binding.lookupFinishedLocked();
    }

    void lookupNegativeLocked()
    {
        binding.lookupNegativeLocked();
    }

    void lookupPositiveLocked()
    {
        binding.lookupPositiveLocked();
    }

    void lookupFinishedLocked()
    {
        binding.lookupFinishedLocked();
    }

    /**
     * Unbind an object of a cache being withdrawn: tear down page tracking, end in-flight reads, tell the netfs.
     */
    void withdrawObject(final FsObject object)
    {
        teardown.withdrawObject(object);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Checks.
    // ---------------------------------------------------------------------------------------------------------------

    private void requireDataCookie(final String operation)
    {
        if (type.isIndex())
        {
            throw new IllegalStateException(operation + " is for data cookies only: cookie '" + name +
                "' is an index");
        }
    }

    private void checkPage(final CachePage page)
    {
        if (null == page)
        {
            throw new IllegalArgumentException("page must not be null");
        }

        final int pageSize = engine.pageSize();
        if (page.buffer().capacity() != pageSize)
        {
            throw new IllegalArgumentException("page " + page.index() + " buffer capacity " +
                page.buffer().capacity() + " does not match the page size " + pageSize);
        }
    }

    private static byte[] nonNull(final byte[] bytes)
    {
        return null == bytes ? Cookies.EMPTY_BYTES : bytes;
    }

    public String toString()
    {
        return "Cookie{" + name + ", " + type + '}';
    }
}
