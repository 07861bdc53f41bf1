package org.cachefs.fscache;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CookieTest extends FsCacheTestSupport
{
    private static final CookieDefinition<byte[]> RAW_DATA = new CookieDefinition<>()
    {
        public String name()
        {
            return "raw";
        }

        public CookieType type()
        {
            return CookieType.DATAFILE;
        }

        public byte[] key(final byte[] key)
        {
            return key;
        }

        public byte[] aux(final byte[] key)
        {
            return new byte[8];
        }
    };

    @Test
    void indicesAreInstantiatedOnlyWhenANonIndexObjectNeedsThem()
    {
        final MemoryCacheBackend backend = memory(64, "lazy");
        fsCache.addCache(backend, null);
        final Netfs netfs = fsCache.registerNetfs("lazyfs", 1);
        final Cookie cell = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("cell"));
        final Cookie volume = cell.acquire(TestFile.INDEX, new TestFile("volume"));
        awaitIdle();
        assertThat(stat(StatCounter.OBJECTS_ALLOC)).isZero();
        assertThat(stat(StatCounter.LOOKUPS)).isZero();
        assertThat(backend.objectCount()).isZero();
        assertThat(stat(StatCounter.COOKIES_INDEX)).isEqualTo(2);

        final Cookie file = volume.acquire(TestFile.DATA, new TestFile("file"));
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        awaitIdle();
        assertThat(stat(StatCounter.OBJECTS_ALLOC)).isEqualTo(4);
        assertThat(stat(StatCounter.OBJECTS_AVAILABLE)).isEqualTo(4);
        assertThat(stat(StatCounter.LOOKUPS_CREATED)).isEqualTo(4);
        assertThat(backend.objectCount()).isEqualTo(4);

        final Cookie sibling = volume.acquire(TestFile.DATA, new TestFile("sibling"));
        final CachePage other = page(0);
        assertThat(sibling.readOrAllocPage(other, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(stat(StatCounter.OBJECTS_ALLOC)).isEqualTo(5);
        assertThat(backend.objectCount()).isEqualTo(5);

        file.uncachePage(page);
        sibling.uncachePage(other);
        file.relinquish(false);
        sibling.relinquish(false);
        volume.relinquish(false);
        cell.relinquish(false);
        fsCache.unregisterNetfs(netfs);
        awaitIdle();
        assertThat(stat(StatCounter.OBJECTS_DEAD)).isEqualTo(5);
        assertThat(backend.objectCount()).isEqualTo(5);
    }

    @Test
    void cookieWithoutAnyCacheIsUnbackedButReal()
    {
        final Netfs netfs = fsCache.registerNetfs("nocache", 1);
        final Cookie file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("file"));
        assertThat(file.isNoop()).isFalse();
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(file.allocPage(page)).isEqualTo(Result.NO_BUFS);
        assertThat(file.writePage(page)).isEqualTo(Result.NO_BUFS);
        assertThat(file.attrChanged()).isEqualTo(Result.NO_BUFS);
        assertThat(file.pin()).isEqualTo(Result.NO_BUFS);
        assertThat(file.reserveSpace(10)).isEqualTo(Result.NO_BUFS);
        assertThat(page.isFsCache()).isFalse();
        assertThat(stat(StatCounter.ACQUIRES_OK)).isEqualTo(1);
        file.relinquish(true);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void noopCookieIsHarmlessEverywhereAndYieldsNoopChildren()
    {
        final Cookie noop = fsCache.noopCookie();
        assertThat(noop.isNoop()).isTrue();
        final Cookie child = noop.acquire(TestFile.INDEX, new TestFile("index"));
        final Cookie grandChild = child.acquire(TestFile.DATA, new TestFile("file"));
        assertThat(child).isSameAs(noop);
        assertThat(grandChild.isNoop()).isTrue();

        final CachePage page = page(1);
        assertThat(grandChild.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_BUFS);
        assertThat(grandChild.readOrAllocPages(new ArrayList<>(List.of(page)), recorder, null))
            .isEqualTo(Result.NO_BUFS);
        assertThat(grandChild.allocPage(page)).isEqualTo(Result.NO_BUFS);
        assertThat(grandChild.writePage(page)).isEqualTo(Result.NO_BUFS);
        assertThat(grandChild.attrChanged()).isEqualTo(Result.NO_BUFS);
        assertThat(grandChild.pin()).isEqualTo(Result.NO_BUFS);
        assertThat(grandChild.reserveSpace(4096)).isEqualTo(Result.NO_BUFS);
        assertThat(grandChild.checkPageWrite(page)).isFalse();
        assertThat(grandChild.maybeReleasePage(page)).isTrue();
        grandChild.waitOnPageWrite(page);
        grandChild.uncachePage(page);
        grandChild.uncacheAllPages();
        grandChild.unpin();
        grandChild.update();
        grandChild.relinquish(true);
        grandChild.relinquish(false);
        child.relinquish(false);
        assertThat(recorder.count()).isZero();

        assertThat(stat(StatCounter.ACQUIRES)).isEqualTo(2);
        assertThat(stat(StatCounter.ACQUIRES_NULL)).isEqualTo(2);
        assertThat(stat(StatCounter.UPDATES_NULL)).isEqualTo(1);
        assertThat(stat(StatCounter.RELINQUISHES)).isEqualTo(3);
        assertThat(stat(StatCounter.RELINQUISHES_NULL)).isEqualTo(3);
        assertThat(stat(StatCounter.RETRIEVALS)).isZero();
        assertThatThrownBy(() -> noop.acquire(null, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cookie definition must not be null");
    }

    @Test
    void keyAndAuxLimitIsEnforcedAtAcquisitionNamingBothLengths()
    {
        final Netfs netfs = fsCache.registerNetfs("limits", 1);
        final Cookie index = netfs.primaryIndex();
        assertThatThrownBy(() -> index.acquire(RAW_DATA, new byte[393]))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cookie 'raw': key (393 bytes) + aux (8 bytes) = 401 bytes exceeds the limit of 400 bytes");
        final Cookie atLimit = index.acquire(RAW_DATA, new byte[392]);
        assertThat(atLimit.isNoop()).isFalse();

        final TestFile file = new TestFile("k".repeat(390)).aux("0123456789");
        final Cookie cookie = index.acquire(TestFile.DATA, file);
        file.aux("01234567890");
        assertThatThrownBy(cookie::update)
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cookie 'test.file': key (390 bytes) + aux (11 bytes) = 401 bytes exceeds the limit of " +
                "400 bytes");
        cookie.relinquish(false);
        atLimit.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void programmingErrorsAreReportedClearly()
    {
        final Netfs netfs = fsCache.registerNetfs("errors", 1);
        final Cookie primary = netfs.primaryIndex();

        assertThatThrownBy(() -> primary.acquire(null, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cookie definition must not be null");
        assertThatThrownBy(() -> primary.acquire(new CookieDefinition<String>()
        {
            public String name()
            {
                return "a-name-longer-than-16";
            }

            public CookieType type()
            {
                return CookieType.DATAFILE;
            }

            public byte[] key(final String data)
            {
                return new byte[1];
            }
        }, "x"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cookie definition name 'a-name-longer-than-16' is 21 characters, more than the limit of 16");
        assertThatThrownBy(() -> primary.acquire(RAW_DATA, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cookie 'raw' has a null key");

        final Cookie file = primary.acquire(TestFile.DATA, new TestFile("file"));
        assertThatThrownBy(() -> file.acquire(TestFile.INDEX, new TestFile("index")))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("index cookie 'test.index' cannot be acquired under non-index cookie 'test.file'");
        assertThatThrownBy(() -> primary.readOrAllocPage(page(0), recorder, null))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("readOrAllocPage is for data cookies only: cookie 'FSDEF.netfs' is an index");
        assertThatThrownBy(primary::attrChanged)
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("attrChanged is for data cookies only: cookie 'FSDEF.netfs' is an index");
        assertThatThrownBy(() -> file.readOrAllocPage(new CachePage(0, ByteBuffer.allocate(100)), recorder, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("page 0 buffer capacity 100 does not match the page size 4096");
        assertThatThrownBy(() -> file.readOrAllocPage(page(0), null, null))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("read completion callback must not be null");

        final Cookie special = primary.acquire(new CookieDefinition<String>()
        {
            public CookieType type()
            {
                return CookieType.of(7);
            }

            public byte[] key(final String data)
            {
                return data.getBytes();
            }
        }, "xattr");
        assertThat(stat(StatCounter.COOKIES_SPECIAL)).isEqualTo(1);
        assertThat(special.readOrAllocPage(page(0), recorder, null)).isEqualTo(Result.NO_BUFS);

        assertThatThrownBy(() -> primary.relinquish(false))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cannot relinquish cookie 'FSDEF.netfs': 2 child cookie(s) still acquired; " +
                "relinquish them first");
        special.relinquish(false);
        file.relinquish(false);
        assertThatThrownBy(() -> file.relinquish(false))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cookie 'test.file' was already relinquished");
        assertThatThrownBy(() -> file.readOrAllocPage(page(0), recorder, null))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("readOrAllocPage on relinquished cookie 'test.file'");

        final Cookie index = primary.acquire(TestFile.INDEX, new TestFile("idx"));
        index.relinquish(false);
        assertThatThrownBy(() -> index.acquire(TestFile.DATA, new TestFile("late")))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cannot acquire a cookie under relinquished cookie 'test.index'");
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void relinquishingWithTrackedPagesIsAnError()
    {
        fsCache.addCache(memory(16, "tracked"), null);
        final Netfs netfs = fsCache.registerNetfs("tracked", 1);
        final Cookie file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("file"));
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThatThrownBy(() -> file.relinquish(false))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cannot relinquish cookie 'test.file': 1 page(s) still marked cached; uncache them first");
        file.uncachePage(page);
        file.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void definitionWithoutCheckAuxCountsNone() throws InterruptedException
    {
        fsCache.addCache(memory(16, "none"), null);
        final Netfs netfs = fsCache.registerNetfs("none", 1);
        final Cookie first = netfs.primaryIndex().acquire(RAW_DATA, new byte[] {1});
        final CachePage page = page(0);
        assertThat(first.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        first.uncachePage(page);
        first.relinquish(false);

        final Cookie second = netfs.primaryIndex().acquire(RAW_DATA, new byte[] {1});
        assertThat(second.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(stat(StatCounter.CHECKAUX_NONE)).isEqualTo(1);
        assertThat(stat(StatCounter.LOOKUPS_POSITIVE)).isEqualTo(1);
        second.uncachePage(page);
        second.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }
}
