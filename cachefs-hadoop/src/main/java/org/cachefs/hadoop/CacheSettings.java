package org.cachefs.hadoop;

import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;

import org.apache.hadoop.conf.Configuration;
import org.cachefs.readthrough.CacheImage;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.readthrough.ReadThroughOptions;
import org.cachefs.readthrough.Validation;

/**
 * The {@code fs.cachefs.*} settings of a {@link CachingFileSystem}, read once from its {@link Configuration} and
 * validated with messages that name the key. Sizes accept Hadoop's suffixes ({@code 64k}, {@code 1m}, {@code 10g}).
 * <p>
 * Threading: immutable.
 */
public final class CacheSettings
{
    /** Prefix of every key. */
    public static final String PREFIX = "fs.cachefs.";
    /**
     * Comma-separated cache images: block devices, image files (created at {@link #SIZE} when missing, in a directory
     * that exists), or existing directories (the image is then {@code <dir>/cachefs.img}). Required.
     */
    public static final String DIRS = PREFIX + "dirs";
    /** The size a missing image is formatted at; without it a missing image is not created. */
    public static final String SIZE = PREFIX + "size";
    /** {@code mtime-length} (default) or {@code none}: see {@link ValidationMode}. */
    public static final String VALIDATION = PREFIX + "validation";
    /**
     * How many free entries of {@link #DIRS} one process mounts, in order: 1 (default: each of N executors on a node
     * takes its own entry) up to the number of entries (one JVM per node using all of them).
     */
    public static final String MAX_IMAGES = PREFIX + "max.images";
    /** Bytes fetched from the wrapped file system per miss, aligned to this size: a power of two, 4k to 64m. */
    public static final String CHUNK_SIZE = PREFIX + "chunk.size";
    /** Chunks fetched ahead of sequential reads in the background (0 to 64). */
    public static final String READAHEAD_CHUNKS = PREFIX + "readahead.chunks";
    /** Threads storing fetched chunks in the cache, per file system instance (1 to 64). */
    public static final String STORE_THREADS = PREFIX + "store.threads";
    /** Memory for chunks fetched and not yet stored, per file system instance (at least one chunk). */
    public static final String MAX_IN_FLIGHT = PREFIX + "max.in.flight";
    /** Files whose cache entry stays open after their last stream closed, per image. */
    public static final String MAX_IDLE_FILES = PREFIX + "max.idle.files";
    /** Ranges of a vectored read closer than this are read as one. */
    public static final String VECTOR_MERGE_GAP = PREFIX + "vector.merge.gap";
    /** The read buffer of an input stream for reads smaller than it (4k to 16m). */
    public static final String BUFFER_SIZE = PREFIX + "buffer.size";
    /** Streams of the wrapped file system kept open per file for fetching chunks (1 to 64). */
    public static final String ORIGIN_STREAMS = PREFIX + "origin.streams";
    /** The name under which the cached files are kept in the images (1 to 255 characters). */
    public static final String NAMESPACE = PREFIX + "namespace";
    /**
     * The most memory for copies of hot pages above each image (the RAM tier, off-heap; 0 turns it off): see
     * {@link MountOptions#ramTierBytes()}.
     */
    public static final String RAM_TIER_SIZE = PREFIX + "ram.tier.size";
    /** Whether each file system's cache statistics are registered with the platform MBean server. */
    public static final String JMX = PREFIX + "jmx";

    /** The default of {@link #VALIDATION}. */
    public static final String DEFAULT_VALIDATION = "mtime-length";
    /** The default of {@link #MAX_IMAGES}. */
    public static final int DEFAULT_MAX_IMAGES = 1;
    /** The default of {@link #BUFFER_SIZE}: 64 KiB. */
    public static final int DEFAULT_BUFFER_SIZE = 64 << 10;
    /** The default of {@link #ORIGIN_STREAMS}. */
    public static final int DEFAULT_ORIGIN_STREAMS = 4;
    /** The default of {@link #NAMESPACE}. */
    public static final String DEFAULT_NAMESPACE = "hadoop";

    /** The read-through option each key sets, to name the key when the option is refused. */
    private static final Map<String, String> OPTION_KEYS = Map.of(
        "namespace", NAMESPACE,
        "chunkSize", CHUNK_SIZE,
        "readaheadChunks", READAHEAD_CHUNKS,
        "storeThreads", STORE_THREADS,
        "maxInFlightBytes", MAX_IN_FLIGHT,
        "maxIdleFiles", MAX_IDLE_FILES,
        "vectorMergeGap", VECTOR_MERGE_GAP);

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
    private final long size;
    private final ValidationMode validation;
    private final int maxImages;
    private final int bufferSize;
    private final int originStreams;
    private final boolean jmx;
    private final ReadThroughOptions options;

