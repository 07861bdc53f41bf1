package org.cachefs.format;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.UUID;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * Shared test fixtures: fixed identities, sample structures with known contents, image-file helpers and the
 * corruption assertion every structure test uses.
 */
public final class Fixtures
{
    public static final String DEVICE = "cache.img";
    public static final UUID UUID_A = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");
    public static final UUID UUID_B = UUID.fromString("fedcba98-7654-3210-fedc-ba9876543210");
    /**
     * 2023-11-14T22:13:20Z.
     */
    public static final long CREATED = 1_700_000_000_000L;
    public static final long COMMITTED = 1_700_000_123_456L;
    public static final int MIB = 1 << 20;

    private Fixtures()
    {
    }

    // ------------------------------------------------------------------------------------------------ assertions

    /**
     * Asserts that {@code call} throws exactly a {@link CorruptCacheException} with exactly {@code message}.
     */
    public static void assertCorrupt(final ThrowingCallable call, final String message)
    {
        assertThatThrownBy(call).isExactlyInstanceOf(CorruptCacheException.class).hasMessage(message);
    }

    public static String hex32(final int value)
    {
        return "0x" + Integer.toHexString(value);
    }

    // ------------------------------------------------------------------------------------------------ buffers

    /**
     * @return a heap copy of the whole capacity of {@code buffer}, in on-disk byte order.
     */
    public static ByteBuffer copy(final ByteBuffer buffer)
    {
        final ByteBuffer source = buffer.duplicate().clear();
        final ByteBuffer copy = ByteBuffer.allocate(source.capacity()).order(FormatVersion.ORDER);
        copy.put(source).clear();
        return copy;
    }

    /**
     * @return a little-endian view of {@code buffer} for poking raw fields.
     */
    public static ByteBuffer raw(final ByteBuffer buffer)
    {
        return buffer.duplicate().clear().order(ByteOrder.LITTLE_ENDIAN);
    }

    public static void flipBit(final ByteBuffer buffer, final int bit)
    {
        final int at = bit >>> 3;
        buffer.put(at, (byte)(buffer.get(at) ^ (1 << (bit & 7))));
    }

    public static byte[] ascii(final String text)
    {
        return text.getBytes(StandardCharsets.US_ASCII);
    }

    public static byte[] filled(final int length, final int first)
    {
        final byte[] bytes = new byte[length];
        for (int i = 0; i < length; i++)
        {
            bytes[i] = (byte)(first + i);
        }
        return bytes;
    }

    // ------------------------------------------------------------------------------------------------ superblock slots

    /**
     * @return a block-sized buffer holding a sealed superblock and commit record, as mkfs writes them.
     */
    public static ByteBuffer slotBlock(
        final RegionLayout layout, final int slot, final long generation, final long block, final String label)
    {
        final ByteBuffer buffer = ByteBuffer.allocate(FormatVersion.MIN_BLOCK_SIZE);
        new Superblock().wrap(buffer).init(layout, 512, UUID_A, label, CREATED, slot).seal(block);
        new CommitRecord().wrap(buffer).init(generation, COMMITTED, layout).seal(block);
        return buffer;
    }

    // ------------------------------------------------------------------------------------------------ index nodes

    /**
     * Keys of {@link #sampleLeaf}, in tree order.
     */
    public static final long[] LEAF_PARENTS = { 1, 1, 1, 2, -1L };

    public static byte[][] leafKeys()
    {
        final byte[] big = filled(300, 0xF0);
        big[0] = (byte)0xFF;
        final byte[] last = filled(400, 'z');
        last[0] = 'z';
        return new byte[][]{ ascii("alpha"), ascii("alphabet"), big, new byte[0], last };
    }

    public static byte[][] leafAux()
    {
        return new byte[][]{ new byte[]{ 1, 2 }, new byte[0], filled(100, 7), filled(400, 0x80), new byte[0] };
    }

    public static final int[] LEAF_TYPES = { 1, 2, 255, 0, 7 };
    public static final int[] LEAF_FLAGS = { IndexNode.FLAG_PINNED, 0, IndexNode.FLAG_PINNED, 0, 0 };
    public static final long[] LEAF_OBJECT_IDS = { 10, 11, 12, 13, Long.MAX_VALUE };
    public static final long[] LEAF_SIZES = { 123_456, 0, 1L << 40, 5, Long.MAX_VALUE };
    public static final long[] LEAF_RESERVED = { 126_976, 0, 1L << 41, 4096, 0 };
    public static final long[] LEAF_ATIMES = { 1_700_000_001_000L, 1_700_000_002_000L, 1, 0, Long.MAX_VALUE };
    public static final long[] LEAF_ROOTS = {
        BlockPointer.encode(200, BlockPointer.KIND_PAGEMAP_LEAF), BlockPointer.NULL,
        BlockPointer.encode(300, BlockPointer.KIND_PAGEMAP_BRANCH),
        BlockPointer.encode(4094, BlockPointer.KIND_PAGEMAP_LEAF), BlockPointer.NULL };
    public static final int[] LEAF_ROOT_CRCS = { 0x600DF00D, 0, 0x13572468, -2, 0 };
    public static final int[] LEAF_HEIGHTS = { 1, 0, 3, 1, 0 };
    public static final long[] LEAF_PAGE_COUNTS = { 31, 0, 1_000_000, 1, 0 };

