package org.cachefs.format;

import java.nio.ByteBuffer;
import java.util.BitSet;
import java.util.SplittableRandom;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.Fixtures.DEVICE;
import static org.cachefs.format.Fixtures.assertCorrupt;
import static org.cachefs.format.Fixtures.copy;
import static org.cachefs.format.Fixtures.hex32;
import static org.cachefs.format.Fixtures.raw;

class BitmapBlockTest
{
    private static final long SEED = 0x5EED_B175L;

    /**
     * 100000 blocks of 4096 bytes: 4 bitmap blocks per copy (32256 bits each), data 10..99998, backup 99999.
     */
    private static final RegionLayout LAYOUT = RegionLayout.of(4096, 100_000);

    @Test
    void bitsPerBlockLeaveRoomForTheHeader()
    {
        assertThat(BitmapBlock.bitsPerBlock(4096)).isEqualTo(32_256);
        assertThat(BitmapBlock.bitsPerBlock(8192)).isEqualTo(65_024);
        assertThat(BitmapBlock.bitsPerBlock(65536)).isEqualTo(523_776);
        assertThat(BitmapBlock.BITS_OFFSET).isEqualTo(64);
        assertThat(BitmapBlock.MAGIC).isEqualTo('C' | 'F' << 8 | 'S' << 16 | 'B' << 24);
    }

    /**
     * Fills {@code bitmap} as block {@code index} of a copy: metadata and backup bits set, and a seeded sample of
     * data-region bits; returns the model of what was set.
     */
    private static BitSet fill(final BitmapBlock bitmap, final RegionLayout layout, final long index, final long seed)
    {
        final BitSet model = new BitSet();
        final long first = index * bitmap.bits();
        final long end = Math.min(first + bitmap.bits(), layout.blockCount());
        for (long b = first; b < Math.min(end, layout.dataStart()); b++)
        {
            model.set((int)(b - first));
        }
        if (layout.backupBlock() >= first && layout.backupBlock() < end)
        {
            model.set((int)(layout.backupBlock() - first));
        }
        final SplittableRandom random = new SplittableRandom(seed);
        for (int i = 0; i < 2000; i++)
        {
            final long b = random.nextLong(Math.max(first, layout.dataStart()), end);
            model.set((int)(b - first));
        }
        for (int bit = model.nextSetBit(0); bit >= 0; bit = model.nextSetBit(bit + 1))
        {
            bitmap.set(bit);
        }
        return model;
    }

    @ParameterizedTest(name = "{0}-byte blocks, copy {3} index {4}")
    @CsvSource({
        "4096,  100000,  4, 0, 0, 2",
        "4096,  100000,  4, 1, 3, 9",
        "65536, 1100000, 3, 1, 2, 7",
        "65536, 1100000, 3, 0, 0, 2" })
    void roundTripsEveryBit(final int blockSize, final long blockCount, final long bitmapBlocks, final int copy,
        final long index, final long block)
    {
        final RegionLayout layout = RegionLayout.of(blockSize, blockCount);
        assertThat(layout.bitmapBlocks()).isEqualTo(bitmapBlocks);
        assertThat(layout.bitmapStart(copy) + index).isEqualTo(block);
        final ByteBuffer written = ByteBuffer.allocate(blockSize);
        final BitmapBlock bitmap = new BitmapBlock().wrap(written, blockSize).init(copy, index, 6, block);
        final BitSet model = fill(bitmap, layout, index, SEED);
        bitmap.seal();

        final BitmapBlock read = new BitmapBlock().wrap(copy(written), blockSize);
        read.verify(DEVICE, block, copy, index, 6, layout);
        assertThat(read.magic()).isEqualTo(BitmapBlock.MAGIC);
        assertThat(read.kind()).isEqualTo(BitmapBlock.KIND);
        assertThat(read.level()).isZero();
        assertThat(read.count()).isZero();
        assertThat(read.copy()).isEqualTo(copy);
        assertThat(read.owner()).isEqualTo(copy);
        assertThat(read.index()).isEqualTo(index);
        assertThat(read.first()).isEqualTo(index);
        assertThat(read.generation()).isEqualTo(6);
        assertThat(read.block()).isEqualTo(block);
        assertThat(read.blockSize()).isEqualTo(blockSize);
        assertThat(read.bits()).isEqualTo(BitmapBlock.bitsPerBlock(blockSize));
        assertThat(read.crc()).isEqualTo(bitmap.crc());
        assertThat(read.cardinality()).as("seed %x", SEED).isEqualTo(model.cardinality());
        for (int bit = 0; bit < read.bits(); bit++)
        {
            if (read.get(bit) != model.get(bit))
            {
                throw new AssertionError("bit " + bit + " is " + read.get(bit) + " (seed " + SEED + ")");
            }
        }
    }

