package org.cachefs.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.cachefs.format.device.DirectBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.Fixtures.CREATED;
import static org.cachefs.format.Fixtures.DEVICE;
import static org.cachefs.format.Fixtures.MIB;
import static org.cachefs.format.Fixtures.UUID_A;
import static org.cachefs.format.Fixtures.UUID_B;
import static org.cachefs.format.Fixtures.flipStoredBit;
import static org.cachefs.format.Fixtures.foreignImage;
import static org.cachefs.format.Fixtures.mkfs;
import static org.cachefs.format.Fixtures.options;
import static org.cachefs.format.Fixtures.readRaw;
import static org.cachefs.format.Fixtures.writeRaw;
import static org.cachefs.format.Fixtures.zeroFile;

class MkfsTest
{
    private static final String NL = System.lineSeparator();

    @TempDir
    Path dir;

    private Path image()
    {
        return dir.resolve("cache.img");
    }

    private static ImageHeader read(final Path image) throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            return ImageHeader.read(device);
        }
    }

    @Test
    void createsAnImageOfTheGivenSize() throws IOException
    {
        final MkfsResult result = mkfs(image(), 16 * MIB, 4096);
        assertThat(Files.size(image())).isEqualTo(16 * MIB);
        assertThat(result.device()).isEqualTo("cache.img");
        assertThat(result.uuid()).isEqualTo(UUID_A);
        assertThat(result.label()).isEqualTo("test");
        assertThat(result.createdMillis()).isEqualTo(CREATED);
        assertThat(result.layout().toString()).isEqualTo(
            "RegionLayout{blockSize=4096, blockCount=4096, bitmapBlocks=1, dataStart=4, dataEnd=4095}");
        final ImageHeader header = read(image());
        assertThat(header.slot()).isEqualTo(0);
        assertThat(header.commit().generation()).isEqualTo(2);
        assertThat(header.superblock().label()).isEqualTo("test");
        assertThat(header.superblock().uuid()).isEqualTo(UUID_A);
        assertThat(header.problems()).isEmpty();
    }

    @Test
    void usesWholeBlocksOfASizeThatIsNotAMultiple() throws IOException
    {
        final MkfsResult result = mkfs(image(), 1_000_000, 4096);
        assertThat(Files.size(image())).isEqualTo(1_000_000);
        assertThat(result.layout().blockCount()).isEqualTo(244);
        assertThat(result.layout().backupBlock()).isEqualTo(243);
        assertThat(read(image()).layout().blockCount()).isEqualTo(244);
    }

    @Test
    void growsAnExistingImage() throws IOException
    {
        zeroFile(image(), 8 * MIB);
        final MkfsResult result = mkfs(image(), 16 * MIB, 4096);
        assertThat(Files.size(image())).isEqualTo(16 * MIB);
        assertThat(result.layout().blockCount()).isEqualTo(4096);
        assertThat(read(image()).layout().blockCount()).isEqualTo(4096);
    }

    @Test
    void keepsTheSizeOfAnExistingImage() throws IOException
    {
        zeroFile(image(), 8 * MIB);
        assertThat(Mkfs.format(image(), options(-1, 4096), null).layout().blockCount()).isEqualTo(2048);
        assertThat(Files.size(image())).isEqualTo(8 * MIB);
        assertThat(Mkfs.format(image(), options(8 * MIB, 4096).withForce(true), null).layout().blockCount())
            .isEqualTo(2048);
        assertThat(Files.size(image())).isEqualTo(8 * MIB);
    }

    @Test
    void refusesToShrink() throws IOException
    {
        zeroFile(image(), 16 * MIB);
        assertThatThrownBy(() -> mkfs(image(), 8 * MIB, 4096)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("cache.img is already 16777216 bytes: -s 8388608 would shrink it (delete it first)");
        assertThat(Files.size(image())).isEqualTo(16 * MIB);
        assertThat(Fixtures.isZero(readRaw(image(), 0, 4096))).isTrue();
    }

    @Test
    void refusesAMissingImageWithoutSize()
    {
        assertThatThrownBy(() -> Mkfs.format(image(), options(-1, 4096), null))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("cache.img does not exist: give a size (-s SIZE) to create it");
        assertThat(Files.exists(image())).isFalse();
    }

    @Test
    void refusesAMissingDirectoryAndADirectory() throws IOException
    {
        final Path nested = dir.resolve("nodir").resolve("cache.img");
        assertThatThrownBy(() -> mkfs(nested, 16 * MIB, 4096)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("cannot create " + nested + ": " + nested.getParent() + " is not a directory");
        final Path directory = Files.createDirectory(dir.resolve("cachedir"));
        assertThatThrownBy(() -> mkfs(directory, 16 * MIB, 4096)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("cachedir is neither a regular file nor a block device");
    }

    @Test
    void refusesAnExistingCachefsImageWithoutForce() throws IOException
    {
        Mkfs.format(image(), options(16 * MIB, 4096).withLabel("x"), null);
        final ByteBuffer before = readRaw(image(), 0, 8192);
        assertThatThrownBy(() -> Mkfs.format(image(), options(-1, 4096).withUuid(UUID_B), null))
            .isExactlyInstanceOf(CacheFsException.class)
            .hasMessage("cache.img already contains a cachefs image (uuid 01234567-89ab-cdef-0123-456789abcdef, " +
                "label 'x'); use -f to overwrite it");
        assertThat(readRaw(image(), 0, 8192)).isEqualTo(before);

        Mkfs.format(image(), options(-1, 4096).withLabel("").withForce(true), null);
        assertThatThrownBy(() -> Mkfs.format(image(), options(-1, 4096), null))
            .isExactlyInstanceOf(CacheFsException.class)
            .hasMessage("cache.img already contains a cachefs image (uuid 01234567-89ab-cdef-0123-456789abcdef); " +
                "use -f to overwrite it");
    }

    @Test
    void refusesAForeignFilesystemWithoutForce() throws IOException
    {
        foreignImage(image(), "ext4");
        final ByteBuffer before = readRaw(image(), 0, ForeignSignatures.PROBE_LENGTH);
        assertThatThrownBy(() -> Mkfs.format(image(), options(-1, 4096), null))
            .isExactlyInstanceOf(ForeignFilesystemException.class)
            .hasMessage("cache.img contains an ext4 filesystem (use -f to overwrite it)");
        assertThat(readRaw(image(), 0, ForeignSignatures.PROBE_LENGTH)).isEqualTo(before);
    }

    @Test
    void refusesAnUnreadableCachefsImageWithoutForce() throws IOException
    {
        mkfs(image(), 16 * MIB, 4096);
        final int crc0 = new Superblock().wrap(readRaw(image(), 0, 4096)).crc();
        flipStoredBit(image(), Superblock.CRC_OFFSET, 0);
        flipStoredBit(image(), 4096 + Superblock.CRC_OFFSET, 0);
        assertThatThrownBy(() -> Mkfs.format(image(), options(-1, 4096), null))
            .isExactlyInstanceOf(CacheFsException.class)
            .hasMessage("cache.img contains a cachefs image that cannot be read (corrupt superblock: " +
                "device=cache.img block=0 crc invalid in both slots (corrupt superblock: device=cache.img block=0 " +
                "crc expected=" + Fixtures.hex32(crc0 ^ 1) + " actual=" + Fixtures.hex32(crc0) + "); the backup " +
                "superblock at block 4095 is intact: fsck.cachefs -y rebuilds from it); use -f to overwrite it");
    }

    @Test
    void refusesANewerImageWithoutForce() throws IOException
    {
        mkfs(image(), 16 * MIB, 4096);
        Fixtures.editSlot(image(), 4096, 0, (sb, commit, raw) -> raw.putShort(Superblock.MAJOR_OFFSET, (short)2));
        Fixtures.editSlot(image(), 4096, 1, (sb, commit, raw) -> raw.putShort(Superblock.MAJOR_OFFSET, (short)2));
        assertThatThrownBy(() -> Mkfs.format(image(), options(-1, 4096), null))
            .isExactlyInstanceOf(CacheFsException.class)
            .hasMessage("cache.img contains a cachefs image that cannot be read (cache.img: image format 2.0, this " +
                "software reads 1.x); use -f to overwrite it");
    }

    @Test
    void aRefusalDoesNotGrowTheImage() throws IOException
    {
        mkfs(image(), 16 * MIB, 4096);
        assertThatThrownBy(() -> Mkfs.format(image(), options(32 * MIB, 4096), null))
            .isExactlyInstanceOf(CacheFsException.class)
            .hasMessageStartingWith("cache.img already contains a cachefs image (uuid ");
        assertThat(Files.size(image())).isEqualTo(16 * MIB);
    }

    @Test
    void forceOverwritesACachefsImage() throws IOException
    {
        mkfs(image(), 16 * MIB, 4096);
        Mkfs.format(image(), options(-1, 8192).withUuid(UUID_B).withLabel("y").withForce(true), null);
        final ImageHeader header = read(image());
        assertThat(header.superblock().uuid()).isEqualTo(UUID_B);
        assertThat(header.superblock().label()).isEqualTo("y");
        assertThat(header.layout().blockSize()).isEqualTo(8192);
        assertThat(header.commit().generation()).isEqualTo(2);
    }

    @Test
    void forceOverwritesAForeignFilesystem() throws IOException
    {
        foreignImage(image(), "ext4");
        Mkfs.format(image(), options(-1, 4096).withForce(true), null);
        assertThat(read(image()).superblock().uuid()).isEqualTo(UUID_A);
        assertThat(readRaw(image(), 1024 + 0x38, 2)).isEqualTo(ByteBuffer.allocate(2));
    }

    /**
     * The btrfs magic sits at 64 KiB + 64, past the first 64 KiB that blocks of 8, 16 and 32 KiB cover in whole
     * blocks: mkfs must wipe it all the same, or a cache whose block 0 is later damaged reads as btrfs. (With 32 KiB
     * blocks a bitmap block lands there; with 8 and 16 KiB blocks it is a data block mkfs never writes.)
     */
    @ParameterizedTest
    @ValueSource(ints = { 4096, 8192, 16384, 32768, 65536 })
    void forceWipesEverySignatureAtEveryBlockSize(final int blockSize) throws IOException
    {
        foreignImage(image(), "btrfs", 8 * MIB);
        Mkfs.format(image(), options(-1, blockSize).withForce(true), null);
        final ByteBuffer probe = readRaw(image(), 0, ForeignSignatures.PROBE_LENGTH);
        assertThat(ForeignSignatures.detect(probe)).isNull();

        writeRaw(image(), 0, new byte[4096]);
        final ImageHeader header = read(image());
        assertThat(header.slot()).isEqualTo(1);
        assertThat(header.layout().blockSize()).isEqualTo(blockSize);
    }

    @Test
    void refusesADeviceTooSmall() throws IOException
    {
        assertThatThrownBy(() -> mkfs(image(), 100 * 1024, 4096)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("device too small: 25 blocks of 4096 bytes, cachefs needs at least 69 blocks (282624 bytes)");
        assertThatThrownBy(() -> Mkfs.format(dir.resolve("big.img"), options(4 * MIB, 65536), null))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("device too small: 64 blocks of 65536 bytes, cachefs needs at least 69 blocks (4521984 bytes)");
        final MkfsResult smallest = Mkfs.format(dir.resolve("small.img"), options(69 * 4096, 4096), null);
        assertThat(smallest.layout().dataBlocks()).isEqualTo(64);
        assertThat(read(dir.resolve("small.img")).layout().blockCount()).isEqualTo(69);
    }

    @Test
    void refusesABlockSizeTheDeviceCannotTake() throws IOException
    {
        final MemoryBlockDevice device = new MemoryBlockDevice("sdz", 4 * MIB, 8192);
        assertThatThrownBy(() -> Mkfs.format(device, options(-1, 4096), null))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid block size 4096: not a multiple of the device's logical sector size 8192");
        assertThat(Fixtures.isZero(device.bytes())).isTrue();
    }

    @Test
    void recordsTheDevicesSectorSizeAndFlushesBetweenSteps() throws IOException
    {
        final MemoryBlockDevice device = new MemoryBlockDevice("sdz", 4 * MIB, 512);
        final MkfsResult result = Mkfs.format(device, options(-1, 8192), null);
        assertThat(result.device()).isEqualTo("sdz");
        assertThat(result.layout().blockCount()).isEqualTo(512);
        final ImageHeader header = ImageHeader.read(device);
        assertThat(header.superblock().sectorSize()).isEqualTo(512);
        assertThat(header.layout().blockSize()).isEqualTo(8192);
        // wipe, discard, bitmaps, backup and slot 1, then slot 0 last
        assertThat(device.flushes()).isEqualTo(5);
    }

    @Test
    void refusesAnImageInUse() throws IOException
    {
        mkfs(image(), 16 * MIB, 4096);
        try (DirectBlockDevice owner = DirectBlockDevice.open(image()))
        {
            assertThatThrownBy(() -> Mkfs.format(image(), options(-1, 4096).withForce(true), null))
                .isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage("cache.img is in use by another cachefs instance");
            assertThat(ImageHeader.read(owner).superblock().uuid()).isEqualTo(UUID_A);
        }
    }

    @Test
    void printsTheSummary() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Mkfs.format(image(), options(16 * MIB, 4096), new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
            "Formatted cache.img as cachefs 1.0" + NL +
            "  size:        16777216 bytes (16.0 MiB)" + NL +
            "  block size:  4096" + NL +
            "  blocks:      4096" + NL +
            "  superblocks: 0, 1 (backup at 4095)" + NL +
            "  bitmap:      2 copies of 1 blocks at 2 and 3" + NL +
            "  data:        blocks 4-4094 (4091 blocks, 16.0 MiB; index tree and pages)" + NL +
            "  discard:     discarded 15.9 MiB (punched holes)" + NL +
            "  uuid:        01234567-89ab-cdef-0123-456789abcdef" + NL +
            "  label:       test" + NL +
            "  created:     2023-11-14T22:13:20Z" + NL);
    }

    @Test
    void printsTheSummaryOfALargeUnlabelledImage() throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        Mkfs.format(image(), options(1024L * MIB, 65536).withLabel(""),
            new PrintStream(bytes, true, StandardCharsets.UTF_8));
        assertThat(bytes.toString(StandardCharsets.UTF_8)).isEqualTo(
            "Formatted cache.img as cachefs 1.0" + NL +
            "  size:        1073741824 bytes (1.0 GiB)" + NL +
            "  block size:  65536" + NL +
            "  blocks:      16384" + NL +
            "  superblocks: 0, 1 (backup at 16383)" + NL +
            "  bitmap:      2 copies of 1 blocks at 2 and 3" + NL +
            "  data:        blocks 4-16382 (16379 blocks, 1023.7 MiB; index tree and pages)" + NL +
            "  discard:     discarded 1023.7 MiB (punched holes)" + NL +
            "  uuid:        01234567-89ab-cdef-0123-456789abcdef" + NL +
            "  label:       (none)" + NL +
            "  created:     2023-11-14T22:13:20Z" + NL);
    }

    @Test
    void randomUuidAndCurrentTimeByDefault() throws IOException
    {
        final long before = System.currentTimeMillis();
        final MkfsResult first = Mkfs.format(image(), MkfsOptions.defaults().withSize(4 * MIB), null);
        final MkfsResult second = Mkfs.format(dir.resolve("other.img"), MkfsOptions.defaults().withSize(4 * MIB), null);
        final long after = System.currentTimeMillis();
        assertThat(first.uuid().version()).isEqualTo(4);
        assertThat(first.uuid()).isNotEqualTo(second.uuid());
        assertThat(first.createdMillis()).isBetween(before, after);
        assertThat(first.label()).isEmpty();
        assertThat(read(image()).superblock().uuid()).isEqualTo(first.uuid());
    }

    /**
     * Block size, image size, and the layout mkfs must produce: blocks, bitmap blocks per copy, data start, backup.
     */
    @ParameterizedTest(name = "{0}-byte blocks")
    @CsvSource({
        "4096,  256,  65536,  3, 8, 65535",
        "8192,  1024, 131072, 3, 8, 131071",
        "65536, 1024, 16384,  1, 4, 16383" })
    void writesTheExpectedLayout(final int blockSize, final long mib, final long blocks, final long bitmapBlocks,
        final long dataStart, final long backupBlock) throws IOException
    {
        final RegionLayout layout = mkfs(image(), mib * MIB, blockSize).layout();
        assertThat(layout.blockCount()).isEqualTo(blocks);
        assertThat(layout.bitmapBlocks()).isEqualTo(bitmapBlocks);
        assertThat(layout.bitmapStart(0)).isEqualTo(2);
        assertThat(layout.bitmapStart(1)).isEqualTo(2 + bitmapBlocks);
        assertThat(layout.dataStart()).isEqualTo(dataStart);
        assertThat(layout.backupBlock()).isEqualTo(backupBlock);
        assertThat(layout.metadataBlocks()).isEqualTo(dataStart + 1);

        for (int copy = 0; copy < 2; copy++)
        {
            long cardinality = 0;
            for (long index = 0; index < bitmapBlocks; index++)
            {
                final long block = layout.bitmapStart(copy) + index;
                final BitmapBlock bitmap = new BitmapBlock().wrap(readRaw(image(), block * blockSize, blockSize),
                    blockSize);
                bitmap.verify(DEVICE, block, copy, index, 2, layout);
                assertThat(bitmap.generation()).as("copy %d generation", copy).isEqualTo(copy == 0 ? 2 : 1);
                cardinality += bitmap.cardinality();
                final long first = index * bitmap.bits();
                for (long bit = 0; bit < bitmap.bits(); bit++)
                {
                    final long b = first + bit;
                    final boolean used = b < dataStart || b == backupBlock;
                    if (bitmap.get(bit) != used)
                    {
                        throw new AssertionError("copy " + copy + " bit of block " + b + " is " + bitmap.get(bit));
                    }
                }
            }
            assertThat(cardinality).as("copy %d set bits", copy).isEqualTo(layout.metadataBlocks());
        }

        final int[] generations = { 2, 1, 0 };
        final long[] blocksOf = { 0, 1, backupBlock };
        final int[] slots = { 0, 1, Superblock.SLOT_BACKUP };
        for (int i = 0; i < 3; i++)
        {
            final ByteBuffer slot = readRaw(image(), blocksOf[i] * blockSize, 4096);
            final RegionLayout verified = new Superblock().wrap(slot).verify(DEVICE, blocksOf[i], slots[i]);
            assertThat(verified.toString()).isEqualTo(layout.toString());
            final CommitRecord commit = new CommitRecord().wrap(slot);
            commit.verify(DEVICE, blocksOf[i], slots[i], layout);
            assertThat(commit.generation()).as("slot %d", slots[i]).isEqualTo(generations[i]);
            assertThat(commit.usedBlocks()).isEqualTo(layout.metadataBlocks());
            assertThat(new Superblock().wrap(slot).uuid()).isEqualTo(UUID_A);
        }
    }

    @Test
    void optionsRecordTheirValues()
    {
        final MkfsOptions options = MkfsOptions.defaults();
        assertThat(options).isEqualTo(new MkfsOptions(4096, "", -1, false, null, -1, true));
        final UUID uuid = UUID_B;
        assertThat(options.withBlockSize(8192).withLabel("l").withSize(1L << 30).withForce(true).withUuid(uuid)
            .withCreatedMillis(5).withDiscard(false)).isEqualTo(new MkfsOptions(8192, "l", 1L << 30, true, uuid, 5,
            false));
    }
}
