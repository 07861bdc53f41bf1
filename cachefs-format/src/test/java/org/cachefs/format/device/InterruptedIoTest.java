package org.cachefs.format.device;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * A thread interrupted in an I/O must not close the device for everyone (a {@code FileChannel} closes itself when
 * that happens): the I/O completes, the thread keeps its interrupt status, and the device keeps working.
 */
class InterruptedIoTest
{
    @TempDir
    Path dir;

    @Test
    void anInterruptedCallerDoesNotTakeTheDeviceAway() throws IOException
    {
        final Path image = dir.resolve("cache.img");
        final byte[] content = new byte[16384];
        for (int i = 0; i < content.length; i++)
        {
            content[i] = (byte)(i * 7);
        }
        Files.write(image, content);
        try (DirectBlockDevice device = DirectBlockDevice.open(image))
        {
            final ByteBuffer buffer = AlignedBuffers.allocate(4096);
            Thread.currentThread().interrupt();
            try
            {
                device.read(4096, buffer);
                assertThat(Thread.currentThread().isInterrupted()).as("interrupt status kept").isTrue();
                buffer.clear().put(0, (byte)42);
                device.write(8192, buffer);
                device.flush();
                assertThat(Thread.currentThread().isInterrupted()).isTrue();
            }
            finally
            {
                Thread.interrupted();
            }
            final ByteBuffer check = AlignedBuffers.allocate(4096);
            device.read(4096, check);
            assertThat(check.get(1)).isEqualTo((byte)(4097 * 7));
            device.read(8192, check.clear());
            assertThat(check.get(0)).isEqualTo((byte)42);
        }
    }

    @Test
    void aClosedDeviceStaysClosed() throws IOException
    {
        final Path image = dir.resolve("cache.img");
        Files.write(image, new byte[8192]);
        final DirectBlockDevice device = DirectBlockDevice.open(image);
        device.close();
        assertThatThrownBy(() -> device.read(0, AlignedBuffers.allocate(4096))).isInstanceOf(IOException.class)
            .hasMessage("cache.img is closed");
    }
}
