package org.cachefs.readthrough;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;

/**
 * One origin request for a chunk of a file (single flight): the thread that registers it in the file's map fetches
 * the chunk, the others wait for it and copy from its buffer. The buffer is reference counted: the owner's reference
 * passes to the store that writes the chunk to the cache; each waiter holds one while it copies; the last release
 * gives the buffer and its share of the in-flight memory back ({@link ReadPath#recycle(ChunkFetch)}).
 * <p>
 * Threading: any thread; state under the fetch's monitor. {@link #buffer} is written by the owner before
 * {@link #complete} and only read after it.
 */
final class ChunkFetch
{
    final ReadPath path;
    final long chunk;
    final long offset;
    final int length;
    ByteBuffer buffer;

    private int references = 1;
    private boolean done;
    private IOException failure;

    ChunkFetch(final ReadPath path, final long chunk, final long offset, final int length)
    {
        this.path = path;
        this.chunk = chunk;
        this.offset = offset;
        this.length = length;
    }

    /**
     * @return false if the fetch was released by everyone (its buffer is gone): look again.
     */
    synchronized boolean retain()
    {
        if (references == 0)
        {
            return false;
        }
        references++;
        return true;
    }

    void release()
    {
        final boolean last;
        synchronized (this)
        {
            last = --references == 0;
        }
        if (last)
        {
            path.recycle(this);
        }
    }

    synchronized void complete(final IOException failure)
    {
        this.done = true;
        this.failure = failure;
        notifyAll();
    }

    /**
     * Waits for the owner's fetch.
     *
     * @throws IOException the origin's failure, or if interrupted.
     */
    synchronized void await() throws IOException
    {
        while (!done)
        {
            try
            {
                wait();
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new InterruptedIOException("interrupted waiting for the origin");
            }
        }
        if (null != failure)
        {
            throw failure;
        }
    }

    synchronized boolean isDone()
    {
        return done;
    }
}
