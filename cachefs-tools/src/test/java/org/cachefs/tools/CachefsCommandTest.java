package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cachefs.tools.ToolOutput.cachefs;

class CachefsCommandTest
{
    private static final String TRY_HELP = "Try 'cachefs --help' for more information.\n";

    @TempDir
    Path dir;

    @Test
    void versionNamesTheSoftwareAndTheFormat()
    {
        final ToolOutput expected = new ToolOutput(0,
            "cachefs " + ToolOutput.expectedVersion() + "\non-disk format 1.0\n", "");

        assertThat(cachefs("--version")).isEqualTo(expected);
        assertThat(cachefs("-V")).isEqualTo(expected);
    }

    @Test
    void helpListsTheCommands()
    {
        final ToolOutput result = cachefs("--help");

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).startsWith("Usage: cachefs [-hV] COMMAND\n\nInspects and manages cachefs caches.\n");
        assertThat(result.out()).contains("Commands:\n  demo  ", "\n  stat  ", "\n  mkfs  Formats a block device",
            "\n  help  ");
        assertThat(cachefs("help")).isEqualTo(result);
    }

    @Test
    void missingCommandIsAUsageError()
    {
        assertThat(cachefs()).isEqualTo(new ToolOutput(1, "",
            "cachefs: missing command: one of demo, stat, ls, mkfs, fsck, help\n" + TRY_HELP));
    }

    @Test
    void unknownCommandIsAUsageError()
    {
        assertThat(cachefs("frobnicate", "cache.img")).isEqualTo(new ToolOutput(1, "",
            "cachefs: unknown command 'frobnicate': one of demo, stat, ls, mkfs, fsck, help\n" + TRY_HELP));
        assertThat(cachefs("--bogus")).isEqualTo(new ToolOutput(1, "",
            "cachefs: unknown option: '--bogus'\n" + TRY_HELP));
    }

    @Test
    void mkfsSubcommandFormatsLikeMkfsCachefs() throws IOException
    {
        final Path image = dir.resolve("cache.img");

        final ToolOutput quiet = cachefs("mkfs", "-q", "-s", "2M", "-L", "alias", image.toString());

        assertThat(quiet).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(TestImages.header(image).superblock().label()).isEqualTo("alias");
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(512);

        final ToolOutput loud = cachefs("mkfs", "-f", "-L", "again", image.toString());
        assertThat(loud.exitCode()).isEqualTo(0);
        assertThat(loud.out()).startsWith("Formatted cache.img as cachefs 1.0\n");
    }

    @Test
    void mkfsSubcommandErrorsNameTheCachefsProgram() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 1L << 20, 4096, "keep");

        assertThat(cachefs("mkfs", "-b", "3000", image.toString())).isEqualTo(new ToolOutput(1, "",
            "cachefs: invalid block size 3000: must be a power of two from 4096 to 65536\n" +
                "Try 'cachefs mkfs --help' for more information.\n"));
        assertThat(cachefs("mkfs", "-E", "foo", image.toString())).isEqualTo(new ToolOutput(1, "",
            "cachefs: invalid extended option 'foo': expected discard or nodiscard\n" +
                "Try 'cachefs mkfs --help' for more information.\n"));
        assertThat(cachefs("mkfs", "-x")).isEqualTo(new ToolOutput(1, "",
            "cachefs: unknown option: '-x'\nTry 'cachefs mkfs --help' for more information.\n"));
        assertThat(cachefs("mkfs", image.toString())).isEqualTo(new ToolOutput(8, "",
            "cachefs: cache.img already contains a cachefs image (uuid " + TestImages.FIXED_UUID +
                ", label 'keep'); use -f to overwrite it\n"));
    }

    @Test
    void mkfsSubcommandHasItsOwnHelpAndVersion()
    {
        final ToolOutput help = cachefs("mkfs", "--help");

        assertThat(help.exitCode()).isEqualTo(0);
        assertThat(help.out()).startsWith(
            "Usage: cachefs mkfs [-fhKqV] [-b BLOCKSIZE] [--config FILE] [-L LABEL] [-s SIZE] [-E OPTIONS]...\n" +
            "                    [DEVICE|IMAGE]\n");
        assertThat(cachefs("help", "mkfs")).isEqualTo(help);
        assertThat(cachefs("mkfs", "-V")).isEqualTo(new ToolOutput(0,
            "cachefs mkfs " + ToolOutput.expectedVersion() + "\non-disk format 1.0\n", ""));
    }
}
