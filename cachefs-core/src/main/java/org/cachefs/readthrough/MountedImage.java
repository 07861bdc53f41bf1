package org.cachefs.readthrough;

import java.nio.file.Path;
import java.util.Objects;

import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.fscache.FsCache;

/**
 * One image a {@link ReadThroughCache} reads, as mounted ({@link ReadThroughCache#mountedImages()}): for its
 * statistics, the backend's ({@link CacheFsBackend#usage()}, {@link CacheFsBackend#latencies()}) and its FS-Cache's
 * ({@link FsCache#stats()}), for example through {@code org.cachefs.micrometer.CacheFsMetrics}. The mount is shared by
 * every read-through cache of the JVM naming the image and is theirs to manage: closing the backend or the FS-Cache,
 * or withdrawing the cache, from here would end the caching of every one of them.
 * <p>
 * Threading: immutable; the backend and the FS-Cache may be read from any thread.
 *
 * @param image   the image file or device, absolute and normalised.
 * @param backend the mounted image.
 * @param fsCache the FS-Cache the image is added to (alone, under the tag {@value #TAG}).
 */
public record MountedImage(Path image, CacheFsBackend backend, FsCache fsCache)
{
    /** The tag under which each image is added to its FS-Cache. */
    public static final String TAG = SharedMount.TAG;

    /**
     * Checks the components.
     *
     * @param image   the image file or device, absolute and normalised.
     * @param backend the mounted image.
     * @param fsCache the FS-Cache the image is added to.
     * @throws NullPointerException if a component is null.
     */
    public MountedImage
    {
        Objects.requireNonNull(image, "image");
        Objects.requireNonNull(backend, "backend");
        Objects.requireNonNull(fsCache, "fsCache");
    }
}
