package org.cachefs.cachefs;

import java.nio.ByteBuffer;

/**
 * Pages of one object written to consecutive blocks and not yet on the device: they reach it in one I/O when the
 * run is full, when the next page's block does not follow, before anything reads or frees them, and before every
 * commit. Guarded by the {@link CacheStore} lock.
 */
final class WriteRun
{
    /** Blocks in a full run: 128 KiB at 4 KiB blocks, the size multi-page reads merge to. */
    static final int MAX_BLOCKS = CacheFsBackend.MAX_MERGED_BLOCKS;

    final ByteBuffer buffer;
    final long firstBlock;
    int count;

    WriteRun(final ByteBuffer buffer, final long firstBlock)
    {
        this.buffer = buffer;
        this.firstBlock = firstBlock;
    }

    boolean follows(final long block)
    {
        return block == firstBlock + count && count < MAX_BLOCKS;
    }

    boolean holds(final long block)
    {
        return block >= firstBlock && block < firstBlock + count;
    }
}
