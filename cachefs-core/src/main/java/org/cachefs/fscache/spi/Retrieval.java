package org.cachefs.fscache.spi;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Result;

import java.util.List;

/**
 * The record of one retrieval or allocation request of the netfs ({@code struct fscache_retrieval}), passed to the
 * backend's read and allocate operations.
 * <p>
 * Implemented by the core. Reference counting ({@link #get()}/{@link #put()}): the core holds one reference for the
 * duration of the netfs call and one for every page handed to a read operation until that page's
 * {@link #endIo(CachePage, Result)}; {@link #enqueue()} takes its own reference for the queued processing. Backends
 * need {@code get}/{@code put} only to keep the record beyond those. The record is released, and the operation
 * finishes on its object, when the count reaches zero.
 */
public interface Retrieval
{
    /**
     * The object the retrieval operates on.
     *
     * @return the backend object.
     */
    CacheObject object();

    /**
     * End the attempt to retrieve a page ({@code fscache_end_io}): invokes the netfs's completion callback once for
     * the page, with {@link Result#OK} on success or an error. Calls for a page whose read was not handed to the
     * backend, or was already ended or cancelled, are ignored. May be called from any thread, also before the read
     * operation returns.
     *
     * @param page   the page handed to the read operation.
     * @param result {@link Result#OK} or the error.
     */
    void endIo(CachePage page, Result result);

    /**
     * Mark a page as cached ({@code fscache_mark_pages_cached}): sets PG_fscache and tells the netfs, which must
     * later uncache it. Ignored if the object was unbound from its cookie meanwhile.
     *
     * @param page the page whose cache metadata is retained.
     */
    void markPagesCached(CachePage page);

    /**
     * Mark several pages as cached at once (the pagevec form of {@code fscache_mark_pages_cached}).
     *
     * @param pages the pages; not retained.
     */
    void markPagesCached(List<CachePage> pages);

    /** Take a reference ({@code fscache_get_retrieval}). */
    void get();

    /** Drop a reference ({@code fscache_put_retrieval}). */
    void put();

    /**
     * Set the routine the pool runs for {@link #enqueue()} ({@code op->op.processor}).
     *
     * @param processor the routine.
     */
    void processor(RetrievalProcessor processor);

    /**
     * Submit the record to the FS-Cache thread pool ({@code fscache_enqueue_retrieval}); a pool thread invokes the
     * processor set with {@link #processor(RetrievalProcessor)}. May be called from within the processor.
     *
     * @throws IllegalStateException if no processor was set.
     */
    void enqueue();

    /**
     * A list for the backend to use as it sees fit ({@code to_do}), for example for pages awaiting completion by the
     * processor. Not synchronised: the backend orders its own access (enqueuing gives happens-before to the pool).
     *
     * @return the list, empty at first.
     */
    List<CachePage> toDo();

    /**
     * Whether the retrieval was cancelled (its cache withdrawn): outstanding pages were ended by the core.
     *
     * @return true once cancelled.
     */
    boolean isCancelled();
}
