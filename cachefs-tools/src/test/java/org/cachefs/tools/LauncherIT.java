package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Runs the launchers in {@code bin/} as a user would: from other working directories, through symlinks, with and
 * without JAVA_HOME, against the shaded jar the build just made; and copies of them in a scratch layout to check the
 * "not built" message and the choice of JVM flags, none before Java 24 (with a stand-in {@code java} that prints its
 * arguments).
 */
class LauncherIT
{
    private static final String MAIN_MKFS = "org.cachefs.tools.MkfsCommand";
    private static final String MAIN_CACHEFS = "org.cachefs.tools.CachefsCommand";
    private static final String MAIN_FSCK = "org.cachefs.tools.FsckCommand";
    /** The only JVM flag a launcher passes, and only to Java 24 and later (which warn about native access). */
    private static final List<String> JDK24_FLAGS = List.of("--enable-native-access=ALL-UNNAMED");

    private static Path root;
    private static Path bin;

    @TempDir
    Path dir;

    @BeforeAll
    static void findTheRepository() throws IOException
    {
        final String property = System.getProperty("cachefs.repo.root");
        assertThat(property).as("system property cachefs.repo.root (set by the build)").isNotNull();
        root = Path.of(property).toRealPath();
        bin = root.resolve("bin");
        assertThat(root.resolve("cachefs-tools/target/cachefs-tools-" + ToolOutput.expectedVersion() + "-all.jar"))
            .as("the shaded jar, made in the package phase before this test").isRegularFile();
    }

    @Test
    void formatsAndStatsAnImageFromAnotherDirectory() throws IOException
    {
        final Path work = Files.createDirectory(dir.resolve("work"));

        assertThat(run(work, javaHome(), bin.resolve("mkfs.cachefs").toString(), "-q", "-s", "10M", "-L", "launcher",
            "cache.img")).isEqualTo(new ProcessRun(0, "", ""));
        assertThat(Files.size(work.resolve("cache.img"))).isEqualTo(10L << 20);

        final ProcessRun json = run(work, javaHome(), bin.resolve("cachefs").toString(), "stat", "--json", "cache.img");
        assertThat(json.err()).isEmpty();
        assertThat(json.exitCode()).isEqualTo(0);
        final Map<String, Object> stat = StrictJson.parseObject(json.out());
        assertThat(stat.get("device")).isEqualTo("cache.img");
        assertThat(stat.get("label")).isEqualTo("launcher");
        assertThat(stat.get("block_count")).isEqualTo(2560L);
        assertThat(stat.get("device_size")).isEqualTo(10485760L);

        final ProcessRun text = run(work, javaHome(), bin.resolve("cachefs").toString(), "stat", "cache.img");
        assertThat(text.exitCode()).isEqualTo(0);
        assertThat(text.out()).startsWith("Device:               cache.img (image file)\n")
            .contains("Label:                launcher\n", "Block count:          2560\n");
    }

    @Test
    void printsTheSummaryAndFormatsThroughTheCachefsMkfsSubcommand() throws IOException
    {
        final Path work = Files.createDirectory(dir.resolve("work"));

        final ProcessRun mkfs = run(work, javaHome(), bin.resolve("mkfs.cachefs").toString(), "-s", "1M", "one.img");
        final ProcessRun sub = run(work, javaHome(), bin.resolve("cachefs").toString(), "mkfs", "-s", "2M", "two.img");

        assertThat(mkfs.exitCode()).isEqualTo(0);
        assertThat(mkfs.out()).startsWith("Formatted one.img as cachefs 1.0\n  size:        1048576 bytes (1.0 MiB)\n");
        assertThat(sub.exitCode()).isEqualTo(0);
        assertThat(sub.out()).startsWith("Formatted two.img as cachefs 1.0\n  size:        2097152 bytes (2.0 MiB)\n");
    }

    @Test
    void passesExitCodesAndErrorsThrough() throws IOException
    {
        final Path work = Files.createDirectory(dir.resolve("work"));
        TestImages.zeros(work.resolve("zero.img"), 1L << 20);

        assertThat(run(work, javaHome(), bin.resolve("mkfs.cachefs").toString(), "-s", "12Q", "x.img"))
            .isEqualTo(new ProcessRun(1, "", "mkfs.cachefs: invalid size '12Q': expected a number with an optional K, M, " +
                "G, T or P suffix\nTry 'mkfs.cachefs --help' for more information.\n"));
        assertThat(run(work, javaHome(), bin.resolve("cachefs").toString(), "stat", "zero.img"))
            .isEqualTo(new ProcessRun(8, "", "cachefs: zero.img is not formatted: block 0 is all zeros\n"));
        assertThat(run(work, javaHome(), bin.resolve("cachefs").toString()))
            .isEqualTo(new ProcessRun(1, "", "cachefs: missing command: one of demo, stat, ls, mkfs, fsck, help\n" +
                "Try 'cachefs --help' for more information.\n"));
    }

