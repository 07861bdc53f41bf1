package org.cachefs.cachefs;

import java.io.OutputStream;
import java.io.PrintStream;
import java.lang.management.ManagementFactory;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.zip.CRC32;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.TestFile;

/**
 * The program {@link NoJvmFlagsTest} forks in a JVM started without flags: {@code NoJvmFlagsChild IMAGE} formats
 * IMAGE, mounts it, stores page {@link #PAGE} of file {@link #FILE} through the public API, reads it back into a
 * heap buffer (through the backend's pool of aligned bounce buffers), unmounts, mounts again and reads the page
 * into an aligned direct buffer (O_DIRECT from the device). It prints the JVM's input arguments, then one line per
 * step with the CRC32 of the bytes each read returned, and exits 0; any failure ends it with a stack trace on
 * standard error and a non-zero exit code. One thread: main.
 */
public final class NoJvmFlagsChild
{
    static final String FILE = "flagless";
    static final long PAGE = 5;
    static final long SEED = 24;
    static final long IMAGE_SIZE = 16L << 20;

    private NoJvmFlagsChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path image = Path.of(args[0]);
        System.out.println("jvm arguments: " + String.join(" ",
            ManagementFactory.getRuntimeMXBean().getInputArguments()));
        Mkfs.format(image, MkfsOptions.defaults().withSize(IMAGE_SIZE), new PrintStream(OutputStream.nullOutputStream()));
        System.out.println("formatted " + Files.size(image) + " bytes");

        try (ApiSession session = ApiSession.mount(image))
        {
            final Cookie cookie = session.acquire(new TestFile(FILE));
            session.storeNew(cookie, PAGE, ApiSession.content(SEED, FILE, PAGE, 1));
            System.out.println("stored page " + PAGE);

            final CachePage heap = new CachePage(PAGE, ByteBuffer.allocate(ApiSession.PAGE_SIZE));
            final Result read = cookie.readOrAllocPage(heap, session.recorder, null);
            final Result completed = session.recorder.resultOf(heap);
            cookie.uncachePage(heap);
            System.out.println("heap read: " + read + ", completed " + completed + ", crc32 " +
                crc32(heap.buffer().duplicate().clear()));
        }
        try (ApiSession session = ApiSession.mount(image))
        {
            final Cookie cookie = session.acquire(new TestFile(FILE));
            final byte[] bytes = session.load(cookie, PAGE);
            System.out.println("remounted clean " + session.backend.wasClean() + ", direct read crc32 " +
                crc32(ByteBuffer.wrap(bytes)));
        }
        System.out.flush();
        System.exit(0);
    }

    /**
     * @return the CRC32 of the bytes from the buffer's position to its limit, as 8 hex digits.
     */
    static String crc32(final ByteBuffer bytes)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes);
        return String.format("%08x", crc.getValue());
    }
}
