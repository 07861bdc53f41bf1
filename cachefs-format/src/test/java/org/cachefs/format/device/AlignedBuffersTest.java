package org.cachefs.format.device;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class AlignedBuffersTest
{
    @ParameterizedTest
    @ValueSource(ints = { 512, 4096, 8192, 65536 })
    void allocatesZeroedDirectBuffersAtTheAlignment(final int alignment)
    {
        final ByteBuffer buffer = AlignedBuffers.allocate(2 * alignment, alignment);
        assertThat(buffer.isDirect()).isTrue();
        assertThat(buffer.capacity()).isEqualTo(2 * alignment);
        assertThat(buffer.position()).isZero();
        assertThat(buffer.limit()).isEqualTo(2 * alignment);
        assertThat(AlignedBuffers.isAligned(buffer, alignment)).isTrue();
        for (int i = 0; i < buffer.capacity(); i++)
        {
            if (buffer.get(i) != 0)
            {
                throw new AssertionError("byte " + i + " is not zero");
            }
        }
    }

    @Test
    void defaultAlignmentIs4096()
    {
        assertThat(AlignedBuffers.DEFAULT_ALIGNMENT).isEqualTo(4096);
        final ByteBuffer buffer = AlignedBuffers.allocate(100);
        assertThat(buffer.capacity()).isEqualTo(100);
        assertThat(AlignedBuffers.isAligned(buffer, 4096)).isTrue();
    }

    @Test
    void slicesAndHeapBuffersAreNotAligned()
    {
        final ByteBuffer buffer = AlignedBuffers.allocate(8192, 4096);
        assertThat(AlignedBuffers.isAligned(buffer.slice(1, 4096), 2)).isFalse();
        assertThat(AlignedBuffers.isAligned(buffer.slice(512, 4096), 512)).isTrue();
        assertThat(AlignedBuffers.isAligned(buffer.slice(512, 4096), 4096)).isFalse();
        assertThat(AlignedBuffers.isAligned(buffer.slice(4096, 4096), 4096)).isTrue();
        assertThat(AlignedBuffers.isAligned(ByteBuffer.allocate(4096), 1)).isFalse();
    }
}
