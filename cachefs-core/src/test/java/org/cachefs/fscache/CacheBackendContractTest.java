package org.cachefs.fscache;

import org.cachefs.fscache.spi.CacheBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

/**
 * The contract every cache backend must meet, driven through the netfs API of a real {@link FsCache}: each
 * return-code path of the data I/O calls, coherency outcomes, store limit, reservation, pinning, retirement of
 * subtrees, persistence across relinquish and re-acquire, withdrawal with I/O in flight, I/O errors, page flags,
 * multi-page list behaviour, and read callbacks exactly once.
 * <p>
 * A backend's test extends this class and implements {@link #newBackend(int, int)}; the hooks for fault injection
 * and for holding I/O in flight are optional (tests needing an unsupported hook are skipped).
 */
public abstract class CacheBackendContractTest
{
    /** The page size used by the suite. */
    protected static final int PAGE_SIZE = 4096;

    /** The capacity requested from {@link #newBackend(int, int)}. */
    protected static final int CAPACITY_PAGES = 64;

    protected final List<Throwable> errors = new CopyOnWriteArrayList<>();
    protected final ReadRecorder recorder = new ReadRecorder();
    protected FsCache fsCache;
    protected CacheBackend backend;
    protected Netfs netfs;
    protected Cookie volume;

    /**
     * A new, empty backend.
     *
     * @param capacityPages about how many data pages it should hold (metadata may reduce it).
     * @param pageSize      the page size.
     * @return the backend.
     */
    protected abstract CacheBackend newBackend(int capacityPages, int pageSize);

    /**
     * Make the backend's next read of present data fail with an I/O error.
     *
     * @return false if the backend cannot inject read errors.
     */
    protected boolean failNextRead(final CacheBackend backend)
    {
        return false;
    }

    /**
     * Make the backend's next page write fail with an I/O error.
     *
     * @return false if the backend cannot inject write errors.
     */
    protected boolean failNextWrite(final CacheBackend backend)
    {
        return false;
    }

    /**
     * Hold reads of present data in flight until {@link #releaseHeldReads(CacheBackend)} or withdrawal.
     *
     * @return false if unsupported.
     */
    protected boolean holdReads(final CacheBackend backend)
    {
        return false;
    }

    /**
     * End the held reads.
     */
    protected void releaseHeldReads(final CacheBackend backend)
    {
        throw new UnsupportedOperationException("holding reads");
    }

    /**
     * Hold page writes in flight until {@link #releaseWrites(CacheBackend)} or withdrawal.
     *
     * @return false if unsupported.
     */
    protected boolean holdWrites(final CacheBackend backend)
    {
        return false;
    }

    /**
     * Let held writes proceed.
     */
    protected void releaseWrites(final CacheBackend backend)
    {
        throw new UnsupportedOperationException("holding writes");
    }

    /**
     * Wait, with a bound, until {@code count} writes are held.
     */
    protected void awaitHeldWrites(final CacheBackend backend, final int count) throws InterruptedException
    {
        throw new UnsupportedOperationException("holding writes");
    }

    /**
     * The FS-Cache options of the suite.
     */
    protected FsCacheOptions.Builder options()
    {
        return FsCacheOptions.builder().threadCount(2).pageSize(PAGE_SIZE).errorHandler(errors::add);
    }

