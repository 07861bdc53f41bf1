package org.cachefs.hadoop;

import java.io.EOFException;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileRange;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.StreamCapabilities;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.ChildJvm;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.readthrough.MountedImage;
import org.cachefs.readthrough.ReadThroughCache;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link CachingFileSystem} over the local file system: reads served from the cache and counted in its statistics,
 * restarts warm, new versions of files, the two validation modes, {@code openFile()} with a status, invalidation by
 * writes, renames and deletes, concurrent positioned reads, shared and locked images.
 */
@Timeout(120)
class CachingFileSystemTest
{
    static final int MIB = 1 << 20;

    @TempDir
    java.nio.file.Path dir;

    java.nio.file.Path images;
    Path data;
    final List<FileSystem> open = new ArrayList<>();
    LocalFileSystem raw;

    @BeforeEach
    void setUp() throws IOException
    {
        images = Files.createDirectories(dir.resolve("images"));
        Files.createDirectories(images.resolve("a"));
        Files.createDirectories(images.resolve("b"));
        data = new Path(dir.resolve("data").toUri());
        raw = new LocalFileSystem();
        raw.initialize(URI.create("file:///"), new Configuration());
        open.add(raw);
    }

    @AfterEach
    void closeAll() throws IOException
    {
        for (int i = open.size() - 1; i >= 0; i--)
        {
            open.get(i).close();
        }
    }

    Configuration conf(final String dirs)
    {
        final Configuration conf = new Configuration();
        conf.set(CacheSettings.DIRS, dirs);
        conf.set(CacheSettings.SIZE, "64m");
        conf.setBoolean(CacheSettings.JMX, false);
        return conf;
    }

    CachingFileSystem fs(final Configuration conf) throws IOException
    {
        final CachingFileSystem fs = new CachingFileSystem(new LocalFileSystem());
        fs.initialize(URI.create("file:///"), conf);
        open.add(fs);
        return fs;
    }

    CachingFileSystem fs() throws IOException
    {
        return fs(conf(images.resolve("a").toString()));
    }

    static byte[] content(final int length, final long seed)
    {
        final byte[] bytes = new byte[length];
        new SplittableRandom(seed).nextBytes(bytes);
        return bytes;
    }

    static Path write(final FileSystem fs, final Path path, final byte[] bytes) throws IOException
    {
        try (FSDataOutputStream out = fs.create(path, true))
        {
            out.write(bytes);
        }
        return path;
    }

    static byte[] readAll(final FileSystem fs, final Path path) throws IOException
    {
        try (FSDataInputStream in = fs.open(path))
        {
            final byte[] bytes = new byte[(int)fs.getFileStatus(path).getLen()];
            in.readFully(bytes);
            assertThat(in.read()).isEqualTo(-1);
            return bytes;
        }
    }

    static long counter(final IOStatisticsSource source, final String name)
    {
        final Long value = source.getIOStatistics().counters().get(name);
        assertThat(value).as(name + " in " + source.getIOStatistics()).isNotNull();
        return value;
    }

    static long counter(final FSDataInputStream in, final String name)
    {
        final Long value = in.getIOStatistics().counters().get(name);
        assertThat(value).as(name + " in " + in.getIOStatistics()).isNotNull();
        return value;
    }

    static void awaitStored(final CachingFileSystem fs) throws InterruptedException
    {
        assertThat(fs.awaitStored(20, TimeUnit.SECONDS)).as("stores ended").isTrue();
    }

