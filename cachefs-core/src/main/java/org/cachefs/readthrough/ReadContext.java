package org.cachefs.readthrough;

import java.util.ArrayList;

import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;

/**
 * The pages of one batch of a read: reusable {@link CachePage}s over aligned buffers, the list handed to
 * {@code readOrAllocPages}, and the result of each page's read. Pooled ({@link ContextPool}), so that a read of cached
 * pages allocates nothing.
 * <p>
 * Threading: used by one reading thread at a time; read completions may come from FS-Cache threads, so the results
 * are under the context's monitor.
 */
final class ReadContext
{
    /** The completion of every read: the context is the read's context argument. */
    static final ReadCompletion<ReadContext> COMPLETION = (page, context, result) -> context.completed(page, result);

    final CachePage[] pages;
    /** The buffer the pages are cut from: page {@code i} at byte {@code i * pageSize}. */
    final java.nio.ByteBuffer whole;
    final ArrayList<CachePage> list;
    private final Result[] results;
    private long firstPage;
    private int completed;

    ReadContext(final int capacity, final int pageSize)
    {
        pages = new CachePage[capacity];
        results = new Result[capacity];
        list = new ArrayList<>(capacity);
        // One buffer for all: a run of consecutive cached blocks is read into it with one I/O and no copy.
        whole = AlignedBuffers.allocate(capacity * pageSize, pageSize);
        final CachePage[] slices = CachePage.slicesOf(whole, pageSize);
        System.arraycopy(slices, 0, pages, 0, capacity);
    }

    /**
     * Points the first {@code count} pages at {@code firstPage} onwards and lists them.
     */
    synchronized void prepare(final long firstPage, final int count)
    {
        this.firstPage = firstPage;
        this.completed = 0;
        list.clear();
        for (int i = 0; i < count; i++)
        {
            pages[i].setIndex(firstPage + i);
            results[i] = null;
            list.add(pages[i]);
        }
    }

    private synchronized void completed(final CachePage page, final Result result)
    {
        results[(int)(page.index() - firstPage)] = result;
        completed++;
        notifyAll();
    }

    /**
     * Waits until {@code dispatched} pages have completed (at once for a backend that completes reads in the call).
     */
    synchronized void awaitCompletions(final int dispatched)
    {
        boolean interrupted = false;
        while (completed < dispatched)
        {
            try
            {
                wait();
            }
            catch (final InterruptedException ex)
            {
                interrupted = true;
            }
        }
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    /**
     * @return true if page {@code i} was read from the cache. Called after {@link #awaitCompletions}, whose hold of
     * the monitor follows every completion's: the results are seen without taking it again for each page.
     */
    boolean hit(final int i)
    {
        return results[i] == Result.OK;
    }
}