    /**
     * A leaf of five object records (one with an empty aux, two with key + aux of the maximum 400 bytes), unsealed.
     */
    public static IndexNode sampleLeaf(final ByteBuffer buffer, final int blockSize, final long block,
        final long generation)
    {
        final IndexNode node = new IndexNode().wrap(buffer, blockSize).init(IndexNode.KIND_LEAF, 0, generation, block);
        final byte[][] keys = leafKeys();
        final byte[][] aux = leafAux();
        for (int i = 0; i < keys.length; i++)
        {
            if (!node.appendLeaf(LEAF_PARENTS[i], keys[i], aux[i], LEAF_TYPES[i], LEAF_FLAGS[i], LEAF_OBJECT_IDS[i],
                LEAF_SIZES[i], LEAF_RESERVED[i], LEAF_ATIMES[i], LEAF_ROOTS[i], LEAF_ROOT_CRCS[i], LEAF_HEIGHTS[i],
                LEAF_PAGE_COUNTS[i]))
            {
                throw new AssertionError("sample entry " + i + " did not fit");
            }
        }
        return node;
    }

    public static final long[] BRANCH_PARENTS = { 0, 1, 1, 3 };
    public static final long[] BRANCH_CHILD_BLOCKS = { 10, 11, 4094, 4 };
    public static final int[] BRANCH_CHILD_CRCS = { 0x11111111, 0xCAFEBABE, -1, 0 };

    public static byte[][] branchKeys()
    {
        final byte[] big = new byte[400];
        Arrays.fill(big, (byte)0xFF);
        return new byte[][]{ new byte[0], ascii("alpha"), big, ascii("m") };
    }

    /**
     * A branch of four entries at {@code level}, pointing at leaves (level 1) or branches (level 2+), unsealed.
     */
    public static IndexNode sampleBranch(final ByteBuffer buffer, final int blockSize, final int level,
        final long block, final long generation)
    {
        final IndexNode node = new IndexNode().wrap(buffer, blockSize)
            .init(IndexNode.KIND_BRANCH, level, generation, block);
        final int childKind = level == 1 ? BlockPointer.KIND_INDEX_LEAF : BlockPointer.KIND_INDEX_BRANCH;
        final byte[][] keys = branchKeys();
        for (int i = 0; i < keys.length; i++)
        {
            if (!node.appendBranch(BRANCH_PARENTS[i], keys[i], BlockPointer.encode(BRANCH_CHILD_BLOCKS[i], childKind),
                BRANCH_CHILD_CRCS[i]))
            {
                throw new AssertionError("sample branch entry " + i + " did not fit");
            }
        }
        return node;
    }

    // ------------------------------------------------------------------------------------------------ page maps

    public static final long PAGEMAP_OBJECT = 5;

    /**
     * Slots used by {@link #samplePageMapLeaf}: first, seventh and last.
     */
    public static int[] leafSlots(final int blockSize)
    {
        return new int[]{ 0, 7, PageMapNode.fanout(blockSize) - 1 };
    }

    public static final long[] PAGE_BLOCKS = { 100, 101, 4094 };
    public static final int[] PAGE_CRCS = { 0x12345678, 0x9ABCDEF0, 0 };

    /**
     * A page-map leaf of object 5 covering pages from {@code 2 * fanout}, three pages present, unsealed.
     */
    public static PageMapNode samplePageMapLeaf(final ByteBuffer buffer, final int blockSize, final long block,
        final long generation)
    {
        final PageMapNode node = new PageMapNode().wrap(buffer, blockSize)
            .init(0, PAGEMAP_OBJECT, 2L * PageMapNode.fanout(blockSize), generation, block);
        final int[] slots = leafSlots(blockSize);
        for (int i = 0; i < slots.length; i++)
        {
            node.entry(slots[i], BlockPointer.encode(PAGE_BLOCKS[i], BlockPointer.KIND_DATA), PAGE_CRCS[i]);
        }
        return node;
    }

    public static final int[] BRANCH_SLOTS = { 0, 5 };
    public static final long[] PAGEMAP_CHILD_BLOCKS = { 200, 201 };
    public static final int[] PAGEMAP_CHILD_CRCS = { 0x0BADF00D, 0x7FFFFFFF };

