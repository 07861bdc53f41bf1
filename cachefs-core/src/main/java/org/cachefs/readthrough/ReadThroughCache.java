package org.cachefs.readthrough;

import java.io.Closeable;
import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.ThreadPoolExecutor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;

import javax.management.ObjectName;

import org.cachefs.format.CacheFsException;

/**
 * A read-through cache of remote files on local images: {@link #open(String)} a file, read bytes of it, and the
 * cache serves what it holds and fetches the rest from the {@link Origin}, storing it in the background.
 *
 * <pre>{@code
 * try (ReadThroughCache cache = ReadThroughCache.open(origin, ReadThroughOptions.builder()
 *          .image(Path.of("/nvme/cache.img"), 64L << 30).build());
 *      CachedFile file = cache.open("s3://bucket/table/part-0001.parquet"))
 * {
 *     file.readFully(position, buffer);
 * }
 * }</pre>
 *
 * The cache never fails a read: when an image cannot be mounted (in use by another process, corrupt, foreign), is
 * full, withdrawn after an I/O error or refuses a page, the bytes come from the origin and {@link #stats()} counts a
 * fallback. Only the origin's failures reach the caller, as {@link IOException}s naming the path and the range.
 * <p>
 * Threading: thread-safe; any number of threads may open files and read them. Each image is mounted once per JVM
 * however many caches name it, and unmounted when the last of them closes (or when the JVM exits). Files are spread
 * over the images by a stable (rendezvous) hash of their path, over the images that could be mounted.
 */
public final class ReadThroughCache implements Closeable
{
    private static final System.Logger LOG = System.getLogger("org.cachefs.readthrough");
    private static final AtomicInteger INSTANCES = new AtomicInteger();

    private final Origin origin;
    private final ReadThroughOptions options;
    private final List<SharedMount> mounts = new ArrayList<>();
    private final List<Volume> volumes = new ArrayList<>();
    private final long[] seeds;
    private final List<String> imageNames = new ArrayList<>();
    private final Counters counters = new Counters();
    private final ThreadPoolExecutor stores;
    private final ExecutorService async;
    final ReadPath readPath;
    private final ObjectName mbeanName;
    private volatile boolean closed;

    private ReadThroughCache(final Origin origin, final ReadThroughOptions options)
    {
        this.origin = origin;
        this.options = options;
        int pageSize = 4096;
        for (final CacheImage image : options.images())
        {
            try
            {
                final SharedMount mount = SharedMount.acquire(image, options.mountOptions(), options.jmx());
                mounts.add(mount);
                volumes.add(mount.volume(options.namespace(), options.maxIdleFiles()));
                pageSize = mount.pageSize;
                imageNames.add(mount.image.toString());
            }
            catch (final IOException | CacheFsException ex)
            {
                counters.unavailableImages++;
                imageNames.add(image.path() + " (unavailable: " + ex.getMessage() + ")");
                LOG.log(System.Logger.Level.WARNING, "cachefs: image " + image.path() + " is not used (" +
                    ex.getMessage() + "); the files it would hold are read from the origin uncached");
            }
        }
        this.seeds = new long[volumes.size()];
        for (int i = 0; i < seeds.length; i++)
        {
            seeds[i] = hash64(mounts.get(i).image.toString().getBytes(StandardCharsets.UTF_8));
        }
        this.stores = new ThreadPoolExecutor(options.storeThreads(), options.storeThreads(), 30, TimeUnit.SECONDS,
            new LinkedBlockingQueue<>(), daemon("cachefs-store"));
        this.stores.allowCoreThreadTimeOut(true);
        final int asyncThreads = Math.max(2, 2 * Runtime.getRuntime().availableProcessors());
        final ThreadPoolExecutor asyncPool = new ThreadPoolExecutor(asyncThreads, asyncThreads, 30,
            TimeUnit.SECONDS, new LinkedBlockingQueue<>(), daemon("cachefs-read"));
        asyncPool.allowCoreThreadTimeOut(true);
        this.async = asyncPool;
        this.readPath = new ReadPath(options, pageSize, origin, counters, stores);
        this.mbeanName = options.jmx() ? register() : null;
    }

    /**
     * Opens a cache: mounts (or formats, then mounts) each image, or shares the mount another cache of this JVM
     * made. Images that cannot be used are logged once and left out.
     *
     * @param origin  where missing bytes come from.
     * @param options the images and behaviour.
     * @return the cache.
     */
    public static ReadThroughCache open(final Origin origin, final ReadThroughOptions options)
    {
        return new ReadThroughCache(Objects.requireNonNull(origin, "origin"), Objects.requireNonNull(options,
            "options"));
    }

