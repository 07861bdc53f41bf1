package org.cachefs.benchmarks;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
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
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;

/**
 * A mounted cache image with an FS-Cache in front of it, one registered netfs and one index under its primary
 * index, as a netfs client would set it up; data cookies are acquired under that index by name.
 */
public final class CacheSetup implements AutoCloseable
{
    /** Bytes per page and per block. */
    public static final int PAGE_SIZE = 4096;
    /** The netfs the benchmarks register. */
    public static final String NETFS = "cachefs-bench";

    /** The index holding the benchmark's data files. */
    public static final CookieDefinition<String> DIRECTORY = new CookieDefinition<>()
    {
        @Override
        public String name()
        {
            return "bench-dir";
        }

        @Override
        public CookieType type()
        {
            return CookieType.INDEX;
        }

        @Override
        public byte[] key(final String name)
        {
            return name.getBytes(StandardCharsets.UTF_8);
        }
    };

    /** A data file, keyed by its name; no size is reported, so no store limit applies. */
    public static final CookieDefinition<String> FILE = new CookieDefinition<>()
    {
        @Override
        public String name()
        {
            return "bench-file";
        }

        @Override
        public CookieType type()
        {
            return CookieType.DATAFILE;
        }

        @Override
        public byte[] key(final String name)
        {
            return name.getBytes(StandardCharsets.UTF_8);
        }
    };

    /** A completion for calls that must not dispatch reads (fills): one firing means a page was already cached. */
    private static final ReadCompletion<Object> IGNORE = (page, context, result) ->
    {
    };

    public final Path image;
    public final CacheFsBackend backend;
    public final FsCache fsCache;
    public final Netfs netfs;
    public final Cookie directory;

    private CacheSetup(final Path image, final CacheFsBackend backend, final int poolThreads)
    {
        this.image = image;
        this.backend = backend;
        FsCache fs = null;
        try
        {
            fs = FsCache.create(FsCacheOptions.builder().threadCount(poolThreads).build());
            fs.addCache(backend, "bench");
            this.netfs = fs.registerNetfs(NETFS, 1);
            this.directory = netfs.primaryIndex().acquire(DIRECTORY, "files");
            this.fsCache = fs;
        }
        catch (final RuntimeException ex)
        {
            if (fs != null)
            {
                fs.close();
            }
            closeQuietly(backend);
            throw ex;
        }
    }

    /**
     * Formats {@code image} (an existing file keeps its size and blocks) and mounts it. Without discard: the images
     * are written in full on purpose ({@link BenchFiles#writtenFile}), and holes punched by mkfs would turn later reads
     * into reads of unwritten extents that never reach the disk.
     */
    public static CacheSetup format(final Path image, final int poolThreads, final MountOptions options)
        throws IOException
    {
        Mkfs.format(image, MkfsOptions.defaults().withLabel("bench").withForce(true).withDiscard(false), null);
        return mount(image, poolThreads, options);
    }

    /**
     * Mounts a formatted {@code image}.
     */
    public static CacheSetup mount(final Path image, final int poolThreads, final MountOptions options)
        throws IOException
    {
        return new CacheSetup(image, CacheFs.mount(image, options), poolThreads);
    }

    /**
     * Acquires the data file {@code name} in the benchmark's index.
     */
    public Cookie acquire(final String name)
    {
        final Cookie cookie = directory.acquire(FILE, name);
        if (cookie.isNoop())
        {
            throw new IllegalStateException("acquiring " + name + " gave a no-op cookie: the cache refused it");
        }
        return cookie;
    }

    /**
     * Writes pages {@code [first, first + count)} of {@code cookie} through the netfs API (read_or_alloc miss,
     * write, wait, uncache), keeping up to {@code window} writes in flight.
     *
     * @return pages written.
     */
    public static long fill(final Cookie cookie, final long first, final long count, final int window, final long tag)
    {
        final ByteBuffer[] buffers = new ByteBuffer[window];
        final CachePage[] inFlight = new CachePage[window];
        for (int i = 0; i < window; i++)
        {
            buffers[i] = AlignedBuffers.allocate(PAGE_SIZE);
            Pages.pattern(buffers[i], tag * 31 + i);
        }
        long written = 0;
        for (long i = 0; i < count; i++)
        {
            final int slot = (int)(i % window);
            if (inFlight[slot] != null)
            {
                cookie.waitOnPageWrite(inFlight[slot]);
                cookie.uncachePage(inFlight[slot]);
                inFlight[slot] = null;
            }
            final CachePage page = new CachePage(first + i, buffers[slot]);
            Pages.stamp(page.buffer(), tag, page.index());
            final Result result = cookie.readOrAllocPage(page, IGNORE, null);
            if (result == Result.OK)
            {
                // Already cached (an earlier fill): nothing to write.
                cookie.uncachePage(page);
                continue;
            }
            if (result != Result.NO_DATA)
            {
                throw new IllegalStateException("read_or_alloc of page " + page.index() + " gave " + result +
                    " (is the image too small?)");
            }
            final Result write = cookie.writePage(page);
            if (write != Result.OK)
            {
                cookie.uncachePage(page);
                throw new IllegalStateException("write of page " + page.index() + " gave " + write);
            }
            inFlight[slot] = page;
            written++;
        }
        for (final CachePage page : inFlight)
        {
            if (page != null)
            {
                cookie.waitOnPageWrite(page);
                cookie.uncachePage(page);
            }
        }
        return written;
    }

    /**
     * Fills {@code files} whole files of {@code filePages} pages each, with {@code threads} threads.
     */
    public static void fillAll(final Cookie[] files, final long filePages, final int threads) throws IOException
    {
        final ExecutorService pool = Executors.newFixedThreadPool(threads);
        try
        {
            final List<Future<Long>> done = new ArrayList<>();
            for (int f = 0; f < files.length; f++)
            {
                final int file = f;
                done.add(pool.submit(() -> fill(files[file], 0, filePages, 32, file)));
            }
            for (final Future<Long> future : done)
            {
                future.get();
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while filling", ex);
        }
        catch (final java.util.concurrent.ExecutionException ex)
        {
            throw new IOException("fill failed: " + ex.getCause(), ex.getCause());
        }
        finally
        {
            pool.shutdownNow();
        }
    }

    /**
     * Waits (up to a minute) until the FS-Cache pool has nothing left to do.
     */
    public void awaitIdle()
    {
        if (!fsCache.awaitIdle(60, TimeUnit.SECONDS))
        {
            throw new IllegalStateException("FS-Cache pool still busy after 60 s");
        }
    }

    /**
     * Relinquishes the index, unregisters the netfs, closes the FS-Cache (withdrawing the cache) and unmounts.
     * Data cookies must have been relinquished.
     */
    @Override
    public void close() throws IOException
    {
        try
        {
            directory.relinquish(false);
            fsCache.unregisterNetfs(netfs);
        }
        finally
        {
            try
            {
                fsCache.close();
            }
            finally
            {
                backend.close();
            }
        }
    }

    private static void closeQuietly(final CacheFsBackend backend)
    {
        try
        {
            backend.close();
        }
        catch (final IOException | RuntimeException ignored)
        {
            // Already failing.
        }
    }
}
