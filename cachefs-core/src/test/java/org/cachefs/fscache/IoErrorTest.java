package org.cachefs.fscache;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * After an I/O error only release operations reach the backend; the netfs sees NO_BUFS and nothing is thrown into
 * it, also when the backend throws.
 */
class IoErrorTest extends FsCacheTestSupport
{
    private MemoryCacheBackend memory;
    private RecordingBackend backend;
    private Netfs netfs;
    private Cookie cookie;

    @BeforeEach
    void setUp()
    {
        memory = memory(64, "faulty");
        backend = new RecordingBackend(memory);
        fsCache.addCache(backend, "faulty");
        netfs = fsCache.registerNetfs("faultfs", 1);
        cookie = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("file"));
    }

    @Test
    void afterAnIoErrorOnlyReleaseOperationsReachTheBackend() throws InterruptedException
    {
        final CachePage stored = page(0);
        assertThat(cookie.readOrAllocPage(stored, recorder, null)).isEqualTo(Result.NO_DATA);
        Pages.fill(stored, 8);
        assertThat(cookie.writePage(stored)).isEqualTo(Result.OK);
        cookie.waitOnPageWrite(stored);
        cookie.uncachePage(stored);

        final CachePage kept = page(1);
        assertThat(cookie.allocPage(kept)).isEqualTo(Result.OK);
        memory.failNextRead();
        final CachePage failing = page(0);
        assertThat(cookie.readOrAllocPage(failing, recorder, null)).isEqualTo(Result.OK);
        assertThat(recorder.await(failing)).isEqualTo(Result.IO_ERROR);
        // The object's state machine may still be calling lookupComplete: let it finish before the calls are counted.
        awaitIdle();
        backend.clearCalls();

        assertThat(cookie.readOrAllocPage(page(2), recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.readOrAllocPages(new ArrayList<>(List.of(page(3), page(4))), recorder, null))
            .isEqualTo(Result.NO_BUFS);
        assertThat(cookie.allocPage(page(5))).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.writePage(kept)).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.attrChanged()).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.pin()).isEqualTo(Result.NO_BUFS);
        assertThat(cookie.reserveSpace(4096)).isEqualTo(Result.NO_BUFS);
        cookie.update();
        assertThat(netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("new")).isNoop()).isTrue();
        awaitIdle();

        cookie.uncachePage(kept);
        cookie.uncachePage(failing);
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
        awaitIdle();
        fsCache.withdrawCache("faulty");

        assertThat(backend.calls()).containsExactly(
            "uncachePage 1", "uncachePage 0", "dropObject", "dropObject", "sync", "dissociatePages", "dropObject");
    }

    @Test
    void backendExceptionsAreReportedAndTreatedAsIoErrors() throws InterruptedException
    {
        expectErrors = true;
        final IllegalStateException failure = new IllegalStateException("backend bug");
        backend.throwOnRead = failure;
        final CachePage page = page(0);
        final CachePage other = page(1);
        assertThat(cookie.allocPage(other)).isEqualTo(Result.OK);
        cookie.uncachePage(other);
        final CachePage stored = page(1);
        assertThat(cookie.allocPage(stored)).isEqualTo(Result.OK);
        Pages.fill(stored, 3);
        assertThat(cookie.writePage(stored)).isEqualTo(Result.OK);
        cookie.uncacheAllPages();

        final CachePage read = page(1);
        assertThat(cookie.readOrAllocPage(read, recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(recorder.resultOf(read)).isNull();
        assertThat(errors).containsExactly(failure);
        assertThat(cookie.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(errors).containsExactly(failure);
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void withdrawalFromAPoolThreadIsRefused()
    {
        final AtomicReference<Throwable> refused = new AtomicReference<>();
        backend.onLookup = (object) ->
        {
            try
            {
                fsCache.withdrawCache("faulty");
            }
            catch (final IllegalStateException ex)
            {
                refused.set(ex);
            }
        };
        final CachePage page = page(0);
        assertThat(netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("hooked"))
            .readOrAllocPage(page, recorder, null)).isIn(Result.NO_DATA, Result.NO_BUFS);
        backend.onLookup = null;
        assertThat(refused.get()).hasMessage("withdrawCache must not be called from an FS-Cache pool thread");
    }
}
