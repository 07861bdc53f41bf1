package org.cachefs.cachefs;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.cachefs.fscache.CacheBackendContractTest;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.testing.FaultInjectingDevice;
import org.junit.jupiter.api.AfterEach;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The backend contract on CacheFS over an image file, with faults injected below it by a
 * {@link FaultInjectingDevice}.
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

    @Override
    protected CacheBackend newBackend(final int capacityPages, final int pageSize)
    {
        try
        {
            final Path image = Files.createTempFile("cachefs-contract", ".img");
            images.add(image);
            Files.delete(image);
            final long blocks = Math.max(RegionLayout.minimumBlocks(pageSize), capacityPages + OVERHEAD_BLOCKS);
            Mkfs.format(image, MkfsOptions.defaults().withBlockSize(pageSize).withSize(blocks * pageSize), null);
            dataStart = RegionLayout.of(pageSize, blocks).dataStart() * pageSize;
            device = new FaultInjectingDevice(DirectBlockDevice.open(image));
            final CacheFsBackend backend = CacheFs.mount(device, MountOptions.defaults().withCommitIntervalSeconds(0));
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

    @AfterEach
    void unmount() throws IOException
    {
        device.releaseWrites();
        fsCache.close();
        for (final CacheFsBackend backend : mounted)
        {
            backend.close();
        }
        for (final Path image : images)
        {
            Files.deleteIfExists(image);
        }
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
