package org.cachefs.format;

/**
 * A pointer to a block, packed into a {@code long}: the block number and the kind of structure it points to. The
 * value {@link #NULL} (zero) points nowhere; block 0 holds a superblock slot and is never a pointer target.
 *
 * <pre>
 *  63        56 55        48 47                                              0
 * +------------+------------+-------------------------------------------------+
 * |  reserved  |    kind    |                  block number                   |
 * +------------+------------+-------------------------------------------------+
 * </pre>
 */
public final class BlockPointer
{
    public static final long NULL = 0;

    public static final int KIND_INDEX_LEAF = 1;
    public static final int KIND_INDEX_BRANCH = 2;
    public static final int KIND_PAGEMAP_LEAF = 3;
    public static final int KIND_PAGEMAP_BRANCH = 4;
    public static final int KIND_DATA = 5;

    public static final long MAX_BLOCK = (1L << 48) - 1;

    private static final int KIND_SHIFT = 48;
    private static final long RESERVED_MASK = 0xFFL << 56;

    private BlockPointer()
    {
    }

    public static long encode(final long block, final int kind)
    {
        if (block <= 0 || block > MAX_BLOCK)
        {
            throw new IllegalArgumentException("block number out of range: " + block);
        }
        if (kind < KIND_INDEX_LEAF || kind > KIND_DATA)
        {
            throw new IllegalArgumentException("unknown block kind: " + kind);
        }
        return ((long)kind << KIND_SHIFT) | block;
    }

    public static long block(final long pointer)
    {
        return pointer & MAX_BLOCK;
    }

    public static int kind(final long pointer)
    {
        return (int)((pointer >>> KIND_SHIFT) & 0xFF);
    }

    public static String kindName(final int kind)
    {
        switch (kind)
        {
            case KIND_INDEX_LEAF:
                return "index leaf";
            case KIND_INDEX_BRANCH:
                return "index branch";
            case KIND_PAGEMAP_LEAF:
                return "page-map leaf";
            case KIND_PAGEMAP_BRANCH:
                return "page-map branch";
            case KIND_DATA:
                return "data";
            default:
                return "unknown(" + kind + ")";
        }
    }

    /**
     * Validates a pointer read from disk.
     *
     * @param pointer      the raw value.
     * @param expectedKind the kind the referring structure expects.
     * @param firstData    first block of the data region.
     * @param endData      end (exclusive) of the data region.
     * @param structure    the referring structure, for the message.
     * @param device       device name, for the message.
     * @param block        block the referring structure was read from.
     * @param field        field that held the pointer.
     * @return the block number pointed to.
     * @throws CorruptCacheException if the pointer is null, has reserved bits, the wrong kind, or points outside the
     *                               data region.
     */
    public static long check(
        final long pointer,
        final int expectedKind,
        final long firstData,
        final long endData,
        final String structure,
        final String device,
        final long block,
        final String field)
    {
        if ((pointer & RESERVED_MASK) != 0)
        {
            throw new CorruptCacheException(structure, device, block, field, "reserved bits set in pointer 0x" +
                Long.toHexString(pointer));
        }
        final int kind = kind(pointer);
        if (kind != expectedKind)
        {
            throw new CorruptCacheException(structure, device, block, field + ".kind",
                kindName(expectedKind), kindName(kind));
        }
        final long target = block(pointer);
        if (target < firstData || target >= endData)
        {
            throw new CorruptCacheException(structure, device, block, field, "block " + target +
                " outside the data region [" + firstData + ", " + endData + ")");
        }
        return target;
    }

    public static String toString(final long pointer)
    {
        return pointer == NULL ? "null" : kindName(kind(pointer)) + "@" + block(pointer);
    }
}