    @Test
    void setAndClearTouchOneBit()
    {
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        final BitmapBlock bitmap = new BitmapBlock().wrap(buffer, 4096).init(0, 0, 1, 2);
        bitmap.set(0);
        bitmap.set(9);
        bitmap.set(32_255);
        assertThat(buffer.get(64)).isEqualTo((byte)0x01);
        assertThat(buffer.get(65)).isEqualTo((byte)0x02);
        assertThat(buffer.get(4095)).isEqualTo((byte)0x80);
        assertThat(bitmap.cardinality()).isEqualTo(3);
        bitmap.clear(9);
        assertThat(buffer.get(65)).isEqualTo((byte)0);
        assertThat(bitmap.get(9)).isFalse();
        assertThat(bitmap.get(0)).isTrue();
        assertThat(bitmap.cardinality()).isEqualTo(2);
        assertThatThrownBy(() -> bitmap.get(32_256)).isExactlyInstanceOf(IndexOutOfBoundsException.class)
            .hasMessage("bit 32256 outside [0, 32256)");
        assertThatThrownBy(() -> bitmap.set(-1)).isExactlyInstanceOf(IndexOutOfBoundsException.class)
            .hasMessage("bit -1 outside [0, 32256)");
    }

    @Test
    void copiesBitsToAndFromWords()
    {
        final BitmapBlock bitmap = new BitmapBlock().wrap(ByteBuffer.allocate(4096), 4096).init(0, 0, 1, 2);
        bitmap.set(0);
        bitmap.set(65);
        bitmap.set(32_255);
        final long[] words = new long[505];
        words[0] = -1;
        bitmap.copyBitsTo(words, 1, 1000);
        assertThat(words[0]).isEqualTo(-1);
        assertThat(words[1]).isEqualTo(1L);
        assertThat(words[2]).isEqualTo(2L);
        assertThat(words[504]).isEqualTo(Long.MIN_VALUE);

        final long[] two = new long[2];
        bitmap.copyBitsTo(two, 0, 2);
        assertThat(two).containsExactly(1L, 2L);

        final BitmapBlock other = new BitmapBlock().wrap(ByteBuffer.allocate(4096), 4096).init(1, 0, 1, 3);
        other.set(100);
        other.copyBitsFrom(new long[]{ 0, 0, 0b101 }, 1);
        assertThat(other.get(64)).isTrue();
        assertThat(other.get(66)).isTrue();
        assertThat(other.get(100)).as("words past the source are zero").isFalse();
        assertThat(other.cardinality()).isEqualTo(2);
    }

    // ------------------------------------------------------------------------------------------ corruption

    /**
     * Block {@code index} of copy {@code copy}, generation 2, filled as mkfs fills it plus sampled data bits, changed by
     * {@code change} and re-sealed.
     */
    private static BitmapBlock sealed(final int copy, final long index, final Consumer<BitmapBlock> change)
    {
        final BitmapBlock bitmap = new BitmapBlock().wrap(ByteBuffer.allocate(4096), 4096)
            .init(copy, index, 2, LAYOUT.bitmapStart(copy) + index);
        fill(bitmap, LAYOUT, index, SEED);
        change.accept(bitmap);
        bitmap.seal();
        return bitmap;
    }

