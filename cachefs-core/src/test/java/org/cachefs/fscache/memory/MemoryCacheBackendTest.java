package org.cachefs.fscache.memory;

import org.cachefs.fscache.CacheBackendContractTest;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.Pages;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.TestFile;
import org.cachefs.fscache.spi.CacheBackend;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The backend contract on the in-memory backend with reads completed on the calling thread, plus the behaviour
 * specific to this backend: culling, pin limit, reservation accounting, configuration checks.
 */
public class MemoryCacheBackendTest extends CacheBackendContractTest
{
    protected CacheBackend newBackend(final int capacityPages, final int pageSize)
    {
        return MemoryCacheBackend.builder().capacityPages(capacityPages).pageSize(pageSize).build();
    }

    protected boolean failNextRead(final CacheBackend backend)
    {
        ((MemoryCacheBackend)backend).failNextRead();
        return true;
    }

    protected boolean failNextWrite(final CacheBackend backend)
    {
        ((MemoryCacheBackend)backend).failNextWrite();
        return true;
    }

    protected boolean holdReads(final CacheBackend backend)
    {
        ((MemoryCacheBackend)backend).holdReads();
        return true;
    }

    protected void releaseHeldReads(final CacheBackend backend)
    {
        ((MemoryCacheBackend)backend).releaseHeldReads();
    }

    protected boolean holdWrites(final CacheBackend backend)
    {
        ((MemoryCacheBackend)backend).holdWrites();
        return true;
    }

    protected void releaseWrites(final CacheBackend backend)
    {
        ((MemoryCacheBackend)backend).releaseWrites();
    }

    protected void awaitHeldWrites(final CacheBackend backend, final int count) throws InterruptedException
    {
        assertThat(((MemoryCacheBackend)backend).awaitHeldWrites(count, 20, TimeUnit.SECONDS))
            .as("%d writes held", count).isTrue();
    }

    private MemoryCacheBackend memory()
    {
        return (MemoryCacheBackend)backend;
    }

    private void fill(final Cookie cookie, final int from, final int to, final long seedBase)
    {
        for (int i = from; i < to; i++)
        {
            store(cookie, i, seedBase + i);
        }
    }

    @Test
    void leastRecentlyUsedUnusedObjectsAreCulledForSpace() throws InterruptedException
    {
        final Cookie older = acquire(new TestFile("older"));
        fill(older, 0, 30, 0);
        older.relinquish(false);
        awaitIdle();
        final Cookie newer = acquire(new TestFile("newer"));
        fill(newer, 0, 30, 100);
        newer.relinquish(false);
        awaitIdle();
        assertThat(memory().usedPages()).isEqualTo(60);

        final Cookie third = acquire(new TestFile("third"));
        fill(third, 0, 20, 200);
        assertThat(memory().culledObjects()).isEqualTo(1);
        assertThat(memory().usedPages()).isEqualTo(50);
        third.relinquish(false);

        final Cookie olderAgain = acquire(new TestFile("older"));
        assertThat(load(olderAgain, 0)).isEqualTo(-1);
        olderAgain.relinquish(false);
        final Cookie newerAgain = acquire(new TestFile("newer"));
        assertThat(load(newerAgain, 29)).isEqualTo(129);
        newerAgain.relinquish(false);
    }

    @Test
    void objectsInUseAreNeverCulled()
    {
        final Cookie inUse = acquire(new TestFile("in-use"));
        fill(inUse, 0, 40, 0);
        final Cookie other = acquire(new TestFile("other"));
        int allocated = 0;
        for (int i = 0; i < 40; i++)
        {
            final CachePage page = page(i);
            if (other.allocPage(page) == Result.OK)
            {
                allocated++;
            }
        }
        assertThat(allocated).isEqualTo(24);
        assertThat(memory().culledObjects()).isZero();
        other.uncacheAllPages();
        other.relinquish(false);
        inUse.relinquish(false);
    }

