package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;

import picocli.CommandLine;

import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cachefs.tools.ToolOutput.cachefs;
import static org.cachefs.tools.ToolOutput.mkfs;

/**
 * {@code --config FILE} of {@code mkfs.cachefs}, {@code fsck.cachefs}, {@code cachefs stat}, {@code cachefs ls} and
 * {@code cachefs demo}: the image (and a new image's size) from the file, the command line winning over it, and a
 * file that cannot be used reported as one line with the usage exit code.
 */
class ConfigOptionTest
{
    private static final String FSCK_TRY_HELP = "Try 'fsck.cachefs --help' for more information.\n";
    private static final String BAD_CHUNK = ":3: chunk.size must be a power of two from 4096 to 67108864: 3000\n";

    @TempDir
    Path dir;

    private Path image;
    private Path conf;

    @BeforeEach
    void writeConfig() throws IOException
    {
        image = dir.resolve("cache.img");
        conf = dir.resolve("cachefs.conf");
        Files.writeString(conf, "# the node's cache\ndirs " + image + ", " + dir.resolve("other.img") +
            "\nsize 2M\nbrun 20%\n");
    }

    private static ToolOutput fsck(final String... args)
    {
        return ToolOutput.run(FsckCommand::run, args);
    }

    @Test
    void theImageComesFromTheFirstEntryOfDirs() throws IOException
    {
        assertThat(mkfs("-q", "-L", "conf", "--config", conf.toString())).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(TestImages.header(image).superblock().label()).isEqualTo("conf");
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(512);

        assertThat(cachefs("stat", "--config", conf.toString())).isEqualTo(cachefs("stat", image.toString()));
        assertThat(cachefs("stat", "--config", conf.toString()).exitCode()).isZero();
        assertThat(cachefs("ls", "--config", conf.toString())).isEqualTo(cachefs("ls", image.toString()));
        assertThat(cachefs("ls", "--config", conf.toString()).exitCode()).isZero();
        final ToolOutput checked = fsck("-f", "--config", conf.toString());
        assertThat(checked.exitCode()).isZero();
        assertThat(checked).isEqualTo(fsck("-f", image.toString()));
        assertThat(cachefs("fsck", "-f", "--config", conf.toString())).isEqualTo(checked);
    }

    @Test
    void anImageOnTheCommandLineWinsAndSizeOnlyCreatesAMissingImage() throws IOException
    {
        final Path given = dir.resolve("given.img");
        assertThat(mkfs("-q", "--config", conf.toString(), "-s", "4M", given.toString()))
            .isEqualTo(new ToolOutput(0, "", ""));
        assertThat(Files.exists(image)).isFalse();
        assertThat(TestImages.header(given).layout().blockCount()).isEqualTo(1024);

        assertThat(mkfs("-q", "--config", conf.toString(), "-s", "3M")).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(768);
        assertThat(mkfs("-q", "-f", "--config", conf.toString())).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(768);

        assertThat(cachefs("stat", "--config", conf.toString(), given.toString()))
            .isEqualTo(cachefs("stat", given.toString()));
    }

    @Test
    void aDirectoryInDirsHoldsCachefsImg() throws IOException
    {
        final Path cacheDir = Files.createDirectories(dir.resolve("cache"));
        Files.writeString(conf, "dirs " + cacheDir + "\nsize 2M\n");
        assertThat(mkfs("-q", "--config", conf.toString())).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(TestImages.header(cacheDir.resolve("cachefs.img")).layout().blockCount()).isEqualTo(512);
    }

