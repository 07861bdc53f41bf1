package org.cachefs.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.net.URL;
import java.net.URLClassLoader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import javax.tools.JavaCompiler;
import javax.tools.ToolProvider;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The README's "Use it from your Java program" samples, taken from README.md as it stands, compiled and run.
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
    void theReadThroughSampleCompilesAndRuns() throws Exception
    {
        final List<String> lines = compileAndRun("ReadThroughSample", sample(READ_THROUGH_MARKER), dir.toString());
        assertThat(lines).containsExactly("north,42 (22 bytes from the cache)");
    }

    @Test
    void theReadmeSampleCompilesAndRuns() throws Exception
    {
        final List<String> lines = compileAndRun("ReadmeSample", sample(), dir.resolve("cache.img").toString());
        assertThat(lines.get(0)).isEqualTo("Formatted cache.img as cachefs 1.0");
        assertThat(lines.get(lines.size() - 1))
            .isEqualTo("first read: NO_DATA, second read: OK -> hello from the server");
    }

    private List<String> compileAndRun(final String name, final String code, final String argument) throws Exception
    {
        final Path source = dir.resolve(name + ".java");
        Files.writeString(source, code);
        final JavaCompiler compiler = ToolProvider.getSystemJavaCompiler();
        final ByteArrayOutputStream diagnostics = new ByteArrayOutputStream();
        final int status = compiler.run(null, diagnostics, diagnostics, "--release", "17", "-d", dir.toString(),
            "-cp", System.getProperty("java.class.path"), source.toString());
        assertThat(diagnostics.toString(StandardCharsets.UTF_8)).as("javac output").isEmpty();
        assertThat(status).isZero();

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final PrintStream saved = System.out;
        try (URLClassLoader loader = new URLClassLoader(new URL[]{ dir.toUri().toURL() },
            ReadmeSampleTest.class.getClassLoader()))
        {
            System.setOut(new PrintStream(out, true, StandardCharsets.UTF_8));
            loader.loadClass(name).getMethod("main", String[].class)
                .invoke(null, (Object)new String[]{ argument });
        }
        finally
        {
            System.setOut(saved);
        }
        return out.toString(StandardCharsets.UTF_8).lines().toList();
    }
}
