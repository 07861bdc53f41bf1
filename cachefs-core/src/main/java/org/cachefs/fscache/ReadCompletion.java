package org.cachefs.fscache;

/**
 * The netfs's page read completion function ({@code fscache_rw_complete_t}). Called exactly once for every page
 * whose read was dispatched by {@link Cookie#readOrAllocPage} or {@link Cookie#readOrAllocPages}, possibly on
 * another thread and possibly before the call returns.
 *
 * @param <C> the type of the netfs's context.
 */
@FunctionalInterface
public interface ReadCompletion<C>
{
    /**
     * A page read ended.
     *
     * @param page    the page.
     * @param context the context given to the read call.
     * @param result  {@link Result#OK} if the page buffer holds the cached data; otherwise an error
     *                ({@link Result#IO_ERROR}, {@link Result#NO_BUFS} if the cache was withdrawn, {@link Result#NO_DATA}
     *                if the data vanished, {@link Result#NO_MEM}): the page holds no usable data and the netfs
     *                fetches it from the server.
     */
    void readComplete(CachePage page, C context, Result result);
}
