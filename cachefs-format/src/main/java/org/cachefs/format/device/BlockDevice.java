package org.cachefs.format.device;

import java.io.Closeable;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

/**
 * A device or image file read and written in whole, aligned sectors at explicit positions.
 * <p>
 * Positions and lengths must be multiples of {@link #logicalSectorSize()}; implementations that bypass the page cache
 * also need direct buffers aligned to it (see {@link AlignedBuffers}). Reads and writes are positional and may be
 * called from any number of threads at once; {@link #flush()} makes every write that completed before it durable.
 * Implementations: {@link DirectBlockDevice} (O_DIRECT over a file or block device), and wrappers that inject faults.
 */
public interface BlockDevice extends Closeable
{
    /**
     * @return the short name used in messages: the file name of the image or device, e.g. "cache.img".
     */
    String name();

    /**
     * @return the path the device was opened from.
     */
    Path path();

    /**
     * @return the size in bytes.
     */
    long size();

    /**
     * @return the unit of alignment for positions, lengths and buffer addresses.
     */
    int logicalSectorSize();

    /**
     * @return true for a block device, false for an image file.
     */
    boolean isBlockDevice();

    /**
     * @return true if opened without write access.
     */
    boolean isReadOnly();

    /**
     * Reads exactly {@code dst.remaining()} bytes at {@code position} into {@code dst}, advancing its position.
     *
     * @param position the byte offset on the device.
     * @param dst      where the bytes go, from its position to its limit.
     * @throws java.io.EOFException if the device ends first.
     * @throws IOException          on an I/O error.
     */
    void read(long position, ByteBuffer dst) throws IOException;

    /**
     * Writes all of {@code src.remaining()} bytes at {@code position}, advancing its position.
     *
     * @param position the byte offset on the device.
     * @param src      the bytes, from its position to its limit.
     * @throws IOException on an I/O error.
     */
    void write(long position, ByteBuffer src) throws IOException;

    /**
     * Makes {@code length} bytes at {@code position} read back as zeros without writing them, where the device offers
     * a way: {@link DirectBlockDevice} punches a hole in an image file and issues {@code BLKZEROOUT} on a block
     * device. Like a write, the change is durable after the next {@link #flush()}. The default offers none.
     *
     * @param position a multiple of {@link #logicalSectorSize()}.
     * @param length   a multiple of {@link #logicalSectorSize()}, or reaching the end of the device.
     * @return how the range was zeroed.
     * @throws DiscardException if the device refuses ({@link DiscardException#refused()}: write zeros instead) or
     *                          fails.
     * @throws IOException      on another I/O error.
     */
    default DiscardMethod zeroRange(final long position, final long length) throws IOException
    {
        throw DiscardException.refused(name(), "zeroing without writing", "not offered by this device");
    }

    /**
     * Tells a block device that {@code length} bytes at {@code position} are no longer needed ({@code BLKDISCARD}),
     * with no promise about what they read back as afterwards. The default offers none.
     *
     * @param position a multiple of {@link #logicalSectorSize()}.
     * @param length   a multiple of {@link #logicalSectorSize()}.
     * @throws DiscardException if the device refuses ({@link DiscardException#refused()}) or fails.
     * @throws IOException      on another I/O error.
     */
    default void discardRange(final long position, final long length) throws IOException
    {
        throw DiscardException.refused(name(), "BLKDISCARD", "not offered by this device");
    }

    /**
     * Makes every completed write durable (fdatasync).
     *
     * @throws IOException on an I/O error.
     */
    void flush() throws IOException;
}