    @Test
    void aSecondReadIsServedFromTheCacheAndCountedInTheStatistics() throws Exception
    {
        final CachingFileSystem fs = fs();
        final byte[] bytes = content(3 * MIB + 100, 1);
        final Path file = write(fs, new Path(data, "a.bin"), bytes);
        final FileSystem.Statistics statistics = FileSystem.getStatistics("file", CachingFileSystem.class);
        final long bytesReadBefore = statistics.getBytesRead();

        final long coldMisses;
        final long coldHits;
        try (FSDataInputStream in = fs.open(file))
        {
            final byte[] first = new byte[bytes.length];
            in.readFully(0, first);
            assertThat(first).isEqualTo(bytes);
            // The cache serves a read in batches of 64 pages; those after the first of a chunk are hits if the
            // chunk's store got to them first, misses (copied from the fetched chunk) otherwise.
            coldMisses = counter(in, "cache_miss_bytes");
            coldHits = counter(in, "cache_hit_bytes");
            assertThat(coldMisses + coldHits).isEqualTo(bytes.length);
            assertThat(coldMisses).isGreaterThanOrEqualTo(3 * 256 * 1024 + 100);
            assertThat(counter(in, "stream_read_bytes")).isEqualTo(bytes.length);
            assertThat(counter(in, "stream_read_operations")).isEqualTo(1);
        }
        awaitStored(fs);
        try (FSDataInputStream in = fs.open(file))
        {
            final byte[] second = new byte[bytes.length];
            in.readFully(second);
            assertThat(second).isEqualTo(bytes);
            assertThat(counter(in, "cache_hit_bytes")).isEqualTo(bytes.length);
            assertThat(counter(in, "cache_miss_bytes")).isZero();
            assertThat(counter(in, "cache_fallbacks")).isZero();
        }
        assertThat(counter(fs, "cache_miss_bytes")).isEqualTo(coldMisses);
        assertThat(counter(fs, "cache_hit_bytes")).isEqualTo(coldHits + bytes.length);
        assertThat(counter(fs, "cache_origin_requests")).isEqualTo(4);
        assertThat(counter(fs, "cache_origin_bytes")).isEqualTo(bytes.length);
        assertThat(counter(fs, "cache_opens")).isEqualTo(2);
        assertThat(counter(fs, "cache_status_requests")).isEqualTo(2);
        assertThat(counter(fs, "cache_fallbacks")).isZero();
        assertThat(counter(fs, "cache_stored_pages")).isEqualTo(769);
        assertThat(fs.getIOStatistics().gauges()).containsEntry("cache_images", 1L)
            .containsEntry("cache_unavailable_images", 0L);
        // Hadoop's per-scheme statistics, which Spark reports as bytes read.
        assertThat(statistics.getBytesRead() - bytesReadBefore).isEqualTo(2L * bytes.length);
    }

    @Test
    void shortSequentialReadsAreServedFromTheStreamBuffer() throws Exception
    {
        final CachingFileSystem fs = fs();
        final byte[] bytes = content(200_000, 2);
        final Path file = write(fs, new Path(data, "small.bin"), bytes);
        try (FSDataInputStream in = fs.open(file))
        {
            for (int i = 0; i < 100; i++)
            {
                assertThat(in.read()).isEqualTo(bytes[i] & 0xff);
            }
            final byte[] next = new byte[1000];
            in.readFully(next);
            assertThat(next).isEqualTo(Arrays.copyOfRange(bytes, 100, 1100));
            in.seek(65_530);
            final byte[] across = new byte[20];
            in.readFully(across);
            assertThat(across).isEqualTo(Arrays.copyOfRange(bytes, 65_530, 65_550));
            assertThat(in.getPos()).isEqualTo(65_550);
            assertThat(in.available()).isEqualTo(200_000 - 65_550);
            assertThat(in.skip(1_000_000)).isEqualTo(200_000 - 65_550);
            assertThat(in.read()).isEqualTo(-1);
            // 64 KiB buffer fills: [0, 65536), then [65536, 131072) for the read across the boundary.
            assertThat(counter(in, "cache_reads")).isEqualTo(2);
            assertThat(counter(in, "stream_read_bytes")).isEqualTo(1120);
            assertThat(counter(in, "stream_read_seek_operations")).isEqualTo(1);
        }
    }

