package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BitmapBlock;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * The page allocation bitmap in memory (one bit per device block) and the rules that keep it crash-safe:
 * <ul>
 *     <li>a block that the last durable commit references is never handed out: a committed block freed while
 *     generation {@code g} is built is written to bitmap copy {@code g % 2} as free but becomes reusable only once
 *     commit {@code g} is durable;</li>
 *     <li>a block allocated and freed within one generation, never committed, is free again at once;</li>
 *     <li>a block allocated for a write still in flight is written to the bitmap as free, so a crash does not leak
 *     it.</li>
 * </ul>
 * Bitmap copy {@code g % 2} is written at commit {@code g}; each copy rewrites only the bitmap blocks that changed
 * since that copy was last written.
 * <p>
 * The allocator also knows which blocks hold metadata nodes read or written since mount, so that a damaged page map
 * whose data pointer lands on a node cannot free that node's block ({@link #dataBlockProblem}); see DESIGN.md, "I/O
 * errors, corruption and interrupts".
 * <p>
 * Threading: owned by {@link CacheStore} and used only under its lock.
 */
final class BlockAllocator
{
    private final String device;
    private final RegionLayout layout;
    private final long[] used;
    private final long[][] dirtyBitmapBlocks = new long[2][];
    private final long bitsPerBitmapBlock;
    private long usedCount;
    private long cursor;
    /** Committed blocks freed since the last commit: reusable once the next commit is durable. */
    private final BlockSet freed;
    /** Blocks allocated since the last durable commit (none of its structures refers to them). */
    private final BlockSet fresh;
    /** Blocks of data writes not landed yet: written to the bitmap as free. */
    private final BlockSet inflight;
    /**
     * Blocks of the index and page-map nodes read or written since mount and not freed since: never a data page's to
     * free.
     */
    private final BlockSet nodes;

    private BlockAllocator(final String device, final RegionLayout layout)
    {
        this.device = device;
        this.layout = layout;
        this.used = new long[(int)((layout.blockCount() + 63) >>> 6)];
        this.bitsPerBitmapBlock = BitmapBlock.bitsPerBlock(layout.blockSize());
        final int dirtyWords = (int)((layout.bitmapBlocks() + 63) >>> 6);
        dirtyBitmapBlocks[0] = new long[dirtyWords];
        dirtyBitmapBlocks[1] = new long[dirtyWords];
        this.cursor = layout.dataStart();
        this.freed = new BlockSet(layout.blockCount());
        this.fresh = new BlockSet(layout.blockCount());
        this.inflight = new BlockSet(layout.blockCount());
        this.nodes = new BlockSet(layout.blockCount());
    }

