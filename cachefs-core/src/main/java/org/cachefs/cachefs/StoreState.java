package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.Checksums;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.BufferPool;

/**
 * What every room of a mounted store shares: the device, the options and layout, the store lock, the metadata
 * structures (allocator, node I/O, index tree, page maps), the stats and latency recorders, the figures of the commit
 * record being built (generation, object and page counts), and whether the store is closed or stopped by a failure;
 * with the checks and check values every room needs.
 * <p>
 * Threading: the final fields are set at mount and read by any thread; the commit figures and {@link #closed} are
 * guarded by {@link #lock}; {@link #failure} and {@link #failureListener} are volatile, read and set by any thread.
 */
final class StoreState
{
    private static final ThreadLocal<Checksums> CHECKSUMS = ThreadLocal.withInitial(Checksums::new);

    final BlockDevice device;
    final MountOptions options;
    final RegionLayout layout;
    final int blockSize;
    /**
     * Guards all metadata: held exclusively for every change, every node read and every commit, shared by page
     * lookups that find every node on their path in the node cache.
     */
    final StoreLock lock = new StoreLock();
    final BlockAllocator allocator;
    final MetadataIo io;
    final IndexTree index;
    final PageMaps pageMaps;
    /** Bounce buffers of one block, for callers' buffers that O_DIRECT cannot use. */
    final BufferPool buffers;
    final StoreStats stats = new StoreStats();
    final StoreLatencies latencies = new StoreLatencies();
    /** Pages per range of a large object's access tracking: the pages of one page-map leaf. */
    final long rangePages;
    final boolean wasClean;
    /** The RAM tier above the device, or null if {@link MountOptions#ramTierBytes()} is too small for one. */
    final RamTier ram;

    long generation;
    long objectCount;
    long nextObjectId;
    long pageCount;
    long mountCount;
    /** Whether anything changed since the last commit. */
    boolean changed;
    boolean closed;

    private volatile java.util.function.Consumer<Exception> failureListener;
    private volatile Exception failure;

    /**
     * Loads the allocator, the index tree and the page maps of the committed state in {@code header}.
     */
    StoreState(final BlockDevice device, final MountOptions options, final ImageHeader header) throws IOException
    {
        this.device = device;
        this.options = options;
        this.layout = header.layout();
        this.blockSize = layout.blockSize();
        final CommitRecord commit = header.commit();
        this.allocator = BlockAllocator.load(device, layout, commit);
        this.io = new MetadataIo(device, layout, allocator, new NodeCache(options.nodeCacheSize()),
            commit.generation());
        this.index = new IndexTree(io, commit.indexRoot(), commit.indexRootCrc(), commit.indexHeight());
        this.pageMaps = new PageMaps(io);
        this.buffers = new BufferPool(blockSize, blockSize, 64);
        this.rangePages = PageMapNode.fanout(blockSize);
        this.wasClean = commit.clean();
        this.ram = RamTier.create(device.name(), options.ramTierBytes(), blockSize);
        this.generation = commit.generation();
        this.objectCount = commit.objectCount();
        this.nextObjectId = commit.nextObjectId();
        this.pageCount = commit.pageCount();
        this.mountCount = commit.mountCount() + 1;
    }

    /**
     * Sets who is told when work that no caller waits for (a periodic commit, a background cull, a run written by
     * a writer thread) fails.
     */
    void failureListener(final java.util.function.Consumer<Exception> listener)
    {
        this.failureListener = listener;
    }

    /**
     * Reports a failure that no caller waits for to the {@link #failureListener}.
     */
    void failed(final Exception ex)
    {
        final java.util.function.Consumer<Exception> listener = failureListener;
        if (listener != null)
        {
            listener.accept(ex);
        }
    }

    /**
     * @throws IOException if the store is unmounted or stopped after an I/O error.
     */
    void checkOpen() throws IOException
    {
        if (closed)
        {
            throw new IOException(device.name() + " is unmounted");
        }
        final Exception failure = this.failure;
        if (failure != null)
        {
            throw new IOException(device.name() + " stopped after an I/O error: " + failure.getMessage(), failure);
        }
    }

    /**
     * @return the error that stopped the store, or null.
     */
    Exception failure()
    {
        return failure;
    }

    /**
     * Stops using the device after an I/O error or a corrupt index (a corrupt page map is dropped instead, see
     * {@link PageDrops#dropCorruptPageMap}): every later operation fails, and unmounting commits nothing, so the last
     * durable commit stays as it was.
     */
    void fail(final Exception cause)
    {
        if (failure == null)
        {
            failure = cause;
        }
    }

    long pagesFor(final long bytes)
    {
        return bytes / blockSize + (bytes % blockSize != 0 ? 1 : 0);
    }

    /**
     * @return true if page {@code pageIndex} lies within the object's size and the object is still there.
     */
    boolean withinObject(final ObjectRecord record, final long pageIndex)
    {
        return pageIndex >= 0 && pageIndex < pagesFor(record.objectSize) && !record.retired;
    }

    static int crcOf(final long objectId, final long pageIndex, final ByteBuffer data)
    {
        return CHECKSUMS.get().page(objectId, pageIndex, data);
    }

    /**
     * @return the check value of the block of {@code src} at {@code offset} (its position and limit are kept).
     */
    int crcOfBlock(final long objectId, final long pageIndex, final ByteBuffer src, final int offset)
    {
        final int position = src.position();
        final int limit = src.limit();
        try
        {
            src.limit(offset + blockSize).position(offset);
            return crcOf(objectId, pageIndex, src);
        }
        finally
        {
            src.limit(limit).position(position);
        }
    }

    /**
     * @return true if O_DIRECT I/O can use the buffer from its position: direct, one block left, aligned.
     */
    boolean isDirect(final ByteBuffer buffer)
    {
        return buffer.isDirect() && buffer.remaining() >= blockSize &&
            buffer.alignmentOffset(buffer.position(), sectorSize()) == 0;
    }

    /**
     * @return the alignment of memory for O_DIRECT I/O on the device. Not just the logical sector size: the JDK's
     * O_DIRECT channel wants addresses aligned to the block size of the file store holding the path (4096 for a
     * device node), more than a 512-byte-sector disk's sector size.
     */
    int sectorSize()
    {
        return Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT);
    }
}
