package org.cachefs.cachefs;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.LockSupport;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class RamTierTest
{
    private static final int PAGE = 4096;

    private final ObjectRecord a = new ObjectRecord(0, "a".getBytes(), 11);
    private final ObjectRecord b = new ObjectRecord(0, "b".getBytes(), 12);

    private static ByteBuffer pageOf(final int fill)
    {
        final ByteBuffer page = ByteBuffer.allocateDirect(PAGE);
        for (int i = 0; i < PAGE; i++)
        {
            page.put(i, (byte)(fill + i));
        }
        return page;
    }

    private static void admit(final RamTier tier, final ObjectRecord record, final long page, final int fill)
    {
        tier.admit(record, page, tier.ticket(record, page), pageOf(fill));
    }

    private static boolean holds(final RamTier tier, final ObjectRecord record, final long page, final int fill)
    {
        final ByteBuffer dst = ByteBuffer.allocateDirect(PAGE);
        if (!tier.read(record, page, dst))
        {
            return false;
        }
        assertThat(dst).isEqualTo(pageOf(fill));
        return true;
    }

    @Test
    void sizeBelowOneSetTurnsTheTierOff()
    {
        assertThat(RamTier.WAYS).isEqualTo(16);
        assertThat(RamTier.create("dev", 0, PAGE)).isNull();
        assertThat(RamTier.create("dev", 15L * PAGE, PAGE)).isNull();
        assertThat(RamTier.create("dev", 16L * PAGE, PAGE).capacityPages()).isEqualTo(16);
        assertThat(RamTier.create("dev", 100L * PAGE + 5, PAGE).capacityPages()).isEqualTo(96);
    }

    @Test
    void anAdmittedPageIsServedByteForByteAndMemoryComesAsSetsFill()
    {
        final RamTier tier = RamTier.create("dev", 64L * PAGE, PAGE);
        assertThat(tier.allocatedBytes()).isZero();
        assertThat(a.inRamTier).isFalse();
        admit(tier, a, 3, 30);
        assertThat(a.inRamTier).isTrue();
        assertThat(b.inRamTier).isFalse();
        assertThat(tier.allocatedBytes()).isEqualTo(64L * PAGE);
        assertThat(holds(tier, a, 3, 30)).isTrue();
        assertThat(holds(tier, a, 4, 30)).isFalse();
        assertThat(holds(tier, b, 3, 30)).isFalse();
        assertThat(tier.hits.sum()).isEqualTo(1);
        assertThat(tier.admissions.sum()).isEqualTo(1);
        assertThat(tier.residentPages.sum()).isEqualTo(1);
    }

    @Test
    void aPageChangedSinceItsTicketIsNotAdmitted()
    {
        final RamTier tier = RamTier.create("dev", 64L * PAGE, PAGE);
        final long ticket = tier.ticket(a, 5);
        tier.invalidatePage(a, 5);
        tier.admit(a, 5, ticket, pageOf(50));
        assertThat(holds(tier, a, 5, 50)).isFalse();

        final long before = tier.ticket(a, 6);
        RamTier.invalidateObject(a);
        tier.admit(a, 6, before, pageOf(60));
        assertThat(holds(tier, a, 6, 60)).isFalse();
        assertThat(tier.admissions.sum()).isZero();
        assertThat(tier.residentPages.sum()).isZero();
    }

    @Test
    void invalidationsForgetThePageOrTheWholeObject()
    {
        final RamTier tier = RamTier.create("dev", 64L * PAGE, PAGE);
        admit(tier, a, 1, 10);
        admit(tier, a, 2, 20);
        admit(tier, b, 1, 40);
        tier.invalidatePage(a, 1);
        assertThat(holds(tier, a, 1, 10)).isFalse();
        assertThat(holds(tier, a, 2, 20)).isTrue();
        assertThat(tier.residentPages.sum()).isEqualTo(2);
        RamTier.invalidateObject(a);
        assertThat(holds(tier, a, 2, 20)).isFalse();
        assertThat(holds(tier, b, 1, 40)).isTrue();
        admit(tier, a, 2, 21);
        assertThat(holds(tier, a, 2, 21)).isTrue();
    }

    @Test
    void consecutivePagesTakeConsecutiveSetsAndRunsSpreadOverAllSets()
    {
        // 1,024 sets: runs of 256 pages start at a set their hash picks and wrap at the last set.
        final int run = RamTier.RUN_PAGES;
        assertThat(run).isEqualTo(256);
        final RamTier tier = RamTier.create("dev", 1024L * RamTier.WAYS * PAGE, PAGE);
        final int sets = tier.capacityPages() / RamTier.WAYS;
        assertThat(sets).isEqualTo(1024);
        final int[] used = new int[sets];
        for (long r = 0; r < 256; r++)
        {
            final int first = tier.setOf(7, r * run);
            for (int i = 0; i < run; i++)
            {
                assertThat(tier.setOf(7, r * run + i)).as("page %d", r * run + i).isEqualTo((first + i) % sets);
                used[(first + i) % sets]++;
            }
        }
        // 65,536 pages over 1,024 sets: 64 each on average; no set gets less than half or more than twice that.
        for (int set = 0; set < sets; set++)
        {
            assertThat(used[set]).as("set %d", set).isBetween(32, 128);
        }
        // Page 0 of 64 objects: spread over the sets too (64 balls in 1,024 bins fill about 62).
        final java.util.Set<Integer> firsts = new java.util.HashSet<>();
        for (long object = 1; object <= 64; object++)
        {
            firsts.add(tier.setOf(object, 0));
        }
        assertThat(firsts).hasSizeGreaterThan(58);
    }

    @Test
    void aFullSetAdmitsOnlyAPageSeenMoreOftenThanTheColdestAndKeepsTheHotOnes()
    {
        // One set: every page competes for the same slots. The first half is read often, the second half once.
        final int ways = RamTier.WAYS;
        final RamTier tier = RamTier.create("dev", (long)ways * PAGE, PAGE);
        for (int p = 0; p < ways; p++)
        {
            admit(tier, a, p, p);
        }
        for (int round = 0; round < 3; round++)
        {
            for (int p = 0; p < ways / 2; p++)
            {
                assertThat(holds(tier, a, p, p)).isTrue();
            }
        }
        admit(tier, a, 100, 100);
        assertThat(holds(tier, a, 100, 100)).isFalse();
        assertThat(tier.rejections.sum()).isEqualTo(1);
        admit(tier, a, 100, 100);
        assertThat(holds(tier, a, 100, 100)).isTrue();
        assertThat(tier.evictions.sum()).isEqualTo(1);
        for (int p = 0; p < ways / 2; p++)
        {
            assertThat(holds(tier, a, p, p)).as("hot page %d", p).isTrue();
        }
        int cold = 0;
        for (int p = ways / 2; p < ways; p++)
        {
            cold += holds(tier, a, p, p) ? 1 : 0;
        }
        assertThat(cold).isEqualTo(ways / 2 - 1);
        assertThat(tier.residentPages.sum()).isEqualTo(ways);
    }

    @Test
    void slotsOfAChangedOrRetiredObjectAreReusedBeforeAnyIsEvicted()
    {
        final int ways = RamTier.WAYS;
        final RamTier tier = RamTier.create("dev", (long)ways * PAGE, PAGE);
        for (int p = 0; p < ways / 2; p++)
        {
            admit(tier, a, p, p);
            admit(tier, b, p, 10 + p);
        }
        RamTier.invalidateObject(b);
        for (int p = ways / 2; p < ways; p++)
        {
            admit(tier, a, p, p);
        }
        for (int p = 0; p < ways; p++)
        {
            assertThat(holds(tier, a, p, p)).isTrue();
        }
        assertThat(tier.evictions.sum()).isZero();
        assertThat(tier.rejections.sum()).isZero();

        a.retired = true;
        admit(tier, b, 99, 90);
        assertThat(holds(tier, b, 99, 90)).isTrue();
        assertThat(tier.evictions.sum()).isZero();
    }

    @Test
    void aReadOverlappingAChangeOfItsSlotIsAMissNeverATornPage() throws Exception
    {
        final RamTier tier = RamTier.create("dev", (long)RamTier.WAYS * PAGE, PAGE);
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final AtomicLong served = new AtomicLong();
        final AtomicLong versions = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        // The writer keeps replacing page 0 with pages whose bytes are all one value, each time a different one.
        threads.add(new Thread(() ->
        {
            final ByteBuffer data = ByteBuffer.allocateDirect(PAGE);
            for (int version = 0; !stop.get(); version++)
            {
                for (int i = 0; i < PAGE; i++)
                {
                    data.put(i, (byte)version);
                }
                tier.invalidatePage(a, 0);
                tier.admit(a, 0, tier.ticket(a, 0), data);
                versions.incrementAndGet();
            }
        }));
        for (int r = 0; r < 3; r++)
        {
            threads.add(new Thread(() ->
            {
                final ByteBuffer dst = ByteBuffer.allocateDirect(PAGE);
                while (!stop.get())
                {
                    if (tier.read(a, 0, dst))
                    {
                        final byte first = dst.get(0);
                        for (int i = 1; i < PAGE; i++)
                        {
                            if (dst.get(i) != first)
                            {
                                failures.add(new AssertionError("torn page: byte " + i + " is " + dst.get(i) +
                                    ", byte 0 is " + first));
                                return;
                            }
                        }
                        served.incrementAndGet();
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        // Until the readers served a thousand pages while the writer replaced it a thousand times (30 s at most).
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((served.get() < 1_000 || versions.get() < 1_000) && failures.isEmpty() &&
            System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        stop.set(true);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertThat(failures).isEmpty();
        assertThat(served.get()).isGreaterThanOrEqualTo(1_000);
        assertThat(versions.get()).isGreaterThanOrEqualTo(1_000);
    }

    @Test
    void aRangeIsCopiedExactlyAcrossPagesAndStopsAtTheFirstPageNotHeld()
    {
        final RamTier tier = RamTier.create("dev", 1024L * RamTier.WAYS * PAGE, PAGE);
        for (int p = 0; p < 64; p++)
        {
            admit(tier, a, p, p);
        }
        final ByteBuffer dst = ByteBuffer.allocate(64 * PAGE + 10);
        final int length = 64 * PAGE - 200;
        assertThat(tier.readRange(a, 100, dst, 5, length)).isEqualTo(length);
        for (int i = 0; i < length; i++)
        {
            final int at = 100 + i;
            assertThat(dst.get(5 + i)).as("byte %d", at).isEqualTo((byte)(at / PAGE + at % PAGE));
        }
        assertThat(dst.get(4)).isZero();
        assertThat(dst.get(5 + length)).isZero();
        assertThat(tier.hits.sum()).isEqualTo(64);

        tier.invalidatePage(a, 30);
        assertThat(tier.readRange(a, 0, dst, 0, 64 * PAGE)).isEqualTo(30 * PAGE);
        assertThat(tier.readRange(a, 31L * PAGE, dst, 0, 33 * PAGE)).isEqualTo(33 * PAGE);
        assertThat(tier.readRange(a, 64L * PAGE, dst, 0, PAGE)).isZero();
        assertThat(tier.readRange(b, 0, dst, 0, PAGE)).isZero();
        assertThat(tier.hits.sum()).isEqualTo(64 + 30 + 33);
    }

    @Test
    void aRangeReadOverlappingChangesOfItsPagesCopiesOnlyWholeVersions() throws Exception
    {
        final RamTier tier = RamTier.create("dev", 1024L * RamTier.WAYS * PAGE, PAGE);
        final int pages = 8;
        final AtomicBoolean stop = new AtomicBoolean();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        final AtomicLong served = new AtomicLong();
        final AtomicLong versions = new AtomicLong();
        final List<Thread> threads = new ArrayList<>();
        // The writer keeps replacing the pages one after another with pages whose bytes are all one value.
        threads.add(new Thread(() ->
        {
            final ByteBuffer data = ByteBuffer.allocateDirect(PAGE);
            for (int version = 0; !stop.get(); version++)
            {
                final int page = version % pages;
                for (int i = 0; i < PAGE; i++)
                {
                    data.put(i, (byte)version);
                }
                tier.invalidatePage(a, page);
                tier.admit(a, page, tier.ticket(a, page), data);
                versions.incrementAndGet();
            }
        }));
        for (int r = 0; r < 3; r++)
        {
            threads.add(new Thread(() ->
            {
                final ByteBuffer dst = ByteBuffer.allocateDirect(pages * PAGE);
                while (!stop.get())
                {
                    final int copied = tier.readRange(a, 0, dst, 0, pages * PAGE);
                    if (copied % PAGE != 0)
                    {
                        failures.add(new AssertionError("copied " + copied + " bytes, not whole pages"));
                        return;
                    }
                    for (int p = 0; p < copied / PAGE; p++)
                    {
                        final byte first = dst.get(p * PAGE);
                        for (int i = 1; i < PAGE; i++)
                        {
                            if (dst.get(p * PAGE + i) != first)
                            {
                                failures.add(new AssertionError("torn page " + p + ": byte " + i + " is " +
                                    dst.get(p * PAGE + i) + ", byte 0 is " + first));
                                return;
                            }
                        }
                        served.incrementAndGet();
                    }
                }
            }));
        }
        threads.forEach(Thread::start);
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
        while ((served.get() < 1_000 || versions.get() < 1_000) && failures.isEmpty() &&
            System.nanoTime() < deadline)
        {
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
        stop.set(true);
        for (final Thread thread : threads)
        {
            thread.join();
        }
        assertThat(failures).isEmpty();
        assertThat(served.get()).isGreaterThanOrEqualTo(1_000);
        assertThat(versions.get()).isGreaterThanOrEqualTo(1_000);
    }
}
