package org.cachefs.format.device;

import java.io.IOException;
import java.nio.file.Path;

import org.cachefs.format.DiscardReport;
import org.cachefs.format.Fixtures;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.MkfsResult;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.testing.ForwardingBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.cachefs.format.Fixtures.unitsNotHolding;

/**
 * mkfs's discard on a real block device, a 64 MiB loop device over an image file full of old bytes: the device
 * read raw afterwards (a plain {@link java.nio.channels.FileChannel} on the device node, not cachefs) holds zeros in
 * every data block. Skipped, saying why, where losetup is missing, without root, or when no loop device can be
 * attached.
 */
class MkfsDiscardLoopDeviceTest
{
    private static final long SIZE = 64L << 20;
    /**
     * Blocks 17 (past the zeroed first 68 KiB) to 16383 (the backup superblock) of 4096 bytes.
     */
    private static final long DISCARDED = (16_383 - 17) * 4096L;
    private static final MkfsOptions FORCE = MkfsOptions.defaults().withForce(true).withLabel("loop");

    @TempDir
    Path dir;

    private Path oldImage() throws IOException
    {
        final Path image = dir.resolve("loop.img");
        Fixtures.writePattern(image, SIZE);
        return image;
    }

    private static void assertDataRegionIsZeros(final Path device, final RegionLayout layout) throws IOException
    {
        assertThat(unitsNotHolding(device, layout.dataStart() * 4096, layout.dataEnd() * 4096, 4096, true))
            .as("data blocks of %s not zero (positions)", device).isEmpty();
    }

    @Test
    void mkfsZeroesTheDataRegionWithBlkZeroOut() throws Exception
    {
        final Path image = oldImage();
        try (LoopDevice loop = LoopDevice.attach(dir, image))
        {
            assertThat(unitsNotHolding(loop.path(), 0, SIZE, 4096, false)).as("pattern on the device").isEmpty();

            final MkfsResult result = Mkfs.format(loop.path(), FORCE, null);

            assertThat(result.discard()).isEqualTo(new DiscardReport(DiscardMethod.ZEROOUT, DISCARDED, null));
            assertThat(result.discard().describe()).isEqualTo("zeroed 63.9 MiB (BLKZEROOUT)");
            assertDataRegionIsZeros(loop.path(), result.layout());
            try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(loop.path()))
            {
                assertThat(ImageHeader.read(device).superblock().label()).isEqualTo("loop");
            }
        }
        // and the image file under it, once detached
        assertThat(unitsNotHolding(image, 4 * 4096, 16_383 * 4096L, 4096, true)).isEmpty();
    }

    @Test
    void noDiscardLeavesTheOldBytesOnTheDevice() throws Exception
    {
        try (LoopDevice loop = LoopDevice.attach(dir, oldImage()))
        {
            final MkfsResult result = Mkfs.format(loop.path(), FORCE.withDiscard(false), null);

            assertThat(result.discard()).isEqualTo(DiscardReport.skipped(DISCARDED));
            assertThat(unitsNotHolding(loop.path(), 17 * 4096, result.layout().backupBlock() * 4096, 4096, false))
                .isEmpty();
        }
    }

    /**
     * A device that refuses BLKZEROOUT (the wrapper refuses as an old driver does) gets a real BLKDISCARD, where the
     * loop device offers it, then zeros written.
     */
    @Test
    void refusedZeroOutFallsBackToDiscardThenZeros() throws Exception
    {
        try (LoopDevice loop = LoopDevice.attach(dir, oldImage()))
        {
            final boolean discards = Long.parseLong(loop.queue("discard_max_bytes")) > 0;
            final MkfsResult result;
            try (DirectBlockDevice direct = DirectBlockDevice.open(loop.path()))
            {
                final BlockDevice refusing = new ForwardingBlockDevice(direct)
                {
                    @Override
                    public DiscardMethod zeroRange(final long position, final long length) throws IOException
                    {
                        throw DiscardException.of(name(), "BLKZEROOUT", position, length, LibC.ENOTTY,
                            "Inappropriate ioctl for device");
                    }

                    @Override
                    public void discardRange(final long position, final long length) throws IOException
                    {
                        direct.discardRange(position, length);
                    }
                };
                result = Mkfs.format(refusing, FORCE, null);
            }

            assertThat(result.discard().method()).as("discard_max_bytes %s", loop.queue("discard_max_bytes"))
                .isEqualTo(discards ? DiscardMethod.DISCARD_AND_WRITE_ZEROS : DiscardMethod.WRITE_ZEROS);
            assertThat(result.discard().bytes()).isEqualTo(DISCARDED);
            assertDataRegionIsZeros(loop.path(), result.layout());
        }
    }
}