    @Test
    void byteBufferReadsSequentialAndPositioned() throws Exception
    {
        final CachingFileSystem fs = fs();
        final byte[] bytes = content(300_000, 3);
        final Path file = write(fs, new Path(data, "bb.bin"), bytes);
        try (FSDataInputStream in = fs.open(file))
        {
            assertThat(in.hasCapability(StreamCapabilities.READBYTEBUFFER)).isTrue();
            assertThat(in.hasCapability(StreamCapabilities.PREADBYTEBUFFER)).isTrue();
            assertThat(in.hasCapability(StreamCapabilities.UNBUFFER)).isTrue();
            assertThat(in.hasCapability(StreamCapabilities.IOSTATISTICS)).isTrue();
            assertThat(in.hasCapability("in:readvectored")).isTrue();
            assertThat(in.hasCapability(StreamCapabilities.HFLUSH)).isFalse();

            final ByteBuffer direct = ByteBuffer.allocateDirect(100_000);
            assertThat(in.read(direct)).isEqualTo(100_000);
            assertThat(in.getPos()).isEqualTo(100_000);
            final ByteBuffer heap = ByteBuffer.allocate(10);
            assertThat(in.read(heap)).isEqualTo(10);
            final byte[] got = new byte[100_010];
            direct.flip().get(got, 0, 100_000);
            heap.flip().get(got, 100_000, 10);
            assertThat(got).isEqualTo(Arrays.copyOf(bytes, 100_010));

            final ByteBuffer positioned = ByteBuffer.allocateDirect(5000);
            in.readFully(295_000, positioned);
            assertThat(positioned.position()).isEqualTo(5000);
            final byte[] tail = new byte[5000];
            positioned.flip().get(tail);
            assertThat(tail).isEqualTo(Arrays.copyOfRange(bytes, 295_000, 300_000));
            assertThat(in.read(299_990, ByteBuffer.allocate(100))).isEqualTo(10);
            assertThat(in.read(300_000, ByteBuffer.allocate(100))).isEqualTo(-1);
            assertThatThrownBy(() -> in.readFully(299_990, ByteBuffer.allocate(100)))
                .isInstanceOf(EOFException.class);
            assertThat(in.getPos()).isEqualTo(100_010);

            in.unbuffer();
            assertThat(in.read()).isEqualTo(bytes[100_010] & 0xff);
        }
    }

    @Test
    void aRestartOverTheSameDirsServesHitsAndTheLastCloseUnmountsCleanly() throws Exception
    {
        final byte[] bytes = content(2 * MIB, 4);
        final Path file;
        try (CachingFileSystem first = fs())
        {
            file = write(first, new Path(data, "warm.bin"), bytes);
            assertThat(readAll(first, file)).isEqualTo(bytes);
            awaitStored(first);
        }
        try (CacheFsBackend check = CacheFs.mount(images.resolve("a").resolve("cachefs.img"), MountOptions.defaults()))
        {
            assertThat(check.wasClean()).isTrue();
        }

        final CachingFileSystem second = fs();
        assertThat(readAll(second, file)).isEqualTo(bytes);
        assertThat(counter(second, "cache_hit_bytes")).isEqualTo(bytes.length);
        assertThat(counter(second, "cache_miss_bytes")).isZero();
        assertThat(counter(second, "cache_origin_requests")).isZero();
    }

    @Test
    void instancesNamingTheSameDirsShareOneMount() throws Exception
    {
        final CachingFileSystem first = fs();
        final CachingFileSystem second = fs();
        final byte[] bytes = content(MIB + 5, 5);
        final Path file = write(first, new Path(data, "shared.bin"), bytes);
        assertThat(readAll(first, file)).isEqualTo(bytes);
        awaitStored(first);
        first.close();

        assertThat(readAll(second, file)).isEqualTo(bytes);
        assertThat(counter(second, "cache_hit_bytes")).isEqualTo(bytes.length);
        assertThat(counter(second, "cache_miss_bytes")).isZero();
        assertThat(second.cacheImages()).containsExactly(
            images.resolve("a").resolve("cachefs.img").toAbsolutePath().toString());
    }

