package org.cachefs.format;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.BlockPointer.KIND_DATA;
import static org.cachefs.format.BlockPointer.KIND_INDEX_BRANCH;
import static org.cachefs.format.BlockPointer.KIND_INDEX_LEAF;
import static org.cachefs.format.BlockPointer.KIND_PAGEMAP_BRANCH;
import static org.cachefs.format.BlockPointer.KIND_PAGEMAP_LEAF;
import static org.cachefs.format.Fixtures.DEVICE;
import static org.cachefs.format.Fixtures.assertCorrupt;

class BlockPointerTest
{
    @Test
    void encodesKindAboveTheBlockNumber()
    {
        assertThat(BlockPointer.encode(1234, KIND_INDEX_LEAF)).isEqualTo(0x0001_0000_0000_04D2L);
        assertThat(BlockPointer.encode(1, KIND_PAGEMAP_BRANCH)).isEqualTo(0x0004_0000_0000_0001L);
        assertThat(BlockPointer.encode(BlockPointer.MAX_BLOCK, KIND_DATA)).isEqualTo(0x0005_FFFF_FFFF_FFFFL);
        assertThat(BlockPointer.MAX_BLOCK).isEqualTo(281_474_976_710_655L);
    }

    @Test
    void decodesWhatItEncodes()
    {
        final long[] blocks = { 1, 4, 4095, 1L << 32, BlockPointer.MAX_BLOCK };
        for (int kind = KIND_INDEX_LEAF; kind <= KIND_DATA; kind++)
        {
            for (final long block : blocks)
            {
                final long pointer = BlockPointer.encode(block, kind);
                assertThat(BlockPointer.block(pointer)).as("block of %x", pointer).isEqualTo(block);
                assertThat(BlockPointer.kind(pointer)).as("kind of %x", pointer).isEqualTo(kind);
            }
        }
        assertThat(BlockPointer.block(BlockPointer.NULL)).isZero();
        assertThat(BlockPointer.kind(BlockPointer.NULL)).isZero();
    }

    @Test
    void refusesBlocksAndKindsOutOfRange()
    {
        assertThatThrownBy(() -> BlockPointer.encode(0, KIND_DATA))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("block number out of range: 0");
        assertThatThrownBy(() -> BlockPointer.encode(-1, KIND_DATA))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("block number out of range: -1");
        assertThatThrownBy(() -> BlockPointer.encode(1L << 48, KIND_DATA))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("block number out of range: 281474976710656");
        assertThatThrownBy(() -> BlockPointer.encode(5, 0))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("unknown block kind: 0");
        assertThatThrownBy(() -> BlockPointer.encode(5, 6))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("unknown block kind: 6");
    }

    @Test
    void namesKinds()
    {
        assertThat(BlockPointer.kindName(KIND_INDEX_LEAF)).isEqualTo("index leaf");
        assertThat(BlockPointer.kindName(KIND_INDEX_BRANCH)).isEqualTo("index branch");
        assertThat(BlockPointer.kindName(KIND_PAGEMAP_LEAF)).isEqualTo("page-map leaf");
        assertThat(BlockPointer.kindName(KIND_PAGEMAP_BRANCH)).isEqualTo("page-map branch");
        assertThat(BlockPointer.kindName(KIND_DATA)).isEqualTo("data");
        assertThat(BlockPointer.kindName(0)).isEqualTo("unknown(0)");
        assertThat(BlockPointer.kindName(200)).isEqualTo("unknown(200)");
        assertThat(BlockPointer.toString(BlockPointer.NULL)).isEqualTo("null");
        assertThat(BlockPointer.toString(BlockPointer.encode(77, KIND_PAGEMAP_LEAF))).isEqualTo("page-map leaf@77");
    }

    @Test
    void checkReturnsTheTargetOfAValidPointer()
    {
        assertThat(BlockPointer.check(BlockPointer.encode(4, KIND_DATA), KIND_DATA, 4, 100, "s", DEVICE, 9, "f"))
            .isEqualTo(4);
        assertThat(BlockPointer.check(BlockPointer.encode(99, KIND_INDEX_LEAF), KIND_INDEX_LEAF, 4, 100, "s", DEVICE,
            9, "f")).isEqualTo(99);
    }

    @Test
    void checkRefusesReservedBits()
    {
        final long pointer = BlockPointer.encode(10, KIND_DATA) | (1L << 56);
        assertCorrupt(() -> BlockPointer.check(pointer, KIND_DATA, 4, 100, "index node", DEVICE, 9, "entry 0 child"),
            "corrupt index node: device=cache.img block=9 entry 0 child reserved bits set in pointer " +
                "0x10500000000000a");
        assertCorrupt(() -> BlockPointer.check(-1L, KIND_DATA, 4, 100, "index node", DEVICE, 9, "f"),
            "corrupt index node: device=cache.img block=9 f reserved bits set in pointer 0xffffffffffffffff");
    }

    @Test
    void checkRefusesTheWrongKindAndNull()
    {
        assertCorrupt(() -> BlockPointer.check(BlockPointer.encode(10, KIND_DATA), KIND_INDEX_LEAF, 4, 100,
                "commit record", DEVICE, 0, "index root"),
            "corrupt commit record: device=cache.img block=0 index root.kind expected=index leaf actual=data");
        assertCorrupt(() -> BlockPointer.check(BlockPointer.NULL, KIND_PAGEMAP_BRANCH, 4, 100, "page-map node",
                DEVICE, 7, "entry 3"),
            "corrupt page-map node: device=cache.img block=7 entry 3.kind expected=page-map branch actual=unknown(0)");
    }

    @Test
    void checkRefusesTargetsOutsideTheDataRegion()
    {
        assertCorrupt(() -> BlockPointer.check(BlockPointer.encode(3, KIND_DATA), KIND_DATA, 4, 100, "page-map node",
                DEVICE, 7, "entry 0"),
            "corrupt page-map node: device=cache.img block=7 entry 0 block 3 outside the data region [4, 100)");
        assertCorrupt(() -> BlockPointer.check(BlockPointer.encode(100, KIND_DATA), KIND_DATA, 4, 100,
                "page-map node", DEVICE, 7, "entry 0"),
            "corrupt page-map node: device=cache.img block=7 entry 0 block 100 outside the data region [4, 100)");
    }
}
