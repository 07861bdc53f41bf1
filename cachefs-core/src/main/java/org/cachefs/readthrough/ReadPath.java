package org.cachefs.readthrough;

import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.concurrent.Executor;
import java.util.concurrent.Semaphore;

import org.cachefs.format.device.BufferPool;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;

/**
 * How a {@link ReadThroughCache} serves a range of a file: pages the cache holds in memory are copied straight out
 * ({@link Cookie#readResident}); other cached pages are read from the cache into pooled pages and copied out; the missing ones are fetched from the origin by whole aligned chunks (one request per chunk however many
 * threads miss it, {@link ChunkFetch}), copied to the caller as soon as they arrive and written to the cache by the
 * store threads, which the caller never waits for. When the cache cannot take part (no image, full, withdrawn,
 * failing) the range is read from the origin directly.
 * <p>
 * Threading: {@link #read} runs on the reading thread, the stores on the store executor; everything here is
 * thread-safe. In-flight chunks are bounded by {@link ReadThroughOptions#maxInFlightBytes()}: a fetch beyond it waits
 * for a store to end.
 */
final class ReadPath
{
    /** Pages read from the cache per {@code readOrAllocPages} call. */
    static final int BATCH_PAGES = 256;
    private static final int HIT = 1;
    private static final int MISS = 0;
    private static final int RETRY = -1;
    /** A chunk fetch a read keeps, retained, for its next batches; per thread, used only on the miss path. */
    private static final ThreadLocal<ChunkFetch[]> KEPT = ThreadLocal.withInitial(() -> new ChunkFetch[1]);

    private final Origin origin;
    private final Counters counters;
    private final ChunkStores stores;
    private final int pageSize;
    private final int chunkSize;
    private final int readaheadChunks;
    private final ContextPool contexts;
    private final BufferPool chunks;
    private final Semaphore inFlight;

    ReadPath(final ReadThroughOptions options, final int pageSize, final Origin origin, final Counters counters,
        final Executor stores)
    {
        this.origin = origin;
        this.counters = counters;
        this.stores = new ChunkStores(stores, counters, pageSize);
        this.pageSize = pageSize;
        this.chunkSize = Math.max(options.chunkSize(), pageSize);
        this.readaheadChunks = options.readaheadChunks();
        final int permits = (int)Math.min(Integer.MAX_VALUE, options.maxInFlightBytes() / chunkSize);
        this.inFlight = new Semaphore(permits);
        this.chunks = new BufferPool(chunkSize, pageSize, Math.min(permits, 64));
        this.contexts = new ContextPool(2 * Runtime.getRuntime().availableProcessors() + options.storeThreads(),
            BATCH_PAGES, pageSize);
    }