    @Test
    void reservationHoldsCapacityUntilCancelled()
    {
        final Cookie cookie = acquire(new TestFile("reserved"));
        assertThat(cookie.reserveSpace(10L * PAGE_SIZE - 1)).isEqualTo(Result.OK);
        assertThat(memory().usedPages()).isEqualTo(10);
        fill(cookie, 0, 5, 0);
        assertThat(memory().usedPages()).isEqualTo(10);
        fill(cookie, 5, 12, 0);
        assertThat(memory().usedPages()).isEqualTo(12);
        assertThat(cookie.reserveSpace(60L * PAGE_SIZE)).isEqualTo(Result.OK);
        assertThat(memory().usedPages()).isEqualTo(60);
        assertThat(cookie.reserveSpace(65L * PAGE_SIZE)).isEqualTo(Result.NO_SPACE);
        assertThat(memory().usedPages()).isEqualTo(60);
        assertThat(cookie.reserveSpace(0)).isEqualTo(Result.OK);
        assertThat(memory().usedPages()).isEqualTo(12);
        cookie.relinquish(false);
    }

    @Test
    void pinningBeyondThePinLimitIsRefused()
    {
        final MemoryCacheBackend limited = MemoryCacheBackend.builder()
            .capacityPages(32).pinLimitPages(4).identifier("pin-limit").build();
        final FsCache other = FsCache.create(FsCacheOptions.builder().threadCount(1).build());
        try
        {
            other.addCache(limited, null);
            final Netfs netfs = other.registerNetfs("pinfs", 1);
            final Cookie small = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("small"));
            final Cookie large = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("large"));
            for (int i = 0; i < 5; i++)
            {
                final CachePage page = page(i);
                assertThat(large.allocPage(page)).isEqualTo(Result.OK);
                if (i < 3)
                {
                    assertThat(small.allocPage(page(i))).isEqualTo(Result.OK);
                }
            }
            assertThat(large.pin()).isEqualTo(Result.NO_SPACE);
            assertThat(small.pin()).isEqualTo(Result.OK);
            assertThat(small.pin()).isEqualTo(Result.OK);
            small.unpin();
            large.uncacheAllPages();
            small.uncacheAllPages();
            large.relinquish(false);
            small.relinquish(false);
            other.unregisterNetfs(netfs);
        }
        finally
        {
            other.close();
        }
    }

    @Test
    void heldReadsEndWhenReleased() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("held"));
        fill(cookie, 0, 2, 10);
        memory().holdReads();
        final CachePage first = page(0);
        final CachePage second = page(1);
        assertThat(cookie.readOrAllocPage(first, recorder, null)).isEqualTo(Result.OK);
        assertThat(cookie.readOrAllocPage(second, recorder, null)).isEqualTo(Result.OK);
        assertThat(memory().heldReadCount()).isEqualTo(2);
        assertThat(recorder.count()).isZero();
        assertThat(memory().releaseHeldReads()).isEqualTo(2);
        assertThat(recorder.await(first)).isEqualTo(Result.OK);
        assertThat(recorder.await(second)).isEqualTo(Result.OK);
        assertThat(Pages.seedOf(second)).isEqualTo(11);
        cookie.uncachePage(first);
        cookie.uncachePage(second);
        cookie.relinquish(false);
    }

    @Test
    void configurationIsValidated()
    {
        assertThatThrownBy(() -> new MemoryCacheBackend(0))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("capacityPages must be >= 1: 0");
        assertThatThrownBy(() -> MemoryCacheBackend.builder().pageSize(1000).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("pageSize must be a power of two >= 512: 1000");
        assertThatThrownBy(() -> MemoryCacheBackend.builder().pinLimitPages(-1).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("pinLimitPages must be >= 0: -1");
        final MemoryCacheBackend memory = MemoryCacheBackend.builder().identifier("named").capacityPages(7).build();
        assertThat(memory.name()).isEqualTo("memory");
        assertThat(memory.identifier()).isEqualTo("named");
        assertThat(memory.capacityPages()).isEqualTo(7);
        assertThat(memory).hasToString("MemoryCacheBackend{named, capacityPages=7}");
    }
}
