package org.cachefs.config;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;

import org.cachefs.cachefs.CullingThresholds;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.readthrough.CacheImage;
import org.cachefs.readthrough.ReadThroughOptions;

/**
 * The settings of a cache, parsed and checked once: from a {@code cachefs.conf} file ({@link #parse(Path)}) or from
 * named entries such as the Hadoop file system's {@code fs.cachefs.*} keys with their prefix taken off
 * ({@link #of(Map, String)}). Both know the same names, ranges and messages; every refusal is a
 * {@link CacheFsConfigException} whose one-line message starts with where the setting was given.
 * <p>
 * The file holds one setting per line, its name, blanks, then its value (the rest of the line, blanks at either end
 * taken off), as cachefilesd's {@code /etc/cachefilesd.conf}: {@code chunk.size 256k}. A line whose first non-blank
 * character is {@code #} is a comment; blank lines are skipped; {@code =} between name and value is refused. Each name
 * may be given once; an unknown name is refused; cachefilesd's {@code frun}, {@code fcull} and {@code fstop} are
 * refused as unsupported (cachefs culls by space alone, see {@link CullingThresholds}). A setting not given has its
 * default.
 * <p>
 * Values: byte sizes are a whole number with an optional suffix {@code k, m, g, t, p, e} (binary, either case), as
 * Hadoop's {@code Configuration.getLongBytes}; counts and seconds are whole numbers; percentages a whole number with
 * an optional {@code %}; booleans {@code true} or {@code false} in either case; {@code dirs} is a comma-separated
 * list of paths.
 * <p>
 * Threading: immutable; parsed on the caller's thread.
 */
public final class CacheFsConfig
{
    /** Comma-separated cache images: block devices, image files, or directories holding {@code cachefs.img}. */
    public static final String DIRS = "dirs";
    /** The size a missing image is formatted at, in bytes; 0 (the default) never formats. */
    public static final String SIZE = "size";
    /** The Hadoop file system's version check: {@code mtime-length} (the default) or {@code none}. */
    public static final String VALIDATION = "validation";
    /** How many free entries of {@link #DIRS} one Hadoop process mounts. */
    public static final String MAX_IMAGES = "max.images";
    /** Bytes fetched from the origin per miss: {@link ReadThroughOptions#chunkSize()}. */
    public static final String CHUNK_SIZE = "chunk.size";
    /** Chunks fetched ahead of a read: {@link ReadThroughOptions#readaheadChunks()}. */
    public static final String READAHEAD_CHUNKS = "readahead.chunks";
    /** Threads storing fetched chunks: {@link ReadThroughOptions#storeThreads()}. */
    public static final String STORE_THREADS = "store.threads";
    /** Memory for chunks fetched and not yet stored: {@link ReadThroughOptions#maxInFlightBytes()}. */
    public static final String MAX_IN_FLIGHT = "max.in.flight";
    /** Files kept open after their last handle closed: {@link ReadThroughOptions#maxIdleFiles()}. */
    public static final String MAX_IDLE_FILES = "max.idle.files";
    /** Ranges of a vectored read this close together are read as one: {@link ReadThroughOptions#vectorMergeGap()}. */
    public static final String VECTOR_MERGE_GAP = "vector.merge.gap";
    /** The read buffer of a Hadoop input stream. */
    public static final String BUFFER_SIZE = "buffer.size";
    /** Streams of the wrapped Hadoop file system kept open per file. */
    public static final String ORIGIN_STREAMS = "origin.streams";
    /** The name the cached files are kept under in the images: {@link ReadThroughOptions#namespace()}. */
    public static final String NAMESPACE = "namespace";
    /** The RAM tier's size: {@link MountOptions#ramTierBytes()}. */
    public static final String RAM_TIER_SIZE = "ram.tier.size";
    /** Whether the statistics are registered with the platform MBean server: {@link ReadThroughOptions#jmx()}. */
    public static final String JMX = "jmx";
    /** Culling stops at this free space, in percent: {@link CullingThresholds#brun()}. */
    public static final String BRUN = "brun";
    /** Culling starts below this free space, in percent: {@link CullingThresholds#bcull()}. */
    public static final String BCULL = "bcull";
    /** New pages are refused below this free space, in percent: {@link CullingThresholds#bstop()}. */
    public static final String BSTOP = "bstop";
    /** Whether a background thread culls: {@link MountOptions#backgroundCulling()}. */
    public static final String BACKGROUND_CULLING = "background.culling";
    /** Objects over this share of the data region are culled by page range: {@link MountOptions#largeObjectPercent()}. */
    public static final String LARGE_OBJECT_PERCENT = "large.object.percent";
    /** Seconds between commits of a mounted cache: {@link MountOptions#commitIntervalSeconds()}. */
    public static final String COMMIT_INTERVAL = "commit.interval";
    /** Clean nodes kept decoded in memory: {@link MountOptions#nodeCacheSize()}. */
    public static final String NODE_CACHE_SIZE = "node.cache.size";
    /** Modified nodes that may wait for a commit: {@link MountOptions#maxDirtyNodes()}. */
    public static final String MAX_DIRTY_NODES = "max.dirty.nodes";
    /** Whether page writes are gathered into runs: {@link MountOptions#writeBehind()}. */
    public static final String WRITE_BEHIND = "write.behind";
    /** Threads writing write-behind runs: {@link MountOptions#writeThreads()}. */
    public static final String WRITE_THREADS = "write.threads";

