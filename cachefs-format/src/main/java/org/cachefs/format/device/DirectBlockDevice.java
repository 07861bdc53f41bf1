package org.cachefs.format.device;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.channels.ClosedChannelException;
import java.nio.channels.FileChannel;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.OpenOption;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;

import com.sun.nio.file.ExtendedOpenOption;
import jnr.ffi.byref.IntByReference;
import jnr.posix.POSIX;
import org.cachefs.format.DeviceInUseException;

/**
 * A {@link BlockDevice} over an image file or a raw block device, opened with O_DIRECT so that reads and writes go
 * straight between the caller's aligned direct buffers and the device.
 * <p>
 * Ownership: a writable open takes the device for itself — an entry in a JVM-wide registry, plus an exclusive
 * {@code flock(2)} on a descriptor of its own for image files or an {@code O_EXCL} open for block devices, which the
 * kernel grants to one opener at a time — and a second writable open, here or in another process, fails with
 * {@link DeviceInUseException}. (Not {@link FileChannel#tryLock()}: its POSIX record lock belongs to the process and
 * vanishes when any descriptor of the file in this process is closed, a read-only open's for instance.) Read-only opens take nothing and may run beside a writer. Thread-safe: reads and
 * writes are positional (pread/pwrite).
 * <p>
 * The descriptor that holds ownership is opened for writing too: {@link #zeroRange} and {@link #discardRange} use it
 * for {@code fallocate(2)} and the {@code BLKZEROOUT} / {@code BLKDISCARD} ioctls, which need a writable descriptor
 * (and, for the ioctls, one whose exclusive claim lets the kernel drop the device's cached pages of the range).
 */
public final class DirectBlockDevice implements BlockDevice
{
    private static final Set<Object> OPEN_FOR_WRITE = ConcurrentHashMap.newKeySet();
    private static final int S_IFMT = 0170000;
    private static final int S_IFBLK = 0060000;

    private final Path path;
    private final String name;
    private volatile FileChannel channel;
    private final Object reopenLock = new Object();
    private final boolean blockDevice;
    private final boolean readOnly;
    private final long size;
    private final int logicalSectorSize;
    private final Object ownerKey;
    private final int exclusiveFd;
    private volatile boolean closed;

    private DirectBlockDevice(
        final Path path,
        final FileChannel channel,
        final boolean blockDevice,
        final boolean readOnly,
        final long size,
        final int logicalSectorSize,
        final Object ownerKey,
        final int exclusiveFd)
    {
        this.path = path;
        this.name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        this.channel = channel;
        this.blockDevice = blockDevice;
        this.readOnly = readOnly;
        this.size = size;
        this.logicalSectorSize = logicalSectorSize;
        this.ownerKey = ownerKey;
        this.exclusiveFd = exclusiveFd;
    }

    /**
     * Opens an existing image file or block device for reading and writing, taking ownership of it.
     *
     * @param path the image file or block device.
     * @return the open device.
     * @throws DeviceInUseException if another cachefs instance has it open for writing.
     * @throws NoSuchFileException  if it does not exist.
     * @throws IOException          if it cannot be opened with O_DIRECT.
     */
    public static DirectBlockDevice open(final Path path) throws IOException
    {
        return open(path, false);
    }

    /**
     * Opens an existing image file or block device without taking ownership.
     *
     * @param path the image file or block device.
     * @return the open device.
     * @throws NoSuchFileException if it does not exist.
     * @throws IOException         if it cannot be opened with O_DIRECT.
     */
    public static DirectBlockDevice openReadOnly(final Path path) throws IOException
    {
        return open(path, true);
    }

    private static DirectBlockDevice open(final Path path, final boolean readOnly) throws IOException
    {
        final BasicFileAttributes attributes = Files.readAttributes(path, BasicFileAttributes.class);
        final boolean blockDevice = isBlockDevice(path);
        if (!blockDevice && !attributes.isRegularFile())
        {
            throw new IOException(path + " is neither a regular file nor a block device");
        }
        final String name = path.getFileName() == null ? path.toString() : path.getFileName().toString();
        final Object ownerKey = attributes.fileKey() != null ? attributes.fileKey() : path.toRealPath();
        if (!readOnly && !OPEN_FOR_WRITE.add(ownerKey))
        {
            throw new DeviceInUseException(name);
        }
        FileChannel channel = null;
        int exclusiveFd = -1;
        boolean opened = false;
        try
        {
            if (!readOnly)
            {
                exclusiveFd = blockDevice ? openExclusive(path, name) : lockImage(path, name);
            }
            final OpenOption[] options = readOnly ?
                new OpenOption[]{ StandardOpenOption.READ, ExtendedOpenOption.DIRECT } :
                new OpenOption[]{ StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT };
            channel = FileChannel.open(path, options);
            final int sectorSize = blockDevice ? blockDeviceSectorSize(path, exclusiveFd) :
                (int)Files.getFileStore(path).getBlockSize();
            final DirectBlockDevice device = new DirectBlockDevice(path, channel, blockDevice, readOnly,
                channel.size(), sectorSize, readOnly ? null : ownerKey, exclusiveFd);
            opened = true;
            return device;
        }
        finally
        {
            if (!opened)
            {
                if (channel != null)
                {
                    channel.close();
                }
                if (exclusiveFd >= 0)
                {
                    LibC.Holder.POSIX.close(exclusiveFd);
                }
                if (!readOnly)
                {
                    OPEN_FOR_WRITE.remove(ownerKey);
                }
            }
        }
    }