    @Test
    void checksAndRepairsThroughTheFsckLauncher() throws IOException
    {
        final Path work = Files.createDirectory(dir.resolve("work"));
        final String fsck = bin.resolve("fsck.cachefs").toString();
        assertThat(run(work, javaHome(), bin.resolve("mkfs.cachefs").toString(), "-q", "-s", "10M", "cache.img"))
            .isEqualTo(new ProcessRun(0, "", ""));

        assertThat(run(work, javaHome(), fsck, "cache.img"))
            .isEqualTo(new ProcessRun(0, "cache.img: clean, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        TestImages.flipByte(work.resolve("cache.img"), 4096);
        assertThat(run(work, javaHome(), fsck, "-n", "cache.img")).isEqualTo(new ProcessRun(4,
            "damaged superblock slot: 1\ncache.img: 1 error left uncorrected, 0 objects, 0 pages, 5/2560 blocks\n",
            ""));
        assertThat(run(work, javaHome(), fsck, "-p", "cache.img")).isEqualTo(new ProcessRun(1,
            "damaged superblock slot: 1\n" +
            "cache.img: repair committed as generation 3 (dropped 0 objects, 0 pages)\n" +
            "cache.img: 1 error corrected, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        assertThat(run(work, javaHome(), bin.resolve("cachefs").toString(), "fsck", "-f", "cache.img"))
            .isEqualTo(new ProcessRun(0, "cache.img: clean, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        assertThat(run(work, javaHome(), fsck, "-x", "cache.img")).isEqualTo(new ProcessRun(16, "",
            "fsck.cachefs: unknown option: '-x'\nTry 'fsck.cachefs --help' for more information.\n"));
        assertThat(run(work, javaHome(), fsck, "missing.img")).isEqualTo(new ProcessRun(8, "",
            "fsck.cachefs: missing.img: no such file or directory\n"));
    }

    @Test
    void followsSymlinksToTheLaunchers() throws IOException
    {
        final Path links = Files.createDirectory(dir.resolve("links"));
        final Path link = Files.createSymbolicLink(links.resolve("cachefs"), bin.resolve("cachefs"));
        final Path chained = Files.createSymbolicLink(links.resolve("mkfs"), links.relativize(
            Files.createSymbolicLink(links.resolve("mkfs.cachefs"), bin.resolve("mkfs.cachefs"))));

        try
        {
            assertThat(run(dir, javaHome(), link.toString(), "--version")).isEqualTo(new ProcessRun(0,
                "cachefs " + ToolOutput.expectedVersion() + "\non-disk format 1.0\n", ""));
            assertThat(run(dir, javaHome(), chained.toString(), "--version")).isEqualTo(new ProcessRun(0,
                "mkfs.cachefs " + ToolOutput.expectedVersion() + "\non-disk format 1.0\n", ""));
        }
        finally
        {
            // links that lead out of the temporary directory: removed here rather than by the cleanup, which warns
            Files.delete(chained);
            Files.delete(links.resolve("mkfs.cachefs"));
            Files.delete(link);
        }
    }

    @Test
    void usesJavaFromPathWithoutJavaHome() throws IOException
    {
        final Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", null);
        env.put("PATH", Path.of(System.getProperty("java.home"), "bin") + ":/usr/bin:/bin");

        assertThat(run(dir, env, bin.resolve("cachefs").toString(), "--version")).isEqualTo(new ProcessRun(0,
            "cachefs " + ToolOutput.expectedVersion() + "\non-disk format 1.0\n", ""));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "cachefs, stat", "mkfs.cachefs, -q", "fsck.cachefs, -n" })
    void saysHowToBuildTheJarWhenItIsMissing(final String launcher, final String argument) throws IOException
    {
        final Path repo = copyLaunchers(dir.resolve("repo"));
        final Path other = Files.createDirectory(dir.resolve("elsewhere"));
        final Path link = Files.createSymbolicLink(other.resolve(launcher), repo.resolve("bin").resolve(launcher));
        final ProcessRun expected = new ProcessRun(8, "", launcher + ": cachefs-tools/target/cachefs-tools-VERSION-all.jar is not built; " +
            "run: mvn -q -DskipTests package  (in " + repo.toRealPath() + ")\n");

        assertThat(run(other, javaHome(), repo.resolve("bin").resolve(launcher).toString(), argument, "x.img"))
            .isEqualTo(expected);
        assertThat(run(other, javaHome(), link.toString(), argument, "x.img")).isEqualTo(expected);
        assertThat(other.resolve("x.img")).doesNotExist();
    }

    @ParameterizedTest(name = "release {0}")
    @CsvSource({ "17.0.15, false", "21, false", "24.0.2, true", "25.0.3, true" })
    void enablesNativeAccessOnlyFromJava24(final String version, final boolean jdk24) throws IOException
    {
        final Path repo = copyLaunchers(dir.resolve("repo"));
        final Path jar = fakeJar(repo);
        final Path jdk = fakeJdk(dir.resolve("jdk"), "JAVA_VERSION=\"" + version + "\"", "openjdk version \"99\"");

        final ProcessRun run = run(dir, Map.of("JAVA_HOME", jdk.toString()), repo.resolve("bin/cachefs").toString(),
            "stat", "with space", "", "*", "quote'\"");

        final List<String> expected = new ArrayList<>();
        if (jdk24)
        {
            expected.addAll(JDK24_FLAGS);
        }
        expected.addAll(List.of("-cp", jar.toString(), MAIN_CACHEFS, "stat", "with space", "", "*", "quote'\""));
        assertThat(run).isEqualTo(new ProcessRun(3, String.join("\n", expected) + "\n", ""));
    }

    @ParameterizedTest(name = "java -version says {0}")
    @CsvSource(delimiter = '|', value = {
        "openjdk version \"17.0.2\" 2022-01-18|false",
        "openjdk version \"25\" 2025-09-16|true",
        "java version \"24.0.1\" 2025-04-15|true" })
    void asksJavaForItsVersionWithoutAReleaseFile(final String versionLine, final boolean jdk24) throws IOException
    {
        final Path repo = copyLaunchers(dir.resolve("repo"));
        final Path jar = fakeJar(repo);
        final Path jdk = fakeJdk(dir.resolve("jdk"), null, versionLine);

        final ProcessRun run = run(dir, Map.of("JAVA_HOME", jdk.toString()), repo.resolve("bin/mkfs.cachefs").toString(),
            "-V");

        final List<String> expected = new ArrayList<>();
        if (jdk24)
        {
            expected.addAll(JDK24_FLAGS);
        }
        expected.addAll(List.of("-cp", jar.toString(), MAIN_MKFS, "-V"));
        assertThat(run).isEqualTo(new ProcessRun(3, String.join("\n", expected) + "\n", ""));
    }

    @Test
    void theFsckLauncherRunsTheFsckCommand() throws IOException
    {
        final Path repo = copyLaunchers(dir.resolve("repo"));
        final Path jar = fakeJar(repo);
        final Path jdk = fakeJdk(dir.resolve("jdk"), "JAVA_VERSION=\"21.0.5\"", "openjdk version \"21\"");

        final ProcessRun run = run(dir, Map.of("JAVA_HOME", jdk.toString()), repo.resolve("bin/fsck.cachefs").toString(),
            "-y", "-f", "cache image.img");

        final List<String> expected = new ArrayList<>();
        expected.addAll(List.of("-cp", jar.toString(), MAIN_FSCK, "-y", "-f", "cache image.img"));
        assertThat(run).isEqualTo(new ProcessRun(3, String.join("\n", expected) + "\n", ""));
    }

    @Test
    void runsTheNewestOfSeveralBuiltJars() throws IOException
    {
        final Path repo = copyLaunchers(dir.resolve("repo"));
        final Path older = fakeJar(repo, "1.3.0");
        final Path newer = fakeJar(repo, "1.2.1");
        final Path oldest = fakeJar(repo, "1.2.0-SNAPSHOT");
        Files.setLastModifiedTime(older, FileTime.fromMillis(2_000_000_000_000L));
        Files.setLastModifiedTime(newer, FileTime.fromMillis(2_000_000_060_000L));
        Files.setLastModifiedTime(oldest, FileTime.fromMillis(1_000_000_000_000L));
        final Path jdk = fakeJdk(dir.resolve("jdk"), "JAVA_VERSION=\"17.0.15\"", "openjdk version \"17\"");

        final ProcessRun run = run(dir, Map.of("JAVA_HOME", jdk.toString()), repo.resolve("bin/cachefs").toString(), "-V");

        assertThat(run).isEqualTo(new ProcessRun(3, "-cp\n" + newer + "\n" + MAIN_CACHEFS + "\n-V\n", ""));
    }

    @Test
    void findsTheJdkOfJavaOnPath() throws IOException
    {
        final Path repo = copyLaunchers(dir.resolve("repo"));
        final Path jar = fakeJar(repo);
        final Path jdk = fakeJdk(dir.resolve("jdk"), "JAVA_VERSION=\"25.0.3\"", "openjdk version \"17\"");
        final Map<String, String> env = new HashMap<>();
        env.put("JAVA_HOME", null);
        env.put("PATH", jdk.resolve("bin") + ":/usr/bin:/bin");

        final ProcessRun run = run(dir, env, repo.resolve("bin/cachefs").toString(), "--version");

        final List<String> expected = new ArrayList<>();
        expected.addAll(JDK24_FLAGS);
        expected.addAll(List.of("-cp", jar.toString(), MAIN_CACHEFS, "--version"));
        assertThat(run).isEqualTo(new ProcessRun(3, String.join("\n", expected) + "\n", ""));
    }

    @Test
    void refusesJavaOlderThan17() throws IOException
    {
        final Path repo = copyLaunchers(dir.resolve("repo"));
        fakeJar(repo);
        final Path jdk11 = fakeJdk(dir.resolve("jdk11"), "JAVA_VERSION=\"11.0.22\"", "");
        final Path jdk8 = fakeJdk(dir.resolve("jdk8"), null, "java version \"1.8.0_392\"");

        assertThat(run(dir, Map.of("JAVA_HOME", jdk11.toString()), repo.resolve("bin/cachefs").toString(), "-V"))
            .isEqualTo(new ProcessRun(8, "", "cachefs: " + jdk11.resolve("bin/java") + " is Java 11; cachefs needs Java 17 " +
                "or later (set JAVA_HOME)\n"));
        assertThat(run(dir, Map.of("JAVA_HOME", jdk8.toString()), repo.resolve("bin/mkfs.cachefs").toString()))
            .isEqualTo(new ProcessRun(8, "", "mkfs.cachefs: " + jdk8.resolve("bin/java") + " is Java 8; cachefs needs " +
                "Java 17 or later (set JAVA_HOME)\n"));
    }

    @Test
    void reportsAJavaHomeWithoutJava() throws IOException
    {
        final Path repo = copyLaunchers(dir.resolve("repo"));
        fakeJar(repo);
        final Path empty = Files.createDirectory(dir.resolve("not-a-jdk"));

        assertThat(run(dir, Map.of("JAVA_HOME", empty.toString()), repo.resolve("bin/cachefs").toString(), "-V"))
            .isEqualTo(new ProcessRun(8, "", "cachefs: " + empty.resolve("bin/java") + " is not an executable file: set " +
                "JAVA_HOME to a JDK or JRE 17 or later\n"));
    }

    private static Map<String, String> javaHome()
    {
        return Map.of("JAVA_HOME", System.getProperty("java.home"));
    }

    /**
     * Copies the launchers and their shared file into {@code repo/bin}, as in a checkout that was never built.
     */
    private static Path copyLaunchers(final Path repo) throws IOException
    {
        final Path target = Files.createDirectories(repo.resolve("bin"));
        for (final String file : Arrays.asList("cachefs", "mkfs.cachefs", "fsck.cachefs", ".cachefs-env"))
        {
            Files.copy(bin.resolve(file), target.resolve(file), StandardCopyOption.COPY_ATTRIBUTES);
        }
        return repo;
    }

    private static Path fakeJar(final Path repo) throws IOException
    {
        return fakeJar(repo, "1.2.0");
    }

    /**
     * Makes an empty file where the launchers look for the all-in-one jar of {@code version}.
     */
    private static Path fakeJar(final Path repo, final String version) throws IOException
    {
        final Path jar = repo.resolve("cachefs-tools/target/cachefs-tools-" + version + "-all.jar");
        Files.createDirectories(jar.getParent());
        Files.write(jar, new byte[0]);
        return jar.toRealPath();
    }

    /**
     * Makes a directory that looks like a JDK: a {@code bin/java} that prints {@code versionLine} on stderr for
     * {@code -version} and otherwise prints each argument on its own line and exits 3, and a {@code release} file
     * holding {@code releaseLine} unless it is null.
     */
    private static Path fakeJdk(final Path home, final String releaseLine, final String versionLine)
        throws IOException
    {
        Files.createDirectories(home.resolve("bin"));
        final Path java = home.resolve("bin/java");
        Files.writeString(java,
            "#!/bin/sh\n" +
            "if [ \"$1\" = \"-version\" ]; then\n" +
            "    cat >&2 <<'VERSION'\n" + versionLine + "\nVERSION\n" +
            "    exit 0\n" +
            "fi\n" +
            "for argument in \"$@\"; do printf '%s\\n' \"$argument\"; done\n" +
            "exit 3\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        if (releaseLine != null)
        {
            Files.writeString(home.resolve("release"), "IMPLEMENTOR=\"test\"\n" + releaseLine + "\n");
        }
        return home.toRealPath();
    }

    /**
     * Runs {@code command} in {@code cwd} with the environment changed by {@code env} (a null value removes the
     * variable), waiting at most {@link ProcessRun#TIMEOUT_SECONDS}.
     */
    private ProcessRun run(final Path cwd, final Map<String, String> env, final String... command) throws IOException
    {
        return ProcessRun.run(dir, cwd, env, List.of(command));
    }
}
