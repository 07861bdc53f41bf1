package org.cachefs.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

import org.cachefs.format.ImageHeader;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.DirectBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cachefs.tools.ToolOutput.mkfs;

class MkfsCommandTest
{
    private static final String TRY_HELP = "Try 'mkfs.cachefs --help' for more information.\n";

    @TempDir
    Path dir;

    @Test
    void createsAnImageOfTheGivenSizeAndPrintsTheSummary() throws IOException
    {
        final Path image = dir.resolve("cache.img");

        final ToolOutput result = mkfs("-s", "10M", "-L", "fixed", image.toString());

        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(Files.size(image)).isEqualTo(10L << 20);
        final ImageHeader header = TestImages.header(image);
        assertThat(header.layout().blockSize()).isEqualTo(4096);
        assertThat(header.layout().blockCount()).isEqualTo(2560);
        assertThat(header.superblock().label()).isEqualTo("fixed");
        assertThat(header.commit().generation()).isEqualTo(2);
        assertThat(result.out()).isEqualTo(
            "Formatted cache.img as cachefs 1.0\n" +
            "  size:        10485760 bytes (10.0 MiB)\n" +
            "  block size:  4096\n" +
            "  blocks:      2560\n" +
            "  superblocks: 0, 1 (backup at 2559)\n" +
            "  bitmap:      2 copies of 1 blocks at 2 and 3\n" +
            "  data:        blocks 4-2558 (2555 blocks, 10.0 MiB; index tree and pages)\n" +
            "  discard:     discarded 9.9 MiB (punched holes)\n" +
            "  uuid:        " + header.superblock().uuid() + "\n" +
            "  label:       fixed\n" +
            "  created:     " + Instant.ofEpochMilli(header.superblock().createdMillis()) + "\n");
    }

    @ParameterizedTest(name = "-s {0}")
    @CsvSource({
        "282624, 282624, 69",
        "512K, 524288, 128",
        "512k, 524288, 128",
        "3M, 3145728, 768",
        "10m, 10485760, 2560",
        "1G, 1073741824, 262144",
        "1MiB, 1048576, 256",
        "1000000, 1000000, 244" })
    void sizeSuffixesGiveTheExactFileSizeAndBlockCount(final String size, final long bytes, final long blocks)
        throws IOException
    {
        final Path image = dir.resolve("cache.img");

        final ToolOutput result = mkfs("-q", "-s", size, image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(Files.size(image)).isEqualTo(bytes);
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(blocks);
    }

    @ParameterizedTest(name = "-b {0}")
    @CsvSource({
        "4096, 4096",
        "4k, 4096",
        "8K, 8192",
        "16384, 16384",
        "64K, 65536",
        "65536, 65536" })
    void blockSizeTakesANumberOrAKSuffix(final String blockSize, final int bytes) throws IOException
    {
        final Path image = dir.resolve("cache.img");

        final ToolOutput result = mkfs("-q", "-b", blockSize, "-s", "16M", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        final ImageHeader header = TestImages.header(image);
        assertThat(header.layout().blockSize()).isEqualTo(bytes);
        assertThat(header.layout().blockCount()).isEqualTo((16L << 20) / bytes);
    }

    @Test
    void blockSizeAppearsInTheSummary() throws IOException
    {
        final Path image = dir.resolve("big-blocks.img");

        final ToolOutput result = mkfs("-b", "64K", "-s", "1G", image.toString());

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.out()).contains(
            "  size:        1073741824 bytes (1.0 GiB)\n" +
            "  block size:  65536\n" +
            "  blocks:      16384\n" +
            "  superblocks: 0, 1 (backup at 16383)\n");
        assertThat(result.out()).contains("  label:       (none)\n");
    }

    @Test
    void longOptionNamesWorkToo() throws IOException
    {
        final Path image = dir.resolve("cache.img");

        final ToolOutput result = mkfs("--quiet", "--block-size", "8k", "--size", "4M", "--label", "long", "--force",
            image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        final ImageHeader header = TestImages.header(image);
        assertThat(header.layout().blockSize()).isEqualTo(8192);
        assertThat(header.layout().blockCount()).isEqualTo(512);
        assertThat(header.superblock().label()).isEqualTo("long");
    }

    @Test
    void quietPrintsNothing() throws IOException
    {
        final Path image = dir.resolve("cache.img");

        final ToolOutput result = mkfs("-q", "-s", "1M", "-L", "quiet", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(TestImages.header(image).superblock().label()).isEqualTo("quiet");
    }

    @Test
    void labelOfExactly32BytesIsAccepted() throws IOException
    {
        final Path image = dir.resolve("cache.img");
        final String label = "é".repeat(16);

        final ToolOutput result = mkfs("-q", "-s", "1M", "-L", label, image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(TestImages.header(image).superblock().label()).isEqualTo(label);
    }

    @Test
    void usesTheWholeExistingFileWithoutSize() throws IOException
    {
        final Path image = TestImages.zeros(dir.resolve("cache.img"), 5L << 20);

        final ToolOutput result = mkfs("-q", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(Files.size(image)).isEqualTo(5L << 20);
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(1280);
    }

    @Test
    void growsAnExistingFileToTheGivenSize() throws IOException
    {
        final Path image = TestImages.zeros(dir.resolve("cache.img"), 1L << 20);

        final ToolOutput result = mkfs("-q", "-s", "2M", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(Files.size(image)).isEqualTo(2L << 20);
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(512);
    }

    @Test
    void refusesToOverwriteACachefsImageWithoutForce() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 1L << 20, 4096, "first");
        final byte[] before = TestImages.content(image);

        final ToolOutput result = mkfs("-s", "1M", "-L", "second", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: cache.img already contains a cachefs image (uuid " + TestImages.FIXED_UUID +
                ", label 'first'); use -f to overwrite it\n"));
        assertThat(TestImages.content(image)).isEqualTo(before);
    }

    @Test
    void refusesToOverwriteAnUnlabelledCachefsImageWithoutForce() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 1L << 20, 4096, "");

        final ToolOutput result = mkfs(image.toString());

        assertThat(result).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: cache.img already contains a cachefs image (uuid " + TestImages.FIXED_UUID +
                "); use -f to overwrite it\n"));
    }

    @Test
    void forceOverwritesACachefsImage() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 1L << 20, 4096, "first");

