package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.BitmapBlock;
import org.cachefs.format.CacheFsException;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;

/**
 * Hands out blocks for the nodes of a repair: data-region blocks that the new metadata set does not use yet and that
 * the current commit does not refer to, so that a crash before the repair's commit record is durable leaves the
 * current commit intact (the delayed-reuse rule of the engine). It prefers blocks that are also free in the current
 * commit's bitmap copy (read one bitmap block at a time as the search moves on), so that blocks below corrupt nodes,
 * which the check could not see, are taken only when nothing else is left.
 */
final class RepairAllocator implements NodeWriter
{
    private final BlockDevice device;
    private final RegionLayout layout;
    private final CommitRecord commit;
    private final Bits oldReferences;
    private final Bits newReferences;
    private final ByteBuffer buffer;
    private final BitmapBlock bitmap = new BitmapBlock();
    private final long bitsPerBlock;
    private long loadedIndex = -1;
    private boolean loadedValid;
    private long cursor;
    private boolean relaxed;
    private long written;

    RepairAllocator(
        final BlockDevice device,
        final RegionLayout layout,
        final CommitRecord commit,
        final Bits oldReferences,
        final Bits newReferences)
    {
        this.device = device;
        this.layout = layout;
        this.commit = commit;
        this.oldReferences = oldReferences;
        this.newReferences = newReferences;
        this.buffer = AlignedBuffers.allocate(layout.blockSize(), Math.max(device.logicalSectorSize(),
            AlignedBuffers.DEFAULT_ALIGNMENT));
        this.bitsPerBlock = BitmapBlock.bitsPerBlock(layout.blockSize());
        this.cursor = layout.dataStart();
    }

    @Override
    public long allocate() throws IOException
    {
        while (true)
        {
            while (cursor < layout.dataEnd())
            {
                final long block = cursor++;
                if (!oldReferences.get(block) && !newReferences.get(block) && (relaxed || !setOnDisk(block)))
                {
                    newReferences.set(block);
                    return block;
                }
            }
            if (relaxed)
            {
                throw new RepairException(device.name(), "no free block left for the repair's " +
                    "metadata (" + written + " blocks written)");
            }
            relaxed = true;
            cursor = layout.dataStart();
        }
    }

    @Override
    public void write(final long block, final ByteBuffer node) throws IOException
    {
        device.write(block * layout.blockSize(), node);
        written++;
    }

    private boolean setOnDisk(final long block) throws IOException
    {
        final long index = block / bitsPerBlock;
        if (index != loadedIndex)
        {
            final int copy = commit.bitmapCopy();
            final long bitmapBlock = layout.bitmapStart(copy) + index;
            device.read(bitmapBlock * layout.blockSize(), buffer.clear());
            loadedIndex = index;
            try
            {
                bitmap.wrap(buffer, layout.blockSize()).verify(device.name(), bitmapBlock, copy, index,
                    commit.generation(), layout);
                loadedValid = true;
            }
            catch (final CacheFsException ex)
            {
                loadedValid = false;
            }
        }
        return loadedValid && bitmap.get(block - index * bitsPerBlock);
    }
}