    private CacheSettings(final Configuration conf)
    {
        this.size = bytes(conf, SIZE, 0);
        if (size < 0)
        {
            throw new IllegalArgumentException(SIZE + " must be >= 0: " + conf.get(SIZE));
        }
        this.images = images(conf, size);
        this.validation = validation(conf.getTrimmed(VALIDATION, DEFAULT_VALIDATION));
        this.maxImages = (int)range(conf, MAX_IMAGES, DEFAULT_MAX_IMAGES, 1, Integer.MAX_VALUE);
        this.bufferSize = (int)range(conf, BUFFER_SIZE, DEFAULT_BUFFER_SIZE, 4096, 16 << 20);
        this.originStreams = (int)range(conf, ORIGIN_STREAMS, DEFAULT_ORIGIN_STREAMS, 1, 64);
        this.jmx = conf.getBoolean(JMX, true);
        final ReadThroughOptions.Builder builder = ReadThroughOptions.builder()
            .namespace(conf.getTrimmed(NAMESPACE, DEFAULT_NAMESPACE))
            .chunkSize(intBytes(conf, CHUNK_SIZE, ReadThroughOptions.DEFAULT_CHUNK_SIZE))
            .readaheadChunks(intBytes(conf, READAHEAD_CHUNKS, 0))
            .storeThreads(intBytes(conf, STORE_THREADS, ReadThroughOptions.DEFAULT_STORE_THREADS))
            .maxInFlightBytes(bytes(conf, MAX_IN_FLIGHT, ReadThroughOptions.DEFAULT_MAX_IN_FLIGHT_BYTES))
            .maxIdleFiles(intBytes(conf, MAX_IDLE_FILES, ReadThroughOptions.DEFAULT_MAX_IDLE_FILES))
            .vectorMergeGap(intBytes(conf, VECTOR_MERGE_GAP, ReadThroughOptions.DEFAULT_VECTOR_MERGE_GAP))
            .mountOptions(MountOptions.defaults().withRamTierBytes(range(conf, RAM_TIER_SIZE,
                MountOptions.DEFAULT_RAM_TIER_BYTES, 0, MountOptions.MAX_RAM_TIER_BYTES)))
            // The file system decides the version on every open (ValidationMode); the cache never stats.
            .validation(Validation.ALWAYS)
            .jmx(jmx);
        try
        {
            this.options = builder.build();
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(keyOf(ex.getMessage()) + ex.getMessage(), ex);
        }
    }

    /**
     * Reads the settings.
     *
     * @param conf the configuration of the file system being initialized.
     * @return the settings, each checked.
     * @throws IllegalArgumentException naming the key whose value is missing or out of range.
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

    private static List<CacheImage> images(final Configuration conf, final long size)
    {
        final String[] entries = conf.getTrimmedStrings(DIRS);
        if (entries.length == 0)
        {
            throw new IllegalArgumentException(DIRS + " is not set: name one or more block devices, image files or " +
                "directories (comma-separated) for the cache");
        }
        final List<CacheImage> list = new ArrayList<>(entries.length);
        for (final String entry : entries)
        {
            if (entry.isEmpty())
            {
                continue;
            }
            final CacheImage image = new CacheImage(Path.of(entry), size);
            if (list.contains(image))
            {
                throw new IllegalArgumentException(DIRS + " names " + entry + " twice: " + conf.get(DIRS));
            }
            list.add(image);
        }
        return List.copyOf(list);
    }

    private static ValidationMode validation(final String value)
    {
        for (final ValidationMode mode : ValidationMode.values())
        {
            if (mode.key.equals(value.toLowerCase(Locale.ROOT)))
            {
                return mode;
            }
        }
        throw new IllegalArgumentException(VALIDATION + " must be mtime-length or none: " + value);
    }

    private static long bytes(final Configuration conf, final String key, final long defaultValue)
    {
        try
        {
            return conf.getLongBytes(key, defaultValue);
        }
        catch (final IllegalArgumentException ex)
        {
            throw new IllegalArgumentException(key + " is not a number of bytes (such as 4096, 64k, 1m, 10g): " +
                conf.get(key), ex);
        }
    }

    private static int intBytes(final Configuration conf, final String key, final long defaultValue)
    {
        final long value = bytes(conf, key, defaultValue);
        if (value > Integer.MAX_VALUE || value < Integer.MIN_VALUE)
        {
            throw new IllegalArgumentException(key + " is too large: " + conf.get(key));
        }
        return (int)value;
    }

    private static long range(final Configuration conf, final String key, final long defaultValue, final long min,
        final long max)
    {
        final long value = bytes(conf, key, defaultValue);
        if (value < min || value > max)
        {
            throw new IllegalArgumentException(key + " must be " + min + " to " + max + ": " + conf.get(key));
        }
        return value;
    }

    private static String keyOf(final String message)
    {
        if (null != message)
        {
            for (final Map.Entry<String, String> option : OPTION_KEYS.entrySet())
            {
                if (message.startsWith(option.getKey() + " "))
                {
                    return option.getValue() + ": ";
                }
            }
        }
        return "";
    }
}
