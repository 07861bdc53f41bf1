package org.cachefs.hadoop;

import java.io.File;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Collectors;
import java.util.stream.Stream;

import org.cachefs.cachefs.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The shaded jar ({@code cachefs-hadoop-VERSION-all.jar}, built against Hadoop 3.4) on a Hadoop 3.3 class path, as
 * in Spark 3.5: {@link LoadingCheck} in a child JVM whose class path is that jar, the shaded Hadoop client jars of
 * the runtime (3.3.4, which has no vectored reads, and 3.3.6, which has them), SLF4J and commons-logging, and nothing
 * else of the build but the check's own class. Runs after {@code package}, which builds the jar and copies the
 * runtimes (see the pom).
 */
@Timeout(300)
class HadoopLoadingIT
{
    @TempDir
    Path dir;

    @Test
    void theShadedJarLoadsAndReadsThroughTheCacheOnHadoop334WithoutVectoredReads() throws Exception
    {
        check(runtime("3.3.4"), "3.3.4", "no vectored reads", 2_761_149);
    }

    @Test
    void theShadedJarLoadsAndReadsThroughTheCacheOnHadoop336WithVectoredReads() throws Exception
    {
        // The vectored read adds [10, 320) (two ranges merged) and 5000 bytes past 2 MiB.
        check(runtime("3.3.6"), "3.3.6", "vectored true", 2_761_149 + 310 + 5000);
    }

    private static Path runtime(final String version)
    {
        for (final String entry : System.getProperty("cachefs.hadoop.runtimes").split(","))
        {
            if (entry.endsWith("hadoop-" + version))
            {
                return Path.of(entry);
            }
        }
        throw new AssertionError("no runtime " + version + " in " + System.getProperty("cachefs.hadoop.runtimes"));
    }

    private void check(final Path runtime, final String version, final String vectored, final long warmHits)
        throws Exception
    {
        final List<String> classPath = new ArrayList<>();
        classPath.add(System.getProperty("cachefs.hadoop.test.classes"));
        classPath.add(System.getProperty("cachefs.hadoop.jar"));
        classPath.addAll(jars(runtime));
        classPath.addAll(jars(Path.of(System.getProperty("cachefs.hadoop.logging"))));
        assertThat(Path.of(System.getProperty("cachefs.hadoop.jar"))).isRegularFile();

        final String reads = "sequential true, seek+read true, positioned true, byte buffer true, " + vectored;
        try (ChildJvm child = ChildJvm.start(dir.resolve("out"), String.join(File.pathSeparator, classPath),
            LoadingCheck.class.getName(), dir.resolve("work").toString()))
        {
            child.expectExit(0);
            assertThat(child.stdoutLines()).as(child.output()).containsExactly(
                "hadoop " + version,
                "file crc32 " + expectedCrc(),
                "file system CachingFileSystem",
                "pass 1: " + reads + ", openFile true",
                "pass 2: " + reads + ", hit bytes " + warmHits + ", miss bytes 0, openFile true",
                "fallbacks 0",
                "closed");
            final List<String> stderr = child.stderrLines();
            if (Runtime.version().feature() < 23)
            {
                assertThat(stderr).as(child.output()).isEmpty();
            }
            else
            {
                // From JDK 23 on, Hadoop 3.3 logs warnings of its own (its ViewFileSystem service fails on
                // Subject.getSubject) and from 24 the JDK warns about native access; none of them is ours.
                assertThat(stderr).as(child.output()).noneMatch(line -> line.contains("org.cachefs") ||
                    line.startsWith("Exception") || line.startsWith("\tat ") || line.startsWith("Caused by"));
            }
        }
    }

    private static String expectedCrc()
    {
        final byte[] bytes = new byte[LoadingCheck.LENGTH];
        for (int i = 0; i < bytes.length; i++)
        {
            bytes[i] = (byte)(i * 31 + (i >>> 11));
        }
        final java.util.zip.CRC32 crc = new java.util.zip.CRC32();
        crc.update(bytes);
        return Long.toHexString(crc.getValue());
    }

    private static List<String> jars(final Path directory) throws IOException
    {
        try (Stream<Path> files = Files.list(directory))
        {
            final List<String> jars = files.filter(file -> file.toString().endsWith(".jar")).sorted()
                .map(Path::toString).collect(Collectors.toList());
            assertThat(jars).as("jars in " + directory).isNotEmpty();
            return jars;
        }
    }
}
