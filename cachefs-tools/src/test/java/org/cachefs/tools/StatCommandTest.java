package org.cachefs.tools;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.cachefs.format.Checksums;
import org.cachefs.format.FormatVersion;
import org.cachefs.format.MetadataBlock;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.DirectBlockDevice;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cachefs.tools.ToolOutput.cachefs;

class StatCommandTest
{
    private static final int BLOCK = 4096;

    @TempDir
    Path dir;

    private Path image;
    private long sectorSize;

    @BeforeEach
    void formatFixedImage() throws IOException
    {
        image = TestImages.formatFixed(dir.resolve("cache.img"), 10L << 20, BLOCK, "fixed");
        sectorSize = Files.getFileStore(dir).getBlockSize();
    }

    @Test
    void printsEveryFieldOfAFreshImage()
    {
        final ToolOutput result = cachefs("stat", image.toString());

        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.out()).isEqualTo(
            "Device:               cache.img (image file)\n" +
            "Format version:       1.0\n" +
            "UUID:                 01234567-89ab-cdef-0123-456789abcdef\n" +
            "Label:                fixed\n" +
            "Created:              2023-11-14T22:13:20Z\n" +
            "Block size:           4096\n" +
            "Block count:          2560\n" +
            "Device size:          10485760 bytes (10.0 MiB)\n" +
            "Sector size:          " + sectorSize + "\n" +
            "\n" +
            "Superblock slots:     blocks 0 and 1, backup at block 2559\n" +
            "Bitmap:               2 copies of 1 block, at blocks 2 and 3\n" +
            "Data region:          blocks 4-2558 (2555 blocks, 10.0 MiB)\n" +
            "\n" +
            "Compat features:      0x0\n" +
            "Ro-compat features:   0x0\n" +
            "Incompat features:    0x0\n" +
            "\n" +
            "Commit generation:    2\n" +
            "Commit slot:          0\n" +
            "Committed:            2023-11-14T22:13:20Z\n" +
            "Clean:                yes\n" +
            "Index root:           null\n" +
            "Index height:         0\n" +
            "Objects:              0\n" +
            "Next object id:       1\n" +
            "Pages:                0\n" +
            "Used blocks:          5\n" +
            "Free blocks:          2555\n" +
            "Mount count:          0\n" +
            "\n" +
            "Blocks used:          5 of 2560 (0.2%, 20.0 KiB)\n" +
            "Blocks free:          2555 of 2560 (99.8%, 10.0 MiB)\n" +
            "Bitmap used blocks:   5 in copy 0\n" +
            "\n" +
            "Problems:             none\n");
    }

    @Test
    void jsonHoldsTheSameFields() throws IOException
    {
        final ToolOutput result = cachefs("stat", "--json", image.toString());

        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.out()).startsWith("{\n").endsWith("}\n");
        assertThat(StrictJson.parseObject(result.out())).isEqualTo(map(
            "device", "cache.img",
            "block_device", false,
            "format_version", "1.0",
            "uuid", "01234567-89ab-cdef-0123-456789abcdef",
            "label", "fixed",
            "created", "2023-11-14T22:13:20Z",
            "created_ms", 1_700_000_000_000L,
            "block_size", 4096L,
            "block_count", 2560L,
            "device_size", 10485760L,
            "sector_size", sectorSize,
            "layout", map(
                "superblock_slots", List.of(0L, 1L),
                "backup_block", 2559L,
                "bitmap_blocks", 1L,
                "bitmap_starts", List.of(2L, 3L),
                "data_start", 4L,
                "data_end", 2559L,
                "data_blocks", 2555L),
            "features", map(
                "compat", "0x0",
                "ro_compat", "0x0",
                "incompat", "0x0"),
            "commit", map(
                "generation", 2L,
                "slot", 0L,
                "committed", "2023-11-14T22:13:20Z",
                "committed_ms", 1_700_000_000_000L,
                "clean", true,
                "index_root", null,
                "index_height", 0L,
                "objects", 0L,
                "next_object_id", 1L,
                "pages", 0L,
                "used_blocks", 5L,
                "free_blocks", 2555L,
                "mount_count", 0L),
            "usage", map(
                "used_blocks", 5L,
                "free_blocks", 2555L,
                "used_bytes", 20480L,
                "free_bytes", 10465280L,
                "bitmap_copy", 0L,
                "bitmap_used_blocks", 5L),
            "problems", List.of()));
    }

    @Test
    void largerImagesHaveSeveralBitmapBlocks() throws IOException
    {
        final Path large = TestImages.formatFixed(dir.resolve("large.img"), 300L << 20, BLOCK, "");

        final ToolOutput text = cachefs("stat", large.toString());
        final ToolOutput json = cachefs("stat", "--json", large.toString());

        assertThat(text.exitCode()).isEqualTo(0);
        assertThat(text.out()).contains(
            "Label:                (none)\n",
            "Block count:          76800\n",
            "Superblock slots:     blocks 0 and 1, backup at block 76799\n" +
            "Bitmap:               2 copies of 3 blocks, at blocks 2-4 and 5-7\n" +
            "Data region:          blocks 8-76798 (76791 blocks, 300.0 MiB)\n",
            "Used blocks:          9\n" +
            "Free blocks:          76791\n",
            "Blocks used:          9 of 76800 (0.0%, 36.0 KiB)\n" +
            "Blocks free:          76791 of 76800 (100.0%, 300.0 MiB)\n" +
            "Bitmap used blocks:   9 in copy 0\n");
        final Map<String, Object> stat = StrictJson.parseObject(json.out());
        assertThat(stat.get("label")).isEqualTo("");
        assertThat(stat.get("layout")).isEqualTo(map(
            "superblock_slots", List.of(0L, 1L),
            "backup_block", 76799L,
            "bitmap_blocks", 3L,
            "bitmap_starts", List.of(2L, 5L),
            "data_start", 8L,
            "data_end", 76799L,
            "data_blocks", 76791L));
    }

    @Test
    void labelsAreEscapedInJsonAndShownPrintableInText() throws IOException
    {
        final String label = "a\"b\\c\nd\té";
        final Path odd = TestImages.formatFixed(dir.resolve("odd.img"), 1L << 20, BLOCK, label);

        final ToolOutput json = cachefs("stat", "--json", odd.toString());
        final ToolOutput text = cachefs("stat", odd.toString());

        assertThat(json.out()).contains("  \"label\": \"a\\\"b\\\\c\\nd\\t\\u00e9\",\n");
        assertThat(StrictJson.parseObject(json.out()).get("label")).isEqualTo(label);
        assertThat(text.out()).contains("Label:                a\"b\\c\\x0ad\\x09é\n");
    }

    @Test
    void reportsTheOtherSlotWhenSlot0IsCorrupt() throws IOException
    {
        TestImages.flipByte(image, Superblock.LABEL_OFFSET + 1);
        final String problem = "slot 0: corrupt superblock: device=cache.img block=0 crc expected=" +
            storedCrc(0, Superblock.CRC_OFFSET) + " actual=" + computedCrc(0, Superblock.LENGTH,
            Superblock.CRC_OFFSET, 0);

        final ToolOutput text = cachefs("stat", image.toString());
        final ToolOutput json = cachefs("stat", "--json", image.toString());

        assertThat(text.exitCode()).isEqualTo(0);
        assertThat(text.out()).contains(
            "Commit generation:    1\n" +
            "Commit slot:          1\n",
            "Label:                fixed\n",
            "Bitmap used blocks:   5 in copy 1\n",
            "Problems:\n  " + problem + "\n");
        final Map<String, Object> stat = StrictJson.parseObject(json.out());
        assertThat(stat.get("problems")).isEqualTo(List.of(problem));
        assertThat(((Map<?, ?>)stat.get("commit")).get("slot")).isEqualTo(1L);
        assertThat(((Map<?, ?>)stat.get("commit")).get("generation")).isEqualTo(1L);
        assertThat(((Map<?, ?>)stat.get("usage")).get("bitmap_copy")).isEqualTo(1L);
    }

    @Test
    void reportsACorruptBitmapBlockAsAProblem() throws IOException
    {
        final long bitmapBlock = 2;
        TestImages.flipByte(image, bitmapBlock * BLOCK + 100);
        final String problem = "bitmap copy 0: corrupt bitmap block: device=cache.img block=2 crc expected=" +
            storedCrc(bitmapBlock * BLOCK, MetadataBlock.CRC_OFFSET) + " actual=" +
            computedCrc(bitmapBlock * BLOCK, BLOCK, MetadataBlock.CRC_OFFSET, 0);

        final ToolOutput text = cachefs("stat", image.toString());
        final ToolOutput json = cachefs("stat", "--json", image.toString());

        assertThat(text.exitCode()).isEqualTo(0);
        assertThat(text.out()).contains(
            "Used blocks:          5\n",
            "Bitmap used blocks:   unknown (see problems)\n",
            "Problems:\n  " + problem + "\n");
        final Map<String, Object> stat = StrictJson.parseObject(json.out());
        assertThat(stat.get("problems")).isEqualTo(List.of(problem));
        assertThat(stat.get("usage")).isEqualTo(map(
            "used_blocks", 5L,
            "free_blocks", 2555L,
            "used_bytes", 20480L,
            "free_bytes", 10465280L,
            "bitmap_copy", 0L,
            "bitmap_used_blocks", null));
    }

    @Test
    void bothSlotsCorruptIsAnOperationalError() throws IOException
    {
        TestImages.flipByte(image, Superblock.LABEL_OFFSET + 1);
        TestImages.flipByte(image, BLOCK + Superblock.LABEL_OFFSET + 1);
        final String slot0 = "corrupt superblock: device=cache.img block=0 crc expected=" +
            storedCrc(0, Superblock.CRC_OFFSET) + " actual=" +
            computedCrc(0, Superblock.LENGTH, Superblock.CRC_OFFSET, 0);

        assertThat(cachefs("stat", image.toString())).isEqualTo(new ToolOutput(8, "",
            "cachefs: corrupt superblock: device=cache.img block=0 crc invalid in both slots (" + slot0 +
                "); the backup superblock at block 2559 is intact: fsck.cachefs -y rebuilds from it\n"));
    }

    @Test
    void newerMajorVersionIsAnOperationalError() throws IOException
    {
        TestImages.writeBytes(image, Superblock.MAJOR_OFFSET, (byte)(FormatVersion.MAJOR + 1), (byte)0);
        TestImages.writeBytes(image, BLOCK + Superblock.MAJOR_OFFSET, (byte)(FormatVersion.MAJOR + 1), (byte)0);

        assertThat(cachefs("stat", image.toString())).isEqualTo(new ToolOutput(8, "",
            "cachefs: cache.img: image format " + (FormatVersion.MAJOR + 1) + ".0, this software reads " +
                FormatVersion.MAJOR + ".x\n"));
    }

    @Test
    void zeroedFileIsNotFormatted() throws IOException
    {
        final Path zeros = TestImages.zeros(Files.createDirectory(dir.resolve("zero")).resolve("cache.img"), 1L << 20);

        assertThat(cachefs("stat", zeros.toString())).isEqualTo(new ToolOutput(8, "",
            "cachefs: cache.img is not formatted: block 0 is all zeros\n"));
        assertThat(cachefs("stat", "--json", zeros.toString())).isEqualTo(new ToolOutput(8, "",
            "cachefs: cache.img is not formatted: block 0 is all zeros\n"));
    }

    @Test
    void ext4IsAForeignFilesystem() throws IOException
    {
        final Path ext4 = TestImages.ext4(dir.resolve("ext4.img"));

        assertThat(cachefs("stat", ext4.toString())).isEqualTo(new ToolOutput(8, "",
            "cachefs: ext4.img contains an ext4 filesystem\n"));
    }

    @Test
    void missingFileIsAnOperationalError()
    {
        final Path missing = dir.resolve("missing.img");

        assertThat(cachefs("stat", missing.toString())).isEqualTo(new ToolOutput(8, "",
            "cachefs: " + missing + ": no such file or directory\n"));
    }

    @Test
    void directoryIsAnOperationalError()
    {
        assertThat(cachefs("stat", dir.toString())).isEqualTo(new ToolOutput(8, "",
            "cachefs: " + dir + " is neither a regular file nor a block device\n"));
    }

    @Test
    void worksBesideAWriterThatOwnsTheDevice() throws IOException
    {
        final ToolOutput result;
        try (DirectBlockDevice owner = DirectBlockDevice.open(image))
        {
            result = cachefs("stat", image.toString());
        }

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.out()).startsWith("Device:               cache.img (image file)\n");
    }

    @Test
    void doesNotWriteToTheImage() throws IOException
    {
        final byte[] before = TestImages.content(image);
        final long modified = Files.getLastModifiedTime(image).toMillis();

        cachefs("stat", image.toString());
        cachefs("stat", "--json", image.toString());

        assertThat(TestImages.content(image)).isEqualTo(before);
        assertThat(Files.getLastModifiedTime(image).toMillis()).isEqualTo(modified);
    }

    @Test
    void usageErrors()
    {
        final String tryHelp = "Try 'cachefs stat --help' for more information.\n";
        assertThat(cachefs("stat")).isEqualTo(new ToolOutput(1, "",
            "cachefs: missing required parameter: 'DEVICE|IMAGE'\n" + tryHelp));
        assertThat(cachefs("stat", "--bogus", image.toString())).isEqualTo(new ToolOutput(1, "",
            "cachefs: unknown option: '--bogus'\n" + tryHelp));
        assertThat(cachefs("stat", image.toString(), "other.img")).isEqualTo(new ToolOutput(1, "",
            "cachefs: extra operand 'other.img'\n" + tryHelp));
    }

    @Test
    void helpDescribesTheCommand()
    {
        final ToolOutput result = cachefs("stat", "--help");

        assertThat(result.exitCode()).isEqualTo(0);
        assertThat(result.err()).isEmpty();
        assertThat(result.out()).startsWith("Usage: cachefs stat [-hV] [--json] [--config=FILE] [DEVICE|IMAGE]\n");
        assertThat(result.out()).contains("      --json           Print one JSON object instead of text.\n",
            "      --config=FILE    A cachefs.conf file (see the README's \"Configuration file\"); without\n" +
            "                         DEVICE|IMAGE, the image is the first entry of its dirs.\n");
        assertThat(cachefs("help", "stat")).isEqualTo(result);
    }

    private String storedCrc(final long blockStart, final int crcOffset) throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(TestImages.readBytes(image, blockStart + crcOffset, 4))
            .order(FormatVersion.ORDER);
        return Checksums.hex(bytes.getInt(0));
    }

    private String computedCrc(final long blockStart, final int length, final int crcOffset, final long owner)
        throws IOException
    {
        final ByteBuffer bytes = ByteBuffer.wrap(TestImages.readBytes(image, blockStart, length))
            .order(FormatVersion.ORDER);
        return Checksums.hex(new Checksums().metadata(bytes, 0, length, crcOffset, blockStart / BLOCK, owner));
    }

    /**
     * @return a map of the given keys and values, in order (values may be null).
     */
    static Map<String, Object> map(final Object... keysAndValues)
    {
        final Map<String, Object> map = new LinkedHashMap<>();
        for (int i = 0; i < keysAndValues.length; i += 2)
        {
            map.put((String)keysAndValues[i], keysAndValues[i + 1]);
        }
        return Collections.unmodifiableMap(map);
    }
}
