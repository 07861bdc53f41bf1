package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.BufferPool;

/**
 * The page read path of a mount: finds pages' blocks (under the shared store lock when every node is cached, else
 * the exclusive one), reads them outside the lock straight into the caller's buffer where aligned, and checks
 * every page against its check value, so that a race with a rewrite costs a miss, never wrong bytes.
 * <p>
 * Single-page reads and RAM-tier hits are timed ({@link StoreLatencies}).
 * <p>
 * Threading: any thread; a hit allocates nothing and takes the store lock shared only.
 */
final class PageReads
{
    private static final ThreadLocal<int[]> CRC_SCRATCH = ThreadLocal.withInitial(() -> new int[1]);

    private final StoreState state;
    private final AccessClock clock;
    private final WriteRuns runs;
    private final PageDrops drops;
    private final BlockDevice device;
    private final int blockSize;
    private final StoreLock lock;
    private final PageMaps pageMaps;
    private final BufferPool buffers;
    private final StoreStats stats;
    private final StoreLatencies latencies;
    private final long rangePages;
    /** The RAM tier, or null if it is off. */
    private final RamTier ram;

    PageReads(final StoreState state, final AccessClock clock, final WriteRuns runs, final PageDrops drops)
    {
        this.state = state;
        this.clock = clock;
        this.runs = runs;
        this.drops = drops;
        this.device = state.device;
        this.blockSize = state.blockSize;
        this.lock = state.lock;
        this.pageMaps = state.pageMaps;
        this.buffers = state.buffers;
        this.stats = state.stats;
        this.latencies = state.latencies;
        this.rangePages = state.rangePages;
        this.ram = state.ram;
    }

