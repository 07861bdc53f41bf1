package org.cachefs.fscache;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CacheSelectionTest extends FsCacheTestSupport
{
    @Test
    void firstAddedCacheIsTheDefault()
    {
        final MemoryCacheBackend first = memory(16, "first");
        final MemoryCacheBackend second = memory(16, "second");
        fsCache.addCache(first, null);
        fsCache.addCache(second, null);
        final Netfs netfs = fsCache.registerNetfs("default", 1);
        final Cookie file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("file"));
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(first.objectCount()).isEqualTo(2);
        assertThat(second.objectCount()).isZero();
        file.uncachePage(page);
        file.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void selectCachePicksTheTaggedCacheForTheIndexSubtree()
    {
        final MemoryCacheBackend first = memory(16, "first");
        final MemoryCacheBackend second = memory(16, "second");
        fsCache.addCache(first, "hdd");
        fsCache.addCache(second, "ssd");
        final CacheTag ssd = fsCache.lookupCacheTag("ssd");
        assertThat(ssd.isBound()).isTrue();

        final Netfs netfs = fsCache.registerNetfs("tagged", 1);
        final Cookie fast = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("fast").selectTag(ssd));
        final Cookie slow = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("slow"));
        final Cookie a = fast.acquire(TestFile.DATA, new TestFile("a"));
        final Cookie b = slow.acquire(TestFile.DATA, new TestFile("b"));
        final CachePage pa = page(0);
        final CachePage pb = page(0);
        assertThat(a.readOrAllocPage(pa, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(b.readOrAllocPage(pb, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(second.objectCount()).isEqualTo(3);
        assertThat(first.objectCount()).isEqualTo(3);
        assertThat(second.usedPages()).isEqualTo(1);
        assertThat(first.usedPages()).isEqualTo(1);

        a.uncachePage(pa);
        b.uncachePage(pb);
        a.relinquish(false);
        b.relinquish(false);
        fast.relinquish(false);
        slow.relinquish(false);
        fsCache.unregisterNetfs(netfs);
        fsCache.releaseCacheTag(ssd);
    }

    @Test
    void unknownTagInhibitsCachingUntilACacheWithThatTagIsAdded()
    {
        fsCache.addCache(memory(16, "other"), "other");
        final CacheTag later = fsCache.lookupCacheTag("later");
        assertThat(later.isBound()).isFalse();
        assertThat(later.name()).isEqualTo("later");

        final Netfs netfs = fsCache.registerNetfs("waiting", 1);
        final Cookie index = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("idx").selectTag(later));
        final Cookie early = index.acquire(TestFile.DATA, new TestFile("early"));
        assertThat(early.isNoop()).isTrue();
        assertThat(stat(StatCounter.ACQUIRES_NO_CACHE)).isEqualTo(1);
        assertThat(stat(StatCounter.ACQUIRES_NO_BUFS)).isEqualTo(1);

        final MemoryCacheBackend laterBackend = memory(16, "later-backend");
        fsCache.addCache(laterBackend, "later");
        assertThat(later.isBound()).isTrue();
        final Cookie file = index.acquire(TestFile.DATA, new TestFile("file"));
        assertThat(file.isNoop()).isFalse();
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        assertThat(laterBackend.objectCount()).isEqualTo(3);

        file.uncachePage(page);
        file.relinquish(false);
        index.relinquish(false);
        fsCache.unregisterNetfs(netfs);
        fsCache.releaseCacheTag(later);
    }

    @Test
    void noCacheTagInhibitsCaching()
    {
        fsCache.addCache(memory(16, "any"), null);
        assertThat(fsCache.lookupCacheTag(null)).isSameAs(CacheTag.NO_CACHE);
        assertThat(fsCache.lookupCacheTag("")).isSameAs(CacheTag.NO_CACHE);
        final Netfs netfs = fsCache.registerNetfs("nocache", 1);
        final Cookie index = netfs.primaryIndex().acquire(TestFile.INDEX,
            new TestFile("idx").selectTag(CacheTag.NO_CACHE));
        assertThat(index.acquire(TestFile.DATA, new TestFile("file")).isNoop()).isTrue();
        index.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void tagInUseAndPageSizeMismatchAreRefused()
    {
        final MemoryCacheBackend first = memory(16, "first");
        fsCache.addCache(first, "cache");
        assertThatThrownBy(() -> fsCache.addCache(memory(16, "second"), "cache"))
            .isInstanceOf(CacheTagInUseException.class)
            .hasMessage("cache tag 'cache' is already in use by cache 'first'");
        assertThatThrownBy(() -> fsCache.addCache(first, "another"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("cache backend 'first' is already added");
        assertThatThrownBy(() -> fsCache.addCache(
            MemoryCacheBackend.builder().pageSize(8192).identifier("big").build(), "big"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("cache backend 'big' page size 8192 does not match the FS-Cache page size 4096");
        assertThatThrownBy(() -> fsCache.withdrawCache("missing"))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("no cache is added with tag 'missing'");

        fsCache.withdrawCache(first);
        final MemoryCacheBackend replacement = memory(16, "replacement");
        fsCache.addCache(replacement, "cache");
        fsCache.withdrawCache("cache");
        fsCache.addCache(first, "cache");
    }

    @Test
    void withdrawnCacheKeepsItsObjectsForTheNextAddition() throws InterruptedException
    {
        final MemoryCacheBackend backend = memory(16, "persistent");
        fsCache.addCache(backend, null);
        Netfs netfs = fsCache.registerNetfs("remount", 1);
        Cookie file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("file"));
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        Pages.fill(page, 4242);
        assertThat(file.writePage(page)).isEqualTo(Result.OK);
        file.uncacheAllPages();
        file.relinquish(false);
        fsCache.unregisterNetfs(netfs);

        fsCache.withdrawCache(backend);
        fsCache.addCache(backend, null);

        netfs = fsCache.registerNetfs("remount", 1);
        file = netfs.primaryIndex().acquire(TestFile.DATA, new TestFile("file"));
        final CachePage again = page(0);
        assertThat(file.readOrAllocPage(again, recorder, null)).isEqualTo(Result.OK);
        assertThat(recorder.await(again)).isEqualTo(Result.OK);
        assertThat(Pages.seedOf(again)).isEqualTo(4242);
        file.uncachePage(again);
        file.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    @Test
    void retiringAnIndexInstantiatedInTwoCachesRemovesItFromBoth() throws InterruptedException
    {
        final MemoryCacheBackend first = memory(16, "first");
        final MemoryCacheBackend second = memory(16, "second");
        fsCache.addCache(first, "a");
        fsCache.addCache(second, "b");
        final CacheTag a = fsCache.lookupCacheTag("a");
        final CacheTag b = fsCache.lookupCacheTag("b");
        final Netfs netfs = fsCache.registerNetfs("both", 1);

        Cookie top = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("top"));
        for (final CacheTag tag : new CacheTag[] {a, b})
        {
            final Cookie sub = top.acquire(TestFile.INDEX, new TestFile("sub-" + tag.name()).selectTag(tag));
            final Cookie file = sub.acquire(TestFile.DATA, new TestFile("file"));
            final CachePage page = page(0);
            assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
            Pages.fill(page, 5);
            assertThat(file.writePage(page)).isEqualTo(Result.OK);
            file.uncacheAllPages();
            file.relinquish(false);
            sub.relinquish(false);
        }
        assertThat(first.objectCount()).isEqualTo(4);
        assertThat(second.objectCount()).isEqualTo(4);
        top.relinquish(true);
        awaitIdle();
        assertThat(first.objectCount()).isEqualTo(1);
        assertThat(second.objectCount()).isEqualTo(1);
        assertThat(first.storedPages()).isZero();
        assertThat(second.storedPages()).isZero();

        top = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("top"));
        final Cookie sub = top.acquire(TestFile.INDEX, new TestFile("sub-a").selectTag(a));
        final Cookie file = sub.acquire(TestFile.DATA, new TestFile("file"));
        final CachePage page = page(0);
        assertThat(file.readOrAllocPage(page, recorder, null)).isEqualTo(Result.NO_DATA);
        file.uncachePage(page);
        file.relinquish(false);
        sub.relinquish(false);
        top.relinquish(false);
        fsCache.unregisterNetfs(netfs);
        fsCache.releaseCacheTag(a);
        fsCache.releaseCacheTag(b);
    }
}
