package org.cachefs.readthrough;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.locks.LockSupport;

/**
 * An origin in memory for tests: files with versions (older versions stay readable by their tag), a log of every
 * request, simulated latency, injected failures and reads held until released.
 */
final class TestOrigin implements Origin
{
    /** One read request. */
    record Request(String path, String tag, long offset, int length)
    {
    }

    private final Map<String, byte[]> versions = new HashMap<>();
    private final Map<String, String> current = new HashMap<>();
    private final List<Request> requests = new ArrayList<>();
    private final AtomicInteger stats = new AtomicInteger();
    private volatile long latencyNanos;
    private volatile int failures;
    private volatile String failureMessage = "injected origin failure";
    private boolean holding;
    private int held;

    /** Sets a file's current version to {@code length} bytes derived from the path and tag. */
    synchronized TestOrigin put(final String path, final int length, final String tag)
    {
        versions.put(path + "\0" + tag, content(path, tag, length));
        current.put(path, tag);
        return this;
    }

    static byte[] content(final String path, final String tag, final int length)
    {
        final byte[] bytes = new byte[length];
        long state = (path.hashCode() * 31L + tag.hashCode()) | 1;
        for (int i = 0; i < length; i++)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            bytes[i] = (byte)state;
        }
        return bytes;
    }

    synchronized byte[] bytes(final String path, final String tag)
    {
        return versions.get(path + "\0" + tag);
    }

    TestOrigin latency(final long millis)
    {
        latencyNanos = TimeUnit.MILLISECONDS.toNanos(millis);
        return this;
    }

    /** The next {@code count} reads fail. */
    void failNext(final int count, final String message)
    {
        failureMessage = message;
        failures = count;
    }

    synchronized void holdReads()
    {
        holding = true;
    }

    synchronized void releaseReads()
    {
        holding = false;
        notifyAll();
    }

    /** Waits, with a bound, until {@code count} reads are held. */
    synchronized void awaitHeld(final int count) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(20);
        while (held < count)
        {
            final long remaining = deadline - System.nanoTime();
            if (remaining <= 0)
            {
                throw new AssertionError(held + " of " + count + " origin reads held");
            }
            TimeUnit.NANOSECONDS.timedWait(this, remaining);
        }
    }

    @Override
    public synchronized FileVersion stat(final String path) throws IOException
    {
        stats.incrementAndGet();
        final String tag = current.get(path);
        if (null == tag)
        {
            throw new FileNotFoundException(path);
        }
        return new FileVersion(versions.get(path + "\0" + tag).length, tag);
    }

    @Override
    public void read(final String path, final FileVersion version, final long offset, final ByteBuffer dst)
        throws IOException
    {
        final byte[] bytes;
        synchronized (this)
        {
            requests.add(new Request(path, version.tag(), offset, dst.remaining()));
            held++;
            notifyAll();
            while (holding)
            {
                try
                {
                    wait();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new java.io.InterruptedIOException();
                }
            }
            held--;
            bytes = versions.get(path + "\0" + version.tag());
        }
        if (latencyNanos > 0)
        {
            LockSupport.parkNanos(latencyNanos);
        }
        synchronized (this)
        {
            if (failures > 0)
            {
                failures--;
                throw new IOException(failureMessage);
            }
        }
        if (null == bytes || bytes.length != version.length())
        {
            throw new IOException("no version " + version + " of " + path);
        }
        if (offset < 0 || offset + dst.remaining() > bytes.length)
        {
            throw new AssertionError("read of " + path + " [" + offset + ", " + (offset + dst.remaining()) +
                ") past its end " + bytes.length);
        }
        dst.put(bytes, (int)offset, dst.remaining());
    }

    synchronized List<Request> requests()
    {
        return new ArrayList<>(requests);
    }

    synchronized int reads()
    {
        return requests.size();
    }

    int stats()
    {
        return stats.get();
    }

    synchronized void clearLog()
    {
        requests.clear();
    }
}
