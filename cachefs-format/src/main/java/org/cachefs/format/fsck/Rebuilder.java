package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.Checksums;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.IndexNode;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * The repair pass: writes a new, consistent metadata set from what the {@link Checker} decided, and commits it as
 * generation {@code g + 1} the crash-safe way.
 * <ol>
 *     <li>Walks the index again (the same walk meets the same records in the same order) and skips the records
 *     the check dropped.</li>
 *     <li>Keeps the page map of an object whose pages all survive as it is (its blocks stay in use); writes a new
 *     page map for an object that loses pages: pages past its size, pages whose CRC32C failed ({@code -f}), and
 *     pages on doubly-referenced blocks unless their CRC32C matches the block and no kept structure claimed it.</li>
 *     <li>Bulk-loads a new index tree from the kept records (with their page counts and page-map roots).</li>
 *     <li>All new nodes go to blocks neither the new set nor the current commit uses ({@link RepairAllocator}).</li>
 *     <li>Writes bitmap copy {@code (g + 1) % 2} in full, flushes, writes superblock slot {@code (g + 1) % 2} with
 *     the recomputed counters and the clean flag, flushes; rewrites a damaged backup superblock last.</li>
 * </ol>
 */
final class Rebuilder
{
    private final BlockDevice device;
    private final RegionLayout layout;
    private final Superblock superblock;
    private final CommitRecord commit;
    private final Checker checker;
    private final boolean force;
    private final int blockSize;
    private final Bits used;
    private final RepairAllocator allocator;
    private final IndexBuilder index;
    private final PageMapBuilder pageMap;
    private final PageMapWalker walker;
    private final ByteBuffer page;
    private final Checksums checksums = new Checksums();

    private long objects;
    private long pages;
    private long reservedBlocks;

