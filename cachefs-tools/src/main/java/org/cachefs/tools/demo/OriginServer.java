package org.cachefs.tools.demo;

import java.io.IOException;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.URI;
import java.nio.charset.StandardCharsets;
import java.time.Instant;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

import com.sun.net.httpserver.HttpExchange;
import com.sun.net.httpserver.HttpServer;

/**
 * An HTTP origin on loopback serving generated files under {@code /files/NAME}, with {@code HEAD}, {@code ETag},
 * {@code Last-Modified}, {@code If-Match} (412 for another version) and single-range {@code Range: bytes=a-b}
 * requests (206), and an added latency per request
 * to stand in for a wide-area link. A file's content is a pure function of its name and version, so a reader can
 * check every byte it got; {@link #change(String)} makes a new version (new content, new ETag).
 * <p>
 * Threading: requests are served on a small pool; each response is sent after the latency by a scheduler, so no
 * thread sleeps. Counters are atomic.
 */
public final class OriginServer implements AutoCloseable
{
    private static final Pattern RANGE = Pattern.compile("bytes=(\\d+)-(\\d*)");
    private static final DateTimeFormatter HTTP_DATE = DateTimeFormatter.RFC_1123_DATE_TIME.withZone(ZoneOffset.UTC);

    /**
     * One version of a served file.
     *
     * @param name     the file name.
     * @param version  its version, from 1.
     * @param content  its bytes.
     * @param modified its modification time.
     */
    public record FileVersion(String name, int version, byte[] content, Instant modified)
    {
        /**
         * @return the entity tag the server sends for this version, quoted as in an {@code ETag} header.
         */
        public String etag()
        {
            return "\"" + name + "-v" + version + "\"";
        }
    }

    private final HttpServer server;
    private final ExecutorService handlers;
    private final ScheduledExecutorService delays;
    private final long latencyMillis;
    private final Map<String, FileVersion> files = new ConcurrentHashMap<>();
    private final AtomicLong requests = new AtomicLong();
    private final AtomicLong bytesServed = new AtomicLong();

