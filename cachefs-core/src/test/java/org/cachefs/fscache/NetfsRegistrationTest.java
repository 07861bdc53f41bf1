package org.cachefs.fscache;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.Test;

import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class NetfsRegistrationTest extends FsCacheTestSupport
{
    @Test
    void registersAndExposesThePrimaryIndex()
    {
        final Netfs netfs = fsCache.registerNetfs("afs", 3);
        assertThat(netfs.name()).isEqualTo("afs");
        assertThat(netfs.version()).isEqualTo(3);
        assertThat(netfs.primaryIndex().isNoop()).isFalse();
        assertThat(netfs).hasToString("Netfs{name=afs, version=3}");
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void duplicateRegistrationIsAnError()
    {
        final Netfs netfs = fsCache.registerNetfs("nfs", 1);
        assertThatThrownBy(() -> fsCache.registerNetfs("nfs", 2))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("netfs 'nfs' is already registered");
        fsCache.unregisterNetfs(netfs);
        fsCache.unregisterNetfs(fsCache.registerNetfs("nfs", 2));
    }

    @Test
    void badNamesAreRejected()
    {
        assertThatThrownBy(() -> fsCache.registerNetfs("", 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("netfs name must not be null or empty");
        assertThatThrownBy(() -> fsCache.registerNetfs("n".repeat(397), 1))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cookie '" + "n".repeat(397) + "': key (397 bytes) + aux (4 bytes) = 401 bytes exceeds " +
                "the limit of 400 bytes");
    }

    @Test
    void unregisterWithLiveCookiesIsAnErrorAndUnknownNetfsToo()
    {
        final Netfs netfs = fsCache.registerNetfs("cifs", 1);
        final Cookie index = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("share"));
        assertThatThrownBy(() -> fsCache.unregisterNetfs(netfs))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cannot relinquish cookie 'FSDEF.netfs': 1 child cookie(s) still acquired; " +
                "relinquish them first");
        index.relinquish(false);
        fsCache.unregisterNetfs(netfs);
        assertThatThrownBy(() -> fsCache.unregisterNetfs(netfs))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("netfs Netfs{name=cifs, version=1} is not registered");
    }

    @Test
    void sameVersionKeepsTheHierarchyAndAnotherVersionScrapsItInEveryCache() throws InterruptedException
    {
        final MemoryCacheBackend first = memory(64, "first");
        final MemoryCacheBackend second = memory(64, "second");
        fsCache.addCache(first, "first");
        fsCache.addCache(second, "second");

        final CacheTag firstTag = fsCache.lookupCacheTag("first");
        final CacheTag secondTag = fsCache.lookupCacheTag("second");
        storeUnder(1, firstTag, 11);
        storeUnder(1, secondTag, 12);
        assertThat(first.storedPages()).isEqualTo(1);
        assertThat(second.storedPages()).isEqualTo(1);

        assertThat(loadUnder(1, firstTag)).isEqualTo(11);
        assertThat(loadUnder(1, secondTag)).isEqualTo(12);
        assertThat(stat(StatCounter.CHECKAUX_OBSOLETE)).isZero();

        assertThat(loadUnder(2, firstTag)).isEqualTo(-1);
        assertThat(loadUnder(2, secondTag)).isEqualTo(-1);
        assertThat(first.storedPages()).isZero();
        assertThat(second.storedPages()).isZero();
        assertThat(stat(StatCounter.CHECKAUX_OBSOLETE)).isEqualTo(2);

        fsCache.releaseCacheTag(firstTag);
        fsCache.releaseCacheTag(secondTag);
    }

    private void storeUnder(final int version, final CacheTag tag, final long seed)
    {
        final Netfs netfs = fsCache.registerNetfs("versioned", version);
        final Cookie volume = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("vol-" + tag.name())
            .selectTag(tag));
        final Cookie file = volume.acquire(TestFile.DATA, new TestFile("file"));
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        Pages.fill(page, seed);
        assertThat(file.writePage(page)).isEqualTo(Result.OK);
        file.uncacheAllPages();
        file.relinquish(false);
        volume.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    private long loadUnder(final int version, final CacheTag tag) throws InterruptedException
    {
        final Netfs netfs = fsCache.registerNetfs("versioned", version);
        final Cookie volume = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("vol-" + tag.name())
            .selectTag(tag));
        final Cookie file = volume.acquire(TestFile.DATA, new TestFile("file"));
        final CachePage page = page(0);
        final Result result = file.readOrAllocPage(page, recorder, null);
        long seed = -1;
        if (result == Result.OK)
        {
            assertThat(recorder.await(page)).isEqualTo(Result.OK);
            seed = Pages.seedOf(page);
        }
        else
        {
            assertThat(result).isEqualTo(Result.NO_DATA);
        }
        file.uncachePage(page);
        file.relinquish(false);
        volume.relinquish(false);
        fsCache.unregisterNetfs(netfs);
        assertThat(fsCache.awaitIdle(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
        return seed;
    }
}
