package org.cachefs.fscache;

import java.nio.ByteBuffer;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A cookie: the netfs's handle on an index, data file or other object in the cache ({@code struct fscache_cookie}),
 * and the netfs-facing API of FS-Cache.
 * <p>
 * Cookies come from {@link Netfs#primaryIndex()} and {@link #acquire(CookieDefinition, Object)}. Acquisition never
 * fails for cache trouble: where the kernel would return a NULL cookie, a <em>no-op cookie</em> is returned
 * ({@link #isNoop()}), on which every call is harmless: reads, allocations and writes return
 * {@link Result#NO_BUFS}, acquisitions under it return no-op cookies, relinquishing it does nothing.
 * <p>
 * Every cookie FS-Cache works with is one of its own: it takes no cookie as an argument, so an implementation of this
 * interface by a netfs (a wrapper, a test double) only ever reaches the netfs's own code.
 * <p>
 * Expected outcomes are {@link Result} values. Programming errors throw: an {@link IllegalArgumentException} for a bad
 * argument, an {@link IllegalStateException} for a call out of order (acquiring under or using a relinquished
 * cookie, relinquishing a cookie with live children or tracked pages, page I/O on an index, re-reading a page that
 * was not uncached).
 * <p>
 * Threading: all methods may be called from any thread. Calls on different pages of one cookie may run
 * concurrently; one page must not be in two calls at once (the netfs's page lock).
 */
public interface Cookie
{
    /**
     * Whether this is a no-op cookie, standing in for the kernel's NULL cookie.
     *
     * @return true if every call on the cookie is a no-op.
     */
    boolean isNoop();

    /**
     * Acquire a cookie for an object in this index ({@code fscache_acquire_cookie}). An index is not instantiated in
     * a cache until a non-index object below it needs it; a non-index object is bound to a cache now and looked up
     * asynchronously (reads wait for the lookup).
     *
     * @param def  the definition; its key and aux are read now.
     * @param data the netfs's data for the cookie.
     * @param <D>  the type of the data.
     * @return the cookie, or a no-op cookie if no cache can take the object (no cache selectable, allocation failed,
     * parent is a no-op cookie).
     * @throws IllegalArgumentException if {@code def} is null, has no type, a name longer than 16 characters, a null
     *                                  key, key + aux longer than 400 bytes, or is an index under a non-index.
     * @throws IllegalStateException    if this cookie was relinquished.
     */
    <D> Cookie acquire(CookieDefinition<D> def, D data);

    /**
     * Re-read the key and auxiliary data and rewrite the object's index entry in every cache backing the cookie
     * ({@code fscache_update_cookie}); asynchronous.
     *
     * @throws IllegalArgumentException if key + aux now exceed 400 bytes.
     */
    void update();

    /**
     * Re-read the size ({@code get_attr}) and schedule an asynchronous attribute change that excludes reads and
     * writes of the object while it runs; the backend sets the store limit ({@code fscache_attr_changed}).
     *
     * @return {@link Result#OK} if queued, {@link Result#NO_BUFS} if the object is not cached.
     * @throws IllegalStateException on an index cookie.
     */
    Result attrChanged();

    /**
     * Read a page from the cache, or reserve a block for it ({@code fscache_read_or_alloc_page}).
     * <ul>
     * <li>{@link Result#OK}: the read is dispatched; {@code callback} is called once for the page.</li>
     * <li>{@link Result#NO_DATA}: not in the cache; the page is marked (PG_fscache) and may be written once
     * fetched from the server.</li>
     * <li>{@link Result#NO_BUFS}: not cached (no object, no space, over the store limit, cache in error).</li>
     * <li>{@link Result#NO_MEM}, {@link Result#INTERRUPTED}: nothing was read.</li>
     * </ul>
     * A marked page must be uncached before it is read or allocated again and before it is released.
     *
     * @param page     the page; its buffer capacity must equal the page size.
     * @param callback called once per dispatched page.
     * @param context  passed to the callback.
     * @param <C>      the type of the context.
     * @return the outcome.
     * @throws IllegalStateException if the page is still tracked from an earlier read or allocation.
     */
    <C> Result readOrAllocPage(CachePage page, ReadCompletion<? super C> callback, C context);

    /**
     * Read several pages ({@code fscache_read_or_alloc_pages}). Pages whose reads are dispatched are removed from
     * {@code pages}; reads of pages adjacent on disk may be merged; {@code callback} is called once per dispatched
     * page. Returns a general error ({@link Result#NO_MEM}, {@link Result#INTERRUPTED}) if one occurred; else
     * {@link Result#NO_BUFS} if some pages were neither read nor allocated; else {@link Result#NO_DATA} if some were
     * allocated but not read; else {@link Result#OK} with the list empty. Any outcome may leave pages in the list
     * marked: they need uncaching.
     *
     * @param pages    a mutable list of distinct pages.
     * @param callback called once per dispatched page.
     * @param context  passed to the callback.
     * @param <C>      the type of the context.
     * @return the outcome.
     * @throws IllegalStateException if a page is still tracked from an earlier read or allocation.
     */
    <C> Result readOrAllocPages(List<CachePage> pages, ReadCompletion<? super C> callback, C context);

    /**
     * Copy bytes the cache holds in memory straight into a buffer: bytes {@code [position, position + length)} of
     * the data object, page after page, up to the first page the cache does not keep in memory (an addition to the
     * kernel API, for a netfs that reads byte ranges rather than pages). No page is tracked, nothing needs
     * uncaching, and nothing is read from the device: a range that is not resident is then read with
     * {@link #readOrAllocPages}. Only what a read of the same pages would give is copied: nothing while the object is
     * not active (not looked up yet, dying, its cache withdrawn or in error) or while an attribute change is queued
     * or running, and nothing at or past the store limit.
     *
     * @param position the first byte, in the object's data; {@code >= 0}.
     * @param dst      where the bytes go, from index {@code offset} (below its limit); its position and limit are not
     *                 changed.
     * @param offset   the index in {@code dst} of the first byte.
     * @param length   the most bytes to copy.
     * @return the bytes copied, from 0 (nothing resident, or a backend that keeps no pages in memory) to
     * {@code length}. The default copies nothing.
     * @throws IllegalArgumentException  if {@code position} is negative or {@code dst} is null.
     * @throws IndexOutOfBoundsException if {@code [offset, offset + length)} is not within {@code dst}'s limit.
     * @throws IllegalStateException     on an index cookie, or if the cookie was relinquished.
     */
    default int readResident(final long position, final ByteBuffer dst, final int offset, final int length)
    {
        return 0;
    }

    /**
     * Reserve a block for a page without reading it ({@code fscache_alloc_page}).
     *
     * @param page the page.
     * @return {@link Result#OK} with the page marked, {@link Result#NO_BUFS}, {@link Result#NO_MEM} or
     * {@link Result#INTERRUPTED}.
     * @throws IllegalStateException if the page is still tracked from an earlier read or allocation.
     */
    Result allocPage(CachePage page);

    /**
     * Queue a page for asynchronous writing to the cache ({@code fscache_write_page}). PG_fscache_write is set until
     * the write ends, successfully or not; until then the cache may read the buffer. A failed write is not reported
     * to the netfs: the object is withdrawn and its pending writes are aborted.
     *
     * @param page a page read or allocated and not uncached since.
     * @return {@link Result#OK} if queued (also if already queued); {@link Result#NO_BUFS} if the object is not
     * cached, the page is not tracked (never read or allocated, or uncached since), or it is over the store limit.
     */
    Result writePage(CachePage page);

    /**
     * Stop tracking a page ({@code fscache_uncache_page}); clears PG_fscache. Does not cancel a write in progress.
     * A page allocated but never written does not appear in the cache. A page not tracked is ignored.
     *
     * @param page the page.
     */
    void uncachePage(CachePage page);

    /**
     * {@link #uncachePage(CachePage)} for each page of a list, under one hold of the cookie's lock (an addition to
     * the kernel API, for a netfs that reads many pages at once). Pages not tracked are ignored.
     *
     * @param pages the pages.
     */
    void uncachePages(List<CachePage> pages);

    /**
     * Whether a write of the page to the cache is pending or in progress ({@code fscache_check_page_write}).
     *
     * @param page the page.
     * @return true while the write is outstanding.
     */
    boolean checkPageWrite(CachePage page);

    /**
     * Wait until no write of the page to the cache is outstanding ({@code fscache_wait_on_page_write}). The wait
     * is not interruptible (the interrupt status is kept).
     *
     * @param page the page.
     */
    void waitOnPageWrite(CachePage page);

    /**
     * Wait, at most {@code timeout}, until no write of the page to the cache is outstanding.
     *
     * @param page    the page.
     * @param timeout the longest wait.
     * @param unit    the unit of {@code timeout}.
     * @return true if no write is outstanding, false on timeout.
     */
    boolean waitOnPageWrite(CachePage page, long timeout, TimeUnit unit);

    /**
     * Try to release a page under memory pressure ({@code fscache_maybe_release_page}): a write still pending is
     * cancelled (the page is not stored this time) and the page is uncached. Does not wait.
     *
     * @param page the page.
     * @return true if the page is uncached and may be released; false if its write is in progress.
     */
    boolean maybeReleasePage(CachePage page);

    /**
     * Uncache every page tracked for the cookie, waiting for their writes to finish
     * ({@code fscache_uncache_all_inode_pages}).
     */
    void uncacheAllPages();

    /**
     * Pin the data object in the cache so that it is not culled ({@code fscache_pin_cookie}).
     *
     * @return {@link Result#OK}, {@link Result#NO_BUFS} (not cached), {@link Result#NOT_SUPPORTED},
     * {@link Result#NO_SPACE}, {@link Result#NO_MEM} or {@link Result#IO_ERROR}.
     * @throws IllegalStateException on an index cookie.
     */
    Result pin();

    /**
     * Unpin the data object ({@code fscache_unpin_cookie}).
     *
     * @throws IllegalStateException on an index cookie.
     */
    void unpin();

    /**
     * Reserve cache space for up to {@code size} bytes of the data object, which may exceed its current size; 0
     * cancels ({@code fscache_reserve_space}). A reservation does not pin.
     *
     * @param size bytes, {@code >= 0}.
     * @return as for {@link #pin()}.
     * @throws IllegalStateException on an index cookie.
     */
    Result reserveSpace(long size);

    /**
     * Relinquish the cookie ({@code fscache_relinquish_cookie}). With {@code retire} the object and all its children
     * are removed from every cache, whatever their pinning; without, the object may be found again by the next
     * acquisition with the same key. Child cookies must be relinquished and pages uncached first.
     *
     * @param retire whether to discard the object.
     * @throws IllegalStateException if already relinquished, or child cookies or tracked pages remain.
     */
    void relinquish(boolean retire);
}
