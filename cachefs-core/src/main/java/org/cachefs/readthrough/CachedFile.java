package org.cachefs.readthrough;

import java.io.Closeable;
import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.RejectedExecutionException;
import java.util.function.IntFunction;

/**
 * An open file of a {@link ReadThroughCache}, at the version it was opened at: every read returns bytes of that one
 * version. Reads are positional and may come from any number of threads at once.
 * <p>
 * Threading: thread-safe. {@link #close()} once; reads after it fail with {@link IllegalStateException}.
 */
public final class CachedFile implements Closeable
{
    private final ReadThroughCache cache;
    private final FileEntry entry;
    private final HandleCounters counters = new HandleCounters();
    private volatile boolean closed;

    CachedFile(final ReadThroughCache cache, final FileEntry entry)
    {
        this.cache = cache;
        this.entry = entry;
    }

    /** @return the path the file was opened with. */
    public String path()
    {
        return entry.path;
    }

    /** @return the version the file was opened at. */
    public FileVersion version()
    {
        return entry.version;
    }

    /** @return the file's length at that version. */
    public long length()
    {
        return entry.version.length();
    }

    /**
     * Reads up to {@code dst.remaining()} bytes from {@code position}; the buffer's position advances by the count.
     *
     * @param position the offset in the file of the first byte to read, {@code >= 0}.
     * @param dst      where the bytes go, from its position.
     * @return the number of bytes read (fewer only at the end of the file), or -1 if {@code position} is at or past
     * the end (0 if {@code dst} has no room).
     * @throws IOException if the origin fails, naming the path and the range.
     */
    public int read(final long position, final ByteBuffer dst) throws IOException
    {
        checkOpen();
        if (position < 0)
        {
            throw new IllegalArgumentException("position must be >= 0: " + position);
        }
        if (!dst.hasRemaining())
        {
            return 0;
        }
        final long length = length();
        if (position >= length)
        {
            return -1;
        }
        final int count = (int)Math.min(dst.remaining(), length - position);
        cache.readPath.read(entry, position, dst, count, counters);
        return count;
    }

    /**
     * Reads exactly {@code dst.remaining()} bytes from {@code position}.
     *
     * @param position the offset in the file of the first byte to read, {@code >= 0}.
     * @param dst      where the bytes go, from its position, which advances to its limit.
     * @throws EOFException if the range goes past the end of the file (nothing is read).
     * @throws IOException  if the origin fails.
     */
    public void readFully(final long position, final ByteBuffer dst) throws IOException
    {
        checkOpen();
        if (position < 0)
        {
            throw new IllegalArgumentException("position must be >= 0: " + position);
        }
        final int count = dst.remaining();
        if (position + count > length())
        {
            throw new EOFException("read of " + entry.path + " [" + position + ", " + (position + count) +
                ") goes past its end (" + length() + " bytes)");
        }
        if (count > 0)
        {
            cache.readPath.read(entry, position, dst, count, counters);
        }
    }

    /**
     * {@link #read(long, ByteBuffer)} on the cache's reading threads.
     *
     * @param position the offset in the file of the first byte to read, {@code >= 0}.
     * @param dst      where the bytes go; the caller leaves it alone until the future completes.
     * @return the count, or an {@link IOException} as the future's failure.
     */
    public CompletableFuture<Integer> readAsync(final long position, final ByteBuffer dst)
    {
        checkOpen();
        final CompletableFuture<Integer> result = new CompletableFuture<>();
        try
        {
            cache.asyncExecutor().execute(() ->
            {
                try
                {
                    result.complete(read(position, dst));
                }
                catch (final Throwable ex)
                {
                    result.completeExceptionally(ex);
                }
            });
        }
        catch (final RejectedExecutionException ex)
        {
            result.completeExceptionally(new IllegalStateException("read-through cache is closed", ex));
        }
        return result;
    }

