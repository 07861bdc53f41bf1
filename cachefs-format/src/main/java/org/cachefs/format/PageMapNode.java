package org.cachefs.format;

import java.nio.ByteBuffer;

/**
 * Flyweight over a node of an object's page map: a radix tree from page index to the data block holding the page
 * and the page's CRC32C. Nodes are copy-on-write, like index nodes.
 * <p>
 * Header fields: kind {@link #KIND_LEAF} or {@link #KIND_BRANCH}, level 0 for leaves, owner = the object id, first =
 * the first page index the node covers, count = the number of non-null entries. A node of level {@code l} covers
 * {@code fanout^(l+1)} consecutive pages starting at a multiple of that number.
 *
 * <pre>
 *   0        64                                                                   block size
 *   +--------+--------------------------------------------------------------------+
 *   | header | entry 0 | entry 1 | ...                     | entry fanout - 1      |
 *   +--------+--------------------------------------------------------------------+
 * entry, 16 bytes:
 *   0 pointer (a data block in a leaf, a child node in a branch; 0 = absent)
 *   8 crc32c of the data page (leaf) or of the child node (branch)
 *  12 reserved, zero
 * </pre>
 */
public final class PageMapNode extends MetadataBlock
{
    /**
     * "CFSP" read as a little-endian int.
     */
    public static final int MAGIC = 0x50534643;
    /** Header kind of a leaf: its entries point to data pages. */
    public static final int KIND_LEAF = 1;
    /** Header kind of a branch: its entries point to child nodes. */
    public static final int KIND_BRANCH = 2;
    /** Offset of the entries, right after the header. */
    public static final int ENTRIES_OFFSET = HEADER_LENGTH;
    /** Length of an entry. */
    public static final int ENTRY_LENGTH = 16;
    /** Offset in an entry of the pointer, 0 when absent (8 bytes). */
    public static final int ENTRY_POINTER_OFFSET = 0;
    /** Offset in an entry of the crc32c of the page or child node (4 bytes). */
    public static final int ENTRY_CRC_OFFSET = 8;
    /** Offset in an entry of 4 reserved bytes, zero. */
    public static final int ENTRY_RESERVED_OFFSET = 12;

    /**
     * Highest page-map tree; at the smallest fanout (252) it covers more than 2^63 pages.
     */
    public static final int MAX_HEIGHT = 8;

    private static final String STRUCTURE = "page-map node";

    /**
     * A flyweight over no block yet: {@link #wrap(ByteBuffer, int)} gives it one.
     */
    public PageMapNode()
    {
    }

    @Override
    protected int magicNumber()
    {
        return MAGIC;
    }

    @Override
    protected String structure()
    {
        return STRUCTURE;
    }

    /**
     * @param blockSize the image's block size.
     * @return entries per node at {@code blockSize}.
     */
    public static int fanout(final int blockSize)
    {
        return (blockSize - HEADER_LENGTH) / ENTRY_LENGTH;
    }

    /**
     * @param blockSize the image's block size.
     * @param level     the node's level, 0 for a leaf.
     * @return how many pages a node of {@code level} covers, saturated at {@link Long#MAX_VALUE}.
     */
    public static long coverage(final int blockSize, final int level)
    {
        final long fanout = fanout(blockSize);
        long pages = fanout;
        for (int l = 0; l < level; l++)
        {
            if (pages > Long.MAX_VALUE / fanout)
            {
                return Long.MAX_VALUE;
            }
            pages *= fanout;
        }
        return pages;
    }

    /**
     * @param blockSize the image's block size.
     * @param pageIndex the largest page index to hold.
     * @return the height a page map needs to hold page index {@code pageIndex}.
     */
    public static int heightFor(final int blockSize, final long pageIndex)
    {
        int height = 1;
        long covered = coverage(blockSize, 0);
        // a saturated coverage stands for more than Long.MAX_VALUE pages: it holds every page index
        while (covered != Long.MAX_VALUE && covered <= pageIndex)
        {
            height++;
            covered = coverage(blockSize, height - 1);
        }
        return height;
    }

    /**
     * Wraps a block read from or to be written to the device.
     *
     * @param buffer    the block's bytes, from position 0.
     * @param blockSize the image's block size.
     * @return this flyweight.
     */
    public PageMapNode wrap(final ByteBuffer buffer, final int blockSize)
    {
        wrapBlock(buffer, blockSize);
        return this;
    }

    /**
     * Starts an empty node.
     *
     * @param level      0 for a leaf.
     * @param objectId   the owning object.
     * @param firstPage  first page index covered; a multiple of {@link #coverage(int, int)} at {@code level}.
     * @param generation commit generation being written.
     * @param block      the block it will be written to.
     * @return this flyweight.
     */
    public PageMapNode init(
        final int level, final long objectId, final long firstPage, final long generation, final long block)
    {
        if (level < 0 || level >= MAX_HEIGHT)
        {
            throw new IllegalArgumentException("page-map level " + level + " outside [0, " + (MAX_HEIGHT - 1) + "]");
        }
        if (firstPage < 0 || firstPage % coverage(blockSize, level) != 0)
        {
            throw new IllegalArgumentException("first page " + firstPage + " is not aligned to the " +
                coverage(blockSize, level) + " pages a level-" + level + " node covers");
        }
        initHeader(level == 0 ? KIND_LEAF : KIND_BRANCH, level, generation, block, objectId, firstPage);
        return this;
    }

