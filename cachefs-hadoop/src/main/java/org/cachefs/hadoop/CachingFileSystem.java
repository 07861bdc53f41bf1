package org.cachefs.hadoop;

import java.io.FileNotFoundException;
import java.io.IOException;
import java.net.URI;
import java.util.EnumSet;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.LongAdder;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.CreateFlag;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FSDataOutputStreamBuilder;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FilterFileSystem;
import org.apache.hadoop.fs.FutureDataInputStreamBuilder;
import org.apache.hadoop.fs.Options;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.impl.OpenFileParameters;
import org.apache.hadoop.fs.permission.FsPermission;
import org.apache.hadoop.fs.statistics.IOStatistics;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.apache.hadoop.util.Progressable;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.FileVersion;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughStats;

/**
 * A Hadoop {@link FileSystem} that reads another one through a persistent local cachefs cache: the first read of a
 * file's bytes fetches them from the wrapped file system (S3A, ABFS, GCS, HDFS...) in aligned chunks and stores them
 * in the cache images named by {@code fs.cachefs.dirs}; later reads, also by later processes, are served from the
 * cache. Every page read from the cache is checked; a file whose modification time or length changed is fetched
 * afresh ({@code fs.cachefs.validation}).
 * <p>
 * Configured in place of the wrapped file system for its scheme:
 * <pre>
 * fs.s3a.impl=org.cachefs.hadoop.CachingFileSystem
 * fs.cachefs.wrapped.s3a.impl=org.apache.hadoop.fs.s3a.S3AFileSystem
 * fs.cachefs.dirs=/mnt/nvme0/cachefs,/mnt/nvme1/cachefs
 * fs.cachefs.size=200g
 * </pre>
 * or built around an instance: {@code new CachingFileSystem(wrapped)}, then {@link #initialize(URI, Configuration)}.
 * <p>
 * Reads ({@code open}, {@code openFile()}, positioned, byte-buffer and vectored reads) go through the cache. Writes,
 * renames, deletes and times go to the wrapped file system and drop the cached pages of the paths they name; every
 * other call goes to the wrapped file system. The cache never fails a read: an image that cannot be used costs a read
 * of the wrapped file system. Instances of a JVM naming the same entries share the mounted images (see
 * {@code ImageChoice}).
 * <p>
 * Threading: thread-safe, as Hadoop file systems are.
 */
public class CachingFileSystem extends FilterFileSystem implements IOStatisticsSource
{
    /** {@code fs.cachefs.wrapped.<scheme>.impl} names the class this file system wraps for a scheme. */
    public static final String WRAPPED_PREFIX = CacheSettings.PREFIX + "wrapped.";
    /** The end of the {@code fs.cachefs.wrapped.<scheme>.impl} key, after the scheme. */
    public static final String WRAPPED_SUFFIX = ".impl";

    /** The standard {@code openFile()} options ({@code Options.OpenFileOptions}), accepted as mandatory. */
    private static final Set<String> STANDARD_OPEN_OPTIONS = Set.of(
        "fs.option.openfile.buffer.size",
        "fs.option.openfile.read.policy",
        "fs.option.openfile.length",
        "fs.option.openfile.split.start",
        "fs.option.openfile.split.end",
        "fs.option.openfile.footer.cache");

    private CacheSettings settings;
    private WrappedOrigin origin;
    private ImageChoice.Lease lease;
    private ReadThroughCache cache;
    private final LongAdder opens = new LongAdder();
    private final LongAdder invalidations = new LongAdder();
    private final LongAdder vectoredReads = new LongAdder();
    private final CacheIOStatistics ioStatistics = new CacheIOStatistics(this::counters, this::gauges);
    private volatile boolean closed;

    /**
     * For {@code fs.<scheme>.impl}: {@link #initialize(URI, Configuration)} creates the wrapped file system named by
     * {@code fs.cachefs.wrapped.<scheme>.impl}.
     */
    public CachingFileSystem()
    {
    }

    /**
     * Wraps a file system; {@link #initialize(URI, Configuration)} initializes it if it is not yet.
     *
     * @param wrapped the file system whose reads go through the cache, and to which every other call goes.
     */
    public CachingFileSystem(final FileSystem wrapped)
    {
        super(wrapped);
    }

