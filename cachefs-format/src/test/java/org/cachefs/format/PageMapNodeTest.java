package org.cachefs.format;

import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.BlockPointer.KIND_DATA;
import static org.cachefs.format.BlockPointer.KIND_PAGEMAP_BRANCH;
import static org.cachefs.format.BlockPointer.KIND_PAGEMAP_LEAF;
import static org.cachefs.format.Fixtures.BRANCH_SLOTS;
import static org.cachefs.format.Fixtures.DEVICE;
import static org.cachefs.format.Fixtures.PAGEMAP_CHILD_BLOCKS;
import static org.cachefs.format.Fixtures.PAGEMAP_CHILD_CRCS;
import static org.cachefs.format.Fixtures.PAGEMAP_OBJECT;
import static org.cachefs.format.Fixtures.PAGE_BLOCKS;
import static org.cachefs.format.Fixtures.PAGE_CRCS;
import static org.cachefs.format.Fixtures.assertCorrupt;
import static org.cachefs.format.Fixtures.copy;
import static org.cachefs.format.Fixtures.hex32;
import static org.cachefs.format.Fixtures.leafSlots;
import static org.cachefs.format.Fixtures.raw;
import static org.cachefs.format.Fixtures.samplePageMapBranch;
import static org.cachefs.format.Fixtures.samplePageMapLeaf;
import static org.junit.jupiter.api.Assertions.assertTimeoutPreemptively;

class PageMapNodeTest
{
    /**
     * 4096 blocks: data region [4, 4095).
     */
    private static final RegionLayout LAYOUT = RegionLayout.of(4096, 4096);

    @Test
    void fanoutAndCoverage()
    {
        assertThat(PageMapNode.MAGIC).isEqualTo('C' | 'F' << 8 | 'S' << 16 | 'P' << 24);
        assertThat(PageMapNode.ENTRY_LENGTH).isEqualTo(16);
        assertThat(PageMapNode.fanout(4096)).isEqualTo(252);
        assertThat(PageMapNode.fanout(8192)).isEqualTo(508);
        assertThat(PageMapNode.fanout(65536)).isEqualTo(4092);
        assertThat(PageMapNode.coverage(4096, 0)).isEqualTo(252);
        assertThat(PageMapNode.coverage(4096, 1)).isEqualTo(63_504);
        assertThat(PageMapNode.coverage(4096, 2)).isEqualTo(16_003_008);
        assertThat(PageMapNode.coverage(4096, 6)).isEqualTo(64_536_258_792_112_128L);
        assertThat(PageMapNode.coverage(4096, 7)).as("252^8 > 2^63: saturated").isEqualTo(Long.MAX_VALUE);
        assertThat(PageMapNode.coverage(65536, 1)).isEqualTo(16_744_464);
        assertThat(PageMapNode.coverage(65536, 4)).isEqualTo(1_147_302_989_456_735_232L);
        assertThat(PageMapNode.coverage(65536, 5)).isEqualTo(Long.MAX_VALUE);
    }

    @Test
    void heightForPageIndex()
    {
        assertThat(PageMapNode.heightFor(4096, 0)).isEqualTo(1);
        assertThat(PageMapNode.heightFor(4096, 251)).isEqualTo(1);
        assertThat(PageMapNode.heightFor(4096, 252)).isEqualTo(2);
        assertThat(PageMapNode.heightFor(4096, 63_503)).isEqualTo(2);
        assertThat(PageMapNode.heightFor(4096, 63_504)).isEqualTo(3);
        assertThat(PageMapNode.heightFor(4096, 64_536_258_792_112_127L)).isEqualTo(7);
        assertThat(PageMapNode.heightFor(4096, 64_536_258_792_112_128L)).isEqualTo(8);
        assertThat(PageMapNode.heightFor(65536, 4091)).isEqualTo(1);
        assertThat(PageMapNode.heightFor(65536, 4092)).isEqualTo(2);
    }

    @Test
    void heightForTheLargestPageIndexTerminates()
    {
        final int[] heights = assertTimeoutPreemptively(Duration.ofSeconds(10), () -> new int[]{
            PageMapNode.heightFor(4096, Long.MAX_VALUE), PageMapNode.heightFor(65536, Long.MAX_VALUE) });
        assertThat(heights).containsExactly(8, 6);
    }

