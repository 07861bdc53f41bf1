package org.cachefs.cachefs;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteBuffer;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.LongAdder;

/**
 * The RAM tier of a mount: copies of hot pages in off-heap memory above the device, so that a hit costs a copy
 * instead of a device read. Set-associative: a page may be in one of the {@value #WAYS} slots of its set, which
 * follows the set of the page before it in runs of consecutive pages ({@link #setOf}). A page enters after a device
 * read found it intact, and only if it was seen more often than the page it would evict (its misses in the
 * {@link FrequencySketch}, its hits in its slot), so that a scan does not flush the hot pages. Slabs of memory are
 * allocated as slots first fill, so an idle tier costs almost nothing; in them, pages lie slot after slot of every set
 * ({@link #dataIndex}), so that a run of pages copies from one stretch of memory ({@link #readRange}).
 * <p>
 * The tier never serves bytes the device would not: every change of a page's mapping (rewrite, uncache, quarantine)
 * removes the page first ({@link #invalidatePage}), and every change of a whole object (discard, truncation, retire,
 * a dropped page map) bumps the object's epoch ({@link #invalidateObject}), which every slot of the object must
 * match. A page read from the device is admitted only if nothing of the page changed since its block was looked up
 * ({@link #ticket}), and an entry belongs to the {@link ObjectRecord} instance that admitted it.
 * <p>
 * Threading: {@link #read} and {@link #readRange} take no lock: each slot is a sequence lock, and a read that
 * overlaps a change of its slot is a miss. {@link #ticket} is called under the store lock (shared or exclusive),
 * invalidations under the exclusive store lock; admissions and invalidations of one set are serialized by the set's
 * lock, which an admission only tries (a busy set admits nothing).
 */
final class RamTier
{
    /** Slots per set. */
    static final int WAYS = 16;
    private static final int WAY_SHIFT = 4;

    /** Consecutive pages of an object that take consecutive sets ({@link #setOf}). */
    private static final int RUN_SHIFT = 8;
    static final int RUN_PAGES = 1 << RUN_SHIFT;

    private static final VarHandle STAMPS = MethodHandles.arrayElementVarHandle(long[].class);
    private static final VarHandle LOCKS = MethodHandles.arrayElementVarHandle(int[].class);
    private static final VarHandle SLABS = MethodHandles.arrayElementVarHandle(ByteBuffer[].class);
    private static final System.Logger LOG = System.getLogger(RamTier.class.getName());

    /** A slot's hits saturate here. */
    private static final byte MAX_SLOT_HITS = 15;

    /** Largest slab, in bytes. */
    private static final int MAX_SLAB_BYTES = 4 << 20;

    private final String name;
    private final int blockSize;
    private final int sets;
    private final int slotsPerSlab;
    private final int slabShift;
    private final ByteBuffer[] slabs;
    /** Per slot: the key's hash (never 0), or 0 for an empty slot. */
    private final long[] tags;
    /** Per slot: the sequence lock, odd while the slot changes. */
    private final long[] stamps;
    private final ObjectRecord[] owners;
    private final long[] pageIndexes;
    private final int[] epochs;
    /**
     * Per slot: hits since the page entered, halved with the sketch's counters. A hit counts here, next to the slot,
     * rather than in the sketch, whose random memory lines cost more than the copy of a page; misses count in the
     * sketch.
     */
    private final byte[] slotHits;
    /** Per set: 1 while an admission or invalidation changes it. */
    private final int[] setLocks;
    /** Per set: invalidations so far; part of an admission's {@link #ticket}. */
    private final int[] setVersions;
    private final FrequencySketch sketch;
    private final AtomicLong allocatedBytes = new AtomicLong();
    private final AtomicBoolean allocationFailed = new AtomicBoolean();

    final LongAdder hits = new LongAdder();
    final LongAdder admissions = new LongAdder();
    final LongAdder rejections = new LongAdder();
    final LongAdder evictions = new LongAdder();
    final LongAdder residentPages = new LongAdder();

    private RamTier(final String name, final int blockSize, final int slots)
    {
        this.name = name;
        this.blockSize = blockSize;
        this.sets = slots / WAYS;
        this.slotsPerSlab = Math.min(Integer.highestOneBit(slots), MAX_SLAB_BYTES / blockSize);
        this.slabShift = Integer.numberOfTrailingZeros(slotsPerSlab);
        this.slabs = new ByteBuffer[(slots + slotsPerSlab - 1) / slotsPerSlab];
        this.tags = new long[slots];
        this.stamps = new long[slots];
        this.owners = new ObjectRecord[slots];
        this.pageIndexes = new long[slots];
        this.epochs = new int[slots];
        this.slotHits = new byte[slots];
        this.setLocks = new int[sets];
        this.setVersions = new int[sets];
        this.sketch = new FrequencySketch(slots);
    }

