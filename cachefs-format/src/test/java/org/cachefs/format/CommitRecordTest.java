package org.cachefs.format;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cachefs.format.BlockPointer.KIND_DATA;
import static org.cachefs.format.BlockPointer.KIND_INDEX_BRANCH;
import static org.cachefs.format.BlockPointer.KIND_INDEX_LEAF;
import static org.cachefs.format.Fixtures.COMMITTED;
import static org.cachefs.format.Fixtures.DEVICE;
import static org.cachefs.format.Fixtures.assertCorrupt;
import static org.cachefs.format.Fixtures.copy;
import static org.cachefs.format.Fixtures.hex32;
import static org.cachefs.format.Fixtures.raw;

class CommitRecordTest
{
    /**
     * 4096 blocks: bitmap at 2 and 3, data 4..4094, backup 4095; 5 metadata blocks, 4091 data blocks.
     */
    private static final RegionLayout LAYOUT = RegionLayout.of(4096, 4096);

    @Test
    void pinsTheOnDiskLayout()
    {
        assertThat(CommitRecord.SLOT_OFFSET).isEqualTo(256);
        assertThat(CommitRecord.MAGIC_OFFSET).isEqualTo(0);
        assertThat(CommitRecord.LENGTH_OFFSET).isEqualTo(4);
        assertThat(CommitRecord.GENERATION_OFFSET).isEqualTo(8);
        assertThat(CommitRecord.COMMITTED_OFFSET).isEqualTo(16);
        assertThat(CommitRecord.FLAGS_OFFSET).isEqualTo(24);
        assertThat(CommitRecord.INDEX_HEIGHT_OFFSET).isEqualTo(28);
        assertThat(CommitRecord.INDEX_ROOT_OFFSET).isEqualTo(32);
        assertThat(CommitRecord.OBJECT_COUNT_OFFSET).isEqualTo(40);
        assertThat(CommitRecord.NEXT_OBJECT_ID_OFFSET).isEqualTo(48);
        assertThat(CommitRecord.USED_BLOCKS_OFFSET).isEqualTo(56);
        assertThat(CommitRecord.PAGE_COUNT_OFFSET).isEqualTo(64);
        assertThat(CommitRecord.MOUNT_COUNT_OFFSET).isEqualTo(72);
        assertThat(CommitRecord.INDEX_ROOT_CRC_OFFSET).isEqualTo(80);
        assertThat(CommitRecord.RESERVED_BLOCKS_OFFSET).isEqualTo(88);
        assertThat(CommitRecord.RESERVED_OFFSET).isEqualTo(96);
        assertThat(CommitRecord.CRC_OFFSET).isEqualTo(124);
        assertThat(CommitRecord.LENGTH).isEqualTo(128);
        assertThat(CommitRecord.MAGIC).isEqualTo('C' | 'F' << 8 | 'S' << 16 | 'C' << 24);
    }

    @ParameterizedTest
    @ValueSource(ints = { 4096, 65536 })
    void roundTripsEveryField(final int blockSize)
    {
        final RegionLayout layout = RegionLayout.of(blockSize, 4096);
        final ByteBuffer written = ByteBuffer.allocate(4096);
        final CommitRecord commit = new CommitRecord().wrap(written).init(6, COMMITTED, layout);
        commit.clean(false).indexRoot(BlockPointer.encode(100, KIND_INDEX_BRANCH), 0xABCDEF01, 3).objectCount(41)
            .nextObjectId(57).usedBlocks(1000).pageCount(900).reservedBlocks(77).mountCount(12)
            .committedMillis(COMMITTED + 1).seal(0);
        final int crc = commit.crc();

        final ByteBuffer copy = copy(written);
        final CommitRecord read = new CommitRecord().wrap(copy);
        read.verify(DEVICE, 0, 0, layout);

        assertThat(read.magic()).isEqualTo(CommitRecord.MAGIC);
        assertThat(read.length()).isEqualTo(128);
        assertThat(read.generation()).isEqualTo(6);
        assertThat(read.bitmapCopy()).isEqualTo(0);
        assertThat(read.committedMillis()).isEqualTo(COMMITTED + 1);
        assertThat(read.flags()).isEqualTo(0);
        assertThat(read.clean()).isFalse();
        assertThat(read.indexRoot()).isEqualTo(BlockPointer.encode(100, KIND_INDEX_BRANCH));
        assertThat(read.indexRootCrc()).isEqualTo(0xABCDEF01);
        assertThat(read.indexHeight()).isEqualTo(3);
        assertThat(read.objectCount()).isEqualTo(41);
        assertThat(read.nextObjectId()).isEqualTo(57);
        assertThat(read.usedBlocks()).isEqualTo(1000);
        assertThat(read.pageCount()).isEqualTo(900);
        assertThat(read.reservedBlocks()).isEqualTo(77);
        assertThat(read.mountCount()).isEqualTo(12);
        assertThat(read.crc()).isEqualTo(crc);
        // the superblock half of the slot block is untouched
        for (int i = 0; i < CommitRecord.SLOT_OFFSET; i++)
        {
            assertThat(copy.get(i)).as("byte %d", i).isZero();
        }
        assertThat(raw(copy).getLong(CommitRecord.SLOT_OFFSET + CommitRecord.GENERATION_OFFSET)).isEqualTo(6);
    }

