package org.cachefs.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.function.Consumer;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.Fixtures.CREATED;
import static org.cachefs.format.Fixtures.DEVICE;
import static org.cachefs.format.Fixtures.UUID_A;
import static org.cachefs.format.Fixtures.UUID_B;
import static org.cachefs.format.Fixtures.assertCorrupt;
import static org.cachefs.format.Fixtures.copy;
import static org.cachefs.format.Fixtures.hex32;
import static org.cachefs.format.Fixtures.raw;

class SuperblockTest
{
    /**
     * Block size, block count, and the layout fields expected for them.
     */
    static Stream<Arguments> layouts()
    {
        return Stream.of(
            Arguments.of(4096, 100_000L, 4L, 10L, 99_999L),
            Arguments.of(65536, 1_100_000L, 3L, 8L, 1_099_999L));
    }

    @ParameterizedTest
    @MethodSource("layouts")
    void roundTripsEveryField(final int blockSize, final long blockCount, final long bitmapBlocks,
        final long dataStart, final long backupBlock)
    {
        final RegionLayout layout = RegionLayout.of(blockSize, blockCount);
        final ByteBuffer written = ByteBuffer.allocate(blockSize);
        final String label = "cache-\u00fc\u00df-\u20ac";
        final Superblock superblock = new Superblock().wrap(written).init(layout, 512, UUID_A, label, CREATED, 1);
        superblock.compatFeatures(0).roCompatFeatures(0).incompatFeatures(0).seal(1);
        final int crc = superblock.crc();

        final Superblock read = new Superblock().wrap(copy(written));
        final RegionLayout verified = read.verify(DEVICE, 1, 1);

        assertThat(verified.toString()).isEqualTo(layout.toString());
        assertThat(read.hasMagic()).isTrue();
        assertThat(read.magic()).isEqualTo(Superblock.MAGIC);
        assertThat(read.majorVersion()).isEqualTo(1);
        assertThat(read.minorVersion()).isEqualTo(0);
        assertThat(read.headerLength()).isEqualTo(256);
        assertThat(read.compatFeatures()).isZero();
        assertThat(read.roCompatFeatures()).isZero();
        assertThat(read.incompatFeatures()).isZero();
        assertThat(read.uuid()).isEqualTo(UUID_A);
        assertThat(read.label()).isEqualTo(label);
        assertThat(read.createdMillis()).isEqualTo(CREATED);
        assertThat(read.blockSize()).isEqualTo(blockSize);
        assertThat(read.sectorSize()).isEqualTo(512);
        assertThat(read.blockCount()).isEqualTo(blockCount);
        assertThat(read.slot()).isEqualTo(1);
        assertThat(read.bitmapStart()).isEqualTo(2);
        assertThat(read.bitmapBlocks()).isEqualTo(bitmapBlocks);
        assertThat(read.dataStart()).isEqualTo(dataStart);
        assertThat(read.dataEnd()).isEqualTo(backupBlock);
        assertThat(read.backupBlock()).isEqualTo(backupBlock);
        assertThat(read.crc()).isEqualTo(crc);
        assertThat(written.position()).isZero();
    }

    @Test
    void pinsTheOnDiskLayout()
    {
        assertThat(Superblock.MAGIC_OFFSET).isEqualTo(0);
        assertThat(Superblock.MAJOR_OFFSET).isEqualTo(8);
        assertThat(Superblock.MINOR_OFFSET).isEqualTo(10);
        assertThat(Superblock.HEADER_LENGTH_OFFSET).isEqualTo(12);
        assertThat(Superblock.COMPAT_OFFSET).isEqualTo(16);
        assertThat(Superblock.RO_COMPAT_OFFSET).isEqualTo(24);
        assertThat(Superblock.INCOMPAT_OFFSET).isEqualTo(32);
        assertThat(Superblock.UUID_OFFSET).isEqualTo(40);
        assertThat(Superblock.LABEL_OFFSET).isEqualTo(56);
        assertThat(Superblock.CREATED_OFFSET).isEqualTo(88);
        assertThat(Superblock.BLOCK_SIZE_OFFSET).isEqualTo(96);
        assertThat(Superblock.SECTOR_SIZE_OFFSET).isEqualTo(100);
        assertThat(Superblock.BLOCK_COUNT_OFFSET).isEqualTo(104);
        assertThat(Superblock.SLOT_OFFSET).isEqualTo(112);
        assertThat(Superblock.PADDING_OFFSET).isEqualTo(116);
        assertThat(Superblock.BITMAP_START_OFFSET).isEqualTo(120);
        assertThat(Superblock.BITMAP_BLOCKS_OFFSET).isEqualTo(128);
        assertThat(Superblock.DATA_START_OFFSET).isEqualTo(136);
        assertThat(Superblock.DATA_END_OFFSET).isEqualTo(144);
        assertThat(Superblock.BACKUP_BLOCK_OFFSET).isEqualTo(152);
        assertThat(Superblock.RESERVED_OFFSET).isEqualTo(160);
        assertThat(Superblock.CRC_OFFSET).isEqualTo(252);
        assertThat(Superblock.LENGTH).isEqualTo(256);

        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        new Superblock().wrap(buffer).init(RegionLayout.of(4096, 4096), 512, UUID_A, "x", CREATED, 0).seal(0);
        final byte[] magic = new byte[8];
        buffer.get(0, magic);
        assertThat(magic).isEqualTo("CACHEFS\0".getBytes(StandardCharsets.US_ASCII));
        assertThat(raw(buffer).getShort(Superblock.MAJOR_OFFSET)).isEqualTo((short)1);
        assertThat(raw(buffer).getLong(Superblock.BLOCK_COUNT_OFFSET)).isEqualTo(4096);
        assertThat(raw(buffer).getLong(Superblock.UUID_OFFSET)).isEqualTo(UUID_A.getMostSignificantBits());
    }

