package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Map;
import java.util.TreeMap;

import org.cachefs.format.BlockPointer;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.Fixtures;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.IndexNode;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;

/**
 * What the current commit of an image holds, read plainly (recursively, trusting the structure) for tests to compare
 * with what was written: every object's record fields and the bytes of every page.
 */
record ImageModel(CommitRecord commit, Map<Long, ObjectView> objects)
{
    /**
     * An object as its index record and page map give it.
     */
    record ObjectView(long id, long parent, String key, String aux, long size, long reservedBytes, long accessTime,
        long recordedPages, int height, Map<Long, String> pages)
    {
    }

    static ImageModel read(final Path image) throws IOException
    {
        final ImageHeader header;
        try (BlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            header = ImageHeader.read(device);
        }
        final Map<Long, ObjectView> objects = new TreeMap<>();
        final CommitRecord commit = header.commit();
        if (commit.indexRoot() != BlockPointer.NULL)
        {
            readIndex(image, BlockPointer.block(commit.indexRoot()), objects);
        }
        return new ImageModel(commit, objects);
    }

    private static void readIndex(final Path image, final long block, final Map<Long, ObjectView> objects)
        throws IOException
    {
        final IndexNode node = new IndexNode().wrap(Fixtures.readRaw(image, block * TestImage.BLOCK,
            TestImage.BLOCK), TestImage.BLOCK);
        for (int i = 0; i < node.count(); i++)
        {
            if (!node.isLeaf())
            {
                readIndex(image, BlockPointer.block(node.child(i)), objects);
                continue;
            }
            final Map<Long, String> pages = new TreeMap<>();
            if (node.pageMapRoot(i) != BlockPointer.NULL)
            {
                readPages(image, BlockPointer.block(node.pageMapRoot(i)), pages);
            }
            objects.put(node.objectId(i), new ObjectView(node.objectId(i), node.parentId(i),
                new String(node.key(i), java.nio.charset.StandardCharsets.ISO_8859_1),
                new String(node.aux(i), java.nio.charset.StandardCharsets.ISO_8859_1), node.objectSize(i),
                node.reservedBytes(i), node.accessTime(i), node.pageCount(i), node.pageMapHeight(i), pages));
        }
    }

    private static void readPages(final Path image, final long block, final Map<Long, String> pages)
        throws IOException
    {
        final PageMapNode node = new PageMapNode().wrap(Fixtures.readRaw(image, block * TestImage.BLOCK,
            TestImage.BLOCK), TestImage.BLOCK);
        final long cover = node.level() == 0 ? 1 : PageMapNode.coverage(TestImage.BLOCK, node.level() - 1);
        for (int slot = 0; slot < node.fanout(); slot++)
        {
            final long pointer = node.pointer(slot);
            if (pointer == BlockPointer.NULL)
            {
                continue;
            }
            if (node.level() > 0)
            {
                readPages(image, BlockPointer.block(pointer), pages);
                continue;
            }
            final ByteBuffer data = Fixtures.readRaw(image, BlockPointer.block(pointer) * TestImage.BLOCK,
                TestImage.BLOCK);
            pages.put(node.firstPage() + slot * cover, digest(data));
        }
    }

    /**
     * @return a short, exact stand-in for a page's bytes: their SHA-256 in hex.
     */
    static String digest(final ByteBuffer data)
    {
        try
        {
            final java.security.MessageDigest sha = java.security.MessageDigest.getInstance("SHA-256");
            sha.update(data.duplicate().clear());
            final byte[] hash = sha.digest();
            final StringBuilder hex = new StringBuilder();
            for (final byte b : Arrays.copyOf(hash, 12))
            {
                hex.append(String.format("%02x", b & 0xFF));
            }
            return hex.toString();
        }
        catch (final java.security.NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException(ex);
        }
    }

    /**
     * @return the pages of {@code id} as {@link TestImage} wrote them: page index to digest.
     */
    static Map<Long, String> expectedPages(final long id, final long... indexes)
    {
        final Map<Long, String> pages = new TreeMap<>();
        for (final long index : indexes)
        {
            pages.put(index, digest(TestImage.pageData(id, index)));
        }
        return pages;
    }
}