    /**
     * @param name      the device's name, for the log.
     * @param bytes     the tier's size ({@link MountOptions#ramTierBytes()}).
     * @param blockSize the page size.
     * @return the tier, or null if {@code bytes} holds less than one set of pages (the tier is off).
     */
    static RamTier create(final String name, final long bytes, final int blockSize)
    {
        final long slots = Math.min(bytes / blockSize, Integer.MAX_VALUE - WAYS) / WAYS * WAYS;
        return slots < WAYS ? null : new RamTier(name, blockSize, (int)slots);
    }

    /**
     * @return the pages the tier holds at most.
     */
    int capacityPages()
    {
        return sets * WAYS;
    }

    /**
     * @return the off-heap memory the tier has allocated so far, in bytes.
     */
    long allocatedBytes()
    {
        return allocatedBytes.get();
    }

    /**
     * The admission ticket of a page: what {@link #admit} finds again if nothing of the page changed meanwhile.
     * Called under the store lock, together with the lookup of the page's block.
     */
    long ticket(final ObjectRecord record, final long pageIndex)
    {
        return ticket(setOf(record.objectId, pageIndex), record);
    }

    /**
     * @return the ticket of the object's pages in {@code set}: the set's invalidations and the object's epoch.
     */
    private long ticket(final int set, final ObjectRecord record)
    {
        return ((long)setVersions[set] << 32) | (record.ramEpoch & 0xFFFF_FFFFL);
    }

    /**
     * Puts the tier's figures in a backend's usage map: all zero if {@code ram} is null (the tier is off).
     */
    static void usage(final RamTier ram, final int pageSize, final java.util.Map<String, Long> usage)
    {
        final boolean on = ram != null;
        usage.put("ramTierBytes", on ? (long)ram.capacityPages() * pageSize : 0L);
        usage.put("ramTierAllocatedBytes", on ? ram.allocatedBytes() : 0L);
        usage.put("ramTierPages", on ? ram.residentPages.sum() : 0L);
        usage.put("ramHits", on ? ram.hits.sum() : 0L);
        usage.put("ramAdmissions", on ? ram.admissions.sum() : 0L);
        usage.put("ramRejections", on ? ram.rejections.sum() : 0L);
        usage.put("ramEvictions", on ? ram.evictions.sum() : 0L);
    }

    /**
     * Copies the page, if the tier holds it, into {@code dst} at its position (one block; the position and limit
     * are kept). Takes no lock and allocates nothing. On a miss, {@code dst} may have been written to.
     *
     * @return true on a hit.
     */
    boolean read(final ObjectRecord record, final long pageIndex, final ByteBuffer dst)
    {
        return readRange(record, pageIndex * blockSize, dst, dst.position(), blockSize) == blockSize;
    }

    /**
     * Copies bytes {@code [position, position + length)} of the object's data into {@code dst} at {@code offset}
     * (absolute; the position and limit are kept), page after page, as long as the tier holds the pages. Pages that
     * lie next to each other in a slab are copied together. Each stretch is read as under a sequence lock: the slots'
     * stamps, then the data and the slots' keys, then the stamps again; it is taken only if every stamp was even and
     * their sum did not change (a stamp only grows, so an unchanged sum means unchanged stamps). Takes no lock and
     * allocates nothing; counts a hit per page copied. Past the bytes copied, {@code dst} may have been written to.
     *
     * @return the bytes copied.
     */
    int readRange(
        final ObjectRecord record, final long position, final ByteBuffer dst, final int offset, final int length)
    {
        if (!record.inRamTier)
        {
            return 0;
        }
        final int epoch = record.ramEpoch;
        int done = 0;
        int pages = 0;
        while (done < length)
        {
            final long at = position + done;
            final long first = at / blockSize;
            final int from = (int)(at - first * blockSize);
            final int slot = slotOf(record, first, epoch);
            if (slot < 0)
            {
                break;
            }
            long before = (long)STAMPS.getAcquire(stamps, slot);
            if ((before & 1) != 0)
            {
                break;
            }
            final int data = dataIndex(slot);
            int count = 1;
            // The pages after it, while they follow it in the same slab (the same way of the next sets).
            while ((long)count * blockSize - from < length - done && (data + count) >>> slabShift == data >>> slabShift)
            {
                final int next = slot + count * WAYS;
                if (slotOf(record, first + count, epoch) != next)
                {
                    break;
                }
                final long stamp = (long)STAMPS.getAcquire(stamps, next);
                if ((stamp & 1) != 0)
                {
                    break;
                }
                before += stamp;
                count++;
            }
            final int bytes = (int)Math.min((long)count * blockSize - from, length - done);
            final ByteBuffer slab = (ByteBuffer)SLABS.getAcquire(slabs, data >>> slabShift);
            dst.put(offset + done, slab, (data & (slotsPerSlab - 1)) * blockSize + from, bytes);
            boolean same = true;
            for (int i = 0; i < count; i++)
            {
                same &= holds(slot + i * WAYS, record, first + i, epoch);
            }
            VarHandle.acquireFence();
            long after = 0;
            for (int i = 0; i < count; i++)
            {
                after += (long)STAMPS.getAcquire(stamps, slot + i * WAYS);
            }
            if (!same || after != before)
            {
                break;
            }
            for (int i = 0; i < count; i++)
            {
                final int taken = slot + i * WAYS;
                final byte seen = slotHits[taken];
                if (seen < MAX_SLOT_HITS)
                {
                    slotHits[taken] = (byte)(seen + 1);
                }
            }
            pages += count;
            done += bytes;
        }
        if (pages > 0)
        {
            hits.add(pages);
        }
        return done;
    }

