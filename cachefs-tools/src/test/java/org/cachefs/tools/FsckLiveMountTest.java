package org.cachefs.tools;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

import org.cachefs.cachefs.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cachefs.tools.ToolOutput.cachefs;

/**
 * {@code fsck.cachefs} beside a cache that another JVM has mounted and keeps writing ({@link LiveWriter}): the first
 * line names the mount and its holder's PID, a read-only check never reports the writer's work in progress as
 * corruption however often it commits, and every repair is refused with exit 8.
 */
class FsckLiveMountTest
{
    /** How long the checks run beside the writer. */
    private static final long CHECKING_NANOS = TimeUnit.SECONDS.toNanos(5);
    private static final int MIN_CHECKS = 20;

    @TempDir
    Path dir;

    @Test
    void aReadOnlyCheckBesideAWriterInAnotherJvmNamesItAndFindsNoCorruption() throws Exception
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 32L << 20, 4096, "live");
        final String[][] modes = { {}, { "-n" }, { "-f" }, { "--check-pages" }, { "-n", "-v", "--check-pages" } };
        final int checks;
        try (ChildJvm writer = ChildJvm.start(dir.resolve("child"), LiveWriter.class, image.toString()))
        {
            writer.awaitLine("mounted");
            final List<String> started = writer.stdoutLines();
            assertThat(started).as(writer.output()).hasSize(2);
            assertThat(started.get(0)).as(writer.output()).matches("pid \\d+");
            final long pid = Long.parseLong(started.get(0).substring("pid ".length()));
            assertThat(pid).isNotEqualTo(ProcessHandle.current().pid());
            final String holder = "in use by another cachefs instance (process " + pid + ")";
            final String first = "cache.img: mounted: " + holder + "; checking its last commit read-only, the " +
                "answer may already be stale";

            final long end = System.nanoTime() + CHECKING_NANOS;
            int run = 0;
            while (run < MIN_CHECKS || System.nanoTime() - end < 0)
            {
                final String[] mode = modes[run % modes.length];
                final String[] args = new String[mode.length + 1];
                System.arraycopy(mode, 0, args, 0, mode.length);
                args[mode.length] = image.toString();
                final ToolOutput check = FsckCommandTest.fsck(args);
                assertThat(check.err()).as("fsck %s, run %d", String.join(" ", args), run).isEmpty();
                final String verbose = List.of(args).contains("-v") ?
                    "cache\\.img: not unmounted cleanly \\(generation \\d+\\)\n" : "";
                assertThat(check.out()).as("fsck %s, run %d", String.join(" ", args), run)
                    .startsWith(first + "\n")
                    .matches(Pattern.quote(first) + "\n" + verbose + "cache\\.img: clean, \\d+ objects, \\d+ pages, " +
                        "\\d+/8192 blocks\n");
                assertThat(check.exitCode()).isEqualTo(0);
                run++;
            }
            checks = run;

            final String refused = "fsck.cachefs: cache.img is mounted: " + holder + ": unmount it first, or " +
                "check it read-only with -n\n";
            assertThat(FsckCommandTest.fsck("-y", image.toString())).isEqualTo(new ToolOutput(8, "", refused));
            assertThat(FsckCommandTest.fsck("-p", "-f", image.toString())).isEqualTo(new ToolOutput(8, "", refused));
            assertThat(FsckCommandTest.fsck("-a", image.toString())).isEqualTo(new ToolOutput(8, "", refused));
            assertThat(cachefs("fsck", "-y", "--check-pages", image.toString())).isEqualTo(new ToolOutput(8, "",
                "cachefs: cache.img is mounted: " + holder + ": unmount it first, or check it read-only with -n\n"));

            writer.closeStdin();
            writer.expectExit(0);
            final List<String> lines = writer.stdoutLines();
            assertThat(lines).as(writer.output()).hasSize(4);
            assertThat(lines.get(3)).isEqualTo("unmounted");
            assertThat(lines.get(2)).matches("commits \\d+");
            // the writer committed many times while the checks ran, each a chance to mislead one
            assertThat(Long.parseLong(lines.get(2).substring("commits ".length()))).as(writer.output())
                .isGreaterThanOrEqualTo(MIN_CHECKS);
            assertThat(checks).isGreaterThanOrEqualTo(MIN_CHECKS);
        }
        assertThat(Files.exists(image)).isTrue();
        final ToolOutput after = FsckCommandTest.fsck("-f", "--check-pages", image.toString());
        assertThat(after.err()).isEmpty();
        assertThat(after.out()).matches("cache\\.img: clean, \\d+ objects, \\d+ pages, \\d+/8192 blocks\n");
        assertThat(after.exitCode()).isEqualTo(0);
    }
}
