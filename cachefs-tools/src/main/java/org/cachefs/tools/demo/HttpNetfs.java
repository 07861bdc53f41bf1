package org.cachefs.tools.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;

/**
 * A network filesystem client over HTTP that keeps pages of remote files in FS-Cache: the netfs {@code httpfs}
 * (version 1) with an index entry per server and a data cookie per file, whose auxiliary data is the file's ETag and
 * Last-Modified, so a file changed at the origin is found OBSOLETE and fetched afresh. Pages present in the cache are
 * read from it (a multi-page call, whose adjacent blocks the cache reads in one I/O); missing pages are fetched with
 * one {@code Range} request per run of consecutive pages and written to the cache.
 * <p>
 * Threading: {@link #read(String)} may be called from several threads at once; counters are atomic.
 */
public final class HttpNetfs implements AutoCloseable
{
    /** Pages asked of the cache in one call. */
    static final int BATCH_PAGES = 32;

    /**
     * A remote file as its origin describes it.
     *
     * @param path         the path under the server's base URI.
     * @param size         its length in bytes.
     * @param etag         its ETag, or "".
     * @param lastModified its Last-Modified, or "".
     */
    public record RemoteFile(String path, long size, String etag, String lastModified)
    {
        byte[] aux()
        {
            return (etag + "\n" + lastModified).getBytes(StandardCharsets.UTF_8);
        }
    }

    private static final CookieDefinition<String> SERVER = new CookieDefinition<>()
    {
        @Override
        public String name()
        {
            return "http-server";
        }

        @Override
        public CookieType type()
        {
            return CookieType.INDEX;
        }

        @Override
        public byte[] key(final String server)
        {
            return server.getBytes(StandardCharsets.UTF_8);
        }
    };

    private static final CookieDefinition<RemoteFile> FILE = new CookieDefinition<>()
    {
        @Override
        public String name()
        {
            return "http-file";
        }

        @Override
        public CookieType type()
        {
            return CookieType.DATAFILE;
        }

        @Override
        public byte[] key(final RemoteFile file)
        {
            return file.path().getBytes(StandardCharsets.UTF_8);
        }

        @Override
        public byte[] aux(final RemoteFile file)
        {
            return file.aux();
        }

        @Override
        public long size(final RemoteFile file)
        {
            return file.size();
        }

        @Override
        public CheckAux checkAux(final RemoteFile file, final byte[] aux)
        {
            return Arrays.equals(aux, file.aux()) ? CheckAux.OKAY : CheckAux.OBSOLETE;
        }
    };

    /**
     * What the reads of one batch from the cache came to.
     */
    private static final class Batch
    {
        final CountDownLatch reads;
        final java.util.Set<CachePage> failed = java.util.concurrent.ConcurrentHashMap.newKeySet();

        Batch(final int pages)
        {
            reads = new CountDownLatch(pages);
        }
    }

    private static final ReadCompletion<Batch> COMPLETION = (page, batch, result) ->
    {
        if (result != Result.OK)
        {
            batch.failed.add(page);
        }
        batch.reads.countDown();
    };

    private final FsCache fsCache;
    private final URI base;
    private final HttpClient client;
    private final Netfs netfs;
    private final Cookie server;
    private final int pageSize;
    private final AtomicLong pagesFromCache = new AtomicLong();
    private final AtomicLong pagesFromOrigin = new AtomicLong();
    private final AtomicLong bytesFromOrigin = new AtomicLong();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong pagesWritten = new AtomicLong();

    /**
     * Registers the netfs with {@code fsCache} and acquires the index entry of the server at {@code base}, named
     * by its host and port.
     */
    public HttpNetfs(final FsCache fsCache, final URI base)
    {
        this(fsCache, base, base.getHost() + ":" + base.getPort());
    }

    /**
     * Registers the netfs with {@code fsCache} and acquires the index entry {@code serverName} for the server at
     * {@code base} (a stable name keeps the cache warm when the server moves).
     */
    public HttpNetfs(final FsCache fsCache, final URI base, final String serverName)
    {
        this.fsCache = fsCache;
        this.base = base;
        this.pageSize = fsCache.pageSize();
        this.client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
        this.netfs = fsCache.registerNetfs("httpfs", 1);
        this.server = netfs.primaryIndex().acquire(SERVER, serverName);
    }

    /**
     * Asks the origin for a file's size and version (a HEAD request).
     */
    public RemoteFile stat(final String path) throws IOException
    {
        final HttpResponse<Void> response = send(HttpRequest.newBuilder(base.resolve(path))
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200)
        {
            throw new IOException("HEAD " + base.resolve(path) + ": HTTP " + response.statusCode());
        }
        final long size = response.headers().firstValueAsLong("Content-Length")
            .orElseThrow(() -> new IOException("HEAD " + base.resolve(path) + ": no Content-Length"));
        return new RemoteFile(path, size, response.headers().firstValue("ETag").orElse(""),
            response.headers().firstValue("Last-Modified").orElse(""));
    }