    @Test
    void initDescribesAnEmptyCleanCache()
    {
        final CommitRecord commit = new CommitRecord().wrap(ByteBuffer.allocate(4096)).init(1, COMMITTED, LAYOUT);
        commit.seal(1);
        commit.verify(DEVICE, 1, 1, LAYOUT);
        assertThat(commit.generation()).isEqualTo(1);
        assertThat(commit.bitmapCopy()).isEqualTo(1);
        assertThat(commit.committedMillis()).isEqualTo(COMMITTED);
        assertThat(commit.flags()).isEqualTo(CommitRecord.FLAG_CLEAN);
        assertThat(commit.clean()).isTrue();
        assertThat(commit.indexRoot()).isEqualTo(BlockPointer.NULL);
        assertThat(commit.indexRootCrc()).isZero();
        assertThat(commit.indexHeight()).isZero();
        assertThat(commit.objectCount()).isZero();
        assertThat(commit.nextObjectId()).isEqualTo(1);
        assertThat(commit.usedBlocks()).isEqualTo(5);
        assertThat(commit.pageCount()).isZero();
        assertThat(commit.reservedBlocks()).isZero();
        assertThat(commit.mountCount()).isZero();
    }

    @Test
    void copyFromCopiesEveryField()
    {
        final CommitRecord source = new CommitRecord().wrap(ByteBuffer.allocate(4096)).init(8, COMMITTED, LAYOUT)
            .indexRoot(BlockPointer.encode(9, KIND_INDEX_LEAF), 77, 1).objectCount(3).nextObjectId(4).mountCount(2);
        source.seal(0);
        final ByteBuffer target = ByteBuffer.allocate(4096);
        final CommitRecord copy = new CommitRecord().wrap(target).copyFrom(source);
        copy.verify(DEVICE, 0, 0, LAYOUT);
        assertThat(copy.crc()).isEqualTo(source.crc());
        assertThat(copy.indexRoot()).isEqualTo(BlockPointer.encode(9, KIND_INDEX_LEAF));
        assertThat(copy.mountCount()).isEqualTo(2);
    }

    @Test
    void cleanFlagTogglesOnlyBitZero()
    {
        final CommitRecord commit = new CommitRecord().wrap(ByteBuffer.allocate(4096)).init(2, COMMITTED, LAYOUT);
        assertThat(commit.clean(false).flags()).isEqualTo(0);
        assertThat(commit.flags(0x10).clean(true).flags()).isEqualTo(0x11);
        assertThat(commit.clean(false).flags()).isEqualTo(0x10);
    }

    @Test
    void checkValueDependsOnTheSlotBlock()
    {
        final CommitRecord commit = new CommitRecord().wrap(ByteBuffer.allocate(4096)).init(2, COMMITTED, LAYOUT);
        final int atBlock0 = commit.seal(0).crc();
        final int atBlock1 = new CommitRecord().wrap(copy(commit.buffer())).seal(1).crc();
        assertThat(atBlock1).isNotEqualTo(atBlock0);
        assertCorrupt(() -> commit.verify(DEVICE, 1, 0, LAYOUT), "corrupt commit record: device=cache.img block=1 " +
            "crc expected=" + hex32(atBlock0) + " actual=" + hex32(atBlock1));
    }

    // ------------------------------------------------------------------------------------------ corruption