    /** The default of {@link #VALIDATION}. */
    public static final String DEFAULT_VALIDATION = "mtime-length";
    /** The default of {@link #MAX_IMAGES}. */
    public static final int DEFAULT_MAX_IMAGES = 1;
    /** The default of {@link #BUFFER_SIZE}: 64 KiB. */
    public static final int DEFAULT_BUFFER_SIZE = 64 << 10;
    /** The default of {@link #ORIGIN_STREAMS}. */
    public static final int DEFAULT_ORIGIN_STREAMS = 4;

    private static final Set<String> NAMES = Collections.unmodifiableSet(new LinkedHashSet<>(List.of(
        DIRS, SIZE, VALIDATION, MAX_IMAGES, CHUNK_SIZE, READAHEAD_CHUNKS, STORE_THREADS, MAX_IN_FLIGHT,
        MAX_IDLE_FILES, VECTOR_MERGE_GAP, BUFFER_SIZE, ORIGIN_STREAMS, NAMESPACE, RAM_TIER_SIZE, JMX, BRUN, BCULL,
        BSTOP, BACKGROUND_CULLING, LARGE_OBJECT_PERCENT, COMMIT_INTERVAL, NODE_CACHE_SIZE, MAX_DIRTY_NODES,
        WRITE_BEHIND, WRITE_THREADS)));
    /** cachefilesd's file-count limits, which cachefs has no counterpart of. */
    private static final Set<String> UNSUPPORTED = Set.of("frun", "fcull", "fstop");
    private static final String THRESHOLD_ORDER = " (0 <= bstop < bcull < brun < 100)";

    /**
     * One setting as given.
     *
     * @param name     its name, without any prefix.
     * @param value    its value, blanks at either end taken off.
     * @param line     its line in the file, or 0 when it is not from a file.
     * @param location where it was given ({@code cachefs.conf:12}), or null when its label says enough.
     * @param label    the name as the user wrote it ({@code chunk.size}, {@code fs.cachefs.chunk.size}).
     */
    private record Entry(String name, String value, int line, String location, String label)
    {
        String subject()
        {
            return null == location ? label : location + ": " + label;
        }
    }

    private final String source;
    private final String missingPrefix;
    private final Map<String, Entry> entries;
    private final List<CacheImage> images;
    private final long size;
    private final String validation;
    private final int maxImages;
    private final int chunkSize;
    private final int readaheadChunks;
    private final int storeThreads;
    private final long maxInFlightBytes;
    private final int maxIdleFiles;
    private final int vectorMergeGap;
    private final int bufferSize;
    private final int originStreams;
    private final String namespace;
    private final boolean jmx;
    private final MountOptions mountOptions;