    private static int openExclusive(final Path path, final String name) throws IOException
    {
        final int fd = LibC.Holder.POSIX.open(path.toString(), LibC.O_RDWR | LibC.O_EXCL | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            final int errno = LibC.Holder.errno();
            if (errno == LibC.EBUSY)
            {
                throw new DeviceInUseException(name);
            }
            throw new IOException("cannot open " + path + " exclusively: " + LibC.Holder.strerror(errno));
        }
        return fd;
    }

    /**
     * Opens a descriptor of the image, for reading and writing, that holds an exclusive {@code flock(2)} until it is
     * closed.
     */
    private static int lockImage(final Path path, final String name) throws IOException
    {
        final POSIX posix = LibC.Holder.POSIX;
        final int fd = posix.open(path.toString(), LibC.O_RDWR | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException("cannot open " + path + ": " + LibC.Holder.strerror(LibC.Holder.errno()));
        }
        if (posix.flock(fd, LibC.LOCK_EX | LibC.LOCK_NB) != 0)
        {
            final int errno = LibC.Holder.errno();
            posix.close(fd);
            if (errno == LibC.EWOULDBLOCK)
            {
                throw new DeviceInUseException(name);
            }
            throw new IOException("cannot lock " + path + ": " + LibC.Holder.strerror(errno));
        }
        return fd;
    }

    /**
     * @param path the path to look at.
     * @return true if {@code path} is a block device node.
     * @throws IOException if its attributes cannot be read.
     */
    public static boolean isBlockDevice(final Path path) throws IOException
    {
        final Object mode = Files.getAttribute(path, "unix:mode");
        return ((Integer)mode & S_IFMT) == S_IFBLK;
    }