    /**
     * Creates (no-arg constructor) and initializes the wrapped file system, reads the {@code fs.cachefs.*} settings
     * and opens the cache.
     *
     * @throws IOException              if the wrapped file system cannot be created or initialized.
     * @throws IllegalArgumentException naming the setting that is missing or out of range.
     */
    @Override
    public void initialize(final URI name, final Configuration conf) throws IOException
    {
        final CacheSettings parsed = CacheSettings.from(conf);
        if (null == fs)
        {
            fs = newWrapped(name, conf);
            fs.initialize(name, conf);
        }
        super.initialize(name, conf);
        this.settings = parsed;
        this.origin = new WrappedOrigin(fs, parsed);
        this.lease = ImageChoice.open(origin, parsed);
        this.cache = lease.cache();
    }

    private static FileSystem newWrapped(final URI name, final Configuration conf) throws IOException
    {
        final String scheme = name.getScheme();
        final String key = WRAPPED_PREFIX + scheme + WRAPPED_SUFFIX;
        final Class<?> type;
        try
        {
            type = conf.getClassByNameOrNull(conf.getTrimmed(key, ""));
        }
        catch (final RuntimeException ex)
        {
            throw new IOException(key + ": " + ex, ex);
        }
        if (null == conf.get(key))
        {
            throw new IOException(key + " is not set: name the file system class that " +
                CachingFileSystem.class.getSimpleName() + " wraps for " + scheme + ":// URIs (for example " +
                "org.apache.hadoop.fs.s3a.S3AFileSystem)");
        }
        if (null == type || !FileSystem.class.isAssignableFrom(type))
        {
            throw new IOException(key + " names " + conf.get(key) + ", which is not a FileSystem class on the " +
                "class path");
        }
        if (CachingFileSystem.class.isAssignableFrom(type))
        {
            throw new IOException(key + " names " + conf.get(key) + ": it must name the file system to wrap, not " +
                "a " + CachingFileSystem.class.getSimpleName());
        }
        try
        {
            return (FileSystem)type.getDeclaredConstructor().newInstance();
        }
        catch (final ReflectiveOperationException ex)
        {
            throw new IOException(key + ": cannot create " + type.getName() + ": " + ex, ex);
        }
    }

    @Override
    public String getScheme()
    {
        if (null == fs)
        {
            throw new UnsupportedOperationException(getClass().getSimpleName() + " takes the scheme of the file " +
                "system it wraps, and wraps none yet");
        }
        return getUri().getScheme();
    }

    /** @return the settings this file system was initialized with. */
    public CacheSettings settings()
    {
        return settings;
    }

    WrappedOrigin origin()
    {
        return origin;
    }

    /**
     * Opens a file: its status from the wrapped file system (one {@code getFileStatus}), then its bytes through the
     * cache at that version.
     */
    @Override
    public FSDataInputStream open(final Path f, final int bufferSize) throws IOException
    {
        checkOpen();
        final Path path = makeQualified(f);
        return openCached(path, origin.fileStatus(path), -1);
    }

    /**
     * {@code openFile()}, which Parquet, ORC and Spark use: its build goes through
     * {@link #openFileWithOptions(Path, OpenFileParameters)} of this file system.
     */
    @Override
    public FutureDataInputStreamBuilder openFile(final Path path) throws IOException
    {
        return createDataInputStreamBuilder(this, path);
    }

    /**
     * Opens a file for {@code openFile()}: with the status given by {@code withFileStatus} the wrapped file system is
     * not asked (the path opened is the one requested, whatever the status's path says); under
     * {@code fs.cachefs.validation=none} a length given by {@code fs.option.openfile.length} is enough too. A failure
     * to open is reported by the future; unknown mandatory options fail the build.
     *
     * @throws IllegalArgumentException if a mandatory option is neither a standard one nor one of the wrapped file
     *                                  system's scheme.
     */
    @Override
    protected CompletableFuture<FSDataInputStream> openFileWithOptions(final Path path,
        final OpenFileParameters parameters) throws IOException
    {
        final String ownPrefix = "fs." + getUri().getScheme() + ".";
        for (final String mandatory : parameters.getMandatoryKeys())
        {
            if (!STANDARD_OPEN_OPTIONS.contains(mandatory) && !mandatory.startsWith(ownPrefix) &&
                !mandatory.startsWith(CacheSettings.PREFIX))
            {
                throw new IllegalArgumentException("unknown mandatory key " + mandatory + " for " + path);
            }
        }
        final CompletableFuture<FSDataInputStream> result = new CompletableFuture<>();
        try
        {
            checkOpen();
            final Path qualified = makeQualified(path);
            FileStatus status = parameters.getStatus();
            long length = -1;
            if (null == status)
            {
                length = settings.validation() == CacheSettings.ValidationMode.NONE ?
                    lengthOption(parameters.getOptions()) : -1;
                if (length < 0)
                {
                    status = origin.fileStatus(qualified);
                }
            }
            else if (status.isDirectory())
            {
                throw new FileNotFoundException("cannot open " + qualified + " for reading: it is a directory");
            }
            result.complete(openCached(qualified, status, length));
        }
        catch (final IOException | RuntimeException ex)
        {
            result.completeExceptionally(ex);
        }
        return result;
    }

