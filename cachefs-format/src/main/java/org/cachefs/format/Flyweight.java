package org.cachefs.format;

import java.nio.ByteBuffer;

/**
 * Common ground of the on-disk flyweights: a view of {@code length} bytes at {@code offset} of a buffer, read and
 * written in {@link FormatVersion#ORDER}. A flyweight holds no state of its own beyond the view, so it may be
 * re-wrapped over other buffers. Not thread-safe.
 */
abstract class Flyweight
{
    protected final Checksums checksums = new Checksums();
    protected ByteBuffer buffer;
    protected int offset;

    protected void wrap(final ByteBuffer buffer, final int offset, final int length)
    {
        if (offset < 0 || offset + length > buffer.capacity())
        {
            throw new IllegalArgumentException("structure of " + length + " bytes at offset " + offset +
                " does not fit a buffer of " + buffer.capacity());
        }
        this.buffer = buffer.duplicate().order(FormatVersion.ORDER).clear();
        this.offset = offset;
    }

    /**
     * @return the underlying buffer (a duplicate of the wrapped one, in on-disk byte order).
     */
    public ByteBuffer buffer()
    {
        return buffer;
    }

    protected final long getLong(final int field)
    {
        return buffer.getLong(offset + field);
    }

    protected final void putLong(final int field, final long value)
    {
        buffer.putLong(offset + field, value);
    }

    protected final int getInt(final int field)
    {
        return buffer.getInt(offset + field);
    }

    protected final void putInt(final int field, final int value)
    {
        buffer.putInt(offset + field, value);
    }

    protected final int getUnsignedShort(final int field)
    {
        return buffer.getShort(offset + field) & 0xFFFF;
    }

    protected final void putShort(final int field, final int value)
    {
        buffer.putShort(offset + field, (short)value);
    }

    protected final int getUnsignedByte(final int field)
    {
        return buffer.get(offset + field) & 0xFF;
    }

    protected final void putByte(final int field, final int value)
    {
        buffer.put(offset + field, (byte)value);
    }

    protected final void getBytes(final int field, final byte[] dst, final int dstOffset, final int length)
    {
        buffer.get(offset + field, dst, dstOffset, length);
    }

    protected final void putBytes(final int field, final byte[] src, final int srcOffset, final int length)
    {
        buffer.put(offset + field, src, srcOffset, length);
    }

    protected final void zero(final int field, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.put(offset + field + i, (byte)0);
        }
    }

    protected static String hex(final long value)
    {
        return "0x" + Long.toHexString(value);
    }

    /**
     * Hex of a 32-bit field, without the sign extension {@link #hex(long)} would add to negative values.
     */
    protected static String hex(final int value)
    {
        return "0x" + Integer.toHexString(value);
    }
}
