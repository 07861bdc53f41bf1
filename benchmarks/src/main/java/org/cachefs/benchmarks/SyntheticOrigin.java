package org.cachefs.benchmarks;

import java.io.FileNotFoundException;
import java.nio.ByteBuffer;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.LockSupport;

import org.cachefs.readthrough.FileVersion;
import org.cachefs.readthrough.Origin;

/**
 * An origin for the read-through benchmarks: files of a set length whose bytes derive from the offset, a simulated
 * round-trip latency per request, and a count of requests.
 * <p>
 * Threading: any thread.
 */
public final class SyntheticOrigin implements Origin
{
    private final ConcurrentHashMap<String, FileVersion> files = new ConcurrentHashMap<>();
    private final long latencyNanos;
    final LongAdder reads = new LongAdder();
    final LongAdder bytes = new LongAdder();

    public SyntheticOrigin(final long latencyMillis)
    {
        this.latencyNanos = TimeUnit.MILLISECONDS.toNanos(latencyMillis);
    }

    public FileVersion add(final String path, final long length)
    {
        final FileVersion version = new FileVersion(length, "v1");
        files.put(path, version);
        return version;
    }

    @Override
    public FileVersion stat(final String path) throws FileNotFoundException
    {
        final FileVersion version = files.get(path);
        if (null == version)
        {
            throw new FileNotFoundException(path);
        }
        return version;
    }

    @Override
    public void read(final String path, final FileVersion version, final long offset, final ByteBuffer dst)
    {
        reads.increment();
        bytes.add(dst.remaining());
        if (latencyNanos > 0)
        {
            LockSupport.parkNanos(latencyNanos);
        }
        long position = offset;
        while (dst.remaining() >= Long.BYTES)
        {
            dst.putLong(position * 0x9E3779B97F4A7C15L);
            position += Long.BYTES;
        }
        while (dst.hasRemaining())
        {
            dst.put((byte)position++);
        }
    }
}