    private static long lengthOption(final Configuration options)
    {
        final String value = null == options ? null : options.getTrimmed(WrappedOrigin.LENGTH);
        if (null == value)
        {
            return -1;
        }
        try
        {
            return Long.parseLong(value);
        }
        catch (final NumberFormatException ex)
        {
            return -1;
        }
    }

    /**
     * @param status the file's status, or null when only its length is known.
     * @param length the file's length when the status is null.
     */
    private FSDataInputStream openCached(final Path path, final FileStatus status, final long length)
    {
        final FileVersion version = null != status ? origin.versionOf(status) : new FileVersion(length, "");
        final String key = path.toString();
        origin.opened(key, path, status, version);
        final CachedFile file;
        try
        {
            file = cache.open(key, version);
        }
        catch (final RuntimeException ex)
        {
            origin.closed(key);
            throw ex;
        }
        opens.increment();
        if (null != statistics)
        {
            statistics.incrementReadOps(1);
        }
        return new FSDataInputStream(new CachingInputStream(this, key, file, settings.bufferSize(), statistics));
    }

    void streamClosed(final String key)
    {
        origin.closed(key);
    }

    void vectoredRead()
    {
        vectoredReads.increment();
    }

    /**
     * Drops the cached pages of a path and the wrapped streams kept open on it.
     */
    private void invalidate(final Path path)
    {
        final String key = makeQualified(path).toString();
        invalidations.increment();
        origin.closeIdle(key);
        if (!closed)
        {
            cache.invalidate(key);
        }
    }

    @Override
    public FSDataOutputStreamBuilder createFile(final Path path)
    {
        return createDataOutputStreamBuilder(this, path).create().overwrite(true);
    }

    @Override
    public FSDataOutputStreamBuilder appendFile(final Path path)
    {
        return createDataOutputStreamBuilder(this, path).append();
    }

    @Override
    public FSDataOutputStream create(final Path f, final FsPermission permission, final boolean overwrite,
        final int bufferSize, final short replication, final long blockSize, final Progressable progress)
        throws IOException
    {
        try
        {
            return super.create(f, permission, overwrite, bufferSize, replication, blockSize, progress);
        }
        finally
        {
            invalidate(f);
        }
    }

    @Override
    public FSDataOutputStream create(final Path f, final FsPermission permission, final EnumSet<CreateFlag> flags,
        final int bufferSize, final short replication, final long blockSize, final Progressable progress,
        final Options.ChecksumOpt checksumOpt) throws IOException
    {
        try
        {
            return super.create(f, permission, flags, bufferSize, replication, blockSize, progress, checksumOpt);
        }
        finally
        {
            invalidate(f);
        }
    }

    @Override
    public FSDataOutputStream createNonRecursive(final Path f, final FsPermission permission,
        final EnumSet<CreateFlag> flags, final int bufferSize, final short replication, final long blockSize,
        final Progressable progress) throws IOException
    {
        try
        {
            return super.createNonRecursive(f, permission, flags, bufferSize, replication, blockSize, progress);
        }
        finally
        {
            invalidate(f);
        }
    }

    @Override
    @SuppressWarnings("deprecation")
    protected FSDataOutputStream primitiveCreate(final Path f, final FsPermission absolutePermission,
        final EnumSet<CreateFlag> flag, final int bufferSize, final short replication, final long blockSize,
        final Progressable progress, final Options.ChecksumOpt checksumOpt) throws IOException
    {
        try
        {
            return super.primitiveCreate(f, absolutePermission, flag, bufferSize, replication, blockSize, progress,
                checksumOpt);
        }
        finally
        {
            invalidate(f);
        }
    }

