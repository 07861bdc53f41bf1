package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.testing.FaultInjectingDevice;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The N-th read, write or flush of the device fails under a netfs workload: the cache reports the I/O error and
 * stops serving (the netfs gets NO_BUFS and carries on), no call throws into the netfs, every read that was
 * dispatched completes exactly once, withdrawal finishes within its bound, and a remount finds the last commit
 * intact.
 */
class IoFaultTest
{
    private static final int BASELINE_PAGES = 16;

    @TempDir
    Path dir;

    private static final CookieDefinition<String> INDEX = Definitions.INDEX;
    private static final CookieDefinition<String> FILE = Definitions.file(1 << 20);

    private static void fill(final ByteBuffer buffer, final long page, final int version)
    {
        for (int i = 0; i < 4096; i += 8)
        {
            buffer.putLong(i, page * 1_000_003L + version * 31L + i);
        }
    }

    private static final class Completions implements ReadCompletion<Object>
    {
        final AtomicInteger ok = new AtomicInteger();
        final AtomicInteger failed = new AtomicInteger();

        @Override
        public void readComplete(final CachePage page, final Object context, final Result result)
        {
            (result == Result.OK ? ok : failed).incrementAndGet();
        }
    }

    @ParameterizedTest(name = "{0} #{1} fails")
    @CsvSource({ "read, 1", "read, 5", "write, 1", "write, 3", "write, 7", "flush, 1", "flush, 2" })
    void theCacheIsWithdrawnTheNetfsCarriesOnAndTheLastCommitSurvives(final String kind, final int nth)
        throws Exception
    {
        final Path image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(16L << 20), null);
        final long dataStart = RegionLayout.of(4096, (16L << 20) / 4096).dataStart() * 4096;
        final FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image));
        final CacheFsBackend backend = CacheFs.mount(device, MountOptions.defaults().withCommitIntervalSeconds(0));
        final FsCache fsCache = FsCache.create(FsCacheOptions.builder().jmx(false)
            .withdrawTimeout(Duration.ofSeconds(20)).errorHandler(t -> { }).build());
        final Completions completions = new Completions();
        int dispatched = 0;
        try
        {
            fsCache.addCache(backend, "faults");
            final Cookie volume = fsCache.registerNetfs("faultfs", 1).primaryIndex().acquire(INDEX, "volume");
            final Cookie file = volume.acquire(FILE, "file");
            assertThat(file.attrChanged()).isEqualTo(Result.OK);
            final ByteBuffer expected = AlignedBuffers.allocate(4096);
            for (int p = 0; p < BASELINE_PAGES; p++)
            {
                final CachePage page = new CachePage(p, AlignedBuffers.allocate(4096));
                assertThat(file.readOrAllocPage(page, completions, null)).isEqualTo(Result.NO_DATA);
                fill(page.buffer(), p, 1);
                assertThat(file.writePage(page)).isEqualTo(Result.OK);
                assertThat(file.waitOnPageWrite(page, 20, TimeUnit.SECONDS)).isTrue();
                file.uncachePage(page);
            }
            backend.commit();

            device.faultsFrom(dataStart);
            switch (kind)
            {
                case "read" -> device.failRead(nth);
                case "write" -> device.failWrite(nth);
                default -> device.failFlush(nth);
            }
            int noBufs = 0;
            // Every round reads what is cached and adds 16 or 32 new pages, so that each round writes data (full
            // runs of 32 pages go to the device from the writer thread) and page-map and index nodes.
            for (int round = 0; round < 4; round++)
            {
                for (int p = 0; p < (2 + 2 * round) * BASELINE_PAGES; p++)
                {
                    final CachePage page = new CachePage(p, AlignedBuffers.allocate(4096));
                    final Result result = file.readOrAllocPage(page, completions, null);
                    if (result == Result.OK)
                    {
                        dispatched++;
                    }
                    else if (result == Result.NO_DATA)
                    {
                        fill(page.buffer(), p, 2 + round);
                        file.writePage(page);
                        file.waitOnPageWrite(page, 20, TimeUnit.SECONDS);
                    }
                    else
                    {
                        assertThat(result).isEqualTo(Result.NO_BUFS);
                        noBufs++;
                    }
                    if (page.isFsCache())
                    {
                        file.uncachePage(page);
                    }
                }
                // What the backend's periodic commit would do.
                backend.sync();
            }
            assertThat(fsCache.awaitIdle(20, TimeUnit.SECONDS)).isTrue();
            assertThat(noBufs).as("NO_BUFS once the cache is in error").isGreaterThan(0);
            final CachePage after = new CachePage(0, AlignedBuffers.allocate(4096));
            assertThat(file.readOrAllocPage(after, completions, null)).isEqualTo(Result.NO_BUFS);
            assertThat(completions.ok.get() + completions.failed.get()).as("one completion per dispatched read")
                .isEqualTo(dispatched);
            file.relinquish(false);
            volume.relinquish(false);
            fsCache.withdrawCache("faults");
        }
        finally
        {
            fsCache.close();
            backend.close();
        }

        try (CacheFsBackend again = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)))
        {
            assertThat(again.wasClean()).isFalse();
            final CacheStore store = again.store();
            final ObjectRecord volume = store.lookup(CacheFsObject.MASTER_INDEX_ID, "faultfs".getBytes());
            assertThat(volume).isNotNull();
            store.release(volume);
            final ObjectRecord file = findFile(store);
            final ByteBuffer page = AlignedBuffers.allocate(4096);
            final ByteBuffer expected = AlignedBuffers.allocate(4096);
            for (int p = 0; p < BASELINE_PAGES; p++)
            {
                final int result = store.read(file, p, page.clear());
                if (result == CacheStore.READ_HIT)
                {
                    // A later version may have been committed before the fault; it must be one that was written.
                    boolean matches = false;
                    for (int version = 1; version <= 5 && !matches; version++)
                    {
                        fill(expected, p, version);
                        matches = expected.clear().equals(page.clear());
                    }
                    assertThat(matches).as("page %d is a version that was written", p).isTrue();
                }
                else
                {
                    assertThat(result).as("baseline page %d", p).isEqualTo(CacheStore.READ_HIT);
                }
            }
            store.release(file);
        }
    }

    private static ObjectRecord findFile(final CacheStore store) throws IOException
    {
        final ObjectRecord netfs = store.lookup(CacheFsObject.MASTER_INDEX_ID, "faultfs".getBytes());
        final ObjectRecord volume = store.children(netfs.objectId).get(0);
        final ObjectRecord file = store.lookup(volume.objectId, "file".getBytes());
        store.release(netfs);
        assertThat(file).isNotNull();
        return file;
    }
}
