package org.cachefs.cachefs;

/**
 * What culling has done on a mounted cache since mount.
 *
 * @param runs             culling runs (each from below {@code bcull} towards {@code brun}).
 * @param objectsCulled    objects dropped whole.
 * @param pagesCulled      pages dropped, with whole objects or by range from large ones.
 * @param bytesFreed       bytes of blocks culling gave back (pages and their metadata).
 * @param nanosBelowStop   time spent below {@code bstop}, refusing new pages.
 * @param refusedBelowStop pages refused because free space was below {@code bstop}.
 * @param freePercent      free space now, in percent of the data region.
 */
public record CullingStats(
    long runs, long objectsCulled, long pagesCulled, long bytesFreed, long nanosBelowStop, long refusedBelowStop,
    double freePercent)
{
}