    /**
     * Reads many ranges at once, on the cache's reading threads: ranges closer than
     * {@link ReadThroughOptions#vectorMergeGap()} are read as one, each range's bytes go to a buffer from
     * {@code allocate}, flipped for reading.
     *
     * @param ranges   the ranges to read, in any order; they may overlap.
     * @param allocate gives the buffer of a range, called with its length.
     * @return one future per range, in the order given; a range past the end fails with {@link EOFException}.
     */
    public List<CompletableFuture<ByteBuffer>> readVectored(
        final List<ReadRange> ranges, final IntFunction<ByteBuffer> allocate)
    {
        checkOpen();
        Objects.requireNonNull(allocate, "allocate");
        final List<CompletableFuture<ByteBuffer>> results = new ArrayList<>(ranges.size());
        final List<Integer> order = new ArrayList<>(ranges.size());
        for (int i = 0; i < ranges.size(); i++)
        {
            final ReadRange range = Objects.requireNonNull(ranges.get(i), "range");
            final CompletableFuture<ByteBuffer> future = new CompletableFuture<>();
            results.add(future);
            if (range.end() > length())
            {
                future.completeExceptionally(new EOFException("range [" + range.offset() + ", " + range.end() +
                    ") of " + entry.path + " goes past its end (" + length() + " bytes)"));
                continue;
            }
            order.add(i);
        }
        order.sort(Comparator.comparingLong(i -> ranges.get(i).offset()));

        final int gap = cache.options().vectorMergeGap();
        final long maxMerged = Math.max(cache.options().chunkSize(), 1 << 20);
        int first = 0;
        while (first < order.size())
        {
            long start = ranges.get(order.get(first)).offset();
            long end = ranges.get(order.get(first)).end();
            int last = first;
            while (last + 1 < order.size())
            {
                final ReadRange next = ranges.get(order.get(last + 1));
                if (next.offset() - end > gap || Math.max(end, next.end()) - start > maxMerged)
                {
                    break;
                }
                end = Math.max(end, next.end());
                last++;
            }
            final List<Integer> group = List.copyOf(order.subList(first, last + 1));
            final long groupStart = start;
            final int groupLength = (int)(end - start);
            try
            {
                cache.asyncExecutor().execute(() -> readGroup(ranges, group, groupStart, groupLength, allocate,
                    results));
            }
            catch (final RejectedExecutionException ex)
            {
                for (final int i : group)
                {
                    results.get(i).completeExceptionally(new IllegalStateException("read-through cache is closed",
                        ex));
                }
            }
            first = last + 1;
        }
        return results;
    }

    private void readGroup(
        final List<ReadRange> ranges, final List<Integer> group, final long start, final int length,
        final IntFunction<ByteBuffer> allocate, final List<CompletableFuture<ByteBuffer>> results)
    {
        try
        {
            final ByteBuffer merged = ByteBuffer.allocate(length);
            if (length > 0)
            {
                cache.readPath.read(entry, start, merged, length, counters);
            }
            for (final int i : group)
            {
                final ReadRange range = ranges.get(i);
                final ByteBuffer buffer = allocate.apply(range.length());
                buffer.put(buffer.position(), merged, (int)(range.offset() - start), range.length());
                buffer.limit(buffer.position() + range.length());
                results.get(i).complete(buffer);
            }
        }
        catch (final Throwable ex)
        {
            for (final int i : group)
            {
                results.get(i).completeExceptionally(ex);
            }
        }
    }

    /**
     * @return this handle's share of the cache's statistics since it was opened.
     */
    public CachedFileStats stats()
    {
        return counters.snapshot();
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("file " + entry.path + " is closed");
        }
    }

    /**
     * Closes the handle; the file's cookie stays with the cache for the next open while it has room for idle files.
     */
    @Override
    public void close()
    {
        if (!closed)
        {
            closed = true;
            cache.release(entry);
        }
    }
}
