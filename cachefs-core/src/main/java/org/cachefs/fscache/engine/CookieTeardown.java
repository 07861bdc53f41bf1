package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;

import java.util.ArrayList;
import java.util.concurrent.locks.ReentrantLock;

import static org.cachefs.fscache.engine.PageState.PAGES;

/**
 * The end of one cookie and of its objects: {@code fscache_relinquish_cookie} (refused while children or cached
 * pages remain; waits for a creation in progress; retirement drops the queued writes and retires the objects, else
 * they are released) and the withdrawal of an object whose cache goes away (page tracking torn down, reads in flight
 * ended, the netfs told the cookie is now uncached).
 * <p>
 * Threading: relinquishment runs on the netfs thread, withdrawal on the withdrawing thread; both decide under the
 * cookie's lock ({@link CookieImpl#lock}) and call the netfs and read completions without it. Holds no state of its
 * own.
 */
final class CookieTeardown
{
    private final CookieImpl cookie;
    private final ReentrantLock lock;

    CookieTeardown(final CookieImpl cookie)
    {
        this.cookie = cookie;
        this.lock = cookie.lock;
    }

    void relinquish(final boolean retire)
    {
        final CookieBinding binding = cookie.binding;
        lock.lock();
        try
        {
            binding.checkNotAlreadyRelinquishedLocked();
            checkRelinquishableLocked();
            if (binding.isCreatingLocked())
            {
                cookie.engine.counters().inc(StatCounter.RELINQUISHES_WAIT_CREATE);
                binding.awaitCreatedLocked();
                binding.checkNotAlreadyRelinquishedLocked();
                checkRelinquishableLocked();
            }

            binding.markRelinquishedLocked();
            if (retire && !cookie.type.isIndex())
            {
                cookie.writes.cancelPendingStoresLocked();
            }

            if (retire)
            {
                binding.raiseEventLocked(ObjectStateMachine.EV_RETIRE);
            }
            else
            {
                binding.releaseLocked();
            }
        }
        finally
        {
            lock.unlock();
        }

        if (null != cookie.parent)
        {
            cookie.parent.removeChild(cookie);
        }
    }

    private void checkRelinquishableLocked()
    {
        final int nChildren = cookie.children.countLocked();
        if (nChildren > 0)
        {
            throw new IllegalStateException("cannot relinquish cookie '" + cookie.name + "': " + nChildren +
                " child cookie(s) still acquired; relinquish them first");
        }

        final CookiePages pages = cookie.pages;
        if (null != pages && pages.trackedCountLocked() > 0)
        {
            throw new IllegalStateException("cannot relinquish cookie '" + cookie.name + "': " +
                pages.trackedCountLocked() + " page(s) still marked cached; uncache them first");
        }
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
            if (object.detachLocked() && !cookie.type.isIndex())
            {
                unbound = true;
                cancelled = cookie.pages.withdrawLocked();
            }
            object.machine.raiseEventLocked(ObjectStateMachine.EV_WITHDRAW);
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
                final RetrievalOp op = PAGES.reader(page);
                PAGES.reader(page, null);
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
                cookie.def.nowUncached(cookie.data);
            }
            catch (final RuntimeException | LinkageError | AssertionError ex)
            {
                cookie.engine.reportError(ex);
            }
        }
    }
}
