package org.cachefs.tools.demo;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;

import org.cachefs.readthrough.FileVersion;
import org.cachefs.readthrough.Origin;

/**
 * Files on an HTTP server as a read-through {@link Origin}: {@code stat} is a HEAD request (the version tag is the
 * ETag and Last-Modified, so a file changed at the server is read afresh), {@code read} a GET with a {@code Range}
 * and {@code If-Match}, so bytes of another version are refused rather than cached.
 * <p>
 * Threading: any thread; the counters are atomic.
 */
public final class HttpOrigin implements Origin
{
    private final URI base;
    private final HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(10)).build();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytes = new AtomicLong();

    /**
     * @param base the server's base URI; paths are resolved against it.
     */
    public HttpOrigin(final URI base)
    {
        this.base = base;
    }

    @Override
    public FileVersion stat(final String path) throws IOException
    {
        final URI uri = base.resolve(path);
        final HttpResponse<Void> response = send(HttpRequest.newBuilder(uri)
            .method("HEAD", HttpRequest.BodyPublishers.noBody()).build(), HttpResponse.BodyHandlers.discarding());
        if (response.statusCode() != 200)
        {
            throw new IOException("HEAD " + uri + ": HTTP " + response.statusCode());
        }
        final long length = response.headers().firstValueAsLong("Content-Length")
            .orElseThrow(() -> new IOException("HEAD " + uri + ": no Content-Length"));
        return new FileVersion(length, response.headers().firstValue("ETag").orElse("") + " " +
            response.headers().firstValue("Last-Modified").orElse(""));
    }

    @Override
    public void read(final String path, final FileVersion version, final long offset, final ByteBuffer dst)
        throws IOException
    {
        final URI uri = base.resolve(path);
        final long last = offset + dst.remaining() - 1;
        final String etag = version.tag().substring(0, version.tag().indexOf(' '));
        final HttpRequest.Builder request = HttpRequest.newBuilder(uri).header("Range", "bytes=" + offset + "-" + last);
        if (!etag.isEmpty())
        {
            request.header("If-Match", etag);
        }
        final HttpResponse<byte[]> response = send(request.build(), HttpResponse.BodyHandlers.ofByteArray());
        final byte[] body = response.body();
        if (response.statusCode() != 206 || body.length != dst.remaining())
        {
            throw new IOException("GET " + uri + " bytes " + offset + "-" + last + ": HTTP " + response.statusCode() +
                ", " + body.length + " bytes");
        }
        bytes.addAndGet(body.length);
        dst.put(body);
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

    /** @return HTTP requests sent (HEAD and GET). */
    public long requests()
    {
        return requests.get();
    }

    /** @return bytes of file content received. */
    public long bytes()
    {
        return bytes.get();
    }
}
