package org.cachefs.format;

import java.nio.ByteBuffer;
import java.util.function.Consumer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.BlockPointer.KIND_INDEX_BRANCH;
import static org.cachefs.format.BlockPointer.KIND_INDEX_LEAF;
import static org.cachefs.format.BlockPointer.KIND_PAGEMAP_BRANCH;
import static org.cachefs.format.BlockPointer.KIND_PAGEMAP_LEAF;
import static org.cachefs.format.Fixtures.BRANCH_CHILD_BLOCKS;
import static org.cachefs.format.Fixtures.BRANCH_CHILD_CRCS;
import static org.cachefs.format.Fixtures.BRANCH_PARENTS;
import static org.cachefs.format.Fixtures.DEVICE;
import static org.cachefs.format.Fixtures.LEAF_ATIMES;
import static org.cachefs.format.Fixtures.LEAF_FLAGS;
import static org.cachefs.format.Fixtures.LEAF_HEIGHTS;
import static org.cachefs.format.Fixtures.LEAF_OBJECT_IDS;
import static org.cachefs.format.Fixtures.LEAF_PAGE_COUNTS;
import static org.cachefs.format.Fixtures.LEAF_PARENTS;
import static org.cachefs.format.Fixtures.LEAF_RESERVED;
import static org.cachefs.format.Fixtures.LEAF_ROOTS;
import static org.cachefs.format.Fixtures.LEAF_ROOT_CRCS;
import static org.cachefs.format.Fixtures.LEAF_SIZES;
import static org.cachefs.format.Fixtures.LEAF_TYPES;
import static org.cachefs.format.Fixtures.ascii;
import static org.cachefs.format.Fixtures.assertCorrupt;
import static org.cachefs.format.Fixtures.branchKeys;
import static org.cachefs.format.Fixtures.copy;
import static org.cachefs.format.Fixtures.hex32;
import static org.cachefs.format.Fixtures.leafAux;
import static org.cachefs.format.Fixtures.leafKeys;
import static org.cachefs.format.Fixtures.raw;
import static org.cachefs.format.Fixtures.sampleBranch;
import static org.cachefs.format.Fixtures.sampleLeaf;

class IndexNodeTest
{
    /**
     * 4096 blocks: data region [4, 4095).
     */
    private static final RegionLayout LAYOUT = RegionLayout.of(4096, 4096);

    @Test
    void pinsTheEntryLayout()
    {
        assertThat(IndexNode.MAGIC).isEqualTo('C' | 'F' << 8 | 'S' << 16 | 'I' << 24);
        assertThat(IndexNode.SLOTS_OFFSET).isEqualTo(64);
        assertThat(IndexNode.LEAF_FIXED_LENGTH).isEqualTo(72);
        assertThat(IndexNode.BRANCH_FIXED_LENGTH).isEqualTo(24);
        assertThat(IndexNode.MAX_LEAF_ENTRY).isEqualTo(474);
        assertThat(IndexNode.MAX_LEVEL).isEqualTo(31);
        assertThat(IndexNode.leafEntryLength(5, 2)).isEqualTo(79);
        assertThat(IndexNode.branchEntryLength(5)).isEqualTo(29);
    }

