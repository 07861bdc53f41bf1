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

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.cachefs.StoreSnapshot;
import org.cachefs.format.CacheFsException;
import org.cachefs.format.Fsck;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.NotFormattedException;
import org.cachefs.format.Sizes;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheStats;

/**
 * The cachefs demonstration, as a library call: formats (or reuses) a cache image, mounts it, starts an HTTP origin
 * with a set of generated files, reads them all through {@link HttpNetfs} cold, then warm, then changes one file at
 * the origin and reads it again, checks every byte against the origin, and reports what happened.
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
     */
    public record Options(
        Path image, long imageSize, boolean reuse, boolean force, int files, int fileSize, long latencyMillis,
        int threads)
    {
    }

    /**
     * Figures of one pass over the files.
     *
     * @param name            the pass.
     * @param nanos           how long it took.
     * @param fileReads       files read.
     * @param pagesFromCache  pages the cache served.
     * @param pagesFromOrigin pages fetched from the origin.
     * @param bytesFromOrigin bytes fetched from the origin.
     * @param requests        HTTP requests made.
     * @param mismatches      files whose bytes differed from the origin's.
     */
    public record Pass(
        String name, long nanos, int fileReads, long pagesFromCache, long pagesFromOrigin, long bytesFromOrigin,
        long requests, int mismatches)
    {
    }

    /**
     * What a run did.
     *
     * @param passes   the passes, in order.
     * @param snapshot the cache's usage before unmounting.
     * @param stats    the FS-Cache statistics before unmounting.
     * @param fsck     the check of the image after unmounting.
     */
    public record Report(List<Pass> passes, StoreSnapshot snapshot, FsCacheStats stats, FsckResult fsck)
    {
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
     */
    public static Report run(final Options options, final PrintStream out) throws IOException
    {
        prepareImage(options, out);
        final Report mounted = runMounted(options, out);
        // Unmounted: check the image as fsck.cachefs -f -n would.
        final FsckResult fsck = Fsck.check(options.image(), new FsckOptions(FsckOptions.Mode.NO_CHANGES, true, false),
            null);
        out.printf("%nfsck.cachefs -f -n: %s (exit %d)%n", fsck.summary(), fsck.exitCode());
        return new Report(mounted.passes(), mounted.snapshot(), mounted.stats(), fsck);
    }

    private static Report runMounted(final Options options, final PrintStream out) throws IOException
    {
        try (CacheFsBackend backend = CacheFs.mount(options.image(), MountOptions.defaults());
            OriginServer origin = new OriginServer(options.latencyMillis()))
        {
            final FsCache fsCache = FsCache.create();
            final List<Pass> passes = new ArrayList<>();
            final StoreSnapshot snapshot;
            final FsCacheStats stats;
            try
            {
                fsCache.addCache(backend, "demo");
                final List<String> names = new ArrayList<>();
                for (int i = 0; i < options.files(); i++)
                {
                    names.add("file-" + i);
                    origin.add("file-" + i, options.fileSize());
                }
                out.printf("origin:  %s (%d files of %s, %d ms added to each request)%n", origin.baseUri(),
                    options.files(), Sizes.format(options.fileSize()), options.latencyMillis());
                out.println();
                try (HttpNetfs netfs = new HttpNetfs(fsCache, origin.baseUri(), "demo-origin"))
                {
                    passes.add(pass("cold", names, netfs, origin, options.threads()));
                    passes.add(pass("warm", names, netfs, origin, options.threads()));
                    origin.change(names.get(0));
                    passes.add(pass("changed", List.of(names.get(0)), netfs, origin, 1));
                }
                backend.commit();
                snapshot = backend.snapshot();
                stats = fsCache.stats();
            }
            finally
            {
                fsCache.close();
            }
            final Report report = new Report(passes, snapshot, stats, null);
            print(report, options, out);
            return report;
        }
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
        final String name, final List<String> files, final HttpNetfs netfs, final OriginServer origin,
        final int threads) throws IOException
    {
        final long cacheBefore = netfs.pagesFromCache();
        final long originBefore = netfs.pagesFromOrigin();
        final long bytesBefore = netfs.bytesFromOrigin();
        final long requestsBefore = netfs.requests();
        final ExecutorService readers = Executors.newFixedThreadPool(threads);
        final long start = System.nanoTime();
        int mismatches = 0;
        try
        {
            final List<Future<byte[]>> reads = new ArrayList<>();
            for (final String file : files)
            {
                reads.add(readers.submit(() -> netfs.read(file)));
            }
            for (int i = 0; i < files.size(); i++)
            {
                final byte[] content = reads.get(i).get();
                if (!Arrays.equals(content, origin.file(files.get(i)).content()))
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
        return new Pass(name, System.nanoTime() - start, files.size(), netfs.pagesFromCache() - cacheBefore,
            netfs.pagesFromOrigin() - originBefore, netfs.bytesFromOrigin() - bytesBefore,
            netfs.requests() - requestsBefore, mismatches);
    }

    private static void print(final Report report, final Options options, final PrintStream out)
    {
        out.printf("%-8s %9s %7s %12s %13s %13s %9s%n", "pass", "time", "files", "from cache", "from origin",
            "origin bytes", "requests");
        for (final Pass pass : report.passes())
        {
            out.printf(Locale.ROOT, "%-8s %7.2f s %7d %6d pages %7d pages %13s %9d%n", pass.name(),
                pass.nanos() / 1e9, pass.fileReads(), pass.pagesFromCache(), pass.pagesFromOrigin(),
                Sizes.format(pass.bytesFromOrigin()), pass.requests());
        }
        final Pass cold = report.passes().get(0);
        final Pass warm = report.passes().get(1);
        out.println();
        out.printf(Locale.ROOT, "warm pass %.1fx faster than cold; %s", (double)cold.nanos() / Math.max(1, warm.nanos()),
            report.mismatches() == 0 ? "every byte read matched the origin" :
                report.mismatches() + " file reads DIFFERED from the origin");
        out.println();
        final StoreSnapshot s = report.snapshot();
        out.printf("cache:   %d objects, %d pages, %d of %d data blocks used, commit %d%n", s.objects(), s.pages(),
            s.usedDataBlocks(), s.dataBlocks(), s.generation());
        out.println();
        out.println("FS-Cache statistics:");
        out.print(report.stats().toProcText());
    }
}
