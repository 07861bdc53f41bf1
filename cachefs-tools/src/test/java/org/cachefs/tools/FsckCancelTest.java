package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;

import org.cachefs.cachefs.ChildJvm;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * Exit status 32, "cancelled by user request": {@code fsck.cachefs} and {@code cachefs fsck} in a child JVM, sent
 * SIGTERM while they check a 1 TiB sparse image (a full check reads both 32 MiB bitmap copies: long enough to be
 * caught in the middle, found by the image among the child's open files).
 */
class FsckCancelTest
{
    @TempDir
    Path dir;

    @Test
    void aSignalDuringTheCheckExitsThirtyTwo() throws Exception
    {
        final Path image = dir.resolve("big.img");
        TestImages.zeros(image, 1L << 40);
        Mkfs.format(image, MkfsOptions.defaults().withDiscard(false), null);

        assertThat(cancelled(dir.resolve("fsck"), FsckCommand.class, "-f", image.toString()))
            .containsExactly("fsck.cachefs: cancelled");
        assertThat(cancelled(dir.resolve("cachefs"), CachefsCommand.class, "fsck", "-f", image.toString()))
            .containsExactly("cachefs: cancelled");
    }

    /**
     * Starts {@code main} with {@code args}, sends it SIGTERM once it has the image open, and checks that it exits with
     * 32 and prints nothing on standard output.
     *
     * @return what it printed on standard error.
     */
    private static List<String> cancelled(final Path output, final Class<?> main, final String... args)
        throws Exception
    {
        final Path image = Path.of(args[args.length - 1]).toRealPath();
        try (ChildJvm child = ChildJvm.start(output, main, args))
        {
            final ProcessHandle process = ProcessHandle.current().children()
                .filter(p -> p.info().commandLine().orElse("").contains(main.getName()))
                .findFirst()
                .orElseThrow(() -> new AssertionError("no child process runs " + main.getName()));
            awaitOpen(process, image, child);
            assertThat(process.destroy()).isTrue();
            assertThat(child.awaitExit()).as(child.output()).isEqualTo(FsckCommand.EXIT_CANCELLED);
            assertThat(child.stdoutLines()).as(child.output()).isEmpty();
            return child.stderrLines();
        }
    }

    /**
     * Waits, bounded, until {@code process} has a descriptor open on {@code image}.
     */
    private static void awaitOpen(final ProcessHandle process, final Path image, final ChildJvm child)
        throws IOException
    {
        final Path fds = Path.of("/proc", Long.toString(process.pid()), "fd");
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(ChildJvm.TIMEOUT_SECONDS);
        while (!hasOpen(fds, image))
        {
            if (!process.isAlive())
            {
                fail("the child exited before it opened " + image + child.output());
            }
            if (System.nanoTime() - deadline > 0)
            {
                fail("the child did not open " + image + " within " + ChildJvm.TIMEOUT_SECONDS + " s" +
                    child.output());
            }
            LockSupport.parkNanos(TimeUnit.MILLISECONDS.toNanos(1));
        }
    }

    private static boolean hasOpen(final Path fds, final Path image)
    {
        try (Stream<Path> open = Files.list(fds))
        {
            return open.anyMatch(fd ->
            {
                try
                {
                    return Files.readSymbolicLink(fd).equals(image);
                }
                catch (final IOException ex)
                {
                    // closed since it was listed
                    return false;
                }
            });
        }
        catch (final IOException ex)
        {
            // the process is gone, or its table changed while it was read: look again
            return false;
        }
    }
}
