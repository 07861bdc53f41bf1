package org.cachefs.hadoop;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.atomic.LongAdder;
import java.util.function.IntFunction;

import org.apache.hadoop.fs.ByteBufferPositionedReadable;
import org.apache.hadoop.fs.ByteBufferReadable;
import org.apache.hadoop.fs.CanUnbuffer;
import org.apache.hadoop.fs.FSExceptionMessages;
import org.apache.hadoop.fs.FSInputStream;
import org.apache.hadoop.fs.FileRange;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.CachedFileStats;

/**
 * An input stream of a {@link CachingFileSystem}: reads one version of a file (the one its open saw) through the
 * read-through cache. Reads at least {@link CacheSettings#BUFFER_SIZE} long go straight to the cache; shorter
 * sequential reads are served from a buffer filled from the cache. Positioned reads never touch the buffer or the
 * position.
 * <p>
 * Threading: as Hadoop's streams: the sequential calls ({@code read}, {@code seek}, {@code skip}, ...) are meant for
 * one thread at a time and synchronized; positioned and vectored reads may come from any number of threads at once.
 * Vectored reads ({@link FileRange}, Hadoop 3.3.5 and later) are done by {@link VectoredReads}, loaded only when one
 * is made, so that the stream loads on runtimes without them.
 */
