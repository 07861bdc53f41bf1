package org.cachefs.hadoop;

import java.io.IOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.apache.hadoop.conf.Configuration;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.config.CacheFsConfig;
import org.cachefs.config.CacheFsConfigException;
import org.cachefs.readthrough.CacheImage;
import org.cachefs.readthrough.ReadThroughOptions;
import org.cachefs.readthrough.Validation;

/**
 * The {@code fs.cachefs.*} settings of a {@link CachingFileSystem}, read once from its {@link Configuration}. Each key
 * is a {@code cachefs.conf} setting ({@link CacheFsConfig}) with {@code fs.cachefs.} in front: the prefix is taken off
 * and the entries are checked by {@link CacheFsConfig#of(Map, String)}, so names, values, ranges and messages are the
 * same in both places ({@code fs.cachefs.chunk.size must be a power of two from 4096 to 67108864: 3000}). Sizes accept
 * Hadoop's suffixes ({@code 64k}, {@code 1m}, {@code 10g}).
 * <p>
 * {@link #CONFIG} may name a {@code cachefs.conf} file: its entries apply, and the {@code fs.cachefs.*} keys given
 * beside it win over them. A {@code fs.cachefs.*} key this version does not know is ignored with a warning, not
 * refused: a Hadoop configuration is often shared by jobs running other versions, whose keys it then carries
 * ({@link #ignoredKeys()}). The keys {@code fs.cachefs.wrapped.<scheme>.impl} belong to {@link CachingFileSystem}.
 * <p>
 * Threading: immutable.
 */
public final class CacheSettings
{
    /** Prefix of every key. */
    public static final String PREFIX = "fs.cachefs.";
    /**
     * A {@code cachefs.conf} file whose settings apply under the {@code fs.cachefs.*} keys given beside it; none by
     * default.
     */
    public static final String CONFIG = PREFIX + "config";
    /**
     * Comma-separated cache images: block devices, image files (created at {@link #SIZE} when missing, in a directory
     * that exists), or existing directories (the image is then {@code <dir>/cachefs.img}). Required.
     */
    public static final String DIRS = PREFIX + CacheFsConfig.DIRS;
    /** The size a missing image is formatted at; without it a missing image is not created. */
    public static final String SIZE = PREFIX + CacheFsConfig.SIZE;
    /** {@code mtime-length} (default) or {@code none}: see {@link ValidationMode}. */
    public static final String VALIDATION = PREFIX + CacheFsConfig.VALIDATION;
    /**
     * How many free entries of {@link #DIRS} one process mounts, in order: 1 (default: each of N executors on a node
     * takes its own entry) up to the number of entries (one JVM per node using all of them).
     */
    public static final String MAX_IMAGES = PREFIX + CacheFsConfig.MAX_IMAGES;
    /** Bytes fetched from the wrapped file system per miss, aligned to this size: a power of two, 4k to 64m. */
    public static final String CHUNK_SIZE = PREFIX + CacheFsConfig.CHUNK_SIZE;
    /** Chunks fetched ahead of sequential reads in the background (0 to 64). */
    public static final String READAHEAD_CHUNKS = PREFIX + CacheFsConfig.READAHEAD_CHUNKS;
    /** Threads storing fetched chunks in the cache, per file system instance (1 to 64). */
    public static final String STORE_THREADS = PREFIX + CacheFsConfig.STORE_THREADS;
    /** Memory for chunks fetched and not yet stored, per file system instance (at least one chunk). */
    public static final String MAX_IN_FLIGHT = PREFIX + CacheFsConfig.MAX_IN_FLIGHT;
    /** Files whose cache entry stays open after their last stream closed, per image. */
    public static final String MAX_IDLE_FILES = PREFIX + CacheFsConfig.MAX_IDLE_FILES;
    /** Ranges of a vectored read closer than this are read as one. */
    public static final String VECTOR_MERGE_GAP = PREFIX + CacheFsConfig.VECTOR_MERGE_GAP;
    /** The read buffer of an input stream for reads smaller than it (4k to 16m). */
    public static final String BUFFER_SIZE = PREFIX + CacheFsConfig.BUFFER_SIZE;
    /** Streams of the wrapped file system kept open per file for fetching chunks (1 to 64). */
    public static final String ORIGIN_STREAMS = PREFIX + CacheFsConfig.ORIGIN_STREAMS;
    /** The name under which the cached files are kept in the images (1 to 255 characters). */
    public static final String NAMESPACE = PREFIX + CacheFsConfig.NAMESPACE;
    /**
     * The most memory for copies of hot pages above each image (the RAM tier, off-heap; 0 turns it off): see
     * {@link MountOptions#ramTierBytes()}.
     */
    public static final String RAM_TIER_SIZE = PREFIX + CacheFsConfig.RAM_TIER_SIZE;
    /** Whether each file system's cache statistics are registered with the platform MBean server. */
    public static final String JMX = PREFIX + CacheFsConfig.JMX;
    /** Culling stops at this free space, in percent (0 to 99, above {@link #BCULL}). */
    public static final String BRUN = PREFIX + CacheFsConfig.BRUN;
    /** Culling starts below this free space, in percent (0 to 99, above {@link #BSTOP}). */
    public static final String BCULL = PREFIX + CacheFsConfig.BCULL;
    /** New pages are refused below this free space, in percent (0 to 99). */
    public static final String BSTOP = PREFIX + CacheFsConfig.BSTOP;
    /** Whether a background thread culls when free space falls below {@link #BCULL}. */
    public static final String BACKGROUND_CULLING = PREFIX + CacheFsConfig.BACKGROUND_CULLING;
    /** Objects holding more than this share of the data region are culled by page range (1 to 100 percent). */
    public static final String LARGE_OBJECT_PERCENT = PREFIX + CacheFsConfig.LARGE_OBJECT_PERCENT;
    /** Seconds between commits of a mounted image (0 to 3600; 0 commits only on sync and unmount). */
    public static final String COMMIT_INTERVAL = PREFIX + CacheFsConfig.COMMIT_INTERVAL;
    /** Clean index and page-map nodes kept decoded in memory per image (16 to 1048576). */
    public static final String NODE_CACHE_SIZE = PREFIX + CacheFsConfig.NODE_CACHE_SIZE;
    /** Modified nodes that may wait for a commit before one is forced (64 to 1048576). */
    public static final String MAX_DIRTY_NODES = PREFIX + CacheFsConfig.MAX_DIRTY_NODES;
    /** Whether page writes to consecutive blocks are gathered into runs of one I/O each. */
    public static final String WRITE_BEHIND = PREFIX + CacheFsConfig.WRITE_BEHIND;
    /** Threads writing write-behind runs to the device (1 to 64). */
    public static final String WRITE_THREADS = PREFIX + CacheFsConfig.WRITE_THREADS;