    @ParameterizedTest
    @ValueSource(ints = { 4096, 65536 })
    void leafRoundTripsEveryField(final int blockSize)
    {
        final ByteBuffer written = ByteBuffer.allocate(blockSize);
        final IndexNode node = sampleLeaf(written, blockSize, 50, 5);
        final int crc = node.seal();
        assertThat(node.crc()).isEqualTo(crc);

        final IndexNode read = new IndexNode().wrap(copy(written), blockSize);
        read.verify(DEVICE, 50, 5, 0, crc, LAYOUT);

        final byte[][] keys = leafKeys();
        final byte[][] aux = leafAux();
        assertThat(read.magic()).isEqualTo(IndexNode.MAGIC);
        assertThat(read.kind()).isEqualTo(IndexNode.KIND_LEAF);
        assertThat(read.isLeaf()).isTrue();
        assertThat(read.level()).isZero();
        assertThat(read.generation()).isEqualTo(5);
        assertThat(read.block()).isEqualTo(50);
        assertThat(read.owner()).isZero();
        assertThat(read.first()).isZero();
        assertThat(read.count()).isEqualTo(5);
        // entries 79 + 80 + 472 + 472 + 472 bytes packed down from the end of the block
        final int[] lengths = { 79, 80, 472, 472, 472 };
        int end = blockSize;
        for (int i = 0; i < 5; i++)
        {
            end -= lengths[i];
            assertThat(read.entryOffset(i)).as("entry %d offset", i).isEqualTo(end);
            assertThat(read.parentId(i)).as("entry %d parent", i).isEqualTo(LEAF_PARENTS[i]);
            assertThat(read.keyLength(i)).as("entry %d key length", i).isEqualTo(keys[i].length);
            assertThat(read.key(i)).as("entry %d key", i).isEqualTo(keys[i]);
            assertThat(read.auxLength(i)).as("entry %d aux length", i).isEqualTo(aux[i].length);
            assertThat(read.aux(i)).as("entry %d aux", i).isEqualTo(aux[i]);
            assertThat(read.type(i)).as("entry %d type", i).isEqualTo(LEAF_TYPES[i]);
            assertThat(read.flags(i)).as("entry %d flags", i).isEqualTo(LEAF_FLAGS[i]);
            assertThat(read.objectId(i)).as("entry %d object id", i).isEqualTo(LEAF_OBJECT_IDS[i]);
            assertThat(read.objectSize(i)).as("entry %d size", i).isEqualTo(LEAF_SIZES[i]);
            assertThat(read.reservedBytes(i)).as("entry %d reserved", i).isEqualTo(LEAF_RESERVED[i]);
            assertThat(read.accessTime(i)).as("entry %d atime", i).isEqualTo(LEAF_ATIMES[i]);
            assertThat(read.pageMapRoot(i)).as("entry %d root", i).isEqualTo(LEAF_ROOTS[i]);
            assertThat(read.pageMapRootCrc(i)).as("entry %d root crc", i).isEqualTo(LEAF_ROOT_CRCS[i]);
            assertThat(read.pageMapHeight(i)).as("entry %d height", i).isEqualTo(LEAF_HEIGHTS[i]);
            assertThat(read.pageCount(i)).as("entry %d pages", i).isEqualTo(LEAF_PAGE_COUNTS[i]);
        }
        assertThat(read.freeEnd()).isEqualTo(blockSize - 1575);
        assertThat(read.freeSpace()).isEqualTo(blockSize - 1575 - 74);
        assertThat(read.crc()).isEqualTo(crc);
    }

    @ParameterizedTest
    @ValueSource(ints = { 1, 2 })
    void branchRoundTripsEveryField(final int level)
    {
        final ByteBuffer written = ByteBuffer.allocate(4096);
        final int crc = sampleBranch(written, 4096, level, 60, 7).seal();

        final IndexNode read = new IndexNode().wrap(copy(written), 4096);
        read.verify(DEVICE, 60, 7, level, crc, LAYOUT);
        assertThat(read.kind()).isEqualTo(IndexNode.KIND_BRANCH);
        assertThat(read.isLeaf()).isFalse();
        assertThat(read.level()).isEqualTo(level);
        assertThat(read.count()).isEqualTo(4);
        final int childKind = level == 1 ? KIND_INDEX_LEAF : KIND_INDEX_BRANCH;
        final byte[][] keys = branchKeys();
        final int[] offsets = { 4072, 4043, 3619, 3594 };
        for (int i = 0; i < 4; i++)
        {
            assertThat(read.entryOffset(i)).as("entry %d offset", i).isEqualTo(offsets[i]);
            assertThat(read.parentId(i)).as("entry %d parent", i).isEqualTo(BRANCH_PARENTS[i]);
            assertThat(read.key(i)).as("entry %d key", i).isEqualTo(keys[i]);
            assertThat(read.keyLength(i)).as("entry %d key length", i).isEqualTo(keys[i].length);
            assertThat(read.child(i)).as("entry %d child", i)
                .isEqualTo(BlockPointer.encode(BRANCH_CHILD_BLOCKS[i], childKind));
            assertThat(read.childCrc(i)).as("entry %d child crc", i).isEqualTo(BRANCH_CHILD_CRCS[i]);
        }
        assertThat(read.freeEnd()).isEqualTo(3594);
        assertThat(read.freeSpace()).isEqualTo(3594 - 72);
    }

