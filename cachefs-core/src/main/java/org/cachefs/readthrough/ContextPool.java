package org.cachefs.readthrough;

/**
 * A bounded stack of {@link ReadContext}s: acquiring and releasing allocate nothing; a new context is made when the
 * pool is empty and one released beyond the pool's capacity is dropped.
 * <p>
 * Threading: any thread, under the pool's monitor.
 */
final class ContextPool
{
    private final ReadContext[] free;
    private final int pagesPerContext;
    private final int pageSize;
    private int count;

    ContextPool(final int capacity, final int pagesPerContext, final int pageSize)
    {
        this.free = new ReadContext[capacity];
        this.pagesPerContext = pagesPerContext;
        this.pageSize = pageSize;
    }

    ReadContext acquire()
    {
        synchronized (this)
        {
            if (count > 0)
            {
                final ReadContext context = free[--count];
                free[count] = null;
                return context;
            }
        }
        return new ReadContext(pagesPerContext, pageSize);
    }

    synchronized void release(final ReadContext context)
    {
        if (count < free.length)
        {
            free[count++] = context;
        }
    }
}