    private static int blockDeviceSectorSize(final Path path, final int exclusiveFd) throws IOException
    {
        final int fd = exclusiveFd >= 0 ? exclusiveFd :
            LibC.Holder.POSIX.open(path.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException("cannot open " + path + ": " + LibC.Holder.strerror(LibC.Holder.errno()));
        }
        try
        {
            final IntByReference sectorSize = new IntByReference();
            if (LibC.Holder.LIBC.ioctl(fd, LibC.BLKSSZGET, sectorSize) != 0)
            {
                throw new IOException("cannot read the logical sector size of " + path + ": " +
                    LibC.Holder.strerror(LibC.Holder.errno()));
            }
            return sectorSize.getValue();
        }
        finally
        {
            if (fd != exclusiveFd)
            {
                LibC.Holder.POSIX.close(fd);
            }
        }
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public Path path()
    {
        return path;
    }

    @Override
    public long size()
    {
        return size;
    }

    @Override
    public int logicalSectorSize()
    {
        return logicalSectorSize;
    }

    @Override
    public boolean isBlockDevice()
    {
        return blockDevice;
    }

    @Override
    public boolean isReadOnly()
    {
        return readOnly;
    }

    @Override
    public void read(final long position, final ByteBuffer dst) throws IOException
    {
        checkAligned(position, dst);
        long at = position;
        boolean interrupted = false;
        try
        {
            while (dst.hasRemaining())
            {
                final FileChannel current = channel;
                final int read;
                try
                {
                    read = current.read(dst, at);
                }
                catch (final ClosedChannelException ex)
                {
                    interrupted |= recover(current, ex);
                    continue;
                }
                if (read < 0)
                {
                    throw new EOFException(name + ": end of device at byte " + at + " while reading " +
                        dst.remaining() + " more bytes from " + position);
                }
                at += read;
            }
        }
        finally
        {
            restoreInterrupt(interrupted);
        }
    }

    @Override
    public void write(final long position, final ByteBuffer src) throws IOException
    {
        if (readOnly)
        {
            throw new IOException(name + " is open read-only");
        }
        checkAligned(position, src);
        long at = position;
        boolean interrupted = false;
        try
        {
            while (src.hasRemaining())
            {
                final FileChannel current = channel;
                try
                {
                    at += current.write(src, at);
                }
                catch (final ClosedChannelException ex)
                {
                    interrupted |= recover(current, ex);
                }
            }
        }
        finally
        {
            restoreInterrupt(interrupted);
        }
    }

    @Override
    public void flush() throws IOException
    {
        boolean interrupted = false;
        try
        {
            while (true)
            {
                final FileChannel current = channel;
                try
                {
                    current.force(false);
                    return;
                }
                catch (final ClosedChannelException ex)
                {
                    interrupted |= recover(current, ex);
                }
            }
        }
        finally
        {
            restoreInterrupt(interrupted);
        }
    }

    /**
     * Punches a hole in an image file ({@code fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)}), then allocates
     * the range again where the file system allows, so that an image mkfs allocated stays allocated (unwritten
     * extents, which read as zeros; where allocation fails the hole reads as zeros all the same). On a block device,
     * {@code ioctl(BLKZEROOUT)}.
     */
    @Override
    public DiscardMethod zeroRange(final long position, final long length) throws IOException
    {
        checkRange(position, length, true);
        final LibC libc = LibC.Holder.LIBC;
        if (blockDevice)
        {
            if (libc.ioctl(exclusiveFd, LibC.BLKZEROOUT, new long[]{ position, length }) != 0)
            {
                throw failure("BLKZEROOUT", position, length);
            }
            return DiscardMethod.ZEROOUT;
        }
        if (libc.fallocate(exclusiveFd, LibC.FALLOC_FL_PUNCH_HOLE | LibC.FALLOC_FL_KEEP_SIZE, position, length) != 0)
        {
            throw failure("punching a hole", position, length);
        }
        libc.fallocate(exclusiveFd, LibC.FALLOC_FL_KEEP_SIZE, position, length);
        return DiscardMethod.PUNCH_HOLE;
    }

    /**
     * {@code ioctl(BLKDISCARD)} on a block device; refused on an image file.
     */
    @Override
    public void discardRange(final long position, final long length) throws IOException
    {
        checkRange(position, length, false);
        if (!blockDevice)
        {
            throw DiscardException.refused(name, "BLKDISCARD", "not a block device");
        }
        if (LibC.Holder.LIBC.ioctl(exclusiveFd, LibC.BLKDISCARD, new long[]{ position, length }) != 0)
        {
            throw failure("BLKDISCARD", position, length);
        }
    }

    private DiscardException failure(final String operation, final long position, final long length)
    {
        final int errno = LibC.Holder.errno();
        return DiscardException.of(name, operation, position, length, errno, LibC.Holder.strerror(errno));
    }

    private void checkRange(final long position, final long length, final boolean toTheEnd) throws IOException
    {
        if (closed)
        {
            throw new IOException(name + " is closed");
        }
        if (readOnly)
        {
            throw new IOException(name + " is open read-only");
        }
        final boolean lengthAligned = length % logicalSectorSize == 0 || toTheEnd && position + length == size;
        if (position < 0 || length <= 0 || position % logicalSectorSize != 0 || !lengthAligned ||
            position + length > size)
        {
            throw new IOException(name + ": invalid range of " + length + " bytes at " + position + " (sector size " +
                logicalSectorSize + ", device size " + size + ")");
        }
    }

    /**
     * A {@link FileChannel} closes itself when a thread is interrupted in (or entering) an I/O on it: one interrupted
     * caller must not take the device away from every other. Reopens the channel, unless the device was closed, and
     * clears the caller's interrupt status for the retry.
     *
     * @return true if the caller was interrupted (its status is restored after the I/O).
     * @throws IOException if the device was closed, or it cannot be reopened.
     */
    private boolean recover(final FileChannel failed, final ClosedChannelException cause) throws IOException
    {
        if (closed)
        {
            throw new IOException(name + " is closed", cause);
        }
        final boolean interrupted = Thread.interrupted();
        synchronized (reopenLock)
        {
            if (closed)
            {
                throw new IOException(name + " is closed", cause);
            }
            if (channel == failed)
            {
                channel = FileChannel.open(path, readOnly ?
                    new OpenOption[]{ StandardOpenOption.READ, ExtendedOpenOption.DIRECT } :
                    new OpenOption[]{ StandardOpenOption.READ, StandardOpenOption.WRITE, ExtendedOpenOption.DIRECT });
            }
        }
        return interrupted;
    }

    private static void restoreInterrupt(final boolean interrupted)
    {
        if (interrupted)
        {
            Thread.currentThread().interrupt();
        }
    }

    private void checkAligned(final long position, final ByteBuffer buffer) throws IOException
    {
        if (closed)
        {
            throw new IOException(name + " is closed");
        }
        if (position < 0 || position % logicalSectorSize != 0 || buffer.remaining() % logicalSectorSize != 0)
        {
            throw new IOException(name + ": unaligned I/O of " + buffer.remaining() + " bytes at " + position +
                " (sector size " + logicalSectorSize + ")");
        }
    }

    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            synchronized (reopenLock)
            {
                channel.close();
            }
        }
        finally
        {
            if (exclusiveFd >= 0)
            {
                LibC.Holder.POSIX.close(exclusiveFd);
            }
            if (ownerKey != null)
            {
                OPEN_FOR_WRITE.remove(ownerKey);
            }
        }
    }

    @Override
    public String toString()
    {
        return "DirectBlockDevice{" + path + ", size=" + size + ", sector=" + logicalSectorSize +
            (blockDevice ? ", block device" : ", image") + (readOnly ? ", read-only" : "") + '}';
    }
}