    @Test
    void theReadThroughCacheAndItsMountedImagesAreReachable() throws Exception
    {
        assertThatThrownBy(() -> new CachingFileSystem().readThroughCache())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("CachingFileSystem is not initialized: it has no cache yet");

        final CachingFileSystem fs = fs();
        final byte[] bytes = content(MIB, 11);
        final Path file = write(fs, new Path(data, "reachable.bin"), bytes);
        assertThat(readAll(fs, file)).isEqualTo(bytes);
        awaitStored(fs);

        final ReadThroughCache cache = fs.readThroughCache();
        assertThat(cache.stats().cacheMissBytes()).isEqualTo(fs.cacheStats().cacheMissBytes())
            .isEqualTo(bytes.length);
        final List<MountedImage> mounted = cache.mountedImages();
        assertThat(mounted).extracting(MountedImage::image)
            .containsExactly(images.resolve("a").resolve("cachefs.img").toAbsolutePath().normalize());
        assertThat(mounted.get(0).backend().usage().get("pages")).isEqualTo(bytes.length / 4096L);
    }

    @Test
    void aFileRewrittenThroughTheFileSystemReturnsItsNewBytes() throws Exception
    {
        final CachingFileSystem fs = fs();
        final Path file = new Path(data, "rewritten.bin");
        final byte[] v1 = content(MIB, 6);
        write(fs, file, v1);
        final long mtime = fs.getFileStatus(file).getModificationTime();
        assertThat(readAll(fs, file)).isEqualTo(v1);
        awaitStored(fs);

        // Same length, and the same modification time as the old version: only the invalidation tells them apart.
        final byte[] v2 = content(MIB, 7);
        write(fs, file, v2);
        raw.setTimes(file, mtime, -1);
        assertThat(fs.getFileStatus(file).getModificationTime()).isEqualTo(mtime);
        assertThat(readAll(fs, file)).isEqualTo(v2);
        assertThat(counter(fs, "cache_invalidations")).isEqualTo(2);
    }

    @Test
    void aFileRewrittenBehindTheFileSystemIsFetchedAfreshWhenItsModificationTimeChanged() throws Exception
    {
        final CachingFileSystem fs = fs();
        final Path file = new Path(data, "behind.bin");
        final byte[] v1 = content(MIB, 8);
        write(raw, file, v1);
        final long mtime = raw.getFileStatus(file).getModificationTime();
        assertThat(readAll(fs, file)).isEqualTo(v1);
        awaitStored(fs);

        final byte[] v2 = content(MIB, 9);
        write(raw, file, v2);
        raw.setTimes(file, mtime + 1000, -1);
        assertThat(counter(fs, "cache_origin_requests")).isEqualTo(1);
        try (FSDataInputStream in = fs.open(file))
        {
            final byte[] got = new byte[MIB];
            in.readFully(0, got);
            assertThat(got).isEqualTo(v2);
            assertThat(counter(in, "cache_miss_bytes")).isPositive();
        }
        assertThat(counter(fs, "cache_origin_requests")).isEqualTo(2);
        assertThat(counter(fs, "cache_version_changes")).isEqualTo(1);
    }

