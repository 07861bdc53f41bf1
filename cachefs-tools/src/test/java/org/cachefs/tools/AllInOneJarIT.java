package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.jar.Attributes;
import java.util.jar.JarFile;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the all-in-one jar the package phase made, {@code cachefs-tools-VERSION-all.jar}, as its users do: with
 * {@code java -jar} and no JVM flag, in child JVMs of every JDK from 17 on installed beside the test's (on the build
 * machines, 17 and 25); and reads its manifest and entries.
 */
class AllInOneJarIT
{
    private static Path jar;

    @TempDir
    Path dir;

    @BeforeAll
    static void findTheJar()
    {
        jar = Path.of("target", "cachefs-tools-" + ToolOutput.expectedVersion() + "-all.jar").toAbsolutePath();
        assertThat(jar).as("the all-in-one jar, made in the package phase before this test").isRegularFile();
    }

    @Test
    void printsItsVersionAndHelpOnEveryJdk() throws IOException
    {
        for (final Path java : ReadmeSampleTest.javas())
        {
            assertThat(run(java, "--version")).as(java.toString()).isEqualTo(new ProcessRun(0,
                "cachefs " + ToolOutput.expectedVersion() + "\non-disk format 1.0\n", ""));
            final ProcessRun help = run(java, "--help");
            assertThat(help.exitCode()).as(java.toString()).isZero();
            assertThat(help.err()).as(java.toString()).isEmpty();
            assertThat(help.out()).as(java.toString()).startsWith("Usage: cachefs [-hV] COMMAND\n\n" +
                "Inspects and manages cachefs caches.\n");
        }
    }

    @Test
    void formatsChecksAndStatsAnImageOnEveryJdk() throws IOException
    {
        for (final Path java : ReadmeSampleTest.javas())
        {
            final String name = "cache-" + ReadmeSampleTest.feature(java) + ".img";

            assertThat(run(java, "mkfs", "-q", "-s", "10M", "-L", "all-in-one", name))
                .as(java.toString()).isEqualTo(new ProcessRun(0, "", ""));
            assertThat(run(java, "fsck", "-f", name)).as(java.toString())
                .isEqualTo(new ProcessRun(0, name + ": clean, 0 objects, 0 pages, 5/2560 blocks\n", ""));
            final ProcessRun stat = run(java, "stat", "--json", name);
            assertThat(stat.err()).as(java.toString()).isEmpty();
            assertThat(stat.exitCode()).as(java.toString()).isZero();
            assertThat(StrictJson.parseObject(stat.out())).as(java.toString())
                .containsEntry("device", name)
                .containsEntry("label", "all-in-one")
                .containsEntry("block_count", 2560L)
                .containsEntry("device_size", 10485760L);
        }
    }

    @Test
    void reportsUsageErrorsOnOneLine() throws IOException
    {
        final Path java = ReadmeSampleTest.javas().get(0);

        assertThat(run(java, "mkfs", "-s", "12Q", "x.img")).isEqualTo(new ProcessRun(1, "",
            "cachefs: invalid size '12Q': expected a number with an optional K, M, G, T or P suffix\n" +
            "Try 'cachefs mkfs --help' for more information.\n"));
        assertThat(dir.resolve("x.img")).doesNotExist();
        assertThat(run(java, "frobnicate")).isEqualTo(new ProcessRun(1, "",
            "cachefs: unknown command 'frobnicate': one of demo, stat, ls, mkfs, fsck, help\n" +
            "Try 'cachefs --help' for more information.\n"));
    }

    @Test
    void namesItsMainClassAndModuleAndCarriesNoSignatures() throws IOException
    {
        try (JarFile file = new JarFile(jar.toFile()))
        {
            final Attributes manifest = file.getManifest().getMainAttributes();
            assertThat(manifest.getValue(Attributes.Name.MAIN_CLASS)).isEqualTo("org.cachefs.tools.CachefsCommand");
            assertThat(manifest.getValue("Automatic-Module-Name")).isEqualTo("org.cachefs.tools");
            assertThat(manifest.getValue("Enable-Native-Access")).isEqualTo("ALL-UNNAMED");
            assertThat(manifest.getValue(Attributes.Name.MULTI_RELEASE)).isEqualTo("true");

            final List<String> signatures = new ArrayList<>();
            final List<String> moduleInfos = new ArrayList<>();
            file.stream().forEach(entry ->
            {
                final String entryName = entry.getName();
                if (entryName.startsWith("META-INF/") && entryName.indexOf('/', "META-INF/".length()) < 0 &&
                    (entryName.endsWith(".SF") || entryName.endsWith(".DSA") || entryName.endsWith(".RSA")))
                {
                    signatures.add(entryName);
                }
                if (entryName.endsWith("module-info.class"))
                {
                    moduleInfos.add(entryName);
                }
            });
            assertThat(signatures).isEmpty();
            assertThat(moduleInfos).isEmpty();
            assertThat(file.getEntry("org/cachefs/tools/CachefsCommand.class")).isNotNull();
            assertThat(file.getEntry("org/cachefs/format/Mkfs.class")).isNotNull();
            assertThat(file.getEntry("picocli/CommandLine.class")).isNotNull();
            assertThat(file.getEntry("jnr/posix/POSIX.class")).isNotNull();
        }
    }

    /**
     * Runs {@code java -jar <the all-in-one jar> args} in {@link #dir}, without JVM flags (none from the environment
     * either).
     */
    private ProcessRun run(final Path java, final String... args) throws IOException
    {
        final List<String> command = new ArrayList<>(List.of(java.toString(), "-jar", jar.toString()));
        command.addAll(List.of(args));
        final Map<String, String> noFlags = new HashMap<>();
        noFlags.put("JDK_JAVA_OPTIONS", null);
        noFlags.put("JAVA_TOOL_OPTIONS", null);
        noFlags.put("_JAVA_OPTIONS", null);
        return ProcessRun.run(dir, dir, noFlags, command);
    }
}
