package org.cachefs.tools.demo;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;

import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;

import org.cachefs.cachefs.CacheFsLatencies;
import org.cachefs.cachefs.LatencySummary;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.CacheFsException;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.Fsck;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.NotFormattedException;
import org.cachefs.format.Sizes;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.readthrough.CachedFile;
import org.cachefs.readthrough.ReadThroughCache;
import org.cachefs.readthrough.ReadThroughOptions;
import org.cachefs.readthrough.ReadThroughStats;

/**
 * The cachefs demonstration, as a library call: formats (or reuses) a cache image, starts an HTTP origin with a set
 * of generated files, reads them all through a {@link ReadThroughCache} over the image ({@link HttpOrigin}) cold,
 * then warm, then changes one file at the origin and reads it again, checks every byte against the origin, and
 * reports what happened.
 */
public final class Demo
{
    /**
     * Options of a run.
     *
     * @param image        the image file (created if missing) or block device.
     * @param imageSize    bytes of a new image file.
     * @param reuse        keep an existing cache instead of formatting it afresh.
     * @param force        format a target that holds something other than a cachefs image.
     * @param files        how many files the origin serves.
     * @param fileSize     bytes per file.
     * @param latencyMillis latency the origin adds to each request.
     * @param threads      files read at once.
     * @param mountOptions how the image is mounted (culling, RAM tier, write-behind, commits).
     */
    public record Options(
        Path image, long imageSize, boolean reuse, boolean force, int files, int fileSize, long latencyMillis,
        int threads, MountOptions mountOptions)
    {
    }

    /**
     * Figures of one pass over the files.
     *
     * @param name            the pass.
     * @param nanos           how long it took.
     * @param fileReads       files read.
     * @param bytesFromCache  bytes read from the cache.
     * @param bytesFromOrigin bytes read from the origin.
     * @param requests        HTTP requests made (HEAD and GET).
     * @param mismatches      files whose bytes differed from the origin's.
     */
    public record Pass(
        String name, long nanos, int fileReads, long bytesFromCache, long bytesFromOrigin, long requests,
        int mismatches)
    {
    }

    /**
     * What a run did.
     *
     * @param passes the passes, in order.
     * @param stats  the read-through statistics of the run.
     * @param store  the store's latencies over the run (hits, misses, page stores, commits, culling passes).
     * @param commit the image's last commit after unmounting (objects, pages, blocks used).
     * @param fsck   the check of the image after unmounting.
     */
    public record Report(
        List<Pass> passes, ReadThroughStats stats, CacheFsLatencies store, CommitRecord commit, FsckResult fsck)
    {
        /**
         * @return the reads of all passes whose bytes differed from the origin's: 0 when the demonstration passed.
         */
        public int mismatches()
        {
            return passes.stream().mapToInt(Pass::mismatches).sum();
        }
    }

    private Demo()
    {
    }

