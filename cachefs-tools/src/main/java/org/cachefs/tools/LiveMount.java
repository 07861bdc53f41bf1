package org.cachefs.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import jnr.posix.POSIX;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.device.LibC;

/**
 * A cachefs instance that holds an image file or block device for writing (a mounted cache, or a repair or mkfs under
 * way), found without taking anything that would refuse it, and the process that holds it where the system says.
 * <ul>
 *     <li>An image file: the writer holds an exclusive {@code flock(2)} on it ({@link DirectBlockDevice}). On Linux
 *     {@code /proc/locks} lists every lock with its holder's PID and the locked file's device ({@code major:minor} in
 *     hex) and inode; the {@code FLOCK ... WRITE} entry whose device and inode are the image's (as {@code stat(2)}
 *     gives them) names the holder. A PID of 0 there is a holder in a PID namespace the reader does not see. Where
 *     {@code /proc/locks} cannot be read, a shared {@code flock(LOCK_SH | LOCK_NB)} tried on a read-only descriptor
 *     and dropped at once tells whether a writer holds it, not which process.</li>
 *     <li>A block device: the writer holds it open with {@code O_EXCL}, which no system table lists with its PID. An
 *     {@code O_RDONLY | O_EXCL} open tried and closed at once fails with {@code EBUSY} while it is held, by a cachefs
 *     instance or by anything else that claims the device (a mounted filesystem, for instance).</li>
 * </ul>
 * The two tries hold their claim for the length of one system call: a mount at that very moment is refused as
 * "in use", as it would be beside any other writer.
 * <p>
 * Immutable; {@link #probe} may be called from any thread.
 */
final class LiveMount
{
    /**
     * {@link #pid()} of a holder the system does not name.
     */
    static final long UNKNOWN_PID = -1;

    private static final Path PROC_LOCKS = Path.of("/proc/locks");
    private static final int LOCK_SH = 1;

    private final long pid;
    private final boolean blockDevice;

    private LiveMount(final long pid, final boolean blockDevice)
    {
        this.pid = pid;
        this.blockDevice = blockDevice;
    }

    /**
     * @param target an image file or block device.
     * @return its holder, or null if no writer holds it (or it is neither an image file nor a block device: opening it
     * says so).
     * @throws IOException if its attributes cannot be read (no such file, for instance).
     */
    static LiveMount probe(final Path target) throws IOException
    {
        return probe(target, PROC_LOCKS);
    }

    /**
     * {@link #probe(Path)} with the lock table read from {@code procLocks}.
     */
    static LiveMount probe(final Path target, final Path procLocks) throws IOException
    {
        if (DirectBlockDevice.isBlockDevice(target))
        {
            return claimedExclusively(target) ? new LiveMount(UNKNOWN_PID, true) : null;
        }
        if (!Files.isRegularFile(target))
        {
            return null;
        }
        final long dev = (Long)Files.getAttribute(target, "unix:dev");
        final long inode = (Long)Files.getAttribute(target, "unix:ino");
        final List<String> locks;
        try
        {
            locks = Files.readAllLines(procLocks, StandardCharsets.US_ASCII);
        }
        catch (final IOException ex)
        {
            return flockHeld(target) ? new LiveMount(UNKNOWN_PID, false) : null;
        }
        final long pid = flockHolder(locks, major(dev), minor(dev), inode);
        if (pid < 0)
        {
            return null;
        }
        return new LiveMount(pid == 0 ? UNKNOWN_PID : pid, false);
    }

    /**
     * @return the holder's PID, or {@link #UNKNOWN_PID}.
     */
    long pid()
    {
        return pid;
    }

    /**
     * @return who holds it, for messages: "in use by another cachefs instance (process 1234)".
     */
    String describe()
    {
        if (blockDevice)
        {
            return "in use by another cachefs instance or a mounted filesystem (the system does not say which " +
                "process)";
        }
        return "in use by another cachefs instance (" + (pid == UNKNOWN_PID ? "the system does not say which process" :
            "process " + pid) + ")";
    }

    /**
     * Finds the exclusive {@code flock} of a file in the lines of {@code /proc/locks}, e.g.
     * {@code 1: FLOCK  ADVISORY  WRITE 8127 fe:00:2146367 0 EOF} (waiters, {@code 1: -> FLOCK ...}, hold nothing).
     *
     * @return the holder's PID as listed (0: a process the reader cannot see), or -1 if the file has no such lock.
     */
    static long flockHolder(final List<String> locks, final long major, final long minor, final long inode)
    {
        final String file = String.format("%02x:%02x:%d", major, minor, inode);
        for (final String line : locks)
        {
            final String[] fields = line.trim().split("\\s+");
            if (fields.length >= 6 && fields[1].equals("FLOCK") && fields[3].equals("WRITE") &&
                fields[5].equals(file))
            {
                try
                {
                    return Long.parseLong(fields[4]);
                }
                catch (final NumberFormatException ex)
                {
                    return 0;
                }
            }
        }
        return -1;
    }

    /**
     * @return the major number of a {@code stat(2)} {@code st_dev}, decoded as glibc's {@code major(3)}.
     */
    static long major(final long dev)
    {
        return ((dev >>> 8) & 0xfffL) | ((dev >>> 32) & ~0xfffL);
    }

    /**
     * @return the minor number of a {@code stat(2)} {@code st_dev}, decoded as glibc's {@code minor(3)}.
     */
    static long minor(final long dev)
    {
        return (dev & 0xffL) | ((dev >>> 12) & ~0xffL);
    }

    private static boolean flockHeld(final Path target) throws IOException
    {
        final POSIX posix = LibC.Holder.POSIX;
        final int fd = posix.open(target.toString(), LibC.O_RDONLY | LibC.O_CLOEXEC, 0);
        if (fd < 0)
        {
            throw new IOException("cannot open " + target + ": " + LibC.Holder.strerror(LibC.Holder.errno()));
        }
        try
        {
            if (posix.flock(fd, LOCK_SH | LibC.LOCK_NB) == 0)
            {
                return false;
            }
            final int errno = LibC.Holder.errno();
            if (errno == LibC.EWOULDBLOCK)
            {
                return true;
            }
            throw new IOException("cannot test the lock of " + target + ": " + LibC.Holder.strerror(errno));
        }
        finally
        {
            posix.close(fd);
        }
    }

    private static boolean claimedExclusively(final Path target) throws IOException
    {
        final POSIX posix = LibC.Holder.POSIX;
        final int fd = posix.open(target.toString(), LibC.O_RDONLY | LibC.O_EXCL | LibC.O_CLOEXEC, 0);
        if (fd >= 0)
        {
            posix.close(fd);
            return false;
        }
        final int errno = LibC.Holder.errno();
        if (errno == LibC.EBUSY)
        {
            return true;
        }
        throw new IOException("cannot open " + target + ": " + LibC.Holder.strerror(errno));
    }
}
