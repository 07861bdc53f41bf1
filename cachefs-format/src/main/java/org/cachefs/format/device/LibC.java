package org.cachefs.format.device;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;
import jnr.ffi.types.off_t;
import jnr.posix.POSIX;
import jnr.posix.POSIXFactory;

/**
 * The libc calls the JDK lacks. jnr-posix ({@link Holder#POSIX}) offers {@code open} (exclusive opens of block
 * devices), {@code close}, {@code flock} (the image lock), {@code errno} and {@code strerror}; this interface binds,
 * through jnr-ffi, only the two it does not: {@code ioctl} with a pointer argument (a block device's sector size and
 * size, zeroing and discarding ranges with {@code BLKZEROOUT} and {@code BLKDISCARD}) and {@code fallocate}
 * (allocating an image file, punching holes in it). Values are Linux's (x86-64 and arm64 alike).
 * <p>
 * Thread-safe: the calls keep no state, and {@code errno} is the calling thread's.
 */
public interface LibC
{
    /** {@code open} flag: read only. */
    int O_RDONLY = 0;
    /** {@code open} flag: on a block device, fail with {@link #EBUSY} if it is mounted or open exclusively. */
    int O_EXCL = 0200;
    /** {@code open} flag: close the descriptor on {@code exec}. */
    int O_CLOEXEC = 02000000;
    /** {@code ioctl} request: a block device's logical sector size, into an {@code int}. */
    long BLKSSZGET = 0x1268;
    /** {@code ioctl} request: a block device's size in bytes, into a {@code uint64_t}. */
    long BLKGETSIZE64 = 0x80081272L;
    /** {@code errno}: device or resource busy. */
    int EBUSY = 16;
    /** {@code errno}: the operation would block (a lock held elsewhere). */
    int EWOULDBLOCK = 11;
    /** {@code flock} operation: take the exclusive lock. */
    int LOCK_EX = 2;
    /** {@code flock} operation: fail instead of waiting for the lock. */
    int LOCK_NB = 4;

    /** {@code open} flag: read and write. */
    int O_RDWR = 2;
    /** {@code open} flag: create the file if it does not exist. */
    int O_CREAT = 0100;

    /**
     * {@code fallocate} mode: do not change the file size.
     */
    int FALLOC_FL_KEEP_SIZE = 0x01;
    /**
     * {@code fallocate} mode: deallocate the range, which then reads as zeros (with {@link #FALLOC_FL_KEEP_SIZE}).
     */
    int FALLOC_FL_PUNCH_HOLE = 0x02;
    /**
     * {@code _IO(0x12, 119)}: discard a byte range {@code uint64_t[2] {start, length}} of a block device; what it
     * reads back as afterwards is the device's business.
     */
    long BLKDISCARD = 0x1277;
    /**
     * {@code _IO(0x12, 127)}: make a byte range {@code uint64_t[2] {start, length}} of a block device read back as
     * zeros (offloaded where the device can write zeroes, else the kernel writes them).
     */
    long BLKZEROOUT = 0x127f;

    /** {@code errno}: invalid argument. */
    int EINVAL = 22;
    /** {@code errno}: the {@code ioctl} request does not apply to the file. */
    int ENOTTY = 25;
    /** {@code errno}: the call is not implemented. */
    int ENOSYS = 38;
    /** {@code errno}: the operation is not supported by the file system or device. */
    int EOPNOTSUPP = 95;

    /**
     * {@code ioctl} whose argument points to an {@code int}, such as {@link #BLKSSZGET}.
     *
     * @param fd      the open file.
     * @param request the request.
     * @param value   the argument, read or written by the request.
     * @return 0, or -1 with {@code errno} set.
     */
    int ioctl(int fd, long request, IntByReference value);

    /**
     * {@code ioctl} whose argument points to a {@code uint64_t}, such as {@link #BLKGETSIZE64}.
     *
     * @param fd      the open file.
     * @param request the request.
     * @param value   the argument, read or written by the request.
     * @return 0, or -1 with {@code errno} set.
     */
    int ioctl(int fd, long request, LongLongByReference value);

    /**
     * {@code ioctl} whose argument points to {@code uint64_t}s, such as the {start, length} range of
     * {@link #BLKZEROOUT} and {@link #BLKDISCARD}.
     *
     * @param fd      the open file.
     * @param request the request.
     * @param values  the argument's {@code uint64_t}s.
     * @return 0, or -1 with {@code errno} set.
     */
    int ioctl(int fd, long request, @In long[] values);

    /**
     * Allocates or, with {@link #FALLOC_FL_PUNCH_HOLE}, deallocates a byte range of a file.
     *
     * @param fd     the open file.
     * @param mode   0 or a combination of the {@code FALLOC_FL_} flags.
     * @param offset the range's first byte.
     * @param length the range's length in bytes.
     * @return 0, or -1 with {@code errno} set.
     */
    int fallocate(int fd, int mode, @off_t long offset, @off_t long length);

    /**
     * The loaded libraries, created on first use.
     */
    final class Holder
    {
        /** The calls of this interface. */
        public static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        /** jnr-posix's native binding: {@code open}, {@code close}, {@code flock}, {@code errno}, {@code strerror}. */
        public static final POSIX POSIX = POSIXFactory.getNativePOSIX();

        private Holder()
        {
        }

        /**
         * @return the calling thread's {@code errno} after its last native call, through either library (jnr-ffi
         * keeps one per thread for both).
         */
        public static int errno()
        {
            return POSIX.errno();
        }

        /**
         * @param errno an {@code errno} value.
         * @return the system's message for {@code errno}.
         */
        public static String strerror(final int errno)
        {
            return POSIX.strerror(errno);
        }
    }
}
