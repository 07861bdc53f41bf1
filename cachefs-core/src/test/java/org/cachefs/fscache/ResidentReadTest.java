package org.cachefs.fscache;

import java.nio.ByteBuffer;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link Cookie#readResident}: the bytes a backend keeps in memory, copied with no page tracked and no retrieval;
 * only what a read would give, and a clear error for calls that make no sense.
 */
class ResidentReadTest extends FsCacheTestSupport
{
    private MemoryCacheBackend memory;
    private Netfs netfs;
    private TestFile file;
    private Cookie cookie;

    @BeforeEach
    void setUp()
    {
        memory = memory(64, "resident");
        fsCache.addCache(memory, null);
        netfs = fsCache.registerNetfs("resident", 1);
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

    /** The bytes of pages filled with seeds {@code 10 + index}, from {@code position} on. */
    private static byte[] expected(final long position, final int length)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            final long at = position + i;
            final CachePage page = page(at / PAGE_SIZE);
            Pages.fill(page, 10 + at / PAGE_SIZE);
            bytes[i] = page.buffer().get((int)(at % PAGE_SIZE));
        }
        return bytes;
    }

    private static byte[] bytesOf(final ByteBuffer buffer, final int offset, final int length)
    {
        final byte[] bytes = new byte[length];
        buffer.get(offset, bytes);
        return bytes;
    }

    @Test
    void copiesTheRangeUpToTheFirstPageNotHeldWithoutARetrieval()
    {
        for (int p = 0; p < 3; p++)
        {
            store(p, 10 + p);
        }
        awaitIdle();
        final long retrievals = stat(StatCounter.RETRIEVALS);
        final ByteBuffer dst = ByteBuffer.allocate(5 * PAGE_SIZE).position(3);

        assertThat(cookie.readResident(100, dst, 10, 4 * PAGE_SIZE)).isEqualTo(3 * PAGE_SIZE - 100);

        assertThat(bytesOf(dst, 10, 3 * PAGE_SIZE - 100)).isEqualTo(expected(100, 3 * PAGE_SIZE - 100));
        assertThat(bytesOf(dst, 0, 10)).containsOnly(0);
        assertThat(bytesOf(dst, 10 + 3 * PAGE_SIZE - 100, 100)).containsOnly(0);
        assertThat(dst.position()).isEqualTo(3);
        assertThat(dst.limit()).isEqualTo(5 * PAGE_SIZE);
        assertThat(stat(StatCounter.RETRIEVALS)).isEqualTo(retrievals);

        final ByteBuffer within = ByteBuffer.allocateDirect(PAGE_SIZE);
        assertThat(cookie.readResident(PAGE_SIZE + 7, within, 0, 50)).isEqualTo(50);
        assertThat(bytesOf(within, 0, 50)).isEqualTo(expected(PAGE_SIZE + 7, 50));
        assertThat(cookie.readResident(3L * PAGE_SIZE, within, 0, PAGE_SIZE)).isZero();
        assertThat(cookie.readResident(0, within, 0, 0)).isZero();
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void copiesNothingWhileAnAttributeChangeIsQueuedAndNothingPastTheStoreLimitAfterIt() throws Exception
    {
        store(0, 10);
        store(1, 11);
        store(2, 12);
        awaitIdle();
        final ByteBuffer dst = ByteBuffer.allocate(3 * PAGE_SIZE);
        assertThat(cookie.readResident(0, dst, 0, 3 * PAGE_SIZE)).isEqualTo(3 * PAGE_SIZE);

        memory.holdReads();
        final CachePage inFlight = page(0);
        assertThat(cookie.readOrAllocPage(inFlight, recorder, null)).isEqualTo(Result.OK);
        file.size(PAGE_SIZE + 1);
        assertThat(cookie.attrChanged()).isEqualTo(Result.OK);
        assertThat(cookie.readResident(0, dst, 0, 3 * PAGE_SIZE)).isZero();

        assertThat(memory.releaseHeldReads()).isEqualTo(1);
        assertThat(recorder.await(inFlight)).isEqualTo(Result.OK);
        cookie.uncachePage(inFlight);
        awaitIdle();
        assertThat(stat(StatCounter.ATTR_CHANGED_CALLS)).isEqualTo(1);
        assertThat(cookie.readResident(0, dst, 0, 3 * PAGE_SIZE)).isEqualTo(2 * PAGE_SIZE);
        assertThat(cookie.readResident(2L * PAGE_SIZE, dst, 0, PAGE_SIZE)).isZero();
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void copiesNothingOnceTheCacheIsWithdrawnNorThroughANoopCookie()
    {
        store(0, 10);
        awaitIdle();
        final ByteBuffer dst = ByteBuffer.allocate(PAGE_SIZE);
        assertThat(cookie.readResident(0, dst, 0, PAGE_SIZE)).isEqualTo(PAGE_SIZE);

        final Netfs other = fsCache.registerNetfs("other", 1);
        final CacheTag unbound = fsCache.lookupCacheTag("unbound");
        final Cookie index = other.primaryIndex().acquire(TestFile.INDEX, new TestFile("idx").selectTag(unbound));
        final Cookie noop = index.acquire(TestFile.DATA, new TestFile("file"));
        assertThat(noop.isNoop()).isTrue();
        assertThat(noop.readResident(0, dst, 0, PAGE_SIZE)).isZero();
        noop.relinquish(false);
        index.relinquish(false);
        fsCache.releaseCacheTag(unbound);
        fsCache.unregisterNetfs(other);

        fsCache.withdrawCache("resident");
        assertThat(cookie.readResident(0, dst, 0, PAGE_SIZE)).isZero();
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void badArgumentsIndexCookiesAndRelinquishedCookiesAreRefused()
    {
        final ByteBuffer dst = ByteBuffer.allocate(PAGE_SIZE);
        assertThatThrownBy(() -> cookie.readResident(-1, dst, 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("position must be >= 0: -1");
        assertThatThrownBy(() -> cookie.readResident(0, null, 0, 1))
            .isInstanceOf(IllegalArgumentException.class).hasMessage("buffer must not be null");
        assertThatThrownBy(() -> cookie.readResident(0, dst, PAGE_SIZE - 1, 2))
            .isInstanceOf(IndexOutOfBoundsException.class)
            .hasMessage("Range [4095, 4095 + 2) out of bounds for length 4096");
        assertThatThrownBy(() -> cookie.readResident(0, dst.limit(100), 99, 2))
            .isInstanceOf(IndexOutOfBoundsException.class)
            .hasMessage("Range [99, 99 + 2) out of bounds for length 100");
        assertThatThrownBy(() -> netfs.primaryIndex().readResident(0, dst, 0, 1))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("readResident is for data cookies only: cookie 'FSDEF.netfs' is an index");

        cookie.relinquish(false);
        assertThatThrownBy(() -> cookie.readResident(0, dst, 0, 1))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("readResident on relinquished cookie 'test.file'");
        fsCache.unregisterNetfs(netfs);
    }
}