    private CacheFsConfig(final String source, final String missingPrefix, final Map<String, Entry> entries)
    {
        this.source = source;
        this.missingPrefix = missingPrefix;
        this.entries = Collections.unmodifiableMap(new LinkedHashMap<>(entries));
        this.size = bytes(SIZE, 0, 0, Long.MAX_VALUE);
        this.images = dirs(size);
        this.validation = checkedValidation();
        this.maxImages = (int)count(MAX_IMAGES, DEFAULT_MAX_IMAGES, 1, Integer.MAX_VALUE);
        this.chunkSize = checkedChunkSize();
        this.readaheadChunks = (int)count(READAHEAD_CHUNKS, 0, 0, 64);
        this.storeThreads = (int)count(STORE_THREADS, ReadThroughOptions.DEFAULT_STORE_THREADS, 1, 64);
        this.maxInFlightBytes = maxInFlight(chunkSize);
        this.maxIdleFiles = (int)count(MAX_IDLE_FILES, ReadThroughOptions.DEFAULT_MAX_IDLE_FILES, 0,
            Integer.MAX_VALUE);
        this.vectorMergeGap = (int)bytes(VECTOR_MERGE_GAP, ReadThroughOptions.DEFAULT_VECTOR_MERGE_GAP, 0,
            Integer.MAX_VALUE);
        this.bufferSize = (int)bytes(BUFFER_SIZE, DEFAULT_BUFFER_SIZE, 4096, 16 << 20);
        this.originStreams = (int)count(ORIGIN_STREAMS, DEFAULT_ORIGIN_STREAMS, 1, 64);
        this.namespace = checkedNamespace();
        this.jmx = bool(JMX, true);
        this.mountOptions = MountOptions.defaults()
            .withCommitIntervalSeconds((int)count(COMMIT_INTERVAL, MountOptions.DEFAULT_COMMIT_INTERVAL_SECONDS, 0,
                3600))
            .withNodeCacheSize((int)count(NODE_CACHE_SIZE, MountOptions.DEFAULT_NODE_CACHE_SIZE, 16, 1 << 20))
            .withMaxDirtyNodes((int)count(MAX_DIRTY_NODES, MountOptions.DEFAULT_MAX_DIRTY_NODES, 64, 1 << 20))
            .withThresholds(thresholds())
            .withBackgroundCulling(bool(BACKGROUND_CULLING, true))
            .withLargeObjectPercent(percent(LARGE_OBJECT_PERCENT, MountOptions.DEFAULT_LARGE_OBJECT_PERCENT, 1, 100))
            .withWriteBehind(bool(WRITE_BEHIND, true))
            .withWriteThreads((int)count(WRITE_THREADS, MountOptions.DEFAULT_WRITE_THREADS, 1, 64))
            .withRamTierBytes(bytes(RAM_TIER_SIZE, MountOptions.DEFAULT_RAM_TIER_BYTES, 0,
                MountOptions.MAX_RAM_TIER_BYTES));
    }

    /**
     * Parses a {@code cachefs.conf} file; messages name it as given ({@code conf/cachefs.conf:3: ...}).
     *
     * @param file the file, UTF-8.
     * @return its settings, each checked.
     * @throws IOException             if the file cannot be read.
     * @throws CacheFsConfigException naming the line of a setting that cannot be used.
     */
    public static CacheFsConfig parse(final Path file) throws IOException
    {
        try (Reader reader = Files.newBufferedReader(file, StandardCharsets.UTF_8))
        {
            return parse(reader, file.toString());
        }
    }

