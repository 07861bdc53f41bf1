package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.ImageHeader;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cachefs.tools.ToolOutput.cachefs;

/**
 * {@code fsck.cachefs} and {@code cachefs fsck} as a user runs them: options, output and every exit code.
 */
class FsckCommandTest
{
    private static final String TRY_HELP = "Try 'fsck.cachefs --help' for more information.\n";

    @TempDir
    Path dir;

    static ToolOutput fsck(final String... args)
    {
        return ToolOutput.run(FsckCommand::run, args);
    }

    private Path fresh() throws IOException
    {
        return TestImages.formatFixed(dir.resolve("cache.img"), 10L << 20, 4096, "fsck");
    }

    /**
     * A 10 MiB image whose second page of the file "b" has a flipped byte, written by the engine: {@code --check-pages}
     * finds it.
     */
    private Path withBadPage() throws IOException
    {
        final Path image = fresh();
        try (FsckEngineTest.Cache cache = FsckEngineTest.Cache.mount(image))
        {
            cache.write(cache.file("a", 2 * 4096), 0, 2);
            cache.write(cache.file("b", 3 * 4096), 0, 3);
        }
        final long block = BlockPointer.block(FsckEngineTest.Layout.read(image).page("b", 1));
        TestImages.flipByte(image, block * 4096 + 10);
        return image;
    }

