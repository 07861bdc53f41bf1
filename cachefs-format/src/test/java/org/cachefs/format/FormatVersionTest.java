package org.cachefs.format;

import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FormatVersionTest
{
    @Test
    void versionOneLittleEndianFourKiBTo64KiB()
    {
        assertThat(FormatVersion.MAJOR).isEqualTo(1);
        assertThat(FormatVersion.MINOR).isEqualTo(0);
        assertThat(FormatVersion.ORDER).isEqualTo(ByteOrder.LITTLE_ENDIAN);
        assertThat(FormatVersion.MIN_BLOCK_SIZE).isEqualTo(4096);
        assertThat(FormatVersion.MAX_BLOCK_SIZE).isEqualTo(65536);
        assertThat(FormatVersion.DEFAULT_BLOCK_SIZE).isEqualTo(4096);
        assertThat(FormatVersion.MAX_KEY_AND_AUX).isEqualTo(400);
        assertThat(FormatVersion.INCOMPAT_SUPPORTED).isZero();
        assertThat(FormatVersion.RO_COMPAT_SUPPORTED).isZero();
        assertThat(FormatVersion.COMPAT_SUPPORTED).isZero();
    }

    @ParameterizedTest(name = "{0} on {1}-byte sectors")
    @CsvSource({ "4096, 512", "4096, 4096", "8192, 512", "8192, 8192", "16384, 4096", "32768, 512", "65536, 4096" })
    void acceptsPowersOfTwoThatAreWholeSectors(final int blockSize, final int sectorSize)
    {
        assertThatCode(() -> FormatVersion.checkBlockSize(blockSize, sectorSize)).doesNotThrowAnyException();
    }

    @ParameterizedTest(name = "{0} on {1}-byte sectors")
    @CsvSource(delimiter = '|', value = {
        "2048   | 512  | invalid block size 2048: must be a power of two from 4096 to 65536",
        "5000   | 512  | invalid block size 5000: must be a power of two from 4096 to 65536",
        "12288  | 4096 | invalid block size 12288: must be a power of two from 4096 to 65536",
        "131072 | 4096 | invalid block size 131072: must be a power of two from 4096 to 65536",
        "0      | 512  | invalid block size 0: must be a power of two from 4096 to 65536",
        "-4096  | 512  | invalid block size -4096: must be a power of two from 4096 to 65536",
        "4096   | 8192 | invalid block size 4096: not a multiple of the device's logical sector size 8192",
        "8192   | 3000 | invalid block size 8192: not a multiple of the device's logical sector size 3000",
        "4096   | 0    | invalid block size 4096: not a multiple of the device's logical sector size 0",
        "4096   | -512 | invalid block size 4096: not a multiple of the device's logical sector size -512" })
    void refusesOtherBlockSizes(final int blockSize, final int sectorSize, final String message)
    {
        assertThatThrownBy(() -> FormatVersion.checkBlockSize(blockSize, sectorSize))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage(message);
    }

    @Test
    void exceptionsNameTheDevice()
    {
        final FormatVersionException version = new FormatVersionException("cache.img", 3, 0);
        assertThat(version).hasMessage("cache.img: image format 3.0, this software reads 1.x")
            .isInstanceOf(CacheFsException.class);
        assertThat(version.device()).isEqualTo("cache.img");

        assertThat(new UnsupportedFeatureException("sdb", "incompat", 0x30))
            .hasMessage("sdb: unsupported incompat features 0x30 (this software knows 0x0)");
        assertThat(new UnsupportedFeatureException("sdb", "ro-compat", 0x1))
            .hasMessage("sdb: unsupported ro-compat features 0x1 (this software knows 0x0)");
        assertThat(new UnsupportedFeatureException("sdb", "compat", 0x2))
            .hasMessage("sdb: unsupported compat features 0x2 (this software knows 0x0)");

        assertThat(new DeviceInUseException("loop0")).hasMessage("loop0 is in use by another cachefs instance");
        assertThat(new NotFormattedException("x", "x is not formatted").device()).isEqualTo("x");

        final CorruptCacheException corrupt =
            new CorruptCacheException("index node", "cache.img", 1234, "crc", "0x1a2b", "0x9f00");
        assertThat(corrupt).hasMessage("corrupt index node: device=cache.img block=1234 crc expected=0x1a2b " +
            "actual=0x9f00");
        assertThat(corrupt.structure()).isEqualTo("index node");
        assertThat(corrupt.device()).isEqualTo("cache.img");
        assertThat(corrupt.block()).isEqualTo(1234);
        assertThat(corrupt.field()).isEqualTo("crc");
        assertThat(new CorruptCacheException("superblock", "sdb", 0, "slot", "detail text"))
            .hasMessage("corrupt superblock: device=sdb block=0 slot detail text");
    }

    @Test
    void magicNumbersSpellTheirNames()
    {
        assertThat(Long.toHexString(Long.reverseBytes(Superblock.MAGIC))).isEqualTo("4341434845465300");
        assertThat(Integer.reverseBytes(CommitRecord.MAGIC)).isEqualTo(0x43465343);
        assertThat(Integer.reverseBytes(BitmapBlock.MAGIC)).isEqualTo(0x43465342);
        assertThat(Integer.reverseBytes(IndexNode.MAGIC)).isEqualTo(0x43465349);
        assertThat(Integer.reverseBytes(PageMapNode.MAGIC)).isEqualTo(0x43465350);
    }
}