    @BeforeEach
    void setUpCache()
    {
        fsCache = FsCache.create(options().build());
        backend = newBackend(CAPACITY_PAGES, PAGE_SIZE);
        fsCache.addCache(backend, "contract");
        netfs = fsCache.registerNetfs("contractfs", 1);
        volume = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("volume"));
    }

    @AfterEach
    void tearDownCache()
    {
        try
        {
            fsCache.close();
        }
        finally
        {
            assertThat(recorder.duplicates()).isEmpty();
            assertThat(errors).isEmpty();
        }
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Helpers.
    // ---------------------------------------------------------------------------------------------------------------

    protected Cookie acquire(final TestFile file)
    {
        final Cookie cookie = volume.acquire(TestFile.DATA, file);
        assertThat(cookie.isNoop()).isFalse();
        return cookie;
    }

    /**
     * Acquire a data file cookie for a file stored before under the same name (its aux unchanged).
     */
    protected Cookie acquireAgain(final String name)
    {
        return acquire(new TestFile(name));
    }

    protected static CachePage page(final long index)
    {
        return Pages.page(index, PAGE_SIZE);
    }

    /**
     * Read a page that is not in the cache, fill it and write it, wait for the write, uncache it.
     */
    protected void store(final Cookie cookie, final long index, final long seed)
    {
        final CachePage page = page(index);
        final Result result = cookie.readOrAllocPage(page, recorder, null);
        assertThat(result).as("read of page %d before storing", index).isEqualTo(Result.NO_DATA);
        writeMarked(cookie, page, seed);
        cookie.uncachePage(page);
    }

    /**
     * Fill a marked page, write it and wait for the write.
     */
    protected void writeMarked(final Cookie cookie, final CachePage page, final long seed)
    {
        assertThat(page.isFsCache()).isTrue();
        Pages.fill(page, seed);
        assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
        assertThat(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(page.isFsCacheWrite()).isFalse();
    }

    /**
     * Read a page: its seed if read from the cache, -1 if not cached (NO_DATA); the page is uncached afterwards.
     */
    protected long load(final Cookie cookie, final long index) throws InterruptedException
    {
        final CachePage page = page(index);
        final Result result = cookie.readOrAllocPage(page, recorder, "ctx");
        try
        {
            if (result == Result.NO_DATA)
            {
                return -1;
            }
            assertThat(result).as("read of page %d", index).isEqualTo(Result.OK);
            assertThat(recorder.await(page)).isEqualTo(Result.OK);
            return Pages.seedOf(page);
        }
        finally
        {
            cookie.uncachePage(page);
        }
    }

    protected long stat(final StatCounter counter)
    {
        return fsCache.stats().get(counter);
    }

    protected void awaitIdle()
    {
        assertThat(fsCache.awaitIdle(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("FS-Cache pool idle").isTrue();
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Lookup, read, allocate, write.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void readOfNewObjectReturnsNoDataAndMarksPage()
    {
        final TestFile file = new TestFile("fresh");
        final Cookie cookie = acquire(file);
        final CachePage page = page(0);

        assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(page.isFsCache()).isTrue();
        assertThat(page.isFsCacheWrite()).isFalse();
        assertThat(file.markedPages()).isEqualTo(1);
        assertThat(recorder.count()).isZero();

        assertThat(stat(StatCounter.RETRIEVALS)).isEqualTo(1);
        assertThat(stat(StatCounter.RETRIEVALS_NO_DATA)).isEqualTo(1);
        assertThat(stat(StatCounter.PAGES_MARKED)).isEqualTo(1);
        assertThat(stat(StatCounter.OBJECTS_ALLOC)).isEqualTo(3);
        assertThat(stat(StatCounter.LOOKUPS)).isEqualTo(3);
        assertThat(stat(StatCounter.LOOKUPS_NEGATIVE)).isEqualTo(3);
        assertThat(stat(StatCounter.LOOKUPS_CREATED)).isEqualTo(3);
        assertThat(stat(StatCounter.LOOKUPS_POSITIVE)).isZero();

        cookie.uncachePage(page);
        assertThat(page.isFsCache()).isFalse();
        cookie.relinquish(false);
    }

    /**
     * Whatever a backend keeps in memory, a resident read copies only the bytes a read of the pages gives: the last
     * ones written.
     */
    @Test
    void aResidentReadCopiesOnlyTheLastBytesWritten() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("resident"));
        for (int p = 0; p < 3; p++)
        {
            store(cookie, p, 10 + p);
            assertThat(load(cookie, p)).isEqualTo(10 + p);
        }
        checkResident(cookie, new long[] {10, 11, 12});
        final CachePage rewrite = page(1);
        assertThat(cookie.allocPage(rewrite)).isEqualTo(Result.OK);
        writeMarked(cookie, rewrite, 21);
        cookie.uncachePage(rewrite);
        assertThat(load(cookie, 1)).isEqualTo(21);
        checkResident(cookie, new long[] {10, 21, 12});
        cookie.relinquish(false);
    }

    /**
     * Reads all of pages {@code [0, seeds.length)} resident and checks each page copied whole against its seed.
     */
    private static void checkResident(final Cookie cookie, final long[] seeds)
    {
        final ByteBuffer dst = ByteBuffer.allocateDirect(seeds.length * PAGE_SIZE);
        final int copied = cookie.readResident(0, dst, 0, seeds.length * PAGE_SIZE);
        assertThat(copied).isBetween(0, seeds.length * PAGE_SIZE);
        for (int p = 0; p < copied / PAGE_SIZE; p++)
        {
            final CachePage page = page(p);
            page.buffer().put(0, dst, p * PAGE_SIZE, PAGE_SIZE);
            assertThat(Pages.seedOf(page)).as("page %d copied", p).isEqualTo(seeds[p]);
        }
    }

    @Test
    void writtenPageReadsBackAfterUncache() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("rw"));
        store(cookie, 3, 0x1234L);

        final CachePage page = page(3);
        assertThat(cookie.readOrAllocPage(page, recorder, "context")).isEqualTo(Result.OK);
        assertThat(recorder.await(page)).isEqualTo(Result.OK);
        assertThat(Pages.seedOf(page)).isEqualTo(0x1234L);
        assertThat(page.isFsCache()).isTrue();
        assertThat(recorder.contexts()).containsExactly("context");
        cookie.uncachePage(page);

        assertThat(stat(StatCounter.RETRIEVALS_OK)).isEqualTo(1);
        assertThat(stat(StatCounter.STORES)).isEqualTo(1);
        assertThat(stat(StatCounter.STORES_OK)).isEqualTo(1);
        assertThat(stat(StatCounter.PAGES_UNCACHED)).isEqualTo(2);
        cookie.relinquish(false);
    }

    @Test
    void readAfterNegativeLookupFindsDataOnceUncached() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("negative"));
        store(cookie, 0, 77);
        assertThat(load(cookie, 0)).isEqualTo(77);
        assertThat(load(cookie, 1)).isEqualTo(-1);
        cookie.relinquish(false);
    }

    @Test
    void allocatedPageCanBeWrittenAndReadBack() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("alloc"));
        final CachePage page = page(5);
        assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
        assertThat(page.isFsCache()).isTrue();
        writeMarked(cookie, page, 555);
        cookie.uncachePage(page);

        assertThat(load(cookie, 5)).isEqualTo(555);
        assertThat(stat(StatCounter.ALLOCS)).isEqualTo(1);
        assertThat(stat(StatCounter.ALLOCS_OK)).isEqualTo(1);
        assertThat(stat(StatCounter.ALLOC_OPS)).isEqualTo(1);
        cookie.relinquish(false);
    }

    @Test
    void allocatedButUnwrittenPageDoesNotAppear() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("unwritten"));
        final CachePage page = page(2);
        assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
        cookie.uncachePage(page);
        assertThat(load(cookie, 2)).isEqualTo(-1);
        cookie.relinquish(false);
    }

    @Test
    void writeOfPageNeitherReadNorAllocatedReturnsNoBufs()
    {
        final Cookie cookie = acquire(new TestFile("unmarked"));
        final CachePage page = page(0);
        Pages.fill(page, 1);
        assertThat(cookie.writePage(page)).isEqualTo(Result.NO_BUFS);
        assertThat(page.isFsCacheWrite()).isFalse();
        assertThat(cookie.checkPageWrite(page)).isFalse();
        assertThat(stat(StatCounter.STORES_NO_BUFS)).isEqualTo(1);
        cookie.relinquish(false);
    }

    @Test
    void writeOfUncachedPageReturnsNoBufs()
    {
        final Cookie cookie = acquire(new TestFile("uncached"));
        final CachePage page = page(0);
        assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        cookie.uncachePage(page);
        assertThat(cookie.writePage(page)).isEqualTo(Result.NO_BUFS);
        cookie.relinquish(false);
    }

    @Test
    void readingATrackedPageAgainIsAnError()
    {
        final Cookie cookie = acquire(new TestFile("twice"));
        final CachePage page = page(4);
        assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);

        assertThatThrownBy(() -> cookie.readOrAllocPage(page, recorder, null))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("page 4 of cookie 'test.file' is already tracked by the cache: " +
                "uncache it before reading or allocating it again");
        assertThatThrownBy(() -> cookie.allocPage(page))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("page 4 of cookie 'test.file' is already tracked by the cache: " +
                "uncache it before reading or allocating it again");
        assertThatThrownBy(() -> cookie.readOrAllocPages(new ArrayList<>(List.of(page)), recorder, null))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("page 4 of cookie 'test.file' is already tracked by the cache: " +
                "uncache it before reading or allocating it again");

        cookie.uncachePage(page);
        assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        cookie.uncachePage(page);
        cookie.relinquish(false);
    }

    @Test
    void anotherPageOfATrackedIndexIsAMissAndTheLastWriteWins() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("two readers"));
        final CachePage first = page(4);
        final CachePage second = page(4);
        assertThat(cookie.readOrAllocPage(first, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(cookie.readOrAllocPage(second, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(first.isFsCache()).isTrue();
        assertThat(second.isFsCache()).isTrue();

        writeMarked(cookie, second, 2);
        writeMarked(cookie, first, 1);
        cookie.uncachePage(second);
        cookie.uncachePage(first);
        assertThat(load(cookie, 4)).isEqualTo(1);
        cookie.relinquish(false);
    }

    @Test
    void pagesOfOneIndexHeldByTwoReadersBothReadTheCachedBytes() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("shared hit"));
        store(cookie, 7, 77);
        final CachePage first = page(7);
        final CachePage second = page(7);
        assertThat(cookie.readOrAllocPage(first, recorder, null)).isEqualTo(Result.OK);
        assertThat(cookie.readOrAllocPage(second, recorder, null)).isEqualTo(Result.OK);
        assertThat(recorder.await(first)).isEqualTo(Result.OK);
        assertThat(recorder.await(second)).isEqualTo(Result.OK);
        assertThat(Pages.seedOf(first)).isEqualTo(77);
        assertThat(Pages.seedOf(second)).isEqualTo(77);

        final List<CachePage> list = new ArrayList<>(List.of(page(7), page(8)));
        assertThat(cookie.readOrAllocPages(list, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(list).hasSize(1);
        assertThat(list.get(0).index()).isEqualTo(8);

        cookie.uncachePage(first);
        assertThatThrownBy(() -> cookie.relinquish(false))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cannot relinquish cookie 'test.file': 3 page(s) still marked cached; uncache them first");
        cookie.uncacheAllPages();
        assertThat(second.isFsCache()).isFalse();
        assertThat(list.get(0).isFsCache()).isFalse();
        cookie.relinquish(false);
    }

    @Test
    void pagesCutFromOneBufferReadTheirOwnBytes() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("slices"));
        for (int i = 0; i < 12; i++)
        {
            store(cookie, i, 900 + i);
        }
        final java.nio.ByteBuffer whole = org.cachefs.format.device.AlignedBuffers.allocate(10 * PAGE_SIZE);
        final CachePage[] pages = CachePage.slicesOf(whole, PAGE_SIZE);
        assertThat(pages).hasSize(10);
        final List<CachePage> list = new ArrayList<>();
        for (int i = 0; i < 10; i++)
        {
            // Pages 1..10, with page 5 of the buffer skipped over (given index 20, never stored).
            pages[i].setIndex(i == 4 ? 20 : i + 1);
            list.add(pages[i]);
        }
        assertThat(cookie.readOrAllocPages(list, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(list).containsExactly(pages[4]);
        for (int i = 0; i < 10; i++)
        {
            if (i != 4)
            {
                assertThat(recorder.await(pages[i])).isEqualTo(Result.OK);
                assertThat(Pages.seedOf(pages[i])).as("page %d", i + 1).isEqualTo(900 + i + 1);
            }
        }
        assertThat(whole.position()).isZero();
        assertThat(whole.limit()).isEqualTo(10 * PAGE_SIZE);
        cookie.uncachePages(java.util.Arrays.asList(pages));
        for (final CachePage page : pages)
        {
            assertThat(page.isFsCache()).isFalse();
        }
        assertThatThrownBy(() -> CachePage.slicesOf(whole, 3000))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer capacity 40960 is not a multiple of the page size 3000");
        cookie.relinquish(false);
    }

    /**
     * Pages cut from one buffer, read again (from memory, where a backend keeps them) after one of them was rewritten:
     * each holds its own last bytes.
     */
    @Test
    void pagesCutFromOneBufferReadTheLastBytesWrittenAgainAndAgain() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("slices again"));
        for (int i = 0; i < 8; i++)
        {
            store(cookie, i, 700 + i);
        }
        final java.nio.ByteBuffer whole = org.cachefs.format.device.AlignedBuffers.allocate(8 * PAGE_SIZE);
        final CachePage[] pages = CachePage.slicesOf(whole, PAGE_SIZE);
        for (int i = 0; i < 8; i++)
        {
            pages[i].setIndex(i);
        }
        final long[] seeds = {700, 701, 702, 703, 704, 705, 706, 707};
        for (int round = 0; round < 3; round++)
        {
            if (round == 2)
            {
                final CachePage rewrite = page(3);
                assertThat(cookie.allocPage(rewrite)).isEqualTo(Result.OK);
                writeMarked(cookie, rewrite, 803);
                cookie.uncachePage(rewrite);
                seeds[3] = 803;
            }
            // The same pages complete once per round: a recorder of their own for each.
            final ReadRecorder reads = new ReadRecorder();
            final List<CachePage> list = new ArrayList<>(java.util.Arrays.asList(pages));
            assertThat(cookie.readOrAllocPages(list, reads, null)).as("round %d", round).isEqualTo(Result.OK);
            for (int i = 0; i < 8; i++)
            {
                assertThat(reads.await(pages[i])).isEqualTo(Result.OK);
                assertThat(Pages.seedOf(pages[i])).as("round %d page %d", round, i).isEqualTo(seeds[i]);
            }
            assertThat(reads.duplicates()).isEmpty();
            cookie.uncachePages(java.util.Arrays.asList(pages));
        }
        cookie.relinquish(false);
    }

    @Test
    void aListNamingOneIndexTwiceIsRefusedWhateverThePages()
    {
        final Cookie cookie = acquire(new TestFile("listed twice"));
        final CachePage held = page(3);
        assertThat(cookie.readOrAllocPage(held, recorder, null)).isEqualTo(Result.NO_DATA);
        final List<CachePage> list = new ArrayList<>(List.of(page(2), page(3), page(3)));
        assertThatThrownBy(() -> cookie.readOrAllocPages(list, recorder, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("page index 3 appears twice in the list");

        // Nothing of the refused list stays entered: each of its pages may be read now.
        for (final CachePage page : list)
        {
            assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
            cookie.uncachePage(page);
        }
        cookie.uncachePage(held);
        cookie.relinquish(false);
    }

    @Test
    void aLaterWriteOfAnIndexSupersedesEarlierQueuedOnes() throws InterruptedException
    {
        assumeTrue(holdWrites(backend), "backend cannot hold writes");
        final Cookie cookie = acquire(new TestFile("rewritten"));
        final CachePage v1 = page(0);
        assertThat(cookie.allocPage(v1)).isEqualTo(Result.OK);
        Pages.fill(v1, 1);
        assertThat(cookie.writePage(v1)).isEqualTo(Result.OK);
        awaitHeldWrites(backend, 1);
        cookie.uncachePage(v1);

        final CachePage v2 = page(0);
        assertThat(cookie.allocPage(v2)).isEqualTo(Result.OK);
        Pages.fill(v2, 2);
        assertThat(cookie.writePage(v2)).isEqualTo(Result.OK);
        cookie.uncachePage(v2);
        assertThat(cookie.checkPageWrite(v2)).isTrue();

        final CachePage v3 = page(0);
        assertThat(cookie.allocPage(v3)).isEqualTo(Result.OK);
        Pages.fill(v3, 3);
        assertThat(cookie.writePage(v3)).isEqualTo(Result.OK);
        cookie.uncachePage(v3);

        // v1 is being written; v2 was queued behind it and is superseded by v3 without being written.
        assertThat(cookie.checkPageWrite(v1)).isTrue();
        assertThat(cookie.checkPageWrite(v2)).isFalse();
        assertThat(v2.isFsCacheWrite()).isFalse();
        assertThat(cookie.checkPageWrite(v3)).isTrue();
        assertThat(stat(StatCounter.STORES_AGAIN)).isZero();
        assertThat(stat(StatCounter.STORES_OK)).isEqualTo(3);

        releaseWrites(backend);
        assertThat(cookie.waitOnPageWrite(v3, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(cookie.waitOnPageWrite(v1, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(load(cookie, 0)).isEqualTo(3);
        cookie.relinquish(false);
        final Cookie again = acquireAgain("rewritten");
        assertThat(load(again, 0)).isEqualTo(3);
        again.relinquish(false);
    }

    @Test
    void rewritesWithoutWaitingLeaveTheLastVersionOfEveryPage() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("rewrites"));
        final int pages = 48;
        final List<CachePage> last = new ArrayList<>();
        for (int version = 1; version <= 3; version++)
        {
            for (int index = 0; index < pages; index++)
            {
                final CachePage page = page(index);
                assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
                Pages.fill(page, version * 1000 + index);
                assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
                cookie.uncachePage(page);
                if (version == 3)
                {
                    last.add(page);
                }
            }
        }
        for (final CachePage page : last)
        {
            assertThat(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        }
        awaitIdle();
        for (int index = 0; index < pages; index++)
        {
            assertThat(load(cookie, index)).as("page %d", index).isEqualTo(3000 + index);
        }
        cookie.relinquish(false);
        final Cookie again = acquireAgain("rewrites");
        for (int index = 0; index < pages; index++)
        {
            assertThat(load(again, index)).as("page %d after re-acquisition", index).isEqualTo(3000 + index);
        }
        again.relinquish(false);
    }

    @Test
    void rewriteOfQueuedPageCountsAgain()
    {
        assumeTrue(holdWrites(backend), "backend cannot hold writes");
        final Cookie cookie = acquire(new TestFile("again"));
        final CachePage page = page(0);
        assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
        Pages.fill(page, 9);
        assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
        assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
        assertThat(stat(StatCounter.STORES_AGAIN)).isEqualTo(1);
        assertThat(stat(StatCounter.STORES_OK)).isEqualTo(2);
        releaseWrites(backend);
        assertThat(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        cookie.uncachePage(page);
        cookie.relinquish(false);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Duplicate acquisition.
    // ---------------------------------------------------------------------------------------------------------------

    /** Where the duplicated key sits in the index tree. */
    private enum Level
    {
        /** A data file acquired twice under one index. */
        DATA_FILE,
        /** An index acquired twice under one index, with a data file under each. */
        INDEX,
        /** The volume index acquired twice under the netfs's primary index (two mounts of one volume). */
        VOLUME
    }

    @Test
    void aKeyAcquiredTwiceAtAnyLevelGivesTheSecondCallerACookieThatAnswersAtOnce() throws InterruptedException
    {
        int round = 0;
        for (final Level level : Level.values())
        {
            for (final boolean firstReleasedFirst : new boolean[] {true, false})
            {
                for (final boolean retire : new boolean[] {false, true})
                {
                    final String name = "dup-" + level + "-" + firstReleasedFirst + "-" + retire;
                    final long duplicatesBefore = stat(StatCounter.ACQUIRES_DUPLICATE);
                    final Cookie firstParent;
                    final Cookie secondParent;
                    final Cookie first;
                    final Cookie second;
                    switch (level)
                    {
                        case DATA_FILE:
                            firstParent = null;
                            secondParent = null;
                            first = volume.acquire(TestFile.DATA, new TestFile(name));
                            second = volume.acquire(TestFile.DATA, new TestFile(name));
                            break;

                        case INDEX:
                            firstParent = volume.acquire(TestFile.INDEX, new TestFile(name));
                            secondParent = volume.acquire(TestFile.INDEX, new TestFile(name));
                            first = firstParent.acquire(TestFile.DATA, new TestFile("file"));
                            second = secondParent.acquire(TestFile.DATA, new TestFile("file"));
                            break;

                        default:
                            firstParent = null;
                            secondParent = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("volume"));
                            first = volume.acquire(TestFile.DATA, new TestFile(name));
                            second = secondParent.acquire(TestFile.DATA, new TestFile(name));
                            break;
                    }
                    final String what = name + " (round " + round++ + ")";
                    assertThat(first.isNoop()).as(what).isFalse();
                    assertThat(second.isNoop()).as(what).isTrue();
                    assertThat(null == secondParent || secondParent.isNoop()).as(what).isTrue();
                    assertThat(stat(StatCounter.ACQUIRES_DUPLICATE) - duplicatesBefore).as(what).isEqualTo(1);

                    store(first, 0, round);
                    final CachePage page = page(0);
                    assertTimeoutPreemptively(java.time.Duration.ofSeconds(Await.TIMEOUT_SECONDS), () ->
                    {
                        assertThat(second.readOrAllocPage(page, recorder, null)).as(what).isEqualTo(Result.NO_BUFS);
                        assertThat(second.allocPage(page)).as(what).isEqualTo(Result.NO_BUFS);
                        assertThat(second.writePage(page)).as(what).isEqualTo(Result.NO_BUFS);
                        assertThat(second.attrChanged()).as(what).isEqualTo(Result.NO_BUFS);
                    });
                    assertThat(page.isFsCache()).as(what).isFalse();
                    assertThat(load(first, 0)).as(what).isEqualTo(round);

                    if (firstReleasedFirst)
                    {
                        first.relinquish(retire);
                        second.relinquish(false);
                    }
                    else
                    {
                        second.relinquish(false);
                        first.relinquish(retire);
                    }
                    if (null != secondParent)
                    {
                        secondParent.relinquish(false);
                    }
                    if (null != firstParent)
                    {
                        firstParent.relinquish(false);
                    }

                    // With both released, the key is acquired normally and finds what the first stored.
                    final Cookie parent = level == Level.INDEX ?
                        volume.acquire(TestFile.INDEX, new TestFile(name)) : volume;
                    final Cookie again = parent.acquire(TestFile.DATA,
                        new TestFile(level == Level.INDEX ? "file" : name));
                    assertThat(again.isNoop()).as(what).isFalse();
                    assertThat(load(again, 0)).as(what).isEqualTo(retire ? -1 : round);
                    again.relinquish(false);
                    if (parent != volume)
                    {
                        parent.relinquish(false);
                    }
                }
            }
        }
        assertThat(stat(StatCounter.ACQUIRES_DUPLICATE)).isEqualTo(round);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Page flags and write waiting.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void writeFlagIsSetUntilTheWriteEnds() throws InterruptedException
    {
        assumeTrue(holdWrites(backend), "backend cannot hold writes");
        final Cookie cookie = acquire(new TestFile("flag"));
        final CachePage page = page(0);
        assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
        Pages.fill(page, 42);
        assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
        awaitHeldWrites(backend, 1);

        assertThat(page.isFsCacheWrite()).isTrue();
        assertThat(cookie.checkPageWrite(page)).isTrue();
        assertThat(cookie.waitOnPageWrite(page, 20, TimeUnit.MILLISECONDS)).isFalse();

        releaseWrites(backend);
        cookie.waitOnPageWrite(page);
        assertThat(page.isFsCacheWrite()).isFalse();
        assertThat(cookie.checkPageWrite(page)).isFalse();
        cookie.uncachePage(page);
        assertThat(load(cookie, 0)).isEqualTo(42);
        cookie.relinquish(false);
    }

    @Test
    void maybeReleasePageCancelsPendingWriteButNotWriteInProgress() throws InterruptedException
    {
        assumeTrue(holdWrites(backend), "backend cannot hold writes");
        final Cookie cookie = acquire(new TestFile("release"));
        final CachePage first = page(0);
        final CachePage second = page(1);
        assertThat(cookie.allocPage(first)).isEqualTo(Result.OK);
        assertThat(cookie.allocPage(second)).isEqualTo(Result.OK);
        Pages.fill(first, 10);
        Pages.fill(second, 11);
        assertThat(cookie.writePage(first)).isEqualTo(Result.OK);
        awaitHeldWrites(backend, 1);
        assertThat(cookie.writePage(second)).isEqualTo(Result.OK);
        assertThat(cookie.checkPageWrite(second)).isTrue();

        assertThat(cookie.maybeReleasePage(second)).isTrue();
        assertThat(second.isFsCacheWrite()).isFalse();
        assertThat(second.isFsCache()).isFalse();
        assertThat(cookie.checkPageWrite(second)).isFalse();

        assertThat(cookie.maybeReleasePage(first)).isFalse();
        assertThat(first.isFsCache()).isTrue();

        releaseWrites(backend);
        assertThat(cookie.waitOnPageWrite(first, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(cookie.maybeReleasePage(first)).isTrue();
        assertThat(first.isFsCache()).isFalse();

        assertThat(load(cookie, 0)).isEqualTo(10);
        assertThat(load(cookie, 1)).isEqualTo(-1);
        cookie.relinquish(false);
    }

    @Test
    void uncacheAllPagesWaitsForWritesAndUncachesEveryPage() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("all"));
        final List<CachePage> pages = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            final CachePage page = page(i);
            assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
            Pages.fill(page, 100 + i);
            assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
            pages.add(page);
        }

        cookie.uncacheAllPages();
        for (final CachePage page : pages)
        {
            assertThat(page.isFsCache()).isFalse();
            assertThat(page.isFsCacheWrite()).isFalse();
            assertThat(cookie.checkPageWrite(page)).isFalse();
        }
        assertThat(stat(StatCounter.PAGES_UNCACHED)).isEqualTo(4);
        cookie.relinquish(false);

        final Cookie again = acquire(new TestFile("all"));
        for (int i = 0; i < 4; i++)
        {
            assertThat(load(again, i)).isEqualTo(100 + i);
        }
        again.relinquish(false);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Multi-page reads.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void multiPageReadDispatchesPresentPagesAndLeavesTheOthersMarked() throws InterruptedException
    {
        final TestFile file = new TestFile("multi");
        final Cookie cookie = acquire(file);
        store(cookie, 0, 1000);
        store(cookie, 1, 1001);

        final CachePage p0 = page(0);
        final CachePage p1 = page(1);
        final CachePage p2 = page(2);
        final CachePage p3 = page(3);
        final List<CachePage> list = new ArrayList<>(List.of(p0, p1, p2, p3));
        assertThat(cookie.readOrAllocPages(list, recorder, "multi")).isEqualTo(Result.NO_DATA);
        assertThat(list).containsExactly(p2, p3);
        assertThat(recorder.await(p0)).isEqualTo(Result.OK);
        assertThat(recorder.await(p1)).isEqualTo(Result.OK);
        assertThat(Pages.seedOf(p0)).isEqualTo(1000);
        assertThat(Pages.seedOf(p1)).isEqualTo(1001);
        assertThat(recorder.resultOf(p2)).isNull();
        assertThat(p2.isFsCache()).isTrue();
        assertThat(p3.isFsCache()).isTrue();

        writeMarked(cookie, p2, 1002);
        writeMarked(cookie, p3, 1003);
        cookie.uncacheAllPages();

        final List<CachePage> all = new ArrayList<>();
        for (int i = 0; i < 4; i++)
        {
            all.add(page(i));
        }
        final List<CachePage> copy = new ArrayList<>(all);
        assertThat(cookie.readOrAllocPages(all, recorder, "multi")).isEqualTo(Result.OK);
        assertThat(all).isEmpty();
        for (int i = 0; i < 4; i++)
        {
            assertThat(recorder.await(copy.get(i))).isEqualTo(Result.OK);
            assertThat(Pages.seedOf(copy.get(i))).isEqualTo(1000 + i);
            cookie.uncachePage(copy.get(i));
        }

        assertThat(stat(StatCounter.RETRIEVALS_NO_DATA)).isEqualTo(3);
        assertThat(stat(StatCounter.RETRIEVALS_OK)).isEqualTo(1);
        cookie.relinquish(false);
    }

    @Test
    void multiPageReadGivesNoBufsForPagesPastTheStoreLimit() throws InterruptedException
    {
        final TestFile file = new TestFile("limit-multi");
        final Cookie cookie = acquire(file);
        store(cookie, 0, 50);
        store(cookie, 1, 51);
        file.size(2L * PAGE_SIZE);
        assertThat(cookie.attrChanged()).isEqualTo(Result.OK);

        final CachePage p0 = page(0);
        final CachePage p1 = page(1);
        final CachePage p2 = page(2);
        final CachePage p3 = page(3);
        final List<CachePage> list = new ArrayList<>(List.of(p0, p1, p2, p3));
        assertThat(cookie.readOrAllocPages(list, recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(list).containsExactly(p2, p3);
        assertThat(p2.isFsCache()).isFalse();
        assertThat(p3.isFsCache()).isFalse();
        assertThat(recorder.await(p0)).isEqualTo(Result.OK);
        assertThat(recorder.await(p1)).isEqualTo(Result.OK);
        cookie.uncachePage(p0);
        cookie.uncachePage(p1);
        cookie.relinquish(false);
    }

    @Test
    void multiPageReadOfUncachedObjectReturnsNoBufsAndKeepsTheList()
    {
        final Cookie cookie = acquire(new TestFile("withdrawn-multi"));
        fsCache.withdrawCache("contract");
        final List<CachePage> list = new ArrayList<>(List.of(page(0), page(1)));
        final List<CachePage> copy = new ArrayList<>(list);
        assertThat(cookie.readOrAllocPages(list, recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(list).containsExactlyElementsOf(copy);
        cookie.relinquish(false);
    }

    @Test
    void multiPageReadRejectsAPageListedTwice()
    {
        final Cookie cookie = acquire(new TestFile("dup"));
        final CachePage page = page(7);
        final List<CachePage> list = new ArrayList<>(List.of(page, page(7)));
        assertThatThrownBy(() -> cookie.readOrAllocPages(list, recorder, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("page index 7 appears twice in the list");
        assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        cookie.uncachePage(page);
        cookie.relinquish(false);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Store limit, capacity, reservation, pinning.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void storeLimitRejectsPagesBeyondTheSizeAndTruncates() throws InterruptedException
    {
        final TestFile file = new TestFile("limit");
        final Cookie cookie = acquire(file);
        for (int i = 0; i < 4; i++)
        {
            store(cookie, i, 200 + i);
        }

        file.size(2L * PAGE_SIZE + 1);
        assertThat(cookie.attrChanged()).isEqualTo(Result.OK);
        assertThat(load(cookie, 2)).isEqualTo(202);
        assertThat(cookie.readOrAllocPage(page(3), recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.allocPage(page(3))).isEqualTo(Result.NO_BUFS);

        file.size(PAGE_SIZE);
        assertThat(cookie.attrChanged()).isEqualTo(Result.OK);
        assertThat(cookie.readOrAllocPage(page(1), recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(load(cookie, 0)).isEqualTo(200);

        file.size(4L * PAGE_SIZE);
        assertThat(cookie.attrChanged()).isEqualTo(Result.OK);
        assertThat(load(cookie, 1)).isEqualTo(-1);
        assertThat(load(cookie, 3)).isEqualTo(-1);
        assertThat(load(cookie, 0)).isEqualTo(200);

        assertThat(stat(StatCounter.ATTR_CHANGED)).isEqualTo(3);
        assertThat(stat(StatCounter.ATTR_CHANGED_OK)).isEqualTo(3);
        awaitIdle();
        assertThat(stat(StatCounter.ATTR_CHANGED_CALLS)).isEqualTo(3);
        cookie.relinquish(false);
    }

    @Test
    void writeOfPagePastTheStoreLimitReturnsNoBufs()
    {
        final TestFile file = new TestFile("limit-write");
        final Cookie cookie = acquire(file);
        final CachePage page = page(1);
        assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
        file.size(PAGE_SIZE);
        assertThat(cookie.attrChanged()).isEqualTo(Result.OK);
        awaitIdle();
        Pages.fill(page, 3);
        assertThat(cookie.writePage(page)).isEqualTo(Result.NO_BUFS);
        cookie.uncachePage(page);
        cookie.relinquish(false);
    }

    @Test
    void fullCacheRefusesAllocationUntilUnwrittenPagesAreUncached()
    {
        final Cookie cookie = acquire(new TestFile("fill"));
        final List<CachePage> allocated = new ArrayList<>();
        Result result = Result.OK;
        for (int i = 0; i < CAPACITY_PAGES * 4 && result == Result.OK; i++)
        {
            final CachePage page = page(i);
            result = cookie.allocPage(page);
            if (result == Result.OK)
            {
                allocated.add(page);
            }
        }
        assertThat(result).isEqualTo(Result.NO_BUFS);
        assertThat(allocated.size()).isGreaterThan(0).isLessThanOrEqualTo(CAPACITY_PAGES);

        final CachePage extra = page(CAPACITY_PAGES * 4L);
        assertThat(cookie.readOrAllocPage(extra, recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(extra.isFsCache()).isFalse();

        for (final CachePage page : allocated)
        {
            cookie.uncachePage(page);
        }
        assertThat(cookie.allocPage(extra)).isEqualTo(Result.OK);
        cookie.uncachePage(extra);
        cookie.relinquish(false);
    }

    @Test
    void reservationSucceedsFailsWhenTooLargeAndCancels()
    {
        final Cookie cookie = acquire(new TestFile("reserve"));
        final Result first = cookie.reserveSpace(8L * PAGE_SIZE);
        assumeTrue(first != Result.NOT_SUPPORTED, "backend does not support reservation");
        assertThat(first).isEqualTo(Result.OK);
        assertThat(cookie.reserveSpace(1L << 50)).isEqualTo(Result.NO_SPACE);
        assertThat(cookie.reserveSpace(0)).isEqualTo(Result.OK);
        cookie.relinquish(false);
    }

    @Test
    void pinnedObjectSurvivesPressure() throws InterruptedException
    {
        final Cookie pinned = acquire(new TestFile("pinned"));
        final Result pin = pinned.pin();
        assumeTrue(pin != Result.NOT_SUPPORTED, "backend does not support pinning");
        assertThat(pin).isEqualTo(Result.OK);
        for (int i = 0; i < 8; i++)
        {
            store(pinned, i, 300 + i);
        }
        pinned.relinquish(false);

        final Cookie pressure = acquire(new TestFile("pressure"));
        for (int i = 0; i < CAPACITY_PAGES * 2; i++)
        {
            final CachePage page = page(i);
            if (pressure.allocPage(page) == Result.OK)
            {
                Pages.fill(page, i);
                pressure.writePage(page);
            }
        }
        pressure.uncacheAllPages();
        pressure.relinquish(false);

        final Cookie again = acquire(new TestFile("pinned"));
        for (int i = 0; i < 8; i++)
        {
            assertThat(load(again, i)).isEqualTo(300 + i);
        }
        again.unpin();
        again.relinquish(false);
    }

    @Test
    void pinAndReserveOnIndexAreErrors()
    {
        assertThatThrownBy(volume::pin)
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("pin is for data cookies only: cookie 'test.index' is an index");
        assertThatThrownBy(() -> volume.reserveSpace(1))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("reserveSpace is for data cookies only: cookie 'test.index' is an index");
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Coherency, update, persistence, retirement.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void relinquishWithoutRetireStoresTheWritesStillQueued() throws InterruptedException
    {
        final boolean held = holdWrites(backend);
        final Cookie cookie = acquire(new TestFile("queued at relinquish"));
        final List<CachePage> pages = new ArrayList<>();
        for (int i = 0; i < 6; i++)
        {
            final CachePage page = page(i);
            assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
            Pages.fill(page, 600 + i);
            assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
            pages.add(page);
            if (held && i == 0)
            {
                awaitHeldWrites(backend, 1);
            }
        }
        for (final CachePage page : pages)
        {
            cookie.uncachePage(page);
        }
        if (held)
        {
            assertThat(cookie.checkPageWrite(pages.get(5))).isTrue();
        }
        cookie.relinquish(false);
        if (held)
        {
            releaseWrites(backend);
        }

        final Cookie again = acquireAgain("queued at relinquish");
        for (int i = 0; i < 6; i++)
        {
            assertThat(load(again, i)).as("page %d", i).isEqualTo(600 + i);
        }
        again.relinquish(false);
        for (final CachePage page : pages)
        {
            assertThat(page.isFsCacheWrite()).isFalse();
        }
    }

    @Test
    void relinquishWithRetireAbandonsTheWritesStillQueued() throws InterruptedException
    {
        assumeTrue(holdWrites(backend), "backend cannot hold writes");
        final Cookie cookie = acquire(new TestFile("retired with writes"));
        final List<CachePage> pages = new ArrayList<>();
        for (int i = 0; i < 3; i++)
        {
            final CachePage page = page(i);
            assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
            Pages.fill(page, 700 + i);
            assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
            pages.add(page);
            if (i == 0)
            {
                awaitHeldWrites(backend, 1);
            }
        }
        for (final CachePage page : pages)
        {
            cookie.uncachePage(page);
        }
        cookie.relinquish(true);
        assertThat(pages.get(1).isFsCacheWrite()).isFalse();
        assertThat(pages.get(2).isFsCacheWrite()).isFalse();
        releaseWrites(backend);
        awaitIdle();

        final Cookie again = acquireAgain("retired with writes");
        for (int i = 0; i < 3; i++)
        {
            assertThat(load(again, i)).as("page %d", i).isEqualTo(-1);
        }
        again.relinquish(false);
    }

    @Test
    void objectPersistsAcrossRelinquishAndReacquire() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("persist").aux("v1"));
        for (int i = 0; i < 4; i++)
        {
            store(cookie, i, 400 + i);
        }
        cookie.relinquish(false);

        final TestFile again = new TestFile("persist").aux("v1");
        final Cookie reacquired = acquire(again);
        for (int i = 0; i < 4; i++)
        {
            assertThat(load(reacquired, i)).isEqualTo(400 + i);
        }
        assertThat(again.verdicts()).containsExactly(CheckAux.OKAY);
        assertThat(again.seenAux()).containsExactly("v1");
        assertThat(stat(StatCounter.LOOKUPS_POSITIVE)).isEqualTo(1);
        assertThat(stat(StatCounter.CHECKAUX_OKAY)).isEqualTo(1);
        reacquired.relinquish(false);
    }

    @Test
    void needsUpdateKeepsDataAndRewritesAux() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("coherent").aux("v1"));
        store(cookie, 0, 500);
        cookie.relinquish(false);

        final TestFile updated = new TestFile("coherent").aux("v2").verdict(CheckAux.NEEDS_UPDATE);
        final Cookie second = acquire(updated);
        assertThat(load(second, 0)).isEqualTo(500);
        assertThat(updated.seenAux()).containsExactly("v1");
        second.relinquish(false);

        final TestFile checked = new TestFile("coherent").aux("v2");
        final Cookie third = acquire(checked);
        assertThat(load(third, 0)).isEqualTo(500);
        assertThat(checked.seenAux()).containsExactly("v2");
        assertThat(checked.verdicts()).containsExactly(CheckAux.OKAY);
        assertThat(stat(StatCounter.CHECKAUX_UPDATE)).isEqualTo(1);
        assertThat(stat(StatCounter.CHECKAUX_OKAY)).isEqualTo(1);
        third.relinquish(false);
    }

    @Test
    void obsoleteDiscardsObjectAndData() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("stale").aux("v1"));
        store(cookie, 0, 600);
        store(cookie, 1, 601);
        cookie.relinquish(false);

        final TestFile newer = new TestFile("stale").aux("v2");
        final Cookie second = acquire(newer);
        assertThat(load(second, 0)).isEqualTo(-1);
        assertThat(load(second, 1)).isEqualTo(-1);
        assertThat(newer.verdicts()).containsExactly(CheckAux.OBSOLETE);
        store(second, 0, 602);
        second.relinquish(false);

        final TestFile checked = new TestFile("stale").aux("v2");
        final Cookie third = acquire(checked);
        assertThat(load(third, 0)).isEqualTo(602);
        assertThat(checked.seenAux()).containsExactly("v2");
        assertThat(load(third, 1)).isEqualTo(-1);
        assertThat(stat(StatCounter.CHECKAUX_OBSOLETE)).isEqualTo(1);
        third.relinquish(false);
    }

    @Test
    void updateRewritesTheIndexEntry() throws InterruptedException
    {
        final TestFile file = new TestFile("update").aux("old");
        final Cookie cookie = acquire(file);
        store(cookie, 0, 700);
        file.aux("new");
        cookie.update();
        awaitIdle();
        assertThat(stat(StatCounter.UPDATES)).isEqualTo(1);
        assertThat(stat(StatCounter.UPDATES_RUN)).isEqualTo(1);
        cookie.relinquish(false);

        final TestFile checked = new TestFile("update").aux("new");
        final Cookie again = acquire(checked);
        assertThat(load(again, 0)).isEqualTo(700);
        assertThat(checked.seenAux()).containsExactly("new");
        again.relinquish(false);
    }

    @Test
    void retireDiscardsTheObject() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("retire"));
        store(cookie, 0, 800);
        cookie.relinquish(true);

        final TestFile again = new TestFile("retire");
        final Cookie second = acquire(again);
        assertThat(load(second, 0)).isEqualTo(-1);
        assertThat(again.verdicts()).isEmpty();
        second.relinquish(false);
    }

    @Test
    void retireOfAnIndexDiscardsItsSubtree() throws InterruptedException
    {
        final Cookie sub = volume.acquire(TestFile.INDEX, new TestFile("subdir"));
        final Cookie a = sub.acquire(TestFile.DATA, new TestFile("a"));
        final Cookie b = sub.acquire(TestFile.DATA, new TestFile("b"));
        store(a, 0, 900);
        store(b, 0, 901);
        a.relinquish(false);
        b.relinquish(false);

        final Cookie aAgain = sub.acquire(TestFile.DATA, new TestFile("a"));
        assertThat(load(aAgain, 0)).isEqualTo(900);
        aAgain.relinquish(false);
        sub.relinquish(true);

        final TestFile subFile = new TestFile("subdir");
        final Cookie subAgain = volume.acquire(TestFile.INDEX, subFile);
        final Cookie a2 = subAgain.acquire(TestFile.DATA, new TestFile("a"));
        final Cookie b2 = subAgain.acquire(TestFile.DATA, new TestFile("b"));
        assertThat(load(a2, 0)).isEqualTo(-1);
        assertThat(load(b2, 0)).isEqualTo(-1);
        assertThat(subFile.verdicts()).isEmpty();
        a2.relinquish(false);
        b2.relinquish(false);
        subAgain.relinquish(false);
    }

    @Test
    void retireOverrulesPinning() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("pinned-retire"));
        final Result pin = cookie.pin();
        assumeTrue(pin != Result.NOT_SUPPORTED, "backend does not support pinning");
        store(cookie, 0, 1);
        cookie.relinquish(true);

        final Cookie again = acquire(new TestFile("pinned-retire"));
        assertThat(load(again, 0)).isEqualTo(-1);
        again.relinquish(false);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Withdrawal and I/O errors.
    // ---------------------------------------------------------------------------------------------------------------

    @Test
    void withdrawalEndsReadsInFlightOnceAndUnbindsCookies() throws InterruptedException
    {
        final TestFile file = new TestFile("withdraw-read");
        final Cookie cookie = acquire(file);
        store(cookie, 0, 1);
        store(cookie, 1, 2);
        assumeTrue(holdReads(backend), "backend cannot hold reads");

        final CachePage p0 = page(0);
        final CachePage p1 = page(1);
        final CachePage p2 = page(2);
        final List<CachePage> list = new ArrayList<>(List.of(p1, p2));
        assertThat(cookie.readOrAllocPage(p0, recorder, "w")).isEqualTo(Result.OK);
        assertThat(cookie.readOrAllocPages(list, recorder, "w")).isEqualTo(Result.NO_DATA);
        assertThat(list).containsExactly(p2);
        assertThat(recorder.count()).isZero();

        fsCache.withdrawCache("contract");

        assertThat(recorder.await(p0)).isEqualTo(Result.NO_BUFS);
        assertThat(recorder.await(p1)).isEqualTo(Result.NO_BUFS);
        assertThat(recorder.count()).isEqualTo(2);
        assertThat(file.nowUncachedCalls()).isEqualTo(1);
        assertThat(p0.isFsCache()).isFalse();
        assertThat(p1.isFsCache()).isFalse();
        assertThat(p2.isFsCache()).isFalse();

        assertThat(cookie.readOrAllocPage(page(3), recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.allocPage(page(3))).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.attrChanged()).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.writePage(p2)).isEqualTo(Result.NO_BUFS);
        cookie.relinquish(false);
        volume.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void withdrawalEndsWritesInFlight() throws InterruptedException
    {
        assumeTrue(holdWrites(backend), "backend cannot hold writes");
        final TestFile file = new TestFile("withdraw-write");
        final Cookie cookie = acquire(file);
        final CachePage first = page(0);
        final CachePage second = page(1);
        assertThat(cookie.allocPage(first)).isEqualTo(Result.OK);
        assertThat(cookie.allocPage(second)).isEqualTo(Result.OK);
        Pages.fill(first, 1);
        Pages.fill(second, 2);
        assertThat(cookie.writePage(first)).isEqualTo(Result.OK);
        awaitHeldWrites(backend, 1);
        assertThat(cookie.writePage(second)).isEqualTo(Result.OK);

        fsCache.withdrawCache("contract");

        assertThat(first.isFsCacheWrite()).isFalse();
        assertThat(second.isFsCacheWrite()).isFalse();
        assertThat(cookie.checkPageWrite(first)).isFalse();
        assertThat(cookie.checkPageWrite(second)).isFalse();
        assertThat(first.isFsCache()).isFalse();
        assertThat(file.nowUncachedCalls()).isEqualTo(1);
        cookie.relinquish(false);
    }

    @Test
    void withdrawalDuringLookupLeavesCookieUncached()
    {
        final List<Cookie> cookies = new ArrayList<>();
        for (int i = 0; i < 16; i++)
        {
            cookies.add(acquire(new TestFile("early-" + i)));
        }
        fsCache.withdrawCache("contract");
        for (final Cookie cookie : cookies)
        {
            assertThat(cookie.readOrAllocPage(page(0), recorder, null)).isEqualTo(Result.NO_BUFS);
            cookie.relinquish(false);
        }
        assertThat(stat(StatCounter.OBJECTS_DEAD)).isEqualTo(stat(StatCounter.OBJECTS_ALLOC) + 1);
    }

    @Test
    void readErrorEndsThePageWithAnErrorAndStopsCaching() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("io-read"));
        store(cookie, 0, 1);
        store(cookie, 1, 2);
        assumeTrue(failNextRead(backend), "backend cannot inject read errors");

        final CachePage page = page(0);
        final Result result = cookie.readOrAllocPage(page, recorder, null);
        assertThat(result).isIn(Result.OK, Result.NO_BUFS);
        if (result == Result.OK)
        {
            assertThat(recorder.await(page)).isEqualTo(Result.IO_ERROR);
        }
        else
        {
            assertThat(recorder.resultOf(page)).isNull();
        }

        final CachePage other = page(1);
        assertThat(cookie.readOrAllocPage(other, recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.allocPage(page(2))).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.attrChanged()).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.writePage(page)).isEqualTo(Result.NO_BUFS);
        assertThat(volume.acquire(TestFile.DATA, new TestFile("after-error")).isNoop()).isTrue();
        assertThat(stat(StatCounter.ACQUIRES_NO_CACHE)).isEqualTo(1);

        cookie.uncachePage(page);
        cookie.relinquish(false);
    }

    @Test
    void writeErrorAbortsTheObjectQuietly()
    {
        final Cookie cookie = acquire(new TestFile("io-write"));
        assumeTrue(failNextWrite(backend), "backend cannot inject write errors");
        final CachePage page = page(0);
        assertThat(cookie.allocPage(page)).isEqualTo(Result.OK);
        Pages.fill(page, 5);
        assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
        assertThat(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        assertThat(page.isFsCacheWrite()).isFalse();

        awaitIdle();
        assertThat(cookie.readOrAllocPage(page(1), recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.writePage(page)).isEqualTo(Result.NO_BUFS);
        cookie.uncachePage(page);
        cookie.relinquish(false);
    }

    @Test
    void readOfAsynchronousCompletionIsCalledExactlyOncePerPage() throws InterruptedException
    {
        final Cookie cookie = acquire(new TestFile("once"));
        for (int i = 0; i < 16; i++)
        {
            store(cookie, i, 1000 + i);
        }
        for (int round = 0; round < 3; round++)
        {
            final List<CachePage> pages = new ArrayList<>();
            for (int i = 0; i < 16; i++)
            {
                pages.add(page(i));
            }
            final List<CachePage> copy = new ArrayList<>(pages);
            final ReadRecorder roundRecorder = new ReadRecorder();
            assertThat(cookie.readOrAllocPages(pages, roundRecorder, round)).isEqualTo(Result.OK);
            for (int i = 0; i < 16; i++)
            {
                assertThat(roundRecorder.await(copy.get(i))).isEqualTo(Result.OK);
                assertThat(Pages.seedOf(copy.get(i))).isEqualTo(1000 + i);
                cookie.uncachePage(copy.get(i));
            }
            assertThat(roundRecorder.count()).isEqualTo(16);
            assertThat(roundRecorder.duplicates()).isEmpty();
        }
        cookie.relinquish(false);
    }
}
