package org.cachefs.cachefs;

/**
 * The culling limits of a cache, in percent of the data region that is free, as CacheFiles' {@code brun},
 * {@code bcull} and {@code bstop}: below {@code bcull} the least recently used objects that are neither in use nor
 * pinned are culled until free space is back above {@code brun}; below {@code bstop} new pages are refused
 * ({@code NO_BUFS}) except within an object's own reservation, until culling recovers. Immutable; validated at
 * construction: {@code 0 <= bstop < bcull < brun < 100}.
 * <p>
 * CacheFiles' object-count limits ({@code frun/fcull/fstop}) have no counterpart: this format bounds objects only by
 * the space their index entries take, which these limits already govern.
 *
 * @param brun  culling stops once free space is at or above this.
 * @param bcull culling starts when free space falls below this.
 * @param bstop new allocations are refused while free space is below this.
 */
public record CullingThresholds(int brun, int bcull, int bstop)
{
    /**
     * Checks the limits.
     *
     * @param brun  culling stops once free space is at or above this.
     * @param bcull culling starts when free space falls below this.
     * @param bstop new allocations are refused while free space is below this.
     * @throws IllegalArgumentException naming the limit that is out of [0, 99] or out of order.
     */
    public CullingThresholds
    {
        check("bstop", bstop, 0, 99);
        check("bcull", bcull, 0, 99);
        check("brun", brun, 0, 99);
        if (!(bstop < bcull))
        {
            throw new IllegalArgumentException("invalid culling threshold bstop=" + bstop + ": must be below bcull=" +
                bcull + " (0 <= bstop < bcull < brun < 100)");
        }
        if (!(bcull < brun))
        {
            throw new IllegalArgumentException("invalid culling threshold bcull=" + bcull + ": must be below brun=" +
                brun + " (0 <= bstop < bcull < brun < 100)");
        }
    }

    /**
     * @return brun=10, bcull=7, bstop=3, as CacheFiles.
     */
    public static CullingThresholds defaults()
    {
        return new CullingThresholds(10, 7, 3);
    }

    private static void check(final String name, final int value, final int min, final int max)
    {
        if (value < min || value > max)
        {
            throw new IllegalArgumentException("invalid culling threshold " + name + "=" + value + ": must be in [" +
                min + ", " + max + "]");
        }
    }
}
