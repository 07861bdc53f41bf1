package org.cachefs.fscache;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Reads wait for the asynchronous lookup (interruptibly), relinquishment waits for creation, and optional backend
 * operations default to NOT_SUPPORTED.
 */
class LookupTest extends FsCacheTestSupport
{
    private final CountDownLatch lookupGate = new CountDownLatch(1);
    private RecordingBackend backend;
    private Netfs netfs;

    @BeforeEach
    void setUp()
    {
        backend = new RecordingBackend(memory(32, "lookup"));
        fsCache.addCache(backend, null);
        netfs = fsCache.registerNetfs("lookupfs", 1);
    }

    private void blockDataLookups()
    {
        backend.onLookup = (object) ->
        {
            if (!object.type().isIndex())
            {
                try
                {
                    assertThat(lookupGate.await(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        };
    }

    @Test
    void interruptedWaitForLookupReturnsInterruptedAndKeepsTheInterrupt() throws Exception
    {
        blockDataLookups();
        final Cookie file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("slow"));
        final AtomicBoolean stillInterrupted = new AtomicBoolean();
        final CompletableFuture<Result> read = CompletableFuture.supplyAsync(() ->
        {
            Thread.currentThread().interrupt();
            final Result result = file.readOrAllocPage(page(0), recorder, null);
            stillInterrupted.set(Thread.interrupted());
            return result;
        });
        assertThat(read.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(Result.INTERRUPTED);
        assertThat(stillInterrupted.get()).isTrue();
        assertThat(stat(StatCounter.RETRIEVALS_WAIT)).isEqualTo(1);
        assertThat(stat(StatCounter.RETRIEVALS_INTERRUPTED)).isEqualTo(1);

        final CompletableFuture<Result> alloc = CompletableFuture.supplyAsync(() ->
        {
            Thread.currentThread().interrupt();
            return file.allocPage(page(1));
        });
        assertThat(alloc.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(Result.INTERRUPTED);
        assertThat(stat(StatCounter.ALLOCS_WAIT)).isEqualTo(1);

        lookupGate.countDown();
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        file.uncachePage(page);
        file.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void readsWaitForTheLookupAndRelinquishWaitsForCreation() throws Exception
    {
        blockDataLookups();
        final Cookie file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("waiting"));
        final CachePage page = page(0);
        final CompletableFuture<Result> read =
            CompletableFuture.supplyAsync(() -> file.readOrAllocPage(page, recorder, null));
        Await.until(() -> stat(StatCounter.RETRIEVALS_WAIT) == 1, "the read to wait for the lookup");
        assertThat(read).isNotDone();

        lookupGate.countDown();
        assertThat(read.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isEqualTo(Result.NO_DATA);
        file.uncachePage(page);
        file.relinquish(false);

        final CountDownLatch secondGate = new CountDownLatch(1);
        backend.onLookup = (object) ->
        {
            if (!object.type().isIndex())
            {
                try
                {
                    assertThat(secondGate.await(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                }
            }
        };
        final Cookie second = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("creating"));
        final CompletableFuture<Void> relinquish = CompletableFuture.runAsync(() -> second.relinquish(true));
        Await.until(() -> stat(StatCounter.RELINQUISHES_WAIT_CREATE) == 1, "relinquish to wait for creation");
        assertThat(relinquish).isNotDone();
        secondGate.countDown();
        relinquish.get(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void optionalOperationsDefaultToNotSupported()
    {
        backend.optionalOperations = false;
        final Cookie file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("plain"));
        assertThat(file.pin()).isEqualTo(Result.NOT_SUPPORTED);
        assertThat(file.reserveSpace(4096)).isEqualTo(Result.NOT_SUPPORTED);
        file.unpin();
        assertThat(backend.calls()).contains("pinObject", "reserveSpace", "unpinObject");
        file.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void specialTypesBehaveAsDataFiles() throws InterruptedException
    {
        final CookieDefinition<TestFile> xattr = new CookieDefinition<>()
        {
            public String name()
            {
                return "xattr";
            }

            public CookieType type()
            {
                return CookieType.of(42);
            }

            public byte[] key(final TestFile file)
            {
                return TestFile.DATA.key(file);
            }
        };
        final Cookie file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("owner"));
        final Cookie special = file.acquire(xattr, new TestFile("user.comment"));
        final CachePage page = page(0);
        assertThat(special.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        Pages.fill(page, 99);
        assertThat(special.writePage(page)).isEqualTo(Result.OK);
        special.uncacheAllPages();
        final CachePage again = page(0);
        assertThat(special.readOrAllocPage(again, recorder, null)).isEqualTo(Result.OK);
        assertThat(recorder.await(again)).isEqualTo(Result.OK);
        assertThat(Pages.seedOf(again)).isEqualTo(99);
        special.uncachePage(again);
        assertThat(CookieType.of(42)).hasToString("TYPE_42");
        assertThat(stat(StatCounter.COOKIES_SPECIAL)).isEqualTo(1);
        special.relinquish(false);
        file.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }
}