    /**
     * A page-map branch of object 5 at {@code level} covering from {@code 3 * coverage(level)}, two children, unsealed.
     */
    public static PageMapNode samplePageMapBranch(final ByteBuffer buffer, final int blockSize, final int level,
        final long block, final long generation)
    {
        final PageMapNode node = new PageMapNode().wrap(buffer, blockSize)
            .init(level, PAGEMAP_OBJECT, 3 * PageMapNode.coverage(blockSize, level), generation, block);
        final int childKind = level == 1 ? BlockPointer.KIND_PAGEMAP_LEAF : BlockPointer.KIND_PAGEMAP_BRANCH;
        for (int i = 0; i < BRANCH_SLOTS.length; i++)
        {
            node.entry(BRANCH_SLOTS[i], BlockPointer.encode(PAGEMAP_CHILD_BLOCKS[i], childKind),
                PAGEMAP_CHILD_CRCS[i]);
        }
        return node;
    }

    // ------------------------------------------------------------------------------------------------ image files

    /**
     * Formats {@code image} with the fixed uuid, creation time and label "test".
     */
    public static MkfsResult mkfs(final Path image, final long size, final int blockSize) throws IOException
    {
        return Mkfs.format(image, options(size, blockSize), null);
    }

    public static MkfsOptions options(final long size, final int blockSize)
    {
        return MkfsOptions.defaults().withSize(size).withBlockSize(blockSize).withLabel("test").withUuid(UUID_A)
            .withCreatedMillis(CREATED);
    }