    /**
     * Reads bytes {@code [position, position + length)} of the entry's version, all within its length, into
     * {@code dst} from its position, which ends {@code length} bytes on.
     *
     * @param handle the counters of the handle reading, which get this read's share.
     * @throws IOException only for an origin failure, naming the path and the range.
     */
    void read(final FileEntry entry, final long position, final ByteBuffer dst, final int length,
        final HandleCounters handle) throws IOException
    {
        final long start = System.nanoTime();
        final int base = dst.position();
        boolean hit = true;
        final long stamp = entry.enter();
        if (0 == stamp)
        {
            originDirect(entry, position, dst, base, length);
            counters.fallback(length);
            handle.fallback(length);
            hit = false;
        }
        else
        {
            ChunkFetch[] kept = null;
            try
            {
                final Cookie cookie = entry.cookie();
                int done = 0;
                while (done < length)
                {
                    final long at = position + done;
                    final long firstPage = at / pageSize;
                    final long lastPage = Math.min((position + length - 1) / pageSize, firstPage + BATCH_PAGES - 1);
                    final int bytes = (int)(Math.min(position + length, (lastPage + 1) * pageSize) - at);
                    if (null != kept && null != kept[0])
                    {
                        // The rest of a chunk this read fetched comes from the fetch, not from the cache again.
                        final ChunkFetch fetch = kept[0];
                        if (at + bytes <= fetch.offset + fetch.length)
                        {
                            dst.put(base + done, fetch.buffer, (int)(at - fetch.offset), bytes);
                            counters.missBytes.add(bytes);
                            handle.missBytes.add(bytes);
                            done += bytes;
                            continue;
                        }
                        kept[0] = null;
                        fetch.release();
                    }
                    // Pages the cache holds in memory are copied straight into dst, with no page tracked.
                    final int resident = cookie.readResident(at, dst, base + done, length - done);
                    if (resident > 0)
                    {
                        counters.hitBytes.add(resident);
                        handle.hitBytes.add(resident);
                        done += resident;
                        continue;
                    }
                    final boolean more = at + bytes < position + length;
                    int outcome = readBatch(cookie, entry, at, dst, base + done, bytes, firstPage,
                        (int)(lastPage - firstPage + 1), true, more, handle);
                    for (int retry = 0; outcome == RETRY; retry++)
                    {
                        // A store ended between this batch's cache read and its fetch: read the cache again.
                        outcome = readBatch(cookie, entry, at, dst, base + done, bytes, firstPage,
                            (int)(lastPage - firstPage + 1), retry < 2, more, handle);
                    }
                    if (outcome != HIT)
                    {
                        hit = false;
                        kept = KEPT.get();
                    }
                    done += bytes;
                }
            }
            finally
            {
                if (null != kept && null != kept[0])
                {
                    kept[0].release();
                    kept[0] = null;
                }
                entry.exit(stamp);
            }
        }
        dst.position(base + length);
        counters.read(length, hit, System.nanoTime() - start);
        handle.read(length);
        if (readaheadChunks > 0 && length > 0)
        {
            readAhead(entry, (position + length - 1) / chunkSize);
        }
    }

    /**
     * Reads one batch of pages.
     *
     * @param checkStores whether to give up ({@link #RETRY}) rather than fetch a chunk when a store ended after the
     *                    cache was read: the chunk may be cached now.
     * @param more        whether the read goes on after this batch: the last chunk fetched is then left retained in
     *                    {@link #KEPT} for the next batches.
     * @return {@link #HIT} if every byte came from the cache, {@link #MISS} if some came from the origin.
     */
    private int readBatch(
        final Cookie cookie, final FileEntry entry, final long position, final ByteBuffer dst, final int offset,
        final int length, final long firstPage, final int pages, final boolean checkStores, final boolean more,
        final HandleCounters handle) throws IOException
    {
        final long storesBefore = checkStores ? entry.storesEnded.get() : -1;
        long firstMissing = -1;
        long lastMissing = -1;
        boolean storable = false;
        long hitBytes = 0;
        final ReadContext context = contexts.acquire();
        try
        {
            context.prepare(firstPage, pages);
            cookie.readOrAllocPages(context.list, ReadContext.COMPLETION, context);
            context.awaitCompletions(pages - context.list.size());
            // Runs of pages read from the cache are copied out of the context's buffer with one copy each.
            int run = -1;
            for (int i = 0; i <= pages; i++)
            {
                if (i < pages && context.hit(i))
                {
                    if (run < 0)
                    {
                        run = i;
                    }
                    continue;
                }
                if (run >= 0)
                {
                    final long runStart = (firstPage + run) * pageSize;
                    final long from = Math.max(position, runStart);
                    final long to = Math.min(position + length, (firstPage + i) * pageSize);
                    dst.put(offset + (int)(from - position), context.whole, (int)(from - runStart) + run * pageSize,
                        (int)(to - from));
                    hitBytes += to - from;
                    run = -1;
                }
                if (i < pages)
                {
                    if (firstMissing < 0)
                    {
                        firstMissing = firstPage + i;
                    }
                    lastMissing = firstPage + i;
                    storable |= context.pages[i].isFsCache();
                }
            }
        }
        finally
        {
            for (int i = 0; i < pages; i++)
            {
                cookie.uncachePage(context.pages[i]);
            }
            contexts.release(context);
        }
        if (firstMissing < 0)
        {
            counters.hitBytes.add(hitBytes);
            handle.hitBytes.add(hitBytes);
            return HIT;
        }

        final long from = Math.max(position, firstMissing * pageSize);
        final long to = Math.min(position + length, (lastMissing + 1) * pageSize);
        if (!storable)
        {
            originDirect(entry, from, dst, offset + (int)(from - position), (int)(to - from));
            // Every byte of [from, to) came from the origin, hits between the missing pages included.
            counters.hitBytes.add(length - (to - from));
            handle.hitBytes.add(length - (to - from));
            counters.fallback(to - from);
            handle.fallback(to - from);
            return MISS;
        }
        // Counted once the batch is served: a batch given up (RETRY) is read again and counts then.
        for (long chunk = from / chunkSize; chunk <= (to - 1) / chunkSize; chunk++)
        {
            final long chunkStart = chunk * chunkSize;
            final long s = Math.max(from, chunkStart);
            final long e = Math.min(to, chunkStart + chunkSize);
            final ChunkFetch fetch = fetch(entry, chunk, storesBefore);
            if (null == fetch)
            {
                return RETRY;
            }
            boolean keep = false;
            try
            {
                dst.put(offset + (int)(s - position), fetch.buffer, (int)(s - chunkStart), (int)(e - s));
                keep = more && e == to && to < fetch.offset + fetch.length;
            }
            finally
            {
                if (keep)
                {
                    KEPT.get()[0] = fetch;
                }
                else
                {
                    fetch.release();
                }
            }
        }
        // Every byte of [from, to) came from the chunks, hits between the missing pages included.
        counters.hitBytes.add(length - (to - from));
        handle.hitBytes.add(length - (to - from));
        counters.missBytes.add(to - from);
        handle.missBytes.add(to - from);
        return MISS;
    }