    @Test
    void withoutValidationTheCachedBytesAreTrustedButNeverPastTheCurrentLength() throws Exception
    {
        final Configuration conf = conf(images.resolve("a").toString());
        conf.set(CacheSettings.VALIDATION, "none");
        final CachingFileSystem fs = fs(conf);
        final Path file = new Path(data, "immutable.bin");
        final byte[] v1 = content(MIB, 10);
        write(raw, file, v1);
        final long mtime = raw.getFileStatus(file).getModificationTime();
        assertThat(readAll(fs, file)).isEqualTo(v1);
        awaitStored(fs);

        // Rewritten in place behind the cache's back with the same length: the cache is trusted.
        write(raw, file, content(MIB, 11));
        raw.setTimes(file, mtime + 1000, -1);
        assertThat(readAll(fs, file)).isEqualTo(v1);

        // A different length is a different version.
        final byte[] shorter = content(MIB / 2, 12);
        write(raw, file, shorter);
        assertThat(readAll(fs, file)).isEqualTo(shorter);

        // openFile() given the length asks the wrapped file system nothing.
        final long statusRequests = counter(fs, "cache_status_requests");
        try (FSDataInputStream in = fs.openFile(file).opt("fs.option.openfile.length", Long.toString(MIB / 2))
            .build().get())
        {
            final byte[] got = new byte[MIB / 2];
            in.readFully(0, got);
            assertThat(got).isEqualTo(shorter);
        }
        assertThat(counter(fs, "cache_status_requests")).isEqualTo(statusRequests);
    }

