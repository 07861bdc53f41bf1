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
    /** The pointer to nothing. */
    public static final long NULL = 0;

    /** Kind of a pointer to an index tree leaf. */
    public static final int KIND_INDEX_LEAF = 1;
    /** Kind of a pointer to an index tree branch. */
    public static final int KIND_INDEX_BRANCH = 2;
    /** Kind of a pointer to a page map leaf. */
    public static final int KIND_PAGEMAP_LEAF = 3;
    /** Kind of a pointer to a page map branch. */
    public static final int KIND_PAGEMAP_BRANCH = 4;
    /** Kind of a pointer to a data page. */
    public static final int KIND_DATA = 5;

    /** Largest block number a pointer holds (48 bits). */
    public static final long MAX_BLOCK = (1L << 48) - 1;

    private static final int KIND_SHIFT = 48;
    private static final long RESERVED_MASK = 0xFFL << 56;

    private BlockPointer()
    {
    }

    /**
     * Packs a pointer.
     *
     * @param block the block number, 1 to {@link #MAX_BLOCK}.
     * @param kind  one of the {@code KIND_} constants.
     * @return the pointer.
     * @throws IllegalArgumentException if the block number or the kind is out of range.
     */
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

    /**
     * @param pointer the packed pointer.
     * @return the block number of {@code pointer}.
     */
    public static long block(final long pointer)
    {
        return pointer & MAX_BLOCK;
    }

    /**
     * @param pointer the packed pointer.
     * @return the kind of {@code pointer}.
     */
    public static int kind(final long pointer)
    {
        return (int)((pointer >>> KIND_SHIFT) & 0xFF);
    }

    /**
     * @param kind the kind.
     * @return the name of a kind for messages, e.g. "index leaf"; "unknown(kind)" for an unknown one.
     */
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

    /**
     * @param pointer the packed pointer.
     * @return {@code pointer} for messages: "null", or the kind's name and the block, e.g. "data@1234".
     */
    public static String toString(final long pointer)
    {
        return pointer == NULL ? "null" : kindName(kind(pointer)) + "@" + block(pointer);
    }
}
