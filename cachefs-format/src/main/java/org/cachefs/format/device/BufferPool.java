package org.cachefs.format.device;

import java.nio.ByteBuffer;

/**
 * A bounded pool of aligned direct buffers of one size, for block-sized I/O. When the pool is empty a new buffer is
 * allocated; a released buffer beyond the pool's capacity is left to the garbage collector.
 * <p>
 * Threading: owned by no thread; any thread may acquire and release. The free buffers are a stack in an array under
 * the pool's monitor: acquiring and releasing allocate nothing, also under contention (a {@code ReentrantLock}, as in
 * {@code ArrayBlockingQueue}, allocates a queue node for each thread that has to wait), and the buffer released
 * last, still warm in the CPU caches, is the next one handed out. The critical sections are a few instructions long.
 */
public final class BufferPool
{
    private final int bufferSize;
    private final int alignment;
    private final ByteBuffer[] free;
    private int freeCount;

    /**
     * An empty pool; buffers are allocated as they are first acquired.
     *
     * @param bufferSize the size of every buffer, a multiple of {@code alignment}.
     * @param alignment  the buffers' address alignment, a power of two.
     * @param capacity   the most released buffers kept for reuse.
     * @throws IllegalArgumentException if a size is not positive, or the buffer size not a multiple of the alignment.
     */
    public BufferPool(final int bufferSize, final int alignment, final int capacity)
    {
        if (bufferSize <= 0 || bufferSize % alignment != 0)
        {
            throw new IllegalArgumentException("buffer size " + bufferSize + " is not a positive multiple of " +
                alignment);
        }
        if (capacity <= 0)
        {
            throw new IllegalArgumentException("pool capacity " + capacity + " is not positive");
        }
        this.bufferSize = bufferSize;
        this.alignment = alignment;
        this.free = new ByteBuffer[capacity];
    }

    /** @return the size of every buffer in bytes. */
    public int bufferSize()
    {
        return bufferSize;
    }

    /**
     * @return a cleared buffer of {@link #bufferSize()} bytes; its contents are undefined.
     */
    public ByteBuffer acquire()
    {
        final ByteBuffer buffer = pop();
        return buffer != null ? buffer.clear() : AlignedBuffers.allocate(bufferSize, alignment);
    }

    /**
     * Returns a buffer obtained from {@link #acquire()}.
     *
     * @param buffer the buffer, no longer used by the caller.
     */
    public void release(final ByteBuffer buffer)
    {
        if (buffer.capacity() != bufferSize)
        {
            throw new IllegalArgumentException("buffer of " + buffer.capacity() + " bytes released to a pool of " +
                bufferSize);
        }
        push(buffer);
    }

    private synchronized ByteBuffer pop()
    {
        if (freeCount == 0)
        {
            return null;
        }
        final ByteBuffer buffer = free[--freeCount];
        free[freeCount] = null;
        return buffer;
    }

    private synchronized void push(final ByteBuffer buffer)
    {
        if (freeCount < free.length)
        {
            free[freeCount++] = buffer;
        }
    }
}