    /**
     * @return the slot of the set of page {@code pageIndex} that holds it for {@code record} at {@code epoch}, or -1;
     * read without the set's lock, so the caller must confirm it under the slot's stamp.
     */
    private int slotOf(final ObjectRecord record, final long pageIndex, final int epoch)
    {
        final long tag = tagOf(record.objectId, pageIndex);
        final int base = setOf(record.objectId, pageIndex) * WAYS;
        for (int slot = base, end = base + WAYS; slot < end; slot++)
        {
            if (tags[slot] == tag && holds(slot, record, pageIndex, epoch))
            {
                return slot;
            }
        }
        return -1;
    }

    private boolean holds(final int slot, final ObjectRecord record, final long pageIndex, final int epoch)
    {
        return owners[slot] == record && pageIndexes[slot] == pageIndex && epochs[slot] == epoch;
    }

    /**
     * Offers a page just read from the device and found intact (one block of {@code data} from its position; the
     * position and limit are kept). It enters if nothing of it changed since {@code ticket} was taken, the set's
     * lock is free, and it was seen more often than the page it would evict.
     */
    void admit(final ObjectRecord record, final long pageIndex, final long ticket, final ByteBuffer data)
    {
        final long tag = tagOf(record.objectId, pageIndex);
        if (sketch.increment(tag))
        {
            age();
        }
        final int set = setOf(record.objectId, pageIndex);
        if (!LOCKS.compareAndSet(setLocks, set, 0, 1))
        {
            return;
        }
        try
        {
            final int epoch = (int)ticket;
            if (ticket(set, record) != ticket)
            {
                return;
            }
            final int slot = victim(set, tag, record, pageIndex, epoch);
            if (slot < 0)
            {
                return;
            }
            final ByteBuffer slab = slab(slot);
            if (slab == null)
            {
                return;
            }
            if (tags[slot] == 0)
            {
                residentPages.increment();
            }
            if (!record.inRamTier)
            {
                record.inRamTier = true;
            }
            final long stamp = stamps[slot];
            STAMPS.setVolatile(stamps, slot, stamp + 1);
            VarHandle.storeStoreFence();
            tags[slot] = tag;
            owners[slot] = record;
            pageIndexes[slot] = pageIndex;
            epochs[slot] = epoch;
            slotHits[slot] = 0;
            slab.put((dataIndex(slot) & (slotsPerSlab - 1)) * blockSize, data, data.position(), blockSize);
            STAMPS.setRelease(stamps, slot, stamp + 2);
            admissions.increment();
        }
        finally
        {
            LOCKS.setRelease(setLocks, set, 0);
        }
    }

    /**
     * Under the set's lock: the slot a page should take, or -1 if it stays out: it is there already, or it was seen
     * no more often than the page it would evict. An empty slot comes first, then one whose object changed or is
     * gone, then the one seen least often.
     */
    private int victim(final int set, final long tag, final ObjectRecord record, final long pageIndex, final int epoch)
    {
        final int base = set * WAYS;
        int empty = -1;
        int stale = -1;
        int coldest = -1;
        int coldestFrequency = Integer.MAX_VALUE;
        for (int slot = base, end = base + WAYS; slot < end; slot++)
        {
            final long slotTag = tags[slot];
            if (slotTag == 0)
            {
                empty = empty < 0 ? slot : empty;
                continue;
            }
            final ObjectRecord owner = owners[slot];
            if (owner.ramEpoch != epochs[slot] || owner.retired)
            {
                stale = stale < 0 ? slot : stale;
                continue;
            }
            if (slotTag == tag && owner == record && pageIndexes[slot] == pageIndex && epochs[slot] == epoch)
            {
                return -1;
            }
            final int frequency = sketch.frequency(slotTag) + slotHits[slot];
            if (frequency < coldestFrequency)
            {
                coldest = slot;
                coldestFrequency = frequency;
            }
        }
        if (empty >= 0)
        {
            return empty;
        }
        if (stale >= 0)
        {
            return stale;
        }
        if (sketch.frequency(tag) <= coldestFrequency)
        {
            rejections.increment();
            return -1;
        }
        evictions.increment();
        return coldest;
    }