    Rebuilder(
        final BlockDevice device,
        final RegionLayout layout,
        final Superblock superblock,
        final CommitRecord commit,
        final Checker checker,
        final boolean force)
    {
        this.device = device;
        this.layout = layout;
        this.superblock = superblock;
        this.commit = commit;
        this.checker = checker;
        this.force = force;
        this.blockSize = layout.blockSize();
        this.used = new Bits(layout.blockCount());
        CommitWriter.markMetadata(used, layout);
        this.allocator = new RepairAllocator(device, layout, commit, checker.referenced(), used);
        final int alignment = Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT);
        final long generation = commit.generation() + 1;
        this.index = new IndexBuilder(allocator, blockSize, alignment, generation);
        this.pageMap = new PageMapBuilder(allocator, blockSize, alignment, generation);
        this.walker = new PageMapWalker(device, layout, commit.generation());
        this.page = AlignedBuffers.allocate(blockSize, alignment);
    }

    /**
     * @return pages the repaired image holds.
     */
    long pages()
    {
        return pages;
    }

    long generation()
    {
        return commit.generation() + 1;
    }

    /**
     * Writes the new metadata set and commits it.
     *
     * @param rewriteBackup also rewrite the backup superblock (after the commit).
     * @throws RepairException if it cannot be written; the current commit is then untouched.
     */
    void repair(final boolean rewriteBackup) throws IOException
    {
        final ObjectTable table = checker.table();
        final int[] position = new int[1];
        new IndexWalker(device, layout, commit).walk(new Checker.RecordsOnly()
        {
            @Override
            public void record(
                final IndexNode leaf, final long block, final int entry, final boolean inOrder,
                final long previousObjectId) throws IOException
            {
                final int i = position[0]++;
                if (i >= table.size() || table.id(i) != leaf.objectId(entry))
                {
                    throw new RepairException(device.name(), "the image changed during the check: index " +
                        "record " + i + " is not the one the check saw");
                }
                if (!table.dropped(i))
                {
                    keep(leaf, entry, table.has(i, ObjectTable.REBUILD), table.has(i, ObjectTable.BAD_CRC));
                }
            }
        });
        if (position[0] != table.size())
        {
            throw new RepairException(device.name(), "the image changed during the check: " + position[0] +
                " index records instead of " + table.size());
        }
        final IndexBuilder.Root root = index.finish();

        final long generation = commit.generation() + 1;
        final CommitWriter writer = new CommitWriter(device, layout);
        writer.writeBitmap(generation, used);
        device.flush();
        final ByteBuffer buffer = AlignedBuffers.allocate(CommitRecord.LENGTH + Superblock.LENGTH);
        final CommitRecord next = new CommitRecord().wrap(buffer).copyFrom(commit);
        next.generation(generation)
            .committedMillis(System.currentTimeMillis())
            .clean(true)
            .indexRoot(root.pointer(), root.crc(), root.height())
            .objectCount(objects)
            .nextObjectId(Math.max(commit.nextObjectId(), checker.maxObjectId() + 1))
            .usedBlocks(used.cardinality())
            .pageCount(pages)
            .reservedBlocks(Math.min(reservedBlocks, layout.dataBlocks()));
        writer.writeSlot(superblock, next);
        device.flush();
        if (rewriteBackup)
        {
            writer.writeBackup(superblock);
            device.flush();
        }
    }

    /**
     * Carries a kept object into the new set: its page map kept or rebuilt, then its record.
     */
    private void keep(final IndexNode leaf, final int entry, final boolean rebuild, final boolean badCrc)
        throws IOException
    {
        final long objectId = leaf.objectId(entry);
        long root = leaf.pageMapRoot(entry);
        int rootCrc = leaf.pageMapRootCrc(entry);
        int height = leaf.pageMapHeight(entry);
        final long[] count = new long[1];
        try
        {
            if (!rebuild)
            {
                walker.walk(objectId, root, rootCrc, height, new PageMapWalker.Listener()
                {
                    @Override
                    public void node(final long block, final int level, final long firstPage)
                    {
                        claim(block);
                    }

                    @Override
                    public void page(final long pageIndex, final long pointer, final int crc)
                    {
                        claim(BlockPointer.block(pointer));
                        count[0]++;
                    }
                });
            }
            else if (root != BlockPointer.NULL)
            {
                final long size = leaf.objectSize(entry);
                final long limit = size == Long.MAX_VALUE ? Long.MAX_VALUE : Reservations.pagesFor(size, blockSize);
                final Bits doubled = checker.doubled();
                pageMap.start(objectId, height);
                walker.walk(objectId, root, rootCrc, height, new PageMapWalker.Listener()
                {
                    @Override
                    public void node(final long block, final int level, final long firstPage)
                    {
                    }

                    @Override
                    public void page(final long pageIndex, final long pointer, final int crc) throws IOException
                    {
                        final long block = BlockPointer.block(pointer);
                        final boolean onDoubled = doubled != null && doubled.get(block);
                        final boolean keep = pageIndex < limit &&
                            (!onDoubled || !used.get(block)) &&
                            ((!(force && badCrc) && !onDoubled) || crcMatches(objectId, pageIndex, block, crc)) &&
                            used.add(block);
                        if (keep)
                        {
                            pageMap.add(pageIndex, pointer, crc);
                        }
                    }
                });
                final PageMapBuilder.Root built = pageMap.finish();
                root = built.pointer();
                rootCrc = built.crc();
                height = built.height();
                count[0] = built.pages();
            }
        }
        catch (final CorruptCacheException ex)
        {
            throw new RepairException(device.name(), "the image changed during the check: " + ex.getMessage());
        }
        objects++;
        pages += count[0];
        reservedBlocks = Reservations.add(reservedBlocks,
            Reservations.unused(blockSize, leaf.reservedBytes(entry), count[0]));
        index.add(leaf.parentId(entry), leaf.key(entry), leaf.aux(entry), leaf.type(entry), leaf.flags(entry),
            objectId, leaf.objectSize(entry), leaf.reservedBytes(entry), leaf.accessTime(entry), root, rootCrc,
            height, count[0]);
    }

    private void claim(final long block)
    {
        if (!used.add(block))
        {
            throw new RepairException(device.name(), "block " + block + " would be used twice by " +
                "the repaired image");
        }
    }

    private boolean crcMatches(final long objectId, final long pageIndex, final long block, final int crc)
        throws IOException
    {
        device.read(block * blockSize, page.clear());
        return checksums.page(objectId, pageIndex, page.flip()) == crc;
    }
}