    @Test
    void detectsWrongIndex()
    {
        final BitmapBlock bitmap = sealed(0, 3, b -> { });
        assertCorrupt(() -> bitmap.verify(DEVICE, 5, 0, 2, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=5 index expected=2 actual=3");
    }

    @Test
    void detectsWrongCopy()
    {
        final BitmapBlock bitmap = sealed(0, 0, b -> { });
        assertCorrupt(() -> bitmap.verify(DEVICE, 2, 1, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 owner expected=1 actual=0");
        final BitmapBlock resealed = sealed(0, 0, b -> b.copy(1));
        assertCorrupt(() -> resealed.verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 owner expected=0 actual=1");
    }

    @Test
    void detectsWrongKindLevelCountAndFreeEnd()
    {
        assertCorrupt(() -> sealed(0, 0, b -> raw(b.buffer()).put(MetadataBlock.KIND_OFFSET, (byte)2))
                .verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 kind expected=1 actual=2");
        assertCorrupt(() -> sealed(0, 0, b -> raw(b.buffer()).put(MetadataBlock.LEVEL_OFFSET, (byte)1))
                .verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 level/count/free end expected=0/0/0 actual=1/0/0");
        assertCorrupt(() -> sealed(0, 0, b -> raw(b.buffer()).putShort(MetadataBlock.COUNT_OFFSET, (short)7))
                .verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 level/count/free end expected=0/0/0 actual=0/7/0");
        assertCorrupt(() -> sealed(0, 0, b -> raw(b.buffer()).putInt(MetadataBlock.FREE_END_OFFSET, 4096))
                .verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 level/count/free end expected=0/0/0 actual=0/0/4096");
    }

    @Test
    void detectsClearedMetadataBits()
    {
        for (int b = 0; b < 10; b++)
        {
            final int bit = b;
            assertCorrupt(() -> sealed(0, 0, m -> m.clear(bit)).verify(DEVICE, 2, 0, 0, 2, LAYOUT),
                "corrupt bitmap block: device=cache.img block=2 bit of metadata block " + bit + " expected=1 actual=0");
        }
    }

    @Test
    void detectsClearedBackupBit()
    {
        assertCorrupt(() -> sealed(1, 3, m -> m.clear(3231)).verify(DEVICE, 9, 1, 3, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=9 bit of backup superblock 99999 expected=1 actual=0");
    }

    @Test
    void detectsBitsPastTheDeviceEnd()
    {
        assertCorrupt(() -> sealed(1, 3, m -> m.set(3232)).verify(DEVICE, 9, 1, 3, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=9 bit of block 100000 past the device end expected=0 actual=1");
        assertCorrupt(() -> sealed(1, 3, m -> m.set(32_255)).verify(DEVICE, 9, 1, 3, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=9 bit of block 129023 past the device end expected=0 actual=1");
    }

    @Test
    void detectsGenerationNewerThanTheCommit()
    {
        assertCorrupt(() -> sealed(0, 0, m -> m.generation(7)).verify(DEVICE, 2, 0, 0, 6, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 generation expected=in [0, 6] actual=7");
        assertCorrupt(() -> sealed(0, 0, m -> m.generation(-1)).verify(DEVICE, 2, 0, 0, 6, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 generation expected=in [0, 6] actual=-1");
        sealed(0, 0, m -> m.generation(6)).verify(DEVICE, 2, 0, 0, 6, LAYOUT);
    }

    @Test
    void detectsWrongMagicAndUnwrittenBlocks()
    {
        assertCorrupt(() -> sealed(0, 0, m -> raw(m.buffer()).putInt(0, 0x49534643)).verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 magic expected=0x42534643 actual=0x49534643");
        final BitmapBlock zero = new BitmapBlock().wrap(ByteBuffer.allocate(4096), 4096);
        assertCorrupt(() -> zero.verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 magic expected=0x42534643 actual=0x0 (block never written)");
    }

    @Test
    void detectsWrongCheckValueAndMisdirectedBlocks()
    {
        final BitmapBlock bitmap = sealed(0, 0, m -> { });
        final int crc = bitmap.crc();
        raw(bitmap.buffer()).putInt(MetadataBlock.CRC_OFFSET, crc + 1);
        assertCorrupt(() -> bitmap.verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 crc expected=" + hex32(crc + 1) + " actual=" + hex32(crc));

        final BitmapBlock misplaced = sealed(0, 0, m -> m.block(3));
        assertCorrupt(() -> misplaced.verify(DEVICE, 2, 0, 0, 2, LAYOUT),
            "corrupt bitmap block: device=cache.img block=2 block number expected=2 actual=3");
    }

    @Test
    void detectsNonZeroReservedHeaderBytes()
    {
        for (int field = MetadataBlock.RESERVED_OFFSET; field < MetadataBlock.CRC_OFFSET; field += 4)
        {
            final int at = field;
            assertCorrupt(() -> sealed(0, 0, m -> raw(m.buffer()).putInt(at, 0xFF)).verify(DEVICE, 2, 0, 0, 2, LAYOUT),
                "corrupt bitmap block: device=cache.img block=2 reserved@" + at + " expected=0 actual=0xff");
        }
    }
}