    /**
     * Halves every slot's hits, as the sketch halved its counters (racing hits may be lost, which only blurs them).
     */
    private void age()
    {
        for (int slot = 0; slot < slotHits.length; slot++)
        {
            slotHits[slot] = (byte)(slotHits[slot] >> 1);
        }
    }

    /**
     * Under the store lock (exclusive): forgets the page, before its mapping changes (a rewrite, an uncache, a
     * quarantine), and makes admissions of it with an older ticket fail.
     */
    void invalidatePage(final ObjectRecord record, final long pageIndex)
    {
        final long tag = tagOf(record.objectId, pageIndex);
        final int set = setOf(record.objectId, pageIndex);
        while (!LOCKS.compareAndSet(setLocks, set, 0, 1))
        {
            Thread.onSpinWait();
        }
        try
        {
            setVersions[set]++;
            for (int slot = set * WAYS, end = slot + WAYS; slot < end; slot++)
            {
                if (tags[slot] == tag && owners[slot] == record && pageIndexes[slot] == pageIndex)
                {
                    clear(slot);
                }
            }
        }
        finally
        {
            LOCKS.setRelease(setLocks, set, 0);
        }
    }

    /**
     * Under the store lock (exclusive): forgets every page of the object, before its pages change together (a
     * discard, a truncation, a retirement, a dropped page map). Its slots are reused first.
     */
    static void invalidateObject(final ObjectRecord record)
    {
        record.ramEpoch++;
    }

    /**
     * Under the set's lock: empties the slot.
     */
    private void clear(final int slot)
    {
        final long stamp = stamps[slot];
        STAMPS.setVolatile(stamps, slot, stamp + 1);
        VarHandle.storeStoreFence();
        tags[slot] = 0;
        owners[slot] = null;
        STAMPS.setRelease(stamps, slot, stamp + 2);
        residentPages.decrement();
    }

    /**
     * Under the set's lock: the slab holding the slot, allocated if it is the first use of it.
     *
     * @return the slab, or null if the JVM has no direct memory left for it (the tier then stops growing).
     */
    private ByteBuffer slab(final int slot)
    {
        final int index = dataIndex(slot) >>> slabShift;
        final ByteBuffer slab = (ByteBuffer)SLABS.getAcquire(slabs, index);
        if (slab != null || allocationFailed.get())
        {
            return slab;
        }
        final int slots = Math.min(slotsPerSlab, sets * WAYS - index * slotsPerSlab);
        final ByteBuffer fresh;
        try
        {
            fresh = ByteBuffer.allocateDirect(slots * blockSize);
        }
        catch (final OutOfMemoryError ex)
        {
            if (allocationFailed.compareAndSet(false, true))
            {
                LOG.log(System.Logger.Level.WARNING, "cachefs " + name + ": the RAM tier stops at " +
                    (allocatedBytes.get() >> 20) + " MiB of " + ((long)sets * WAYS * blockSize >> 20) +
                    " MiB: " + ex.getMessage());
            }
            return null;
        }
        if (SLABS.compareAndSet(slabs, index, null, fresh))
        {
            allocatedBytes.addAndGet(fresh.capacity());
            return fresh;
        }
        return (ByteBuffer)SLABS.getAcquire(slabs, index);
    }

    /**
     * Where a slot's page lies in the slabs, in pages: way after way, each way holding that slot of every set in set
     * order, so that the consecutive pages of a run ({@link #setOf}) that took the same way of their sets lie next to
     * each other in memory and a read of many pages copies long stretches rather than pages far apart.
     */
    private int dataIndex(final int slot)
    {
        return (slot & (WAYS - 1)) * sets + (slot >>> WAY_SHIFT);
    }

    private static long tagOf(final long objectId, final long pageIndex)
    {
        return FrequencySketch.mix(objectId * 0x9E37_79B9_7F4A_7C15L + pageIndex) | 1;
    }

    /**
     * The set of a page: a run of {@value #RUN_PAGES} consecutive pages of an object takes consecutive sets from one
     * that the run's hash picks, so that a read of many consecutive pages walks the tier's arrays in order (the CPU's
     * prefetchers then fetch the next sets' lines ahead) instead of missing the cache at every page.
     */
    int setOf(final long objectId, final long pageIndex)
    {
        final long runHash = FrequencySketch.mix(objectId * 0x9E37_79B9_7F4A_7C15L + (pageIndex >>> RUN_SHIFT));
        final int set = (int)(((runHash >>> 32) * sets) >>> 32) + (int)(pageIndex & (RUN_PAGES - 1));
        return set < sets ? set : set % sets;
    }
}