    /**
     * @return true if the object's page map holds the page (no data is read).
     */
    boolean contains(final ObjectRecord record, final long pageIndex) throws IOException
    {
        lock.lock();
        try
        {
            state.checkOpen();
            return drops.lookupPage(record, pageIndex) != BlockPointer.NULL;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Reads page {@code pageIndex} into {@code dst} (from its position, one block) and checks it.
     *
     * Timed from the call to the return, as a hit or (not stored, or corrupt) a miss; RAM-tier hits one in
     * {@value StoreLatencies#RAM_HIT_SAMPLING}.
     *
     * @return {@link CacheStore#READ_HIT}, {@link CacheStore#READ_MISS} if the page is not stored, or
     * {@link CacheStore#READ_CORRUPT} if its check value did not match (the page is then dropped).
     */
    int read(final ObjectRecord record, final long pageIndex, final ByteBuffer dst) throws IOException
    {
        final long start = System.nanoTime();
        if (readFromRam(record, pageIndex, dst))
        {
            return CacheStore.READ_HIT;
        }
        final int[] crc = CRC_SCRATCH.get();
        long pointer = PageMaps.NEEDS_IO;
        long ticket = 0;
        final long shared = lock.readLock();
        try
        {
            if (!state.closed && state.failure() == null)
            {
                pointer = pageMaps.lookupCached(record, pageIndex, crc);
                if (runs.inRun(record, pointer))
                {
                    pointer = PageMaps.NEEDS_IO;
                }
                else if (ram != null)
                {
                    ticket = ram.ticket(record, pageIndex);
                }
            }
        }
        finally
        {
            lock.unlockRead(shared);
        }
        if (pointer == PageMaps.NEEDS_IO)
        {
            lock.lock();
            try
            {
                state.checkOpen();
                pointer = drops.lookupPage(record, pageIndex);
                crc[0] = pageMaps.foundCrc;
                if (runs.inRun(record, pointer))
                {
                    runs.settle(record);
                }
                if (ram != null)
                {
                    ticket = ram.ticket(record, pageIndex);
                }
            }
            finally
            {
                lock.unlock();
            }
        }
        final int outcome = readAt(record, pageIndex, pointer, crc[0], ticket, dst);
        if (outcome == CacheStore.READ_HIT)
        {
            touched(record, pageIndex);
            latencies.hit(start);
        }
        else
        {
            latencies.miss(start);
        }
        return outcome;
    }

    /**
     * Copies the page into {@code dst} (at its position, one block; position and limit kept) if the RAM tier holds
     * it, without the store lock. On a miss {@code dst} may have been written to.
     *
     * @return true on a hit (counted, timed one in {@value StoreLatencies#RAM_HIT_SAMPLING}, and the object's access
     * time set).
     */
    boolean readFromRam(final ObjectRecord record, final long pageIndex, final ByteBuffer dst)
    {
        if (ram != null && !state.closed && state.failure() == null)
        {
            // The clock is read only for the hits that are timed.
            final boolean timed = StoreLatencies.sampleRamHit();
            final long start = timed ? System.nanoTime() : 0;
            if (ram.read(record, pageIndex, dst))
            {
                stats.readHits.increment();
                touched(record, pageIndex);
                if (timed)
                {
                    latencies.ramHit(start);
                }
                return true;
            }
        }
        return false;
    }

    /**
     * Copies bytes {@code [position, position + length)} of the object's data from the RAM tier into {@code dst} at
     * {@code offset} (absolute; its position and limit are kept), page after page, up to the first page the tier
     * does not hold. Takes no lock and allocates nothing; each page served counts as a hit. A call that copies from
     * one page is timed as a RAM-tier hit (one in {@value StoreLatencies#RAM_HIT_SAMPLING}); longer ones are not, as
     * their time is not one page's. Nothing is read from the device.
     *
     * @return the bytes copied: {@code length}, or fewer if a page is not in the tier (0 if the tier is off or the
     * store is closed or stopped).
     */
    int readResident(
        final ObjectRecord record, final long position, final ByteBuffer dst, final int offset, final int length)
    {
        if (ram == null || state.closed || state.failure() != null)
        {
            return 0;
        }
        final long first = position / blockSize;
        final boolean timed = (position + length - 1) / blockSize == first && StoreLatencies.sampleRamHit();
        final long start = timed ? System.nanoTime() : 0;
        final int copied = ram.readRange(record, position, dst, offset, length);
        if (copied > 0)
        {
            final long last = (position + copied - 1) / blockSize;
            stats.readHits.add(last - first + 1);
            touched(record, first, last);
            if (timed)
            {
                latencies.ramHit(start);
            }
        }
        return copied;
    }

    /**
     * After a hit: sets the object's access time and its page range's, reading the access clock rather than advancing
     * it, so that hits make no contended update.
     */
    private void touched(final ObjectRecord record, final long pageIndex)
    {
        touched(record, pageIndex, pageIndex);
    }

    /**
     * {@link #touched(ObjectRecord, long)} for pages {@code [first, last]}: the object and every page range they
     * cover.
     */
    private void touched(final ObjectRecord record, final long first, final long last)
    {
        final long now = clock.readAccessTime();
        record.accessTime = now;
        final long[] ranges = record.rangeAccess;
        if (ranges != null)
        {
            for (long range = first / rangePages, end = Math.min(last / rangePages, ranges.length - 1); range <= end;
                range++)
            {
                ranges[(int)range] = now;
            }
        }
    }

    /**
     * Looks up the blocks and check values of several pages at once.
     *
     * @param pageIndexes the pages.
     * @param count       how many of {@code pageIndexes} to look up.
     * @param pointers    receives each page's block pointer, or {@link BlockPointer#NULL}.
     * @param crcs        receives each page's check value.
     * @param tickets     receives each page's RAM-tier admission ticket, for {@link #verify}.
     */
    void lookupPages(
        final ObjectRecord record, final long[] pageIndexes, final int count, final long[] pointers, final int[] crcs,
        final long[] tickets) throws IOException
    {
        if (lookupPagesCached(record, pageIndexes, count, pointers, crcs, tickets))
        {
            return;
        }
        lock.lock();
        try
        {
            state.checkOpen();
            boolean unwritten = false;
            for (int i = 0; i < count; i++)
            {
                pointers[i] = drops.lookupPage(record, pageIndexes[i]);
                crcs[i] = pageMaps.foundCrc;
                unwritten |= runs.inRun(record, pointers[i]);
            }
            if (ram != null)
            {
                for (int i = 0; i < count; i++)
                {
                    tickets[i] = ram.ticket(record, pageIndexes[i]);
                }
            }
            if (record.pageMapHeight == 0)
            {
                // A page map found corrupt part way is gone: pages looked up before it went are not its any more.
                java.util.Arrays.fill(pointers, 0, count, BlockPointer.NULL);
            }
            if (unwritten)
            {
                runs.settle(record);
            }
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * The shared path of {@link #lookupPages}: every page's node is in the node cache and no page is in a write run
     * still to be written.
     *
     * @return false if the exclusive path must look the pages up.
     */
    private boolean lookupPagesCached(
        final ObjectRecord record, final long[] pageIndexes, final int count, final long[] pointers, final int[] crcs,
        final long[] tickets)
    {
        final int[] crc = CRC_SCRATCH.get();
        final long shared = lock.readLock();
        try
        {
            if (state.closed || state.failure() != null)
            {
                return false;
            }
            for (int i = 0; i < count; i++)
            {
                final long pointer = pageMaps.lookupCached(record, pageIndexes[i], crc);
                if (pointer == PageMaps.NEEDS_IO || runs.inRun(record, pointer))
                {
                    return false;
                }
                pointers[i] = pointer;
                crcs[i] = crc[0];
                if (ram != null)
                {
                    tickets[i] = ram.ticket(record, pageIndexes[i]);
                }
            }
            return true;
        }
        finally
        {
            lock.unlockRead(shared);
        }
    }

    /**
     * Reads the page at the block {@code pointer} found for it into {@code dst} (from its position) and checks it;
     * an intact page is offered to the RAM tier with the {@code ticket} taken when the pointer was found.
     *
     * @return {@link CacheStore#READ_HIT}, {@link CacheStore#READ_MISS} for a null pointer, or
     * {@link CacheStore#READ_CORRUPT}.
     */
    int readAt(
        final ObjectRecord record, final long pageIndex, final long pointer, final int expectedCrc, final long ticket,
        final ByteBuffer dst) throws IOException
    {
        if (pointer == BlockPointer.NULL)
        {
            stats.readMisses.increment();
            return CacheStore.READ_MISS;
        }
        final int start = dst.position();
        final int limit = dst.limit();
        final long position = BlockPointer.block(pointer) * blockSize;
        final boolean valid;
        if (state.isDirect(dst))
        {
            // Straight into the caller's buffer; its position and limit are restored, so nothing is allocated.
            try
            {
                dst.limit(start + blockSize);
                device.read(position, dst);
                dst.position(start);
                valid = verify(record, pageIndex, pointer, expectedCrc, ticket, dst);
            }
            finally
            {
                dst.limit(limit).position(start);
            }
        }
        else
        {
            final ByteBuffer bounce = buffers.acquire();
            try
            {
                device.read(position, bounce);
                bounce.flip();
                valid = verify(record, pageIndex, pointer, expectedCrc, ticket, bounce);
                if (valid)
                {
                    dst.put(bounce);
                    dst.position(start);
                }
            }
            finally
            {
                buffers.release(bounce);
            }
        }
        return valid ? CacheStore.READ_HIT : CacheStore.READ_CORRUPT;
    }

    /**
     * Checks page data read from the block {@code pointer} (from the buffer's position to its limit) against its
     * check value; on a mismatch the page is counted and dropped, so that it is never served. Its block is not freed:
     * a page whose block holds something else may share it with another owner (see {@link PageDrops#quarantinePage}).
     * An intact page is offered to the RAM tier, which takes it only if nothing of the page changed since
     * {@code ticket} was taken with the pointer ({@link #lookupPages}).
     *
     * @return true if the data is the page that was written.
     */
    boolean verify(
        final ObjectRecord record, final long pageIndex, final long pointer, final int expectedCrc, final long ticket,
        final ByteBuffer data) throws IOException
    {
        if (state.crcOf(record.objectId, pageIndex, data) == expectedCrc)
        {
            stats.readHits.increment();
            if (ram != null)
            {
                ram.admit(record, pageIndex, ticket, data);
            }
            return true;
        }
        stats.checksumMismatches.increment();
        drops.dropIfStill(record, pageIndex, pointer);
        return false;
    }
}