    /**
     * Runs the demonstration, printing as it goes.
     *
     * @param options the image, the files and the origin's latency.
     * @param out     where the progress and the report go.
     * @return what the run did.
     * @throws IOException if the image cannot be formatted, mounted or read.
     */
    public static Report run(final Options options, final PrintStream out) throws IOException
    {
        prepareImage(options, out);
        final List<Pass> passes = new ArrayList<>();
        final ReadThroughStats stats;
        final CacheFsLatencies latencies;
        try (OriginServer server = new OriginServer(options.latencyMillis()))
        {
            final List<String> names = new ArrayList<>();
            for (int i = 0; i < options.files(); i++)
            {
                names.add("file-" + i);
                server.add("file-" + i, options.fileSize());
            }
            final HttpOrigin origin = new HttpOrigin(server.baseUri());
            final ReadThroughOptions cacheOptions = ReadThroughOptions.builder()
                .image(options.image(), 0).namespace("demo-origin").mountOptions(options.mountOptions()).jmx(false)
                .build();
            try (ReadThroughCache cache = ReadThroughCache.open(origin, cacheOptions))
            {
                if (cache.stats().unavailableImages() > 0)
                {
                    throw new CacheFsException(options.image().getFileName().toString(), "cannot be used: " +
                        cache.images().get(0));
                }
                final long ramTier = cacheOptions.mountOptions().ramTierBytes();
                out.printf("cache:   mounted, %s%n", ramTier == 0 ? "RAM tier off" : "RAM tier of up to " +
                    Sizes.format(ramTier) + " above the image");
                out.printf("origin:  %s (%d files of %s, %d ms added to each request)%n", server.baseUri(),
                    options.files(), Sizes.format(options.fileSize()), options.latencyMillis());
                out.println();
                passes.add(pass("cold", names, cache, origin, server, options.threads()));
                passes.add(pass("warm", names, cache, origin, server, options.threads()));
                server.change(names.get(0));
                passes.add(pass("changed", List.of(names.get(0)), cache, origin, server, 1));
                stats = cache.stats();
                latencies = cache.mountedImages().get(0).backend().latencies();
            }
        }
        // Unmounted: the last commit, and a check of the image as fsck.cachefs --check-pages -n would.
        final CommitRecord commit;
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(options.image()))
        {
            commit = ImageHeader.read(device).commit();
        }
        final FsckResult fsck = Fsck.check(options.image(), new FsckOptions(FsckOptions.Mode.NO_CHANGES, true, false),
            null);
        final Report report = new Report(passes, stats, latencies, commit, fsck);
        print(report, out);
        out.printf("%nfsck.cachefs --check-pages -n: %s (exit %d)%n", fsck.summary(), fsck.exitCode());
        return report;
    }

    private static void prepareImage(final Options options, final PrintStream out) throws IOException
    {
        final Path image = options.image();
        boolean format = !options.reuse() || !Files.exists(image);
        if (Files.exists(image) && !options.force())
        {
            // Reformat only what is already a cachefs image: never someone's filesystem or data.
            try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
            {
                ImageHeader.read(device);
            }
            catch (final NotFormattedException ex)
            {
                if (Files.size(image) > 0 || DirectBlockDevice.isBlockDevice(image))
                {
                    throw new CacheFsException(image.getFileName().toString(), ex.getMessage() +
                        ": the demo formats only cachefs images or new files (use --force)");
                }
            }
            catch (final CacheFsException ex)
            {
                throw new CacheFsException(image.getFileName().toString(), ex.getMessage() +
                    " (the demo formats only cachefs images or new files; use --force)");
            }
        }
        if (format)
        {
            if (image.getParent() != null)
            {
                Files.createDirectories(image.getParent());
            }
            final boolean file = !Files.exists(image) || !DirectBlockDevice.isBlockDevice(image);
            if (file)
            {
                Files.deleteIfExists(image);
            }
            Mkfs.format(image, MkfsOptions.defaults().withLabel("demo").withForce(true)
                .withSize(file ? options.imageSize() : -1), null);
            out.printf("cache:   %s formatted (%s)%n", image, Sizes.format(Files.exists(image) && file ?
                Files.size(image) : options.imageSize()));
        }
        else
        {
            out.printf("cache:   %s reused%n", image);
        }
    }

    private static Pass pass(
        final String name, final List<String> files, final ReadThroughCache cache, final HttpOrigin origin,
        final OriginServer server, final int threads) throws IOException
    {
        final ReadThroughStats before = cache.stats();
        final long requestsBefore = origin.requests();
        final ExecutorService readers = Executors.newFixedThreadPool(threads);
        final long start = System.nanoTime();
        int mismatches = 0;
        try
        {
            final List<Future<byte[]>> reads = new ArrayList<>();
            for (final String file : files)
            {
                reads.add(readers.submit(() -> read(cache, file)));
            }
            for (int i = 0; i < files.size(); i++)
            {
                if (!Arrays.equals(reads.get(i).get(), server.file(files.get(i)).content()))
                {
                    mismatches++;
                }
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted during the " + name + " pass", ex);
        }
        catch (final ExecutionException ex)
        {
            throw ex.getCause() instanceof IOException io ? io : new IOException(ex.getCause());
        }
        finally
        {
            readers.shutdownNow();
        }
        final long nanos = System.nanoTime() - start;
        // Reads never wait for the cache to store what they fetched; the next pass should find it stored.
        try
        {
            if (!cache.awaitStored(60, TimeUnit.SECONDS))
            {
                throw new IOException("the cache did not store the pages read within 60 s");
            }
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new IOException("interrupted waiting for the cache's stores", ex);
        }
        final ReadThroughStats after = cache.stats();
        return new Pass(name, nanos, files.size(), after.cacheHitBytes() - before.cacheHitBytes(),
            after.cacheMissBytes() + after.fallbackBytes() - before.cacheMissBytes() - before.fallbackBytes(),
            origin.requests() - requestsBefore, mismatches);
    }

    /** Reads a whole file through the cache, 1 MiB at a time, as a client of the read-through API does. */
    private static byte[] read(final ReadThroughCache cache, final String name) throws IOException
    {
        try (CachedFile file = cache.open(name))
        {
            final byte[] content = new byte[Math.toIntExact(file.length())];
            for (int position = 0; position < content.length; position += 1 << 20)
            {
                file.readFully(position, ByteBuffer.wrap(content, position, Math.min(1 << 20,
                    content.length - position)).slice());
            }
            return content;
        }
    }

    private static void print(final Report report, final PrintStream out)
    {
        out.printf("%-8s %9s %7s %12s %12s %9s%n", "pass", "time", "files", "from cache", "from origin", "requests");
        for (final Pass pass : report.passes())
        {
            out.printf(Locale.ROOT, "%-8s %7.2f s %7d %12s %12s %9d%n", pass.name(), pass.nanos() / 1e9,
                pass.fileReads(), Sizes.format(pass.bytesFromCache()), Sizes.format(pass.bytesFromOrigin()),
                pass.requests());
        }
        final Pass cold = report.passes().get(0);
        final Pass warm = report.passes().get(1);
        out.println();
        out.printf(Locale.ROOT, "warm pass %.1fx faster than cold; %s%n", (double)cold.nanos() / Math.max(1,
            warm.nanos()), report.mismatches() == 0 ? "every byte read matched the origin" :
            report.mismatches() + " file reads DIFFERED from the origin");
        final ReadThroughStats stats = report.stats();
        out.printf(Locale.ROOT, "reads:   %d, %d from the cache (p50 %d us, p99 %d us); %d origin requests " +
                "(p50 %.1f ms); %d pages stored, %d fallbacks%n", stats.reads(), stats.hitReads(),
            stats.hitLatency().getValueAtPercentile(50) / 1000, stats.hitLatency().getValueAtPercentile(99) / 1000,
            stats.originRequests(), stats.originLatency().getValueAtPercentile(50) / 1e6, stats.storedPages(),
            stats.fallbacks());
        final CacheFsLatencies store = report.store();
        out.printf(Locale.ROOT, "store:   page hits %s, misses %s, page stores %s, commits %s%n",
            latencies(store.hits()), latencies(store.misses()), latencies(store.stores()), latencies(store.commits()));
        final CommitRecord commit = report.commit();
        out.printf("cache:   %d objects, %d pages, %d blocks used, commit %d%n", commit.objectCount(),
            commit.pageCount(), commit.usedBlocks(), commit.generation());
    }

    /** "N (p50 X us, p99 Y us)" of one kind of operation, or "0" if none was timed. */
    private static String latencies(final LatencySummary summary)
    {
        if (summary.count() == 0)
        {
            return "0";
        }
        return String.format(Locale.ROOT, "%d (p50 %s, p99 %s)", summary.count(), micros(summary.p50Nanos()),
            micros(summary.p99Nanos()));
    }

    private static String micros(final long nanos)
    {
        return nanos < 10_000_000 ? String.format(Locale.ROOT, "%d us", nanos / 1000) :
            String.format(Locale.ROOT, "%d ms", nanos / 1_000_000);
    }
}
