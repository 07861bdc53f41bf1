package org.cachefs.fscache.spi;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Result;

import java.nio.ByteBuffer;
import java.util.List;

/**
 * A cache backend: the table of operations FS-Cache performs on a cache ({@code struct fscache_cache_ops}).
 * An instance is added to an {@link org.cachefs.fscache.FsCache} with
 * {@link org.cachefs.fscache.FsCache#addCache(CacheBackend, String)}, which calls
 * {@link #initCache(CacheContext, ObjectContext)}; the core then calls the operations below until the cache is
 * withdrawn.
 * <h2>Threading</h2>
 * Operations are called from netfs threads (read, allocate, uncache, pin, reserve: the kernel's "process context")
 * and from FS-Cache pool threads (lookup, update, attribute change, write, drop). The core never calls an operation
 * while holding one of its own locks, except {@link #allocObject(ObjectContext)}, which is called under the core's
 * structure lock and must therefore not block. Backends may call every utility ({@link CacheObject},
 * {@link Retrieval}, {@link CacheContext}) from any thread, including from inside an operation and while holding
 * their own locks; they must not call the netfs API of {@link org.cachefs.fscache.Cookie} from an operation.
 * <h2>Errors</h2>
 * Expected outcomes are {@link Result} values. An operation must not throw; if it does, the core reports the
 * exception to its error handler and treats it as an I/O error of the cache ({@link CacheContext#ioError()}).
 * <h2>Pages</h2>
 * A page's data is bytes {@code [0, pageSize)} of {@link CachePage#buffer()}, by absolute position; backends do not
 * move its position or limit.
 */
public interface CacheBackend
{
    /**
     * The name of the cache provider ({@code ops->name}), for example {@code "memory"}.
     *
     * @return the provider name.
     */
    String name();

    /**
     * The label of this cache (the kernel's {@code idfmt} identifier), used as the tag when none is given.
     *
     * @return the identifier.
     */
    String identifier();

    /**
     * The page size of the cache; it must equal the FS-Cache page size.
     *
     * @return bytes per page.
     */
    int pageSize();

    /**
     * Initialise the cache for use by FS-Cache ({@code fscache_init_cache} and the {@code fsdef} argument of
     * {@code fscache_add_cache}): keep {@code cache} for the utilities and return the object representing the
     * FS-Cache master index in this cache, constructed over {@code fsdef}. Netfs primary index entries are created
     * under it. The core keeps the returned reference and puts it when the cache is withdrawn.
     *
     * @param cache the core's handle on this cache.
     * @param fsdef the core's context for the master index object.
     * @return the master index object.
     */
    CacheObject initCache(CacheContext cache, ObjectContext fsdef);

    /**
     * Allocate a cache object to back a cookie in this cache ({@code alloc_object}); construct it over
     * {@code object}. The key may be parsed here into a convenient form. Called under the core's structure lock:
     * must not block.
     *
     * @param object the core's context for the new object.
     * @return the new object holding one reference, or null if none could be allocated.
     */
    CacheObject allocObject(ObjectContext object);

    /**
     * Look up and, if absent, create the object in the cache ({@code lookup_object}). Called on a pool thread once the
     * parent is available. Call {@link CacheObject#lookupNegative()} as soon as the object is known to be absent,
     * {@link CacheObject#checkAux(byte[])} on a found object, {@link CacheObject#obtainedObject()} once the object
     * is found valid or created, or {@link CacheObject#lookupError()} on failure. These may also be called later,
     * from another thread.
     *
     * @param object the object to look up.
     */
    void lookupObject(CacheObject object);

    /**
     * Release the resources used for the lookup ({@code lookup_complete}); called once the lookup completed or was
     * aborted.
     *
     * @param object the object.
     */
    void lookupComplete(CacheObject object);

    /**
     * Take a reference on an object ({@code grab_object}). The core holds one for each operation it runs on the
     * object.
     *
     * @param object the object.
     * @return the object, or null if no reference can be taken (for example the cache is being withdrawn).
     */
    CacheObject grabObject(CacheObject object);

    /**
     * Drop a reference ({@code put_object}). When the last goes, the backend frees the object and calls
     * {@link CacheContext#objectDestroyed()}.
     *
     * @param object the object.
     */
    void putObject(CacheObject object);

