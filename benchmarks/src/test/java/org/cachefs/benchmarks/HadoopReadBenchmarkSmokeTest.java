package org.cachefs.benchmarks;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collection;
import java.util.Comparator;
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
import org.openjdk.jmh.runner.options.OptionsBuilder;
import org.openjdk.jmh.runner.options.TimeValue;
import org.openjdk.jmh.runner.options.VerboseMode;

/**
 * Runs every {@link HadoopReadBenchmark} method once, in this JVM, on a small file and image: one measurement
 * iteration of 100 ms, no warmup. It checks only that each completes and gives a result (the trial itself checks
 * that the read-through cache sees the file system's pages and that no read fell back).
 */
@Timeout(120)
class HadoopReadBenchmarkSmokeTest
{
    private static final Path DIR = Path.of("target", "bench-smoke-hadoop").toAbsolutePath();
    private static final String IGNORE_LOCK = "jmh.ignoreLock";
    private static String previousDir;
    private static String previousIgnoreLock;

    @BeforeAll
    static void useSmallFiles() throws IOException
    {
        deleteTree(DIR);
        Files.createDirectories(DIR);
        previousDir = System.setProperty(BenchFiles.DIR_PROPERTY, DIR.toString());
        // JMH's machine-wide lock keeps two measuring runs apart; this run measures nothing, and runs in this JVM.
        previousIgnoreLock = System.setProperty(IGNORE_LOCK, "true");
    }

    @AfterAll
    static void removeFiles() throws IOException
    {
        restore(BenchFiles.DIR_PROPERTY, previousDir);
        restore(IGNORE_LOCK, previousIgnoreLock);
        deleteTree(DIR);
    }

    @Test
    void everyMethodRuns() throws RunnerException
    {
        final Collection<RunResult> results = new Runner(new OptionsBuilder()
            .include("^" + HadoopReadBenchmark.class.getName().replace(".", "\\.") + "\\.")
            .param("fileMiB", "4").param("imageMiB", "64")
            .forks(0).threads(1).warmupIterations(0).measurementIterations(1)
            .measurementTime(TimeValue.milliseconds(100)).shouldFailOnError(true).verbosity(VerboseMode.SILENT)
            .build()).run();
        final Set<String> ran = results.stream()
            .map(r -> r.getParams().getBenchmark())
            .map(name -> name.substring(name.lastIndexOf('.') + 1))
            .collect(Collectors.toSet());
        assertThat(ran).containsExactlyInAnyOrder("hadoopSequential1m", "readThroughSequential1m",
            "hadoopRandom4k", "readThroughRandom4k");
        for (final RunResult result : results)
        {
            assertThat(result.getPrimaryResult().getSampleCount()).as(result.getParams().getBenchmark())
                .isGreaterThanOrEqualTo(1);
        }
    }

    private static void restore(final String name, final String value)
    {
        if (null == value)
        {
            System.clearProperty(name);
        }
        else
        {
            System.setProperty(name, value);
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
            for (final Path path : paths.sorted(Comparator.reverseOrder()).collect(Collectors.toList()))
            {
                Files.delete(path);
            }
        }
    }
}