    /**
     * Parses the text of a {@code cachefs.conf} file.
     *
     * @param text       the text.
     * @param sourceName how messages name the text, before the line number ({@code cachefs.conf}).
     * @return its settings, each checked.
     * @throws IOException            if {@code text} cannot be read.
     * @throws CacheFsConfigException naming the line of a setting that cannot be used.
     */
    public static CacheFsConfig parse(final Reader text, final String sourceName) throws IOException
    {
        final BufferedReader reader = text instanceof BufferedReader ? (BufferedReader)text : new BufferedReader(text);
        final Map<String, Entry> entries = new LinkedHashMap<>();
        int number = 0;
        for (String line = reader.readLine(); null != line; line = reader.readLine())
        {
            number++;
            final String stripped = line.strip();
            if (stripped.isEmpty() || stripped.startsWith("#"))
            {
                continue;
            }
            final String location = sourceName + ":" + number;
            int end = 0;
            while (end < stripped.length() && !Character.isWhitespace(stripped.charAt(end)))
            {
                end++;
            }
            final String name = stripped.substring(0, end);
            final String value = stripped.substring(end).strip();
            if (name.contains("=") || value.startsWith("="))
            {
                throw new CacheFsConfigException(location + ": '" + stripped + "': write the name and the value " +
                    "separated by blanks, without '='");
            }
            checkName(location + ": ", name, name);
            if (value.isEmpty())
            {
                throw new CacheFsConfigException(location + ": " + name + " has no value");
            }
            final Entry first = entries.get(name);
            if (null != first)
            {
                throw new CacheFsConfigException(location + ": duplicate key " + name + " (first given on line " +
                    first.line() + ")");
            }
            entries.put(name, new Entry(name, value, number, location, name));
        }
        return new CacheFsConfig(sourceName, sourceName + ": ", entries);
    }

    /**
     * Checks named settings that come from elsewhere than a file, such as the Hadoop file system's
     * {@code fs.cachefs.*} keys with the prefix taken off; messages name each key with the prefix
     * ({@code fs.cachefs.chunk.size must be ...}).
     *
     * @param entries   the settings by name, without the prefix; values have blanks at either end taken off.
     * @param keyPrefix the prefix messages put before each name ({@code fs.cachefs.}), or "".
     * @return the settings, each checked.
     * @throws CacheFsConfigException naming a key that cannot be used.
     */
    public static CacheFsConfig of(final Map<String, String> entries, final String keyPrefix)
    {
        return new CacheFsConfig(keyPrefix.isEmpty() ? "settings" : keyPrefix + "*", keyPrefix,
            checkValues(entriesOf(entries, keyPrefix)));
    }

    /**
     * These settings with some replaced or added: the Hadoop keys given beside a {@code cachefs.conf} file win over
     * the file's entries. Messages name each setting where it was given.
     *
     * @param overrides the settings that win, by name, without the prefix.
     * @param keyPrefix the prefix messages put before each name of {@code overrides}.
     * @return the settings, each checked.
     * @throws CacheFsConfigException naming a setting that cannot be used.
     */
    public CacheFsConfig overriddenBy(final Map<String, String> overrides, final String keyPrefix)
    {
        final Map<String, Entry> merged = new LinkedHashMap<>(entries);
        merged.putAll(entriesOf(overrides, keyPrefix));
        return new CacheFsConfig(source, keyPrefix, checkValues(merged));
    }

    /**
     * @param name a setting's name, without any prefix.
     * @return whether the parser reads it: one of the known names, or one it refuses as unsupported
     * ({@code frun}, {@code fcull}, {@code fstop}).
     */
    public static boolean recognizes(final String name)
    {
        return NAMES.contains(name) || UNSUPPORTED.contains(name);
    }

    /** @return every setting's name, in the order the documentation lists them. */
    public static Set<String> names()
    {
        return NAMES;
    }

    /**
     * @return where the settings came from: the file as given, the key prefix and {@code *} ({@code fs.cachefs.*}),
     * or {@code settings} for entries without a prefix.
     */
    public String source()
    {
        return source;
    }

    /**
     * @param name a setting's name.
     * @return whether it was given (rather than left at its default).
     */
    public boolean isSet(final String name)
    {
        return entries.containsKey(name);
    }

    /** @return the entries of {@link #DIRS}, in order, each with {@link #SIZE} as its format size; empty if none. */
    public List<CacheImage> images()
    {
        return images;
    }

    /**
     * @return {@link #images()}, which must not be empty.
     * @throws CacheFsConfigException if {@link #DIRS} was not given.
     */
    public List<CacheImage> requireImages()
    {
        if (images.isEmpty())
        {
            throw new CacheFsConfigException(missingPrefix + DIRS + " is not set: name one or more block devices, " +
                "image files or directories (comma-separated) for the cache");
        }
        return images;
    }

    /** @return the format size of a missing image ({@link #SIZE}); 0 never formats. */
    public long size()
    {
        return size;
    }

