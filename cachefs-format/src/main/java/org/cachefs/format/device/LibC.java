package org.cachefs.format.device;

import jnr.ffi.LibraryLoader;
import jnr.ffi.annotations.In;
import jnr.ffi.byref.IntByReference;
import jnr.ffi.byref.LongLongByReference;
import jnr.ffi.types.off_t;

/**
 * The few libc calls the JDK and jnr-posix do not offer: exclusive opens of block devices, their sector size and
 * size, fallocate, and flock.
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

    int open(@In String path, int flags);

    int open(@In String path, int flags, int mode);

    int close(int fd);

    int ioctl(int fd, long request, IntByReference value);

    int ioctl(int fd, long request, LongLongByReference value);

    int fallocate(int fd, int mode, @off_t long offset, @off_t long length);

    int flock(int fd, int operation);

    String strerror(int errno);

    /**
     * The loaded library, created on first use.
     */
    final class Holder
    {
        public static final LibC LIBC = LibraryLoader.create(LibC.class).load("c");
        public static final jnr.ffi.Runtime RUNTIME = jnr.ffi.Runtime.getRuntime(LIBC);

        private Holder()
        {
        }

        public static int errno()
        {
            return RUNTIME.getLastError();
        }
    }
}
