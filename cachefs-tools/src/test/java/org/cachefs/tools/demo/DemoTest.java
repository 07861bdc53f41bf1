package org.cachefs.tools.demo;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.CacheFsException;
import org.cachefs.tools.CachefsCommand;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DemoTest
{
    @TempDir
    Path dir;

    private Demo.Report run(final Path image, final boolean reuse, final ByteArrayOutputStream out) throws IOException
    {
        return Demo.run(new Demo.Options(image, 8L << 20, reuse, false, 3, 100_000, 0, 2, MountOptions.defaults()),
            new PrintStream(out, true, StandardCharsets.UTF_8));
    }

    @Test
    void coldThenWarmThenChangedReadsEveryByteRight() throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Demo.Report report = run(dir.resolve("demo.img"), false, out);
        assertThat(report.passes()).extracting(Demo.Pass::name).containsExactly("cold", "warm", "changed");
        final Demo.Pass cold = report.passes().get(0);
        final Demo.Pass warm = report.passes().get(1);
        final Demo.Pass changed = report.passes().get(2);
        assertThat(cold.bytesFromCache()).isZero();
        assertThat(cold.bytesFromOrigin()).isEqualTo(300_000);
        assertThat(cold.requests()).as("a HEAD and a GET per file").isEqualTo(6);
        assertThat(warm.bytesFromCache()).isEqualTo(300_000);
        assertThat(warm.bytesFromOrigin()).isZero();
        assertThat(warm.requests()).as("one HEAD per file").isEqualTo(3);
        assertThat(changed.bytesFromOrigin()).isEqualTo(100_000);
        assertThat(changed.bytesFromCache()).isZero();
        assertThat(changed.requests()).isEqualTo(2);
        assertThat(report.mismatches()).isZero();
        assertThat(report.commit().pageCount()).isEqualTo(75);
        assertThat(report.commit().objectCount()).isEqualTo(5);
        assertThat(report.stats().fallbacks()).isZero();
        assertThat(report.stats().storedPages()).isEqualTo(100);
        assertThat(report.store().hits().count()).as("the warm pass's pages, from the device").isEqualTo(75);
        assertThat(report.store().stores().count()).isEqualTo(100);
        assertThat(report.fsck().exitCode()).isZero();
        final String text = out.toString(StandardCharsets.UTF_8);
        assertThat(text).contains(" formatted (8.0 MiB)\ncache:   mounted, RAM tier of up to 128.0 MiB above the " +
                "image\norigin:  http://127.0.0.1:")
            .contains("every byte read matched the origin")
            .contains("reads:   7, 3 from the cache (p50 ")
            .contains("\nstore:   page hits 75 (p50 ")
            .contains("cache:   5 objects, 75 pages, ")
            .contains("\nfsck.cachefs --check-pages -n: demo.img: clean, 5 objects, 75 pages, ");
    }

    @Test
    void reuseKeepsTheCacheWarmAcrossRuns() throws IOException
    {
        final Path image = dir.resolve("demo.img");
        run(image, false, new ByteArrayOutputStream());
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final Demo.Report second = run(image, true, out);
        assertThat(out.toString(StandardCharsets.UTF_8)).startsWith("cache:   " + image + " reused\n");
        // file-0 changed to version 2 in the first run; a fresh origin serves version 1 again: OBSOLETE, refetched.
        assertThat(second.passes().get(0).bytesFromOrigin()).isEqualTo(100_000);
        assertThat(second.passes().get(0).bytesFromCache()).isEqualTo(200_000);
        assertThat(second.mismatches()).isZero();
    }

    @Test
    void refusesToFormatSomethingElseWithoutForce() throws IOException
    {
        final Path image = dir.resolve("precious.img");
        final byte[] precious = new byte[8192];
        java.util.Arrays.fill(precious, (byte)7);
        Files.write(image, precious);
        assertThatThrownBy(() -> run(image, false, new ByteArrayOutputStream()))
            .isInstanceOf(CacheFsException.class)
            .hasMessage("precious.img does not contain a cachefs image (no superblock magic in block 0 or block 1): " +
                "the demo formats only cachefs images or new files (use --force)");
        assertThat(Files.readAllBytes(image)).isEqualTo(precious);
    }

    @Test
    void theCommandRunsAndChecksItsOptions() throws IOException
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final int status = CachefsCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), "demo", "--image", dir.resolve("c.img").toString(),
            "--size", "8M", "--files", "2", "--file-size", "8K", "--latency", "0");
        assertThat(err.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(status).isZero();
        assertThat(out.toString(StandardCharsets.UTF_8)).contains("every byte read matched the origin");

        err.reset();
        assertThat(CachefsCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), "demo", "--files", "0")).isEqualTo(1);
        assertThat(err.toString(StandardCharsets.UTF_8)).startsWith(
            "cachefs: invalid --files 0: must be in [1, 100000]\n");
    }
}
