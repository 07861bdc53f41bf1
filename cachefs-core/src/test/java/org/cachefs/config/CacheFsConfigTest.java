package org.cachefs.config;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import org.cachefs.cachefs.CullingThresholds;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.readthrough.CacheImage;
import org.cachefs.readthrough.ReadThroughOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The {@code cachefs.conf} parser: syntax, every key's value, defaults, and refusals with their exact messages.
 */
class CacheFsConfigTest
{
    private static final String EVERY_KEY = String.join("\n",
        "# every setting",
        "dirs      /mnt/nvme0/cachefs, /mnt/nvme1/cachefs",
        "size      200g",
        "validation None",
        "max.images 2",
        "   chunk.size 256K",
        "readahead.chunks 3",
        "",
        "store.threads 5",
        "max.in.flight 1g",
        "max.idle.files 20",
        "vector.merge.gap 8k",
        "buffer.size 1m",
        "origin.streams 6",
        "namespace s3://bucket",
        "ram.tier.size 2G",
        "jmx FALSE",
        "\t# culling, as cachefilesd",
        "brun 20%",
        "bcull 15",
        "bstop 5 %",
        "background.culling false",
        "large.object.percent 25%",
        "commit.interval 30",
        "node.cache.size 4096",
        "max.dirty.nodes 8192",
        "write.behind false",
        "write.threads 8",
        "");

    static CacheFsConfig parse(final String text)
    {
        try
        {
            return CacheFsConfig.parse(new StringReader(text), "cachefs.conf");
        }
        catch (final IOException ex)
        {
            throw new AssertionError(ex);
        }
    }

    @Test
    void everyKeyIsRead()
    {
        final CacheFsConfig config = parse(EVERY_KEY);
        assertThat(config.images()).containsExactly(new CacheImage(Path.of("/mnt/nvme0/cachefs"), 200L << 30),
            new CacheImage(Path.of("/mnt/nvme1/cachefs"), 200L << 30));
        assertThat(config.size()).isEqualTo(200L << 30);
        assertThat(config.validation()).isEqualTo("none");
        assertThat(config.maxImages()).isEqualTo(2);
        assertThat(config.chunkSize()).isEqualTo(256 << 10);
        assertThat(config.readaheadChunks()).isEqualTo(3);
        assertThat(config.storeThreads()).isEqualTo(5);
        assertThat(config.maxInFlightBytes()).isEqualTo(1L << 30);
        assertThat(config.maxIdleFiles()).isEqualTo(20);
        assertThat(config.vectorMergeGap()).isEqualTo(8 << 10);
        assertThat(config.bufferSize()).isEqualTo(1 << 20);
        assertThat(config.originStreams()).isEqualTo(6);
        assertThat(config.namespace()).isEqualTo("s3://bucket");
        assertThat(config.jmx()).isFalse();
        assertThat(config.mountOptions()).isEqualTo(new MountOptions(30, 4096, 8192, new CullingThresholds(20, 15, 5),
            false, 25, false, 8, 2L << 30));
        assertThat(config.isSet(CacheFsConfig.BRUN)).isTrue();
        assertThat(config.isSet("frun")).isFalse();
        assertThat(config.source()).isEqualTo("cachefs.conf");

        final ReadThroughOptions options = config.readThroughOptions().build();
        assertThat(options.images()).isEqualTo(config.images());
        assertThat(options.namespace()).isEqualTo("s3://bucket");
        assertThat(options.chunkSize()).isEqualTo(256 << 10);
        assertThat(options.readaheadChunks()).isEqualTo(3);
        assertThat(options.storeThreads()).isEqualTo(5);
        assertThat(options.maxInFlightBytes()).isEqualTo(1L << 30);
        assertThat(options.maxIdleFiles()).isEqualTo(20);
        assertThat(options.vectorMergeGap()).isEqualTo(8 << 10);
        assertThat(options.jmx()).isFalse();
        assertThat(options.mountOptions()).isEqualTo(config.mountOptions());
    }

    @Test
    void anEmptyFileHoldsTheDefaults()
    {
        final CacheFsConfig config = parse("# nothing\n\n   \n");
        assertThat(config.images()).isEmpty();
        assertThat(config.size()).isZero();
        assertThat(config.validation()).isEqualTo("mtime-length");
        assertThat(config.maxImages()).isEqualTo(1);
        assertThat(config.chunkSize()).isEqualTo(1 << 20);
        assertThat(config.readaheadChunks()).isZero();
        assertThat(config.storeThreads()).isEqualTo(2);
        assertThat(config.maxInFlightBytes()).isEqualTo(64L << 20);
        assertThat(config.maxIdleFiles()).isEqualTo(128);
        assertThat(config.vectorMergeGap()).isEqualTo(64 << 10);
        assertThat(config.bufferSize()).isEqualTo(64 << 10);
        assertThat(config.originStreams()).isEqualTo(4);
        assertThat(config.namespace()).isEqualTo("default");
        assertThat(config.jmx()).isTrue();
        assertThat(config.mountOptions()).isEqualTo(MountOptions.defaults());
        assertThat(config.isSet(CacheFsConfig.NAMESPACE)).isFalse();
        assertThatThrownBy(config::requireImages).isInstanceOf(CacheFsConfigException.class)
            .hasMessage("cachefs.conf: dirs is not set: name one or more block devices, image files or directories " +
                "(comma-separated) for the cache");
    }

