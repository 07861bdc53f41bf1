package org.cachefs.fscache;

import org.agrona.collections.Long2ObjectHashMap;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheObject;

import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.HashMap;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * A real cookie ({@code struct fscache_cookie}): the netfs API on one index, data file or other object.
 * <h2>Threading</h2>
 * Created by the acquiring thread; then used from any thread. All mutable state, including that of the cookie's
 * backing objects ({@link FsObject}), is guarded by {@link #lock}; {@link #changed} is signalled whenever a waiter's
 * condition may have changed (lookup finished, operation started or cancelled, page write ended). The lock is never
 * held while calling the backend or the netfs. Lock order: a child cookie's lock before its parent's.
 * <h2>Page tracking (data cookies)</h2>
 * {@link #tracked}: pages the backend marked cached (PG_fscache), until uncached. {@link #reading}: pages in a read
 * call or with a read in flight. Both may hold several pages of one index (netfs threads with a page each).
 * {@link #pendingStores}: pages whose write is queued and not yet handed to the backend, in submission order, at most
 * one per index ({@link #queuedStores}): a write of another page of an index whose write is still queued supersedes
 * it, so the cache keeps the last page written. A page being written by the storage operation carries
 * {@link CachePage#STORING}; the object's single storage operation writes batches one after another, so a write
 * queued behind a write in progress of the same index reaches the backend after it.
 */
final class CookieImpl implements Cookie
{
    static final int LOOKING_UP = 1;
    static final int CREATING = 1 << 1;
    static final int NO_DATA_YET = 1 << 2;
    static final int RELINQUISHED = 1 << 3;

    final FsCache fsCache;
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

    private volatile int flags;
    private int nChildren;
    /**
     * Children acquired and not relinquished, by key: an object is identified by its parent and key, so a second
     * cookie of a key still held could only wait for the first one's object to die. It gets the no-op cookie.
     */
    private HashMap<ByteBuffer, CookieImpl> children;
    private final ArrayList<FsObject> backing = new ArrayList<>(1);

    private final PageSet tracked;
    private final PageSet reading;
    private final Long2ObjectHashMap<CachePage> queuedStores;
    private final ArrayDeque<CachePage> pendingStores;

    @SuppressWarnings("unchecked")
    CookieImpl(
        final FsCache fsCache,
        final CookieImpl parent,
        final CookieDefinition<?> def,
        final String name,
        final Object data,
        final byte[] key,
        final byte[] aux)
    {
        this.fsCache = fsCache;
        this.parent = parent;
        this.def = (CookieDefinition<Object>)def;
        this.data = data;
        this.type = def.type();
        this.name = Cookies.displayName(def, name);
        this.key = key;
        this.aux = aux;
        this.traits = Cookies.traits(def);
        if (type.isIndex())
        {
            tracked = null;
            reading = null;
            queuedStores = null;
            pendingStores = null;
        }
        else
        {
            tracked = new PageSet(PageSet.TRACKED);
            reading = new PageSet(PageSet.READING);
            queuedStores = new Long2ObjectHashMap<>();
            pendingStores = new ArrayDeque<>();
        }
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
        final Stats stats = fsCache.counters();
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

        stats.inc(StatCounter.ACQUIRES);
        final CookieImpl child = new CookieImpl(
            fsCache, this, def, defName, data, childKey.clone(), childAux.clone());
        if (!addChild(child))
        {
            stats.inc(StatCounter.ACQUIRES_DUPLICATE);
            return fsCache.noopCookie();
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

        return fsCache.bindNonIndex(child);
    }

    /**
     * Create a child without statistics (netfs primary indices).
     */
    CookieImpl createChild(final CookieDefinition<?> def, final Object data, final byte[] key, final byte[] aux)
    {
        final CookieImpl child = new CookieImpl(fsCache, this, def, def.name(), data, key, aux);
        if (!addChild(child))
        {
            throw new IllegalStateException("cookie '" + child.name + "' is already acquired");
        }
        return child;
    }

    /**
     * @return false if a child of the same key is held.
     */
    private boolean addChild(final CookieImpl child)
    {
        lock.lock();
        try
        {
            if ((flags & RELINQUISHED) != 0)
            {
                throw new IllegalStateException("cannot acquire a cookie under relinquished cookie '" + name + "'");
            }
            if (null == children)
            {
                children = new HashMap<>();
            }
            if (null != children.putIfAbsent(ByteBuffer.wrap(child.key), child))
            {
                return false;
            }
            nChildren++;
            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    void removeChild(final CookieImpl child)
    {
        lock.lock();
        try
        {
            nChildren--;
            children.remove(ByteBuffer.wrap(child.key), child);
        }
        finally
        {
            lock.unlock();
        }
    }

    public void update()
    {
        fsCache.counters().inc(StatCounter.UPDATES);
        final byte[] newAux = nonNull(def.aux(data)).clone();
        Cookies.checkKeyAndAux(name, key.length, newAux.length);
        lock.lock();
        try
        {
            checkNotRelinquishedLocked("update");
            aux = newAux;
            for (int i = 0, n = backing.size(); i < n; i++)
            {
                backing.get(i).raiseEventLocked(FsObject.EV_UPDATE);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    public void relinquish(final boolean retire)
    {
        fsCache.counters().inc(StatCounter.RELINQUISHES);
        lock.lock();
        try
        {
            checkNotAlreadyRelinquishedLocked();
            checkRelinquishableLocked();
            if ((flags & CREATING) != 0)
            {
                fsCache.counters().inc(StatCounter.RELINQUISHES_WAIT_CREATE);
                while ((flags & CREATING) != 0)
                {
                    changed.awaitUninterruptibly();
                }
                checkNotAlreadyRelinquishedLocked();
                checkRelinquishableLocked();
            }

            flags |= RELINQUISHED;
            if (retire && !type.isIndex())
            {
                cancelPendingStoresLocked();
            }

            for (int i = 0, n = backing.size(); i < n; i++)
            {
                if (retire)
                {
                    backing.get(i).raiseEventLocked(FsObject.EV_RETIRE);
                }
                else
                {
                    backing.get(i).releaseLocked();
                }
            }
        }
        finally
        {
            lock.unlock();
        }

        if (null != parent)
        {
            parent.removeChild(this);
        }
    }

    private void checkNotAlreadyRelinquishedLocked()
    {
        if ((flags & RELINQUISHED) != 0)
        {
            throw new IllegalStateException("cookie '" + name + "' was already relinquished");
        }
    }

    private void checkRelinquishableLocked()
    {
        if (nChildren > 0)
        {
            throw new IllegalStateException("cannot relinquish cookie '" + name + "': " + nChildren +
                " child cookie(s) still acquired; relinquish them first");
        }

        if (null != tracked && !tracked.isEmpty())
        {
            throw new IllegalStateException("cannot relinquish cookie '" + name + "': " + tracked.size() +
                " page(s) still marked cached; uncache them first");
        }
    }

    boolean isRelinquished()
    {
        return (flags & RELINQUISHED) != 0;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Attributes, pinning, reservation.
    // ---------------------------------------------------------------------------------------------------------------

    public Result attrChanged()
    {
        requireDataCookie("attrChanged");
        final Stats stats = fsCache.counters();
        stats.inc(StatCounter.ATTR_CHANGED);
        final long newSize = def.size(data);
        if (newSize < 0)
        {
            throw new IllegalArgumentException("cookie '" + name + "' reported a negative size: " + newSize);
        }

        lock.lock();
        try
        {
            checkNotRelinquishedLocked("attrChanged");
            if (newSize < size)
            {
                cancelQueuedStoresFromLocked((newSize + fsCache.pageSize() - 1) / fsCache.pageSize());
            }
            size = newSize;
            final FsObject object = firstObjectLocked();
            if (null == object || !object.submitLocked(new AttrChangedOp(object, newSize)))
            {
                stats.inc(StatCounter.ATTR_CHANGED_NO_BUFS);
                return Result.NO_BUFS;
            }
            object.attrOps++;
            stats.inc(StatCounter.ATTR_CHANGED_OK);
            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    public Result pin()
    {
        requireDataCookie("pin");
        return runCallerOp(CALLER_PIN, 0);
    }

    public void unpin()
    {
        requireDataCookie("unpin");
        runCallerOp(CALLER_UNPIN, 0);
    }

    public Result reserveSpace(final long size)
    {
        requireDataCookie("reserveSpace");
        if (size < 0)
        {
            throw new IllegalArgumentException("reservation size must be >= 0: " + size);
        }
        return runCallerOp(CALLER_RESERVE, size);
    }

    private static final int CALLER_PIN = 0;
    private static final int CALLER_UNPIN = 1;
    private static final int CALLER_RESERVE = 2;

    private Result runCallerOp(final int kind, final long reserveSize)
    {
        final CallerOp op;
        lock.lock();
        try
        {
            checkNotRelinquishedLocked(kind == CALLER_PIN ? "pin" : kind == CALLER_UNPIN ? "unpin" : "reserveSpace");
            if (null == firstObjectLocked())
            {
                return Result.NO_BUFS;
            }

            while ((flags & LOOKING_UP) != 0)
            {
                changed.awaitUninterruptibly();
            }

            final FsObject object = firstObjectLocked();
            if (null == object)
            {
                return Result.NO_BUFS;
            }

            op = new CallerOp(object);
            if (!object.submitLocked(op))
            {
                return Result.NO_BUFS;
            }
        }
        finally
        {
            lock.unlock();
        }

        final FsObject object = op.object;
        Result result = Result.NO_BUFS;
        try
        {
            if (awaitStarted(op, null) && object.isActive())
            {
                final CacheObject grabbed = object.grab();
                if (null != grabbed)
                {
                    final CacheBackend backend = object.cache.backend;
                    try
                    {
                        backend.lockObject(grabbed);
                        try
                        {
                            switch (kind)
                            {
                                case CALLER_PIN:
                                    result = backend.pinObject(grabbed);
                                    break;

                                case CALLER_UNPIN:
                                    backend.unpinObject(grabbed);
                                    result = Result.OK;
                                    break;

                                default:
                                    result = backend.reserveSpace(grabbed, reserveSize);
                                    break;
                            }
                        }
                        finally
                        {
                            backend.unlockObject(grabbed);
                        }
                    }
                    catch (final RuntimeException | LinkageError | AssertionError ex)
                    {
                        fsCache.backendFailed(object.cache, ex);
                        result = Result.IO_ERROR;
                    }
                    finally
                    {
                        object.release(grabbed);
                    }
                }
            }
        }
        finally
        {
            lock.lock();
            try
            {
                object.completeLocked(op);
            }
            finally
            {
                lock.unlock();
            }
        }

        return null == result ? Result.NO_BUFS : result;
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

        final Stats stats = fsCache.counters();
        stats.inc(StatCounter.RETRIEVALS);
        final RetrievalOp op;
        lock.lock();
        try
        {
            checkNotRelinquishedLocked("readOrAllocPage");
            checkNotTrackedLocked(page);
            if (null == firstObjectLocked())
            {
                return countRetrieval(Result.NO_BUFS);
            }

            if (!awaitLookupLocked(StatCounter.RETRIEVALS_WAIT))
            {
                return countRetrieval(Result.INTERRUPTED);
            }

            final FsObject object = firstObjectLocked();
            if (null == object || object.isOverStoreLimitLocked(page))
            {
                return countRetrieval(Result.NO_BUFS);
            }

            checkNotTrackedLocked(page);
            op = retrievalLocked(object, (ReadCompletion<Object>)callback, context);
            if (!object.submitLocked(op))
            {
                return countRetrieval(Result.NO_BUFS);
            }
            reading.add(page);
            stats.inc(StatCounter.RETRIEVAL_OPS);
        }
        finally
        {
            lock.unlock();
        }

        if (!awaitStarted(op, StatCounter.RETRIEVAL_OP_WAITS) || !op.begin() ||
            page.index() >= op.object.storeLimit())
        {
            unreserve(page);
            op.put();
            return countRetrieval(Result.NO_BUFS);
        }

        final boolean read = (flags & NO_DATA_YET) == 0;
        Result result;
        if (read)
        {
            op.prepareRead(page);
        }
        else
        {
            unreserve(page);
        }

        final CacheBackend backend = op.object.cache.backend;
        try
        {
            result = read ? backend.readOrAllocPage(op, page) : backend.allocatePage(op, page);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.backendFailed(op.object.cache, ex);
            result = Result.NO_BUFS;
        }

        if (read)
        {
            if (!op.settleRead(page, result == Result.OK))
            {
                unreserve(page);
                result = normaliseRetrieval(result);
            }
            else
            {
                result = Result.OK;
            }
        }
        else
        {
            result = result == Result.OK ? Result.NO_DATA : normaliseRetrieval(result);
        }

        op.put();
        return countRetrieval(result);
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

        final Stats stats = fsCache.counters();
        stats.inc(StatCounter.RETRIEVALS);
        if (pages.isEmpty())
        {
            return countRetrieval(Result.OK);
        }

        final RetrievalOp op;
        lock.lock();
        try
        {
            checkNotRelinquishedLocked("readOrAllocPages");
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                checkNotTrackedLocked(pages.get(i));
            }
            if (null == firstObjectLocked())
            {
                return countRetrieval(Result.NO_BUFS);
            }

            if (!awaitLookupLocked(StatCounter.RETRIEVALS_WAIT))
            {
                return countRetrieval(Result.INTERRUPTED);
            }

            final FsObject object = firstObjectLocked();
            if (null == object)
            {
                return countRetrieval(Result.NO_BUFS);
            }

            reserveAllLocked(pages);
            op = retrievalLocked(object, (ReadCompletion<Object>)callback, context);
            if (!object.submitLocked(op))
            {
                unreserveAllLocked(pages);
                return countRetrieval(Result.NO_BUFS);
            }
            stats.inc(StatCounter.RETRIEVAL_OPS);
        }
        finally
        {
            lock.unlock();
        }

        if (!awaitStarted(op, StatCounter.RETRIEVAL_OP_WAITS) || !op.begin())
        {
            unreserveAll(pages);
            op.put();
            return countRetrieval(Result.NO_BUFS);
        }

        final long limit = op.object.storeLimit();
        int eligible = 0;
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            if (pages.get(i).index() < limit)
            {
                eligible++;
            }
        }

        final List<CachePage> forBackend;
        if (eligible == pages.size())
        {
            forBackend = pages;
        }
        else
        {
            forBackend = new ArrayList<>(eligible);
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                final CachePage page = pages.get(i);
                if (page.index() < limit)
                {
                    forBackend.add(page);
                }
                else
                {
                    unreserve(page);
                }
            }
        }

        final boolean read = (flags & NO_DATA_YET) == 0;
        final CacheBackend backend = op.object.cache.backend;
        Result result = Result.OK;
        if (!forBackend.isEmpty())
        {
            if (read)
            {
                for (int i = 0, n = forBackend.size(); i < n; i++)
                {
                    op.prepareRead(forBackend.get(i));
                }
            }
            else
            {
                unreserveAll(forBackend);
            }

            if (read)
            {
                for (int i = 0, n = forBackend.size(); i < n; i++)
                {
                    op.handed.add(forBackend.get(i));
                }
                op.inCall = Thread.currentThread();
            }
            try
            {
                result = read ? backend.readOrAllocPages(op, forBackend) : backend.allocatePages(op, forBackend);
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                fsCache.backendFailed(op.object.cache, ex);
                result = Result.NO_BUFS;
            }

            if (read)
            {
                op.inCall = null;
                readsEndedInCall(op.handed);
                op.handed.clear();
                for (int i = 0, n = forBackend.size(); i < n; i++)
                {
                    final CachePage page = forBackend.get(i);
                    if (!op.settleRead(page, false))
                    {
                        unreserve(page);
                        page.setBits(CachePage.NOT_DISPATCHED);
                    }
                }

                if (forBackend != pages)
                {
                    for (int i = pages.size() - 1; i >= 0; i--)
                    {
                        final CachePage page = pages.get(i);
                        if (page.index() < limit && !page.hasBits(CachePage.NOT_DISPATCHED))
                        {
                            pages.remove(i);
                        }
                    }
                }

                for (int i = 0, n = pages.size(); i < n; i++)
                {
                    pages.get(i).clearBits(CachePage.NOT_DISPATCHED);
                }
            }
        }

        if (result != Result.NO_MEM && result != Result.INTERRUPTED)
        {
            result = remainingOutcome(pages);
        }

        op.put();
        return countRetrieval(result);
    }

    /**
     * The combined outcome of the pages left in the list: NO_BUFS if any is not marked, else NO_DATA if any, else OK.
     */
    private Result remainingOutcome(final List<CachePage> pages)
    {
        if (pages.isEmpty())
        {
            return Result.OK;
        }

        lock.lock();
        try
        {
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                final CachePage page = pages.get(i);
                if (!tracked.contains(page))
                {
                    return Result.NO_BUFS;
                }
            }
        }
        finally
        {
            lock.unlock();
        }

        return Result.NO_DATA;
    }

    public Result allocPage(final CachePage page)
    {
        requireDataCookie("allocPage");
        checkPage(page);
        final Stats stats = fsCache.counters();
        stats.inc(StatCounter.ALLOCS);
        final RetrievalOp op;
        lock.lock();
        try
        {
            checkNotRelinquishedLocked("allocPage");
            checkNotTrackedLocked(page);
            if (null == firstObjectLocked())
            {
                return countAlloc(Result.NO_BUFS);
            }

            if (!awaitLookupLocked(StatCounter.ALLOCS_WAIT))
            {
                return Result.INTERRUPTED;
            }

            final FsObject object = firstObjectLocked();
            if (null == object || object.isOverStoreLimitLocked(page))
            {
                return countAlloc(Result.NO_BUFS);
            }

            checkNotTrackedLocked(page);
            op = retrievalLocked(object, null, null);
            if (!object.submitLocked(op))
            {
                return countAlloc(Result.NO_BUFS);
            }
            stats.inc(StatCounter.ALLOC_OPS);
        }
        finally
        {
            lock.unlock();
        }

        if (!awaitStarted(op, StatCounter.ALLOC_OP_WAITS) || !op.begin() || page.index() >= op.object.storeLimit())
        {
            op.put();
            return countAlloc(Result.NO_BUFS);
        }

        Result result;
        try
        {
            result = op.object.cache.backend.allocatePage(op, page);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.backendFailed(op.object.cache, ex);
            result = Result.NO_BUFS;
        }

        op.put();
        return countAlloc(result == Result.OK || result == Result.NO_MEM ? result : Result.NO_BUFS);
    }

    private Result countRetrieval(final Result result)
    {
        final Stats stats = fsCache.counters();
        switch (result)
        {
            case OK:
                stats.inc(StatCounter.RETRIEVALS_OK);
                break;

            case NO_DATA:
                stats.inc(StatCounter.RETRIEVALS_NO_DATA);
                break;

            case NO_MEM:
                stats.inc(StatCounter.RETRIEVALS_NO_MEM);
                break;

            case INTERRUPTED:
                stats.inc(StatCounter.RETRIEVALS_INTERRUPTED);
                break;

            default:
                stats.inc(StatCounter.RETRIEVALS_NO_BUFS);
                break;
        }

        return result;
    }

    private Result countAlloc(final Result result)
    {
        fsCache.counters().inc(result == Result.OK ? StatCounter.ALLOCS_OK : StatCounter.ALLOCS_NO_BUFS);
        return result;
    }

    private static Result normaliseRetrieval(final Result result)
    {
        if (result == Result.NO_DATA || result == Result.NO_MEM || result == Result.INTERRUPTED)
        {
            return result;
        }

        return Result.NO_BUFS;
    }

    /**
     * Wait for the lookup, interruptibly.
     *
     * @return false if interrupted (the interrupt status is restored).
     */
    private boolean awaitLookupLocked(final StatCounter waitCounter)
    {
        if ((flags & LOOKING_UP) == 0)
        {
            return true;
        }

        fsCache.counters().inc(waitCounter);
        while ((flags & LOOKING_UP) != 0)
        {
            try
            {
                changed.await();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                return false;
            }
        }

        return true;
    }

    /**
     * Wait for an operation to leave the pending state.
     *
     * @return true if it started, false if it was cancelled.
     */
    private boolean awaitStarted(final Operation op, final StatCounter waitCounter)
    {
        lock.lock();
        try
        {
            if (op.state == Operation.PENDING)
            {
                if (null != waitCounter)
                {
                    fsCache.counters().inc(waitCounter);
                }
                while (op.state == Operation.PENDING)
                {
                    changed.awaitUninterruptibly();
                }
            }

            return op.state == Operation.IN_PROGRESS;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Enters the pages of a list as being read; an index listed twice is refused (the pages of one call are one per
     * index; other calls may read other pages of the same indexes).
     */
    private void reserveAllLocked(final List<CachePage> pages)
    {
        final int n = pages.size();
        int listed = 0;
        try
        {
            for (; listed < n; listed++)
            {
                final CachePage page = pages.get(listed);
                if (page.hasBits(CachePage.LISTED))
                {
                    throw duplicateInList(page);
                }
                for (CachePage other = reading.first(page.index()); null != other; other = other.nextReading)
                {
                    if (other.hasBits(CachePage.LISTED))
                    {
                        throw duplicateInList(page);
                    }
                }
                page.setBits(CachePage.LISTED);
                reading.add(page);
            }
        }
        catch (final IllegalArgumentException ex)
        {
            for (int j = 0; j < listed; j++)
            {
                reading.remove(pages.get(j));
            }
            throw ex;
        }
        finally
        {
            for (int j = 0; j < listed; j++)
            {
                pages.get(j).clearBits(CachePage.LISTED);
            }
        }
    }

    private static IllegalArgumentException duplicateInList(final CachePage page)
    {
        return new IllegalArgumentException("page index " + page.index() + " appears twice in the list");
    }

    private void unreserveAllLocked(final List<CachePage> pages)
    {
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            reading.remove(pages.get(i));
        }
    }

    private void unreserveAll(final List<CachePage> pages)
    {
        lock.lock();
        try
        {
            unreserveAllLocked(pages);
        }
        finally
        {
            lock.unlock();
        }
    }

    private void unreserve(final CachePage page)
    {
        lock.lock();
        try
        {
            reading.remove(page);
        }
        finally
        {
            lock.unlock();
        }
    }

    /** Spare retrievals kept per cookie: as many as threads commonly read one file at once. */
    private static final int SPARES = 8;

    /** Retrievals released by every holder, kept for this cookie's next ones on the same object. */
    private final java.util.concurrent.atomic.AtomicReferenceArray<RetrievalOp> spares =
        new java.util.concurrent.atomic.AtomicReferenceArray<>(SPARES);

    /**
     * A retrieval operation on {@code object}: a spare one if one belongs to that object, else a new one.
     */
    private RetrievalOp retrievalLocked(
        final FsObject object, final ReadCompletion<Object> callback, final Object context)
    {
        for (int i = 0; i < SPARES; i++)
        {
            final RetrievalOp recycled = spares.getAndSet(i, null);
            if (null != recycled && recycled.object == object)
            {
                recycled.reuse(callback, context);
                return recycled;
            }
        }
        return new RetrievalOp(this, object, callback, context);
    }

    /**
     * Takes back a retrieval that completed and that nothing refers to any more (called once per retrieval).
     */
    void offerSpare(final RetrievalOp op)
    {
        for (int i = 0; i < SPARES; i++)
        {
            if (spares.compareAndSet(i, null, op))
            {
                return;
            }
        }
    }

    /**
     * @return the first retrieval kept for reuse, or null (for tests).
     */
    RetrievalOp spareRetrieval()
    {
        return spares.get(0);
    }

    /**
     * The pages of a multi-page read whose reads the backend ended within its call, on the calling thread: they
     * leave the reading set under one lock hold rather than one each.
     */
    private void readsEndedInCall(final List<CachePage> handed)
    {
        lock.lock();
        try
        {
            for (int i = 0, n = handed.size(); i < n; i++)
            {
                final CachePage page = handed.get(i);
                if (!page.hasBits(CachePage.READ_PENDING) && null == page.reader)
                {
                    reading.remove(page);
                }
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * A read ended through {@link RetrievalOp#endIo}.
     */
    void readEnded(final CachePage page)
    {
        unreserve(page);
    }

    void markPagesCached(final RetrievalOp op, final CachePage page)
    {
        final boolean marked;
        lock.lock();
        try
        {
            marked = markLocked(op, page);
        }
        finally
        {
            lock.unlock();
        }

        if (marked)
        {
            fsCache.counters().inc(StatCounter.PAGES_MARKED);
            if (traits.marksPages)
            {
                notifyMarked(Collections.singletonList(page));
            }
        }
    }

    void markPagesCached(final RetrievalOp op, final List<CachePage> pages)
    {
        int marked = 0;
        lock.lock();
        try
        {
            for (int i = 0, n = pages.size(); i < n; i++)
            {
                if (markLocked(op, pages.get(i)))
                {
                    marked++;
                }
            }
        }
        finally
        {
            lock.unlock();
        }

        if (marked > 0)
        {
            fsCache.counters().add(StatCounter.PAGES_MARKED, marked);
            if (traits.marksPages)
            {
                final List<CachePage> notified = new ArrayList<>(marked);
                lock.lock();
                try
                {
                    for (int i = 0, n = pages.size(); i < n; i++)
                    {
                        final CachePage page = pages.get(i);
                        if (tracked.contains(page))
                        {
                            notified.add(page);
                        }
                    }
                }
                finally
                {
                    lock.unlock();
                }
                notifyMarked(Collections.unmodifiableList(notified));
            }
        }
    }

    private boolean markLocked(final RetrievalOp op, final CachePage page)
    {
        if (op.isCancelled() || !op.object.attached)
        {
            return false;
        }

        if (!tracked.contains(page))
        {
            tracked.add(page);
        }
        page.setFsCache();
        return true;
    }

    private void notifyMarked(final List<CachePage> pages)
    {
        try
        {
            def.markPagesCached(data, pages);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            fsCache.reportError(ex);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Writes and uncaching.
    // ---------------------------------------------------------------------------------------------------------------

    public Result writePage(final CachePage page)
    {
        requireDataCookie("writePage");
        checkPage(page);
        final Stats stats = fsCache.counters();
        stats.inc(StatCounter.STORES);
        lock.lock();
        try
        {
            checkNotRelinquishedLocked("writePage");
            final FsObject object = firstObjectLocked();
            if (null == object || !object.acceptsOpsLocked() || !tracked.contains(page) ||
                object.isOverStoreLimitLocked(page))
            {
                stats.inc(StatCounter.STORES_NO_BUFS);
                return Result.NO_BUFS;
            }

            if (isWritingLocked(page))
            {
                stats.inc(StatCounter.STORES_AGAIN);
                stats.inc(StatCounter.STORES_OK);
                return Result.OK;
            }

            final CachePage superseded = queuedStores.put(page.index(), page);
            if (null != superseded)
            {
                // An earlier page of this index is still queued: this later one is what the cache must keep.
                pendingStores.removeFirstOccurrence(superseded);
                superseded.clearFsCacheWrite();
                changed.signalAll();
            }
            pendingStores.addLast(page);
            page.setFsCacheWrite();
            object.startWriterLocked(this);
            if (queuedStores.get(page.index()) != page)
            {
                stats.inc(StatCounter.STORES_NO_BUFS);
                return Result.NO_BUFS;
            }

            stats.inc(StatCounter.STORES_OK);
            return Result.OK;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * @return true while the page's write is queued or being written.
     */
    private boolean isWritingLocked(final CachePage page)
    {
        return page.hasBits(CachePage.STORING) || queuedStores.get(page.index()) == page;
    }

    boolean hasPendingStoresLocked()
    {
        return null != pendingStores && !pendingStores.isEmpty();
    }

    /**
     * Take the next pending page for the storage operation; pages at or over the limit are superseded (ended
     * without being written).
     */
    CachePage takePendingStoreLocked(final long limit)
    {
        CachePage page;
        while (null != (page = pendingStores.pollFirst()))
        {
            queuedStores.remove(page.index(), page);
            if (page.index() >= limit)
            {
                page.clearFsCacheWrite();
                changed.signalAll();
                continue;
            }

            page.setBits(CachePage.STORING);
            return page;
        }

        return null;
    }

    /**
     * Ends the writes of pages the storage operation took together, waking waiters once.
     */
    void endPageWritesLocked(final List<CachePage> pages)
    {
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            final CachePage page = pages.get(i);
            page.clearBits(CachePage.STORING);
            page.clearFsCacheWrite();
        }
        changed.signalAll();
    }

    /**
     * A truncation: queued writes of pages from {@code firstPage} on are dropped, so that none is stored after an
     * extension that follows (writes in progress end before the truncation runs, which then drops their pages).
     */
    private void cancelQueuedStoresFromLocked(final long firstPage)
    {
        if (pendingStores.isEmpty())
        {
            return;
        }
        for (final java.util.Iterator<CachePage> it = pendingStores.iterator(); it.hasNext(); )
        {
            final CachePage page = it.next();
            if (page.index() >= firstPage)
            {
                it.remove();
                queuedStores.remove(page.index(), page);
                page.clearFsCacheWrite();
            }
        }
        changed.signalAll();
    }

    void cancelPendingStoresLocked()
    {
        if (null == pendingStores || pendingStores.isEmpty())
        {
            return;
        }

        CachePage page;
        while (null != (page = pendingStores.pollFirst()))
        {
            queuedStores.remove(page.index(), page);
            page.clearFsCacheWrite();
        }
        changed.signalAll();
    }

    public void uncachePage(final CachePage page)
    {
        requireDataCookie("uncachePage");
        if (null == page)
        {
            throw new IllegalArgumentException("page must not be null");
        }

        fsCache.counters().inc(StatCounter.PAGES_UNCACHED);
        final FsObject object;
        lock.lock();
        try
        {
            if (!tracked.remove(page))
            {
                return;
            }

            page.clearFsCache();

            flags &= ~NO_DATA_YET;
            object = firstObjectLocked();
        }
        finally
        {
            lock.unlock();
        }

        if (null != object)
        {
            try
            {
                object.cache.backend.uncachePage(object.backendObject, page);
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                fsCache.backendFailed(object.cache, ex);
            }
        }
    }

    public void uncachePages(final List<CachePage> pages)
    {
        requireDataCookie("uncachePages");
        if (null == pages)
        {
            throw new IllegalArgumentException("page list must not be null");
        }

        final int count = pages.size();
        fsCache.counters().add(StatCounter.PAGES_UNCACHED, count);
        final FsObject object;
        int untracked = 0;
        lock.lock();
        try
        {
            for (int i = 0; i < count; i++)
            {
                final CachePage page = pages.get(i);
                if (null == page)
                {
                    throw new IllegalArgumentException("page list holds null at " + i);
                }
                if (tracked.remove(page))
                {
                    page.clearFsCache();
                    page.setBits(CachePage.LISTED);
                    untracked++;
                }
            }
            if (untracked == 0)
            {
                return;
            }
            flags &= ~NO_DATA_YET;
            object = firstObjectLocked();
        }
        finally
        {
            lock.unlock();
        }

        if (null == object)
        {
            for (int i = 0; i < count; i++)
            {
                pages.get(i).clearBits(CachePage.LISTED);
            }
        }
        else
        {
            try
            {
                for (int i = 0; i < count; i++)
                {
                    final CachePage page = pages.get(i);
                    if (page.testAndClear(CachePage.LISTED))
                    {
                        object.cache.backend.uncachePage(object.backendObject, page);
                    }
                }
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                fsCache.backendFailed(object.cache, ex);
                for (int i = 0; i < count; i++)
                {
                    pages.get(i).clearBits(CachePage.LISTED);
                }
            }
        }
    }

    public boolean checkPageWrite(final CachePage page)
    {
        requireDataCookie("checkPageWrite");
        lock.lock();
        try
        {
            return isWritingLocked(page);
        }
        finally
        {
            lock.unlock();
        }
    }

    public void waitOnPageWrite(final CachePage page)
    {
        requireDataCookie("waitOnPageWrite");
        lock.lock();
        try
        {
            while (isWritingLocked(page))
            {
                changed.awaitUninterruptibly();
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    public boolean waitOnPageWrite(final CachePage page, final long timeout, final TimeUnit unit)
    {
        requireDataCookie("waitOnPageWrite");
        long remainingNs = unit.toNanos(timeout);
        lock.lock();
        try
        {
            while (isWritingLocked(page))
            {
                if (remainingNs <= 0)
                {
                    return false;
                }
                try
                {
                    remainingNs = changed.awaitNanos(remainingNs);
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    return !isWritingLocked(page);
                }
            }

            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    public boolean maybeReleasePage(final CachePage page)
    {
        requireDataCookie("maybeReleasePage");
        lock.lock();
        try
        {
            if (page.hasBits(CachePage.STORING))
            {
                return false;
            }

            if (queuedStores.remove(page.index(), page))
            {
                pendingStores.removeFirstOccurrence(page);
                page.clearFsCacheWrite();
                changed.signalAll();
            }
        }
        finally
        {
            lock.unlock();
        }

        uncachePage(page);
        return true;
    }

    public void uncacheAllPages()
    {
        requireDataCookie("uncacheAllPages");
        final ArrayList<CachePage> pages;
        lock.lock();
        try
        {
            pages = new ArrayList<>(tracked.size());
            tracked.copyTo(pages);
        }
        finally
        {
            lock.unlock();
        }

        for (int i = 0, n = pages.size(); i < n; i++)
        {
            final CachePage page = pages.get(i);
            waitOnPageWrite(page);
            uncachePage(page);
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Object binding, called by FsObject and FsCache.
    // ---------------------------------------------------------------------------------------------------------------

    FsObject firstObjectLocked()
    {
        return backing.isEmpty() ? null : backing.get(0);
    }

    FsObject objectInLocked(final CacheImpl cache)
    {
        for (int i = 0, n = backing.size(); i < n; i++)
        {
            final FsObject object = backing.get(i);
            if (object.cache == cache)
            {
                return object;
            }
        }

        return null;
    }

    void attachLocked(final FsObject object)
    {
        object.attached = true;
        backing.add(object);
    }

    void markLookingUpLocked()
    {
        flags |= LOOKING_UP | CREATING | NO_DATA_YET;
    }

    void detachLocked(final FsObject object)
    {
        backing.remove(object);
        if (!type.isIndex())
        {
            cancelPendingStoresLocked();
        }
        lookupFinishedLocked();
    }

    void lookupNegativeLocked()
    {
        flags = (flags | NO_DATA_YET) & ~LOOKING_UP;
        changed.signalAll();
    }

    void lookupPositiveLocked()
    {
        flags &= ~(NO_DATA_YET | LOOKING_UP);
        changed.signalAll();
    }

    void lookupFinishedLocked()
    {
        flags &= ~(LOOKING_UP | CREATING);
        changed.signalAll();
    }

    /**
     * Unbind an object of a cache being withdrawn: tear down page tracking, end in-flight reads, tell the netfs.
     */
    void withdrawObject(final FsObject object)
    {
        ArrayList<CachePage> cancelled = null;
        boolean unbound = false;
        lock.lock();
        try
        {
            if (object.detachLocked() && !type.isIndex())
            {
                unbound = true;
                final ArrayList<CachePage> pages = new ArrayList<>(Math.max(reading.size(), tracked.size()));
                reading.copyTo(pages);
                for (int i = 0, n = pages.size(); i < n; i++)
                {
                    final CachePage page = pages.get(i);
                    if (page.testAndClear(CachePage.READ_PENDING))
                    {
                        if (null == cancelled)
                        {
                            cancelled = new ArrayList<>();
                        }
                        cancelled.add(page);
                        reading.remove(page);
                    }
                }

                pages.clear();
                tracked.copyTo(pages);
                for (int i = 0, n = pages.size(); i < n; i++)
                {
                    pages.get(i).clearFsCache();
                }
                tracked.clear();
            }
            object.raiseEventLocked(FsObject.EV_WITHDRAW);
        }
        finally
        {
            lock.unlock();
        }

        if (null != cancelled)
        {
            for (int i = 0, n = cancelled.size(); i < n; i++)
            {
                final CachePage page = cancelled.get(i);
                final RetrievalOp op = page.reader;
                page.reader = null;
                if (null != op)
                {
                    op.cancel();
                    op.complete(page, Result.NO_BUFS);
                }
            }
        }

        if (unbound)
        {
            try
            {
                def.nowUncached(data);
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                fsCache.reportError(ex);
            }
        }
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

        final int pageSize = fsCache.pageSize();
        if (page.buffer().capacity() != pageSize)
        {
            throw new IllegalArgumentException("page " + page.index() + " buffer capacity " +
                page.buffer().capacity() + " does not match the page size " + pageSize);
        }
    }

    private void checkNotRelinquishedLocked(final String operation)
    {
        if ((flags & RELINQUISHED) != 0)
        {
            throw new IllegalStateException(operation + " on relinquished cookie '" + name + "'");
        }
    }

    private void checkNotTrackedLocked(final CachePage page)
    {
        if (tracked.contains(page))
        {
            throw new IllegalStateException("page " + page.index() + " of cookie '" + name +
                "' is already tracked by the cache: uncache it before reading or allocating it again");
        }

        if (reading.contains(page))
        {
            throw new IllegalStateException("page " + page.index() + " of cookie '" + name +
                "' already has a read in progress");
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
