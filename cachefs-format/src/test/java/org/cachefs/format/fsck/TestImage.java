package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

import org.cachefs.format.BitmapBlock;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.Checksums;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.Fixtures;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.IndexNode;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;

/**
 * Writes images with objects and pages the way the engine commits them (data pages, page maps children first, the
 * index, the bitmap copy of the new generation, the slot), with the knobs the corruption tests need: records out of
 * key order, a wrong recorded page count, a page aliasing another's block, pages past the object's size. Remembers
 * where everything went, and edits images afterwards (raw byte flips, re-sealed slot and bitmap edits).
 */
final class TestImage
{
    static final int BLOCK = 4096;
    static final long ACCESS_TIME = 1_700_000_000_000_000L;

    /**
     * An object to write.
     */
    static final class Obj
    {
        final long id;
        final long parent;
        final byte[] key;
        byte[] aux = new byte[0];
        long size = Long.MAX_VALUE;
        long reservedBytes;
        int type = 1;
        long recordedPages = -1;
        int height;
        final TreeMap<Long, Long> pages = new TreeMap<>();
        final Map<Long, long[]> aliases = new HashMap<>();
        long sharesMapOf = -1;

        Obj(final long id, final long parent, final byte[] key)
        {
            this.id = id;
            this.parent = parent;
            this.key = key;
        }

        Obj page(final long index)
        {
            pages.put(index, id * 1000 + index);
            return this;
        }

        Obj pages(final long from, final long to)
        {
            for (long index = from; index < to; index++)
            {
                page(index);
            }
            return this;
        }

        Obj size(final long bytes)
        {
            size = bytes;
            return this;
        }

        Obj reserved(final long bytes)
        {
            reservedBytes = bytes;
            return this;
        }

        Obj aux(final String text)
        {
            aux = text.getBytes(StandardCharsets.UTF_8);
            return this;
        }

        /**
         * Records {@code count} pages in the index entry whatever the page map holds.
         */
        Obj recordedPages(final long count)
        {
            recordedPages = count;
            return this;
        }

        /**
         * Builds the page map this many levels high (instead of the least that holds the pages).
         */
        Obj height(final int levels)
        {
            height = levels;
            return this;
        }

        /**
         * Gives this object's record the page map of object {@code otherId} (written before it) instead of a map of
         * its own.
         */
        Obj shareMapOf(final long otherId, final long recorded)
        {
            sharesMapOf = otherId;
            recordedPages = recorded;
            return this;
        }

        /**
         * Points page {@code index} at the data block of page {@code otherPage} of object {@code otherId} (written
         * before this object) instead of a block of its own, with the CRC32C of this page's own data.
         */
        Obj alias(final long index, final long otherId, final long otherPage)
        {
            page(index);
            aliases.put(index, new long[]{ otherId, otherPage });
            return this;
        }
    }

    private final Path path;
    private final RegionLayout layout;
    private final List<Obj> objects = new ArrayList<>();
    private final Map<Long, Long> dataBlocks = new HashMap<>();
    private final Map<Long, Long> pageMapRoots = new HashMap<>();
    private final Map<Long, long[]> builtMaps = new HashMap<>();
    private boolean sorted = true;
    private long generation;
    private long nextObjectId = -1;

    private TestImage(final Path path, final RegionLayout layout)
    {
        this.path = path;
        this.layout = layout;
    }

    /**
     * Formats {@code blocks} blocks of 4096 bytes at {@code file} (fixed uuid, label "test").
     */
    static TestImage format(final Path file, final long blocks) throws IOException
    {
        Fixtures.mkfs(file, blocks * BLOCK, BLOCK);
        return new TestImage(file, RegionLayout.of(BLOCK, blocks));
    }

    Path path()
    {
        return path;
    }

    RegionLayout layout()
    {
        return layout;
    }

    long generation()
    {
        return generation;
    }

    Obj add(final long id, final long parent, final String key)
    {
        return add(id, parent, key.getBytes(StandardCharsets.UTF_8));
    }

    Obj add(final long id, final long parent, final byte[] key)
    {
        final Obj object = new Obj(id, parent, key);
        objects.add(object);
        return object;
    }

    List<Obj> objects()
    {
        return objects;
    }

    /**
     * Writes the records in the order they were added instead of key order.
     */
    TestImage unsorted()
    {
        sorted = false;
        return this;
    }