    @Test
    void parsesAFileNamedInMessagesAsGiven(@TempDir final Path dir) throws IOException
    {
        final Path file = dir.resolve("cachefs.conf");
        Files.writeString(file, "dirs /dev/nvme0n1\nchunk.size 3000\n");
        assertThatThrownBy(() -> CacheFsConfig.parse(file)).isInstanceOf(CacheFsConfigException.class)
            .hasMessage(file + ":2: chunk.size must be a power of two from 4096 to 67108864: 3000");
        Files.writeString(file, "dirs /dev/nvme0n1\n");
        assertThat(CacheFsConfig.parse(file).requireImages())
            .containsExactly(new CacheImage(Path.of("/dev/nvme0n1"), 0));
        assertThatThrownBy(() -> CacheFsConfig.parse(dir.resolve("missing.conf")))
            .isInstanceOf(NoSuchFileException.class);
    }

    @Test
    void syntaxRefusals()
    {
        assertRefused("size = 10g", "cachefs.conf:1: 'size = 10g': write the name and the value separated by " +
            "blanks, without '='");
        assertRefused("# c\nsize=10g", "cachefs.conf:2: 'size=10g': write the name and the value separated by " +
            "blanks, without '='");
        assertRefused("size 1g\nfrobnicate 1", "cachefs.conf:2: unknown key frobnicate");
        assertRefused("dir /var/cache/fscache", "cachefs.conf:1: unknown key dir");
        assertRefused("Size 1g", "cachefs.conf:1: unknown key Size");
        assertRefused("size 1g\n\nsize 2g", "cachefs.conf:3: duplicate key size (first given on line 1)");
        assertRefused("size", "cachefs.conf:1: size has no value");
        assertRefused("size   \t", "cachefs.conf:1: size has no value");
        assertRefused("brun 10%\nfrun 10%", "cachefs.conf:2: frun is not supported: cachefs has no file-count " +
            "culling; it culls by free space alone (brun, bcull, bstop)");
        assertRefused("fcull 7%", "cachefs.conf:1: fcull is not supported: cachefs has no file-count culling; it " +
            "culls by free space alone (brun, bcull, bstop)");
        assertRefused("fstop 3%", "cachefs.conf:1: fstop is not supported: cachefs has no file-count culling; it " +
            "culls by free space alone (brun, bcull, bstop)");
        assertRefused("brun 10 # start culling", "cachefs.conf:1: brun must be 0% to 99%: 10 # start culling");
    }