    /** @return {@link #VALIDATION}: {@code mtime-length} or {@code none}, in lower case. */
    public String validation()
    {
        return validation;
    }

    /** @return {@link #MAX_IMAGES}. */
    public int maxImages()
    {
        return maxImages;
    }

    /** @return {@link #CHUNK_SIZE} in bytes. */
    public int chunkSize()
    {
        return chunkSize;
    }

    /** @return {@link #READAHEAD_CHUNKS}. */
    public int readaheadChunks()
    {
        return readaheadChunks;
    }

    /** @return {@link #STORE_THREADS}. */
    public int storeThreads()
    {
        return storeThreads;
    }

    /** @return {@link #MAX_IN_FLIGHT} in bytes. */
    public long maxInFlightBytes()
    {
        return maxInFlightBytes;
    }

    /** @return {@link #MAX_IDLE_FILES}. */
    public int maxIdleFiles()
    {
        return maxIdleFiles;
    }

    /** @return {@link #VECTOR_MERGE_GAP} in bytes. */
    public int vectorMergeGap()
    {
        return vectorMergeGap;
    }

    /** @return {@link #BUFFER_SIZE} in bytes. */
    public int bufferSize()
    {
        return bufferSize;
    }

    /** @return {@link #ORIGIN_STREAMS}. */
    public int originStreams()
    {
        return originStreams;
    }

    /** @return {@link #NAMESPACE}; {@link ReadThroughOptions#DEFAULT_NAMESPACE} when not given. */
    public String namespace()
    {
        return namespace;
    }

    /** @return {@link #JMX}. */
    public boolean jmx()
    {
        return jmx;
    }

    /**
     * @return the mount options: {@link MountOptions#defaults()} with {@link #COMMIT_INTERVAL},
     * {@link #NODE_CACHE_SIZE}, {@link #MAX_DIRTY_NODES}, {@link #BRUN}, {@link #BCULL}, {@link #BSTOP},
     * {@link #BACKGROUND_CULLING}, {@link #LARGE_OBJECT_PERCENT}, {@link #WRITE_BEHIND}, {@link #WRITE_THREADS} and
     * {@link #RAM_TIER_SIZE} applied.
     */
    public MountOptions mountOptions()
    {
        return mountOptions;
    }

    /**
     * A read-through builder holding these settings, to which the caller may add more:
     * {@code ReadThroughCache.open(origin, CacheFsConfig.parse(file).readThroughOptions().build())}.
     *
     * @return a new builder with the images of {@link #DIRS} (at {@link #SIZE}), {@link #NAMESPACE},
     * {@link #CHUNK_SIZE}, {@link #READAHEAD_CHUNKS}, {@link #STORE_THREADS}, {@link #MAX_IN_FLIGHT},
     * {@link #MAX_IDLE_FILES}, {@link #VECTOR_MERGE_GAP}, {@link #JMX} and {@link #mountOptions()}.
     */
    public ReadThroughOptions.Builder readThroughOptions()
    {
        final ReadThroughOptions.Builder builder = ReadThroughOptions.builder()
            .namespace(namespace)
            .chunkSize(chunkSize)
            .readaheadChunks(readaheadChunks)
            .storeThreads(storeThreads)
            .maxInFlightBytes(maxInFlightBytes)
            .maxIdleFiles(maxIdleFiles)
            .vectorMergeGap(vectorMergeGap)
            .mountOptions(mountOptions)
            .jmx(jmx);
        images.forEach(builder::image);
        return builder;
    }

    private static Map<String, Entry> entriesOf(final Map<String, String> given, final String keyPrefix)
    {
        final Map<String, Entry> entries = new LinkedHashMap<>();
        for (final Map.Entry<String, String> entry : new TreeMap<>(given).entrySet())
        {
            final String name = entry.getKey();
            checkName("", name, keyPrefix + name);
            final String value = null == entry.getValue() ? "" : entry.getValue().strip();
            entries.put(name, new Entry(name, value, 0, null, keyPrefix + name));
        }
        return entries;
    }

