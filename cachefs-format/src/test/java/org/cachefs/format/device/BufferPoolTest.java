package org.cachefs.format.device;

import java.nio.ByteBuffer;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BufferPoolTest
{
    @Test
    void acquiresAlignedBuffersOfItsSize()
    {
        final BufferPool pool = new BufferPool(8192, 4096, 4);
        assertThat(pool.bufferSize()).isEqualTo(8192);
        final ByteBuffer buffer = pool.acquire();
        assertThat(buffer.capacity()).isEqualTo(8192);
        assertThat(buffer.position()).isZero();
        assertThat(buffer.limit()).isEqualTo(8192);
        assertThat(AlignedBuffers.isAligned(buffer, 4096)).isTrue();
        assertThat(pool.acquire()).isNotSameAs(buffer);
    }

    @Test
    void reusesReleasedBuffersCleared()
    {
        final BufferPool pool = new BufferPool(4096, 4096, 4);
        final ByteBuffer buffer = pool.acquire();
        buffer.position(100).limit(200);
        pool.release(buffer);
        final ByteBuffer again = pool.acquire();
        assertThat(again).isSameAs(buffer);
        assertThat(again.position()).isZero();
        assertThat(again.limit()).isEqualTo(4096);
    }

    @Test
    void keepsAtMostItsCapacity()
    {
        final BufferPool pool = new BufferPool(4096, 4096, 2);
        final ByteBuffer a = pool.acquire();
        final ByteBuffer b = pool.acquire();
        final ByteBuffer c = pool.acquire();
        pool.release(a);
        pool.release(b);
        pool.release(c);
        assertThat(pool.acquire()).isSameAs(a);
        assertThat(pool.acquire()).isSameAs(b);
        final ByteBuffer fresh = pool.acquire();
        assertThat(fresh).isNotSameAs(c).isNotSameAs(a).isNotSameAs(b);
    }

    @Test
    void refusesBuffersOfAnotherSize()
    {
        final BufferPool pool = new BufferPool(4096, 4096, 2);
        assertThatThrownBy(() -> pool.release(AlignedBuffers.allocate(8192)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer of 8192 bytes released to a pool of 4096");
        assertThatThrownBy(() -> pool.release(ByteBuffer.allocate(100)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer of 100 bytes released to a pool of 4096");
    }

    @Test
    void refusesSizesThatAreNotWholeAlignments()
    {
        assertThatThrownBy(() -> new BufferPool(1000, 4096, 2)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer size 1000 is not a positive multiple of 4096");
        assertThatThrownBy(() -> new BufferPool(0, 4096, 2)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer size 0 is not a positive multiple of 4096");
        assertThatThrownBy(() -> new BufferPool(-4096, 4096, 2)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("buffer size -4096 is not a positive multiple of 4096");
    }
}