final class CachingInputStream extends FSInputStream
    implements ByteBufferReadable, ByteBufferPositionedReadable, CanUnbuffer, StreamCapabilities,
    IOStatisticsSource
{
    /** Whether this runtime has vectored reads ({@code FileRange}, Hadoop 3.3.5 and later). */
    static final boolean VECTORED_READS = hasClass("org.apache.hadoop.fs.FileRange");

    private final CachingFileSystem owner;
    private final String key;
    private final CachedFile file;
    private final long length;
    private final int bufferSize;
    private final FileSystem.Statistics statistics;
    private final LongAdder bytesRead = new LongAdder();
    private final LongAdder readOperations = new LongAdder();
    private final LongAdder seeks = new LongAdder();
    private final LongAdder unbuffers = new LongAdder();
    private final LongAdder vectoredReads = new LongAdder();
    private final LongAdder vectoredRanges = new LongAdder();
    private final CacheIOStatistics ioStatistics;

    /** The stream's position; guarded by this. */
    private long position;
    /** Bytes of the file from {@link #bufferStart}; null after {@link #unbuffer()} until the next short read. */
    private byte[] buffer;
    private long bufferStart;
    private int bufferLength;
    private volatile boolean closed;

    CachingInputStream(final CachingFileSystem owner, final String key, final CachedFile file, final int bufferSize,
        final FileSystem.Statistics statistics)
    {
        this.owner = owner;
        this.key = key;
        this.file = file;
        this.length = file.length();
        this.bufferSize = bufferSize;
        this.statistics = statistics;
        this.ioStatistics = new CacheIOStatistics(this::counters, gauges -> { });
    }

    /** @return the cached file (for vectored reads). */
    CachedFile file()
    {
        return file;
    }

    long length()
    {
        return length;
    }

    @Override
    public synchronized int read() throws IOException
    {
        checkNotClosed();
        readOperations.increment();
        if (position >= length)
        {
            return -1;
        }
        if (!buffered(position))
        {
            fill(position);
        }
        final int value = buffer[(int)(position - bufferStart)] & 0xff;
        position++;
        counted(1);
        return value;
    }

    @Override
    public synchronized int read(final byte[] b, final int off, final int len) throws IOException
    {
        checkNotClosed();
        checkBounds(b, off, len);
        if (len == 0)
        {
            return 0;
        }
        readOperations.increment();
        if (position >= length)
        {
            return -1;
        }
        final int count;
        if (buffered(position))
        {
            count = (int)Math.min(len, bufferStart + bufferLength - position);
            System.arraycopy(buffer, (int)(position - bufferStart), b, off, count);
        }
        else if (len >= bufferSize)
        {
            count = file.read(position, ByteBuffer.wrap(b, off, len));
        }
        else
        {
            fill(position);
            count = Math.min(len, bufferLength);
            System.arraycopy(buffer, 0, b, off, count);
        }
        position += count;
        counted(count);
        return count;
    }

    @Override
    public synchronized int read(final ByteBuffer dst) throws IOException
    {
        checkNotClosed();
        if (!dst.hasRemaining())
        {
            return 0;
        }
        readOperations.increment();
        if (position >= length)
        {
            return -1;
        }
        final int count;
        if (buffered(position))
        {
            count = (int)Math.min(dst.remaining(), bufferStart + bufferLength - position);
            dst.put(buffer, (int)(position - bufferStart), count);
        }
        else if (dst.remaining() >= bufferSize)
        {
            count = file.read(position, dst);
        }
        else
        {
            fill(position);
            count = Math.min(dst.remaining(), bufferLength);
            dst.put(buffer, 0, count);
        }
        position += count;
        counted(count);
        return count;
    }

    private boolean buffered(final long at)
    {
        return null != buffer && at >= bufferStart && at < bufferStart + bufferLength;
    }

    /** Fills the buffer from {@code at} (before the end of the file). */
    private void fill(final long at) throws IOException
    {
        if (null == buffer)
        {
            buffer = new byte[bufferSize];
        }
        bufferLength = 0;
        final int count = (int)Math.min(bufferSize, length - at);
        file.readFully(at, ByteBuffer.wrap(buffer, 0, count));
        bufferStart = at;
        bufferLength = count;
    }

    @Override
    public int read(final long position, final byte[] b, final int off, final int len) throws IOException
    {
        checkPositionedArguments(position, b, off, len);
        if (len == 0)
        {
            return 0;
        }
        checkNotClosed();
        readOperations.increment();
        final int count = file.read(position, ByteBuffer.wrap(b, off, len));
        counted(Math.max(count, 0));
        return count;
    }

    @Override
    public void readFully(final long position, final byte[] b, final int off, final int len) throws IOException
    {
        checkPositionedArguments(position, b, off, len);
        if (len == 0)
        {
            return;
        }
        checkNotClosed();
        readOperations.increment();
        file.readFully(position, ByteBuffer.wrap(b, off, len));
        counted(len);
    }

    @Override
    public void readFully(final long position, final byte[] b) throws IOException
    {
        readFully(position, b, 0, b.length);
    }

    @Override
    public int read(final long position, final ByteBuffer dst) throws IOException
    {
        checkPosition(position);
        if (!dst.hasRemaining())
        {
            return 0;
        }
        checkNotClosed();
        readOperations.increment();
        final int count = file.read(position, dst);
        counted(Math.max(count, 0));
        return count;
    }

    @Override
    public void readFully(final long position, final ByteBuffer dst) throws IOException
    {
        checkPosition(position);
        if (!dst.hasRemaining())
        {
            return;
        }
        checkNotClosed();
        readOperations.increment();
        final int count = dst.remaining();
        file.readFully(position, dst);
        counted(count);
    }

    @Override
    public int minSeekForVectorReads()
    {
        return owner.settings().options().vectorMergeGap();
    }

    @Override
    public int maxReadSizeForVectorReads()
    {
        return Math.max(owner.settings().options().chunkSize(), 1 << 20);
    }

    /**
     * Reads the ranges through the cache (nearby ones merged, hits served from cached pages) on the cache's reading
     * threads; checks them as Hadoop's vectored read contract says first.
     */
    @Override
    public void readVectored(final List<? extends FileRange> ranges, final IntFunction<ByteBuffer> allocate)
        throws IOException
    {
        VectoredReads.read(this, ranges, allocate);
    }

    @Override
    public synchronized void seek(final long target) throws IOException
    {
        checkNotClosed();
        if (target < 0)
        {
            throw new EOFException(FSExceptionMessages.NEGATIVE_SEEK + ": " + target + " in " + key);
        }
        if (target > length)
        {
            throw new EOFException(FSExceptionMessages.CANNOT_SEEK_PAST_EOF + ": " + target + " in " + key +
                " of " + length + " bytes");
        }
        seeks.increment();
        position = target;
    }

    @Override
    public synchronized long getPos()
    {
        return position;
    }

    @Override
    public boolean seekToNewSource(final long targetPos)
    {
        return false;
    }

    @Override
    public synchronized long skip(final long n) throws IOException
    {
        checkNotClosed();
        if (n <= 0)
        {
            return 0;
        }
        final long skipped = Math.min(n, length - position);
        position += skipped;
        return skipped;
    }

    @Override
    public synchronized int available() throws IOException
    {
        checkNotClosed();
        return (int)Math.min(Integer.MAX_VALUE, length - position);
    }

    /**
     * Drops the read buffer and closes the wrapped file system's idle streams of this file; the stream stays open.
     */
    @Override
    public synchronized void unbuffer()
    {
        buffer = null;
        bufferLength = 0;
        unbuffers.increment();
        owner.origin().closeIdle(key);
    }

    @Override
    public boolean hasCapability(final String capability)
    {
        switch (capability.toLowerCase(Locale.ROOT))
        {
            case StreamCapabilities.READBYTEBUFFER:
            case StreamCapabilities.PREADBYTEBUFFER:
            case StreamCapabilities.UNBUFFER:
            case StreamCapabilities.IOSTATISTICS:
                return true;
            case "in:readvectored":
                return VECTORED_READS;
            default:
                return false;
        }
    }

    @Override
    public IOStatistics getIOStatistics()
    {
        return ioStatistics;
    }

    private void counters(final Map<String, Long> values)
    {
        final CachedFileStats stats = file.stats();
        values.put(CacheIOStatistics.CACHE_HIT_BYTES, stats.cacheHitBytes());
        values.put(CacheIOStatistics.CACHE_MISS_BYTES, stats.cacheMissBytes());
        values.put(CacheIOStatistics.CACHE_FALLBACKS, stats.fallbacks());
        values.put(CacheIOStatistics.CACHE_FALLBACK_BYTES, stats.fallbackBytes());
        values.put(CacheIOStatistics.CACHE_READS, stats.reads());
        values.put(CacheIOStatistics.STREAM_READ_BYTES, bytesRead.sum());
        values.put(CacheIOStatistics.STREAM_READ_OPERATIONS, readOperations.sum());
        values.put(CacheIOStatistics.STREAM_READ_SEEK_OPERATIONS, seeks.sum());
        values.put(CacheIOStatistics.STREAM_READ_UNBUFFERED, unbuffers.sum());
        values.put(CacheIOStatistics.STREAM_READ_VECTORED_OPERATIONS, vectoredReads.sum());
        values.put(CacheIOStatistics.STREAM_READ_VECTORED_INCOMING_RANGES, vectoredRanges.sum());
    }

    /** A vectored read of {@code ranges} ranges, {@code bytes} bytes in all, was started. */
    void vectoredRead(final int ranges, final long bytes)
    {
        vectoredReads.increment();
        vectoredRanges.add(ranges);
        owner.vectoredRead();
        bytesRead.add(bytes);
        if (null != statistics)
        {
            statistics.incrementBytesRead(bytes);
        }
    }

    private void counted(final int bytes)
    {
        bytesRead.add(bytes);
        if (null != statistics)
        {
            statistics.incrementBytesRead(bytes);
        }
    }

    void checkNotClosed() throws IOException
    {
        if (closed)
        {
            throw new IOException(FSExceptionMessages.STREAM_IS_CLOSED + ": " + key);
        }
    }

    private static void checkBounds(final byte[] b, final int off, final int len)
    {
        if (null == b)
        {
            throw new NullPointerException("null buffer");
        }
        if (off < 0 || len < 0 || len > b.length - off)
        {
            throw new IndexOutOfBoundsException("offset " + off + " and length " + len + " do not fit a buffer of " +
                b.length + " bytes");
        }
    }

    private static void checkPositionedArguments(final long position, final byte[] b, final int off, final int len)
        throws EOFException
    {
        if (len < 0)
        {
            throw new IllegalArgumentException("length is negative: " + len);
        }
        if (null == b)
        {
            throw new IllegalArgumentException("null buffer");
        }
        checkPosition(position);
        if (off < 0 || len > b.length - off)
        {
            throw new IndexOutOfBoundsException(FSExceptionMessages.TOO_MANY_BYTES_FOR_DEST_BUFFER +
                ": request length=" + len + ", with offset=" + off + "; buffer capacity=" + b.length);
        }
    }

    private static void checkPosition(final long position) throws EOFException
    {
        if (position < 0)
        {
            throw new EOFException("position is negative: " + position);
        }
    }

    @Override
    public synchronized void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        buffer = null;
        file.close();
        owner.streamClosed(key);
    }

    @Override
    public String toString()
    {
        return "CachingInputStream{" + key + ", length=" + length + ", position=" + position + ", " +
            ioStatistics + "}";
    }

    private static boolean hasClass(final String name)
    {
        try
        {
            Class.forName(name, false, CachingInputStream.class.getClassLoader());
            return true;
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return false;
        }
    }
}