    /** The default of {@link #VALIDATION}. */
    public static final String DEFAULT_VALIDATION = CacheFsConfig.DEFAULT_VALIDATION;
    /** The default of {@link #MAX_IMAGES}. */
    public static final int DEFAULT_MAX_IMAGES = CacheFsConfig.DEFAULT_MAX_IMAGES;
    /** The default of {@link #BUFFER_SIZE}: 64 KiB. */
    public static final int DEFAULT_BUFFER_SIZE = CacheFsConfig.DEFAULT_BUFFER_SIZE;
    /** The default of {@link #ORIGIN_STREAMS}. */
    public static final int DEFAULT_ORIGIN_STREAMS = CacheFsConfig.DEFAULT_ORIGIN_STREAMS;
    /** The default of {@link #NAMESPACE}, where a {@code cachefs.conf} file's is {@code default}. */
    public static final String DEFAULT_NAMESPACE = "hadoop";

    private static final System.Logger LOG = System.getLogger("org.cachefs.hadoop");

    /**
     * When a cached file's pages are trusted.
     */
    public enum ValidationMode
    {
        /**
         * A file's version is its modification time and its length, from the status the open had (a
         * {@code getFileStatus}, or the one given to {@code openFile().withFileStatus}): a file whose modification
         * time or length changed is fetched afresh and its old pages are dropped.
         */
        MTIME_LENGTH("mtime-length"),
        /**
         * A file's version is its length alone: for immutable data (data lakes whose files are never rewritten in
         * place), cached pages are trusted whatever the modification time says, and an {@code openFile()} given
         * the file's length ({@code fs.option.openfile.length}) asks the wrapped file system nothing. Bytes past the
         * length an open sees are never returned.
         */
        NONE("none");

        private final String key;

        ValidationMode(final String key)
        {
            this.key = key;
        }

        /** @return the value of {@link #VALIDATION} that selects it. */
        public String key()
        {
            return key;
        }
    }


    private final List<CacheImage> images;
    private final ValidationMode validation;
    private final int maxImages;
    private final int bufferSize;
    private final int originStreams;
    private final boolean jmx;
    private final ReadThroughOptions options;
    private final List<String> ignoredKeys;