    @Test
    void labelOfThirtyTwoBytesHasNoTerminator()
    {
        final String label = "abcdefghijklmnopqrstuvwxyz012345";
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        final Superblock superblock = new Superblock().wrap(buffer)
            .init(RegionLayout.of(4096, 4096), 512, UUID_A, label, CREATED, 0);
        assertThat(superblock.label()).isEqualTo(label);
        assertThat(buffer.get(Superblock.LABEL_OFFSET + 31)).isEqualTo((byte)'5');
        assertThat(buffer.get(Superblock.CREATED_OFFSET)).isEqualTo((byte)(CREATED & 0xFF));
        superblock.label("");
        assertThat(superblock.label()).isEmpty();
        for (int i = 0; i < Superblock.LABEL_LENGTH; i++)
        {
            assertThat(buffer.get(Superblock.LABEL_OFFSET + i)).as("label byte %d", i).isZero();
        }
    }

    @Test
    void refusesBadLabels()
    {
        assertThatThrownBy(() -> Superblock.checkLabel("abcdefghijklmnopqrstuvwxyz0123456"))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("label too long: 33 bytes in UTF-8, at most 32");
        assertThatThrownBy(() -> Superblock.checkLabel("\u20ac".repeat(11)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("label too long: 33 bytes in UTF-8, at most 32");
        assertThatThrownBy(() -> Superblock.checkLabel("a\0b"))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("label must not contain a NUL character");
        assertThat(Superblock.checkLabel("\u20ac")).containsExactly(0xE2 - 256, 0x82 - 256, 0xAC - 256);
    }

    @Test
    void copyFromKeepsTheImageAndChangesTheSlot()
    {
        final RegionLayout layout = RegionLayout.of(4096, 4096);
        final Superblock slot0 = new Superblock().wrap(ByteBuffer.allocate(4096))
            .init(layout, 512, UUID_A, "test", CREATED, 0).seal(0);
        final Superblock slot1 = new Superblock().wrap(ByteBuffer.allocate(4096)).copyFrom(slot0, 1).seal(1);
        assertThat(slot1.slot()).isEqualTo(1);
        assertThat(slot1.verify(DEVICE, 1, 1).toString()).isEqualTo(layout.toString());
        assertThat(slot1.sameImage(slot0)).isTrue();
        assertThat(slot0.sameImage(slot1)).isTrue();

        slot1.label("other");
        assertThat(slot1.sameImage(slot0)).isFalse();
        final Superblock otherUuid = new Superblock().wrap(ByteBuffer.allocate(4096))
            .init(layout, 512, UUID_B, "test", CREATED, 0);
        assertThat(otherUuid.sameImage(slot0)).isFalse();
    }

    @Test
    void ignoresUnknownCompatAndRoCompatFeaturesAndNewerMinorVersions()
    {
        final RegionLayout layout = RegionLayout.of(4096, 4096);
        final ByteBuffer buffer = sealed(raw -> raw.putShort(Superblock.MINOR_OFFSET, (short)9));
        final Superblock superblock = new Superblock().wrap(buffer);
        superblock.compatFeatures(0x10).roCompatFeatures(0x4).seal(0);
        assertThat(superblock.verify(DEVICE, 0, 0).toString()).isEqualTo(layout.toString());
        assertThat(superblock.minorVersion()).isEqualTo(9);
        assertThat(superblock.compatFeatures()).isEqualTo(0x10);
        assertThat(superblock.roCompatFeatures()).isEqualTo(0x4);
    }

    // ------------------------------------------------------------------------------------------ corruption

    /**
     * A sealed slot-0 superblock of a 4096 x 4096 image (bitmap at 2, data 4..4095, backup 4095), after
     * {@code change} poked its raw bytes and re-sealed it so that the check value passes.
     */
    private static ByteBuffer sealed(final Consumer<ByteBuffer> change)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        final Superblock superblock = new Superblock().wrap(buffer)
            .init(RegionLayout.of(4096, 4096), 512, UUID_A, "test", CREATED, 0);
        change.accept(raw(buffer));
        superblock.seal(0);
        return buffer;
    }

    private static void assertSuperblockCorrupt(final Consumer<ByteBuffer> change, final String detail)
    {
        final Superblock superblock = new Superblock().wrap(sealed(change));
        assertCorrupt(() -> superblock.verify(DEVICE, 0, 0), "corrupt superblock: device=cache.img block=0 " + detail);
    }

    @Test
    void detectsWrongMagic()
    {
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.MAGIC_OFFSET, 0x1234),
            "magic expected=0x53464548434143 actual=0x1234");
        assertSuperblockCorrupt(raw -> raw.put(Superblock.MAGIC_OFFSET, (byte)'c'),
            "magic expected=0x53464548434143 actual=0x53464548434163");
    }

    @Test
    void refusesAnotherMajorVersion()
    {
        final Superblock future = new Superblock().wrap(sealed(raw -> raw.putShort(Superblock.MAJOR_OFFSET, (short)3)));
        assertThatThrownBy(() -> future.verify(DEVICE, 0, 0))
            .isExactlyInstanceOf(FormatVersionException.class)
            .hasMessage("cache.img: image format 3.0, this software reads 1.x");
        final Superblock past = new Superblock().wrap(sealed(raw ->
        {
            raw.putShort(Superblock.MAJOR_OFFSET, (short)0);
            raw.putShort(Superblock.MINOR_OFFSET, (short)7);
        }));
        assertThatThrownBy(() -> past.verify(DEVICE, 0, 0))
            .isExactlyInstanceOf(FormatVersionException.class)
            .hasMessage("cache.img: image format 0.7, this software reads 1.x");
        final Superblock far = new Superblock().wrap(sealed(raw -> raw.putShort(Superblock.MAJOR_OFFSET, (short)65535)));
        assertThatThrownBy(() -> far.verify(DEVICE, 0, 0))
            .isExactlyInstanceOf(FormatVersionException.class)
            .hasMessage("cache.img: image format 65535.0, this software reads 1.x");
    }

    @Test
    void detectsWrongCheckValue()
    {
        final ByteBuffer buffer = sealed(raw -> { });
        final Superblock superblock = new Superblock().wrap(buffer);
        final int crc = superblock.crc();
        raw(buffer).putInt(Superblock.CRC_OFFSET, crc ^ 0x100);
        assertCorrupt(() -> superblock.verify(DEVICE, 0, 0), "corrupt superblock: device=cache.img block=0 crc " +
            "expected=" + hex32(crc ^ 0x100) + " actual=" + hex32(crc));
    }

    @Test
    void checkValueDependsOnTheHomeBlock()
    {
        final Superblock superblock = new Superblock().wrap(sealed(raw -> { }));
        final int crcAtBlock0 = superblock.crc();
        final int crcAtBlock1 = new Superblock().wrap(copy(superblock.buffer())).seal(1).crc();
        assertThat(crcAtBlock1).isNotEqualTo(crcAtBlock0);
        assertCorrupt(() -> superblock.verify(DEVICE, 1, 0), "corrupt superblock: device=cache.img block=1 crc " +
            "expected=" + hex32(crcAtBlock0) + " actual=" + hex32(crcAtBlock1));
    }

    @Test
    void detectsWrongHeaderLength()
    {
        assertSuperblockCorrupt(raw -> raw.putInt(Superblock.HEADER_LENGTH_OFFSET, 512),
            "header length expected=256 actual=512");
        assertSuperblockCorrupt(raw -> raw.putInt(Superblock.HEADER_LENGTH_OFFSET, 0),
            "header length expected=256 actual=0");
    }

    @Test
    void detectsWrongSlot()
    {
        assertSuperblockCorrupt(raw -> raw.putInt(Superblock.SLOT_OFFSET, 1), "slot expected=0 actual=1");
        assertSuperblockCorrupt(raw -> raw.putInt(Superblock.SLOT_OFFSET, 2), "slot expected=0 actual=2");
        final Superblock slot0 = new Superblock().wrap(sealed(raw -> { }));
        assertCorrupt(() -> new Superblock().wrap(copy(slot0.buffer())).seal(1).verify(DEVICE, 1, 1),
            "corrupt superblock: device=cache.img block=1 slot expected=1 actual=0");
    }

    @Test
    void refusesUnknownIncompatibleFeatures()
    {
        final Superblock superblock = new Superblock().wrap(sealed(raw -> raw.putLong(Superblock.INCOMPAT_OFFSET, 0x2)));
        assertThatThrownBy(() -> superblock.verify(DEVICE, 0, 0))
            .isExactlyInstanceOf(UnsupportedFeatureException.class)
            .hasMessage("cache.img: unsupported incompat features 0x2 (this software knows 0x0)");
        superblock.incompatFeatures(Long.MIN_VALUE).seal(0);
        assertThatThrownBy(() -> superblock.verify(DEVICE, 0, 0))
            .isExactlyInstanceOf(UnsupportedFeatureException.class)
            .hasMessage("cache.img: unsupported incompat features 0x8000000000000000 (this software knows 0x0)");
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 2048, 5000, 8191, 131072, -4096 })
    void detectsInvalidBlockSize(final int blockSize)
    {
        assertSuperblockCorrupt(raw -> raw.putInt(Superblock.BLOCK_SIZE_OFFSET, blockSize),
            "block size expected=power of two in [4096, 65536] actual=" + blockSize);
    }

    @Test
    void detectsBlockCountOutOfRange()
    {
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BLOCK_COUNT_OFFSET, 68),
            "block count expected=in [69, 281474976710655] actual=68");
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BLOCK_COUNT_OFFSET, -1),
            "block count expected=in [69, 281474976710655] actual=-1");
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BLOCK_COUNT_OFFSET, 1L << 48),
            "block count expected=in [69, 281474976710655] actual=281474976710656");
    }

    @Test
    void detectsBlockCountWhoseBytesOverflow()
    {
        assertSuperblockCorrupt(raw ->
            {
                raw.putInt(Superblock.BLOCK_SIZE_OFFSET, 65536);
                raw.putLong(Superblock.BLOCK_COUNT_OFFSET, 1L << 47);
            },
            "block count expected=in [69, 140737488355327] actual=140737488355328");
    }

    @Test
    void detectsBlockCountThatDisagreesWithTheLayout()
    {
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BLOCK_COUNT_OFFSET, 8192),
            "data end expected=8191 actual=4095");
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BLOCK_COUNT_OFFSET, 40_000),
            "bitmap blocks expected=2 actual=1");
    }

    @Test
    void detectsEachWrongLayoutField()
    {
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BITMAP_START_OFFSET, 7),
            "bitmap start expected=2 actual=7");
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BITMAP_BLOCKS_OFFSET, 2),
            "bitmap blocks expected=1 actual=2");
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.DATA_START_OFFSET, 5),
            "data start expected=4 actual=5");
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.DATA_END_OFFSET, 4094),
            "data end expected=4095 actual=4094");
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BACKUP_BLOCK_OFFSET, 4094),
            "backup block expected=4095 actual=4094");
        assertSuperblockCorrupt(raw -> raw.putLong(Superblock.BACKUP_BLOCK_OFFSET, 0),
            "backup block expected=4095 actual=0");
    }

    @Test
    void detectsNonZeroReservedBytes()
    {
        assertSuperblockCorrupt(raw -> raw.putInt(Superblock.PADDING_OFFSET, 0xDEADBEEF),
            "reserved@116 expected=0 actual=0xdeadbeef");
        for (int field = Superblock.RESERVED_OFFSET; field < Superblock.CRC_OFFSET; field += 4)
        {
            final int at = field;
            assertSuperblockCorrupt(raw -> raw.put(at + 3, (byte)0x80), "reserved@" + at + " expected=0 actual=0x80000000");
        }
    }

    @Test
    void reportsTheFirstProblemInValidationOrder()
    {
        // wrong slot and wrong bitmap start: the slot is checked first
        assertSuperblockCorrupt(raw ->
        {
            raw.putInt(Superblock.SLOT_OFFSET, 1);
            raw.putLong(Superblock.BITMAP_START_OFFSET, 7);
        }, "slot expected=0 actual=1");
        // bad magic hides a future version
        assertSuperblockCorrupt(raw ->
        {
            raw.putLong(Superblock.MAGIC_OFFSET, 0);
            raw.putShort(Superblock.MAJOR_OFFSET, (short)3);
        }, "magic expected=0x53464548434143 actual=0x0");
    }
}
