package org.cachefs.fscache;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheContext;
import org.cachefs.fscache.spi.CacheObject;
import org.cachefs.fscache.spi.ObjectContext;
import org.cachefs.fscache.spi.Retrieval;
import org.cachefs.fscache.spi.Storage;

import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;

/**
 * A backend that delegates to a {@link MemoryCacheBackend} and records the name of every operation called (with the
 * page index for page operations), for tests of what reaches a backend and in which order.
 */
final class RecordingBackend implements CacheBackend
{
    final MemoryCacheBackend delegate;
    private final List<String> calls = new ArrayList<>();
    volatile Consumer<CacheObject> onLookup;
    volatile RuntimeException throwOnRead;
    volatile boolean optionalOperations = true;

    RecordingBackend(final MemoryCacheBackend delegate)
    {
        this.delegate = delegate;
    }

    synchronized List<String> calls()
    {
        return new ArrayList<>(calls);
    }

    synchronized void clearCalls()
    {
        calls.clear();
    }

    private synchronized void record(final String call)
    {
        calls.add(call);
    }

    public String name()
    {
        return "recording";
    }

    public String identifier()
    {
        return delegate.identifier();
    }

    public int pageSize()
    {
        return delegate.pageSize();
    }

    public CacheObject initCache(final CacheContext cache, final ObjectContext fsdef)
    {
        record("initCache");
        return delegate.initCache(cache, fsdef);
    }

    public CacheObject allocObject(final ObjectContext object)
    {
        record("allocObject");
        return delegate.allocObject(object);
    }

    public void lookupObject(final CacheObject object)
    {
        record("lookupObject");
        final Consumer<CacheObject> hook = onLookup;
        if (null != hook)
        {
            hook.accept(object);
        }
        delegate.lookupObject(object);
    }

    public void lookupComplete(final CacheObject object)
    {
        record("lookupComplete");
        delegate.lookupComplete(object);
    }

    public CacheObject grabObject(final CacheObject object)
    {
        return delegate.grabObject(object);
    }

    public void putObject(final CacheObject object)
    {
        delegate.putObject(object);
    }

    public void lockObject(final CacheObject object)
    {
        delegate.lockObject(object);
    }

    public void unlockObject(final CacheObject object)
    {
        delegate.unlockObject(object);
    }

    public Result pinObject(final CacheObject object)
    {
        record("pinObject");
        return optionalOperations ? delegate.pinObject(object) : CacheBackend.super.pinObject(object);
    }

    public void unpinObject(final CacheObject object)
    {
        record("unpinObject");
        delegate.unpinObject(object);
    }

    public Result updateObject(final CacheObject object)
    {
        record("updateObject");
        return delegate.updateObject(object);
    }

    public void dropObject(final CacheObject object)
    {
        record("dropObject");
        delegate.dropObject(object);
    }

    public void sync()
    {
        record("sync");
        delegate.sync();
    }

    public void dissociatePages()
    {
        record("dissociatePages");
        delegate.dissociatePages();
    }

    public Result attrChanged(final CacheObject object)
    {
        record("attrChanged");
        return delegate.attrChanged(object);
    }

    public Result reserveSpace(final CacheObject object, final long size)
    {
        record("reserveSpace");
        return optionalOperations ? delegate.reserveSpace(object, size) : CacheBackend.super.reserveSpace(object, size);
    }

    public Result readOrAllocPage(final Retrieval op, final CachePage page)
    {
        record("readOrAllocPage " + page.index());
        final RuntimeException toThrow = throwOnRead;
        if (null != toThrow)
        {
            throw toThrow;
        }
        return delegate.readOrAllocPage(op, page);
    }

    public Result readOrAllocPages(final Retrieval op, final List<CachePage> pages)
    {
        record("readOrAllocPages " + pages.size());
        return delegate.readOrAllocPages(op, pages);
    }

    public Result allocatePage(final Retrieval op, final CachePage page)
    {
        record("allocatePage " + page.index());
        return delegate.allocatePage(op, page);
    }

    public Result allocatePages(final Retrieval op, final List<CachePage> pages)
    {
        record("allocatePages " + pages.size());
        return delegate.allocatePages(op, pages);
    }

    public Result writePage(final Storage op, final CachePage page)
    {
        record("writePage " + page.index());
        return delegate.writePage(op, page);
    }

    public Result writePages(final Storage op, final List<CachePage> pages)
    {
        record("writePages " + pages.stream().map(CachePage::index).toList());
        return CacheBackend.super.writePages(op, pages);
    }

    public void uncachePage(final CacheObject object, final CachePage page)
    {
        record("uncachePage " + page.index());
        delegate.uncachePage(object, page);
    }
}