    @Override
    public FSDataOutputStream append(final Path f, final int bufferSize, final Progressable progress)
        throws IOException
    {
        try
        {
            return super.append(f, bufferSize, progress);
        }
        finally
        {
            invalidate(f);
        }
    }

    @Override
    public void concat(final Path trg, final Path[] psrcs) throws IOException
    {
        try
        {
            super.concat(trg, psrcs);
        }
        finally
        {
            invalidate(trg);
            for (final Path src : psrcs)
            {
                invalidate(src);
            }
        }
    }

    @Override
    public boolean truncate(final Path f, final long newLength) throws IOException
    {
        try
        {
            return super.truncate(f, newLength);
        }
        finally
        {
            invalidate(f);
        }
    }

    /**
     * Renames in the wrapped file system and drops the pages of the source, the destination and, for a destination
     * directory, the source's name in it. The files inside a renamed directory keep their pages under their old
     * paths until culled: see DESIGN.md, "cachefs-hadoop".
     */
    @Override
    public boolean rename(final Path src, final Path dst) throws IOException
    {
        try
        {
            return super.rename(src, dst);
        }
        finally
        {
            invalidateRenamed(src, dst);
        }
    }

    @Override
    @SuppressWarnings("deprecation")
    protected void rename(final Path src, final Path dst, final Options.Rename... options) throws IOException
    {
        try
        {
            super.rename(src, dst, options);
        }
        finally
        {
            invalidateRenamed(src, dst);
        }
    }

    private void invalidateRenamed(final Path src, final Path dst)
    {
        invalidate(src);
        invalidate(dst);
        if (!src.isRoot())
        {
            invalidate(new Path(dst, src.getName()));
        }
    }

    /**
     * Deletes in the wrapped file system and drops the pages of the path. The files inside a deleted directory keep
     * their pages until culled: see DESIGN.md, "cachefs-hadoop".
     */
    @Override
    public boolean delete(final Path f, final boolean recursive) throws IOException
    {
        try
        {
            return super.delete(f, recursive);
        }
        finally
        {
            invalidate(f);
        }
    }

    @Override
    public void setTimes(final Path p, final long mtime, final long atime) throws IOException
    {
        try
        {
            super.setTimes(p, mtime, atime);
        }
        finally
        {
            invalidate(p);
        }
    }

    @Override
    public void copyFromLocalFile(final boolean delSrc, final Path src, final Path dst) throws IOException
    {
        try
        {
            super.copyFromLocalFile(delSrc, src, dst);
        }
        finally
        {
            invalidateRenamed(src, dst);
        }
    }

    @Override
    public void copyFromLocalFile(final boolean delSrc, final boolean overwrite, final Path[] srcs, final Path dst)
        throws IOException
    {
        try
        {
            super.copyFromLocalFile(delSrc, overwrite, srcs, dst);
        }
        finally
        {
            invalidate(dst);
            for (final Path src : srcs)
            {
                if (!src.isRoot())
                {
                    invalidate(new Path(dst, src.getName()));
                }
            }
        }
    }

    @Override
    public void copyFromLocalFile(final boolean delSrc, final boolean overwrite, final Path src, final Path dst)
        throws IOException
    {
        try
        {
            super.copyFromLocalFile(delSrc, overwrite, src, dst);
        }
        finally
        {
            invalidateRenamed(src, dst);
        }
    }

    @Override
    public void copyToLocalFile(final boolean delSrc, final Path src, final Path dst) throws IOException
    {
        try
        {
            super.copyToLocalFile(delSrc, src, dst);
        }
        finally
        {
            if (delSrc)
            {
                invalidate(src);
            }
        }
    }

    @Override
    public void completeLocalOutput(final Path fsOutputFile, final Path tmpLocalFile) throws IOException
    {
        try
        {
            super.completeLocalOutput(fsOutputFile, tmpLocalFile);
        }
        finally
        {
            invalidate(fsOutputFile);
        }
    }

    @Override
    public void createSymlink(final Path target, final Path link, final boolean createParent) throws IOException
    {
        try
        {
            super.createSymlink(target, link, createParent);
        }
        finally
        {
            invalidate(link);
        }
    }

