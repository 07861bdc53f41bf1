package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.Retrieval;
import org.cachefs.fscache.spi.RetrievalProcessor;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.util.ArrayList;
import java.util.List;

import static org.cachefs.fscache.engine.PageState.PAGES;
import static org.cachefs.fscache.engine.PageState.READ_PENDING;

/**
 * A retrieval or allocation request ({@code struct fscache_retrieval}): a shared operation processed by the netfs
 * thread once admitted, then kept alive by references for pages whose reads are in flight.
 * <p>
 * Threading: created and submitted by the netfs thread under the cookie lock; {@link #endIo}, {@link #get},
 * {@link #put}, {@link #enqueue} and the marking methods may be called from any thread. When the last reference goes
 * the operation completes on its object (which may start an exclusive operation waiting for it), the netfs context
 * is put and the backend reference dropped; the operation is then offered back to its cookie, which reuses it for
 * its next retrieval on the same object, so that a cache hit allocates nothing.
 * <p>
 * Public only because a {@link CachePage} records the retrieval reading it ({@link ApiAccess.Pages#reader}); its
 * public methods are those of {@link Retrieval} and the pool task's {@code run}.
 */
public final class RetrievalOp extends Operation implements Retrieval
{
    private static final VarHandle USAGE;

    static
    {
        try
        {
            USAGE = MethodHandles.lookup().findVarHandle(RetrievalOp.class, "usage", int.class);
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    private final CookieImpl cookie;
    private ReadCompletion<Object> callback;
    private Object context;
    @SuppressWarnings("unused") // through USAGE
    private volatile int usage = 1;
    private volatile RetrievalProcessor processor;
    private volatile boolean cancelled;
    /**
     * The thread inside the backend's multi-page read call, while it is: reads it ends itself leave their pages in the
     * cookie's reading set, which the call then clears for all of them under one lock hold.
     */
    volatile Thread inCall;
    /** The pages of the multi-page read call in progress; used by the calling thread only, kept for reuse. */
    final ArrayList<CachePage> handed = new ArrayList<>();
    private ArrayList<CachePage> toDo;
    private CacheObject grabbed;
    private boolean contextTaken;

    RetrievalOp(
        final CookieImpl cookie, final FsObject object, final ReadCompletion<Object> callback, final Object context)
    {
        super(object, false);
        this.cookie = cookie;
        this.callback = callback;
        this.context = context;
    }

    /**
     * Makes a completed operation, released by every holder and taken back from its cookie, a new one on the same
     * object. Called by the netfs thread before it submits the operation.
     */
    void reuse(final ReadCompletion<Object> callback, final Object context)
    {
        this.callback = callback;
        this.context = context;
        this.processor = null;
        this.cancelled = false;
        if (null != toDo)
        {
            toDo.clear();
        }
        this.state = CREATED;
        USAGE.setVolatile(this, 1);
    }

    boolean hasProcessor()
    {
        return false;
    }

    /**
     * Called by the netfs thread once the operation started: take the backend reference and the netfs context.
     *
     * @return false if the object can no longer be used.
     */
    boolean begin()
    {
        if (!object.isActive())
        {
            return false;
        }

        grabbed = object.grab();
        if (null == grabbed)
        {
            return false;
        }

        if (null != callback)
        {
            cookie.def.getContext(cookie.data, context);
            contextTaken = true;
        }

        return true;
    }

    public CacheObject object()
    {
        return object.backendObject;
    }

    public void endIo(final CachePage page, final Result result)
    {
        if (!PAGES.testAndClear(page, READ_PENDING))
        {
            return;
        }

        PAGES.reader(page, null);
        if (inCall != Thread.currentThread())
        {
            cookie.readEnded(page);
        }
        complete(page, null == result ? Result.IO_ERROR : result);
    }

    /**
     * Invoke the callback for a page whose READ_PENDING bit the caller cleared, and drop the page's reference.
     */
    void complete(final CachePage page, final Result result)
    {
        try
        {
            callback.readComplete(page, context, result);
        }
        catch (final Throwable ex)
        {
            engine.reportError(ex);
        }
        finally
        {
            put();
        }
    }

    void cancel()
    {
        cancelled = true;
    }

    public void markPagesCached(final CachePage page)
    {
        cookie.markPagesCached(this, page);
    }

    public void markPagesCached(final List<CachePage> pages)
    {
        cookie.markPagesCached(this, pages);
    }

    public void get()
    {
        int current;
        do
        {
            current = (int)USAGE.getVolatile(this);
            if (current <= 0)
            {
                throw new IllegalStateException("retrieval on " + object() + " was already released");
            }
        }
        while (!USAGE.compareAndSet(this, current, current + 1));
    }

    public void put()
    {
        final int remaining = (int)USAGE.getAndAdd(this, -1) - 1;
        if (remaining == 0)
        {
            release();
        }
        else if (remaining < 0)
        {
            throw new IllegalStateException("retrieval on " + object() + " put more often than got");
        }
    }

    private void release()
    {
        boolean completed = false;
        object.lock.lock();
        try
        {
            if (state == IN_PROGRESS)
            {
                object.ops.completeLocked(this);
                completed = true;
            }
        }
        finally
        {
            object.lock.unlock();
        }

        if (contextTaken)
        {
            contextTaken = false;
            try
            {
                cookie.def.putContext(cookie.data, context);
            }
            catch (final Throwable ex)
            {
                engine.reportError(ex);
            }
        }

        final CacheObject held = grabbed;
        if (null != held)
        {
            grabbed = null;
            object.release(held);
        }

        callback = null;
        context = null;
        if (completed)
        {
            cookie.offerSpare(this);
        }
    }

    public void processor(final RetrievalProcessor processor)
    {
        this.processor = processor;
    }

    public void enqueue()
    {
        if (null == processor)
        {
            throw new IllegalStateException("retrieval on " + object() + " enqueued without a processor");
        }

        get();
        engine.counters().inc(StatCounter.OPS_ENQUEUED);
        engine.pool().execute(this);
    }

    void doWork()
    {
        try
        {
            processor.process(this);
        }
        finally
        {
            put();
        }
    }

    public List<CachePage> toDo()
    {
        if (null == toDo)
        {
            toDo = new ArrayList<>();
        }

        return toDo;
    }

    public boolean isCancelled()
    {
        return cancelled;
    }

    /**
     * Hand a reserved page to a read: take its reference and set READ_PENDING.
     */
    void prepareRead(final CachePage page)
    {
        USAGE.getAndAdd(this, 1);
        PAGES.reader(page, this);
        PAGES.setBits(page, READ_PENDING);
    }

    /**
     * Settle a page after the backend's read call: if it was not dispatched and not ended, take READ_PENDING back.
     *
     * @return true if the page was dispatched (its callback is or will be called).
     */
    boolean settleRead(final CachePage page, final boolean dispatched)
    {
        if (dispatched)
        {
            return true;
        }

        if (PAGES.testAndClear(page, READ_PENDING))
        {
            PAGES.reader(page, null);
            put();
            return false;
        }

        return true;
    }
}
