package org.cachefs.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.cachefs.format.device.DirectBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.Fixtures.ascii;
import static org.cachefs.format.Fixtures.foreignImage;
import static org.cachefs.format.Fixtures.writeForeignSignature;

class ForeignSignaturesTest
{
    private static final long SEED = 0xF0E1_6A75L;

    @TempDir
    Path dir;

    private static ByteBuffer probe()
    {
        return ByteBuffer.allocate(ForeignSignatures.PROBE_LENGTH);
    }

    private static ByteBuffer probeWith(final String filesystem)
    {
        final ByteBuffer probe = probe();
        writeForeignSignature(probe, filesystem);
        return probe;
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({ "ext2", "ext3", "ext4", "xfs", "btrfs", "swap", "bcache", "LUKS" })
    void recognisesEachSignatureAtItsDocumentedOffset(final String filesystem)
    {
        assertThat(ForeignSignatures.detect(probeWith(filesystem))).isEqualTo(filesystem);
    }

    @Test
    void tellsTheExtVariantsApartByTheirFeatures()
    {
        final ByteBuffer probe = probeWith("ext2");
        final ByteBuffer fields = probe.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        fields.putInt(1024 + 0x60, 0x8);                       // incompat: journal_dev
        assertThat(ForeignSignatures.detect(probe)).isEqualTo("ext3");
        fields.putInt(1024 + 0x60, 0x2);                       // incompat: filetype only
        assertThat(ForeignSignatures.detect(probe)).isEqualTo("ext2");
        fields.putInt(1024 + 0x64, 0x400);                     // ro_compat: metadata_csum
        assertThat(ForeignSignatures.detect(probe)).isEqualTo("ext4");
        fields.putInt(1024 + 0x64, 0x1);                       // ro_compat: sparse_super only
        assertThat(ForeignSignatures.detect(probe)).isEqualTo("ext2");
        fields.putInt(1024 + 0x60, 0x80);                      // incompat: 64bit
        assertThat(ForeignSignatures.detect(probe)).isEqualTo("ext4");
    }

    @Test
    void recognisesSwapOfEveryPageSizeAndTheOldMagic()
    {
        for (final int pageSize : new int[]{ 4096, 8192, 16384, 65536 })
        {
            final ByteBuffer probe = probe();
            probe.put(pageSize - 10, ascii("SWAPSPACE2"));
            assertThat(ForeignSignatures.detect(probe)).as("page size %d", pageSize).isEqualTo("swap");
        }
        final ByteBuffer old = probe();
        old.put(4086, ascii("SWAP-SPACE"));
        assertThat(ForeignSignatures.detect(old)).isEqualTo("swap");
        final ByteBuffer shifted = probe();
        shifted.put(4087, ascii("SWAPSPACE2"));
        assertThat(ForeignSignatures.detect(shifted)).isNull();
    }

    @Test
    void findsNothingInZerosRandomDataOrACachefsSlot()
    {
        assertThat(ForeignSignatures.detect(probe())).isNull();
        final byte[] random = new byte[ForeignSignatures.PROBE_LENGTH];
        new SplittableRandom(SEED).nextBytes(random);
        assertThat(ForeignSignatures.detect(ByteBuffer.wrap(random))).as("seed %d", SEED).isNull();
        final ByteBuffer slot = probe();
        slot.put(Fixtures.slotBlock(RegionLayout.of(4096, 4096), 0, 2, 0, "test"));
        assertThat(ForeignSignatures.detect(slot.clear())).isNull();
    }

    @Test
    void ignoresSignaturesPastTheLimit()
    {
        final ByteBuffer btrfs = probeWith("btrfs");
        assertThat(ForeignSignatures.detect(btrfs.limit(0x10040 + 7))).isNull();
        assertThat(ForeignSignatures.detect(btrfs.limit(0x10040 + 8))).isEqualTo("btrfs");
        final ByteBuffer ext = probeWith("ext4");
        assertThat(ForeignSignatures.detect(ext.limit(1024))).isNull();
        assertThat(ForeignSignatures.detect(ByteBuffer.allocate(0))).isNull();
    }

    @Test
    void isZeroLooksUpToTheLimit()
    {
        final ByteBuffer bytes = ByteBuffer.allocate(4096);
        assertThat(ForeignSignatures.isZero(bytes)).isTrue();
        bytes.put(4095, (byte)1);
        assertThat(ForeignSignatures.isZero(bytes)).isFalse();
        assertThat(ForeignSignatures.isZero(bytes.limit(4095))).isTrue();
    }

    @Test
    void exceptionNamesTheFilesystemWithTheRightArticle()
    {
        assertThat(new ForeignFilesystemException("cache.img", "ext4").getMessage())
            .isEqualTo("cache.img contains an ext4 filesystem");
        assertThat(new ForeignFilesystemException("cache.img", "xfs").getMessage())
            .isEqualTo("cache.img contains an xfs filesystem");
        assertThat(new ForeignFilesystemException("cache.img", "btrfs").getMessage())
            .isEqualTo("cache.img contains a btrfs filesystem");
        final ForeignFilesystemException hinted =
            new ForeignFilesystemException("sdb", "swap", " (use -f to overwrite it)");
        assertThat(hinted.getMessage()).isEqualTo("sdb contains a swap filesystem (use -f to overwrite it)");
        assertThat(hinted.filesystem()).isEqualTo("swap");
        assertThat(hinted.device()).isEqualTo("sdb");
    }

    @ParameterizedTest(name = "{0}")
    @CsvSource({
        "ext2,   cache.img contains an ext2 filesystem",
        "ext3,   cache.img contains an ext3 filesystem",
        "ext4,   cache.img contains an ext4 filesystem",
        "xfs,    cache.img contains an xfs filesystem",
        "btrfs,  cache.img contains a btrfs filesystem",
        "swap,   cache.img contains a swap filesystem",
        "bcache, cache.img contains a bcache filesystem",
        "LUKS,   cache.img contains a LUKS filesystem" })
    void imageHeaderRefusesForeignImages(final String filesystem, final String message) throws IOException
    {
        final Path image = foreignImage(dir.resolve("cache.img"), filesystem);
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            assertThatThrownBy(() -> ImageHeader.read(device))
                .isExactlyInstanceOf(ForeignFilesystemException.class)
                .hasMessage(message)
                .extracting(ex -> ((ForeignFilesystemException)ex).filesystem()).isEqualTo(filesystem);
        }
    }
}
