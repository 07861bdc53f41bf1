package org.cachefs.cachefs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;

import org.cachefs.fscache.CacheBackendContractTest;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.Pages;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.TestFile;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.testing.FaultInjectingDevice;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend contract on CacheFS over an image file, with faults injected below it by a
 * {@link FaultInjectingDevice}, and CacheFS's own page buffer handling. Subclasses run it all on other devices by
 * overriding {@link #openFormatted} and {@link #releaseDevices}.
 */
public class CacheFsBackendTest extends CacheBackendContractTest
{
    private final List<CacheFsBackend> mounted = new ArrayList<>();
    private final List<Path> images = new ArrayList<>();
    private FaultInjectingDevice device;
    private long dataStart;

    /**
     * Blocks beyond the requested data pages: superblock slots, bitmap copies and backup of a small image, and the
     * blocks the store keeps free for commits.
     */
    static final int OVERHEAD_BLOCKS = 5 + CacheStore.COMMIT_SLACK_BLOCKS;

    /**
     * The mount options of the suite: each page written by its own I/O before {@code writePage} returns, which the
     * fault and hold hooks act on.
     */
    protected MountOptions mountOptions()
    {
        return MountOptions.defaults().withCommitIntervalSeconds(0).withWriteBehind(false);
    }

    @Override
    protected CacheBackend newBackend(final int capacityPages, final int pageSize)
    {
        try
        {
            final long blocks = Math.max(RegionLayout.minimumBlocks(pageSize), capacityPages + OVERHEAD_BLOCKS);
            final BlockDevice formatted = openFormatted(pageSize, blocks);
            final CacheFsBackend backend;
            try
            {
                dataStart = RegionLayout.of(pageSize, formatted.size() / pageSize).dataStart() * pageSize;
                device = new FaultInjectingDevice(formatted);
                backend = CacheFs.mount(device, mountOptions());
            }
            catch (final IOException | RuntimeException ex)
            {
                formatted.close();
                throw ex;
            }
            final FaultInjectingDevice faults = device;
            backend.dissociateListener(faults::releaseWrites);
            mounted.add(backend);
            return backend;
        }
        catch (final IOException ex)
        {
            throw new UncheckedIOException(ex);
        }
    }

    /**
     * Creates a device of {@code blocks} blocks formatted with {@code blockSize}, and opens it for writing. What it
     * creates is released by {@link #releaseDevices()}.
     */
    protected BlockDevice openFormatted(final int blockSize, final long blocks) throws IOException
    {
        final Path image = newImage(0);
        Mkfs.format(image, MkfsOptions.defaults().withBlockSize(blockSize).withSize(blocks * blockSize), null);
        return DirectBlockDevice.open(image);
    }

    /**
     * @return a new image file of {@code bytes} bytes (none: not created), deleted by {@link #releaseDevices()}.
     */
    protected Path newImage(final long bytes) throws IOException
    {
        final Path image = Files.createTempFile("cachefs-contract", ".img");
        images.add(image);
        if (bytes == 0)
        {
            Files.delete(image);
        }
        else
        {
            try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
            {
                file.setLength(bytes);
            }
        }
        return image;
    }

    @AfterEach
    void unmount() throws IOException
    {
        try
        {
            if (device != null)
            {
                device.releaseWrites();
            }
            fsCache.close();
            for (final CacheFsBackend backend : mounted)
            {
                backend.close();
            }
        }
        finally
        {
            releaseDevices();
        }
    }

    /**
     * Releases what {@link #openFormatted} created, after every backend is unmounted, also when a test or the
     * unmount failed. Here: deletes the image files.
     */
    protected void releaseDevices() throws IOException
    {
        for (final Path image : images)
        {
            Files.deleteIfExists(image);
        }
        images.clear();
    }

    /**
     * Page buffers the device cannot take as they are (heap, or direct but aligned only to 512 bytes) are stored and
     * read back through an aligned buffer; pages at 4096-byte aligned addresses go straight to the device.
     */
    @Test
    void pagesInBuffersOfEveryAlignmentAreStoredAndReadBack() throws InterruptedException
    {
        final List<Function<Long, CachePage>> kinds = List.of(
            index -> new CachePage(index, AlignedBuffers.allocate(PAGE_SIZE)),
            index -> new CachePage(index, AlignedBuffers.allocate(2 * PAGE_SIZE).position(512)
                .limit(512 + PAGE_SIZE).slice()),
            index -> new CachePage(index, ByteBuffer.allocate(PAGE_SIZE)));
        final Cookie cookie = acquire(new TestFile("alignment"));
        for (int kind = 0; kind < kinds.size(); kind++)
        {
            final CachePage page = kinds.get(kind).apply((long)kind);
            assertThat(cookie.readOrAllocPage(page, recorder, null)).as("read of kind %d", kind)
                .isEqualTo(Result.NO_DATA);
            writeMarked(cookie, page, 900 + kind);
            cookie.uncachePage(page);
        }
        for (int kind = 0; kind < kinds.size(); kind++)
        {
            for (int reader = 0; reader < kinds.size(); reader++)
            {
                final CachePage page = kinds.get(reader).apply((long)kind);
                assertThat(cookie.readOrAllocPage(page, recorder, null)).as("page %d into kind %d", kind, reader)
                    .isEqualTo(Result.OK);
                assertThat(recorder.resultOf(page)).isEqualTo(Result.OK);
                assertThat(Pages.seedOf(page)).isEqualTo(900 + kind);
                cookie.uncachePage(page);
            }
        }
        assertThat(((CacheFsBackend)backend).snapshot().pages()).isEqualTo(kinds.size());
        cookie.relinquish(false);
    }

    @Override
    protected boolean failNextRead(final CacheBackend backend)
    {
        device.faultsFrom(dataStart).failNextRead();
        return true;
    }

    @Override
    protected boolean failNextWrite(final CacheBackend backend)
    {
        device.faultsFrom(dataStart).failNextWrite();
        return true;
    }

    @Override
    protected boolean holdWrites(final CacheBackend backend)
    {
        // Page writes run on the FS-Cache pool; commits (sync at withdrawal) run on the caller and are not held.
        device.holdWrites(dataStart, thread -> thread.getName().startsWith("fscache-pool-"));
        return true;
    }

    @Override
    protected void releaseWrites(final CacheBackend backend)
    {
        device.releaseWrites();
    }

    @Override
    protected void awaitHeldWrites(final CacheBackend backend, final int count) throws InterruptedException
    {
        assertThat(device.awaitHeldWrites(count, 20, TimeUnit.SECONDS)).as("%d writes held", count).isTrue();
    }
}