    @ParameterizedTest
    @ValueSource(ints = { 4096, 65536 })
    void leafRoundTripsEveryField(final int blockSize)
    {
        final ByteBuffer written = ByteBuffer.allocate(blockSize);
        final int crc = samplePageMapLeaf(written, blockSize, 70, 4).seal();
        final long firstPage = 2L * PageMapNode.fanout(blockSize);

        final PageMapNode read = new PageMapNode().wrap(copy(written), blockSize);
        read.verify(DEVICE, 70, PAGEMAP_OBJECT, 4, 0, firstPage, crc, LAYOUT);
        assertThat(read.magic()).isEqualTo(PageMapNode.MAGIC);
        assertThat(read.kind()).isEqualTo(PageMapNode.KIND_LEAF);
        assertThat(read.level()).isZero();
        assertThat(read.objectId()).isEqualTo(5);
        assertThat(read.owner()).isEqualTo(5);
        assertThat(read.firstPage()).isEqualTo(blockSize == 4096 ? 504 : 8184);
        assertThat(read.generation()).isEqualTo(4);
        assertThat(read.block()).isEqualTo(70);
        assertThat(read.count()).isEqualTo(3);
        assertThat(read.fanout()).isEqualTo(PageMapNode.fanout(blockSize));
        final int[] slots = leafSlots(blockSize);
        int present = 0;
        for (int slot = 0; slot < read.fanout(); slot++)
        {
            if (present < slots.length && slots[present] == slot)
            {
                assertThat(read.pointer(slot)).as("slot %d", slot)
                    .isEqualTo(BlockPointer.encode(PAGE_BLOCKS[present], KIND_DATA));
                assertThat(read.entryCrc(slot)).as("slot %d crc", slot).isEqualTo(PAGE_CRCS[present]);
                present++;
            }
            else if (read.pointer(slot) != BlockPointer.NULL || read.entryCrc(slot) != 0)
            {
                throw new AssertionError("slot " + slot + " should be absent");
            }
        }
        assertThat(read.slotOf(firstPage)).isZero();
        assertThat(read.slotOf(firstPage + 7)).isEqualTo(7);
        assertThat(read.slotOf(firstPage + read.fanout() - 1)).isEqualTo(read.fanout() - 1);
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2 })
    void branchRoundTripsEveryField(final int level)
    {
        final ByteBuffer written = ByteBuffer.allocate(4096);
        final int crc = samplePageMapBranch(written, 4096, level, 71, 4).seal();
        final long firstPage = level == 1 ? 190_512 : 48_009_024;

        final PageMapNode read = new PageMapNode().wrap(copy(written), 4096);
        read.verify(DEVICE, 71, PAGEMAP_OBJECT, 4, level, firstPage, crc, LAYOUT);
        assertThat(read.kind()).isEqualTo(PageMapNode.KIND_BRANCH);
        assertThat(read.level()).isEqualTo(level);
        assertThat(read.firstPage()).isEqualTo(firstPage);
        assertThat(read.count()).isEqualTo(2);
        final int childKind = level == 1 ? KIND_PAGEMAP_LEAF : KIND_PAGEMAP_BRANCH;
        for (int i = 0; i < BRANCH_SLOTS.length; i++)
        {
            assertThat(read.pointer(BRANCH_SLOTS[i])).isEqualTo(BlockPointer.encode(PAGEMAP_CHILD_BLOCKS[i], childKind));
            assertThat(read.entryCrc(BRANCH_SLOTS[i])).isEqualTo(PAGEMAP_CHILD_CRCS[i]);
        }
        final long sub = PageMapNode.coverage(4096, level - 1);
        assertThat(read.slotOf(firstPage)).isZero();
        assertThat(read.slotOf(firstPage + 5 * sub + 17)).isEqualTo(5);
        assertThat(read.slotOf(firstPage + 252 * sub - 1)).isEqualTo(251);
    }

    @Test
    void branchAtBlockSize65536()
    {
        final ByteBuffer written = ByteBuffer.allocate(65536);
        final int crc = samplePageMapBranch(written, 65536, 1, 72, 4).seal();
        final PageMapNode read = new PageMapNode().wrap(copy(written), 65536);
        read.verify(DEVICE, 72, PAGEMAP_OBJECT, 4, 1, 3 * 16_744_464L, crc, LAYOUT);
        assertThat(read.count()).isEqualTo(2);
        assertThat(read.pointer(5)).isEqualTo(BlockPointer.encode(201, KIND_PAGEMAP_LEAF));
        assertThat(read.slotOf(3 * 16_744_464L + 4092 * 4091 + 1)).isEqualTo(4091);
    }

    @Test
    void entryKeepsTheCountRight()
    {
        final PageMapNode node = new PageMapNode().wrap(ByteBuffer.allocate(4096), 4096).init(0, 5, 0, 1, 70);
        assertThat(node.count()).isZero();
        node.entry(3, BlockPointer.encode(100, KIND_DATA), 11);
        node.entry(4, BlockPointer.encode(101, KIND_DATA), 12);
        assertThat(node.count()).isEqualTo(2);
        node.entry(3, BlockPointer.encode(102, KIND_DATA), 13);
        assertThat(node.count()).as("replacing a present entry").isEqualTo(2);
        assertThat(node.pointer(3)).isEqualTo(BlockPointer.encode(102, KIND_DATA));
        assertThat(node.entryCrc(3)).isEqualTo(13);
        node.entry(4, BlockPointer.NULL, 99);
        assertThat(node.count()).isEqualTo(1);
        assertThat(node.entryCrc(4)).as("absent entries keep no crc").isZero();
        node.entry(9, BlockPointer.NULL, 5);
        assertThat(node.count()).as("clearing an absent entry").isEqualTo(1);
        assertThat(node.entryCrc(9)).isZero();
        node.entry(3, BlockPointer.NULL, 0);
        assertThat(node.count()).isZero();
    }

    @Test
    void refusesBadInitAndSlots()
    {
        final PageMapNode node = new PageMapNode().wrap(ByteBuffer.allocate(4096), 4096);
        assertThatThrownBy(() -> node.init(8, 5, 0, 1, 70)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("page-map level 8 outside [0, 7]");
        assertThatThrownBy(() -> node.init(-1, 5, 0, 1, 70)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("page-map level -1 outside [0, 7]");
        assertThatThrownBy(() -> node.init(1, 5, 252, 1, 70)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("first page 252 is not aligned to the 63504 pages a level-1 node covers");
        assertThatThrownBy(() -> node.init(0, 5, 100, 1, 70)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("first page 100 is not aligned to the 252 pages a level-0 node covers");
        assertThatThrownBy(() -> node.init(0, 5, -252, 1, 70)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("first page -252 is not aligned to the 252 pages a level-0 node covers");
        node.init(7, 5, 0, 1, 70);
        assertThat(node.kind()).isEqualTo(PageMapNode.KIND_BRANCH);
        node.init(0, 5, 252, 1, 70);
        assertThatThrownBy(() -> node.entry(252, BlockPointer.NULL, 0))
            .isExactlyInstanceOf(IndexOutOfBoundsException.class).hasMessage("slot 252 outside [0, 252)");
        assertThatThrownBy(() -> node.pointer(-1))
            .isExactlyInstanceOf(IndexOutOfBoundsException.class).hasMessage("slot -1 outside [0, 252)");
    }

    // ------------------------------------------------------------------------------------------ corruption

    private static PageMapNode leaf(final Consumer<PageMapNode> change)
    {
        final PageMapNode node = samplePageMapLeaf(ByteBuffer.allocate(4096), 4096, 70, 4);
        change.accept(node);
        node.seal();
        return node;
    }

    private static void assertLeafCorrupt(final Consumer<PageMapNode> change, final String detail)
    {
        final PageMapNode node = leaf(change);
        assertCorrupt(() -> node.verify(DEVICE, 70, PAGEMAP_OBJECT, 4, 0, 504, null, LAYOUT),
            "corrupt page-map node: device=cache.img block=70 " + detail);
    }

    private static void assertBranchCorrupt(final int level, final Consumer<PageMapNode> change, final String detail)
    {
        final PageMapNode node = samplePageMapBranch(ByteBuffer.allocate(4096), 4096, level, 71, 4);
        change.accept(node);
        node.seal();
        assertCorrupt(() -> node.verify(DEVICE, 71, PAGEMAP_OBJECT, 4, level, 3 * PageMapNode.coverage(4096, level),
            null, LAYOUT), "corrupt page-map node: device=cache.img block=71 " + detail);
    }

    private static int entryAt(final int slot)
    {
        return PageMapNode.ENTRIES_OFFSET + slot * PageMapNode.ENTRY_LENGTH;
    }

    @Test
    void detectsWrongLevelAndKind()
    {
        final PageMapNode node = leaf(n -> { });
        assertCorrupt(() -> node.verify(DEVICE, 70, PAGEMAP_OBJECT, 4, 1, 504, null, LAYOUT),
            "corrupt page-map node: device=cache.img block=70 level expected=1 actual=0");
        assertLeafCorrupt(n -> raw(n.buffer()).put(MetadataBlock.KIND_OFFSET, (byte)2), "kind expected=1 actual=2");
        assertBranchCorrupt(1, n -> raw(n.buffer()).put(MetadataBlock.KIND_OFFSET, (byte)1), "kind expected=2 actual=1");
    }

    @Test
    void detectsWrongFirstPage()
    {
        final PageMapNode node = leaf(n -> { });
        assertCorrupt(() -> node.verify(DEVICE, 70, PAGEMAP_OBJECT, 4, 0, 252, null, LAYOUT),
            "corrupt page-map node: device=cache.img block=70 first page expected=252 actual=504");
        assertLeafCorrupt(n -> raw(n.buffer()).putLong(MetadataBlock.FIRST_OFFSET, 505), "first page expected=504 actual=505");
    }

    @Test
    void detectsNonZeroFreeEnd()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).putInt(MetadataBlock.FREE_END_OFFSET, 1), "free end expected=0 actual=1");
    }

    @Test
    void detectsWrongCount()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).putShort(MetadataBlock.COUNT_OFFSET, (short)4), "count expected=3 actual=4");
        assertLeafCorrupt(n -> raw(n.buffer()).putShort(MetadataBlock.COUNT_OFFSET, (short)2), "count expected=3 actual=2");
        assertLeafCorrupt(n ->
        {
            for (final int slot : leafSlots(4096))
            {
                n.entry(slot, BlockPointer.NULL, 0);
            }
        }, "count expected=>= 1 (empty nodes are not written) actual=0");
    }

    @Test
    void detectsCheckValueOfAnAbsentEntry()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).putInt(entryAt(1) + PageMapNode.ENTRY_CRC_OFFSET, 85),
            "entry 1 crc of absent page expected=0 actual=85");
    }

    @Test
    void detectsNonZeroEntryReservedBytes()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).putInt(entryAt(0) + PageMapNode.ENTRY_RESERVED_OFFSET, 9),
            "entry 0 reserved expected=0 actual=9");
        assertLeafCorrupt(n -> raw(n.buffer()).putInt(entryAt(100) + PageMapNode.ENTRY_RESERVED_OFFSET, 1),
            "entry 100 reserved expected=0 actual=1");
    }

    @Test
    void detectsPointersOfTheWrongKind()
    {
        assertLeafCorrupt(n -> n.entry(7, BlockPointer.encode(101, KIND_PAGEMAP_LEAF), 1),
            "entry 7.kind expected=data actual=page-map leaf");
        assertBranchCorrupt(1, n -> n.entry(5, BlockPointer.encode(201, KIND_PAGEMAP_BRANCH), 1),
            "entry 5.kind expected=page-map leaf actual=page-map branch");
        assertBranchCorrupt(2, n -> n.entry(0, BlockPointer.encode(200, KIND_PAGEMAP_LEAF), 1),
            "entry 0.kind expected=page-map branch actual=page-map leaf");
        assertBranchCorrupt(1, n -> n.entry(0, BlockPointer.encode(200, KIND_DATA), 1),
            "entry 0.kind expected=page-map leaf actual=data");
    }

    @Test
    void detectsPointersOutsideTheDataRegion()
    {
        assertLeafCorrupt(n -> n.entry(0, BlockPointer.encode(4095, KIND_DATA), 1),
            "entry 0 block 4095 outside the data region [4, 4095)");
        assertLeafCorrupt(n -> n.entry(0, BlockPointer.encode(3, KIND_DATA), 1),
            "entry 0 block 3 outside the data region [4, 4095)");
        assertLeafCorrupt(n -> n.entry(0, BlockPointer.encode(100, KIND_DATA) | (1L << 63), 1),
            "entry 0 reserved bits set in pointer 0x8005000000000064");
    }

    @Test
    void detectsANodeOfAnotherObject()
    {
        final PageMapNode node = leaf(n -> { });
        assertCorrupt(() -> node.verify(DEVICE, 70, 6, 4, 0, 504, null, LAYOUT),
            "corrupt page-map node: device=cache.img block=70 owner expected=6 actual=5");
    }

    @Test
    void detectsCheckValueMismatchesAndNewerGenerations()
    {
        final PageMapNode node = leaf(n -> { });
        final int crc = node.crc();
        assertCorrupt(() -> node.verify(DEVICE, 70, PAGEMAP_OBJECT, 4, 0, 504, crc + 1, LAYOUT),
            "corrupt page-map node: device=cache.img block=70 crc recorded by parent expected=" + hex32(crc + 1) +
                " actual=" + hex32(crc));
        assertCorrupt(() -> node.verify(DEVICE, 70, PAGEMAP_OBJECT, 3, 0, 504, crc, LAYOUT),
            "corrupt page-map node: device=cache.img block=70 generation expected=in [0, 3] actual=4");
        assertCorrupt(() -> node.verify(DEVICE, 71, PAGEMAP_OBJECT, 4, 0, 504, crc, LAYOUT),
            "corrupt page-map node: device=cache.img block=71 block number expected=71 actual=70");
        assertLeafCorrupt(n -> raw(n.buffer()).putInt(MetadataBlock.MAGIC_OFFSET, 0xCAFEBABE),
            "magic expected=0x50534643 actual=0xcafebabe");
    }
}
