package org.cachefs.tools;

import java.io.ByteArrayOutputStream;
import java.io.File;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.cachefs.cachefs.ChildJvm;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Use it from your Java program" samples, taken from README.md as it stands, compiled and run in
 * child JVMs started without flags ({@code java -cp <jars> ReadmeSample}): on the test's JDK and on every other JDK
 * release from 17 on installed beside it (on the build machines, 17 and 25).
 */
class ReadmeSampleTest
{
    private static final String MARKER = "<!-- sample: ReadmeSample.java";
    private static final String READ_THROUGH_MARKER = "<!-- sample: ReadThroughSample.java";

    @TempDir
    Path dir;

    static String sample() throws Exception
    {
        return sample(MARKER);
    }

    static String sample(final String which) throws Exception
    {
        final Path readme = Path.of("..", "README.md");
        final String text = Files.readString(readme);
        final int marker = text.indexOf(which);
        assertThat(marker).as("README.md has the sample marker").isGreaterThanOrEqualTo(0);
        final int start = text.indexOf("```java\n", marker) + "```java\n".length();
        final int end = text.indexOf("```", start);
        return text.substring(start, end);
    }

    @Test
    void theReadThroughSampleCompilesAndRunsInJvmsWithoutFlags() throws Exception
    {
        compile("ReadThroughSample", sample(READ_THROUGH_MARKER));
        for (final Path java : javas())
        {
            final Path work = Files.createDirectories(dir.resolve("run-" + feature(java)));
            final List<String> lines = runWithoutFlags(java, "ReadThroughSample", work.toString());
            assertThat(lines).as(java.toString()).containsExactly("north,42 (22 bytes from the cache)");
        }
    }

    @Test
    void theReadmeSampleCompilesAndRunsInJvmsWithoutFlags() throws Exception
    {
        compile("ReadmeSample", sample());
        for (final Path java : javas())
        {
            final Path work = Files.createDirectories(dir.resolve("run-" + feature(java)));
            final List<String> lines = runWithoutFlags(java, "ReadmeSample", work.resolve("cache.img").toString());
            assertThat(lines.get(0)).as(java.toString()).isEqualTo("Formatted cache.img as cachefs 1.0");
            assertThat(lines.get(lines.size() - 1)).as(java.toString())
                .isEqualTo("first read: NO_DATA, second read: OK -> hello from the server");
        }
    }

    @Test
    void theSamplesRunOnTheTestJdkFirst() throws Exception
    {
        final List<Path> javas = javas();
        assertThat(javas.get(0)).isEqualTo(Path.of(System.getProperty("java.home"), "bin", "java"));
        assertThat(javas.stream().map(ReadmeSampleTest::feature).distinct().count()).isEqualTo(javas.size());
        assertThat(javas).allMatch(java -> feature(java) >= 17);
    }

    /**
     * The JDKs the samples run on: the test JVM's, then one of each other feature release from 17 on installed next
     * to it (in the directory holding its home, such as {@code /usr/lib/jvm}), by the {@code release} file of each.
     */
    static List<Path> javas() throws IOException
    {
        final Path home = Path.of(System.getProperty("java.home"));
        final List<Path> javas = new ArrayList<>();
        javas.add(home.resolve("bin").resolve("java"));
        final Set<Integer> features = new HashSet<>(Set.of(Runtime.version().feature()));
        final Path installed = home.toRealPath().getParent();
        if (installed != null)
        {
            try (Stream<Path> homes = Files.list(installed))
            {
                for (final Path other : homes.sorted().toList())
                {
                    final Path java = other.resolve("bin").resolve("java");
                    final int feature = feature(java);
                    if (Files.isExecutable(java) && feature >= 17 && features.add(feature))
                    {
                        javas.add(java);
                    }
                }
            }
        }
        return javas;
    }

    /**
     * @return the feature release of the JDK of {@code java} ({@code JAVA_VERSION} in its home's {@code release}
     * file), or 0 if it has none.
     */
    static int feature(final Path java)
    {
        final Path release = java.getParent().getParent().resolve("release");
        try
        {
            for (final String line : Files.readAllLines(release, StandardCharsets.UTF_8))
            {
                if (line.startsWith("JAVA_VERSION="))
                {
                    return Runtime.Version.parse(line.substring("JAVA_VERSION=".length()).replace("\"", ""))
                        .feature();
                }
            }
            return 0;
        }
        catch (final IOException | IllegalArgumentException ex)
        {
            return 0;
        }
    }

    private void compile(final String name, final String code) throws IOException
    {
        final Path source = dir.resolve(name + ".java");
        Files.writeString(source, code);
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int status = compiler.run(null, diagnostics, diagnostics, "--release", "17", "-d", dir.toString(),
            "-cp", System.getProperty("java.class.path"), source.toString());
        assertThat(diagnostics.toString(StandardCharsets.UTF_8)).as("javac output").isEmpty();
        assertThat(status).isZero();
    }

    /**
     * Runs a compiled sample's {@code main} in a child JVM of {@code java} started without flags (see
     * {@link ChildJvm}), with the sample and the test class path on its class path.
     *
     * @return its standard output, once it exited with 0 and printed nothing but JDK warnings on standard error.
     */
    private List<String> runWithoutFlags(final Path java, final String name, final String argument) throws Exception
    {
        final String classPath = dir + File.pathSeparator + System.getProperty("java.class.path");
        try (ChildJvm child = ChildJvm.start(dir.resolve("child-output"), java, classPath, name, argument))
        {
            child.expectExit(0);
            final List<String> stderr = child.stderrLines();
            assertThat(String.join("\n", stderr)).as(child.output())
                .doesNotContain("Exception", "add-exports", "add-opens");
            if (feature(java) < 24)
            {
                assertThat(stderr).as(child.output()).isEmpty();
            }
            else
            {
                assertThat(stderr).as(child.output()).allMatch(line -> line.isEmpty() || line.startsWith("WARNING: "));
            }
            return child.stdoutLines();
        }
    }
}