        final ToolOutput result = mkfs("-q", "-f", "-L", "second", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        final ImageHeader header = TestImages.header(image);
        assertThat(header.superblock().label()).isEqualTo("second");
        assertThat(header.superblock().uuid()).isNotEqualTo(TestImages.FIXED_UUID);
    }

    @Test
    void refusesToOverwriteAnExt4FilesystemWithoutForce() throws IOException
    {
        final Path image = TestImages.ext4(dir.resolve("ext4.img"));
        final byte[] before = TestImages.content(image);

        final ToolOutput result = mkfs(image.toString());

        assertThat(result).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: ext4.img contains an ext4 filesystem (use -f to overwrite it)\n"));
        assertThat(TestImages.content(image)).isEqualTo(before);
    }

    @Test
    void forceOverwritesAnExt4Filesystem() throws IOException
    {
        final Path image = TestImages.ext4(dir.resolve("ext4.img"));

        final ToolOutput result = mkfs("-q", "-f", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(256);
        assertThat(TestImages.readBytes(image, 1080, 2)).containsExactly(0, 0);
    }

    @Test
    void refusesADeviceInUse() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 1L << 20, 4096, "busy");

        final ToolOutput result;
        try (DirectBlockDevice owner = DirectBlockDevice.open(image))
        {
            result = mkfs("-q", "-f", image.toString());
        }

