package org.cachefs.fscache;

import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;

/**
 * A read completion that records every callback, fails on a second callback for the same page and context, and lets
 * a test wait for callbacks with a bound.
 */
public final class ReadRecorder implements ReadCompletion<Object>
{
    private final Map<CachePage, Result> results = new IdentityHashMap<>();
    private final List<String> duplicates = new ArrayList<>();
    private final List<Object> contexts = new ArrayList<>();

    public synchronized void readComplete(final CachePage page, final Object context, final Result result)
    {
        if (results.containsKey(page))
        {
            duplicates.add("page " + page.index() + " completed twice: " + results.get(page) + " then " + result);
        }
        results.put(page, result);
        contexts.add(context);
        notifyAll();
    }

    /**
     * Wait for the callback of a page.
     */
    public synchronized Result await(final CachePage page) throws InterruptedException
    {
        final long deadline = System.currentTimeMillis() + Await.TIMEOUT_SECONDS * 1000;
        while (!results.containsKey(page))
        {
            final long remaining = deadline - System.currentTimeMillis();
            if (remaining <= 0)
            {
                throw new AssertionError("no read completion for page " + page.index() + " within " +
                    Await.TIMEOUT_SECONDS + " s");
            }
            wait(remaining);
        }
        return results.get(page);
    }

    public synchronized Result resultOf(final CachePage page)
    {
        return results.get(page);
    }

    public synchronized int count()
    {
        return results.size();
    }

    public synchronized List<String> duplicates()
    {
        return new ArrayList<>(duplicates);
    }

    public synchronized List<Object> contexts()
    {
        return new ArrayList<>(contexts);
    }
}
