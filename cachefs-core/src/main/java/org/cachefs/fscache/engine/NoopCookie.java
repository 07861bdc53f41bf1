package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;

import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * The no-op cookie, standing in for the kernel's NULL cookie: every call is harmless. Reads, allocations, writes,
 * attribute changes, pinning and reservation return {@link Result#NO_BUFS}; acquisitions under it return it
 * (counted under {@code Acquire nul}); updates and relinquishments count under {@code nul} and do nothing.
 * Arguments of acquisitions are validated as for any cookie, so programming errors surface whether or not a cache
 * is present.
 * <p>
 * Stateless apart from the statistics; one instance per {@link FsCache}, safe from any thread.
 */
final class NoopCookie implements Cookie
{
    private final CacheEngine engine;

    NoopCookie(final CacheEngine engine)
    {
        this.engine = engine;
    }

    public boolean isNoop()
    {
        return true;
    }

    public <D> Cookie acquire(final CookieDefinition<D> def, final D data)
    {
        Cookies.validateDefinition(def);
        engine.counters().inc(StatCounter.ACQUIRES);
        engine.counters().inc(StatCounter.ACQUIRES_NULL);
        return this;
    }

    public void update()
    {
        engine.counters().inc(StatCounter.UPDATES);
        engine.counters().inc(StatCounter.UPDATES_NULL);
    }

    public Result attrChanged()
    {
        return Result.NO_BUFS;
    }

    public <C> Result readOrAllocPage(final CachePage page, final ReadCompletion<? super C> callback, final C context)
    {
        return Result.NO_BUFS;
    }

    public <C> Result readOrAllocPages(
        final List<CachePage> pages, final ReadCompletion<? super C> callback, final C context)
    {
        return Result.NO_BUFS;
    }

    public Result allocPage(final CachePage page)
    {
        return Result.NO_BUFS;
    }

    public Result writePage(final CachePage page)
    {
        return Result.NO_BUFS;
    }

    public void uncachePage(final CachePage page)
    {
    }

    public void uncachePages(final List<CachePage> pages)
    {
    }

    public boolean checkPageWrite(final CachePage page)
    {
        return false;
    }

    public void waitOnPageWrite(final CachePage page)
    {
    }

    public boolean waitOnPageWrite(final CachePage page, final long timeout, final TimeUnit unit)
    {
        return true;
    }

    public boolean maybeReleasePage(final CachePage page)
    {
        return true;
    }

    public void uncacheAllPages()
    {
    }

    public Result pin()
    {
        return Result.NO_BUFS;
    }

    public void unpin()
    {
    }

    public Result reserveSpace(final long size)
    {
        return Result.NO_BUFS;
    }

    public void relinquish(final boolean retire)
    {
        engine.counters().inc(StatCounter.RELINQUISHES);
        engine.counters().inc(StatCounter.RELINQUISHES_NULL);
    }

    public String toString()
    {
        return "Cookie{no-op}";
    }
}
