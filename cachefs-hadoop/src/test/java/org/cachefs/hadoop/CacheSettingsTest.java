package org.cachefs.hadoop;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.cachefs.cachefs.CullingThresholds;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.config.CacheFsConfigException;
import org.cachefs.readthrough.CacheImage;
import org.cachefs.readthrough.ReadThroughOptions;
import org.cachefs.readthrough.Validation;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code fs.cachefs.*} settings: defaults, Hadoop's size suffixes, the mount options, refusals that name the key,
 * unknown keys ignored, and a {@code cachefs.conf} file named by {@code fs.cachefs.config} under the keys.
 */
class CacheSettingsTest
{
    static Configuration conf(final String dirs)
    {
        final Configuration conf = new Configuration(false);
        if (null != dirs)
        {
            conf.set(CacheSettings.DIRS, dirs);
        }
        return conf;
    }

    @Test
    void defaults()
    {
        final CacheSettings settings = CacheSettings.from(conf("/mnt/a, /mnt/b"));
        assertThat(settings.images()).containsExactly(new CacheImage(Path.of("/mnt/a"), 0),
            new CacheImage(Path.of("/mnt/b"), 0));
        assertThat(settings.validation()).isEqualTo(CacheSettings.ValidationMode.MTIME_LENGTH);
        assertThat(settings.maxImages()).isEqualTo(1);
        assertThat(settings.bufferSize()).isEqualTo(64 << 10);
        assertThat(settings.originStreams()).isEqualTo(4);
        assertThat(settings.jmx()).isTrue();
        final ReadThroughOptions options = settings.options();
        assertThat(options.namespace()).isEqualTo("hadoop");
        assertThat(options.chunkSize()).isEqualTo(1 << 20);
        assertThat(options.readaheadChunks()).isZero();
        assertThat(options.storeThreads()).isEqualTo(2);
        assertThat(options.maxInFlightBytes()).isEqualTo(64L << 20);
        assertThat(options.maxIdleFiles()).isEqualTo(128);
        assertThat(options.vectorMergeGap()).isEqualTo(64 << 10);
        assertThat(options.validation()).isEqualTo(Validation.ALWAYS);
        assertThat(options.mountOptions().ramTierBytes()).isEqualTo(128L << 20);
        assertThat(options.images()).isEmpty();
    }

    @Test
    void sizesTakeHadoopSuffixesAndEveryKeyIsRead()
    {
        final Configuration conf = conf("/dev/nvme0n1");
        conf.set(CacheSettings.SIZE, "10g");
        conf.set(CacheSettings.VALIDATION, "None");
        conf.set(CacheSettings.MAX_IMAGES, "3");
        conf.set(CacheSettings.CHUNK_SIZE, "256k");
        conf.set(CacheSettings.READAHEAD_CHUNKS, "2");
        conf.set(CacheSettings.STORE_THREADS, "4");
        conf.set(CacheSettings.MAX_IN_FLIGHT, "1g");
        conf.set(CacheSettings.MAX_IDLE_FILES, "10");
        conf.set(CacheSettings.VECTOR_MERGE_GAP, "8k");
        conf.set(CacheSettings.BUFFER_SIZE, "1m");
        conf.set(CacheSettings.ORIGIN_STREAMS, "8");
        conf.set(CacheSettings.NAMESPACE, "lake");
        conf.set(CacheSettings.RAM_TIER_SIZE, "2g");
        conf.setBoolean(CacheSettings.JMX, false);
        final CacheSettings settings = CacheSettings.from(conf);
        assertThat(settings.images()).containsExactly(new CacheImage(Path.of("/dev/nvme0n1"), 10L << 30));
        assertThat(settings.validation()).isEqualTo(CacheSettings.ValidationMode.NONE);
        assertThat(settings.maxImages()).isEqualTo(3);
        assertThat(settings.bufferSize()).isEqualTo(1 << 20);
        assertThat(settings.originStreams()).isEqualTo(8);
        assertThat(settings.jmx()).isFalse();
        final ReadThroughOptions options = settings.options(List.of(new CacheImage(Path.of("/x"), 0)), true);
        assertThat(options.images()).containsExactly(new CacheImage(Path.of("/x"), 0));
        assertThat(options.jmx()).isTrue();
        assertThat(options.namespace()).isEqualTo("lake");
        assertThat(options.chunkSize()).isEqualTo(256 << 10);
        assertThat(options.readaheadChunks()).isEqualTo(2);
        assertThat(options.storeThreads()).isEqualTo(4);
        assertThat(options.maxInFlightBytes()).isEqualTo(1L << 30);
        assertThat(options.maxIdleFiles()).isEqualTo(10);
        assertThat(options.vectorMergeGap()).isEqualTo(8 << 10);
        assertThat(options.mountOptions().ramTierBytes()).isEqualTo(2L << 30);
    }

