package org.cachefs.fscache;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FsCacheStatsTest extends FsCacheTestSupport
{
    @Test
    void freshStatisticsAreAllZeroInTheProcLayout()
    {
        assertThat(fsCache.stats().toProcText()).isEqualTo(
            "FS-Cache statistics\n" +
            "Cookies: idx=0 dat=0 spc=0\n" +
            "Objects: alc=0 nal=0 avl=0 ded=0\n" +
            "ChkAux : non=0 ok=0 upd=0 obs=0\n" +
            "Pages  : mrk=0 unc=0\n" +
            "Acquire: n=0 nul=0 noc=0 ok=0 nbf=0 oom=0 dup=0\n" +
            "Lookups: n=0 neg=0 pos=0 crt=0\n" +
            "Updates: n=0 nul=0 run=0\n" +
            "Relinqs: n=0 nul=0 wcr=0\n" +
            "AttrChg: n=0 ok=0 nbf=0 oom=0 run=0\n" +
            "Allocs : n=0 ok=0 wt=0 nbf=0\n" +
            "Allocs : ops=0 owt=0\n" +
            "Retrvls: n=0 ok=0 wt=0 nod=0 nbf=0 int=0 oom=0\n" +
            "Retrvls: ops=0 owt=0\n" +
            "Stores : n=0 ok=0 agn=0 nbf=0 oom=0\n" +
            "Stores : ops=0 run=0\n" +
            "Ops    : pend=0 run=0 enq=0\n");
    }

    @Test
    void countersAfterAKnownSequence() throws InterruptedException
    {
        fsCache.addCache(memory(64, "stats"), null);
        final Netfs netfs = fsCache.registerNetfs("statsfs", 1);
        final Cookie volume = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("volume"));
        final Cookie file = volume.acquire(TestFile.DATA, new TestFile("file"));
        awaitIdle();

        final CachePage first = page(0);
        assertThat(file.readOrAllocPage(first, recorder, null)).isEqualTo(Result.NO_DATA);
        Pages.fill(first, 1);
        assertThat(file.writePage(first)).isEqualTo(Result.OK);
        file.waitOnPageWrite(first);
        file.uncachePage(first);

        final CachePage second = page(0);
        assertThat(file.readOrAllocPage(second, recorder, null)).isEqualTo(Result.OK);
        assertThat(recorder.await(second)).isEqualTo(Result.OK);
        file.uncachePage(second);

        file.relinquish(false);
        volume.relinquish(false);
        fsCache.unregisterNetfs(netfs);
        awaitIdle();

        final FsCacheStats stats = fsCache.stats();
        assertThat(stats.get(StatCounter.RETRIEVALS_NO_DATA)).isEqualTo(1);
        assertThat(stats.toProcText()).isEqualTo(
            "FS-Cache statistics\n" +
            "Cookies: idx=1 dat=1 spc=0\n" +
            "Objects: alc=3 nal=0 avl=3 ded=3\n" +
            "ChkAux : non=0 ok=0 upd=0 obs=0\n" +
            "Pages  : mrk=2 unc=2\n" +
            "Acquire: n=2 nul=0 noc=0 ok=2 nbf=0 oom=0 dup=0\n" +
            "Lookups: n=3 neg=3 pos=0 crt=3\n" +
            "Updates: n=0 nul=0 run=0\n" +
            "Relinqs: n=3 nul=0 wcr=0\n" +
            "AttrChg: n=0 ok=0 nbf=0 oom=0 run=0\n" +
            "Allocs : n=0 ok=0 wt=0 nbf=0\n" +
            "Allocs : ops=0 owt=0\n" +
            "Retrvls: n=2 ok=1 wt=0 nod=1 nbf=0 int=0 oom=0\n" +
            "Retrvls: ops=2 owt=0\n" +
            "Stores : n=1 ok=1 agn=0 nbf=0 oom=0\n" +
            "Stores : ops=1 run=1\n" +
            "Ops    : pend=0 run=3 enq=1\n");
        assertThat(stats).hasToString(stats.toProcText());
    }

    @Test
    void counterLabelsMatchTheKernelLines()
    {
        assertThat(StatCounter.RETRIEVALS_NO_DATA.lineLabel()).isEqualTo("Retrvls");
        assertThat(StatCounter.RETRIEVALS_NO_DATA.label()).isEqualTo("nod");
        assertThat(StatCounter.ALLOC_OP_WAITS.lineLabel()).isEqualTo("Allocs");
        assertThat(StatCounter.ALLOC_OP_WAITS.label()).isEqualTo("owt");
        assertThat(StatCounter.OPS_ENQUEUED.lineLabel()).isEqualTo("Ops");
        assertThat(StatCounter.values()).hasSize(60);
    }

    @Test
    void aSnapshotOfGivenValuesCopiesThemAndNeedsOnePerCounter()
    {
        final long[] values = new long[60];
        values[StatCounter.RETRIEVALS_NO_DATA.ordinal()] = 7;
        values[StatCounter.OPS_ENQUEUED.ordinal()] = 9;
        final FsCacheStats stats = FsCacheStats.of(values);
        values[StatCounter.RETRIEVALS_NO_DATA.ordinal()] = 8;

        assertThat(stats.get(StatCounter.RETRIEVALS_NO_DATA)).isEqualTo(7);
        assertThat(stats.get(StatCounter.OPS_ENQUEUED)).isEqualTo(9);
        assertThat(stats.get(StatCounter.COOKIES_INDEX)).isZero();
        assertThat(stats.toProcText()).contains("Retrvls: n=0 ok=0 wt=0 nod=7 nbf=0 int=0 oom=0\n")
            .endsWith("Ops    : pend=0 run=0 enq=9\n");
        assertThatThrownBy(() -> FsCacheStats.of(new long[59]))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("statistics need 60 values, one per StatCounter, not 59");
    }
}
