package org.cachefs.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class RegionLayoutTest
{
    @Test
    void smallestDevice()
    {
        final RegionLayout layout = RegionLayout.of(4096, 69);
        assertThat(RegionLayout.minimumBlocks(4096)).isEqualTo(69);
        assertThat(layout.blockSize()).isEqualTo(4096);
        assertThat(layout.blockCount()).isEqualTo(69);
        assertThat(layout.bitmapBlocks()).isEqualTo(1);
        assertThat(layout.bitmapStart(0)).isEqualTo(2);
        assertThat(layout.bitmapStart(1)).isEqualTo(3);
        assertThat(layout.dataStart()).isEqualTo(4);
        assertThat(layout.dataEnd()).isEqualTo(68);
        assertThat(layout.backupBlock()).isEqualTo(68);
        assertThat(layout.dataBlocks()).isEqualTo(64);
        assertThat(layout.metadataBlocks()).isEqualTo(5);
        assertThat(layout.bytes()).isEqualTo(282_624);
        assertThat(layout).hasToString(
            "RegionLayout{blockSize=4096, blockCount=69, bitmapBlocks=1, dataStart=4, dataEnd=68}");
    }

    @ParameterizedTest(name = "{1} blocks of {0}")
    @CsvSource({
        "4096,  32256,   1, 4",
        "4096,  32257,   2, 6",
        "4096,  100000,  4, 10",
        "8192,  65024,   1, 4",
        "8192,  65025,   2, 6",
        "65536, 523776,  1, 4",
        "65536, 1100000, 3, 8" })
    void bitmapCoversEveryBlock(final int blockSize, final long blocks, final long bitmapBlocks, final long dataStart)
    {
        final RegionLayout layout = RegionLayout.of(blockSize, blocks);
        assertThat(layout.bitmapBlocks()).isEqualTo(bitmapBlocks);
        assertThat(layout.dataStart()).isEqualTo(dataStart);
        assertThat(layout.metadataBlocks()).isEqualTo(dataStart + 1);
        assertThat(layout.dataBlocks()).isEqualTo(blocks - dataStart - 1);
    }

    @Test
    void refusesDevicesTooSmall()
    {
        assertThatThrownBy(() -> RegionLayout.of(4096, 68)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("device too small: 68 blocks of 4096 bytes, cachefs needs at least 69 blocks (282624 bytes)");
        assertThatThrownBy(() -> RegionLayout.of(65536, 0)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("device too small: 0 blocks of 65536 bytes, cachefs needs at least 69 blocks (4521984 bytes)");
    }

    @Test
    void refusesDevicesTooLarge()
    {
        assertThat(RegionLayout.maximumBlocks(4096)).isEqualTo(BlockPointer.MAX_BLOCK);
        assertThat(RegionLayout.maximumBlocks(65536)).isEqualTo((1L << 47) - 1);
        assertThatThrownBy(() -> RegionLayout.of(4096, 1L << 48)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("device too large: 281474976710656 blocks, the format addresses 281474976710655");
        assertThatThrownBy(() -> RegionLayout.of(65536, 1L << 47)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("device too large: 140737488355328 blocks, the format addresses 140737488355327");
        final RegionLayout largest = RegionLayout.of(65536, (1L << 47) - 1);
        assertThat(largest.bytes()).isEqualTo(Long.MAX_VALUE - 65535);
        assertThat(RegionLayout.of(4096, BlockPointer.MAX_BLOCK).bytes()).isEqualTo(BlockPointer.MAX_BLOCK * 4096);
    }
}
