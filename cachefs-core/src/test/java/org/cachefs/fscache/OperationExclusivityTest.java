package org.cachefs.fscache;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Exclusive operations (attribute changes) wait for the reads and writes in progress on their object and hold back
 * those submitted after them; shared operations run together.
 */
class OperationExclusivityTest extends FsCacheTestSupport
{
    private MemoryCacheBackend memory;
    private RecordingBackend backend;
    private Netfs netfs;
    private TestFile file;
    private Cookie cookie;

    @BeforeEach
    void setUp()
    {
        memory = memory(64, "exclusive");
        backend = new RecordingBackend(memory);
        fsCache.addCache(backend, null);
        netfs = fsCache.registerNetfs("exclusive", 1);
        file = new TestFile("file");
        cookie = netfs.primaryIndex().acquire(TestFile.DATA, file);
        awaitIdle();
    }

    private void store(final long index, final long seed)
    {
        final CachePage page = page(index);
        assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        Pages.fill(page, seed);
        assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
        cookie.uncacheAllPages();
    }

    @Test
    void attributeChangeWaitsForReadsInFlightAndHoldsBackLaterReads() throws Exception
    {
        store(0, 1);
        store(1, 2);
        memory.holdReads();
        final CachePage inFlight = page(0);
        assertThat(cookie.readOrAllocPage(inFlight, recorder, null)).isEqualTo(Result.OK);

        final long pendingBefore = stat(StatCounter.OPS_PENDING);
        final long waitsBefore = stat(StatCounter.RETRIEVAL_OP_WAITS);
        file.size(PAGE_SIZE);
        assertThat(cookie.attrChanged()).isEqualTo(Result.OK);
        awaitIdle();
        assertThat(stat(StatCounter.ATTR_CHANGED_CALLS)).isZero();
        assertThat(stat(StatCounter.OPS_PENDING)).isEqualTo(pendingBefore + 1);

        final CachePage later = page(1);
        final CompletableFuture<Result> laterRead =
            CompletableFuture.supplyAsync(() -> cookie.readOrAllocPage(later, recorder, null));
        Await.until(() -> stat(StatCounter.RETRIEVAL_OP_WAITS) == waitsBefore + 1,
            "the later read to wait behind the change");
        assertThat(laterRead).isNotDone();
        assertThat(stat(StatCounter.ATTR_CHANGED_CALLS)).isZero();

        assertThat(memory.releaseHeldReads()).isEqualTo(1);
        assertThat(recorder.await(inFlight)).isEqualTo(Result.OK);
        assertThat(laterRead.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(Result.NO_BUFS);
        assertThat(stat(StatCounter.ATTR_CHANGED_CALLS)).isEqualTo(1);
        assertThat(stat(StatCounter.OPS_PENDING)).isEqualTo(pendingBefore + 2);

        final var calls = backend.calls();
        assertThat(calls.indexOf("attrChanged")).isGreaterThan(calls.lastIndexOf("readOrAllocPage 0"));
        assertThat(calls.subList(calls.indexOf("attrChanged"), calls.size()))
            .doesNotContain("readOrAllocPage 1", "allocatePage 1");

        cookie.uncachePage(inFlight);
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void attributeChangeWaitsForTheWriteInProgressAndLaterWritesFollowIt() throws Exception
    {
        final CachePage first = page(0);
        final CachePage second = page(1);
        assertThat(cookie.allocPage(first)).isEqualTo(Result.OK);
        assertThat(cookie.allocPage(second)).isEqualTo(Result.OK);
        memory.holdWrites();
        Pages.fill(first, 10);
        Pages.fill(second, 11);
        assertThat(cookie.writePage(first)).isEqualTo(Result.OK);
        assertThat(memory.awaitHeldWrites(1, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();

        file.size(8L * PAGE_SIZE);
        assertThat(cookie.attrChanged()).isEqualTo(Result.OK);
        assertThat(cookie.writePage(second)).isEqualTo(Result.OK);
        assertThat(cookie.checkPageWrite(second)).isTrue();

        memory.releaseWrites();
        cookie.uncacheAllPages();
        awaitIdle();

        final var calls = backend.calls();
        final int firstWrite = calls.indexOf("writePage 0");
        final int change = calls.indexOf("attrChanged");
        final int secondWrite = calls.indexOf("writePage 1");
        assertThat(firstWrite).isGreaterThanOrEqualTo(0);
        assertThat(change).isGreaterThan(firstWrite);
        assertThat(secondWrite).isGreaterThan(change);
        assertThat(stat(StatCounter.STORE_OPS)).isEqualTo(2);
        assertThat(stat(StatCounter.ATTR_CHANGED_CALLS)).isEqualTo(1);

        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void sharedReadsRunTogether() throws Exception
    {
        store(0, 1);
        store(1, 2);
        memory.holdReads();
        final CachePage a = page(0);
        final CachePage b = page(1);
        assertThat(cookie.readOrAllocPage(a, recorder, null)).isEqualTo(Result.OK);
        assertThat(cookie.readOrAllocPage(b, recorder, null)).isEqualTo(Result.OK);
        assertThat(memory.heldReadCount()).isEqualTo(2);
        assertThat(stat(StatCounter.OPS_PENDING)).isZero();
        assertThat(stat(StatCounter.RETRIEVAL_OP_WAITS)).isZero();
        memory.releaseHeldReads();
        assertThat(recorder.await(a)).isEqualTo(Result.OK);
        assertThat(recorder.await(b)).isEqualTo(Result.OK);
        cookie.uncachePage(a);
        cookie.uncachePage(b);
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    /** Allocates pages {@code [0, count)} of {@code target}, filled, and queues their writes. */
    private static java.util.List<CachePage> queueWrites(final Cookie target, final int count)
    {
        final java.util.List<CachePage> pages = new java.util.ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            final CachePage page = page(i);
            assertThat(target.allocPage(page)).isEqualTo(Result.OK);
            Pages.fill(page, i);
            pages.add(page);
        }
        for (final CachePage page : pages)
        {
            assertThat(target.writePage(page)).isEqualTo(Result.OK);
        }
        return pages;
    }

    @Test
    void storageOperationGoesOnPastABatchWhenNoTaskWaits()
    {
        memory.holdWrites();
        queueWrites(cookie, 40);
        memory.releaseWrites();
        cookie.uncacheAllPages();
        awaitIdle();
        assertThat(stat(StatCounter.STORE_OPS)).isEqualTo(1);
        assertThat(stat(StatCounter.STORE_CALLS)).as("no re-enqueue: nothing else wanted the thread").isEqualTo(1);
        assertThat(memory.storedPages()).isEqualTo(40);
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void storageOperationReenqueuesItselfAfterABatchWhenATaskWaits() throws InterruptedException
    {
        // One pool thread: while it stores the first object's pages, the second object's storage operation waits.
        fsCache.close();
        fsCache = FsCache.create(FsCacheOptions.builder().threadCount(1).errorHandler(errors::add).build());
        final MemoryCacheBackend single = memory(64, "single");
        fsCache.addCache(single, null);
        final Netfs singleNetfs = fsCache.registerNetfs("single", 1);
        final Cookie first = singleNetfs.primaryIndex().acquire(TestFile.DATA, new TestFile("first"));
        final Cookie second = singleNetfs.primaryIndex().acquire(TestFile.DATA, new TestFile("second"));
        awaitIdle();

        single.holdWrites();
        queueWrites(first, 40);
        assertThat(single.awaitHeldWrites(1, 10, TimeUnit.SECONDS)).isTrue();
        queueWrites(second, 1);
        single.releaseWrites();
        first.uncacheAllPages();
        second.uncacheAllPages();
        awaitIdle();
        // The first object's operation: 16 pages, re-enqueued behind the second's (1 page), then the other 24 with
        // nothing waiting.
        assertThat(stat(StatCounter.STORE_OPS)).isEqualTo(2);
        assertThat(stat(StatCounter.STORE_CALLS)).isEqualTo(3);
        assertThat(single.storedPages()).isEqualTo(41);
        first.relinquish(false);
        second.relinquish(false);
        fsCache.unregisterNetfs(singleNetfs);
    }
}
