package org.cachefs.format.device;

import java.nio.ByteBuffer;

/**
 * Direct buffers aligned for O_DIRECT I/O, cut from plain JDK direct buffers ({@link ByteBuffer#alignmentOffset},
 * {@link ByteBuffer#slice(int, int)}): no JVM flag is needed. Stateless: any thread may call it.
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
     * @param capacity  the buffer's size in bytes.
     * @param alignment a power of two.
     * @return a zeroed direct buffer of {@code capacity} bytes whose address is a multiple of {@code alignment} (a
     *     power of two), cut from a direct buffer of {@code capacity + alignment - 1} bytes; big-endian, as every
     *     new buffer.
     */
    public static ByteBuffer allocate(final int capacity, final int alignment)
    {
        if (alignment <= 0 || (alignment & (alignment - 1)) != 0)
        {
            throw new IllegalArgumentException("alignment " + alignment + " is not a power of two");
        }
        if (capacity < 0 || capacity > Integer.MAX_VALUE - (alignment - 1))
        {
            throw new IllegalArgumentException("capacity " + capacity + " is not between 0 and " +
                (Integer.MAX_VALUE - (alignment - 1)));
        }
        final ByteBuffer block = ByteBuffer.allocateDirect(capacity + alignment - 1);
        final int offset = block.alignmentOffset(0, alignment);
        return block.slice(offset == 0 ? 0 : alignment - offset, capacity);
    }

    /**
     * @param capacity the buffer's size in bytes.
     * @return a zeroed direct buffer of {@code capacity} bytes aligned to {@link #DEFAULT_ALIGNMENT}.
     */
    public static ByteBuffer allocate(final int capacity)
    {
        return allocate(capacity, DEFAULT_ALIGNMENT);
    }

    /**
     * @param buffer    a direct buffer.
     * @param alignment a power of two.
     * @return true if {@code buffer} is direct and its address (at index 0) is a multiple of {@code alignment}.
     */
    public static boolean isAligned(final ByteBuffer buffer, final int alignment)
    {
        return buffer.isDirect() && buffer.alignmentOffset(0, alignment) == 0;
    }
}