    /**
     * Waits until the chunks fetched so far are stored in the cache (reads never wait for that; a test or a
     * benchmark that wants the next read to be a hit may).
     *
     * @param timeout the longest wait, in {@code unit}s.
     * @param unit    the unit of {@code timeout}.
     * @return false if stores were still running when the timeout passed.
     * @throws InterruptedException if the thread is interrupted while waiting.
     */
    public boolean awaitStored(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return cache.awaitStored(timeout, unit);
    }

    /**
     * @return the read-through cache's statistics for this instance.
     */
    public ReadThroughStats cacheStats()
    {
        return cache.stats();
    }

    /**
     * The read-through cache this instance reads through, for its statistics and its mounted images: for example
     * {@code CacheFsMetrics.of(fs.readThroughCache()).bindTo(registry)} binds its images' meters
     * ({@code org.cachefs.micrometer}). Closing it is this file system's job ({@link #close()}).
     *
     * @return the cache.
     * @throws IllegalStateException if this file system is not initialized.
     */
    public ReadThroughCache readThroughCache()
    {
        if (null == cache)
        {
            throw new IllegalStateException(getClass().getSimpleName() + " is not initialized: it has no cache yet");
        }
        return cache;
    }

    /**
     * @return the images this instance's cache uses, and those it could not use with the reason.
     */
    public java.util.List<String> cacheImages()
    {
        return cache.images();
    }

    /**
     * The cache's counters ({@code cache_hit_bytes}, {@code cache_miss_bytes}, {@code cache_fallbacks},
     * {@code cache_origin_requests}, ...) for this instance, live.
     */
    @Override
    public IOStatistics getIOStatistics()
    {
        return ioStatistics;
    }

    private void counters(final Map<String, Long> values)
    {
        if (null == cache)
        {
            return;
        }
        final ReadThroughStats stats = cache.stats();
        values.put(CacheIOStatistics.CACHE_HIT_BYTES, stats.cacheHitBytes());
        values.put(CacheIOStatistics.CACHE_MISS_BYTES, stats.cacheMissBytes());
        values.put(CacheIOStatistics.CACHE_FALLBACKS, stats.fallbacks());
        values.put(CacheIOStatistics.CACHE_FALLBACK_BYTES, stats.fallbackBytes());
        values.put(CacheIOStatistics.CACHE_READS, stats.reads());
        values.put(CacheIOStatistics.CACHE_ORIGIN_REQUESTS, stats.originRequests());
        values.put(CacheIOStatistics.CACHE_ORIGIN_BYTES, stats.originBytes());
        values.put(CacheIOStatistics.CACHE_STORED_PAGES, stats.storedPages());
        values.put(CacheIOStatistics.CACHE_REFUSED_PAGES, stats.refusedPages());
        values.put(CacheIOStatistics.CACHE_STORE_ERRORS, stats.storeErrors());
        values.put(CacheIOStatistics.CACHE_VERSION_CHANGES, stats.versionChanges());
        values.put(CacheIOStatistics.CACHE_STATUS_REQUESTS, origin.statusRequests.sum());
        values.put(CacheIOStatistics.CACHE_ORIGIN_STREAMS_OPENED, origin.streamsOpened.sum());
        values.put(CacheIOStatistics.CACHE_INVALIDATIONS, invalidations.sum());
        values.put(CacheIOStatistics.CACHE_OPENS, opens.sum());
        values.put(CacheIOStatistics.STREAM_READ_VECTORED_OPERATIONS, vectoredReads.sum());
    }

    private void gauges(final Map<String, Long> values)
    {
        if (null == cache)
        {
            return;
        }
        values.put(CacheIOStatistics.CACHE_IMAGES, (long)lease.images().size());
        values.put(CacheIOStatistics.CACHE_UNAVAILABLE_IMAGES,
            (long)(settings.images().size() - lease.images().size()));
    }

    private void checkOpen() throws IOException
    {
        if (closed)
        {
            throw new IOException(getClass().getSimpleName() + " of " + getUri() + " is closed");
        }
    }

    /**
     * Closes the wrapped file system (after Hadoop's delete-on-exit paths are deleted, through this one), then the
     * cache: chunks being stored land first, and the last user of an image in the JVM unmounts it.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        try
        {
            if (null != origin)
            {
                origin.close();
            }
            super.close();
        }
        finally
        {
            closed = true;
            if (null != lease)
            {
                lease.close();
            }
        }
    }

    @Override
    public String toString()
    {
        return "CachingFileSystem{" + fs + ", images=" + (null == lease ? "[]" : lease.images()) + "}";
    }
}