    /**
     * An empty-cache commit record of generation 2 in slot 0, changed through {@code change} and re-sealed.
     */
    private static CommitRecord sealed(final long block, final long generation, final Consumer<CommitRecord> change)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(4096);
        final CommitRecord commit = new CommitRecord().wrap(buffer).init(generation, COMMITTED, LAYOUT);
        change.accept(commit);
        commit.seal(block);
        return commit;
    }

    private static void assertCommitCorrupt(final Consumer<CommitRecord> change, final String detail)
    {
        final CommitRecord commit = sealed(0, 2, change);
        assertCorrupt(() -> commit.verify(DEVICE, 0, 0, LAYOUT), "corrupt commit record: device=cache.img block=0 " +
            detail);
    }

    private static void assertRawCorrupt(final int field, final long value, final String detail)
    {
        assertCommitCorrupt(c -> raw(c.buffer()).putLong(CommitRecord.SLOT_OFFSET + field, value), detail);
    }

    @Test
    void detectsWrongMagic()
    {
        assertCommitCorrupt(c -> raw(c.buffer()).putInt(CommitRecord.SLOT_OFFSET, 0x12345678),
            "magic expected=0x43534643 actual=0x12345678");
    }

    @Test
    void detectsWrongCheckValue()
    {
        final CommitRecord commit = sealed(0, 2, c -> { });
        final int crc = commit.crc();
        raw(commit.buffer()).putInt(CommitRecord.SLOT_OFFSET + CommitRecord.CRC_OFFSET, ~crc);
        assertCorrupt(() -> commit.verify(DEVICE, 0, 0, LAYOUT), "corrupt commit record: device=cache.img block=0 " +
            "crc expected=" + hex32(~crc) + " actual=" + hex32(crc));
    }

    @Test
    void detectsWrongLength()
    {
        assertCommitCorrupt(c -> raw(c.buffer()).putInt(CommitRecord.SLOT_OFFSET + CommitRecord.LENGTH_OFFSET, 64),
            "length expected=128 actual=64");
    }

    @Test
    void detectsGenerationOfTheWrongParity()
    {
        assertCommitCorrupt(c -> c.generation(3), "generation expected=a non-negative even number actual=3");
        assertCommitCorrupt(c -> c.generation(-2), "generation expected=a non-negative even number actual=-2");
        final CommitRecord slot1 = sealed(1, 4, c -> { });
        assertCorrupt(() -> slot1.verify(DEVICE, 1, 1, LAYOUT),
            "corrupt commit record: device=cache.img block=1 generation expected=a non-negative odd number actual=4");
        final CommitRecord backup = sealed(4095, 1, c -> { });
        assertCorrupt(() -> backup.verify(DEVICE, 4095, Superblock.SLOT_BACKUP, LAYOUT),
            "corrupt commit record: device=cache.img block=4095 generation expected=0 actual=1");
        sealed(4095, 0, c -> { }).verify(DEVICE, 4095, Superblock.SLOT_BACKUP, LAYOUT);
    }

    @Test
    void detectsUnknownFlags()
    {
        assertCommitCorrupt(c -> c.flags(2), "flags expected=subset of 0x1 actual=0x2");
        assertCommitCorrupt(c -> c.flags(0x80000001), "flags expected=subset of 0x1 actual=0x80000001");
    }

    @Test
    void detectsInconsistentEmptyIndex()
    {
        assertCommitCorrupt(c -> c.indexRoot(BlockPointer.NULL, 0, 1), "index height expected=0 actual=1");
        assertCommitCorrupt(c -> c.indexRoot(BlockPointer.NULL, 5, 0), "index root crc expected=0 actual=5");
        assertCommitCorrupt(c -> c.objectCount(1).nextObjectId(2), "object count expected=0 actual=1");
    }

    @Test
    void detectsIndexHeightOutOfRange()
    {
        final long leaf = BlockPointer.encode(100, KIND_INDEX_LEAF);
        final long branch = BlockPointer.encode(100, KIND_INDEX_BRANCH);
        assertCommitCorrupt(c -> c.indexRoot(leaf, 7, 0), "index height expected=in [1, 32] actual=0");
        assertCommitCorrupt(c -> c.indexRoot(branch, 7, 33), "index height expected=in [1, 32] actual=33");
        assertCommitCorrupt(c -> c.indexRoot(branch, 7, -1), "index height expected=in [1, 32] actual=-1");
        sealed(0, 2, c -> c.indexRoot(branch, 7, 32)).verify(DEVICE, 0, 0, LAYOUT);
    }

    @Test
    void detectsIndexRootOfTheWrongKind()
    {
        assertCommitCorrupt(c -> c.indexRoot(BlockPointer.encode(100, KIND_INDEX_LEAF), 7, 2),
            "index root.kind expected=index branch actual=index leaf");
        assertCommitCorrupt(c -> c.indexRoot(BlockPointer.encode(100, KIND_INDEX_BRANCH), 7, 1),
            "index root.kind expected=index leaf actual=index branch");
        assertCommitCorrupt(c -> c.indexRoot(BlockPointer.encode(100, KIND_DATA), 7, 1),
            "index root.kind expected=index leaf actual=data");
    }

    @Test
    void detectsIndexRootOutsideTheDataRegion()
    {
        assertCommitCorrupt(c -> c.indexRoot(BlockPointer.encode(3, KIND_INDEX_LEAF), 7, 1),
            "index root block 3 outside the data region [4, 4095)");
        assertCommitCorrupt(c -> c.indexRoot(BlockPointer.encode(4095, KIND_INDEX_LEAF), 7, 1),
            "index root block 4095 outside the data region [4, 4095)");
        assertCommitCorrupt(c -> c.indexRoot(BlockPointer.encode(100, KIND_INDEX_LEAF) | (1L << 56), 7, 1),
            "index root reserved bits set in pointer 0x101000000000064");
    }

    @Test
    void detectsNextObjectIdAndObjectCountOutOfRange()
    {
        final long root = BlockPointer.encode(100, KIND_INDEX_LEAF);
        assertCommitCorrupt(c -> c.nextObjectId(0), "next object id expected=>= 1 actual=0");
        assertCommitCorrupt(c -> c.nextObjectId(-5), "next object id expected=>= 1 actual=-5");
        assertCommitCorrupt(c -> c.indexRoot(root, 7, 1).objectCount(5).nextObjectId(5),
            "object count expected=in [0, 4] actual=5");
        assertCommitCorrupt(c -> c.indexRoot(root, 7, 1).objectCount(-1).nextObjectId(5),
            "object count expected=in [0, 4] actual=-1");
        sealed(0, 2, c -> c.indexRoot(root, 7, 1).objectCount(4).nextObjectId(5)).verify(DEVICE, 0, 0, LAYOUT);
    }

    @Test
    void detectsUsedBlocksOutOfRange()
    {
        assertCommitCorrupt(c -> c.usedBlocks(4), "used blocks expected=in [5, 4096] actual=4");
        assertCommitCorrupt(c -> c.usedBlocks(4097), "used blocks expected=in [5, 4096] actual=4097");
        sealed(0, 2, c -> c.usedBlocks(4096).pageCount(4091)).verify(DEVICE, 0, 0, LAYOUT);
    }

    @Test
    void detectsPageCountOutOfRange()
    {
        assertCommitCorrupt(c -> c.pageCount(1), "page count expected=in [0, 0] actual=1");
        assertCommitCorrupt(c -> c.usedBlocks(100).pageCount(-1), "page count expected=in [0, 95] actual=-1");
        assertCommitCorrupt(c -> c.usedBlocks(100).pageCount(96), "page count expected=in [0, 95] actual=96");
    }

    @Test
    void detectsReservedBlocksOutOfRange()
    {
        assertCommitCorrupt(c -> c.reservedBlocks(-1), "reserved blocks expected=in [0, 4091] actual=-1");
        assertCommitCorrupt(c -> c.reservedBlocks(4092), "reserved blocks expected=in [0, 4091] actual=4092");
        sealed(0, 2, c -> c.reservedBlocks(4091)).verify(DEVICE, 0, 0, LAYOUT);
    }

    @Test
    void detectsNegativeMountCount()
    {
        assertCommitCorrupt(c -> c.mountCount(-1), "mount count expected=>= 0 actual=-1");
    }

    @Test
    void detectsNonZeroReservedBytes()
    {
        assertCommitCorrupt(c -> raw(c.buffer()).putInt(CommitRecord.SLOT_OFFSET + 84, 0xDEADBEEF),
            "reserved@84 expected=0 actual=0xdeadbeef");
        for (int field = CommitRecord.RESERVED_OFFSET; field < CommitRecord.CRC_OFFSET; field += 4)
        {
            assertRawCorrupt(field, 1, "reserved@" + field + " expected=0 actual=0x1");
        }
    }
}