    private CacheSettings(final Configuration conf)
    {
        final Map<String, String> given = new TreeMap<>();
        final List<String> ignored = new ArrayList<>();
        for (final Map.Entry<String, String> entry : conf.getPropsWithPrefix(PREFIX).entrySet())
        {
            final String name = entry.getKey();
            if (CacheFsConfig.recognizes(name))
            {
                given.put(name, entry.getValue());
            }
            else if (!name.startsWith("wrapped.") && !(PREFIX + name).equals(CONFIG))
            {
                ignored.add(PREFIX + name);
            }
        }
        ignored.sort(null);
        this.ignoredKeys = List.copyOf(ignored);
        final CacheFsConfig config = config(conf.getTrimmed(CONFIG, ""), given);
        for (final String key : ignoredKeys)
        {
            LOG.log(System.Logger.Level.WARNING, "cachefs: ignoring " + key + ": not a setting of this version");
        }
        this.images = config.requireImages();
        this.validation = validation(config.validation());
        this.maxImages = config.maxImages();
        this.bufferSize = config.bufferSize();
        this.originStreams = config.originStreams();
        this.jmx = config.jmx();
        this.options = ReadThroughOptions.builder()
            .namespace(config.isSet(CacheFsConfig.NAMESPACE) ? config.namespace() : DEFAULT_NAMESPACE)
            .chunkSize(config.chunkSize())
            .readaheadChunks(config.readaheadChunks())
            .storeThreads(config.storeThreads())
            .maxInFlightBytes(config.maxInFlightBytes())
            .maxIdleFiles(config.maxIdleFiles())
            .vectorMergeGap(config.vectorMergeGap())
            .mountOptions(config.mountOptions())
            // The file system decides the version on every open (ValidationMode); the cache never stats.
            .validation(Validation.ALWAYS)
            .jmx(jmx)
            .build();
    }

    /**
     * Reads the settings.
     *
     * @param conf the configuration of the file system being initialized.
     * @return the settings, each checked.
     * @throws CacheFsConfigException naming the key (or the line of the {@link #CONFIG} file) whose value is missing
     *                                or out of range.
     */
    public static CacheSettings from(final Configuration conf)
    {
        return new CacheSettings(conf);
    }

    /** @return the entries of {@link #DIRS}, in order, each with {@link #SIZE} as its format size. */
    public List<CacheImage> images()
    {
        return images;
    }

    /** @return how a cached file is checked against the wrapped file system ({@link #VALIDATION}). */
    public ValidationMode validation()
    {
        return validation;
    }

    /** @return how many free entries of {@link #DIRS} this process mounts ({@link #MAX_IMAGES}). */
    public int maxImages()
    {
        return maxImages;
    }

    /** @return the read buffer of an input stream in bytes ({@link #BUFFER_SIZE}). */
    public int bufferSize()
    {
        return bufferSize;
    }

    /** @return the streams of the wrapped file system kept open per file ({@link #ORIGIN_STREAMS}). */
    public int originStreams()
    {
        return originStreams;
    }

    /** @return whether the cache statistics are registered as an MBean ({@link #JMX}). */
    public boolean jmx()
    {
        return jmx;
    }

    /**
     * @return the {@code fs.cachefs.*} keys of the configuration that are not settings of this version, in name
     * order: each was ignored with a warning.
     */
    public List<String> ignoredKeys()
    {
        return ignoredKeys;
    }

    /**
     * @param chosen the images this process mounts.
     * @return the read-through options over those images.
     */
    ReadThroughOptions options(final List<CacheImage> chosen, final boolean withJmx)
    {
        final ReadThroughOptions.Builder builder = ReadThroughOptions.builder()
            .namespace(options.namespace())
            .chunkSize(options.chunkSize())
            .readaheadChunks(options.readaheadChunks())
            .validation(options.validation())
            .storeThreads(options.storeThreads())
            .maxInFlightBytes(options.maxInFlightBytes())
            .maxIdleFiles(options.maxIdleFiles())
            .vectorMergeGap(options.vectorMergeGap())
            .mountOptions(options.mountOptions())
            .jmx(withJmx);
        chosen.forEach(builder::image);
        return builder.build();
    }

    /** @return the read-through options without images (their chunking and merging). */
    public ReadThroughOptions options()
    {
        return options;

    }

    private static CacheFsConfig config(final String file, final Map<String, String> given)
    {
        if (file.isEmpty())
        {
            return CacheFsConfig.of(given, PREFIX);
        }
        final CacheFsConfig fromFile;
        try
        {
            fromFile = CacheFsConfig.parse(Path.of(file));
        }
        catch (final NoSuchFileException ex)
        {
            throw new CacheFsConfigException(CONFIG + " names " + file + ": no such file");
        }
        catch (final AccessDeniedException ex)
        {
            throw new CacheFsConfigException(CONFIG + " names " + file + ": permission denied");
        }
        catch (final IOException ex)
        {
            throw new CacheFsConfigException(CONFIG + " names " + file + ", which cannot be read: " + ex);
        }
        return fromFile.overriddenBy(given, PREFIX);
    }

    private static ValidationMode validation(final String value)
    {
        for (final ValidationMode mode : ValidationMode.values())
        {
            if (mode.key.equals(value))
            {
                return mode;
            }
        }
        throw new IllegalStateException("the parser let through " + VALIDATION + "=" + value);
    }
}