    @Test
    void openFileWithAStatusSkipsTheStatAndReadsTheRequestedPath() throws Exception
    {
        final CachingFileSystem fs = fs();
        final byte[] bytes = content(100_000, 13);
        final Path file = write(fs, new Path(data, "status.bin"), bytes);
        final FileStatus status = fs.getFileStatus(file);
        final FileStatus elsewhere = new FileStatus(status.getLen(), false, 1, status.getBlockSize(),
            status.getModificationTime(), new Path("gopher:///elsewhere/status.bin"));
        try (FSDataInputStream in = fs.openFile(file).withFileStatus(elsewhere).build().get())
        {
            final byte[] got = new byte[bytes.length];
            in.readFully(0, got);
            assertThat(got).isEqualTo(bytes);
        }
        assertThat(counter(fs, "cache_status_requests")).isZero();
        assertThat(counter(fs, "cache_opens")).isEqualTo(1);

        final CompletableFuture<FSDataInputStream> missing = fs.openFile(new Path(data, "missing")).build();
        assertThatThrownBy(missing::get).hasCauseInstanceOf(FileNotFoundException.class);
        assertThatThrownBy(() -> fs.openFile(file).must("fs.unknown.option", "x").build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("unknown mandatory key fs.unknown.option for " + file);
        assertThatThrownBy(() -> fs.open(data)).isInstanceOf(FileNotFoundException.class)
            .hasMessage("cannot open " + fs.makeQualified(data) + " for reading: it is a directory");
    }

    @Test
    void renamesAndDeletesDropThePagesOfThePathsTheyName() throws Exception
    {
        final CachingFileSystem fs = fs();
        final Path a = new Path(data, "a");
        final Path b = new Path(data, "b");
        final byte[] v1 = content(MIB, 14);
        write(fs, a, v1);
        final long mtime = fs.getFileStatus(a).getModificationTime();
        assertThat(readAll(fs, a)).isEqualTo(v1);
        awaitStored(fs);

        // a moves to b; a new a with the old one's length and modification time is not the old one.
        assertThat(fs.rename(a, b)).isTrue();
        final byte[] v2 = content(MIB, 15);
        write(raw, a, v2);
        raw.setTimes(a, mtime, -1);
        assertThat(readAll(fs, a)).isEqualTo(v2);
        assertThat(readAll(fs, b)).isEqualTo(v1);
        awaitStored(fs);

        assertThat(fs.delete(a, false)).isTrue();
        final byte[] v3 = content(MIB, 16);
        write(raw, a, v3);
        raw.setTimes(a, mtime, -1);
        assertThat(readAll(fs, a)).isEqualTo(v3);
    }

    @Test
    void eightThreadsOfRandomPositionedReadsAreByteExact() throws Exception
    {
        final CachingFileSystem fs = fs(conf(images.resolve("a").toString()));
        final byte[] bytes = content(6 * MIB + 12_345, 17);
        final Path file = write(fs, new Path(data, "random.bin"), bytes);
        final long seed = System.nanoTime();
        final ExecutorService threads = Executors.newFixedThreadPool(8);
        try (FSDataInputStream in = fs.open(file))
        {
            final List<Future<Integer>> results = new ArrayList<>();
            for (int t = 0; t < 8; t++)
            {
                final SplittableRandom random = new SplittableRandom(seed + t);
                results.add(threads.submit(() ->
                {
                    int reads = 0;
                    for (int i = 0; i < 400; i++)
                    {
                        final int length = 1 + random.nextInt(i % 4 == 0 ? 300_000 : 9000);
                        final int position = random.nextInt(bytes.length - length + 1);
                        final byte[] buffer = new byte[length];
                        in.readFully(position, buffer);
                        if (!Arrays.equals(buffer, 0, length, bytes, position, position + length))
                        {
                            throw new AssertionError("seed " + seed + ": bytes [" + position + ", " +
                                (position + length) + ") differ");
                        }
                        reads++;
                    }
                    return reads;
                }));
            }
            for (final Future<Integer> result : results)
            {
                assertThat(result.get(60, TimeUnit.SECONDS)).as("seed " + seed).isEqualTo(400);
            }
            assertThat(counter(in, "stream_read_operations")).isEqualTo(3200);
        }
        finally
        {
            threads.shutdownNow();
        }
        assertThat(counter(fs, "cache_fallbacks")).isZero();
        // Every chunk was fetched once, however many threads missed it (7 chunks of 1 MiB).
        assertThat(counter(fs, "cache_origin_requests")).isEqualTo(7);
    }

    @Test
    void vectoredReadsAreServedFromTheCache() throws Exception
    {
        final CachingFileSystem fs = fs();
        final byte[] bytes = content(2 * MIB, 18);
        final Path file = write(fs, new Path(data, "vectored.bin"), bytes);
        final List<FileRange> first = List.of(FileRange.createFileRange(MIB + 10, 100),
            FileRange.createFileRange(0, 4096), FileRange.createFileRange(8192, 50));
        try (FSDataInputStream in = fs.open(file))
        {
            in.readVectored(first, ByteBuffer::allocate);
            for (final FileRange range : first)
            {
                final ByteBuffer got = range.getData().get(20, TimeUnit.SECONDS);
                assertThat(got.remaining()).isEqualTo(range.getLength());
                final byte[] array = new byte[range.getLength()];
                got.get(array);
                assertThat(array).isEqualTo(Arrays.copyOfRange(bytes, (int)range.getOffset(),
                    (int)range.getOffset() + range.getLength()));
            }
            assertThat(counter(in, "stream_read_vectored_operations")).isEqualTo(1);
            assertThat(counter(in, "stream_read_vectored_incoming_ranges")).isEqualTo(3);
            // [0, 8242) is one read of the cache (the ranges are 4096 bytes apart), the far range another.
            assertThat(counter(in, "cache_reads")).isEqualTo(2);
        }
        awaitStored(fs);
        final long misses = counter(fs, "cache_miss_bytes");
        try (FSDataInputStream in = fs.open(file))
        {
            final List<FileRange> again = List.of(FileRange.createFileRange(MIB + 10, 100),
                FileRange.createFileRange(0, 4096));
            in.readVectored(again, ByteBuffer::allocateDirect);
            for (final FileRange range : again)
            {
                assertThat(range.getData().get(20, TimeUnit.SECONDS).remaining()).isEqualTo(range.getLength());
            }
            assertThat(counter(in, "cache_hit_bytes")).isEqualTo(4196);
        }
        assertThat(counter(fs, "cache_miss_bytes")).isEqualTo(misses);
    }

    @Test
    void anImageLockedByAnotherProcessIsSkippedForTheNextEntryOrReadUncached() throws Exception
    {
        final String a = images.resolve("a").toString();
        final String b = images.resolve("b").toString();
        try (ChildJvm holder = ChildJvm.start(dir.resolve("child"), System.getProperty("java.class.path"),
            ImageHolder.class.getName(), a + "," + b, "64m"))
        {
            holder.awaitLine("images [" + images.resolve("a").resolve("cachefs.img").toAbsolutePath() + "]");

            // The next free entry.
            final CachingFileSystem next = fs(conf(a + "," + b));
            assertThat(next.cacheImages()).containsExactly(
                images.resolve("b").resolve("cachefs.img").toAbsolutePath().toString());
            final byte[] bytes = content(MIB, 19);
            final Path file = write(next, new Path(data, "next.bin"), bytes);
            assertThat(readAll(next, file)).isEqualTo(bytes);
            assertThat(counter(next, "cache_fallbacks")).isZero();

            // No free entry: every read goes to the wrapped file system, none fails.
            final CachingFileSystem none = fs(conf(a));
            assertThat(none.cacheImages()).isEmpty();
            assertThat(none.getIOStatistics().gauges()).containsEntry("cache_images", 0L)
                .containsEntry("cache_unavailable_images", 1L);
            assertThat(readAll(none, file)).isEqualTo(bytes);
            assertThat(readAll(none, file)).isEqualTo(bytes);
            assertThat(counter(none, "cache_fallbacks")).isEqualTo(2);
            assertThat(counter(none, "cache_fallback_bytes")).isEqualTo(2L * MIB);
            assertThat(counter(none, "cache_hit_bytes")).isZero();

            holder.closeStdin();
            holder.expectExit(0);
            assertThat(holder.stdoutLines()).endsWith("closed");
        }
    }

    @Test
    void theNoArgumentConstructorWrapsTheClassConfiguredForTheScheme() throws Exception
    {
        final Configuration conf = conf(images.resolve("a").toString());
        conf.set("fs.cachefs.wrapped.file.impl", LocalFileSystem.class.getName());
        final CachingFileSystem fs = new CachingFileSystem();
        open.add(fs);
        fs.initialize(URI.create("file:///"), conf);
        assertThat(fs.getRawFileSystem()).isInstanceOf(LocalFileSystem.class);
        assertThat(fs.getScheme()).isEqualTo("file");
        final byte[] bytes = content(10_000, 20);
        final Path file = write(fs, new Path(data, "noarg.bin"), bytes);
        assertThat(readAll(fs, file)).isEqualTo(bytes);

        final CachingFileSystem unset = new CachingFileSystem();
        assertThatThrownBy(() -> unset.initialize(URI.create("file:///"), conf(images.resolve("a").toString())))
            .isInstanceOf(IOException.class)
            .hasMessage("fs.cachefs.wrapped.file.impl is not set: name the file system class that " +
                "CachingFileSystem wraps for file:// URIs (for example org.apache.hadoop.fs.s3a.S3AFileSystem)");
        final Configuration itself = conf(images.resolve("a").toString());
        itself.set("fs.cachefs.wrapped.file.impl", CachingFileSystem.class.getName());
        assertThatThrownBy(() -> new CachingFileSystem().initialize(URI.create("file:///"), itself))
            .isInstanceOf(IOException.class)
            .hasMessage("fs.cachefs.wrapped.file.impl names org.cachefs.hadoop.CachingFileSystem: it must name " +
                "the file system to wrap, not a CachingFileSystem");
    }

    @Test
    void aClosedFileSystemRefusesOpens() throws Exception
    {
        final CachingFileSystem fs = fs();
        final Path file = write(fs, new Path(data, "closed.bin"), content(10, 21));
        fs.close();
        assertThatThrownBy(() -> fs.open(file)).isInstanceOf(IOException.class)
            .hasMessage("CachingFileSystem of file:/// is closed");
    }
}