    private static void checkName(final String location, final String name, final String label)
    {
        if (UNSUPPORTED.contains(name))
        {
            throw new CacheFsConfigException(location + label + " is not supported: cachefs has no file-count " +
                "culling; it culls by free space alone (brun, bcull, bstop)");
        }
        if (!NAMES.contains(name))
        {
            throw new CacheFsConfigException(location + "unknown key " + label);
        }
    }

    private static Map<String, Entry> checkValues(final Map<String, Entry> entries)
    {
        for (final Entry entry : entries.values())
        {
            if (entry.value().isEmpty())
            {
                throw new CacheFsConfigException(entry.subject() + " has no value");
            }
        }
        return entries;
    }

    private List<CacheImage> dirs(final long formatSize)
    {
        final Entry entry = entries.get(DIRS);
        if (null == entry)
        {
            return List.of();
        }
        final List<CacheImage> list = new ArrayList<>();
        for (final String part : entry.value().split(","))
        {
            final String trimmed = part.strip();
            if (trimmed.isEmpty())
            {
                continue;
            }
            final CacheImage image = new CacheImage(Path.of(trimmed), formatSize);
            if (list.contains(image))
            {
                throw new CacheFsConfigException(entry.subject() + " names " + trimmed + " twice: " + entry.value());
            }
            list.add(image);
        }
        if (list.isEmpty())
        {
            throw new CacheFsConfigException(entry.subject() + " names no image: " + entry.value());
        }
        return List.copyOf(list);
    }

    private String checkedValidation()
    {
        final Entry entry = entries.get(VALIDATION);
        if (null == entry)
        {
            return DEFAULT_VALIDATION;
        }
        final String value = entry.value().toLowerCase(Locale.ROOT);
        if (!value.equals("mtime-length") && !value.equals("none"))
        {
            throw new CacheFsConfigException(entry.subject() + " must be mtime-length or none: " + entry.value());
        }
        return value;
    }

    private String checkedNamespace()
    {
        final Entry entry = entries.get(NAMESPACE);
        if (null == entry)
        {
            return ReadThroughOptions.DEFAULT_NAMESPACE;
        }
        if (entry.value().length() > 255)
        {
            throw new CacheFsConfigException(entry.subject() + " must be 1 to 255 characters: " + entry.value());
        }
        return entry.value();
    }

    private int checkedChunkSize()
    {
        final String allowed = "a power of two from 4096 to 67108864";
        final long value = bytes(CHUNK_SIZE, ReadThroughOptions.DEFAULT_CHUNK_SIZE, 4096, 64 << 20, allowed);
        if (Long.bitCount(value) != 1)
        {
            final Entry entry = entries.get(CHUNK_SIZE);
            throw new CacheFsConfigException(entry.subject() + " must be " + allowed + ": " + entry.value());
        }
        return (int)value;
    }

    private long maxInFlight(final int chunk)
    {
        final long value = bytes(MAX_IN_FLIGHT, ReadThroughOptions.DEFAULT_MAX_IN_FLIGHT_BYTES, 1, Long.MAX_VALUE);
        if (value < chunk)
        {
            final Entry entry = entries.get(MAX_IN_FLIGHT);
            if (null == entry)
            {
                final Entry chunkEntry = entries.get(CHUNK_SIZE);
                throw new CacheFsConfigException(chunkEntry.subject() + " must be at most max.in.flight (" + value +
                    "): " + chunkEntry.value());
            }
            throw new CacheFsConfigException(entry.subject() + " must be at least chunk.size (" + chunk + "): " +
                entry.value());
        }
        return value;
    }

    private CullingThresholds thresholds()
    {
        final CullingThresholds defaults = CullingThresholds.defaults();
        final int brun = percent(BRUN, defaults.brun(), 0, 99);
        final int bcull = percent(BCULL, defaults.bcull(), 0, 99);
        final int bstop = percent(BSTOP, defaults.bstop(), 0, 99);
        checkBelow(BSTOP, bstop, BCULL, bcull);
        checkBelow(BCULL, bcull, BRUN, brun);
        return new CullingThresholds(brun, bcull, bstop);
    }