    /**
     * Opens a file, asking the origin for its version as {@link ReadThroughOptions#validation()} says.
     *
     * @param path the file's path at the origin.
     * @return a handle on the file at the version found.
     * @throws IOException if the origin's {@code stat} fails.
     */
    public CachedFile open(final String path) throws IOException
    {
        checkOpen();
        final Volume volume = volumeOf(path);
        FileVersion version = null;
        if (null != volume && options.validation() != Validation.ALWAYS)
        {
            final FileEntry current = volume.current(path);
            if (null != current && (options.validation() == Validation.NONE ||
                System.nanoTime() - currentStatNanos(volume, current) < options.statTtl().toNanos()))
            {
                version = current.version;
            }
        }
        long statNanos = -1;
        if (null == version)
        {
            version = stat(path);
            statNanos = System.nanoTime();
        }
        return handle(volume, path, version, statNanos);
    }

    /**
     * Opens a file at a version the caller already knows (from a listing, say): the origin is not asked.
     *
     * @param path    the file's path at the origin.
     * @param version its length and version tag.
     * @return a handle on the file at that version.
     */
    public CachedFile open(final String path, final FileVersion version)
    {
        checkOpen();
        Objects.requireNonNull(version, "version");
        return handle(volumeOf(path), path, version, System.nanoTime());
    }

    /**
     * Drops the cached pages of a file, whatever its version (after the caller wrote, renamed or deleted it). Handles
     * open on it read from the origin from now on.
     *
     * @param path the file's path at the origin.
     */
    public void invalidate(final String path)
    {
        checkOpen();
        final Volume volume = volumeOf(path);
        if (null != volume)
        {
            volume.invalidate(path);
        }
    }

    private CachedFile handle(final Volume volume, final String path, final FileVersion version, final long statNanos)
    {
        final FileEntry entry = null == volume ? FileEntry.detached(path, version) :
            volume.retain(path, version, statNanos, counters);
        return new CachedFile(this, entry);
    }

    private static long currentStatNanos(final Volume volume, final FileEntry entry)
    {
        synchronized (volume)
        {
            return entry.statNanos;
        }
    }

    private FileVersion stat(final String path) throws IOException
    {
        counters.originStats.increment();
        try
        {
            return Objects.requireNonNull(origin.stat(path), "origin stat returned null");
        }
        catch (final RuntimeException ex)
        {
            throw new IOException("origin stat of " + path + " failed: " + ex, ex);
        }
    }

    /**
     * @return the volume holding a path: the image with the highest rendezvous score, or null without images.
     */
    private Volume volumeOf(final String path)
    {
        if (volumes.isEmpty())
        {
            return null;
        }
        final long hash = hash64(path.getBytes(StandardCharsets.UTF_8));
        int best = 0;
        long bestScore = Long.MIN_VALUE;
        for (int i = 0; i < seeds.length; i++)
        {
            final long score = mix(hash ^ seeds[i]);
            if (score > bestScore)
            {
                bestScore = score;
                best = i;
            }
        }
        return volumes.get(best);
    }

    /** FNV-1a, 64 bits: stable across JVMs and releases. */
    private static long hash64(final byte[] bytes)
    {
        long hash = 0xcbf29ce484222325L;
        for (final byte b : bytes)
        {
            hash ^= b & 0xff;
            hash *= 0x100000001b3L;
        }
        return hash;
    }

    /** The splitmix64 finaliser. */
    private static long mix(final long value)
    {
        long z = value + 0x9e3779b97f4a7c15L;
        z = (z ^ (z >>> 30)) * 0xbf58476d1ce4e5b9L;
        z = (z ^ (z >>> 27)) * 0x94d049bb133111ebL;
        return z ^ (z >>> 31);
    }

    void release(final FileEntry entry)
    {
        if (null != entry.volume)
        {
            entry.volume.release(entry);
        }
    }

    ExecutorService asyncExecutor()
    {
        return async;
    }

    ReadThroughOptions options()
    {
        return options;
    }

    private void checkOpen()
    {
        if (closed)
        {
            throw new IllegalStateException("read-through cache is closed");
        }
    }

    /**
     * Waits until the chunks fetched so far are stored in the cache (reads never wait for that; a program that wants
     * the next run to find them, or a benchmark, may).
     *
     * @param timeout the longest wait, in {@code unit}s.
     * @param unit    the unit of {@code timeout}.
     * @return false if stores were still running when the timeout passed.
     * @throws InterruptedException if the thread is interrupted while waiting.
     */
    public boolean awaitStored(final long timeout, final TimeUnit unit) throws InterruptedException
    {
        return readPath.awaitStored(unit.toNanos(timeout));
    }

