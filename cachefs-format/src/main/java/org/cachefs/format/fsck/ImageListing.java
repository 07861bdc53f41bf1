package org.cachefs.format.fsck;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;

import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.IndexNode;
import org.cachefs.format.device.BlockDevice;

/**
 * The objects of an image's current commit, read from its index without changing anything: what
 * {@code cachefs ls} shows. Every node is validated as fsck validates it; the index part of a damaged image that can
 * be read is listed and the damage reported.
 */
public final class ImageListing
{
    /**
     * One object of the index.
     *
     * @param objectId    its id.
     * @param parentId    its parent's id (0: the master index).
     * @param type        0 index, 1 data file, 2..255 other.
     * @param key         its netfs key.
     * @param aux         its coherency data.
     * @param size        its size in bytes ({@link Long#MAX_VALUE}: not set).
     * @param pages       pages stored.
     * @param pinned      whether it is pinned.
     * @param accessTime  last access, microseconds since the epoch.
     */
    public record Entry(
        long objectId, long parentId, int type, byte[] key, byte[] aux, long size, long pages, boolean pinned,
        long accessTime)
    {
    }

    private final List<Entry> entries;
    private final List<String> problems;

    private ImageListing(final List<Entry> entries, final List<String> problems)
    {
        this.entries = Collections.unmodifiableList(entries);
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * Reads the index of the current commit of {@code device}.
     *
     * @param device the open device.
     * @return the objects listed and the problems found.
     * @throws org.cachefs.format.CacheFsException if the image cannot be read at all (not formatted, foreign, ...).
     * @throws IOException                         on an I/O error.
     */
    public static ImageListing read(final BlockDevice device) throws IOException
    {
        final ImageHeader header = ImageHeader.read(device);
        final List<Entry> entries = new ArrayList<>();
        final List<String> problems = new ArrayList<>(header.problems());
        new IndexWalker(device, header.layout(), header.commit()).walk(new IndexWalker.Listener()
        {
            @Override
            public void nodeRevisited(final long block, final int level, final String referrer)
            {
                problems.add("index node at block " + block + " referenced again by " + referrer);
            }

            @Override
            public void nodeCorrupt(
                final long block, final int level, final String referrer, final CorruptCacheException error)
            {
                problems.add(error.getMessage());
            }

            @Override
            public void nodeVerified(final long block, final int level, final String referrer)
            {
            }

            @Override
            public void separatorViolated(final long block, final int level, final String referrer)
            {
                problems.add("index node at block " + block + " holds keys outside the range " + referrer +
                    " gives it");
            }

            @Override
            public void record(
                final IndexNode leaf, final long block, final int i, final boolean inOrder,
                final long previousObjectId)
            {
                entries.add(new Entry(leaf.objectId(i), leaf.parentId(i), leaf.type(i), leaf.key(i), leaf.aux(i),
                    leaf.objectSize(i), leaf.pageCount(i), (leaf.flags(i) & IndexNode.FLAG_PINNED) != 0,
                    leaf.accessTime(i)));
            }
        });
        return new ImageListing(entries, problems);
    }

    /**
     * @return every object, in index order (by parent, then key).
     */
    public List<Entry> entries()
    {
        return entries;
    }

    /**
     * @return damage met while reading, one line each (empty for a sound image).
     */
    public List<String> problems()
    {
        return problems;
    }
}
