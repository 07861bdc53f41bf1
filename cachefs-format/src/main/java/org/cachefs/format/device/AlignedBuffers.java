package org.cachefs.format.device;

import java.nio.ByteBuffer;

import org.agrona.BufferUtil;

/**
 * Direct buffers aligned for O_DIRECT I/O.
 */
public final class AlignedBuffers
{
    /**
     * Alignment that satisfies every supported device: the largest logical sector size cachefs accepts.
     */
    public static final int DEFAULT_ALIGNMENT = 4096;

    private AlignedBuffers()
    {
    }

    /**
     * @return a zeroed direct buffer of {@code capacity} bytes whose address is a multiple of {@code alignment}.
     */
    public static ByteBuffer allocate(final int capacity, final int alignment)
    {
        return BufferUtil.allocateDirectAligned(capacity, alignment);
    }

    /**
     * @return a zeroed direct buffer of {@code capacity} bytes aligned to {@link #DEFAULT_ALIGNMENT}.
     */
    public static ByteBuffer allocate(final int capacity)
    {
        return allocate(capacity, DEFAULT_ALIGNMENT);
    }

    /**
     * @return true if {@code buffer} is direct and its address is a multiple of {@code alignment}.
     */
    public static boolean isAligned(final ByteBuffer buffer, final int alignment)
    {
        return buffer.isDirect() && (BufferUtil.address(buffer) & (alignment - 1)) == 0;
    }
}