    @Test
    void aFileThatCannotBeUsedIsAUsageErrorOfEveryCommand() throws IOException
    {
        Files.writeString(conf, "dirs " + image + "\nsize 2M\nchunk.size 3000\n");
        final String config = conf.toString();
        for (final String command : new String[] { "stat", "ls", "demo", "mkfs", "fsck" })
        {
            assertThat(cachefs(command, "--config", config)).as(command).isEqualTo(new ToolOutput(
                "fsck".equals(command) ? 16 : 1, "", "cachefs: " + config + BAD_CHUNK +
                "Try 'cachefs " + command + " --help' for more information.\n"));
        }
        assertThat(mkfs("--config", config)).isEqualTo(new ToolOutput(1, "", "mkfs.cachefs: " + config + BAD_CHUNK +
            "Try 'mkfs.cachefs --help' for more information.\n"));
        assertThat(fsck("--config", config, image.toString())).isEqualTo(new ToolOutput(16, "",
            "fsck.cachefs: " + config + BAD_CHUNK + FSCK_TRY_HELP));
        assertThat(Files.exists(image)).isFalse();

        Files.writeString(conf, "fcull 5%\n");
        assertThat(cachefs("stat", "--config", config)).isEqualTo(new ToolOutput(1, "", "cachefs: " + config +
            ":1: fcull is not supported: cachefs has no file-count culling; it culls by free space alone (brun, " +
            "bcull, bstop)\nTry 'cachefs stat --help' for more information.\n"));

        Files.writeString(conf, "size 2M\n");
        assertThat(fsck("--config", config)).isEqualTo(new ToolOutput(16, "", "fsck.cachefs: " + config +
            ": dirs is not set: name one or more block devices, image files or directories (comma-separated) for " +
            "the cache\n" + FSCK_TRY_HELP));
        assertThat(mkfs("--config", config)).isEqualTo(new ToolOutput(1, "", "mkfs.cachefs: " + config +
            ": dirs is not set: name one or more block devices, image files or directories (comma-separated) for " +
            "the cache\nTry 'mkfs.cachefs --help' for more information.\n"));

        final String missing = dir.resolve("missing.conf").toString();
        assertThat(cachefs("ls", "--config", missing)).isEqualTo(new ToolOutput(1, "", "cachefs: --config " +
            missing + ": no such file or directory\nTry 'cachefs ls --help' for more information.\n"));
        assertThat(fsck("--config", missing)).isEqualTo(new ToolOutput(16, "", "fsck.cachefs: --config " +
            missing + ": no such file or directory\n" + FSCK_TRY_HELP));
        assertThat(fsck()).isEqualTo(new ToolOutput(16, "", "fsck.cachefs: missing required parameter: " +
            "'DEVICE|IMAGE'\n" + FSCK_TRY_HELP));
        assertThat(cachefs("ls")).isEqualTo(new ToolOutput(1, "", "cachefs: missing required parameter: " +
            "'DEVICE|IMAGE'\nTry 'cachefs ls --help' for more information.\n"));
    }

    @Test
    void theDemoTakesItsImageAndSizeFromTheFileUnlessGiven() throws IOException
    {
        Files.writeString(conf, "dirs " + image + "\nsize 8M\nwrite.threads 2\nram.tier.size 1m\n");
        final ToolOutput run = cachefs("demo", "--config", conf.toString(), "--files", "2", "--file-size", "8K",
            "--latency", "0");
        assertThat(run.err()).isEmpty();
        assertThat(run.exitCode()).isZero();
        assertThat(run.out()).contains("every byte read matched the origin")
            .contains("\ncache:   mounted, RAM tier of up to 1.0 MiB above the image\n");
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(2048);

        final Path given = dir.resolve("given.img");
        final ToolOutput explicit = cachefs("demo", "--config", conf.toString(), "--image", given.toString(),
            "--size", "16M", "--files", "2", "--file-size", "8K", "--latency", "0");
        assertThat(explicit.exitCode()).isZero();
        assertThat(explicit.out()).contains("\ncache:   mounted, RAM tier of up to 1.0 MiB above the image\n");
        assertThat(TestImages.header(given).layout().blockCount()).isEqualTo(4096);
    }

    @Test
    void theReadmeNamesTheCommandsThatTakeIt() throws IOException
    {
        final Map<String, CommandLine> commands = CachefsCommand.commandLine(System.out).getSubcommands();
        final List<String> taking = commands.keySet().stream()
            .filter(name -> null != commands.get(name).getCommandSpec().findOption("--config")).toList();
        assertThat(taking).containsExactly("demo", "stat", "ls", "mkfs", "fsck");
        assertThat(MkfsCommand.commandLine(System.out).getCommandSpec().findOption("--config")).isNotNull();
        assertThat(FsckCommand.commandLine(System.out).getCommandSpec().findOption("--config")).isNotNull();

        final String readme = Files.readString(Path.of("..", "README.md"));
        final int marker = readme.indexOf("<!-- tools with --config -->");
        assertThat(marker).as("README.md has the marker").isGreaterThanOrEqualTo(0);
        final String paragraph = readme.substring(marker, readme.indexOf("\n\n", marker));
        assertThat(paragraph).contains("The tools that take `--config FILE`: `cachefs demo`, `cachefs stat`, " +
            "`cachefs ls`, `mkfs.cachefs` (`cachefs mkfs`)\nand `fsck.cachefs` (`cachefs fsck`).");
        final String tools = readme.substring(readme.indexOf("\n## Tools\n"));
        for (final String synopsis : new String[] { "bin/mkfs.cachefs ", "bin/cachefs stat ", "bin/fsck.cachefs ",
            "bin/cachefs ls " })
        {
            final int row = tools.indexOf("| `" + synopsis);
            assertThat(tools.substring(row, tools.indexOf("` |", row))).as(synopsis).contains("[--config FILE]");
        }
    }
}