    /**
     * Reads a whole file, through the cache.
     */
    public byte[] read(final String path) throws IOException
    {
        final RemoteFile file = stat(path);
        if (file.size() > Integer.MAX_VALUE)
        {
            throw new IOException(path + " is too large for this reader: " + file.size() + " bytes");
        }
        final byte[] content = new byte[(int)file.size()];
        final Cookie cookie = server.acquire(FILE, file);
        try
        {
            cookie.attrChanged();
            final long pages = (file.size() + pageSize - 1) / pageSize;
            for (long first = 0; first < pages; first += BATCH_PAGES)
            {
                readBatch(cookie, file, first, (int)Math.min(BATCH_PAGES, pages - first), content);
            }
        }
        finally
        {
            cookie.relinquish(false);
        }
        return content;
    }

    private void readBatch(
        final Cookie cookie, final RemoteFile file, final long first, final int count, final byte[] content)
        throws IOException
    {
        final List<CachePage> all = new ArrayList<>(count);
        for (int i = 0; i < count; i++)
        {
            all.add(new CachePage(first + i, AlignedBuffers.allocate(pageSize)));
        }
        final List<CachePage> missing = new ArrayList<>(all);
        final Batch batch = new Batch(count);
        cookie.readOrAllocPages(missing, COMPLETION, batch);
        for (int i = 0; i < missing.size(); i++)
        {
            batch.reads.countDown();
        }
        awaitReads(batch.reads);
        // Pages whose read from the cache failed are fetched like missing ones.
        final List<CachePage> fetch = new ArrayList<>(missing);
        fetch.addAll(batch.failed);
        fetch.sort((a, b) -> Long.compare(a.index(), b.index()));
        fetchFromOrigin(file, fetch);
        final List<CachePage> written = new ArrayList<>();
        for (final CachePage page : fetch)
        {
            if (page.isFsCache() && cookie.writePage(page) == Result.OK)
            {
                written.add(page);
                pagesWritten.incrementAndGet();
            }
        }
        pagesFromCache.addAndGet(count - fetch.size());
        for (final CachePage page : all)
        {
            final int offset = (int)(page.index() * pageSize);
            final int length = Math.min(pageSize, content.length - offset);
            page.buffer().get(0, content, offset, length);
        }
        for (final CachePage page : written)
        {
            cookie.waitOnPageWrite(page);
        }
        for (final CachePage page : all)
        {
            if (page.isFsCache())
            {
                cookie.uncachePage(page);
            }
        }
    }

    private static void awaitReads(final CountDownLatch reads) throws IOException
    {
        try
        {
            if (!reads.await(60, TimeUnit.SECONDS))
            {
                throw new IOException("cache reads did not complete within 60 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted while waiting for cache reads", ex);
        }
    }

    /**
     * Fetches the pages (sorted by index) with one Range request per run of consecutive pages.
     */
    private void fetchFromOrigin(final RemoteFile file, final List<CachePage> pages) throws IOException
    {
        int start = 0;
        while (start < pages.size())
        {
            int end = start + 1;
            while (end < pages.size() && pages.get(end).index() == pages.get(end - 1).index() + 1)
            {
                end++;
            }
            final long from = pages.get(start).index() * pageSize;
            final long to = Math.min(file.size(), (pages.get(end - 1).index() + 1) * pageSize) - 1;
            final HttpResponse<byte[]> response = send(HttpRequest.newBuilder(base.resolve(file.path()))
                .header("Range", "bytes=" + from + "-" + to).build(), HttpResponse.BodyHandlers.ofByteArray());
            final byte[] body = response.body();
            if (response.statusCode() != 206 || body.length != to - from + 1)
            {
                throw new IOException("GET " + file.path() + " bytes " + from + "-" + to + ": HTTP " +
                    response.statusCode() + ", " + body.length + " bytes");
            }
            bytesFromOrigin.addAndGet(body.length);
            for (int i = start; i < end; i++)
            {
                final ByteBuffer buffer = pages.get(i).buffer();
                final int offset = (i - start) * pageSize;
                final int length = Math.min(pageSize, body.length - offset);
                buffer.put(0, body, offset, length);
                for (int z = length; z < pageSize; z++)
                {
                    buffer.put(z, (byte)0);
                }
            }
            pagesFromOrigin.addAndGet(end - start);
            start = end;
        }
    }

    private <T> HttpResponse<T> send(final HttpRequest request, final HttpResponse.BodyHandler<T> handler)
        throws IOException
    {
        requests.incrementAndGet();
        try
        {
            return client.send(request, handler);
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted: " + request.method() + " " + request.uri(), ex);
        }
    }

    public long pagesFromCache()
    {
        return pagesFromCache.get();
    }

    public long pagesFromOrigin()
    {
        return pagesFromOrigin.get();
    }

    public long bytesFromOrigin()
    {
        return bytesFromOrigin.get();
    }

    public long requests()
    {
        return requests.get();
    }

    public long pagesWritten()
    {
        return pagesWritten.get();
    }

    /**
     * Relinquishes the server's index entry and unregisters the netfs.
     */
    @Override
    public void close()
    {
        server.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }
}