    /**
     * Starts a server on 127.0.0.1 at an ephemeral port.
     *
     * @param latencyMillis the delay added to each response, in milliseconds (0 for none).
     * @throws IOException if the server cannot bind.
     */
    public OriginServer(final long latencyMillis) throws IOException
    {
        this.latencyMillis = latencyMillis;
        this.server = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 64);
        this.handlers = Executors.newFixedThreadPool(8, daemon("origin-http"));
        this.delays = Executors.newScheduledThreadPool(2, daemon("origin-latency"));
        server.setExecutor(handlers);
        server.createContext("/files/", this::handle);
        server.start();
    }

    private static java.util.concurrent.ThreadFactory daemon(final String name)
    {
        final AtomicLong count = new AtomicLong();
        return runnable ->
        {
            final Thread thread = new Thread(runnable, name + "-" + count.incrementAndGet());
            thread.setDaemon(true);
            return thread;
        };
    }

    /**
     * @return the base URI, e.g. {@code http://127.0.0.1:41234/files/}.
     */
    public URI baseUri()
    {
        return URI.create("http://127.0.0.1:" + server.getAddress().getPort() + "/files/");
    }

    /**
     * Serves a new file of {@code size} bytes, version 1.
     *
     * @param name the file name, the last element of its URL path.
     * @param size its length in bytes.
     * @return the version now served.
     */
    public FileVersion add(final String name, final int size)
    {
        final FileVersion file = new FileVersion(name, 1, content(name, 1, size), Instant.ofEpochSecond(1_700_000_000L));
        files.put(name, file);
        return file;
    }

    /**
     * Replaces a file with its next version: same size, new content, new ETag and modification time.
     *
     * @param name the name of a file served.
     * @return the version now served.
     */
    public FileVersion change(final String name)
    {
        final FileVersion old = file(name);
        final int version = old.version() + 1;
        final FileVersion file = new FileVersion(name, version, content(name, version, old.content().length),
            old.modified().plusSeconds(60));
        files.put(name, file);
        return file;
    }

    /**
     * @param name the name of a file served.
     * @return the version served now.
     * @throws IllegalArgumentException if no file of that name is served.
     */
    public FileVersion file(final String name)
    {
        final FileVersion file = files.get(name);
        if (file == null)
        {
            throw new IllegalArgumentException("no such file: " + name);
        }
        return file;
    }

    /**
     * @param name    the file name, which seeds the bytes with the version.
     * @param version the version, from 1.
     * @param size    the length in bytes.
     * @return the bytes of version {@code version} of file {@code name}, {@code size} long.
     */
    public static byte[] content(final String name, final int version, final int size)
    {
        final SplittableRandom random = new SplittableRandom(name.hashCode() * 31L + version);
        final byte[] content = new byte[size];
        for (int i = 0; i < size; i += Long.BYTES)
        {
            long value = random.nextLong();
            for (int b = 0; b < Long.BYTES && i + b < size; b++)
            {
                content[i + b] = (byte)value;
                value >>>= 8;
            }
        }
        return content;
    }

    /**
     * @return the requests (HEAD and GET) received so far.
     */
    public long requests()
    {
        return requests.get();
    }

    /**
     * @return the bytes of file content sent so far.
     */
    public long bytesServed()
    {
        return bytesServed.get();
    }

    /**
     * @return the delay added to each response, in milliseconds.
     */
    public long latencyMillis()
    {
        return latencyMillis;
    }

    private void handle(final HttpExchange exchange)
    {
        requests.incrementAndGet();
        if (latencyMillis > 0)
        {
            delays.schedule(() -> respond(exchange), latencyMillis, TimeUnit.MILLISECONDS);
        }
        else
        {
            respond(exchange);
        }
    }

    private void respond(final HttpExchange exchange)
    {
        try (exchange)
        {
            final String name = exchange.getRequestURI().getPath().substring("/files/".length());
            final FileVersion file = files.get(name);
            final boolean head = "HEAD".equals(exchange.getRequestMethod());
            if (file == null || !(head || "GET".equals(exchange.getRequestMethod())))
            {
                final byte[] body = (file == null ? "no such file\n" : "method not allowed\n")
                    .getBytes(StandardCharsets.US_ASCII);
                exchange.sendResponseHeaders(file == null ? 404 : 405, body.length);
                exchange.getResponseBody().write(body);
                return;
            }
            final byte[] content = file.content();
            exchange.getResponseHeaders().set("ETag", file.etag());
            exchange.getResponseHeaders().set("Last-Modified", HTTP_DATE.format(file.modified()));
            exchange.getResponseHeaders().set("Accept-Ranges", "bytes");
            final String ifMatch = exchange.getRequestHeaders().getFirst("If-Match");
            if (ifMatch != null && !ifMatch.trim().equals(file.etag()))
            {
                exchange.sendResponseHeaders(412, -1);
                return;
            }
            int from = 0;
            int to = content.length - 1;
            int status = 200;
            final String range = exchange.getRequestHeaders().getFirst("Range");
            if (range != null)
            {
                final Matcher matcher = RANGE.matcher(range.trim());
                if (!matcher.matches() || Long.parseLong(matcher.group(1)) >= content.length)
                {
                    exchange.getResponseHeaders().set("Content-Range", "bytes */" + content.length);
                    exchange.sendResponseHeaders(416, -1);
                    return;
                }
                from = Integer.parseInt(matcher.group(1));
                to = matcher.group(2).isEmpty() ? content.length - 1 :
                    (int)Math.min(Long.parseLong(matcher.group(2)), content.length - 1L);
                status = 206;
                exchange.getResponseHeaders().set("Content-Range",
                    "bytes " + from + "-" + to + "/" + content.length);
            }
            final int length = to - from + 1;
            if (head)
            {
                exchange.getResponseHeaders().set("Content-Length", Integer.toString(length));
                exchange.sendResponseHeaders(status, -1);
                return;
            }
            exchange.sendResponseHeaders(status, length);
            try (OutputStream body = exchange.getResponseBody())
            {
                body.write(content, from, length);
            }
            bytesServed.addAndGet(length);
        }
        catch (final IOException | RuntimeException ex)
        {
            // The client went away or sent nonsense; the exchange is closed either way.
        }
    }

    @Override
    public void close()
    {
        server.stop(0);
        delays.shutdownNow();
        handlers.shutdownNow();
    }
}
