package org.cachefs.readthrough;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;

import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Many threads read random ranges of files of odd lengths through one cache while files change version at the
 * origin and are invalidated: every byte read must be the byte of the version the handle was opened at. On an image
 * that holds every file, and on one too small for them (writes refused, files culled).
 * <p>
 * Operations per run: {@code -Dcachefs.readthrough.ops} (default 4,000); seed: {@code -Dcachefs.readthrough.seed}.
 */
@Timeout(300)
class ReadThroughConcurrencyTest
{
    private static final long OPS = Long.getLong("cachefs.readthrough.ops", 4_000);
    private static final long SEED = Long.getLong("cachefs.readthrough.seed", System.nanoTime());
    private static final int[] LENGTHS = {1, 4095, 4097, 65_537, 1 << 20, (1 << 20) + 1, 3_000_017, 123_457};

    @TempDir
    Path dir;

    @ParameterizedTest(name = "threads={0} image={1} MiB changes={2}")
    @CsvSource({"8, 64, true", "16, 4, true", "8, 64, false"})
    void concurrentReadersSeeOnlyTheBytesOfTheirVersion(final int threads, final int imageMiB, final boolean changes)
        throws Exception
    {
        final long seed = SEED + threads;
        final TestOrigin origin = new TestOrigin();
        final String[] paths = new String[LENGTHS.length];
        final AtomicInteger[] versions = new AtomicInteger[LENGTHS.length];
        for (int i = 0; i < LENGTHS.length; i++)
        {
            paths[i] = "/model/file-" + i;
            versions[i] = new AtomicInteger(1);
            origin.put(paths[i], LENGTHS[i], "v1");
        }
        final AtomicLong checkedBytes = new AtomicLong();
        final AtomicLong reads = new AtomicLong();
        final List<Throwable> failures = new CopyOnWriteArrayList<>();
        try (ReadThroughCache cache = ReadThroughCache.open(origin, ReadThroughOptions.builder()
            .image(dir.resolve("c.img"), (long)imageMiB << 20).chunkSize(256 << 10).maxIdleFiles(2).jmx(false)
            .build()))
        {
            final List<Thread> workers = new ArrayList<>();
            for (int t = 0; t < threads; t++)
            {
                final SplittableRandom random = new SplittableRandom(seed * 7919 + t);
                final Thread worker = new Thread(() ->
                {
                    try
                    {
                        CachedFile file = null;
                        int fileIndex = -1;
                        for (long op = 0; op < OPS / threads && failures.isEmpty(); op++)
                        {
                            final int dice = changes ? random.nextInt(100) : 3 + random.nextInt(97);
                            if (dice < 2)
                            {
                                // A new version at the origin; handles open on the old one keep reading it.
                                final int changed = random.nextInt(paths.length);
                                origin.put(paths[changed], LENGTHS[changed],
                                    "v" + versions[changed].incrementAndGet());
                                continue;
                            }
                            if (dice < 3)
                            {
                                cache.invalidate(paths[random.nextInt(paths.length)]);
                                continue;
                            }
                            if (null == file || dice < 10)
                            {
                                if (null != file)
                                {
                                    file.close();
                                }
                                fileIndex = random.nextInt(paths.length);
                                file = cache.open(paths[fileIndex]);
                            }
                            final long length = file.length();
                            final long position = random.nextLong(length);
                            final int size = (int)Math.min(length - position, 1 + random.nextInt(
                                random.nextBoolean() ? 9000 : 600_000));
                            final ByteBuffer buffer = random.nextBoolean() ? ByteBuffer.allocate(size) :
                                ByteBuffer.allocateDirect(size);
                            file.readFully(position, buffer);
                            final byte[] got = new byte[size];
                            buffer.flip().get(got);
                            final byte[] expected = Arrays.copyOfRange(
                                origin.bytes(paths[fileIndex], file.version().tag()), (int)position,
                                (int)position + size);
                            if (!Arrays.equals(got, expected))
                            {
                                throw new AssertionError("wrong bytes: " + paths[fileIndex] + " " + file.version() +
                                    " [" + position + ", " + (position + size) + ")");
                            }
                            checkedBytes.addAndGet(size);
                            reads.incrementAndGet();
                        }
                        if (null != file)
                        {
                            file.close();
                        }
                    }
                    catch (final Throwable ex)
                    {
                        failures.add(ex);
                    }
                }, "reader-" + t);
                workers.add(worker);
                worker.start();
            }
            for (final Thread worker : workers)
            {
                worker.join(TimeUnit.MINUTES.toMillis(4));
                assertThat(worker.isAlive()).as("%s finished", worker.getName()).isFalse();
            }
            if (!failures.isEmpty())
            {
                throw new AssertionError("seed " + seed + " (-Dcachefs.readthrough.seed=" + SEED + "): " +
                    failures.get(0), failures.get(0));
            }
            final ReadThroughStats stats = cache.stats();
            System.out.printf("read-through model threads=%d image=%d MiB seed=%d: %d reads, %d bytes checked, " +
                "0 wrong; %s%n", threads, imageMiB, seed, reads.get(), checkedBytes.get(), stats);
            assertThat(stats.cacheHitBytes()).isPositive();
            if (!changes)
            {
                // Files opened, closed, evicted and opened again by many threads: the cache takes part every time.
                assertThat(stats.fallbacks()).isZero();
                assertThat(stats.refusedPages()).isZero();
            }
            assertThat(stats.reads()).isEqualTo(reads.get());
            assertThat(stats.bytesRead()).isEqualTo(checkedBytes.get());
            assertThat(stats.cacheHitBytes() + stats.cacheMissBytes() + stats.fallbackBytes())
                .isGreaterThanOrEqualTo(checkedBytes.get());
        }
    }
}
