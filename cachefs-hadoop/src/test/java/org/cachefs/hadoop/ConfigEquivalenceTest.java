package org.cachefs.hadoop;

import java.io.IOException;
import java.io.StringReader;
import java.nio.file.Path;
import java.util.List;

import org.apache.hadoop.conf.Configuration;
import org.cachefs.cachefs.CullingThresholds;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.config.CacheFsConfig;
import org.cachefs.readthrough.ReadThroughOptions;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The same settings given three ways — a {@code cachefs.conf} text, the read-through builder by hand, and a Hadoop
 * configuration of {@code fs.cachefs.*} keys — give the same mount options and read-through options.
 */
class ConfigEquivalenceTest
{
    private static final String CACHEFS_CONF = String.join("\n",
        "dirs /mnt/a,/mnt/b",
        "size 10g",
        "namespace lake",
        "chunk.size 256k",
        "readahead.chunks 2",
        "store.threads 4",
        "max.in.flight 512m",
        "max.idle.files 10",
        "vector.merge.gap 8k",
        "ram.tier.size 1g",
        "jmx false",
        "brun 30%",
        "bcull 20%",
        "bstop 10%",
        "background.culling false",
        "large.object.percent 20",
        "commit.interval 15",
        "node.cache.size 4096",
        "max.dirty.nodes 8192",
        "write.behind false",
        "write.threads 8");

    @Test
    void aFileTheBuilderAndHadoopKeysGiveTheSameOptions() throws IOException
    {
        final ReadThroughOptions fromFile = CacheFsConfig.parse(new StringReader(CACHEFS_CONF), "cachefs.conf")
            .readThroughOptions().build();

        final MountOptions mount = new MountOptions(15, 4096, 8192, new CullingThresholds(30, 20, 10), false, 20,
            false, 8, 1L << 30);
        final ReadThroughOptions byHand = ReadThroughOptions.builder()
            .image(Path.of("/mnt/a"), 10L << 30)
            .image(Path.of("/mnt/b"), 10L << 30)
            .namespace("lake")
            .chunkSize(256 << 10)
            .readaheadChunks(2)
            .storeThreads(4)
            .maxInFlightBytes(512L << 20)
            .maxIdleFiles(10)
            .vectorMergeGap(8 << 10)
            .mountOptions(mount)
            .jmx(false)
            .build();

        final Configuration conf = new Configuration(false);
        conf.set(CacheSettings.DIRS, "/mnt/a,/mnt/b");
        conf.set(CacheSettings.SIZE, "10g");
        conf.set(CacheSettings.NAMESPACE, "lake");
        conf.set(CacheSettings.CHUNK_SIZE, "256k");
        conf.set(CacheSettings.READAHEAD_CHUNKS, "2");
        conf.set(CacheSettings.STORE_THREADS, "4");
        conf.set(CacheSettings.MAX_IN_FLIGHT, "512m");
        conf.set(CacheSettings.MAX_IDLE_FILES, "10");
        conf.set(CacheSettings.VECTOR_MERGE_GAP, "8k");
        conf.set(CacheSettings.RAM_TIER_SIZE, "1g");
        conf.set(CacheSettings.JMX, "false");
        conf.set(CacheSettings.BRUN, "30%");
        conf.set(CacheSettings.BCULL, "20%");
        conf.set(CacheSettings.BSTOP, "10%");
        conf.set(CacheSettings.BACKGROUND_CULLING, "false");
        conf.set(CacheSettings.LARGE_OBJECT_PERCENT, "20");
        conf.set(CacheSettings.COMMIT_INTERVAL, "15");
        conf.set(CacheSettings.NODE_CACHE_SIZE, "4096");
        conf.set(CacheSettings.MAX_DIRTY_NODES, "8192");
        conf.set(CacheSettings.WRITE_BEHIND, "false");
        conf.set(CacheSettings.WRITE_THREADS, "8");
        final CacheSettings settings = CacheSettings.from(conf);
        final ReadThroughOptions fromHadoop = settings.options(settings.images(), settings.jmx());

        assertThat(fromFile.mountOptions()).isEqualTo(mount);
        assertThat(fromHadoop.mountOptions()).isEqualTo(mount);
        assertThat(values(fromFile)).isEqualTo(values(byHand));
        assertThat(values(fromHadoop)).isEqualTo(values(byHand));
        assertThat(settings.ignoredKeys()).isEmpty();
    }

    @Test
    void everyFileNameIsAHadoopKey() throws IOException
    {
        final Configuration conf = new Configuration(false);
        for (final String line : CACHEFS_CONF.split("\n"))
        {
            final String[] nameValue = line.split(" ", 2);
            conf.set(CacheSettings.PREFIX + nameValue[0], nameValue[1]);
        }
        final CacheSettings settings = CacheSettings.from(conf);
        assertThat(values(settings.options(settings.images(), settings.jmx()))).isEqualTo(values(
            CacheFsConfig.parse(new StringReader(CACHEFS_CONF), "cachefs.conf").readThroughOptions().build()));
    }

    private static List<Object> values(final ReadThroughOptions options)
    {
        return List.of(options.images(), options.namespace(), options.chunkSize(), options.readaheadChunks(),
            options.validation(), options.statTtl(), options.storeThreads(), options.maxInFlightBytes(),
            options.maxIdleFiles(), options.vectorMergeGap(), options.mountOptions(), options.jmx());
    }
}
