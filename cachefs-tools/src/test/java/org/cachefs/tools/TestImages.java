package org.cachefs.tools;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.UUID;

import org.cachefs.format.ImageHeader;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.DirectBlockDevice;

/**
 * Images for the tool tests: formatted through the library with fixed identity, crafted foreign filesystems, raw
 * byte edits.
 */
final class TestImages
{
    static final UUID FIXED_UUID = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");
    static final long FIXED_CREATED = 1_700_000_000_000L;
    static final String FIXED_CREATED_TEXT = "2023-11-14T22:13:20Z";

    private TestImages()
    {
    }

    /**
     * Formats a new image of {@code size} bytes with the fixed UUID and creation time.
     */
    static Path formatFixed(final Path image, final long size, final int blockSize, final String label)
        throws IOException
    {
        Mkfs.format(image, MkfsOptions.defaults().withSize(size).withBlockSize(blockSize).withLabel(label)
            .withUuid(FIXED_UUID).withCreatedMillis(FIXED_CREATED), null);
        return image;
    }

    /**
     * Creates a file of {@code size} zero bytes.
     */
    static Path zeros(final Path file, final long size) throws IOException
    {
        try (RandomAccessFile raf = new RandomAccessFile(file.toFile(), "rw"))
        {
            raf.setLength(size);
        }
        return file;
    }

    /**
     * Creates a 1 MiB file that carries an ext4 superblock signature: magic 0xEF53 (little-endian) at byte 1080 and the
     * INCOMPAT_EXTENTS flag 0x40 at byte 1120.
     */
    static Path ext4(final Path file) throws IOException
    {
        zeros(file, 1 << 20);
        writeBytes(file, 1080, (byte)0x53, (byte)0xEF);
        writeBytes(file, 1120, (byte)0x40);
        return file;
    }

    static void writeBytes(final Path file, final long position, final byte... bytes) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.WRITE))
        {
            final ByteBuffer buffer = ByteBuffer.wrap(bytes);
            long at = position;
            while (buffer.hasRemaining())
            {
                at += channel.write(buffer, at);
            }
        }
    }

    static byte[] readBytes(final Path file, final long position, final int length) throws IOException
    {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ))
        {
            final ByteBuffer buffer = ByteBuffer.allocate(length);
            long at = position;
            while (buffer.hasRemaining() && channel.read(buffer, at) > 0)
            {
                at = position + buffer.position();
            }
            return buffer.array();
        }
    }

    /**
     * Flips every bit of the byte at {@code position}.
     */
    static void flipByte(final Path file, final long position) throws IOException
    {
        final byte[] old = readBytes(file, position, 1);
        writeBytes(file, position, (byte)~old[0]);
    }

    static ImageHeader header(final Path image) throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            return ImageHeader.read(device);
        }
    }

    static byte[] content(final Path file) throws IOException
    {
        return Files.readAllBytes(file);
    }

    /**
     * The never zero long {@link #oldBytes} stores at byte {@code position} (a multiple of 8).
     */
    static long oldLongAt(final long position)
    {
        return 0x0BAD_DA7A_0000_0000L | position;
    }

    /**
     * Creates (or overwrites) a file of {@code size} bytes (a multiple of 8) holding {@link #oldLongAt} everywhere:
     * the old contents of a reused device.
     */
    static Path oldBytes(final Path file, final long size) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate((int)size).order(ByteOrder.LITTLE_ENDIAN);
        for (int i = 0; i < size; i += 8)
        {
            buffer.putLong(i, oldLongAt(i));
        }
        Files.write(file, buffer.array());
        return file;
    }

    /**
     * @return how many bytes from {@code from} to {@code to} of {@code content} (multiples of 8) are zero and how
     * many hold {@link #oldLongAt}: {@code {zero, old}}, read in longs.
     */
    static long[] zeroAndOldBytes(final byte[] content, final int from, final int to)
    {
        final ByteBuffer raw = ByteBuffer.wrap(content).order(ByteOrder.LITTLE_ENDIAN);
        final long[] counts = new long[2];
        for (int i = from; i < to; i += 8)
        {
            final long value = raw.getLong(i);
            if (value == 0)
            {
                counts[0] += 8;
            }
            else if (value == oldLongAt(i))
            {
                counts[1] += 8;
            }
        }
        return counts;
    }
}
