package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.file.Path;

import org.cachefs.format.device.BlockDevice;

/**
 * Entry point of the CacheFS backend: mounts a formatted image file or block device as a cache backend, the way
 * CacheFS's {@code fill_super} did. Add the result to an {@link org.cachefs.fscache.FsCache} with
 * {@code addCache(backend, tag)}; withdraw it there, then {@link CacheFsBackend#close()} to unmount cleanly.
 *
 * <pre>{@code
 * try (CacheFsBackend backend = CacheFs.mount(Path.of("cache.img"), MountOptions.defaults());
 *      FsCache fsCache = FsCache.create())
 * {
 *     fsCache.addCache(backend, "mycache");
 *     ...
 * }
 * }</pre>
 */
public final class CacheFs
{
    private CacheFs()
    {
    }

    /**
     * Mounts the image or device at {@code path}. Nothing on the device changes if the mount is refused.
     *
     * @param path    an image file or block device formatted with {@code mkfs.cachefs}.
     * @param options commit interval and memory bounds.
     * @return the mounted backend; it owns the device until closed.
     * @throws org.cachefs.format.NotFormattedException       if the device holds no cachefs image.
     * @throws org.cachefs.format.ForeignFilesystemException  if it holds another filesystem.
     * @throws org.cachefs.format.FormatVersionException      if the image is of another major format version.
     * @throws org.cachefs.format.UnsupportedFeatureException if it needs features this software lacks.
     * @throws org.cachefs.format.CorruptCacheException       if its superblocks are damaged or it is truncated.
     * @throws org.cachefs.format.DeviceInUseException        if another instance has it mounted.
     * @throws IOException                                    on an I/O error.
     */
    public static CacheFsBackend mount(final Path path, final MountOptions options) throws IOException
    {
        return new CacheFsBackend(CacheStore.mount(path, options));
    }

    /**
     * Mounts an open device (for example one wrapped to inject faults); the backend owns it from then on.
     *
     * @param device  the device holding a cachefs image.
     * @param options how to mount it.
     * @return the mounted cache.
     * @throws IOException on an I/O error or an image that is not a valid cachefs image.
     */
    public static CacheFsBackend mount(final BlockDevice device, final MountOptions options) throws IOException
    {
        return new CacheFsBackend(CacheStore.mount(device, options));
    }
}
