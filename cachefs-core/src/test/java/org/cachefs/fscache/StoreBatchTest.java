package org.cachefs.fscache;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A storage operation hands the backend the pages queued when it takes them: one page by write_page, several in one
 * writePages call (by default write_page for each in turn), at most the store batch before it yields its thread.
 */
class StoreBatchTest extends FsCacheTestSupport
{
    private MemoryCacheBackend memory;
    private RecordingBackend backend;
    private Cookie cookie;

    @BeforeEach
    void setUp()
    {
        memory = memory(64, "batch");
        backend = new RecordingBackend(memory);
        fsCache.addCache(backend, "batch");
        final Netfs netfs = fsCache.registerNetfs("batchfs", 1);
        cookie = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("file"));
    }

    private List<CachePage> allocate(final int first, final int count)
    {
        final List<CachePage> pages = new ArrayList<>();
        for (int i = first; i < first + count; i++)
        {
            final CachePage page = page(i);
            assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
            Pages.fill(page, 100 + i);
            pages.add(page);
        }
        return pages;
    }

    /**
     * Allocates pages {@code [0, count)}, holds the backend's writes and writes page 0, which the storage operation
     * takes alone; the other pages' writes queue behind it. Writes are still held on return.
     */
    private List<CachePage> queueBehindAHeldWrite(final int count) throws InterruptedException
    {
        final List<CachePage> pages = allocate(0, count);
        memory.holdWrites();
        assertThat(cookie.writePage(pages.get(0))).isEqualTo(Result.OK);
        assertThat(memory.awaitHeldWrites(1, 10, TimeUnit.SECONDS)).isTrue();
        for (int i = 1; i < count; i++)
        {
            assertThat(cookie.writePage(pages.get(i))).isEqualTo(Result.OK);
        }
        return pages;
    }

    private List<String> writeCalls()
    {
        return backend.calls().stream().filter(call -> call.startsWith("writePage")).toList();
    }

    @Test
    void pagesQueuedWhileAWriteIsUnderWayGoToTheBackendTogether() throws InterruptedException
    {
        final List<CachePage> pages = queueBehindAHeldWrite(6);
        assertThat(cookie.checkPageWrite(pages.get(5))).isTrue();
        memory.releaseWrites();
        for (final CachePage page : pages)
        {
            cookie.waitOnPageWrite(page);
            assertThat(page.isFsCacheWrite()).isFalse();
            cookie.uncachePage(page);
        }

        assertThat(writeCalls()).containsExactly(
            "writePage 0", "writePages [1, 2, 3, 4, 5]",
            "writePage 1", "writePage 2", "writePage 3", "writePage 4", "writePage 5");
        for (int i = 0; i < 6; i++)
        {
            final CachePage read = page(i);
            assertThat(cookie.readOrAllocPage(read, recorder, null)).isEqualTo(Result.OK);
            assertThat(recorder.await(read)).isEqualTo(Result.OK);
            assertThat(Pages.seedOf(read)).as("page %d", i).isEqualTo(100 + i);
            cookie.uncachePage(read);
        }
    }

    @Test
    void aFailedPageEndsTheBatchAndAbortsThePagesAfterIt() throws InterruptedException
    {
        final List<CachePage> pages = queueBehindAHeldWrite(5);
        // Page 0 is held past the fault check: the next write, page 1, fails.
        memory.failNextWrite();
        memory.releaseWrites();
        for (final CachePage page : pages)
        {
            cookie.waitOnPageWrite(page);
            assertThat(page.isFsCacheWrite()).as("page %d", page.index()).isFalse();
            cookie.uncachePage(page);
        }
        assertThat(writeCalls()).containsExactly("writePage 0", "writePages [1, 2, 3, 4]", "writePage 1");
        assertThat(cookie.readOrAllocPage(page(2), recorder, null)).isEqualTo(Result.NO_BUFS);
    }
}