    @Test
    void refusalsNameTheKey()
    {
        assertThatThrownBy(() -> CacheSettings.from(conf(null))).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("fs.cachefs.dirs is not set: name one or more block devices, image files or directories " +
                "(comma-separated) for the cache");
        assertThatThrownBy(() -> CacheSettings.from(conf("/a,/b,/a"))).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("fs.cachefs.dirs names /a twice: /a,/b,/a");
        assertRefused(CacheSettings.VALIDATION, "etag",
            "fs.cachefs.validation must be mtime-length or none: etag");
        assertRefused(CacheSettings.SIZE, "lots",
            "fs.cachefs.size is not a number of bytes (such as 4096, 64k, 1m, 10g): lots");
        assertRefused(CacheSettings.SIZE, "-1", "fs.cachefs.size must be >= 0: -1");
        assertRefused(CacheSettings.CHUNK_SIZE, "3000",
            "fs.cachefs.chunk.size must be a power of two from 4096 to 67108864: 3000");
        assertRefused(CacheSettings.CHUNK_SIZE, "8g",
            "fs.cachefs.chunk.size must be a power of two from 4096 to 67108864: 8g");
        assertRefused(CacheSettings.STORE_THREADS, "0", "fs.cachefs.store.threads must be 1 to 64: 0");
        assertRefused(CacheSettings.MAX_IN_FLIGHT, "64k",
            "fs.cachefs.max.in.flight must be at least chunk.size (1048576): 64k");
        assertRefused(CacheSettings.READAHEAD_CHUNKS, "65",
            "fs.cachefs.readahead.chunks must be 0 to 64: 65");
        assertRefused(CacheSettings.BUFFER_SIZE, "1k", "fs.cachefs.buffer.size must be 4096 to 16777216: 1k");
        assertRefused(CacheSettings.ORIGIN_STREAMS, "0", "fs.cachefs.origin.streams must be 1 to 64: 0");
        assertRefused(CacheSettings.MAX_IMAGES, "0", "fs.cachefs.max.images must be >= 1: 0");
        assertRefused(CacheSettings.NAMESPACE, "", "fs.cachefs.namespace has no value");
        assertRefused(CacheSettings.RAM_TIER_SIZE, "-1", "fs.cachefs.ram.tier.size must be 0 to 1099511627776: -1");
        assertRefused(CacheSettings.RAM_TIER_SIZE, "2t",
            "fs.cachefs.ram.tier.size must be 0 to 1099511627776: 2t");
    }

    @Test
    void mountOptionsAreReadFromTheirKeys()
    {
        final Configuration conf = conf("/a");
        conf.set(CacheSettings.BRUN, "30%");
        conf.set(CacheSettings.BCULL, "20");
        conf.set(CacheSettings.BSTOP, "10");
        conf.set(CacheSettings.BACKGROUND_CULLING, "false");
        conf.set(CacheSettings.LARGE_OBJECT_PERCENT, "50");
        conf.set(CacheSettings.COMMIT_INTERVAL, "0");
        conf.set(CacheSettings.NODE_CACHE_SIZE, "1024");
        conf.set(CacheSettings.MAX_DIRTY_NODES, "2048");
        conf.set(CacheSettings.WRITE_BEHIND, "false");
        conf.set(CacheSettings.WRITE_THREADS, "2");
        conf.set(CacheSettings.RAM_TIER_SIZE, "0");
        assertThat(CacheSettings.from(conf).options().mountOptions()).isEqualTo(new MountOptions(0, 1024, 2048,
            new CullingThresholds(30, 20, 10), false, 50, false, 2, 0));
        assertRefused(CacheSettings.BCULL, "10",
            "fs.cachefs.bcull must be below brun (10) (0 <= bstop < bcull < brun < 100): 10");
        assertRefused(CacheSettings.WRITE_BEHIND, "maybe", "fs.cachefs.write.behind must be true or false: maybe");
        assertRefused(CacheSettings.COMMIT_INTERVAL, "1h", "fs.cachefs.commit.interval must be 0 to 3600: 1h");
        assertRefused("fs.cachefs.frun", "10%", "fs.cachefs.frun is not supported: cachefs has no file-count " +
            "culling; it culls by free space alone (brun, bcull, bstop)");
    }

