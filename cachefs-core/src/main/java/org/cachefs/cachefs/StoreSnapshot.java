package org.cachefs.cachefs;

/**
 * Usage of a mounted CacheFS cache at one instant.
 *
 * @param dataBlocks      blocks in the data region.
 * @param usedDataBlocks  data-region blocks in use (pages, nodes, and freed blocks not yet reusable).
 * @param freeBlocks      blocks free now.
 * @param reservedBlocks  blocks reserved for objects and not yet used by them.
 * @param pendingFree     blocks freed, reusable after the next commits.
 * @param objects         objects in the index.
 * @param pages           pages stored.
 * @param generation      generation of the last commit.
 * @param dirtyNodes      index and page-map nodes changed since the last commit.
 * @param cachedNodes     clean nodes held decoded in memory.
 * @param nodeReads       node blocks read since mount.
 * @param nodeWrites      node blocks written since mount.
 * @param mountedClean    whether the image had been unmounted cleanly before this mount.
 * @param mountCount      mounts of this image, this one included.
 */
public record StoreSnapshot(
    long dataBlocks,
    long usedDataBlocks,
    long freeBlocks,
    long reservedBlocks,
    long pendingFree,
    long objects,
    long pages,
    long generation,
    long dirtyNodes,
    long cachedNodes,
    long nodeReads,
    long nodeWrites,
    boolean mountedClean,
    long mountCount)
{
}
