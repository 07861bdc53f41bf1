package org.cachefs.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
import java.util.List;
import java.util.Set;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.openjdk.jmh.results.RunResult;
import org.openjdk.jmh.runner.Runner;
import org.openjdk.jmh.runner.RunnerException;
import org.openjdk.jmh.runner.options.ChainedOptionsBuilder;
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every benchmark method once, in this JVM, on small images: one measurement iteration of 100 ms, no warmup.
 * It checks only that each benchmark completes and gives a result; the figures mean nothing at this size.
 */
@Timeout(120)
class BenchmarkSmokeTest
{
    private static final Path DIR = Path.of("target", "bench-smoke").toAbsolutePath();
    private static String previousDir;
    private static String previousResults;

    @BeforeAll
    static void useSmallFiles() throws IOException
    {
        deleteTree(DIR);
        Files.createDirectories(DIR.resolve("results"));
        previousDir = System.setProperty(BenchFiles.DIR_PROPERTY, DIR.toString());
        previousResults = System.setProperty(BenchFiles.RESULTS_PROPERTY, DIR.resolve("results").toString());
    }

    @AfterAll
    static void removeFiles() throws IOException
    {
        restore(BenchFiles.DIR_PROPERTY, previousDir);
        restore(BenchFiles.RESULTS_PROPERTY, previousResults);
        deleteTree(DIR);
    }

    @Test
    void rawDevice() throws RunnerException
    {
        final Collection<RunResult> results = run(RawDeviceBenchmark.class, options().param("fileMiB", "8"));
        assertRan(results, "randomRead4k", "sequentialRead128k", "randomRead128k", "randomWrite4k",
            "sequentialWrite128k", "bufferedRandomRead4k", "bufferedRandomRead1m");
    }

    @Test
    void pageRead() throws RunnerException
    {
        final Collection<RunResult> results = run(PageReadBenchmark.class, options()
            .param("imageMiB", "64").param("files", "2").param("filePages", "256").param("ramTierMiB", "0", "4"));
        assertRan(results, "readPage", "readPages32", "readPages256");
        assertThat(results).hasSize(6);
    }

    @Test
    void pageWrite() throws RunnerException
    {
        final Collection<RunResult> results = run(PageWriteBenchmark.class, options()
            .param("imageMiB", "256").param("window", "1", "4"));
        assertRan(results, "fillRandom", "fillSequential");
        assertThat(results).hasSize(4);
    }

    @Test
    void metadata() throws RunnerException, IOException
    {
        final Collection<RunResult> results = run(MetadataBenchmark.class, options()
            .param("objects", "2000").param("pages", "4096"));
        assertRan(results, "acquireRelinquish", "mount");
        assertThat(DIR.resolve("results").resolve("mount-memory.json")).isRegularFile();
        assertThat(Files.readString(DIR.resolve("results").resolve("mount-memory.json"))).contains("\"pages\": 4096");
    }

    @Test
    void readThrough() throws RunnerException
    {
        final Collection<RunResult> results = run(ReadThroughBenchmark.class, options()
            .param("imageMiB", "64").param("files", "2").param("fileMiB", "2"));
        assertRan(results, "readThrough4k", "readThrough1m", "engine4k", "engine1m");
    }

    @Test
    void coldRead() throws RunnerException
    {
        final Collection<RunResult> results = run(ColdReadBenchmark.class, options()
            .param("imageMiB", "64").param("fileMiB", "2").param("latencyMillis", "0").param("readKiB", "1024"));
        assertRan(results, "readColdFile");
        assertThat(results.iterator().next().getSecondaryResults().get("originRequests").getScore())
            .as("origin requests for a cold 2 MiB file in 1 MiB chunks").isEqualTo(2.0);
    }

    private static ChainedOptionsBuilder options()
    {
        return new OptionsBuilder()
            .forks(0)
            .threads(1)
            .warmupIterations(0)
            .measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100))
            .shouldFailOnError(true)
            .verbosity(VerboseMode.SILENT);
    }

    private static Collection<RunResult> run(final Class<?> benchmark, final ChainedOptionsBuilder options)
        throws RunnerException
    {
        return new Runner(options.include("^" + benchmark.getName().replace(".", "\\.") + "\\.").build()).run();
    }

    private static void assertRan(final Collection<RunResult> results, final String... methods)
    {
        final Set<String> ran = results.stream()
            .map(r -> r.getParams().getBenchmark())
            .map(name -> name.substring(name.lastIndexOf('.') + 1))
            .collect(Collectors.toSet());
        assertThat(ran).containsExactlyInAnyOrder(methods);
        for (final RunResult result : results)
        {
            assertThat(result.getPrimaryResult()).as(result.getParams().getBenchmark()).isNotNull();
            assertThat(result.getPrimaryResult().getSampleCount()).as(result.getParams().getBenchmark())
                .isGreaterThanOrEqualTo(1);
        }
    }

    private static void restore(final String property, final String value)
    {
        if (value == null)
        {
            System.clearProperty(property);
        }
        else
        {
            System.setProperty(property, value);
        }
    }

    private static void deleteTree(final Path dir) throws IOException
    {
        if (!Files.exists(dir))
        {
            return;
        }
        try (Stream<Path> paths = Files.walk(dir))
        {
            final List<Path> all = paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList());
            for (final Path path : all)
            {
                Files.delete(path);
            }
        }
    }
}