    @Test
    void branchAtBlockSize65536()
    {
        final ByteBuffer written = ByteBuffer.allocate(65536);
        final int crc = sampleBranch(written, 65536, 1, 61, 7).seal();
        final IndexNode read = new IndexNode().wrap(copy(written), 65536);
        read.verify(DEVICE, 61, 7, 1, crc, LAYOUT);
        assertThat(read.entryOffset(0)).isEqualTo(65512);
        assertThat(read.entryOffset(3)).isEqualTo(65536 - 502);
        assertThat(read.child(2)).isEqualTo(BlockPointer.encode(4094, KIND_INDEX_LEAF));
    }

    @ParameterizedTest
    @ValueSource(ints = { 4096, 65536 })
    void appendReportsAFullNodeAndChangesNothing(final int blockSize)
    {
        final IndexNode node = new IndexNode().wrap(ByteBuffer.allocate(blockSize), blockSize)
            .init(IndexNode.KIND_LEAF, 0, 1, 50);
        final int fit = (blockSize - 64) / IndexNode.MAX_LEAF_ENTRY;
        assertThat(fit).isEqualTo(blockSize == 4096 ? 8 : 138);
        for (int i = 0; i < fit; i++)
        {
            final byte[] key = ascii(String.format("key%05d", i));
            assertThat(node.appendLeaf(1, key, new byte[400 - key.length], 0, 0, i + 1, 0, 0, 0, BlockPointer.NULL,
                0, 0, 0)).as("entry %d", i).isTrue();
        }
        final int freeEnd = node.freeEnd();
        assertThat(freeEnd).isEqualTo(blockSize - fit * 472);
        assertThat(node.appendLeaf(2, new byte[400], new byte[0], 0, 0, 999, 0, 0, 0, BlockPointer.NULL, 0, 0, 0))
            .isFalse();
        assertThat(node.count()).isEqualTo(fit);
        assertThat(node.freeEnd()).isEqualTo(freeEnd);
        // 4096: 320 - (64 + 16) = 240 bytes left; 65536: 400 - (64 + 276) = 60, less than the 74 of the smallest entry
        assertThat(node.freeSpace()).isEqualTo(blockSize == 4096 ? 240 : 60);
        assertThat(node.appendLeaf(2, new byte[0], new byte[0], 0, 0, 999, 0, 0, 0, BlockPointer.NULL, 0, 0, 0))
            .isEqualTo(blockSize == 4096);
        node.seal();
        node.verify(DEVICE, 50, 1, 0, null, LAYOUT);
    }