    /**
     * Reads the bitmap copy of {@code commit}, validating each block and the used-block count.
     */
    static BlockAllocator load(final BlockDevice device, final RegionLayout layout, final CommitRecord commit)
        throws IOException
    {
        final BlockAllocator allocator = new BlockAllocator(device.name(), layout);
        final int copy = commit.bitmapCopy();
        final int blockSize = layout.blockSize();
        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize, blockSize);
        final BitmapBlock bitmap = new BitmapBlock();
        final int wordsPerBlock = (int)(allocator.bitsPerBitmapBlock / Long.SIZE);
        for (long index = 0; index < layout.bitmapBlocks(); index++)
        {
            final long block = layout.bitmapStart(copy) + index;
            device.read(block * blockSize, buffer.clear());
            bitmap.wrap(buffer, blockSize).verify(device.name(), block, copy, index, commit.generation(), layout);
            final int firstWord = (int)(index * wordsPerBlock);
            bitmap.copyBitsTo(allocator.used, firstWord, Math.min(wordsPerBlock, allocator.used.length - firstWord));
        }
        long count = 0;
        for (final long word : allocator.used)
        {
            count += Long.bitCount(word);
        }
        if (count != commit.usedBlocks())
        {
            throw new CorruptCacheException("bitmap", device.name(), layout.bitmapStart(copy), "used blocks",
                "the commit record's " + commit.usedBlocks(), count);
        }
        allocator.usedCount = count;
        return allocator;
    }

    /**
     * Marks every bitmap block of both copies for rewriting (after mount, the copy the next commit writes is older
     * than the one read, by an unknown set of blocks).
     */
    void markAllDirty()
    {
        for (final long[] dirty : dirtyBitmapBlocks)
        {
            java.util.Arrays.fill(dirty, -1L);
        }
    }

    boolean isUsed(final long block)
    {
        return (used[(int)(block >>> 6)] & (1L << block)) != 0;
    }

    /**
     * @return blocks neither in use nor waiting to be released.
     */
    long freeBlocks()
    {
        return layout.blockCount() - usedCount;
    }

    long usedBlocks()
    {
        return usedCount;
    }

    /**
     * @return blocks freed but held until the next commit: what committing would give back.
     */
    long pendingFree()
    {
        return freed.size();
    }

    /**
     * Allocates a data-region block, preferring {@code hint} and then the blocks after the last allocation (past the
     * {@link #DATA_WINDOW} of the last data page that was not placed by its hint).
     *
     * @param inFlight true if the block will be written before anything refers to it (a data page), so that a
     *                 commit meanwhile records it as free.
     * @return the block, or -1 if the data region is full.
     */
    long allocate(final long hint, final boolean inFlight)
    {
        long block = -1;
        boolean hinted = false;
        if (hint >= layout.dataStart() && hint < layout.dataEnd() && !isUsed(hint))
        {
            block = hint;
            hinted = true;
        }
        else
        {
            block = findFree(cursor, layout.dataEnd());
            if (block < 0)
            {
                block = findFree(layout.dataStart(), cursor);
            }
        }
        if (block < 0)
        {
            return -1;
        }
        set(block);
        fresh.add(block);
        if (inFlight)
        {
            inflight.add(block);
        }
        if (!hinted || block == cursor)
        {
            // A data page that starts a new stretch leaves the next blocks to the same object: objects written at
            // the same time then each get consecutive blocks instead of interleaving. Others search past them.
            final long next = block + (inFlight && !hinted ? DATA_WINDOW : 1);
            cursor = next < layout.dataEnd() ? next : layout.dataStart();
        }
        return block;
    }

    /** Blocks after the first of a new stretch of an object's pages that other allocations skip. */
    static final int DATA_WINDOW = WriteRun.MAX_BLOCKS;

    /**
     * The in-flight write to {@code block} completed and metadata now refers to it.
     */
    void landed(final long block)
    {
        if (inflight.remove(block))
        {
            markDirty(block);
        }
    }

    /**
     * Frees {@code block}: at once if it was never committed, else once the next commit is durable. A node block
     * stops counting as metadata.
     *
     * @throws CorruptCacheException if the bitmap marks the block free already: whatever referred to it shared it
     *                               with another owner, or the bitmap lost it.
     */
    void free(final long block)
    {
        if (!isUsed(block))
        {
            throw new CorruptCacheException("bitmap", device, block, "bit",
                "clear, but the block is being freed: it was freed already, or the bitmap lost it");
        }
        nodes.remove(block);
        inflight.remove(block);
        if (fresh.remove(block))
        {
            clear(block);
        }
        else
        {
            freed.add(block);
        }
    }

    /**
     * A node was written to, or read and validated from, {@code block}.
     */
    void markNode(final long block)
    {
        nodes.add(block);
    }

    /** {@link #keepNode}: the node's block was in use and not freed, as it should be. */
    static final int NODE_KEPT = 0;
    /** {@link #keepNode}: the node's block was free or freed; it is in use again. */
    static final int NODE_RESTORED = 1;
    /** {@link #keepNode}: the node's block was handed out again since the last commit. */
    static final int NODE_REUSED = 2;

    /**
     * A node of the tree of the last durable commit was read from {@code block} and validated (its block number,
     * owner and check value, and the check value its parent recorded), so it is live and its block must stay
     * allocated. A block the bitmap lost (see {@link #isLost}) is {@linkplain #restore restored}; the node then
     * counts as metadata.
     *
     * @return {@link #NODE_KEPT}, {@link #NODE_RESTORED}, or {@link #NODE_REUSED} if the block was allocated again
     * since the last commit: something else is about to overwrite it, so the node cannot be relied on.
     */
    int keepNode(final long block)
    {
        if (fresh.contains(block))
        {
            return NODE_REUSED;
        }
        int outcome = NODE_KEPT;
        if (isLost(block))
        {
            restore(block);
            outcome = NODE_RESTORED;
        }
        nodes.add(block);
        return outcome;
    }

    /**
     * @return true if {@code block} is free, or freed since the last commit, though the tree of the last commit may
     * still refer to it: a damaged bitmap, or a free through a pointer that shared the block with its owner. Such a
     * block has not been handed out again yet.
     */
    boolean isLost(final long block)
    {
        return !isUsed(block) || freed.contains(block);
    }

    /**
     * Takes a {@linkplain #isLost lost} block back into use, for the structure that was found to own it: a free block
     * is allocated again (as committed: the next bitmap copy marks it used), a pending free is undone.
     */
    void restore(final long block)
    {
        if (!isUsed(block))
        {
            set(block);
        }
        else if (freed.remove(block))
        {
            markDirty(block);
        }
    }

    /**
     * Checks a block that a page map names as the data block of one of its pages: a block in use, not freed since
     * the last commit and not a node's. When a page map is read from disk ({@code freeing} false), the block must
     * also have been allocated before the last commit, which wrote that page map.
     *
     * @return null if the block may be the page's, else why not (a phrase after "points at block N, ").
     */
    String dataBlockProblem(final long block, final boolean freeing)
    {
        if (!isUsed(block))
        {
            return "which the bitmap marks free";
        }
        if (freed.contains(block))
        {
            return "which was freed since the last commit";
        }
        if (nodes.contains(block))
        {
            return "which holds a metadata node";
        }
        if (!freeing && fresh.contains(block))
        {
            return "which was allocated since the last commit";
        }
        return null;
    }

    /**
     * @return the number of set bits bitmap copy {@code copy} would be written with now.
     */
    long committedUsedCount()
    {
        return usedCount - inflight.size() - freed.size();
    }

    /**
     * Writes the bitmap blocks of copy {@code generation % 2} that changed since that copy was last written: in-use
     * blocks set, except blocks of in-flight writes and blocks freed since the last commit.
     */
    void writeBitmap(final BlockDevice device, final long generation) throws IOException
    {
        final int copy = (int)(generation & 1);
        final int blockSize = layout.blockSize();
        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize, blockSize);
        final BitmapBlock bitmap = new BitmapBlock();
        final long[] excluded = new long[used.length];
        inflight.orInto(excluded);
        freed.orInto(excluded);
        inflight.forEach(this::markDirty);
        freed.forEach(this::markDirty);
        final long[] dirty = dirtyBitmapBlocks[copy];
        final int wordsPerBlock = (int)(bitsPerBitmapBlock / Long.SIZE);
        final long[] words = new long[wordsPerBlock];
        for (long index = 0; index < layout.bitmapBlocks(); index++)
        {
            if ((dirty[(int)(index >>> 6)] & (1L << index)) == 0)
            {
                continue;
            }
            final int firstWord = (int)(index * wordsPerBlock);
            for (int w = 0; w < wordsPerBlock; w++)
            {
                final int at = firstWord + w;
                words[w] = at < used.length ? used[at] & ~excluded[at] : 0;
            }
            final long block = layout.bitmapStart(copy) + index;
            bitmap.wrap(buffer, blockSize).init(copy, index, generation, block);
            bitmap.copyBitsFrom(words, 0);
            bitmap.seal();
            device.write(block * blockSize, buffer.clear());
        }
        java.util.Arrays.fill(dirty, 0);
        // Blocks of in-flight writes were written as free only for now: the next commits rewrite them.
        inflight.forEach(this::markDirty);
    }

    /**
     * The commit whose bitmap was written last is durable: blocks freed before it are referenced by no current
     * commit and become free.
     */
    void committed()
    {
        freed.forEach(this::clear);
        freed.clear();
        fresh.retainAll(inflight);
        freed.trim();
        fresh.trim();
        inflight.trim();
        nodes.trim();
    }

    private long findFree(final long from, final long to)
    {
        long block = from;
        while (block < to)
        {
            final int wordIndex = (int)(block >>> 6);
            final long free = ~used[wordIndex] & (-1L << block);
            if (free != 0)
            {
                final long candidate = ((long)wordIndex << 6) + Long.numberOfTrailingZeros(free);
                return candidate < to ? candidate : -1;
            }
            block = ((long)wordIndex + 1) << 6;
        }
        return -1;
    }

    private void set(final long block)
    {
        used[(int)(block >>> 6)] |= 1L << block;
        usedCount++;
        markDirty(block);
    }

    private void clear(final long block)
    {
        used[(int)(block >>> 6)] &= ~(1L << block);
        usedCount--;
        markDirty(block);
    }

    private void markDirty(final long block)
    {
        final long index = block / bitsPerBitmapBlock;
        final int word = (int)(index >>> 6);
        final long bit = 1L << index;
        dirtyBitmapBlocks[0][word] |= bit;
        dirtyBitmapBlocks[1][word] |= bit;
    }
}
