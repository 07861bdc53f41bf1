package org.cachefs.readthrough;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Objects;

/**
 * One cache image of a {@link ReadThroughCache}: an image file, a block device, or a directory (the image is then
 * {@code <dir>/cachefs.img}). A missing or empty image file is formatted at {@code formatSize} bytes.
 *
 * @param path       the image file, device or directory.
 * @param formatSize the size to format a missing image at, in bytes; 0 to never format.
 */
public record CacheImage(Path path, long formatSize)
{
    /** The image file's name inside a directory entry. */
    public static final String IMAGE_IN_DIRECTORY = "cachefs.img";

    /**
     * Checks the components.
     *
     * @param path       the image file, device or directory.
     * @param formatSize the size to format a missing image at, in bytes; 0 to never format.
     * @throws NullPointerException     if {@code path} is null.
     * @throws IllegalArgumentException if {@code formatSize} is negative.
     */
    public CacheImage
    {
        Objects.requireNonNull(path, "path");
        if (formatSize < 0)
        {
            throw new IllegalArgumentException("format size must be >= 0: " + formatSize);
        }
    }

    /**
     * @return the image file or device this entry names: {@link #path()}, or the image inside it when it is a
     * directory.
     */
    public Path imagePath()
    {
        return Files.isDirectory(path) ? path.resolve(IMAGE_IN_DIRECTORY) : path;
    }
}
