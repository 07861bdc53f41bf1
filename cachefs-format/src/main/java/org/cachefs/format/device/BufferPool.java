package org.cachefs.format.device;

import java.nio.ByteBuffer;

import org.agrona.concurrent.ManyToManyConcurrentArrayQueue;

/**
 * A bounded pool of aligned direct buffers of one size, for block-sized I/O. Thread-safe: any thread may acquire and
 * release. When the pool is empty a new buffer is allocated; a released buffer beyond the pool's capacity is left
 * to the garbage collector.
 */
public final class BufferPool
{
    private final int bufferSize;
    private final int alignment;
    private final ManyToManyConcurrentArrayQueue<ByteBuffer> free;

    public BufferPool(final int bufferSize, final int alignment, final int capacity)
    {
        if (bufferSize <= 0 || bufferSize % alignment != 0)
        {
            throw new IllegalArgumentException("buffer size " + bufferSize + " is not a positive multiple of " +
                alignment);
        }
        this.bufferSize = bufferSize;
        this.alignment = alignment;
        this.free = new ManyToManyConcurrentArrayQueue<>(Math.max(2, capacity));
    }

    public int bufferSize()
    {
        return bufferSize;
    }

    /**
     * @return a cleared buffer of {@link #bufferSize()} bytes; its contents are undefined.
     */
    public ByteBuffer acquire()
    {
        final ByteBuffer buffer = free.poll();
        return buffer != null ? buffer.clear() : AlignedBuffers.allocate(bufferSize, alignment);
    }

    /**
     * Returns a buffer obtained from {@link #acquire()}.
     */
    public void release(final ByteBuffer buffer)
    {
        if (buffer.capacity() != bufferSize)
        {
            throw new IllegalArgumentException("buffer of " + buffer.capacity() + " bytes released to a pool of " +
                bufferSize);
        }
        free.offer(buffer);
    }
}
