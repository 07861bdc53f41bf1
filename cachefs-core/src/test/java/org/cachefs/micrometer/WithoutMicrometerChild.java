package org.cachefs.micrometer;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.FileVersion;
import org.cachefs.readthrough.Origin;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughOptions;

/**
 * The program {@link WithoutMicrometerTest} forks on a class path without Micrometer: {@code WithoutMicrometerChild
 * DIR} checks that no Micrometer class can be loaded, then formats and mounts an image, stores and reads a page through
 * the netfs API (JMX on, as by default), reads the figures a metrics binder would ({@code usage()},
 * {@code latencies()}, {@code cullingStats()}, the FS-Cache's counters), reads a file twice through a read-through
 * cache and lists its mounted images, and last loads {@link CacheFsMetrics}, which needs Micrometer. It prints one
 * line per step and exits 0; any failure ends it with a stack trace on standard error and a non-zero exit code. One
 * thread: main.
 */
public final class WithoutMicrometerChild
{
    /** A file of one page, its path the key. */
    private static final CookieDefinition<String> FILE = new CookieDefinition<>()
    {
        public CookieType type()
        {
            return CookieType.DATAFILE;
        }

        public byte[] key(final String path)
        {
            return path.getBytes(StandardCharsets.UTF_8);
        }

        public long size(final String path)
        {
            return 4096;
        }
    };

    private WithoutMicrometerChild()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Path dir = Path.of(args[0]);
        System.out.println("micrometer: " + loads("io.micrometer.core.instrument.MeterRegistry"));

        final Path image = dir.resolve("netfs.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(16L << 20), null);
        try (CacheFsBackend backend = CacheFs.mount(image, MountOptions.defaults().withRamTierBytes(0));
             FsCache fsCache = FsCache.create())
        {
            fsCache.addCache(backend, "child");
            final Cookie file = fsCache.registerNetfs("childfs", 1).primaryIndex()
                .acquire(FILE, "/f");
            file.attrChanged();
            final CachePage page = new CachePage(0, AlignedBuffers.allocate(4096));
            final Result first = file.readOrAllocPage(page, (p, context, r) -> { }, null);
            page.buffer().put(0, "stored".getBytes(StandardCharsets.UTF_8));
            file.writePage(page);
            file.waitOnPageWrite(page);
            file.uncachePage(page);
            final CachePage again = new CachePage(0, AlignedBuffers.allocate(4096));
            final Result second = file.readOrAllocPage(again, (p, context, r) -> { }, null);
            file.uncachePage(again);
            final byte[] text = new byte[6];
            again.buffer().get(0, text);
            System.out.println("netfs reads: " + first + ", " + second + " -> " +
                new String(text, StandardCharsets.UTF_8));
            System.out.println("figures: readHits=" + backend.usage().get("readHits") + " hitLatencyCount=" +
                backend.latencies().hits().count() + " cullRuns=" + backend.cullingStats().runs() +
                " retrievals=" + fsCache.stats().get(StatCounter.RETRIEVALS));
            file.relinquish(false);
            fsCache.withdrawCache("child");
        }

        final Origin origin = new Origin()
        {
            public FileVersion stat(final String path)
            {
                return new FileVersion(8192, "v1");
            }

            public void read(final String path, final FileVersion version, final long offset, final ByteBuffer dst)
            {
                while (dst.hasRemaining())
                {
                    dst.put((byte)'r');
                }
            }
        };
        try (ReadThroughCache cache = ReadThroughCache.open(origin,
                 ReadThroughOptions.builder().image(dir.resolve("readthrough.img"), 16L << 20).build());
             CachedFile file = cache.open("/remote"))
        {
            file.readFully(0, ByteBuffer.allocate(8192));
            cache.awaitStored(30, TimeUnit.SECONDS);
            file.readFully(0, ByteBuffer.allocate(8192));
            System.out.println("read-through: " + cache.stats().cacheHitBytes() + " bytes from the cache, " +
                cache.mountedImages().size() + " image mounted");
        }

        System.out.println("binder: " + loads("org.cachefs.micrometer.CacheFsMetrics"));
        System.out.flush();
        System.exit(0);
    }

    private static String loads(final String name)
    {
        try
        {
            Class.forName(name);
            return "loaded " + name;
        }
        catch (final ClassNotFoundException | LinkageError ex)
        {
            return ex.getClass().getSimpleName() + " " + ex.getMessage();
        }
    }
}
