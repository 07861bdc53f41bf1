package org.cachefs.readthrough;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Netfs;

/**
 * One mounted image shared by every {@link ReadThroughCache} of the JVM that names it: the backend, an FS-Cache with
 * the image added to it, the read-through netfs, and its volumes (one per namespace). Reference counted: unmounted
 * cleanly when the last cache releases it, or by a shutdown hook when the JVM exits with it still mounted.
 * <p>
 * Threading: the registry under the class's monitor; the volumes under the mount's.
 */
final class SharedMount
{
    static final String NETFS = "cachefs-readthrough";
    static final int NETFS_VERSION = 1;
    static final String TAG = "readthrough";
    private static final System.Logger LOG = System.getLogger("org.cachefs.readthrough");
    private static final Map<Path, SharedMount> MOUNTS = new HashMap<>();
    private static Thread shutdownHook;

    final Path image;
    final CacheFsBackend backend;
    final FsCache fsCache;
    final Netfs netfs;
    final int pageSize;
    private final Map<String, Volume> volumes = new HashMap<>();
    private int references;
    private boolean closed;

    private SharedMount(final Path image, final CacheFsBackend backend, final boolean jmx)
    {
        this.image = image;
        this.backend = backend;
        this.pageSize = backend.pageSize();
        this.fsCache = FsCache.create(FsCacheOptions.builder().pageSize(pageSize).threadCount(4).jmx(jmx)
            .errorHandler(ex -> LOG.log(System.Logger.Level.WARNING, "cachefs " + image + ": " + ex, ex)).build());
        fsCache.addCache(backend, TAG);
        this.netfs = fsCache.registerNetfs(NETFS, NETFS_VERSION);
    }

    /**
     * Mounts an image, or shares the mount another cache of this JVM made; formats the image first if it is missing
     * or empty and {@link CacheImage#formatSize()} allows.
     *
     * @throws IOException or an unchecked {@link org.cachefs.format.CacheFsException} if it cannot be mounted.
     */
    static SharedMount acquire(final CacheImage spec, final MountOptions options, final boolean jmx)
        throws IOException
    {
        final Path image = spec.imagePath().toAbsolutePath().normalize();
        synchronized (SharedMount.class)
        {
            SharedMount mount = MOUNTS.get(image);
            if (null == mount)
            {
                if ((!Files.exists(image) || (Files.isRegularFile(image) && Files.size(image) == 0)) &&
                    spec.formatSize() > 0)
                {
                    Mkfs.format(image, MkfsOptions.defaults().withSize(spec.formatSize()), null);
                }
                final CacheFsBackend backend = CacheFs.mount(image, options);
                try
                {
                    mount = new SharedMount(image, backend, jmx);
                }
                catch (final RuntimeException ex)
                {
                    backend.close();
                    throw ex;
                }
                MOUNTS.put(image, mount);
                if (null == shutdownHook)
                {
                    shutdownHook = new Thread(SharedMount::unmountAll, "cachefs-readthrough-shutdown");
                    Runtime.getRuntime().addShutdownHook(shutdownHook);
                }
            }
            mount.references++;
            return mount;
        }
    }

    /**
     * @return the volume of a namespace, with one more reference (release it with {@link #release(Volume)}).
     */
    synchronized Volume volume(final String namespace, final int maxIdle)
    {
        Volume volume = volumes.get(namespace);
        if (null == volume)
        {
            final Cookie index = netfs.primaryIndex().acquire(Volume.INDEX, namespace);
            volume = new Volume(this, namespace, index, maxIdle);
            volumes.put(namespace, volume);
        }
        volume.references++;
        return volume;
    }

    void release(final Volume volume)
    {
        synchronized (this)
        {
            if (--volume.references > 0 || closed)
            {
                return;
            }
            volumes.remove(volume.namespace, volume);
        }
        volume.close();
    }

    /**
     * Drops a reference; the last one unmounts.
     */
    void release()
    {
        synchronized (SharedMount.class)
        {
            if (--references > 0)
            {
                return;
            }
            MOUNTS.remove(image, this);
        }
        unmount();
    }

    /**
     * Closes the volumes, withdraws the cache, closes the FS-Cache and unmounts the image with a clean commit.
     */
    private void unmount()
    {
        final List<Volume> open;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            open = new ArrayList<>(volumes.values());
            volumes.clear();
        }
        try
        {
            for (final Volume volume : open)
            {
                volume.close();
            }
            fsCache.unregisterNetfs(netfs);
            fsCache.close();
        }
        catch (final RuntimeException ex)
        {
            LOG.log(System.Logger.Level.WARNING, "cachefs " + image + ": closing the cache: " + ex, ex);
        }
        finally
        {
            try
            {
                backend.close();
            }
            catch (final IOException ex)
            {
                LOG.log(System.Logger.Level.WARNING, "cachefs " + image + ": unmounting: " + ex, ex);
            }
        }
    }

    private static void unmountAll()
    {
        final List<SharedMount> all;
        synchronized (SharedMount.class)
        {
            all = new ArrayList<>(MOUNTS.values());
            MOUNTS.clear();
        }
        for (final SharedMount mount : all)
        {
            mount.unmount();
        }
    }

    /**
     * @return the mount of an image in this JVM, or null (for tests).
     */
    static SharedMount mounted(final Path image)
    {
        synchronized (SharedMount.class)
        {
            return MOUNTS.get(image.toAbsolutePath().normalize());
        }
    }

    /**
     * @return whether this JVM has the image mounted (for tests and the Hadoop file system).
     */
    static boolean isMounted(final Path image)
    {
        synchronized (SharedMount.class)
        {
            return MOUNTS.containsKey(image.toAbsolutePath().normalize());
        }
    }
}
