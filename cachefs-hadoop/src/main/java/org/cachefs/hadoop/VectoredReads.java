package org.cachefs.hadoop;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.function.IntFunction;

import org.apache.hadoop.fs.FileRange;
import org.cachefs.readthrough.ReadRange;

/**
 * Vectored reads of a {@link CachingInputStream}: the only class of the module that names {@link FileRange} (Hadoop
 * 3.3.5 and later), loaded when a vectored read is made, so that the module loads on older runtimes, which have no
 * vectored reads to make.
 * <p>
 * Threading: stateless; called by the reading thread, the ranges are read on the cache's reading threads.
 */
final class VectoredReads
{
    private VectoredReads()
    {
    }

    /**
     * Checks the ranges as Hadoop's vectored read contract says ({@code VectoredReadUtils.validateAndSortRanges}),
     * then reads them through the cache, ranges closer than {@link CacheSettings#VECTOR_MERGE_GAP} as one, and sets
     * each range's future before returning.
     *
     * @throws NullPointerException     for a null list or range.
     * @throws IllegalArgumentException for a negative length, or ranges that overlap.
     * @throws EOFException             for a negative offset, or a range past the end of the file.
     */
    static void read(final CachingInputStream stream, final List<? extends FileRange> ranges,
        final IntFunction<ByteBuffer> allocate) throws IOException
    {
        Objects.requireNonNull(ranges, "null range list");
        Objects.requireNonNull(allocate, "null allocator");
        stream.checkNotClosed();
        final List<FileRange> sorted = new ArrayList<>(ranges.size());
        for (final FileRange range : ranges)
        {
            Objects.requireNonNull(range, "null range in the list");
            if (range.getLength() < 0)
            {
                throw new IllegalArgumentException("length is negative in " + describe(range));
            }
            if (range.getOffset() < 0)
            {
                throw new EOFException("position is negative in range " + describe(range));
            }
            sorted.add(range);
        }
        if (sorted.isEmpty())
        {
            return;
        }
        sorted.sort(Comparator.comparingLong(FileRange::getOffset));
        for (int i = 1; i < sorted.size(); i++)
        {
            final FileRange previous = sorted.get(i - 1);
            final FileRange current = sorted.get(i);
            if (current.getOffset() < previous.getOffset() + previous.getLength())
            {
                throw new IllegalArgumentException("overlapping ranges " + describe(previous) + " and " +
                    describe(current));
            }
        }
        final FileRange last = sorted.get(sorted.size() - 1);
        final long length = stream.length();
        if (last.getOffset() >= length)
        {
            throw new EOFException("range starts beyond the file length (" + length + "): " + describe(last));
        }
        if (last.getOffset() + last.getLength() > length)
        {
            throw new EOFException("range extends beyond the file length (" + length + "): " + describe(last));
        }

        final List<ReadRange> requests = new ArrayList<>(ranges.size());
        long bytes = 0;
        for (final FileRange range : ranges)
        {
            requests.add(new ReadRange(range.getOffset(), range.getLength()));
            bytes += range.getLength();
        }
        final List<CompletableFuture<ByteBuffer>> results = stream.file().readVectored(requests, allocate);
        for (int i = 0; i < ranges.size(); i++)
        {
            ranges.get(i).setData(results.get(i));
        }
        stream.vectoredRead(ranges.size(), bytes);
    }

    private static String describe(final FileRange range)
    {
        return "[" + range.getOffset() + ", " + (range.getOffset() + range.getLength()) + ")";
    }
}