    /**
     * The chunk fetched, by this thread or another: returned retained (release it after copying).
     *
     * @param storesBefore the entry's {@link FileEntry#storesEnded} when the cache was read, or -1.
     * @return the fetch, or null if no fetch of the chunk is under way and a store ended since {@code storesBefore}.
     * @throws IOException if the origin failed.
     */
    private ChunkFetch fetch(final FileEntry entry, final long chunk, final long storesBefore) throws IOException
    {
        while (true)
        {
            ChunkFetch fetch = entry.fetches.get(chunk);
            if (null == fetch)
            {
                if (storesBefore >= 0 && entry.storesEnded.get() != storesBefore)
                {
                    return null;
                }
                final long chunkStart = chunk * chunkSize;
                final ChunkFetch created = new ChunkFetch(this, chunk, chunkStart,
                    (int)Math.min(chunkSize, entry.version.length() - chunkStart));
                fetch = entry.fetches.putIfAbsent(chunk, created);
                if (null == fetch)
                {
                    runFetch(entry, created, true);
                    return created;
                }
            }
            if (fetch.retain())
            {
                try
                {
                    fetch.await();
                    return fetch;
                }
                catch (final IOException ex)
                {
                    fetch.release();
                    throw ex;
                }
            }
            entry.fetches.remove(chunk, fetch);
        }
    }

    /**
     * Fetches a chunk this thread registered and hands it to a store thread.
     *
     * @param retain whether the caller keeps a reference to copy from it.
     */
    private void runFetch(final FileEntry entry, final ChunkFetch fetch, final boolean retain) throws IOException
    {
        IOException failure = null;
        try
        {
            inFlight.acquire();
            fetch.buffer = chunks.acquire();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            failure = new InterruptedIOException("interrupted waiting for memory to fetch " + range(entry,
                fetch.offset, fetch.length));
        }
        if (null == failure)
        {
            try
            {
                originRead(entry, fetch.offset, fetch.buffer.clear().limit(fetch.length));
                fetch.buffer.clear();
                final int padded = (fetch.length + pageSize - 1) / pageSize * pageSize;
                for (int i = fetch.length; i < padded; i++)
                {
                    fetch.buffer.put(i, (byte)0);
                }
            }
            catch (final IOException ex)
            {
                failure = ex;
            }
            catch (final RuntimeException | Error ex)
            {
                // Whatever went wrong, the threads waiting for this fetch must not wait forever.
                fetch.complete(new IOException("fetch of " + range(entry, fetch.offset, fetch.length) +
                    " failed: " + ex, ex));
                entry.fetches.remove(fetch.chunk, fetch);
                fetch.release();
                throw ex;
            }
        }
        if (null != failure)
        {
            fetch.complete(failure);
            entry.fetches.remove(fetch.chunk, fetch);
            fetch.release();
            throw failure;
        }
        if (retain)
        {
            fetch.retain();
        }
        fetch.complete(null);
        stores.storeLater(entry, fetch);
    }