    @Test
    void refusesOversizedKeysAndBadInit()
    {
        final IndexNode node = new IndexNode().wrap(ByteBuffer.allocate(4096), 4096);
        assertThatThrownBy(() -> node.init(3, 0, 1, 50)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("unknown index node kind 3");
        assertThatThrownBy(() -> node.init(IndexNode.KIND_LEAF, 1, 1, 50))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("level 1 does not fit node kind 1");
        assertThatThrownBy(() -> node.init(IndexNode.KIND_BRANCH, 0, 1, 50))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("level 0 does not fit node kind 2");
        assertThatThrownBy(() -> node.init(IndexNode.KIND_BRANCH, 32, 1, 50))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("level 32 does not fit node kind 2");
        node.init(IndexNode.KIND_LEAF, 0, 1, 50);
        assertThatThrownBy(() -> node.appendLeaf(1, new byte[300], new byte[101], 0, 0, 1, 0, 0, 0,
            BlockPointer.NULL, 0, 0, 0)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("key (300 bytes) and aux (101 bytes) exceed 400 bytes together");
        assertThatThrownBy(() -> node.appendBranch(1, new byte[401], BlockPointer.encode(5, KIND_INDEX_LEAF), 0))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("key (401 bytes) and aux (0 bytes) exceed 400 bytes together");
        assertThat(node.count()).isZero();
        assertThat(node.freeEnd()).isEqualTo(4096);
    }

    @Test
    void ordersKeysByUnsignedParentThenUnsignedBytesThenLength()
    {
        assertThat(IndexNode.compareKeys(1, ascii("b"), 2, ascii("a"))).isNegative();
        assertThat(IndexNode.compareKeys(-1L, ascii("a"), 1, ascii("a"))).isPositive();
        assertThat(IndexNode.compareKeys(1, new byte[]{ (byte)0x80 }, 1, new byte[]{ 0x7F })).isPositive();
        assertThat(IndexNode.compareKeys(1, ascii("alpha"), 1, ascii("alphabet"))).isNegative();
        assertThat(IndexNode.compareKeys(1, ascii("alpha"), 1, ascii("alpha"))).isZero();
        assertThat(IndexNode.compareKeys(1, new byte[0], 1, new byte[]{ 0 })).isNegative();

        final IndexNode node = sampleLeaf(ByteBuffer.allocate(4096), 4096, 50, 5);
        assertThat(node.compare(0, 1, ascii("alpha"))).isZero();
        assertThat(node.compare(0, 1, ascii("alphab"))).isNegative();
        assertThat(node.compare(1, 1, ascii("alpha"))).isPositive();
        assertThat(node.compare(2, 1, ascii("zzz"))).as("0xFF sorts after 'z'").isPositive();
        assertThat(node.compare(3, 2, new byte[0])).isZero();
        assertThat(node.compare(4, Long.MAX_VALUE, ascii("z"))).as("parent -1 is the largest").isPositive();
    }

    // ------------------------------------------------------------------------------------------ corruption

    private static IndexNode leaf(final Consumer<IndexNode> change)
    {
        final IndexNode node = sampleLeaf(ByteBuffer.allocate(4096), 4096, 50, 5);
        change.accept(node);
        node.seal();
        return node;
    }

    private static IndexNode branch(final int level, final Consumer<IndexNode> change)
    {
        final IndexNode node = sampleBranch(ByteBuffer.allocate(4096), 4096, level, 60, 5);
        change.accept(node);
        node.seal();
        return node;
    }

    /**
     * Writes {@code value} (of the width of {@code size} bytes) at field {@code field} of entry {@code i}.
     */
    private static Consumer<IndexNode> entry(final int i, final int field, final int size, final long value)
    {
        return node ->
        {
            final ByteBuffer raw = raw(node.buffer());
            final int at = node.entryOffset(i) + field;
            switch (size)
            {
                case 1 -> raw.put(at, (byte)value);
                case 2 -> raw.putShort(at, (short)value);
                case 4 -> raw.putInt(at, (int)value);
                default -> raw.putLong(at, value);
            }
        };
    }

    private static void assertLeafCorrupt(final Consumer<IndexNode> change, final String detail)
    {
        final IndexNode node = leaf(change);
        assertCorrupt(() -> node.verify(DEVICE, 50, 5, -1, null, LAYOUT),
            "corrupt index node: device=cache.img block=50 " + detail);
    }

    private static void assertBranchCorrupt(final int level, final Consumer<IndexNode> change, final String detail)
    {
        final IndexNode node = branch(level, change);
        assertCorrupt(() -> node.verify(DEVICE, 60, 5, -1, null, LAYOUT),
            "corrupt index node: device=cache.img block=60 " + detail);
    }

    @Test
    void detectsUnknownKind()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).put(MetadataBlock.KIND_OFFSET, (byte)3), "kind expected=1 or 2 actual=3");
        assertLeafCorrupt(n -> raw(n.buffer()).put(MetadataBlock.KIND_OFFSET, (byte)0), "kind expected=1 or 2 actual=0");
    }

    @Test
    void detectsWrongLevel()
    {
        final IndexNode leaf = leaf(n -> { });
        assertCorrupt(() -> leaf.verify(DEVICE, 50, 5, 1, null, LAYOUT),
            "corrupt index node: device=cache.img block=50 level expected=1 actual=0");
        final IndexNode branch = branch(2, n -> { });
        assertCorrupt(() -> branch.verify(DEVICE, 60, 5, 1, null, LAYOUT),
            "corrupt index node: device=cache.img block=60 level expected=1 actual=2");
        assertLeafCorrupt(n -> raw(n.buffer()).put(MetadataBlock.LEVEL_OFFSET, (byte)1), "level expected=0 actual=1");
        assertBranchCorrupt(1, n -> raw(n.buffer()).put(MetadataBlock.LEVEL_OFFSET, (byte)0),
            "level expected=in [1, 31] actual=0");
        assertBranchCorrupt(1, n -> raw(n.buffer()).put(MetadataBlock.LEVEL_OFFSET, (byte)32),
            "level expected=in [1, 31] actual=32");
    }

    @Test
    void detectsNonZeroFirstAndOwner()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).putLong(MetadataBlock.FIRST_OFFSET, 5), "first expected=0 actual=5");
        assertLeafCorrupt(n -> raw(n.buffer()).putLong(MetadataBlock.OWNER_OFFSET, 3), "owner expected=0 actual=3");
    }

    @Test
    void detectsFreeEndOutOfRange()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).putInt(MetadataBlock.FREE_END_OFFSET, 60),
            "free end expected=in [74, 4096] actual=60");
        assertLeafCorrupt(n -> raw(n.buffer()).putInt(MetadataBlock.FREE_END_OFFSET, 4100),
            "free end expected=in [74, 4096] actual=4100");
        assertLeafCorrupt(n -> raw(n.buffer()).putShort(MetadataBlock.COUNT_OFFSET, (short)2100),
            "free end expected=in [4264, 4096] actual=2521");
    }

    @Test
    void detectsEmptyBranch()
    {
        assertBranchCorrupt(1, n -> raw(n.buffer()).putShort(MetadataBlock.COUNT_OFFSET, (short)0),
            "count expected=>= 1 in a branch actual=0");
        final IndexNode emptyLeaf = new IndexNode().wrap(ByteBuffer.allocate(4096), 4096)
            .init(IndexNode.KIND_LEAF, 0, 5, 50);
        emptyLeaf.seal();
        emptyLeaf.verify(DEVICE, 50, 5, 0, null, LAYOUT);
    }

    @Test
    void detectsEntryOffsetOutsideTheEntries()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).putShort(IndexNode.SLOTS_OFFSET, (short)100),
            "entry 0 offset expected=in [2521, 4024] actual=100");
        assertLeafCorrupt(n -> raw(n.buffer()).putShort(IndexNode.SLOTS_OFFSET + 2, (short)4030),
            "entry 1 offset expected=in [2521, 4024] actual=4030");
        assertBranchCorrupt(1, n -> raw(n.buffer()).putShort(IndexNode.SLOTS_OFFSET, (short)4090),
            "entry 0 offset expected=in [3594, 4072] actual=4090");
    }

    @Test
    void detectsKeyAndAuxTooLongOrPastTheBlock()
    {
        assertLeafCorrupt(entry(2, IndexNode.LEAF_AUX_LENGTH_OFFSET, 2, 101), "entry 2 key+aux length expected=<= 400 actual=401");
        assertLeafCorrupt(entry(0, IndexNode.LEAF_KEY_LENGTH_OFFSET, 2, 65535),
            "entry 0 key+aux length expected=<= 400 actual=65537");
        assertLeafCorrupt(entry(0, IndexNode.LEAF_KEY_LENGTH_OFFSET, 2, 10), "entry 0 length expected=<= 79 actual=84");
        assertBranchCorrupt(1, entry(0, IndexNode.BRANCH_KEY_LENGTH_OFFSET, 2, 1), "entry 0 length expected=<= 24 actual=25");
        assertBranchCorrupt(1, entry(2, IndexNode.BRANCH_KEY_LENGTH_OFFSET, 2, 401),
            "entry 2 key+aux length expected=<= 400 actual=401");
    }

    @Test
    void detectsBadObjectRecordFields()
    {
        assertLeafCorrupt(entry(1, IndexNode.LEAF_OBJECT_ID_OFFSET, 8, 0), "entry 1 object id expected=>= 1 actual=0");
        assertLeafCorrupt(entry(1, IndexNode.LEAF_OBJECT_ID_OFFSET, 8, -7), "entry 1 object id expected=>= 1 actual=-7");
        assertLeafCorrupt(entry(1, IndexNode.LEAF_OBJECT_SIZE_OFFSET, 8, -1),
            "entry 1 size/reserved/pages expected=non-negative actual=-1/0/0");
        assertLeafCorrupt(entry(3, IndexNode.LEAF_RESERVED_BYTES_OFFSET, 8, -1),
            "entry 3 size/reserved/pages expected=non-negative actual=5/-1/1");
        assertLeafCorrupt(entry(3, IndexNode.LEAF_PAGE_COUNT_OFFSET, 8, -1),
            "entry 3 size/reserved/pages expected=non-negative actual=5/4096/-1");
        assertLeafCorrupt(entry(1, IndexNode.LEAF_FLAGS_OFFSET, 1, 2), "entry 1 flags expected=subset of 0x1 actual=0x2");
        assertLeafCorrupt(entry(0, IndexNode.LEAF_FLAGS_OFFSET, 1, 0x81), "entry 0 flags expected=subset of 0x1 actual=0x81");
        assertLeafCorrupt(entry(0, IndexNode.LEAF_RESERVED_OFFSET, 1, 7), "entry 0 reserved expected=0 actual=7");
        assertLeafCorrupt(entry(0, IndexNode.LEAF_RESERVED2_OFFSET, 4, 0x100), "entry 0 reserved expected=0 actual=256");
        assertBranchCorrupt(1, entry(1, IndexNode.BRANCH_RESERVED_OFFSET, 2, 1), "entry 1 reserved expected=0 actual=1");
    }

    @Test
    void detectsPageMapFieldsWithoutARoot()
    {
        assertLeafCorrupt(entry(1, IndexNode.LEAF_PAGEMAP_HEIGHT_OFFSET, 1, 1),
            "entry 1 page-map height/pages/crc expected=0/0/0 without a root actual=1/0/0");
        assertLeafCorrupt(entry(1, IndexNode.LEAF_PAGE_COUNT_OFFSET, 8, 3),
            "entry 1 page-map height/pages/crc expected=0/0/0 without a root actual=0/3/0");
        assertLeafCorrupt(entry(1, IndexNode.LEAF_PAGEMAP_CRC_OFFSET, 4, 9),
            "entry 1 page-map height/pages/crc expected=0/0/0 without a root actual=0/0/9");
    }

    @Test
    void detectsBadPageMapRoot()
    {
        assertLeafCorrupt(entry(0, IndexNode.LEAF_PAGEMAP_HEIGHT_OFFSET, 1, 9),
            "entry 0 page-map height expected=in [1, 8] actual=9");
        assertLeafCorrupt(entry(0, IndexNode.LEAF_PAGEMAP_HEIGHT_OFFSET, 1, 0),
            "entry 0 page-map height expected=in [1, 8] actual=0");
        assertLeafCorrupt(entry(0, IndexNode.LEAF_PAGEMAP_ROOT_OFFSET, 8, BlockPointer.encode(200, KIND_PAGEMAP_BRANCH)),
            "entry 0 page-map root.kind expected=page-map leaf actual=page-map branch");
        assertLeafCorrupt(entry(2, IndexNode.LEAF_PAGEMAP_ROOT_OFFSET, 8, BlockPointer.encode(300, KIND_PAGEMAP_LEAF)),
            "entry 2 page-map root.kind expected=page-map branch actual=page-map leaf");
        assertLeafCorrupt(entry(0, IndexNode.LEAF_PAGEMAP_ROOT_OFFSET, 8, BlockPointer.encode(4095, KIND_PAGEMAP_LEAF)),
            "entry 0 page-map root block 4095 outside the data region [4, 4095)");
        assertLeafCorrupt(entry(3, IndexNode.LEAF_PAGEMAP_ROOT_OFFSET, 8, BlockPointer.encode(1, KIND_PAGEMAP_LEAF)),
            "entry 3 page-map root block 1 outside the data region [4, 4095)");
    }

    @Test
    void detectsKeysOutOfOrder()
    {
        assertLeafCorrupt(n ->
        {
            final ByteBuffer raw = raw(n.buffer());
            final short first = raw.getShort(IndexNode.SLOTS_OFFSET);
            raw.putShort(IndexNode.SLOTS_OFFSET, raw.getShort(IndexNode.SLOTS_OFFSET + 2));
            raw.putShort(IndexNode.SLOTS_OFFSET + 2, first);
        }, "key order expected=entry 0 < entry 1 actual=not increasing");
        assertLeafCorrupt(n -> raw(n.buffer()).putShort(IndexNode.SLOTS_OFFSET + 8,
                raw(n.buffer()).getShort(IndexNode.SLOTS_OFFSET + 6)),
            "key order expected=entry 3 < entry 4 actual=not increasing");
        assertLeafCorrupt(entry(4, IndexNode.LEAF_PARENT_OFFSET, 8, 1),
            "key order expected=entry 3 < entry 4 actual=not increasing");
        assertBranchCorrupt(1, entry(3, IndexNode.BRANCH_PARENT_OFFSET, 8, 0),
            "key order expected=entry 2 < entry 3 actual=not increasing");
    }

    @Test
    void detectsBadChildPointers()
    {
        assertBranchCorrupt(1, entry(0, IndexNode.BRANCH_CHILD_OFFSET, 8, BlockPointer.encode(10, KIND_INDEX_BRANCH)),
            "entry 0 child.kind expected=index leaf actual=index branch");
        assertBranchCorrupt(2, entry(1, IndexNode.BRANCH_CHILD_OFFSET, 8, BlockPointer.encode(11, KIND_INDEX_LEAF)),
            "entry 1 child.kind expected=index branch actual=index leaf");
        assertBranchCorrupt(1, entry(0, IndexNode.BRANCH_CHILD_OFFSET, 8, BlockPointer.encode(2, KIND_INDEX_LEAF)),
            "entry 0 child block 2 outside the data region [4, 4095)");
        assertBranchCorrupt(1, entry(3, IndexNode.BRANCH_CHILD_OFFSET, 8, BlockPointer.NULL),
            "entry 3 child.kind expected=index leaf actual=unknown(0)");
    }

    @Test
    void detectsCheckValueMismatchesAndNewerGenerations()
    {
        final IndexNode node = leaf(n -> { });
        final int crc = node.crc();
        assertCorrupt(() -> node.verify(DEVICE, 50, 5, 0, crc ^ 1, LAYOUT),
            "corrupt index node: device=cache.img block=50 crc recorded by parent expected=" + hex32(crc ^ 1) +
                " actual=" + hex32(crc));
        assertCorrupt(() -> node.verify(DEVICE, 50, 4, 0, crc, LAYOUT),
            "corrupt index node: device=cache.img block=50 generation expected=in [0, 4] actual=5");
        raw(node.buffer()).putInt(MetadataBlock.CRC_OFFSET, crc ^ 0x8000);
        assertCorrupt(() -> node.verify(DEVICE, 50, 5, 0, null, LAYOUT),
            "corrupt index node: device=cache.img block=50 crc expected=" + hex32(crc ^ 0x8000) + " actual=" +
                hex32(crc));
    }

    @Test
    void detectsWrongMagicAndReservedHeaderBytes()
    {
        assertLeafCorrupt(n -> raw(n.buffer()).putInt(MetadataBlock.MAGIC_OFFSET, PageMapNode.MAGIC),
            "magic expected=0x49534643 actual=0x50534643");
        for (int field = MetadataBlock.RESERVED_OFFSET; field < MetadataBlock.CRC_OFFSET; field += 4)
        {
            final int at = field;
            assertLeafCorrupt(n -> raw(n.buffer()).putInt(at, -1), "reserved@" + at + " expected=0 actual=0xffffffff");
        }
    }
}