    /**
     * Creates a file of {@code size} zero bytes.
     */
    public static Path zeroFile(final Path path, final long size) throws IOException
    {
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE_NEW, StandardOpenOption.WRITE))
        {
            if (size > 0)
            {
                channel.write(ByteBuffer.allocate(1), size - 1);
            }
        }
        return path;
    }

    /**
     * Reads {@code length} bytes at {@code position} of a file, bypassing the device layer.
     */
    public static ByteBuffer readRaw(final Path path, final long position, final int length) throws IOException
    {
        final ByteBuffer buffer = ByteBuffer.allocate(length).order(FormatVersion.ORDER);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            while (buffer.hasRemaining())
            {
                if (channel.read(buffer, position + buffer.position()) < 0)
                {
                    break;
                }
            }
        }
        return buffer.clear();
    }

    /**
     * Writes all of {@code data} at {@code position} of a file, bypassing the device layer.
     */
    public static void writeRaw(final Path path, final long position, final ByteBuffer data) throws IOException
    {
        final ByteBuffer source = data.duplicate().clear();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.WRITE))
        {
            while (source.hasRemaining())
            {
                channel.write(source, position + source.position());
            }
            channel.force(false);
        }
    }

    public static void writeRaw(final Path path, final long position, final byte[] data) throws IOException
    {
        writeRaw(path, position, ByteBuffer.wrap(data));
    }

    /**
     * Reads the superblock slot at {@code block}, lets {@code change} modify it, re-seals both halves for that block
     * and writes it back.
     */
    public static void editSlot(final Path image, final int blockSize, final long block, final SlotEdit change)
        throws IOException
    {
        final ByteBuffer slot = readRaw(image, block * blockSize, FormatVersion.MIN_BLOCK_SIZE);
        final Superblock superblock = new Superblock().wrap(slot);
        final CommitRecord commit = new CommitRecord().wrap(slot);
        change.apply(superblock, commit, raw(slot));
        superblock.seal(block);
        commit.seal(block);
        writeRaw(image, block * blockSize, slot);
    }

    /**
     * Flips bit {@code bit} of the bytes stored at {@code position} of a file, without re-sealing anything.
     */
    public static void flipStoredBit(final Path image, final long position, final int bit) throws IOException
    {
        final ByteBuffer bytes = readRaw(image, position + (bit >>> 3), 1);
        bytes.put(0, (byte)(bytes.get(0) ^ (1 << (bit & 7))));
        writeRaw(image, position + (bit >>> 3), bytes);
    }

    public static boolean isZero(final ByteBuffer buffer)
    {
        for (int i = 0; i < buffer.limit(); i++)
        {
            if (buffer.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    /**
     * A change to a superblock slot: the flyweights and a raw little-endian view of the slot block.
     */
    @FunctionalInterface
    public interface SlotEdit
    {
        void apply(Superblock superblock, CommitRecord commit, ByteBuffer raw);
    }

    /**
     * Offsets of a file-system signature for {@link ForeignSignatures}, written into a zeroed buffer.
     */
    public static void writeForeignSignature(final ByteBuffer buffer, final String filesystem)
    {
        final ByteBuffer bytes = raw(buffer);
        switch (filesystem)
        {
            case "ext2":
                bytes.putShort(1024 + 0x38, (short)0xEF53);
                break;
            case "ext3":
                bytes.putShort(1024 + 0x38, (short)0xEF53);
                bytes.putInt(1024 + 0x5C, 0x4);          // compat: has_journal
                break;
            case "ext4":
                bytes.putShort(1024 + 0x38, (short)0xEF53);
                bytes.putInt(1024 + 0x5C, 0x4);          // compat: has_journal
                bytes.putInt(1024 + 0x60, 0x40);         // incompat: extents
                break;
            case "xfs":
                bytes.put(0, ascii("XFSB"));
                break;
            case "btrfs":
                bytes.put(0x10040, ascii("_BHRfS_M"));
                break;
            case "swap":
                bytes.put(4086, ascii("SWAPSPACE2"));
                break;
            case "bcache":
                bytes.put(4096 + 24, new byte[]{
                    (byte)0xc6, (byte)0x85, 0x73, (byte)0xf6, 0x4e, 0x1a, 0x45, (byte)0xca,
                    (byte)0x82, 0x65, (byte)0xf5, 0x7f, 0x48, (byte)0xba, 0x6d, (byte)0x81 });
                break;
            case "LUKS":
                bytes.put(0, new byte[]{ 'L', 'U', 'K', 'S', (byte)0xBA, (byte)0xBE, 0, 1 });
                break;
            default:
                throw new IllegalArgumentException(filesystem);
        }
    }

    /**
     * Creates a 1 MiB image holding only the signature of {@code filesystem}.
     */
    public static Path foreignImage(final Path path, final String filesystem) throws IOException
    {
        return foreignImage(path, filesystem, MIB);
    }

    /**
     * Creates an image of {@code size} bytes holding only the signature of {@code filesystem}.
     */
    public static Path foreignImage(final Path path, final String filesystem, final long size) throws IOException
    {
        final ByteBuffer start = ByteBuffer.allocate(ForeignSignatures.PROBE_LENGTH);
        writeForeignSignature(start, filesystem);
        zeroFile(path, size);
        writeRaw(path, 0, start);
        return path;
    }

    // ------------------------------------------------------------------------------------------------ old contents

    /**
     * The recognisable, never zero long that {@link #writePattern} stores at byte {@code position} (a multiple of 8):
     * "old page bytes" whose place can be told from their value.
     */
    public static long patternAt(final long position)
    {
        return 0x0BAD_DA7A_0000_0000L | position;
    }

    /**
     * Overwrites the file or device at {@code path} from byte 0 to {@code size} (a multiple of 8) with
     * {@link #patternAt}, through a plain {@link FileChannel} (created if missing), and forces it to the device.
     */
    public static void writePattern(final Path path, final long size) throws IOException
    {
        final ByteBuffer chunk = ByteBuffer.allocate(MIB).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.WRITE))
        {
            for (long at = 0; at < size; at += chunk.capacity())
            {
                chunk.clear().limit((int)Math.min(chunk.capacity(), size - at));
                for (int i = 0; i < chunk.limit(); i += 8)
                {
                    chunk.putLong(i, patternAt(at + i));
                }
                while (chunk.hasRemaining())
                {
                    channel.write(chunk, at + chunk.position());
                }
            }
            channel.force(true);
        }
    }

    /**
     * Reads bytes {@code from} to {@code to} of the file or device at {@code path} through a plain
     * {@link FileChannel} (not through cachefs) in units of {@code unit} bytes (the last one may be shorter).
     *
     * @param zeros true to find the units that are not all zeros, false to find those that do not hold exactly
     *              {@link #patternAt} ({@code from} and {@code unit} multiples of 8).
     * @return the first ten such units, as their first byte's position; empty if there are none.
     */
    public static List<Long> unitsNotHolding(final Path path, final long from, final long to, final int unit,
        final boolean zeros) throws IOException
    {
        final List<Long> found = new ArrayList<>();
        final ByteBuffer buffer = ByteBuffer.allocate(unit).order(ByteOrder.LITTLE_ENDIAN);
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ))
        {
            for (long at = from; at < to && found.size() < 10; at += unit)
            {
                buffer.clear().limit((int)Math.min(unit, to - at));
                while (buffer.hasRemaining())
                {
                    if (channel.read(buffer, at + buffer.position()) < 0)
                    {
                        throw new IOException(path + " ends at " + (at + buffer.position()) + ", before " + to);
                    }
                }
                if (!(zeros ? isZero(buffer) : holdsPattern(buffer, at)))
                {
                    found.add(at);
                }
            }
        }
        return found;
    }

    private static boolean holdsPattern(final ByteBuffer buffer, final long position)
    {
        for (int i = 0; i + 8 <= buffer.limit(); i += 8)
        {
            if (buffer.getLong(i) != patternAt(position + i))
            {
                return false;
            }
        }
        return true;
    }
}