    /**
     * Fetches the chunks after {@code chunk} in the background if their first batch of pages is not cached.
     */
    private void readAhead(final FileEntry entry, final long chunk)
    {
        for (int i = 1; i <= readaheadChunks; i++)
        {
            final long next = chunk + i;
            if (next * chunkSize >= entry.version.length() || entry.fetches.containsKey(next))
            {
                continue;
            }
            if (!stores.submit(() -> prefetch(entry, next)))
            {
                return;
            }
        }
    }

    private void prefetch(final FileEntry entry, final long chunk)
    {
        final long stamp = entry.enter();
        if (0 == stamp)
        {
            return;
        }
        try
        {
            final Cookie cookie = entry.cookie();
            final long firstPage = chunk * chunkSize / pageSize;
            final long pagesInFile = (entry.version.length() + pageSize - 1) / pageSize;
            final int pages = (int)Math.min(Math.min(BATCH_PAGES, chunkSize / pageSize), pagesInFile - firstPage);
            boolean missing = false;
            final ReadContext context = contexts.acquire();
            try
            {
                context.prepare(firstPage, pages);
                cookie.readOrAllocPages(context.list, ReadContext.COMPLETION, context);
                context.awaitCompletions(pages - context.list.size());
                for (int i = 0; i < pages && !missing; i++)
                {
                    missing = !context.hit(i) && context.pages[i].isFsCache();
                }
            }
            finally
            {
                for (int i = 0; i < pages; i++)
                {
                    cookie.uncachePage(context.pages[i]);
                }
                contexts.release(context);
            }
            if (missing)
            {
                final long chunkStart = chunk * chunkSize;
                final ChunkFetch created = new ChunkFetch(this, chunk, chunkStart,
                    (int)Math.min(chunkSize, entry.version.length() - chunkStart));
                if (null == entry.fetches.putIfAbsent(chunk, created))
                {
                    counters.readaheadFetches.increment();
                    runFetch(entry, created, false);
                }
            }
        }
        catch (final IOException ex)
        {
            // Read ahead only: the read that needs the chunk asks the origin again and reports its failure.
        }
        finally
        {
            entry.exit(stamp);
        }
    }

    /**
     * Waits until no store or read-ahead is queued or running.
     *
     * @return false if some still were when the timeout passed.
     */
    boolean awaitStored(final long timeoutNanos) throws InterruptedException
    {
        return stores.awaitStored(timeoutNanos);
    }

    /**
     * Gives a fetch's buffer and its share of the in-flight memory back, once nobody uses it.
     */
    void recycle(final ChunkFetch fetch)
    {
        if (null != fetch.buffer)
        {
            chunks.release(fetch.buffer);
            fetch.buffer = null;
            inFlight.release();
        }
    }

    /**
     * Reads a range from the origin straight into {@code dst} (the cache cannot take part).
     */
    void originDirect(final FileEntry entry, final long position, final ByteBuffer dst, final int offset,
        final int length) throws IOException
    {
        if (length == 0)
        {
            return;
        }
        final ByteBuffer view = dst.duplicate();
        view.limit(offset + length).position(offset);
        originRead(entry, position, view);
    }

    private void originRead(final FileEntry entry, final long position, final ByteBuffer dst) throws IOException
    {
        final int length = dst.remaining();
        final long start = System.nanoTime();
        try
        {
            origin.read(entry.path, entry.version, position, dst);
        }
        catch (final IOException | RuntimeException ex)
        {
            throw new IOException("origin read of " + range(entry, position, length) + " failed: " + ex, ex);
        }
        if (dst.hasRemaining())
        {
            throw new IOException("origin read of " + range(entry, position, length) + " returned " +
                (length - dst.remaining()) + " bytes");
        }
        counters.origin(length, System.nanoTime() - start);
    }

    private static String range(final FileEntry entry, final long position, final int length)
    {
        return entry.path + " [" + position + ", " + (position + length) + ")";
    }
}