    /**
     * @return the statistics since the cache was opened.
     */
    public ReadThroughStats stats()
    {
        return counters.snapshot();
    }

    /**
     * @return the images in use, and those left out with the reason.
     */
    public List<String> images()
    {
        return List.copyOf(imageNames);
    }

    /**
     * The images this cache reads, mounted, with their backends and FS-Caches: what a metrics binder reads
     * ({@code org.cachefs.micrometer.CacheFsMetrics.of(cache)}). The mounts are shared with every cache of the JVM
     * naming the same images, and stay theirs: see {@link MountedImage}.
     *
     * @return the mounted images, in the order of {@link ReadThroughOptions#images()}; the images that could not be
     * used are left out (they are listed by {@link #images()}).
     */
    public List<MountedImage> mountedImages()
    {
        final List<MountedImage> images = new ArrayList<>(mounts.size());
        for (final SharedMount mount : mounts)
        {
            images.add(new MountedImage(mount.image, mount.backend, mount.fsCache));
        }
        return List.copyOf(images);
    }

    /**
     * Closes the cache: lets the chunks being stored land, then releases the images (the last cache of the JVM
     * using an image unmounts it with a clean commit). Handles still open read from the origin afterwards.
     */
    @Override
    public void close()
    {
        if (closed)
        {
            return;
        }
        closed = true;
        stores.shutdown();
        try
        {
            if (!stores.awaitTermination(60, TimeUnit.SECONDS))
            {
                LOG.log(System.Logger.Level.WARNING, "cachefs: chunk stores still running after 60 s at close");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
        }
        async.shutdown();
        for (int i = 0; i < volumes.size(); i++)
        {
            mounts.get(i).release(volumes.get(i));
            mounts.get(i).release();
        }
        if (null != mbeanName)
        {
            try
            {
                ManagementFactory.getPlatformMBeanServer().unregisterMBean(mbeanName);
            }
            catch (final Exception ex)
            {
                LOG.log(System.Logger.Level.DEBUG, "cachefs: unregistering " + mbeanName + ": " + ex);
            }
        }
    }

    private ObjectName register()
    {
        try
        {
            final int instance = INSTANCES.getAndIncrement();
            final ObjectName name = new ObjectName("org.cachefs:type=ReadThrough,name=" +
                ObjectName.quote(options.namespace()) + (instance == 0 ? "" : ",instance=" + instance));
            ManagementFactory.getPlatformMBeanServer().registerMBean(new Mbean(), name);
            return name;
        }
        catch (final Exception ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cachefs: JMX registration failed: " + ex);
            return null;
        }
    }

    /**
     * @return the name of this cache's MBean, or null without JMX.
     */
    public ObjectName jmxName()
    {
        return mbeanName;
    }

    private static java.util.concurrent.ThreadFactory daemon(final String prefix)
    {
        final AtomicInteger counter = new AtomicInteger();
        return runnable ->
        {
            final Thread thread = new Thread(runnable, prefix + "-" + counter.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /** The JMX view of {@link #stats()}. */
    private final class Mbean implements ReadThroughMXBean
    {
        public long getReads()
        {
            return counters.reads.sum();
        }

        public long getBytesRead()
        {
            return counters.bytesRead.sum();
        }

        public long getHitReads()
        {
            return counters.hitReads.sum();
        }

        public long getCacheHitBytes()
        {
            return counters.hitBytes.sum();
        }

        public long getCacheMissBytes()
        {
            return counters.missBytes.sum();
        }

        public long getOriginRequests()
        {
            return counters.originRequests.sum();
        }

        public long getOriginBytes()
        {
            return counters.originBytes.sum();
        }

        public long getOriginStats()
        {
            return counters.originStats.sum();
        }

        public long getFallbacks()
        {
            return counters.fallbacks.sum();
        }

        public long getFallbackBytes()
        {
            return counters.fallbackBytes.sum();
        }

        public long getStoredPages()
        {
            return counters.storedPages.sum();
        }

        public long getRefusedPages()
        {
            return counters.refusedPages.sum();
        }

        public int getUnavailableImages()
        {
            return counters.unavailableImages;
        }

        public long getHitLatencyP50Micros()
        {
            return stats().hitLatency().getValueAtPercentile(50) / 1000;
        }

        public long getHitLatencyP99Micros()
        {
            return stats().hitLatency().getValueAtPercentile(99) / 1000;
        }

        public long getOriginLatencyP50Micros()
        {
            return stats().originLatency().getValueAtPercentile(50) / 1000;
        }

        public long getOriginLatencyP99Micros()
        {
            return stats().originLatency().getValueAtPercentile(99) / 1000;
        }

        public String[] getImages()
        {
            return imageNames.toArray(new String[0]);
        }
    }
}
