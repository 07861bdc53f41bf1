package org.cachefs.micrometer;

import java.io.File;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import org.cachefs.cachefs.ChildJvm;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Micrometer is optional: a child JVM on this module's class path without the Micrometer jars (micrometer-core,
 * -commons, -observation and their jspecify) mounts caches, reads through the netfs and read-through APIs, reads
 * every figure the binder would, and fails only when it loads {@link CacheFsMetrics} itself. Nothing outside
 * {@code org.cachefs.micrometer} loads a Micrometer class.
 */
class WithoutMicrometerTest
{
    @TempDir
    Path dir;

    @Test
    void theLibraryRunsWithoutMicrometerOnItsClassPath() throws Exception
    {
        final List<String> kept = new ArrayList<>();
        final List<String> left = new ArrayList<>();
        for (final String entry : System.getProperty("java.class.path").split(File.pathSeparator))
        {
            final String name = Path.of(entry).getFileName().toString();
            if (name.startsWith("micrometer-") || name.startsWith("jspecify-"))
            {
                left.add(name);
            }
            else
            {
                kept.add(entry);
            }
        }
        left.sort(null);
        assertThat(left).containsExactly("jspecify-1.0.1.jar", "micrometer-commons-1.17.2.jar",
            "micrometer-core-1.17.2.jar", "micrometer-observation-1.17.2.jar");

        try (ChildJvm child = ChildJvm.start(dir, String.join(File.pathSeparator, kept),
            WithoutMicrometerChild.class.getName(), dir.toString()))
        {
            child.expectExit(0);
            assertThat(child.stdoutLines()).as(child.output()).containsExactly(
                "micrometer: ClassNotFoundException io.micrometer.core.instrument.MeterRegistry",
                "netfs reads: NO_DATA, OK -> stored",
                "figures: readHits=1 hitLatencyCount=1 cullRuns=0 retrievals=2",
                "read-through: 8192 bytes from the cache, 1 image mounted",
                "binder: NoClassDefFoundError io/micrometer/core/instrument/binder/MeterBinder");
            if (Runtime.version().feature() < 24)
            {
                assertThat(child.stderrLines()).as(child.output()).isEmpty();
            }
            else
            {
                assertThat(child.stderrLines()).as(child.output())
                    .allMatch(line -> line.isEmpty() || line.startsWith("WARNING: "));
            }
        }
    }
}