    @Test
    void unknownKeysAreIgnoredAndListed()
    {
        final Configuration conf = conf("/a");
        conf.set("fs.cachefs.prefetch.policy", "eager");
        conf.set("fs.cachefs.chunk.sise", "64k");
        conf.set("fs.cachefs.wrapped.s3a.impl", "org.apache.hadoop.fs.s3a.S3AFileSystem");
        conf.set("fs.cachefsx.size", "1g");
        final CacheSettings settings = CacheSettings.from(conf);
        assertThat(settings.ignoredKeys()).containsExactly("fs.cachefs.chunk.sise", "fs.cachefs.prefetch.policy");
        assertThat(settings.options().chunkSize()).isEqualTo(1 << 20);
        assertThat(settings.images()).containsExactly(new CacheImage(Path.of("/a"), 0));
        assertThat(CacheSettings.from(conf("/a")).ignoredKeys()).isEmpty();
    }

    @Test
    void aConfigFileAppliesUnderTheKeysGivenBesideIt(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("cachefs.conf");
        Files.writeString(file, "# shared by every job\ndirs /mnt/a, /mnt/b\nsize 1g\nchunk.size 64k\n" +
            "namespace lake\nbrun 30\nbcull 20\nbuffer.size 128k\n");
        final Configuration conf = conf(null);
        conf.set(CacheSettings.CONFIG, file.toString());
        conf.set(CacheSettings.CHUNK_SIZE, "128k");
        conf.set(CacheSettings.BSTOP, "10");
        final CacheSettings settings = CacheSettings.from(conf);
        assertThat(settings.images()).containsExactly(new CacheImage(Path.of("/mnt/a"), 1L << 30),
            new CacheImage(Path.of("/mnt/b"), 1L << 30));
        assertThat(settings.bufferSize()).isEqualTo(128 << 10);
        assertThat(settings.options().chunkSize()).isEqualTo(128 << 10);
        assertThat(settings.options().namespace()).isEqualTo("lake");
        assertThat(settings.options().mountOptions().thresholds()).isEqualTo(new CullingThresholds(30, 20, 10));

        conf.set(CacheSettings.BRUN, "15");
        assertThatThrownBy(() -> CacheSettings.from(conf)).isInstanceOf(CacheFsConfigException.class)
            .hasMessage(file + ":7: bcull must be below brun (15) (0 <= bstop < bcull < brun < 100): 20");

        Files.writeString(file, "chunk.size 64k\nfrun 10%\n");
        assertThatThrownBy(() -> CacheSettings.from(conf)).isInstanceOf(CacheFsConfigException.class)
            .hasMessage(file + ":2: frun is not supported: cachefs has no file-count culling; it culls by free " +
                "space alone (brun, bcull, bstop)");

        Files.writeString(file, "chunk.size 64k\n");
        final Configuration withoutDirs = conf(null);
        withoutDirs.set(CacheSettings.CONFIG, file.toString());
        assertThatThrownBy(() -> CacheSettings.from(withoutDirs)).isInstanceOf(CacheFsConfigException.class)
            .hasMessage("fs.cachefs.dirs is not set: name one or more block devices, image files or directories " +
                "(comma-separated) for the cache");

        conf.set(CacheSettings.CONFIG, dir.resolve("missing.conf").toString());
        assertThatThrownBy(() -> CacheSettings.from(conf)).isInstanceOf(CacheFsConfigException.class)
            .hasMessage("fs.cachefs.config names " + dir.resolve("missing.conf") + ": no such file");
    }

    private static void assertRefused(final String key, final String value, final String message)
    {
        final Configuration conf = conf("/a");
        conf.set(key, value);
        assertThatThrownBy(() -> CacheSettings.from(conf)).as(key + "=" + value)
            .isInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }
}