    /** @return the entries of this node, {@link #fanout(int)} at its block size. */
    public int fanout()
    {
        return fanout(blockSize);
    }

    /** @return the object that owns the node (the header's owner). */
    public long objectId()
    {
        return owner();
    }

    /** @return the first page index the node covers (the header's first). */
    public long firstPage()
    {
        return first();
    }

    /**
     * @param slot the entry, 0 to {@link #fanout()} - 1.
     * @return the pointer of entry {@code slot}, {@link BlockPointer#NULL} when absent.
     */
    public long pointer(final int slot)
    {
        return getLong(entryOffset(slot) + ENTRY_POINTER_OFFSET);
    }

    /**
     * @param slot the entry, 0 to {@link #fanout()} - 1.
     * @return the check value of entry {@code slot}: the page's in a leaf, the child node's in a branch.
     */
    public int entryCrc(final int slot)
    {
        return getInt(entryOffset(slot) + ENTRY_CRC_OFFSET);
    }

    /**
     * Sets or, with {@link BlockPointer#NULL}, clears entry {@code slot}, keeping the count right.
     *
     * @param slot    the entry, 0 to {@link #fanout()} - 1.
     * @param pointer the data block (leaf) or child node (branch), or {@link BlockPointer#NULL}.
     * @param crc     the page's or child node's check value.
     */
    public void entry(final int slot, final long pointer, final int crc)
    {
        final int at = entryOffset(slot);
        final boolean wasPresent = getLong(at + ENTRY_POINTER_OFFSET) != BlockPointer.NULL;
        final boolean present = pointer != BlockPointer.NULL;
        putLong(at + ENTRY_POINTER_OFFSET, pointer);
        putInt(at + ENTRY_CRC_OFFSET, present ? crc : 0);
        if (wasPresent != present)
        {
            count(count() + (present ? 1 : -1));
        }
    }

    /**
     * @param pageIndex a page index within the node's coverage.
     * @return the slot of page index {@code pageIndex} in this node.
     */
    public int slotOf(final long pageIndex)
    {
        final long sub = coverage(blockSize, level() - 1);
        final long relative = pageIndex - firstPage();
        return (int)(level() == 0 ? relative : relative / sub);
    }

    private int entryOffset(final int slot)
    {
        if (slot < 0 || slot >= fanout())
        {
            throw new IndexOutOfBoundsException("slot " + slot + " outside [0, " + fanout() + ")");
        }
        return ENTRIES_OFFSET + slot * ENTRY_LENGTH;
    }

    /**
     * Validates the node read from {@code block}.
     *
     * @param device        device name for messages.
     * @param block         where the node was read from.
     * @param objectId      the object the referrer expects to own it.
     * @param generation    generation of the commit being read.
     * @param expectedLevel level the referrer expects.
     * @param expectedFirst first page the referrer expects.
     * @param expectedCrc   check value the referrer recorded, or {@code null} if none.
     * @param layout        the image's regions, to check pointers against.
     */
    public void verify(
        final String device,
        final long block,
        final long objectId,
        final long generation,
        final int expectedLevel,
        final long expectedFirst,
        final Integer expectedCrc,
        final RegionLayout layout)
    {
        verifyHeader(device, block, objectId, generation, expectedCrc);
        final int level = level();
        if (level != expectedLevel)
        {
            throw corrupt(device, block, "level", expectedLevel, level);
        }
        final int expectedKind = level == 0 ? KIND_LEAF : KIND_BRANCH;
        if (kind() != expectedKind)
        {
            throw corrupt(device, block, "kind", expectedKind, kind());
        }
        if (first() != expectedFirst)
        {
            throw corrupt(device, block, "first page", expectedFirst, first());
        }
        if (getInt(FREE_END_OFFSET) != 0)
        {
            throw corrupt(device, block, "free end", 0, getInt(FREE_END_OFFSET));
        }
        final int childKind = level == 0 ? BlockPointer.KIND_DATA :
            level == 1 ? BlockPointer.KIND_PAGEMAP_LEAF : BlockPointer.KIND_PAGEMAP_BRANCH;
        int present = 0;
        final int fanout = fanout();
        for (int slot = 0; slot < fanout; slot++)
        {
            final int at = entryOffset(slot);
            if (getInt(at + ENTRY_RESERVED_OFFSET) != 0)
            {
                throw corrupt(device, block, "entry " + slot + " reserved", 0, getInt(at + ENTRY_RESERVED_OFFSET));
            }
            final long pointer = pointer(slot);
            if (pointer == BlockPointer.NULL)
            {
                if (entryCrc(slot) != 0)
                {
                    throw corrupt(device, block, "entry " + slot + " crc of absent page", 0, entryCrc(slot));
                }
                continue;
            }
            BlockPointer.check(pointer, childKind, layout.dataStart(), layout.dataEnd(), STRUCTURE, device, block,
                "entry " + slot);
            present++;
        }
        if (present != count())
        {
            throw corrupt(device, block, "count", present, count());
        }
        if (present == 0)
        {
            throw corrupt(device, block, "count", ">= 1 (empty nodes are not written)", 0);
        }
    }
}