    TestImage nextObjectId(final long id)
    {
        nextObjectId = id;
        return this;
    }

    /**
     * @return the bytes of page {@code index} of object {@code id}.
     */
    static ByteBuffer pageData(final long id, final long index)
    {
        final ByteBuffer data = AlignedBuffers.allocate(BLOCK);
        long state = (id * 1000 + index) * 0x9E3779B97F4A7C15L + 1;
        for (int i = 0; i < BLOCK; i += Long.BYTES)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            data.putLong(i, state);
        }
        return data.clear();
    }

    long dataBlock(final long id, final long index)
    {
        return dataBlocks.get(id * 1_000_000 + index);
    }

    long pageMapRoot(final long id)
    {
        return pageMapRoots.get(id);
    }

    /**
     * Writes every object into a new commit on top of the current one, as the engine would.
     */
    TestImage commit() throws IOException
    {
        if (sorted)
        {
            objects.sort((a, b) -> IndexNode.compareKeys(a.parent, a.key, b.parent, b.key));
        }
        try (BlockDevice device = DirectBlockDevice.open(path))
        {
            final ImageHeader header = ImageHeader.read(device);
            final CommitRecord current = header.commit();
            final long next = current.generation() + 1;
            final Bits used = new Bits(layout.blockCount());
            CommitWriter.markMetadata(used, layout);
            final long[] cursor = { layout.dataStart() };
            final NodeWriter writer = new NodeWriter()
            {
                @Override
                public long allocate()
                {
                    final long block = cursor[0]++;
                    used.set(block);
                    return block;
                }

                @Override
                public void write(final long block, final ByteBuffer node) throws IOException
                {
                    device.write(block * BLOCK, node);
                }
            };
            final PageMapBuilder pageMaps = new PageMapBuilder(writer, BLOCK, BLOCK, next);
            final IndexBuilder index = new IndexBuilder(writer, BLOCK, BLOCK, next);
            final Checksums checksums = new Checksums();
            long pageCount = 0;
            long reserved = 0;
            long maxId = 0;
            for (final Obj object : objects)
            {
                maxId = Math.max(maxId, object.id);
                final Map<Long, long[]> written = new TreeMap<>();
                for (final Map.Entry<Long, Long> page : object.pages.entrySet())
                {
                    final ByteBuffer data = pageData(object.id, page.getKey());
                    final int crc = checksums.page(object.id, page.getKey(), data);
                    final long[] alias = object.aliases.get(page.getKey());
                    final long block;
                    if (alias != null)
                    {
                        block = dataBlock(alias[0], alias[1]);
                    }
                    else
                    {
                        block = writer.allocate();
                        device.write(block * BLOCK, data);
                    }
                    dataBlocks.put(object.id * 1_000_000 + page.getKey(), block);
                    written.put(page.getKey(), new long[]{ block, crc });
                }
                long root = BlockPointer.NULL;
                int rootCrc = 0;
                int height = 0;
                if (!written.isEmpty())
                {
                    height = object.height > 0 ? object.height :
                        PageMapNode.heightFor(BLOCK, object.pages.lastKey());
                    pageMaps.start(object.id, height);
                    for (final Map.Entry<Long, long[]> page : written.entrySet())
                    {
                        pageMaps.add(page.getKey(), BlockPointer.encode(page.getValue()[0], BlockPointer.KIND_DATA),
                            (int)page.getValue()[1]);
                    }
                    final PageMapBuilder.Root built = pageMaps.finish();
                    root = built.pointer();
                    rootCrc = built.crc();
                    pageMapRoots.put(object.id, BlockPointer.block(root));
                }
                if (object.sharesMapOf >= 0)
                {
                    final long[] shared = builtMaps.get(object.sharesMapOf);
                    root = shared[0];
                    rootCrc = (int)shared[1];
                    height = (int)shared[2];
                }
                else
                {
                    builtMaps.put(object.id, new long[]{ root, rootCrc, height });
                }
                final long recorded = object.recordedPages >= 0 ? object.recordedPages : object.pages.size();
                pageCount += object.pages.size();
                reserved += Reservations.unused(BLOCK, object.reservedBytes, object.pages.size());
                index.add(object.parent, object.key, object.aux, object.type, 0, object.id, object.size,
                    object.reservedBytes, ACCESS_TIME, root, rootCrc, height, recorded);
            }
            final IndexBuilder.Root root = index.finish();
            final CommitWriter commits = new CommitWriter(device, layout);
            commits.writeBitmap(next, used);
            device.flush();
            final ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
            final CommitRecord commit = new CommitRecord().wrap(buffer).copyFrom(current);
            commit.generation(next)
                .committedMillis(Fixtures.COMMITTED)
                .clean(true)
                .indexRoot(root.pointer(), root.crc(), root.height())
                .objectCount(objects.size())
                .nextObjectId(nextObjectId > 0 ? nextObjectId : maxId + 1)
                .usedBlocks(used.cardinality())
                .pageCount(pageCount)
                .reservedBlocks(reserved);
            commits.writeSlot(header.superblock(), commit);
            device.flush();
            generation = next;
        }
        return this;
    }

    /**
     * Commits the current state again, unchanged, as generation {@code g + 1}: both slots then refer to the same
     * tree.
     */
    TestImage recommit() throws IOException
    {
        try (BlockDevice device = DirectBlockDevice.open(path))
        {
            final ImageHeader header = ImageHeader.read(device);
            final CommitRecord current = header.commit();
            final long next = current.generation() + 1;
            final int from = current.bitmapCopy();
            final int to = 1 - from;
            final ByteBuffer buffer = AlignedBuffers.allocate(BLOCK);
            for (long index = 0; index < layout.bitmapBlocks(); index++)
            {
                device.read((layout.bitmapStart(from) + index) * BLOCK, buffer.clear());
                final BitmapBlock bitmap = new BitmapBlock().wrap(buffer, BLOCK);
                bitmap.copy(to);
                bitmap.block(layout.bitmapStart(to) + index);
                bitmap.generation(next);
                bitmap.seal();
                device.write((layout.bitmapStart(to) + index) * BLOCK, buffer.clear());
            }
            device.flush();
            final CommitRecord commit = new CommitRecord().wrap(ByteBuffer.allocate(BLOCK)).copyFrom(current);
            commit.generation(next);
            new CommitWriter(device, layout).writeSlot(header.superblock(), commit);
            device.flush();
            generation = next;
        }
        return this;
    }

    // ----------------------------------------------------------------------------------------------- locating

    /**
     * @return the blocks of the index nodes at {@code level}, in key order.
     */
    List<Long> indexNodes(final int level) throws IOException
    {
        final CommitRecord commit = header().commit();
        final List<Long> found = new ArrayList<>();
        if (commit.indexRoot() != BlockPointer.NULL)
        {
            collect(BlockPointer.block(commit.indexRoot()), commit.indexHeight() - 1, level, found);
        }
        return found;
    }

    private void collect(final long block, final int level, final int wanted, final List<Long> found)
        throws IOException
    {
        if (level == wanted)
        {
            found.add(block);
            return;
        }
        final IndexNode node = new IndexNode().wrap(Fixtures.readRaw(path, block * BLOCK, BLOCK), BLOCK);
        for (int i = 0; i < node.count(); i++)
        {
            collect(BlockPointer.block(node.child(i)), level - 1, wanted, found);
        }
    }

    /**
     * @return the object ids of the records in the index leaf at {@code block}.
     */
    List<Long> objectsIn(final long block) throws IOException
    {
        final IndexNode node = new IndexNode().wrap(Fixtures.readRaw(path, block * BLOCK, BLOCK), BLOCK);
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < node.count(); i++)
        {
            ids.add(node.objectId(i));
        }
        return ids;
    }

    ImageHeader header() throws IOException
    {
        try (BlockDevice device = DirectBlockDevice.openReadOnly(path))
        {
            return ImageHeader.read(device);
        }
    }

    // ----------------------------------------------------------------------------------------------- editing

    /**
     * Inverts the byte at {@code offset} of {@code block}, without re-sealing anything.
     */
    void flipByte(final long block, final int offset) throws IOException
    {
        final ByteBuffer bytes = Fixtures.readRaw(path, block * BLOCK + offset, 1);
        bytes.put(0, (byte)~bytes.get(0));
        Fixtures.writeRaw(path, block * BLOCK + offset, bytes);
    }

    /**
     * Changes the superblock slot {@code slot} and re-seals it.
     */
    void editSlot(final int slot, final Fixtures.SlotEdit edit) throws IOException
    {
        Fixtures.editSlot(path, BLOCK, slot, edit);
    }

    /**
     * Edits the current commit record and re-seals its slot.
     */
    void editCommit(final java.util.function.Consumer<CommitRecord> edit) throws IOException
    {
        editSlot(header().slot(), (superblock, commit, raw) -> edit.accept(commit));
    }

    /**
     * Sets or clears the bit of {@code block} in the current bitmap copy and re-seals the bitmap block.
     */
    void setBitmapBit(final long block, final boolean used) throws IOException
    {
        final CommitRecord commit = header().commit();
        final int copy = commit.bitmapCopy();
        final long bits = BitmapBlock.bitsPerBlock(BLOCK);
        final long bitmapBlock = layout.bitmapStart(copy) + block / bits;
        final ByteBuffer buffer = Fixtures.readRaw(path, bitmapBlock * BLOCK, BLOCK);
        final BitmapBlock bitmap = new BitmapBlock().wrap(buffer, BLOCK);
        if (used)
        {
            bitmap.set(block % bits);
        }
        else
        {
            bitmap.clear(block % bits);
        }
        bitmap.seal();
        Fixtures.writeRaw(path, bitmapBlock * BLOCK, buffer);
    }

    /**
     * Rewrites the index leaf at {@code block} after {@code edit} changed its buffer, re-sealed, and updates the CRC32C
     * its parent (or the commit record) recorded, re-sealing the parent in turn, up to the root.
     */
    void resealIndexPath(final List<Long> path, final java.util.function.Consumer<ByteBuffer> edit)
        throws IOException
    {
        // path: root first, the node to edit last
        final long target = path.get(path.size() - 1);
        ByteBuffer buffer = Fixtures.readRaw(this.path, target * BLOCK, BLOCK);
        edit.accept(buffer);
        int crc = new IndexNode().wrap(buffer, BLOCK).seal();
        Fixtures.writeRaw(this.path, target * BLOCK, buffer);
        for (int at = path.size() - 2; at >= 0; at--)
        {
            final long parent = path.get(at);
            final long child = path.get(at + 1);
            final ByteBuffer parentBuffer = Fixtures.readRaw(this.path, parent * BLOCK, BLOCK);
            final IndexNode node = new IndexNode().wrap(parentBuffer, BLOCK);
            for (int i = 0; i < node.count(); i++)
            {
                if (BlockPointer.block(node.child(i)) == child)
                {
                    parentBuffer.putInt(node.entryOffset(i) + IndexNode.BRANCH_CHILD_CRC_OFFSET, crc);
                }
            }
            crc = node.seal();
            Fixtures.writeRaw(this.path, parent * BLOCK, parentBuffer);
        }
        final int rootCrc = crc;
        editCommit(commit -> commit.indexRoot(commit.indexRoot(), rootCrc, commit.indexHeight()));
    }

    /**
     * Points page {@code page} of object {@code id}, whose page map is a single leaf held by the index leaf at
     * {@code indexPath}'s end, at {@code block}, keeping the CRC32C the entry records; re-seals the leaf, the CRC32C
     * its index record keeps, and the index path up to the commit record. Only the ownership of {@code block} is
     * then wrong.
     */
    void repointPage(final long id, final long page, final long block, final List<Long> indexPath)
        throws IOException
    {
        final long leaf = pageMapRoot(id);
        final ByteBuffer buffer = Fixtures.readRaw(path, leaf * BLOCK, BLOCK);
        final PageMapNode node = new PageMapNode().wrap(buffer, BLOCK);
        final int slot = node.slotOf(page);
        node.entry(slot, BlockPointer.encode(block, BlockPointer.KIND_DATA), node.entryCrc(slot));
        final int crc = node.seal();
        Fixtures.writeRaw(path, leaf * BLOCK, buffer);
        resealIndexPath(indexPath, indexLeaf ->
        {
            final IndexNode records = new IndexNode().wrap(indexLeaf, BLOCK);
            for (int i = 0; i < records.count(); i++)
            {
                if (records.objectId(i) == id)
                {
                    indexLeaf.putInt(records.entryOffset(i) + IndexNode.LEAF_PAGEMAP_CRC_OFFSET, crc);
                }
            }
        });
    }

    /**
     * @return the superblock of the current slot.
     */
    Superblock superblock() throws IOException
    {
        return header().superblock();
    }
}
