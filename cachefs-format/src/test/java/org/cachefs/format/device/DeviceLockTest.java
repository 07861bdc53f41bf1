package org.cachefs.format.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.cachefs.format.DeviceInUseException;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A writable open owns the image against other processes too: each test runs a second JVM.
 */
class DeviceLockTest
{
    @TempDir
    Path dir;

    private Path image;

    @BeforeEach
    void createImage() throws IOException
    {
        image = dir.resolve("cache.img");
        Files.write(image, new byte[1 << 20]);
    }

    @Test
    void anotherProcessHoldingTheImageKeepsUsOut() throws Exception
    {
        try (ChildJvm child = ChildJvm.start(dir, HoldDeviceMain.class, image.toString()))
        {
            assertThat(child.readLine()).isEqualTo("ready 1048576");
            assertThatThrownBy(() -> DirectBlockDevice.open(image)).isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage("cache.img is in use by another cachefs instance");
            try (DirectBlockDevice reader = DirectBlockDevice.openReadOnly(image))
            {
                final ByteBuffer block = AlignedBuffers.allocate(4096);
                reader.read(0, block);
                assertThat(block.position()).isEqualTo(4096);
            }
            assertThat(child.finish()).as("child exit status; stderr: %s", child.stderr()).isZero();
        }
        try (DirectBlockDevice device = DirectBlockDevice.open(image))
        {
            assertThat(device.isReadOnly()).isFalse();
        }
    }

    @Test
    void holdingTheImageKeepsAnotherProcessOut() throws Exception
    {
        try (DirectBlockDevice device = DirectBlockDevice.open(image);
             ChildJvm child = ChildJvm.start(dir, HoldDeviceMain.class, image.toString()))
        {
            assertThat(child.readLine()).isEqualTo("in use: cache.img is in use by another cachefs instance");
            assertThat(child.finish()).as("child exit status; stderr: %s", child.stderr()).isZero();
            assertThat(device.isReadOnly()).isFalse();
        }
        try (ChildJvm child = ChildJvm.start(dir, HoldDeviceMain.class, image.toString()))
        {
            assertThat(child.readLine()).isEqualTo("ready 1048576");
            assertThat(child.finish()).isZero();
        }
    }

    @Test
    void aReaderInAnotherProcessDoesNotKeepUsOut() throws Exception
    {
        try (ChildJvm child = ChildJvm.start(dir, HoldDeviceMain.class, image.toString(), "read"))
        {
            assertThat(child.readLine()).isEqualTo("ready 1048576");
            try (DirectBlockDevice device = DirectBlockDevice.open(image))
            {
                assertThat(device.isReadOnly()).isFalse();
            }
            assertThat(child.finish()).isZero();
        }
    }

    /**
     * Closing another descriptor of the image in the owning process (here a read-only open) must not hand the image
     * to another process.
     */
    @Test
    void closingAReaderBesideTheOwnerKeepsTheLock() throws Exception
    {
        try (DirectBlockDevice owner = DirectBlockDevice.open(image))
        {
            try (DirectBlockDevice reader = DirectBlockDevice.openReadOnly(image))
            {
                assertThat(reader.isReadOnly()).isTrue();
            }
            Files.readAllBytes(image);
            try (ChildJvm child = ChildJvm.start(dir, HoldDeviceMain.class, image.toString()))
            {
                assertThat(child.readLine()).isEqualTo("in use: cache.img is in use by another cachefs instance");
                assertThat(child.finish()).isZero();
            }
            assertThat(owner.isReadOnly()).isFalse();
        }
    }
}
