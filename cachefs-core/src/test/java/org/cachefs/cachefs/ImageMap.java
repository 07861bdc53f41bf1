package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.cachefs.format.BitmapBlock;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.IndexNode;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.testing.CrashSimulatingDevice;

/**
 * The tree of an image's current commit, read from its bytes, for tests that damage block ownership: every object
 * with its page-map nodes and pages (block and CRC32C), the index nodes, the free data blocks; and edits that change
 * a page-map entry and re-seal the node, the CRC32C its parent records, and so on up to the commit record, so that
 * the image stays internally consistent and only the ownership of blocks is wrong.
 * <p>
 * Threading: one test thread.
 */
final class ImageMap
{
    /**
     * An object: its record's place and its page map.
     *
     * @param nodes the page-map node blocks, root first.
     * @param pages page index to its entry.
     */
    record Obj(long id, long parent, String key, List<Long> nodes, TreeMap<Long, Entry> pages)
    {
    }

    /**
     * A page's entry in its page-map leaf.
     */
    record Entry(long objectId, long page, long block, int crc, long leaf, int slot)
    {
    }

    /** Where the CRC32C of a node is recorded: an index branch entry, an index leaf record or a page-map slot. */
    private record Parent(long block, int index, boolean pageMap, boolean indexLeafRecord)
    {
    }

    private static final Parent COMMIT = new Parent(-1, -1, false, false);

    private final byte[] image;
    private final ByteBuffer bytes;
    private final int blockSize;
    private final RegionLayout layout;
    private final int slot;
    private final Map<Long, Obj> objects = new LinkedHashMap<>();
    private final Map<String, Obj> byKey = new HashMap<>();
    private final List<Long> indexNodes = new ArrayList<>();
    private final Map<Long, Parent> parents = new HashMap<>();
    private final TreeSet<Long> free = new TreeSet<>();

    private ImageMap(final byte[] image) throws IOException
    {
        this.image = image;
        this.bytes = ByteBuffer.wrap(image);
        final ImageHeader header = ImageHeader.read(new CrashSimulatingDevice("map.img", image.clone(), 512));
        this.layout = header.layout();
        this.blockSize = layout.blockSize();
        this.slot = header.slot();
        final CommitRecord commit = header.commit();
        if (commit.indexRoot() != BlockPointer.NULL)
        {
            walkIndex(BlockPointer.block(commit.indexRoot()), COMMIT);
        }
        final long bits = BitmapBlock.bitsPerBlock(blockSize);
        for (long block = layout.dataStart(); block < layout.dataEnd(); block++)
        {
            final BitmapBlock bitmap = new BitmapBlock()
                .wrap(view(layout.bitmapStart(commit.bitmapCopy()) + block / bits), blockSize);
            if (!bitmap.get(block % bits))
            {
                free.add(block);
            }
        }
    }

    /**
     * Maps {@code image}, whose bytes later edits change in place.
     */
    static ImageMap of(final byte[] image) throws IOException
    {
        return new ImageMap(image);
    }

    private void walkIndex(final long block, final Parent parent)
    {
        indexNodes.add(block);
        parents.put(block, parent);
        final IndexNode node = new IndexNode().wrap(view(block), blockSize);
        for (int i = 0; i < node.count(); i++)
        {
            if (!node.isLeaf())
            {
                walkIndex(BlockPointer.block(node.child(i)), new Parent(block, i, false, false));
                continue;
            }
            final Obj object = new Obj(node.objectId(i), node.parentId(i),
                new String(node.key(i), StandardCharsets.UTF_8), new ArrayList<>(), new TreeMap<>());
            objects.put(object.id(), object);
            byKey.put(object.parent() + "/" + object.key(), object);
            if (node.pageMapRoot(i) != BlockPointer.NULL)
            {
                walkPageMap(object, BlockPointer.block(node.pageMapRoot(i)), new Parent(block, i, false, true));
            }
        }
    }

    private void walkPageMap(final Obj object, final long block, final Parent parent)
    {
        object.nodes().add(block);
        parents.put(block, parent);
        final PageMapNode node = new PageMapNode().wrap(view(block), blockSize);
        for (int slot = 0; slot < node.fanout(); slot++)
        {
            final long pointer = node.pointer(slot);
            if (pointer == BlockPointer.NULL)
            {
                continue;
            }
            if (node.level() > 0)
            {
                walkPageMap(object, BlockPointer.block(pointer), new Parent(block, slot, true, false));
            }
            else
            {
                final long page = node.firstPage() + slot;
                object.pages().put(page, new Entry(object.id(), page, BlockPointer.block(pointer),
                    node.entryCrc(slot), block, slot));
            }
        }
    }

    private ByteBuffer view(final long block)
    {
        return bytes.duplicate().position((int)(block * blockSize)).limit((int)((block + 1) * blockSize)).slice();
    }

    RegionLayout layout()
    {
        return layout;
    }

    Map<Long, Obj> objects()
    {
        return objects;
    }

    /**
     * @return the object named {@code key} under the object {@code parent}.
     */
    Obj object(final long parent, final String key)
    {
        final Obj object = byKey.get(parent + "/" + key);
        if (object == null)
        {
            throw new IllegalArgumentException("no object " + key + " under " + parent);
        }
        return object;
    }

    /**
     * @return the index node blocks, root first, in walk order.
     */
    List<Long> indexNodes()
    {
        return indexNodes;
    }

    /**
     * @return the data-region blocks the current bitmap copy marks free, in order.
     */
    TreeSet<Long> freeBlocks()
    {
        return free;
    }

    /**
     * Points the entry of page {@code entry.page()} at {@code block}, keeping the CRC32C it records, and re-seals the
     * leaf and everything above it.
     */
    void repoint(final Entry entry, final long block)
    {
        final PageMapNode leaf = new PageMapNode().wrap(view(entry.leaf()), blockSize);
        leaf.entry(entry.slot(), BlockPointer.encode(block, BlockPointer.KIND_DATA), entry.crc());
        reseal(entry.leaf(), leaf.seal());
    }

    /**
     * After the node at {@code block} changed and was sealed with {@code crc}: records the CRC32C in its parent,
     * re-seals that, and so on up to the commit record of the current slot.
     */
    private void reseal(final long block, final int crc)
    {
        final Parent parent = parents.get(block);
        if (parent == COMMIT)
        {
            final ByteBuffer slotBlock = view(slot);
            final CommitRecord commit = new CommitRecord().wrap(slotBlock);
            commit.indexRoot(commit.indexRoot(), crc, commit.indexHeight());
            commit.seal(slot);
            return;
        }
        final int parentCrc;
        if (parent.pageMap())
        {
            final PageMapNode node = new PageMapNode().wrap(view(parent.block()), blockSize);
            node.entry(parent.index(), node.pointer(parent.index()), crc);
            parentCrc = node.seal();
        }
        else
        {
            final ByteBuffer buffer = view(parent.block());
            final IndexNode node = new IndexNode().wrap(buffer, blockSize);
            buffer.order(java.nio.ByteOrder.LITTLE_ENDIAN).putInt(node.entryOffset(parent.index()) +
                (parent.indexLeafRecord() ? IndexNode.LEAF_PAGEMAP_CRC_OFFSET : IndexNode.BRANCH_CHILD_CRC_OFFSET),
                crc);
            parentCrc = node.seal();
        }
        reseal(parent.block(), parentCrc);
    }

    /**
     * @return the image's bytes (edited in place).
     */
    byte[] image()
    {
        return image;
    }
}