    @Test
    void valueRefusalsNameTheKeyTheValueAndTheRange()
    {
        assertRefused("dirs /a,/b,/a", "cachefs.conf:1: dirs names /a twice: /a,/b,/a");
        assertRefused("dirs , ,", "cachefs.conf:1: dirs names no image: , ,");
        assertRefused("size lots", "cachefs.conf:1: size is not a number of bytes (such as 4096, 64k, 1m, 10g): lots");
        assertRefused("size 1.5g", "cachefs.conf:1: size is not a number of bytes (such as 4096, 64k, 1m, 10g): 1.5g");
        assertRefused("size 10x", "cachefs.conf:1: size is not a number of bytes (such as 4096, 64k, 1m, 10g): 10x");
        assertRefused("size g", "cachefs.conf:1: size is not a number of bytes (such as 4096, 64k, 1m, 10g): g");
        assertRefused("size -1", "cachefs.conf:1: size must be >= 0: -1");
        assertRefused("size 8e", "cachefs.conf:1: size must be >= 0: 8e");
        assertRefused("size 99999999999999999999", "cachefs.conf:1: size must be >= 0: 99999999999999999999");
        assertRefused("validation etag", "cachefs.conf:1: validation must be mtime-length or none: etag");
        assertRefused("max.images 0", "cachefs.conf:1: max.images must be >= 1: 0");
        assertRefused("chunk.size 3000", "cachefs.conf:1: chunk.size must be a power of two from 4096 to 67108864: " +
            "3000");
        assertRefused("chunk.size 2k", "cachefs.conf:1: chunk.size must be a power of two from 4096 to " +
            "67108864: 2k");
        assertRefused("chunk.size 8g", "cachefs.conf:1: chunk.size must be a power of two from 4096 to " +
            "67108864: 8g");
        assertRefused("readahead.chunks 65", "cachefs.conf:1: readahead.chunks must be 0 to 64: 65");
        assertRefused("store.threads 0", "cachefs.conf:1: store.threads must be 1 to 64: 0");
        assertRefused("store.threads 1k", "cachefs.conf:1: store.threads must be 1 to 64: 1k");
        assertRefused("max.in.flight 64k", "cachefs.conf:1: max.in.flight must be at least chunk.size (1048576): 64k");
        assertRefused("max.in.flight 1m\nchunk.size 2m",
            "cachefs.conf:1: max.in.flight must be at least chunk.size (2097152): 1m");
        assertRefused("max.idle.files -1", "cachefs.conf:1: max.idle.files must be >= 0: -1");
        assertRefused("vector.merge.gap 2g", "cachefs.conf:1: vector.merge.gap must be 0 to 2147483647: 2g");
        assertRefused("buffer.size 1k", "cachefs.conf:1: buffer.size must be 4096 to 16777216: 1k");
        assertRefused("origin.streams 65", "cachefs.conf:1: origin.streams must be 1 to 64: 65");
        assertRefused("namespace " + "n".repeat(256), "cachefs.conf:1: namespace must be 1 to 255 characters: " +
            "n".repeat(256));
        assertRefused("ram.tier.size 2t", "cachefs.conf:1: ram.tier.size must be 0 to 1099511627776: 2t");
        assertRefused("jmx yes", "cachefs.conf:1: jmx must be true or false: yes");
        assertRefused("brun 100%", "cachefs.conf:1: brun must be 0% to 99%: 100%");
        assertRefused("bstop -1", "cachefs.conf:1: bstop must be 0% to 99%: -1");
        assertRefused("bcull ten", "cachefs.conf:1: bcull must be 0% to 99%: ten");
        assertRefused("background.culling 1", "cachefs.conf:1: background.culling must be true or false: 1");
        assertRefused("large.object.percent 0%", "cachefs.conf:1: large.object.percent must be 1% to 100%: 0%");
        assertRefused("commit.interval 3601", "cachefs.conf:1: commit.interval must be 0 to 3600: 3601");
        assertRefused("node.cache.size 15", "cachefs.conf:1: node.cache.size must be 16 to 1048576: 15");
        assertRefused("max.dirty.nodes 63", "cachefs.conf:1: max.dirty.nodes must be 64 to 1048576: 63");
        assertRefused("write.behind on", "cachefs.conf:1: write.behind must be true or false: on");
        assertRefused("write.threads 65", "cachefs.conf:1: write.threads must be 1 to 64: 65");
    }

    @Test
    void cullingLimitsAreCheckedTogether()
    {
        assertThat(parse("brun 50%\nbcull 40%\nbstop 0").mountOptions().thresholds())
            .isEqualTo(new CullingThresholds(50, 40, 0));
        assertRefused("brun 10\nbcull 10\nbstop 3",
            "cachefs.conf:2: bcull must be below brun (10) (0 <= bstop < bcull < brun < 100): 10");
        assertRefused("bstop 8", "cachefs.conf:1: bstop must be below bcull (7) (0 <= bstop < bcull < brun < 100): 8");
        assertRefused("bcull 12", "cachefs.conf:1: bcull must be below brun (10) (0 <= bstop < bcull < brun < 100): 12");
        assertRefused("# only brun\nbrun 5%",
            "cachefs.conf:2: brun must be above bcull (7) (0 <= bstop < bcull < brun < 100): 5%");
        assertRefused("bcull 2", "cachefs.conf:1: bcull must be above bstop (3) (0 <= bstop < bcull < brun < 100): 2");
    }

    @Test
    void entriesFromElsewhereAreNamedWithTheirPrefix()
    {
        final CacheFsConfig config = CacheFsConfig.of(Map.of("chunk.size", " 64k ", "brun", "30"), "fs.cachefs.");
        assertThat(config.chunkSize()).isEqualTo(64 << 10);
        assertThat(config.mountOptions().thresholds()).isEqualTo(new CullingThresholds(30, 7, 3));
        assertThat(config.source()).isEqualTo("fs.cachefs.*");
        assertThatThrownBy(config::requireImages).hasMessage("fs.cachefs.dirs is not set: name one or more block " +
            "devices, image files or directories (comma-separated) for the cache");
        assertOfRefused(Map.of("chunk.size", "3000"),
            "fs.cachefs.chunk.size must be a power of two from 4096 to 67108864: 3000");
        assertOfRefused(Map.of("frobnicate", "1"), "unknown key fs.cachefs.frobnicate");
        assertOfRefused(Map.of("frun", "1"), "fs.cachefs.frun is not supported: cachefs has no file-count culling; " +
            "it culls by free space alone (brun, bcull, bstop)");
        assertOfRefused(Map.of("namespace", " "), "fs.cachefs.namespace has no value");
        assertOfRefused(Map.of("bcull", "10"),
            "fs.cachefs.bcull must be below brun (10) (0 <= bstop < bcull < brun < 100): 10");
        assertThatThrownBy(() -> CacheFsConfig.of(Map.of("size", "x"), ""))
            .hasMessage("size is not a number of bytes (such as 4096, 64k, 1m, 10g): x");
    }