        assertThat(result).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: cache.img is in use by another cachefs instance\n"));
        assertThat(TestImages.header(image).superblock().uuid()).isEqualTo(TestImages.FIXED_UUID);
    }

    @Test
    void missingOperandIsAUsageError()
    {
        assertThat(mkfs()).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: missing required parameter: 'DEVICE|IMAGE'\n" + TRY_HELP));
        assertThat(mkfs("-s", "1M")).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: missing required parameter: 'DEVICE|IMAGE'\n" + TRY_HELP));
    }

    @Test
    void unknownOptionIsAUsageError()
    {
        final Path image = dir.resolve("cache.img");

        assertThat(mkfs("-x", "-s", "1M", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: unknown option: '-x'\n" + TRY_HELP));
        assertThat(mkfs("-x")).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: unknown option: '-x'\n" + TRY_HELP));
        assertThat(mkfs("--bogus", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: unknown option: '--bogus'\n" + TRY_HELP));
        assertThat(image).doesNotExist();
    }

    @Test
    void extraOperandIsAUsageError()
    {
        assertThat(mkfs("-s", "1M", dir.resolve("a.img").toString(), "b.img")).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: extra operand 'b.img'\n" + TRY_HELP));
        assertThat(dir.resolve("a.img")).doesNotExist();
    }

    @Test
    void optionWithoutItsValueIsAUsageError()
    {
        assertThat(mkfs("-s")).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: missing required parameter for option '--size' (SIZE)\n" + TRY_HELP));
    }

    @Test
    void badSizeIsAUsageError()
    {
        final Path image = dir.resolve("cache.img");

        assertThat(mkfs("-s", "12Q", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: invalid size '12Q': expected a number with an optional K, M, G, T or P suffix\n" +
                TRY_HELP));
        assertThat(mkfs("-s", "0", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: invalid size '0': must be positive\n" + TRY_HELP));
        assertThat(mkfs("-s", "-5M", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: invalid size '-5M': must be positive\n" + TRY_HELP));
        assertThat(image).doesNotExist();
    }

    @Test
    void badBlockSizeIsAUsageError()
    {
        final Path image = dir.resolve("cache.img");

        assertThat(mkfs("-b", "3000", "-s", "1M", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: invalid block size 3000: must be a power of two from 4096 to 65536\n" + TRY_HELP));
        assertThat(mkfs("-b", "2048", "-s", "1M", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: invalid block size 2048: must be a power of two from 4096 to 65536\n" + TRY_HELP));
        assertThat(mkfs("-b", "128K", "-s", "1M", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: invalid block size 131072: must be a power of two from 4096 to 65536\n" + TRY_HELP));
        assertThat(mkfs("-b", "8G", "-s", "1M", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: invalid block size '8G': must be a power of two from 4096 to 65536\n" + TRY_HELP));
        assertThat(mkfs("-b", "big", "-s", "1M", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: invalid block size 'big': expected a number of bytes, optionally with a K suffix " +
                "(4096, 4k, 64K)\n" + TRY_HELP));
        assertThat(image).doesNotExist();
    }

    @Test
    void labelLongerThan32BytesIsAUsageError()
    {
        final Path image = dir.resolve("cache.img");

        assertThat(mkfs("-s", "1M", "-L", "x".repeat(33), image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: label too long: 33 bytes in UTF-8, at most 32\n" + TRY_HELP));
        assertThat(mkfs("-s", "1M", "-L", "é".repeat(17), image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: label too long: 34 bytes in UTF-8, at most 32\n" + TRY_HELP));
        assertThat(image).doesNotExist();
    }

    @Test
    void missingImageWithoutSizeIsAUsageError()
    {
        final Path image = dir.resolve("missing.img");

        assertThat(mkfs(image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: missing.img does not exist: give a size (-s SIZE) to create it\n" + TRY_HELP));
        assertThat(image).doesNotExist();
    }

    @Test
    void refusesToShrinkAnImage() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 10L << 20, 4096, "keep");
        final byte[] before = TestImages.content(image);

        final ToolOutput result = mkfs("-f", "-s", "1M", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: cache.img is already 10485760 bytes: -s 1048576 would shrink it (delete it first)\n"));
        assertThat(TestImages.content(image)).isEqualTo(before);
    }

    @Test
    void refusesASizeTooSmallAndCreatesNothing()
    {
        final Path image = dir.resolve("tiny.img");

        final ToolOutput result = mkfs("-s", "64K", image.toString());

        assertThat(result).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: device too small: 16 blocks of 4096 bytes, cachefs needs at least 69 blocks " +
                "(282624 bytes)\n"));
        assertThat(image).doesNotExist();
    }

    @Test
    void refusesAnExistingFileTooSmallAndLeavesIt() throws IOException
    {
        final Path image = TestImages.zeros(dir.resolve("tiny.img"), 64 << 10);

        final ToolOutput result = mkfs(image.toString());

        assertThat(result).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: device too small: 16 blocks of 4096 bytes, cachefs needs at least 69 blocks " +
                "(282624 bytes)\n"));
        assertThat(Files.size(image)).isEqualTo(64 << 10);
        assertThat(TestImages.content(image)).containsOnly(0);
    }

    @Test
    void refusesADirectory() throws IOException
    {
        final Path target = Files.createDirectory(dir.resolve("a-directory"));

        assertThat(mkfs(target.toString())).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: a-directory is neither a regular file nor a block device\n"));
    }

    @Test
    void reportsAMissingParentDirectory()
    {
        final Path image = dir.resolve("no-such-dir").resolve("cache.img");

        assertThat(mkfs("-s", "1M", image.toString())).isEqualTo(new ToolOutput(8, "",
            "mkfs.cachefs: " + image.getParent() + ": no such file or directory\n"));
    }

    @Test
    void helpListsEveryOption()
    {
        final ToolOutput result = mkfs("-h");

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).startsWith(
            "Usage: mkfs.cachefs [-fhKqV] [-b BLOCKSIZE] [--config FILE] [-L LABEL] [-s SIZE] [-E OPTIONS]...\n" +
            "                    [DEVICE|IMAGE]\n\n" +
            "Formats a block device or image file as an empty cachefs cache.\n");
        assertThat(result.out()).contains(
            "  -b, --block-size BLOCKSIZE\n",
            "  -L, --label LABEL ",
            "  -s, --size SIZE ",
            "  -f, --force ",
            "  -E, --extended-options OPTIONS\n",
            "  -K, --keep ",
            "  -q, --quiet ",
            "      --config FILE    A cachefs.conf file (see the README's \"Configuration file\"); without\n" +
            "                         DEVICE|IMAGE, the image is the first entry of its dirs; without -s, a\n" +
            "                         missing image file is created at its size.\n",
            "  -h, --help ",
            "  -V, --version ",
            "Exit status: 0 formatted, 1 usage error (nothing written), 8 operational error.\n");
        assertThat(mkfs("--help")).isEqualTo(result);
    }

    // ------------------------------------------------------------------------------------------------ discard

    /**
     * 10 MiB of 4 KiB blocks: the discard covers blocks 17 (past the zeroed first 68 KiB) to 2558, up to the backup
     * superblock at 2559; the data region is blocks 4 to 2558.
     */
    private static final int DISCARD_FROM = 17 * 4096;
    private static final int DATA_FROM = 4 * 4096;
    private static final int BACKUP_AT = 2559 * 4096;

    private Path oldImage() throws IOException
    {
        return TestImages.oldBytes(dir.resolve("cache.img"), 10L << 20);
    }

    private static String discardLine(final String out)
    {
        return out.lines().filter(line -> line.startsWith("  discard:")).findFirst().orElse("(no discard line)");
    }

    @Test
    void discardsTheOldBytesByDefaultAndSaysSo() throws IOException
    {
        final Path image = oldImage();

        final ToolOutput result = mkfs("-f", image.toString());

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.err()).isEmpty();
        assertThat(discardLine(result.out())).isEqualTo("  discard:     discarded 9.9 MiB (punched holes)");
        final byte[] content = TestImages.content(image);
        assertThat(TestImages.zeroAndOldBytes(content, DATA_FROM, BACKUP_AT))
            .as("zero and old bytes of the data region").containsExactly(BACKUP_AT - DATA_FROM, 0);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "-E nodiscard",
        "--extended-options nodiscard",
        "-K",
        "--keep",
        "-K -E nodiscard",
        "-E discard,nodiscard",
        "-E discard -E nodiscard" })
    void nodiscardKeepsTheOldBytesAndSaysSo(final String options) throws IOException
    {
        final Path image = oldImage();
        final List<String> args = new ArrayList<>(List.of(options.split(" ")));
        args.addAll(List.of("-f", image.toString()));

        final ToolOutput result = mkfs(args.toArray(String[]::new));

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.err()).isEmpty();
        assertThat(discardLine(result.out()))
            .isEqualTo("  discard:     skipped (-E nodiscard): 9.9 MiB keep their old contents");
        final byte[] content = TestImages.content(image);
        assertThat(TestImages.zeroAndOldBytes(content, DISCARD_FROM, BACKUP_AT))
            .as("zero and old bytes past the zeroed start").containsExactly(0, BACKUP_AT - DISCARD_FROM);
        assertThat(TestImages.header(image).layout().blockCount()).isEqualTo(2560);
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "-E discard",
        "-E nodiscard,discard",
        "-E nodiscard -E discard",
        "--extended-options discard" })
    void theLastExtendedOptionWins(final String options) throws IOException
    {
        final Path image = oldImage();
        final List<String> args = new ArrayList<>(List.of(options.split(" ")));
        args.addAll(List.of("-f", image.toString()));

        final ToolOutput result = mkfs(args.toArray(String[]::new));

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(discardLine(result.out())).isEqualTo("  discard:     discarded 9.9 MiB (punched holes)");
        assertThat(TestImages.zeroAndOldBytes(TestImages.content(image), DATA_FROM, BACKUP_AT))
            .containsExactly(BACKUP_AT - DATA_FROM, 0);
    }

    @Test
    void quietSaysNothingAboutTheDiscard() throws IOException
    {
        final Path image = oldImage();

        assertThat(mkfs("-q", "-f", image.toString())).isEqualTo(new ToolOutput(0, "", ""));
        assertThat(mkfs("-q", "-f", "-E", "nodiscard", image.toString())).isEqualTo(new ToolOutput(0, "", ""));
    }

    @ParameterizedTest(name = "-E \"{0}\"")
    @CsvSource(delimiter = '|', value = {
        "foo|foo",
        "discard,foo|foo",
        "nodiscard,|''",
        "''|''",
        "Discard|Discard",
        "discard nodiscard|discard nodiscard",
        "stride=4|stride=4" })
    void badExtendedOptionIsAUsageErrorAndWritesNothing(final String value, final String bad) throws IOException
    {
        final Path image = oldImage();
        final byte[] before = TestImages.content(image);
        final String expected = "mkfs.cachefs: invalid extended option '" + bad + "': expected discard or " +
            "nodiscard\n" + TRY_HELP;

        assertThat(mkfs("-f", "-E", value, image.toString())).isEqualTo(new ToolOutput(1, "", expected));
        assertThat(TestImages.content(image)).isEqualTo(before);

        final Path missing = dir.resolve("new.img");
        assertThat(mkfs("-s", "1M", "-E", value, missing.toString())).isEqualTo(new ToolOutput(1, "", expected));
        assertThat(missing).doesNotExist();
    }

    @Test
    void keepAndDiscardTogetherIsAUsageError() throws IOException
    {
        final Path image = oldImage();
        final byte[] before = TestImages.content(image);

        assertThat(mkfs("-f", "-K", "-E", "discard", image.toString())).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: -K keeps the old contents and -E discard discards them: give one of them\n" + TRY_HELP));
        assertThat(TestImages.content(image)).isEqualTo(before);
    }

    @Test
    void extendedOptionWithoutItsValueIsAUsageError()
    {
        assertThat(mkfs("-E")).isEqualTo(new ToolOutput(1, "",
            "mkfs.cachefs: missing required parameter for option '--extended-options' (OPTIONS)\n" + TRY_HELP));
    }

    @Test
    void versionNamesTheSoftwareAndTheFormat()
    {
        final ToolOutput expected = new ToolOutput(0,
            "mkfs.cachefs " + ToolOutput.expectedVersion() + "\non-disk format 1.0\n", "");

        assertThat(mkfs("-V")).isEqualTo(expected);
        assertThat(mkfs("--version")).isEqualTo(expected);
    }

    @Test
    void helpWinsOverOtherErrors()
    {
        assertThat(mkfs("-h", "-s", "12Q", "-b", "3000")).isEqualTo(mkfs("-h"));
        assertThat(mkfs("-h").exitCode()).isEqualTo(0);
    }

    @Test
    void labelIsStoredAsUtf8() throws IOException
    {
        final Path image = dir.resolve("cache.img");

        assertThat(mkfs("-q", "-s", "1M", "-L", "caché", image.toString()).exitCode()).isEqualTo(0);

        final byte[] label = TestImages.readBytes(image, Superblock.LABEL_OFFSET, 7);
        assertThat(new String(label, StandardCharsets.UTF_8)).isEqualTo("caché\0");
    }
}