    /**
     * Lock the object exclusively ({@code lock_object}); the holder may block. The core holds it around
     * {@link #attrChanged}, {@link #updateObject}, {@link #pinObject}, {@link #unpinObject} and {@link #reserveSpace}.
     *
     * @param object the object.
     */
    void lockObject(CacheObject object);

    /**
     * Unlock the object ({@code unlock_object}).
     *
     * @param object the object.
     */
    void unlockObject(CacheObject object);

    /**
     * Pin the object so that it is not culled to make space ({@code pin_object}, optional).
     *
     * @param object the data object.
     * @return {@link Result#OK}, {@link Result#NO_SPACE}, {@link Result#NO_MEM}, {@link Result#IO_ERROR}, or
     * {@link Result#NOT_SUPPORTED} (the default) if the backend cannot pin.
     */
    default Result pinObject(final CacheObject object)
    {
        return Result.NOT_SUPPORTED;
    }

    /**
     * Unpin the object ({@code unpin_object}, optional; the default does nothing).
     *
     * @param object the data object.
     */
    default void unpinObject(final CacheObject object)
    {
    }

    /**
     * Rewrite the object's index entry from the netfs's current data ({@link CacheObject#aux()},
     * {@link CacheObject#objectSize()}) ({@code update_object}). Called on a pool thread.
     *
     * @param object the object.
     * @return {@link Result#OK}; {@link Result#IO_ERROR} withdraws the object from service; other codes leave the
     * entry as it was.
     */
    Result updateObject(CacheObject object);

    /**
     * The object has been unbound from its cookie: release its resources, and retire it (with all its children in
     * the cache) if it is in {@link ObjectState#RECYCLING} ({@code drop_object}). Must not release the core's
     * reference: the core calls {@link #putObject(CacheObject)} afterwards.
     *
     * @param object the object.
     */
    void dropObject(CacheObject object);

    /**
     * Synchronise the cache with its backing store ({@code sync}); called at withdrawal.
     */
    void sync();

    /**
     * Dissociate every netfs page from the cache as part of withdrawal ({@code dissociate_pages}). After this
     * returns the backend must not touch any netfs page again, nor call {@link Retrieval#endIo} for reads it had
     * in flight; the core ends those itself with an error.
     */
    void dissociatePages();

    /**
     * The netfs's attributes of the object changed ({@code attr_changed}): read {@link CacheObject#objectSize()},
     * set the store limit with {@link CacheObject#setStoreLimit(long)}, and trim or reserve space as needed. Runs on
     * a pool thread with the object's reads and writes excluded.
     *
     * @param object the data object.
     * @return {@link Result#OK}, or an error, after which the object is withdrawn from service.
     */
    Result attrChanged(CacheObject object);

    /**
     * Reserve space for up to {@code size} bytes of the object's data plus its metadata ({@code reserve_space},
     * optional); a size of zero cancels the reservation. A reservation does not pin.
     *
     * @param object the data object.
     * @param size   bytes, may exceed the current size; 0 cancels.
     * @return {@link Result#OK}, {@link Result#NO_SPACE}, {@link Result#NO_MEM}, {@link Result#IO_ERROR}, or
     * {@link Result#NOT_SUPPORTED} (the default).
     */
    default Result reserveSpace(final CacheObject object, final long size)
    {
        return Result.NOT_SUPPORTED;
    }

    /**
     * Read a page from the cache, or reserve a backing block for it ({@code read_or_alloc_page}). Called on the
     * netfs thread.
     * <ul>
     * <li>Data present: mark the page ({@link Retrieval#markPagesCached(CachePage)}), start the read into the page
     * buffer and return {@link Result#OK}; when the read ends call {@link Retrieval#endIo(CachePage, Result)},
     * possibly from another thread, possibly before returning.</li>
     * <li>No data, block reserved: mark the page and return {@link Result#NO_DATA}.</li>
     * <li>Neither: return {@link Result#NO_BUFS} or {@link Result#NO_MEM}.</li>
     * <li>I/O error: call {@link CacheContext#ioError()} and return {@link Result#NO_BUFS}, or end the page with an
     * error.</li>
     * </ul>
     *
     * @param op   the retrieval record.
     * @param page the page.
     * @return the outcome.
     */
    Result readOrAllocPage(Retrieval op, CachePage page);