    @Test
    void overridesWinAndAreNamedWhereGiven()
    {
        final CacheFsConfig file = parse("dirs /mnt/a\nchunk.size 64k\nbrun 30\nbcull 20");
        final CacheFsConfig merged = file.overriddenBy(Map.of("chunk.size", "128k", "bstop", "10"), "fs.cachefs.");
        assertThat(merged.images()).containsExactly(new CacheImage(Path.of("/mnt/a"), 0));
        assertThat(merged.chunkSize()).isEqualTo(128 << 10);
        assertThat(merged.mountOptions().thresholds()).isEqualTo(new CullingThresholds(30, 20, 10));
        assertThat(file.chunkSize()).isEqualTo(64 << 10);
        assertThatThrownBy(() -> file.overriddenBy(Map.of("brun", "15"), "fs.cachefs."))
            .isInstanceOf(CacheFsConfigException.class)
            .hasMessage("cachefs.conf:4: bcull must be below brun (15) (0 <= bstop < bcull < brun < 100): 20");
        assertThatThrownBy(() -> file.overriddenBy(Map.of("bcull", "40"), "fs.cachefs."))
            .hasMessage("fs.cachefs.bcull must be below brun (30) (0 <= bstop < bcull < brun < 100): 40");
        assertThatThrownBy(() -> parse("chunk.size 64k").overriddenBy(Map.of(), "fs.cachefs.").requireImages())
            .hasMessage("fs.cachefs.dirs is not set: name one or more block devices, image files or directories " +
                "(comma-separated) for the cache");
    }

    @Test
    void namesAreTheDocumentedOnes()
    {
        assertThat(CacheFsConfig.names()).containsExactly("dirs", "size", "validation", "max.images", "chunk.size",
            "readahead.chunks", "store.threads", "max.in.flight", "max.idle.files", "vector.merge.gap", "buffer.size",
            "origin.streams", "namespace", "ram.tier.size", "jmx", "brun", "bcull", "bstop", "background.culling",
            "large.object.percent", "commit.interval", "node.cache.size", "max.dirty.nodes", "write.behind",
            "write.threads");
        assertThat(CacheFsConfig.recognizes("fstop")).isTrue();
        assertThat(CacheFsConfig.recognizes("chunk.size")).isTrue();
        assertThat(CacheFsConfig.recognizes("wrapped.s3a.impl")).isFalse();
    }

    @Test
    void theReadmeDocumentsEveryKeyAndItsExampleParses() throws IOException
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int section = readme.indexOf("\n## Configuration file\n");
        assertThat(section).as("README.md has the section").isGreaterThanOrEqualTo(0);
        final String text = readme.substring(section, readme.indexOf("\n## ", section + 1));
        final List<String[]> rows = text.lines().filter(line -> line.startsWith("| `"))
            .map(line -> line.split(" \\| ")).toList();
        assertThat(rows.stream().map(row -> row[0].substring("| `".length(), row[0].length() - 1)).toList())
            .containsExactlyElementsOf(CacheFsConfig.names());
        for (final String[] row : rows)
        {
            assertThat(row[1]).isEqualTo("`fs.cachefs." + row[0].substring("| `".length()));
        }
        final int example = text.indexOf("```\n", text.indexOf("<!-- example: cachefs.conf -->")) + 4;
        final CacheFsConfig config = parse(text.substring(example, text.indexOf("```", example)));
        assertThat(config.images()).containsExactly(new CacheImage(Path.of("/mnt/nvme0/cachefs"), 200L << 30),
            new CacheImage(Path.of("/mnt/nvme1/cachefs"), 200L << 30));
        assertThat(config.mountOptions()).isEqualTo(MountOptions.defaults().withRamTierBytes(1L << 30));
    }

    private static void assertRefused(final String text, final String message)
    {
        assertThatThrownBy(() -> parse(text)).as(text).isInstanceOf(CacheFsConfigException.class).hasMessage(message);
    }

    private static void assertOfRefused(final Map<String, String> entries, final String message)
    {
        assertThatThrownBy(() -> CacheFsConfig.of(entries, "fs.cachefs.")).as(entries.toString())
            .isInstanceOf(CacheFsConfigException.class).hasMessage(message);
    }
}
