package org.cachefs.format.fsck;

import org.cachefs.format.PageMapNode;

/**
 * The space accounting of objects' reservations, as the engine keeps it in the commit record's reserved-block count:
 * a reservation of {@code n} bytes sets aside {@code ceil(n / B)} pages, their page-map leaves and
 * {@link #OVERHEAD_BLOCKS} blocks of index path and page-map branches; the pages an object stores use it up. See
 * DESIGN.md, "Space".
 */
final class Reservations
{
    /**
     * Blocks a reservation sets aside beyond its pages and their page-map leaves.
     */
    static final int OVERHEAD_BLOCKS = 4;

    private Reservations()
    {
    }

    /**
     * @return pages that {@code bytes} bytes take at {@code blockSize}.
     */
    static long pagesFor(final long bytes, final int blockSize)
    {
        return bytes / blockSize + (bytes % blockSize != 0 ? 1 : 0);
    }

    /**
     * @return blocks of an object's reservation its pages do not use yet.
     */
    static long unused(final int blockSize, final long reservedBytes, final long pageCount)
    {
        return Math.max(0, blocks(blockSize, pagesFor(reservedBytes, blockSize)) - blocks(blockSize, pageCount));
    }

    private static long blocks(final int blockSize, final long pages)
    {
        if (pages == 0)
        {
            return 0;
        }
        final long leafEntries = PageMapNode.fanout(blockSize);
        return pages + (pages + leafEntries - 1) / leafEntries + OVERHEAD_BLOCKS;
    }

    /**
     * @return {@code a + b}, saturated at {@link Long#MAX_VALUE}.
     */
    static long add(final long a, final long b)
    {
        final long sum = a + b;
        return sum < 0 ? Long.MAX_VALUE : sum;
    }
}
