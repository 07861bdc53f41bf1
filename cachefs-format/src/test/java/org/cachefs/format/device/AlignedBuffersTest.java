package org.cachefs.format.device;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

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

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 100, 4095, 4097, 12345 })
    void allocatesCapacitiesThatAreNotWholeAlignments(final int capacity)
    {
        final ByteBuffer buffer = AlignedBuffers.allocate(capacity, 4096);
        assertThat(buffer.isDirect()).isTrue();
        assertThat(buffer.capacity()).isEqualTo(capacity);
        assertThat(buffer.limit()).isEqualTo(capacity);
        assertThat(buffer.order()).isEqualTo(ByteOrder.BIG_ENDIAN);
        assertThat(buffer.alignmentOffset(0, 4096)).isZero();
        if (capacity > 0)
        {
            buffer.put(capacity - 1, (byte) 0x5a);
            assertThat(buffer.get(capacity - 1)).isEqualTo((byte) 0x5a);
        }
    }

    @Test
    void refusesAlignmentsThatAreNotPowersOfTwo()
    {
        assertThatThrownBy(() -> AlignedBuffers.allocate(4096, 3000)).isExactlyInstanceOf(
            IllegalArgumentException.class).hasMessage("alignment 3000 is not a power of two");
        assertThatThrownBy(() -> AlignedBuffers.allocate(4096, 0)).isExactlyInstanceOf(
            IllegalArgumentException.class).hasMessage("alignment 0 is not a power of two");
        assertThatThrownBy(() -> AlignedBuffers.allocate(-1, 4096)).isExactlyInstanceOf(
            IllegalArgumentException.class).hasMessage("capacity -1 is not between 0 and 2147479552");
        assertThatThrownBy(() -> AlignedBuffers.allocate(Integer.MAX_VALUE - 4094, 4096)).isExactlyInstanceOf(
            IllegalArgumentException.class).hasMessage("capacity 2147479553 is not between 0 and 2147479552");
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