    @Test
    void aFreshImageIsClean() throws IOException
    {
        final Path image = fresh();
        final byte[] before = Files.readAllBytes(image);

        assertThat(fsck(image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        assertThat(fsck("-n", "-f", "-v", image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        assertThat(fsck("-y", image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        assertThat(fsck("-p", image.toString()).exitCode()).isEqualTo(0);
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }

    @Test
    void checkOnlyReportsErrorsAndChangesNothing() throws IOException
    {
        final Path image = withBadPage();
        final byte[] before = Files.readAllBytes(image);

        assertThat(fsck(image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 3 objects, 5 pages, 13/2560 blocks\n", ""));
        assertThat(fsck("-f", image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 3 objects, 5 pages, 13/2560 blocks\n", ""));
        final ToolOutput check = fsck("--check-pages", image.toString());
        assertThat(check).isEqualTo(new ToolOutput(4, "bad page checksum: 1\n" +
            "cache.img: 1 error left uncorrected, 3 objects, 4 pages, 13/2560 blocks\n", ""));
        final ToolOutput verbose = fsck("-n", "--check-pages", "-v", image.toString());
        assertThat(verbose.exitCode()).isEqualTo(4);
        assertThat(verbose.out()).matches("page 1 of object 3 \\(block \\d+\\): crc32c expected=0x[0-9a-f]+ " +
            "actual=0x[0-9a-f]+\ncache.img: 1 error left uncorrected, 3 objects, 4 pages, 13/2560 blocks\n");
        assertThat(fsck("-p", "--check-pages", image.toString())).isEqualTo(new ToolOutput(4,
            "bad page checksum: 1\n" +
            "cache.img: UNEXPECTED INCONSISTENCY: -p repairs only what drops no cached data; run fsck.cachefs -y\n" +
            "cache.img: 1 error left uncorrected, 3 objects, 4 pages, 13/2560 blocks\n", ""));
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }

    @Test
    void yesRepairsAndExitsOne() throws IOException
    {
        final Path image = withBadPage();

        final ToolOutput repair = fsck("-y", "--check-pages", image.toString());

        assertThat(repair).isEqualTo(new ToolOutput(1, "bad page checksum: 1\n" +
            "cache.img: repair committed as generation 6 (dropped 0 objects, 1 page)\n" +
            "cache.img: 1 error corrected, 3 objects, 4 pages, 12/2560 blocks\n", ""));
        assertThat(fsck("--check-pages", image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 3 objects, 4 pages, 12/2560 blocks\n", ""));
        assertThat(TestImages.header(image).commit().generation()).isEqualTo(6);
    }

    @Test
    void theCachefsFsckSubcommandIsTheSameTool() throws IOException
    {
        final Path image = withBadPage();

        assertThat(cachefs("fsck", "--check-pages", image.toString())).isEqualTo(fsck("--check-pages",
            image.toString()));
        assertThat(cachefs("fsck", "-y", "--check-pages", image.toString()).exitCode()).isEqualTo(1);
        assertThat(cachefs("fsck", image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 3 objects, 4 pages, 12/2560 blocks\n", ""));
        assertThat(cachefs("fsck", "-q", image.toString())).isEqualTo(new ToolOutput(16, "",
            "cachefs: unknown option: '-q'\nTry 'cachefs fsck --help' for more information.\n"));
    }

    @Test
    void aMountedCacheIsNamedAndRepairsAreRefused() throws IOException
    {
        final Path image = fresh();
        final byte[] before = Files.readAllBytes(image);
        final String holder = "in use by another cachefs instance (process " + ProcessHandle.current().pid() + ")";
        try (CacheFsBackend mounted = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)))
        {
            assertThat(mounted.wasClean()).isTrue();
            final String refused = "fsck.cachefs: cache.img is mounted: " + holder + ": unmount it first, or check " +
                "it read-only with -n\n";
            assertThat(fsck("-y", image.toString())).isEqualTo(new ToolOutput(8, "", refused));
            assertThat(fsck("-p", image.toString())).isEqualTo(new ToolOutput(8, "", refused));
            assertThat(fsck("-a", "-f", image.toString())).isEqualTo(new ToolOutput(8, "", refused));
            final String readOnly = "cache.img: mounted: " + holder + "; checking its last commit read-only, the " +
                "answer may already be stale\ncache.img: clean, 0 objects, 0 pages, 5/2560 blocks\n";
            assertThat(fsck("-n", image.toString())).isEqualTo(new ToolOutput(0, readOnly, ""));
            assertThat(fsck(image.toString())).isEqualTo(new ToolOutput(0, readOnly, ""));
            assertThat(cachefs("fsck", "-y", image.toString())).isEqualTo(new ToolOutput(8, "",
                "cachefs: cache.img is mounted: " + holder + ": unmount it first, or check it read-only with -n\n"));
        }
        assertThat(fsck("-y", "-f", image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        assertThat(Files.readAllBytes(image)).isNotEqualTo(before);
    }

    @Test
    void withoutForceACleanImageGetsTheQuickAnswerFromItsSlots() throws IOException
    {
        final Path image = withBadPage();
        FsckEngineTest.setBitmapBit(image, 2000, true);
        final byte[] before = Files.readAllBytes(image);

        assertThat(TestImages.header(image).commit().clean()).isTrue();
        assertThat(fsck(image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 3 objects, 5 pages, 13/2560 blocks\n", ""));
        assertThat(fsck("-p", image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 3 objects, 5 pages, 13/2560 blocks\n", ""));
        assertThat(fsck("-f", image.toString())).isEqualTo(new ToolOutput(4,
            "leaked block range: 1\nwrong used-block count: 1\n" +
            "cache.img: 2 errors left uncorrected, 3 objects, 5 pages, 13/2560 blocks\n", ""));
        assertThat(fsck("--check-pages", image.toString())).isEqualTo(new ToolOutput(4,
            "bad page checksum: 1\nleaked block range: 1\nwrong used-block count: 1\n" +
            "cache.img: 3 errors left uncorrected, 3 objects, 4 pages, 13/2560 blocks\n", ""));
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }

    @Test
    void anImageNotMarkedCleanIsCheckedInFull() throws IOException
    {
        final Path image = fresh();
        final Path copy = dir.resolve("copy.img");
        try (CacheFsBackend mounted = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)))
        {
            // the image as a crash would leave it: the mount's commit, without the clean flag
            Files.copy(image, copy);
        }
        assertThat(TestImages.header(copy).commit().clean()).isFalse();
        FsckEngineTest.setBitmapBit(copy, 2000, true);

        assertThat(fsck(copy.toString())).isEqualTo(new ToolOutput(4,
            "leaked block range: 1\nwrong used-block count: 1\n" +
            "copy.img: 2 errors left uncorrected, 0 objects, 0 pages, 5/2560 blocks\n", ""));
    }

    @Test
    void aDamagedSlotIsCheckedInFullAndMinusAPreensLikeMinusP() throws IOException
    {
        final Path image = fresh();
        TestImages.flipByte(image, 4096);
        final Path copy = Files.copy(image, dir.resolve("copy.img"));
        final String repaired = "damaged superblock slot: 1\n" +
            "%s: repair committed as generation 3 (dropped 0 objects, 0 pages)\n" +
            "%s: 1 error corrected, 0 objects, 0 pages, 5/2560 blocks\n";

        assertThat(fsck(image.toString())).isEqualTo(new ToolOutput(4, "damaged superblock slot: 1\n" +
            "cache.img: 1 error left uncorrected, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        assertThat(fsck("-a", image.toString())).isEqualTo(new ToolOutput(1,
            String.format(repaired, "cache.img", "cache.img"), ""));
        assertThat(fsck("-p", copy.toString())).isEqualTo(new ToolOutput(1,
            String.format(repaired, "copy.img", "copy.img"), ""));
        assertThat(TestImages.header(image).commit().generation()).isEqualTo(3);
        assertThat(TestImages.header(copy).commit().generation()).isEqualTo(3);
        assertThat(fsck("-f", image.toString())).isEqualTo(new ToolOutput(0,
            "cache.img: clean, 0 objects, 0 pages, 5/2560 blocks\n", ""));
    }

    @Test
    void operationalErrorsExitEight() throws IOException
    {
        TestImages.zeros(dir.resolve("zero.img"), 1 << 20);
        TestImages.ext4(dir.resolve("ext4.img"));

        assertThat(fsck(dir.resolve("zero.img").toString())).isEqualTo(new ToolOutput(8, "",
            "fsck.cachefs: zero.img is not formatted: block 0 is all zeros\n"));
        assertThat(fsck(dir.resolve("ext4.img").toString())).isEqualTo(new ToolOutput(8, "",
            "fsck.cachefs: ext4.img contains an ext4 filesystem\n"));
        assertThat(fsck(dir.resolve("missing.img").toString())).isEqualTo(new ToolOutput(8, "",
            "fsck.cachefs: " + dir.resolve("missing.img") + ": no such file or directory\n"));
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = ';', value = {
        "-x cache.img; unknown option: '-x'",
        "--frobnicate cache.img; unknown option: '--frobnicate'",
        "cache.img other.img; extra operand 'other.img'",
        "-n -y cache.img; only one of the options -n, -p (or -a) and -y may be given",
        "-p -y cache.img; only one of the options -n, -p (or -a) and -y may be given",
        "-a -n cache.img; only one of the options -n, -p (or -a) and -y may be given",
        "--check-pages=yes cache.img; invalid value for option '--check-pages': 'yes' is not a boolean",
        "-f; missing required parameter: 'DEVICE|IMAGE'" })
    void usageErrorsExitSixteen(final String line, final String message) throws IOException
    {
        final Path image = fresh();
        final byte[] before = Files.readAllBytes(image);
        final String[] args = line.replace("cache.img", image.toString()).split(" ");

        assertThat(fsck(args)).isEqualTo(new ToolOutput(16, "", "fsck.cachefs: " + message + "\n" + TRY_HELP));
        assertThat(Files.readAllBytes(image)).isEqualTo(before);
    }

    @Test
    void repeatedFlagsAreFine() throws IOException
    {
        final Path image = fresh();

        assertThat(fsck("-n", "-n", "-vv", image.toString()).exitCode()).isEqualTo(0);
        assertThat(fsck("-yf", image.toString()).exitCode()).isEqualTo(0);
    }

    @Test
    void helpSaysItNeverAsksAndListsTheExitCodes()
    {
        final ToolOutput help = fsck("--help");

        assertThat(help.exitCode()).isEqualTo(0);
        assertThat(help.err()).isEmpty();
        assertThat(help.out()).isEqualTo(
            "Usage: fsck.cachefs [-fhnpvVy] [--check-pages] [--config=FILE] [DEVICE|IMAGE]\n" +
            "\n" +
            "Checks a cachefs block device or image file: both superblock slots and the backup, the commit\n" +
            "record, the index tree, every object record and page map, the bitmap against the trees; with\n" +
            "--check-pages every data page's CRC32C. An image marked clean by its last unmount gets a quick\n" +
            "answer from its superblock slots unless -f is given.\n" +
            "It never asks questions: without -p or -y it opens the device read-only and changes nothing, as\n" +
            "with -n. A repair drops the objects and pages it cannot trust (a cache never invents data), fixes\n" +
            "the counters and the bitmap, and writes the result as a new commit, crash-safe like the cache's own.\n" +
            "Beside a mounted cache it says so on its first line, checks the last commit read-only (a check\n" +
            "during which a new commit lands is run again), and refuses to repair.\n" +
            "\n" +
            "Arguments:\n" +
            "      [DEVICE|IMAGE]   The block device or image file to check (required without --config).\n" +
            "\n" +
            "Options:\n" +
            "  -n                   Check only: open read-only and change nothing (the default).\n" +
            "  -p, -a               Preen: repair without asking only what drops no cached data (damaged\n" +
            "                         superblock slots, counters, the bitmap); report the rest and change\n" +
            "                         nothing.\n" +
            "  -y                   Repair everything repairable without asking, dropping objects and pages that\n" +
            "                         cannot be trusted.\n" +
            "  -f, --force          Force a full check of an image marked clean (without it, such an image gets\n" +
            "                         a quick answer from its two superblock slots).\n" +
            "      --check-pages    Also read every data page and check its CRC32C (implies -f).\n" +
            "  -v, --verbose        Print each finding.\n" +
            "      --config=FILE    A cachefs.conf file (see the README's \"Configuration file\"); without\n" +
            "                         DEVICE|IMAGE, the image is the first entry of its dirs.\n" +
            "  -h, --help           Show this help message and exit.\n" +
            "  -V, --version        Print version information and exit.\n" +
            "\n" +
            "Exit status (as e2fsck):\n" +
            "   0  no errors\n" +
            "   1  errors corrected\n" +
            "   2  not used (a repaired cache needs no reboot)\n" +
            "   4  errors left uncorrected\n" +
            "   8  operational error (a repair asked for beside a mounted cache, not formatted, I/O error)\n" +
            "  16  usage or syntax error\n" +
            "  32  cancelled by user request (SIGINT or SIGTERM during the check)\n");
        assertThat(fsck("--version")).isEqualTo(new ToolOutput(0,
            "fsck.cachefs " + ToolOutput.expectedVersion() + "\non-disk format 1.0\n", ""));
        assertThat(cachefs("help", "fsck").out())
            .startsWith("Usage: cachefs fsck [-fhnpvVy] [--check-pages] [--config=FILE] [DEVICE|IMAGE]\n");
    }

    @Test
    void theReadmeAndTheHelpListTheSameExitCodesAsE2fsck() throws IOException
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int section = readme.indexOf("\n### fsck.cachefs\n");
        assertThat(section).as("README.md has the section").isGreaterThanOrEqualTo(0);
        final String text = readme.substring(section, readme.indexOf("\n### ", section + 1));
        final List<Long> documented = text.lines().filter(line -> line.matches("\\| \\d+ \\| .*"))
            .map(line -> Long.parseLong(line.split(" ")[1])).toList();
        final List<Long> helped = fsck("--help").out().lines().filter(line -> line.matches(" +\\d+  .*"))
            .map(line -> Long.parseLong(line.trim().split(" ")[0])).toList();

        assertThat(documented).containsExactly(0L, 1L, 2L, 4L, 8L, 16L, 32L);
        assertThat(helped).isEqualTo(documented);
    }

    @Test
    void bothSlotsDamagedNeedYes() throws IOException
    {
        final Path image = fresh();
        final ImageHeader header = TestImages.header(image);
        assertThat(header.slot()).isEqualTo(0);
        TestImages.flipByte(image, 0);
        TestImages.flipByte(image, 4096);

        assertThat(fsck("-p", image.toString())).isEqualTo(new ToolOutput(4,
            "damaged superblock slot: 2\nno valid superblock slot: 1\n" +
            "cache.img: UNEXPECTED INCONSISTENCY: -p repairs only what drops no cached data; run fsck.cachefs -y\n" +
            "cache.img: 3 errors left uncorrected\n", ""));
        assertThat(fsck("-y", image.toString())).isEqualTo(new ToolOutput(1,
            "damaged superblock slot: 2\nno valid superblock slot: 1\n" +
            "cache.img: rebuilt an empty cache from the backup superblock (all cached data dropped)\n" +
            "cache.img: 3 errors corrected, 0 objects, 0 pages, 5/2560 blocks\n", ""));
        assertThat(fsck(image.toString()).exitCode()).isEqualTo(0);
        assertThat(TestImages.header(image).superblock().label()).isEqualTo("fsck");
    }
}
