package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.Checksums;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.IndexNode;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * The checking pass over the current commit: the index tree, every object record and its page map (and with
 * {@code force} every data page's CRC32C), the object hierarchy, the commit record's counters, and then (in
 * {@link BitmapCheck}) the bitmap copy of the commit against the blocks the trees refer to. It reads the image and
 * changes nothing; what it decides (which objects and pages a repair drops) is left in the {@link ObjectTable} and the
 * block sets for {@link Rebuilder}.
 * <p>
 * Memory: one bit per device block for the referenced blocks, one for the page-map nodes (and one more if some block is
 * referenced twice), the {@link ObjectTable}, and buffers bounded by the trees' heights. Every page-map node is walked
 * once at most, so that page maps sharing nodes cannot multiply the work.
 */
final class Checker
{
    /**
     * Blocks read at once when {@code force} reads consecutive data blocks.
     */
    static final int READ_AHEAD_BLOCKS = 32;

    private final BlockDevice device;
    private final String name;
    private final RegionLayout layout;
    private final CommitRecord commit;
    private final boolean force;
    private org.cachefs.format.Progress progress = org.cachefs.format.Progress.NONE;
    private long pagesRead;
    private final Findings findings;
    private final int blockSize;
    private final IndexWalker indexWalker;
    private final PageMapWalker pageMapWalker;
    private final ObjectTable table = new ObjectTable();
    private final Bits referenced;
    private final Bits pageMapNodes;
    private Bits doubled;
    private final ByteBuffer window;
    private long windowStart = -1;
    private int windowBlocks;
    private long lastPageBlock = -2;
    private final Checksums checksums = new Checksums();

    private boolean pageMapsComplete = true;
    private long records;
    private long mapPages;
    private long reservedBlocks;
    private long maxObjectId;

    Checker(
        final BlockDevice device, final RegionLayout layout, final CommitRecord commit, final boolean force,
        final Findings findings)
    {
        this.device = device;
        this.name = device.name();
        this.layout = layout;
        this.commit = commit;
        this.force = force;
        this.findings = findings;
        this.blockSize = layout.blockSize();
        this.indexWalker = new IndexWalker(device, layout, commit);
        this.pageMapWalker = new PageMapWalker(device, layout, commit.generation());
        this.referenced = new Bits(layout.blockCount());
        this.pageMapNodes = new Bits(layout.blockCount());
        this.window = AlignedBuffers.allocate(READ_AHEAD_BLOCKS * blockSize, Math.max(device.logicalSectorSize(),
            AlignedBuffers.DEFAULT_ALIGNMENT));
    }

    /**
     * @return the bytes of data block {@code block} (a view of the read window, position to limit). After two
     * consecutive blocks, reads {@link #READ_AHEAD_BLOCKS} blocks at once: pages written in order lie in order.
     */
    private ByteBuffer readPage(final long block) throws IOException
    {
        if (block < windowStart || block >= windowStart + windowBlocks)
        {
            final int count = block == lastPageBlock + 1 ?
                (int)Math.min(READ_AHEAD_BLOCKS, layout.dataEnd() - block) : 1;
            device.read(block * blockSize, window.clear().limit(count * blockSize));
            windowStart = block;
            windowBlocks = count;
        }
        lastPageBlock = block;
        final int at = (int)(block - windowStart) * blockSize;
        return window.duplicate().limit(at + blockSize).position(at);
    }

    ObjectTable table()
    {
        return table;
    }

    /**
     * @return the data-region blocks the current commit refers to through valid structures.
     */
    Bits referenced()
    {
        return referenced;
    }

    /**
     * @return the blocks referenced more than once, or null if there are none.
     */
    Bits doubled()
    {
        return doubled;
    }

    /**
     * @return the highest object id met, 0 for none.
     */
    long maxObjectId()
    {
        return maxObjectId;
    }

    /**
     * @return the objects the commit holds: those the index walk met, or the commit record's count if the walk could
     * not reach them all and that count is higher.
     */
    long objectsBefore()
    {
        return indexWalker.complete() ? records : Math.max(records, commit.objectCount());
    }

    /**
     * @return the pages the commit holds: those the page maps hold, or the commit record's count if the walk could
     * not reach them all and that count is higher.
     */
    long pagesBefore()
    {
        return indexWalker.complete() && pageMapsComplete ? mapPages : Math.max(mapPages, commit.pageCount());
    }

    /**
     * @return objects a repair drops, including those below corrupt index nodes.
     */
    long droppedObjects()
    {
        return objectsBefore() - table.keptObjects();
    }

    /**
     * @return pages a repair drops, alone or with their objects, including those below corrupt nodes.
     */
    long droppedPages()
    {
        return pagesBefore() - table.keptPages();
    }

    /**
     * @return blocks in use as the check found them: the regions outside the data region and every referenced block.
     */
    long usedBlocks()
    {
        return layout.metadataBlocks() + referenced.cardinality();
    }

    void check() throws IOException
    {
        indexWalker.walk(new CheckListener());
        table.resolve(findings);
        if (doubled != null)
        {
            flagObjectsOnDoubledBlocks();
        }
        if (maxObjectId >= commit.nextObjectId())
        {
            findings.add(FsckFinding.Kind.NEXT_OBJECT_ID, "commit record's next object id " +
                commit.nextObjectId() + " is not above object id " + maxObjectId);
        }
        if (indexWalker.complete())
        {
            if (commit.objectCount() != records)
            {
                findings.add(FsckFinding.Kind.COUNTER_OBJECTS, "commit record counts " + commit.objectCount() +
                    " objects, the index holds " + records);
            }
            if (pageMapsComplete && commit.pageCount() != mapPages)
            {
                findings.add(FsckFinding.Kind.COUNTER_PAGES, "commit record counts " + commit.pageCount() +
                    " pages, the page maps hold " + mapPages);
            }
            final long reserved = Math.min(reservedBlocks, layout.dataBlocks());
            if (pageMapsComplete && commit.reservedBlocks() != reserved)
            {
                findings.add(FsckFinding.Kind.COUNTER_RESERVED, "commit record counts " + commit.reservedBlocks() +
                    " reserved blocks, the objects' reservations leave " + reserved + " unused");
            }
        }
        new BitmapCheck(device, layout, commit, findings).check(referenced);
    }

    /**
     * A repair keeps a page on a block referenced twice only if the page's CRC32C matches the block: every object
     * with such a page, or with a node on such a block, gets its page map rebuilt (with the checks).
     */
    private void flagObjectsOnDoubledBlocks() throws IOException
    {
        final int[] position = new int[1];
        final boolean[] touches = new boolean[1];
        final PageMapWalker.Listener sweep = new PageMapWalker.Listener()
        {
            @Override
            public void node(final long block, final int level, final long firstPage)
            {
                touches[0] |= doubled.get(block);
            }

            @Override
            public void page(final long pageIndex, final long pointer, final int crc)
            {
                touches[0] |= doubled.get(BlockPointer.block(pointer));
            }
        };
        indexWalker.walk(new RecordsOnly()
        {
            @Override
            public void record(
                final IndexNode leaf, final long block, final int entry, final boolean inOrder,
                final long previousObjectId) throws IOException
            {
                final int i = position[0]++;
                if (table.dropped(i))
                {
                    return;
                }
                touches[0] = false;
                pageMapWalker.walk(leaf.objectId(entry), leaf.pageMapRoot(entry), leaf.pageMapRootCrc(entry),
                    leaf.pageMapHeight(entry), sweep);
                if (touches[0])
                {
                    table.flag(i, ObjectTable.REBUILD);
                }
            }
        });
    }

    private void markDoubled(final long block)
    {
        if (doubled == null)
        {
            doubled = new Bits(layout.blockCount());
        }
        doubled.set(block);
    }

    /**
     * Listener of the main walk: findings, the object table and the referenced blocks.
     */
    private final class CheckListener implements IndexWalker.Listener, PageMapWalker.Listener
    {
        private long objectId;
        private long limitPages;
        private int position;
        private long objectMapPages;
        private long objectKeptPages;
        private boolean rebuild;
        private boolean badCrc;

        @Override
        public void nodeRevisited(final long block, final int level, final String referrer)
        {
            findings.add(FsckFinding.Kind.DOUBLY_REFERENCED, "block " + block + " is referenced more than once: " +
                "again by " + referrer + " as an index " + (level == 0 ? "leaf" : "branch"));
        }

        @Override
        public void nodeCorrupt(
            final long block, final int level, final String referrer, final CorruptCacheException error)
        {
            findings.add(level == 0 ? FsckFinding.Kind.INDEX_LEAF_CORRUPT : FsckFinding.Kind.INDEX_BRANCH_CORRUPT,
                error.getMessage() + " (index " + (level == 0 ? "leaf" : "branch at level " + level) +
                " referenced by " + referrer + ")");
        }

        @Override
        public void nodeVerified(final long block, final int level, final String referrer)
        {
            if (!referenced.add(block))
            {
                markDoubled(block);
                findings.add(FsckFinding.Kind.DOUBLY_REFERENCED, "block " + block + " is referenced more than " +
                    "once: again by " + referrer + " as an index " + (level == 0 ? "leaf" : "branch"));
            }
        }

        @Override
        public void separatorViolated(final long block, final int level, final String referrer)
        {
            findings.add(FsckFinding.Kind.SEPARATOR, "index " + (level == 0 ? "leaf" : "branch") + " at block " +
                block + ": its keys lie outside the key range " + referrer + " gives it");
        }

        @Override
        public void record(
            final IndexNode leaf, final long block, final int entry, final boolean inOrder,
            final long previousObjectId) throws IOException
        {
            objectId = leaf.objectId(entry);
            position = table.add(objectId, leaf.parentId(entry));
            records++;
            maxObjectId = Math.max(maxObjectId, objectId);
            if (!inOrder)
            {
                table.flag(position, ObjectTable.DROP);
                findings.add(FsckFinding.Kind.KEY_ORDER, "index leaf at block " + block + " entry " + entry +
                    " (object " + objectId + "): its key is not above the key of object " + previousObjectId +
                    " before it");
            }
            final long size = leaf.objectSize(entry);
            limitPages = size == Long.MAX_VALUE ? Long.MAX_VALUE : Reservations.pagesFor(size, blockSize);
            objectMapPages = 0;
            objectKeptPages = 0;
            rebuild = false;
            badCrc = false;
            try
            {
                pageMapWalker.walk(objectId, leaf.pageMapRoot(entry), leaf.pageMapRootCrc(entry),
                    leaf.pageMapHeight(entry), this);
            }
            catch (final CorruptCacheException ex)
            {
                pageMapsComplete = false;
                table.flag(position, ObjectTable.DROP);
                findings.add(FsckFinding.Kind.PAGEMAP_CORRUPT, ex.getMessage() + " (page map of object " +
                    objectId + ")");
                return;
            }
            catch (final SharedNode ex)
            {
                pageMapsComplete = false;
                table.flag(position, ObjectTable.DROP);
                return;
            }
            mapPages += objectMapPages;
            table.pages(position, objectKeptPages);
            if (rebuild)
            {
                table.flag(position, ObjectTable.REBUILD);
            }
            if (badCrc)
            {
                table.flag(position, ObjectTable.BAD_CRC);
            }
            final long recorded = leaf.pageCount(entry);
            if (recorded != objectMapPages)
            {
                findings.add(FsckFinding.Kind.PAGEMAP_COUNT, "object " + objectId + " records " + recorded +
                    " pages, its page map holds " + objectMapPages);
            }
            reservedBlocks = Reservations.add(reservedBlocks,
                Reservations.unused(blockSize, leaf.reservedBytes(entry), objectMapPages));
        }

        @Override
        public void node(final long block, final int level, final long firstPage)
        {
            if (!pageMapNodes.add(block))
            {
                // a node of another page map (or of this one, elsewhere): its pages are not walked twice
                findings.add(FsckFinding.Kind.DOUBLY_REFERENCED, "block " + block + " is referenced more than " +
                    "once: again by the page map of object " + objectId + " as a level-" + level + " node from " +
                    "page " + firstPage + ", already part of a page map");
                throw new SharedNode();
            }
            if (!referenced.add(block))
            {
                markDoubled(block);
                findings.add(FsckFinding.Kind.DOUBLY_REFERENCED, "block " + block + " is referenced more than " +
                    "once: again by the page map of object " + objectId + " as a level-" + level + " node from " +
                    "page " + firstPage);
                rebuild = true;
            }
        }

        @Override
        public void page(final long pageIndex, final long pointer, final int crc) throws IOException
        {
            objectMapPages++;
            final long block = BlockPointer.block(pointer);
            boolean keep = true;
            if (!referenced.add(block))
            {
                markDoubled(block);
                findings.add(FsckFinding.Kind.DOUBLY_REFERENCED, "block " + block + " is referenced more than " +
                    "once: again by page " + pageIndex + " of object " + objectId);
                keep = false;
            }
            if (pageIndex >= limitPages)
            {
                findings.add(FsckFinding.Kind.PAGE_PAST_LIMIT, "page " + pageIndex + " of object " + objectId +
                    " (block " + block + ") lies past the object's size: it holds " + limitPages +
                    (limitPages == 1 ? " page" : " pages"));
                keep = false;
            }
            else if (force)
            {
                progress.update("checking pages", ++pagesRead, commit.pageCount());
                final int actual = checksums.page(objectId, pageIndex, readPage(block));
                if (actual != crc)
                {
                    findings.add(FsckFinding.Kind.PAGE_CRC, "page " + pageIndex + " of object " + objectId +
                        " (block " + block + "): crc32c expected=" + Checksums.hex(crc) + " actual=" +
                        Checksums.hex(actual));
                    badCrc = true;
                    keep = false;
                }
            }
            if (keep)
            {
                objectKeptPages++;
            }
            else
            {
                rebuild = true;
            }
        }
    }

    /**
     * Sets who is told how far reading the pages has come.
     */
    void progress(final org.cachefs.format.Progress progress)
    {
        this.progress = progress;
    }

    /**
     * Ends the walk of a page map that reached a node of a page map already walked.
     */
    private static final class SharedNode extends RuntimeException
    {
        private static final long serialVersionUID = 1L;

        SharedNode()
        {
            super(null, null, false, false);
        }
    }

    /**
     * A listener that only wants the records.
     */
    abstract static class RecordsOnly implements IndexWalker.Listener
    {
        @Override
        public void nodeRevisited(final long block, final int level, final String referrer)
        {
        }

        @Override
        public void nodeCorrupt(
            final long block, final int level, final String referrer, final CorruptCacheException error)
        {
        }

        @Override
        public void nodeVerified(final long block, final int level, final String referrer)
        {
        }

        @Override
        public void separatorViolated(final long block, final int level, final String referrer)
        {
        }
    }
}