    /**
     * The multi-page form of {@link #readOrAllocPage(Retrieval, CachePage)} ({@code read_or_alloc_pages}). Remove
     * from {@code pages} every page whose read is started; reads of pages adjacent on disk may be merged. Return a
     * general error such as {@link Result#NO_MEM} if one occurred; else {@link Result#NO_BUFS} if some pages could
     * be neither read nor allocated; else {@link Result#NO_DATA} if some could not be read; else {@link Result#OK}
     * with the list empty.
     *
     * @param op    the retrieval record.
     * @param pages the pages, a mutable list.
     * @return the outcome.
     */
    Result readOrAllocPages(Retrieval op, List<CachePage> pages);

    /**
     * Reserve a backing block for a page without reading ({@code allocate_page}): mark the page and return
     * {@link Result#OK}, or return {@link Result#NO_BUFS} / {@link Result#NO_MEM}.
     *
     * @param op   the retrieval record.
     * @param page the page.
     * @return the outcome.
     */
    Result allocatePage(Retrieval op, CachePage page);

    /**
     * The multi-page form of {@link #allocatePage(Retrieval, CachePage)} ({@code allocate_pages}); {@code pages} and
     * the result as for {@link #readOrAllocPages(Retrieval, List)} (nothing is read, so pages stay in the list).
     *
     * @param op    the retrieval record.
     * @param pages the pages.
     * @return the outcome.
     */
    Result allocatePages(Retrieval op, List<CachePage> pages);

    /**
     * Write a page to the cache ({@code write_page}); the page was read or allocated before and not uncached.
     * Called on a pool thread; the page's PG_fscache_write flag is cleared when this returns, so the backend must
     * have finished with the page buffer by then (copying it is allowed). The backend need not store anything, as
     * long as the next read of the page then gives {@link Result#NO_DATA}.
     *
     * @param op   the storage record.
     * @param page the page.
     * @return {@link Result#OK}, or an error, after which the object is withdrawn from service and its pending
     * writes are aborted.
     */
    Result writePage(Storage op, CachePage page);

    /**
     * Copy bytes of the object's data that the backend keeps in memory into {@code dst} ({@link
     * org.cachefs.fscache.Cookie#readResident}): bytes {@code [position, position + length)}, page after page, up to
     * the first page not in memory; never from the device, and only bytes a read of the page would give. Called on the
     * netfs's thread without the cookie's lock, for an object that was active, with no attribute change queued, and
     * with the range clipped to the store limit. Not an operation of the kernel's table.
     *
     * @param object the object.
     * @param position the first byte, {@code >= 0}.
     * @param dst    the destination; its position and limit must be kept.
     * @param offset the index in {@code dst} of the first byte.
     * @param length the most bytes to copy, {@code > 0}, with {@code offset + length} within {@code dst}'s limit.
     * @return the bytes copied, 0 to {@code length}. The default copies nothing.
     */
    default int readResident(
        final CacheObject object, final long position, final ByteBuffer dst, final int offset, final int length)
    {
        return 0;
    }

    /**
     * Write several pages of one object that a storage operation took from its queue together, in order: the same
     * as calling {@link #writePage(Storage, CachePage)} for each in turn and stopping at the first result that is not
     * {@link Result#OK}, which this returns. The default does exactly that; a backend overrides it to do once per
     * batch what it would do once per page (take its locks, find the object's structures). The pages' PG_fscache_write
     * flags are cleared when this returns. Not an operation of the kernel's table: its {@code fscache_write_op}
     * calls {@code write_page} page by page.
     *
     * @param op    the storage record.
     * @param pages the pages, at least one, each read or allocated before and not uncached; not to be modified.
     * @return {@link Result#OK} if every page was written, else the first error, as for
     * {@link #writePage(Storage, CachePage)}.
     */
    default Result writePages(final Storage op, final List<CachePage> pages)
    {
        for (int i = 0, n = pages.size(); i < n; i++)
        {
            final Result result = writePage(op, pages.get(i));
            if (result != Result.OK)
            {
                return result;
            }
        }
        return Result.OK;
    }

    /**
     * Discard the backend's tracking of a page being evicted by the netfs ({@code uncache_page}). A page that was
     * allocated but never written does not appear in the cache. Called also after an I/O error.
     *
     * @param object the object.
     * @param page   the page.
     */
    void uncachePage(CacheObject object, CachePage page);
}