    private void checkBelow(final String lowName, final int low, final String highName, final int high)
    {
        if (low < high)
        {
            return;
        }
        final Entry lowEntry = entries.get(lowName);
        if (null != lowEntry)
        {
            throw new CacheFsConfigException(lowEntry.subject() + " must be below " + highName + " (" + high + ")" +
                THRESHOLD_ORDER + ": " + lowEntry.value());
        }
        final Entry highEntry = entries.get(highName);
        throw new CacheFsConfigException(highEntry.subject() + " must be above " + lowName + " (" + low + ")" +
            THRESHOLD_ORDER + ": " + highEntry.value());
    }

    private boolean bool(final String name, final boolean defaultValue)
    {
        final Entry entry = entries.get(name);
        if (null == entry)
        {
            return defaultValue;
        }
        if (entry.value().equalsIgnoreCase("true"))
        {
            return true;
        }
        if (entry.value().equalsIgnoreCase("false"))
        {
            return false;
        }
        throw new CacheFsConfigException(entry.subject() + " must be true or false: " + entry.value());
    }

    private int percent(final String name, final int defaultValue, final int min, final int max)
    {
        final Entry entry = entries.get(name);
        if (null == entry)
        {
            return defaultValue;
        }
        final String value = entry.value();
        final String digits = value.endsWith("%") ? value.substring(0, value.length() - 1).strip() : value;
        final long percent = wholeNumber(digits);
        if (percent < min || percent > max)
        {
            throw new CacheFsConfigException(entry.subject() + " must be " + min + "% to " + max + "%: " + value);
        }
        return (int)percent;
    }

    private long count(final String name, final long defaultValue, final long min, final long max)
    {
        final Entry entry = entries.get(name);
        if (null == entry)
        {
            return defaultValue;
        }
        final long value = wholeNumber(entry.value());
        if (value < min || value > max)
        {
            throw new CacheFsConfigException(entry.subject() + " must be " + range(min, max, Integer.MAX_VALUE) +
                ": " + entry.value());
        }
        return value;
    }

    private long bytes(final String name, final long defaultValue, final long min, final long max)
    {
        return bytes(name, defaultValue, min, max, range(min, max, Long.MAX_VALUE));
    }

    private long bytes(final String name, final long defaultValue, final long min, final long max,
        final String allowed)
    {
        final Entry entry = entries.get(name);
        if (null == entry)
        {
            return defaultValue;
        }
        final String value = entry.value();
        final char last = value.charAt(value.length() - 1);
        final int suffix = Character.isDigit(last) ? 0 : "kmgtpe".indexOf(Character.toLowerCase(last)) + 1;
        final String digits = 0 == suffix ? value : value.substring(0, value.length() - 1);
        if ((0 == suffix && !Character.isDigit(last)) || !isWholeNumber(digits))
        {
            throw new CacheFsConfigException(entry.subject() + " is not a number of bytes (such as 4096, 64k, 1m, " +
                "10g): " + value);
        }
        final int shift = 10 * suffix;
        final long number = wholeNumber(digits);
        final boolean fits = Long.MIN_VALUE != number && number <= (Long.MAX_VALUE >> shift) &&
            number >= (Long.MIN_VALUE >> shift);
        final long bytes = number << shift;
        if (!fits || bytes < min || bytes > max)
        {
            throw new CacheFsConfigException(entry.subject() + " must be " + allowed + ": " + value);
        }
        return bytes;
    }

    private static String range(final long min, final long max, final long unbounded)
    {
        return max == unbounded ? ">= " + min : min + " to " + max;
    }

    private static boolean isWholeNumber(final String text)
    {
        final int start = text.startsWith("-") ? 1 : 0;
        if (text.length() == start)
        {
            return false;
        }
        for (int i = start; i < text.length(); i++)
        {
            if (text.charAt(i) < '0' || text.charAt(i) > '9')
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @return {@code text} as a number, or {@link Long#MIN_VALUE} (out of every range) when it is not a whole number
     * that fits a {@code long}.
     */
    private static long wholeNumber(final String text)
    {
        if (!isWholeNumber(text))
        {
            return Long.MIN_VALUE;
        }
        try
        {
            return Long.parseLong(text);
        }
        catch (final NumberFormatException ex)
        {
            return Long.MIN_VALUE;
        }
    }
}
