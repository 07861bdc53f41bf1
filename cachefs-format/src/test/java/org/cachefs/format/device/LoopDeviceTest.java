package org.cachefs.format.device;

import java.io.RandomAccessFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.UUID;

import org.cachefs.format.CacheFsException;
import org.cachefs.format.DeviceInUseException;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.MkfsResult;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * mkfs and the device layer on a real block device: a loop device over an image file. Skipped where losetup is
 * missing, without root, or when no loop device can be attached.
 */
class LoopDeviceTest
{
    private static final long SIZE = 64L << 20;
    private static final UUID UUID_A = UUID.fromString("01234567-89ab-cdef-0123-456789abcdef");

    @TempDir
    Path dir;

    @Test
    void formatsAndOpensALoopDevice() throws Exception
    {
        final Path image = dir.resolve("loop.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(SIZE);
        }
        try (LoopDevice loop = LoopDevice.attach(dir, image))
        {
            exercise(loop.path());
        }
    }

    private void exercise(final Path loop) throws Exception
    {
        final String name = loop.getFileName().toString();
        final int kernelSector = Integer.parseInt(
            Files.readString(Path.of("/sys/block", name, "queue", "logical_block_size")).trim());
        assertThat(DirectBlockDevice.isBlockDevice(loop)).isTrue();

        assertThatThrownBy(() -> Mkfs.format(loop, MkfsOptions.defaults().withSize(SIZE), null))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage(name + " is a block device: its size is the device's, -s cannot be used");

        final MkfsOptions options = MkfsOptions.defaults().withUuid(UUID_A).withLabel("loop")
            .withCreatedMillis(1_700_000_000_000L);
        final MkfsResult result = Mkfs.format(loop, options, null);
        assertThat(result.device()).isEqualTo(name);
        assertThat(result.layout().blockCount()).isEqualTo(16_384);
        assertThat(result.layout().backupBlock()).isEqualTo(16_383);

        try (DirectBlockDevice device = DirectBlockDevice.open(loop))
        {
            assertThat(device.isBlockDevice()).isTrue();
            assertThat(device.isReadOnly()).isFalse();
            assertThat(device.name()).isEqualTo(name);
            assertThat(device.logicalSectorSize()).isEqualTo(kernelSector);
            assertThat(device.size()).isEqualTo(SIZE);
            assertThat(device).hasToString("DirectBlockDevice{" + loop + ", size=" + SIZE + ", sector=" +
                kernelSector + ", block device}");

            final ImageHeader header = ImageHeader.read(device);
            assertThat(header.slot()).isEqualTo(0);
            assertThat(header.commit().generation()).isEqualTo(2);
            assertThat(header.superblock().uuid()).isEqualTo(UUID_A);
            assertThat(header.superblock().label()).isEqualTo("loop");
            assertThat(header.superblock().sectorSize()).isEqualTo(kernelSector);
            assertThat(header.layout().blockCount()).isEqualTo(16_384);
            assertThat(header.problems()).isEmpty();

            assertThatThrownBy(() -> DirectBlockDevice.open(loop)).isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage(name + " is in use by another cachefs instance");
            // another process meets the O_EXCL open
            try (ChildJvm child = ChildJvm.start(dir, HoldDeviceMain.class, loop.toString()))
            {
                assertThat(child.readLine()).isEqualTo("in use: " + name + " is in use by another cachefs instance");
                assertThat(child.finish()).as("child exit status; stderr: %s", child.stderr()).isZero();
            }
            try (DirectBlockDevice reader = DirectBlockDevice.openReadOnly(loop))
            {
                assertThat(reader.isBlockDevice()).isTrue();
                assertThat(reader.logicalSectorSize()).isEqualTo(kernelSector);
                assertThat(ImageHeader.read(reader).superblock().uuid()).isEqualTo(UUID_A);
            }
        }

        try (ChildJvm child = ChildJvm.start(dir, HoldDeviceMain.class, loop.toString()))
        {
            assertThat(child.readLine()).isEqualTo("ready " + SIZE);
            assertThat(child.finish()).isZero();
        }
        assertThatThrownBy(() -> Mkfs.format(loop, MkfsOptions.defaults(), null))
            .isExactlyInstanceOf(CacheFsException.class)
            .hasMessage(name + " already contains a cachefs image (uuid 01234567-89ab-cdef-0123-456789abcdef, " +
                "label 'loop'); use -f to overwrite it");
    }
}
