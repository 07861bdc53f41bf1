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
    int O_RDONLY = 0;
    int O_EXCL = 0200;
    int O_CLOEXEC = 02000000;
    long BLKSSZGET = 0x1268;
    long BLKGETSIZE64 = 0x80081272L;
    int EBUSY = 16;
    int EWOULDBLOCK = 11;
    int LOCK_EX = 2;
    int LOCK_NB = 4;

    int O_RDWR = 2;
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

    int EINVAL = 22;
    int ENOTTY = 25;
    int ENOSYS = 38;
    int EOPNOTSUPP = 95;

    int ioctl(int fd, long request, IntByReference value);

    int ioctl(int fd, long request, LongLongByReference value);

    /**
     * {@code ioctl} whose argument points to {@code uint64_t}s, such as the {start, length} range of
     * {@link #BLKZEROOUT} and {@link #BLKDISCARD}.
     */
    int ioctl(int fd, long request, @In long[] values);

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
         * @return the system's message for {@code errno}.
         */
        public static String strerror(final int errno)
        {
            return POSIX.strerror(errno);
        }
    }
}
