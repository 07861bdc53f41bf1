package org.cachefs.format;

import java.nio.ByteBuffer;

/**
 * Common ground of the on-disk flyweights: a view of {@code length} bytes at {@code offset} of a buffer, read and
 * written in {@link FormatVersion#ORDER}. A flyweight holds no state of its own beyond the view, so it may be
 * re-wrapped over other buffers. Not thread-safe.
 */
abstract class Flyweight
{
    /** Computes the check values of the structure. */
    protected final Checksums checksums = new Checksums();
    /** The buffer wrapped, in {@link FormatVersion#ORDER}. */
    protected ByteBuffer buffer;
    /** Where the structure starts in {@link #buffer}. */
    protected int offset;

    /**
     * Wraps the {@code length} bytes at {@code offset} of {@code buffer}.
     *
     * @param buffer the buffer; its position and limit are ignored.
     * @param offset where the structure starts.
     * @param length the structure's length.
     * @throws IllegalArgumentException if the structure does not fit the buffer.
     */
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

    /**
     * @param field the field's offset within the structure.
     * @return the 8-byte field at {@code field}.
     */
    protected final long getLong(final int field)
    {
        return buffer.getLong(offset + field);
    }

    /**
     * Writes the 8-byte field at {@code field}.
     *
     * @param field the field's offset within the structure.
     * @param value the value.
     */
    protected final void putLong(final int field, final long value)
    {
        buffer.putLong(offset + field, value);
    }

    /**
     * @param field the field's offset within the structure.
     * @return the 4-byte field at {@code field}.
     */
    protected final int getInt(final int field)
    {
        return buffer.getInt(offset + field);
    }

    /**
     * Writes the 4-byte field at {@code field}.
     *
     * @param field the field's offset within the structure.
     * @param value the value.
     */
    protected final void putInt(final int field, final int value)
    {
        buffer.putInt(offset + field, value);
    }

    /**
     * @param field the field's offset within the structure.
     * @return the 2-byte field at {@code field}, unsigned.
     */
    protected final int getUnsignedShort(final int field)
    {
        return buffer.getShort(offset + field) & 0xFFFF;
    }

    /**
     * Writes the 2-byte field at {@code field}.
     *
     * @param field the field's offset within the structure.
     * @param value the value; its low 16 bits are written.
     */
    protected final void putShort(final int field, final int value)
    {
        buffer.putShort(offset + field, (short)value);
    }

    /**
     * @param field the field's offset within the structure.
     * @return the byte at {@code field}, unsigned.
     */
    protected final int getUnsignedByte(final int field)
    {
        return buffer.get(offset + field) & 0xFF;
    }

    /**
     * Writes the byte at {@code field}.
     *
     * @param field the field's offset within the structure.
     * @param value the value; its low 8 bits are written.
     */
    protected final void putByte(final int field, final int value)
    {
        buffer.put(offset + field, (byte)value);
    }

    /**
     * Copies {@code length} bytes from {@code field} into {@code dst}.
     *
     * @param field     the field's offset within the structure.
     * @param dst       where the bytes go.
     * @param dstOffset the first index of {@code dst} written.
     * @param length    the number of bytes.
     */
    protected final void getBytes(final int field, final byte[] dst, final int dstOffset, final int length)
    {
        buffer.get(offset + field, dst, dstOffset, length);
    }

    /**
     * Copies {@code length} bytes of {@code src} to {@code field}.
     *
     * @param field     the field's offset within the structure.
     * @param src       the bytes.
     * @param srcOffset the first index of {@code src} read.
     * @param length    the number of bytes.
     */
    protected final void putBytes(final int field, final byte[] src, final int srcOffset, final int length)
    {
        buffer.put(offset + field, src, srcOffset, length);
    }

    /**
     * Zeroes {@code length} bytes from {@code field}.
     *
     * @param field  the field's offset within the structure.
     * @param length the number of bytes.
     */
    protected final void zero(final int field, final int length)
    {
        for (int i = 0; i < length; i++)
        {
            buffer.put(offset + field + i, (byte)0);
        }
    }

    /**
     * @param value the value.
     * @return {@code value} in hexadecimal with a {@code 0x} prefix, for messages.
     */
    protected static String hex(final long value)
    {
        return "0x" + Long.toHexString(value);
    }

    /**
     * Hex of a 32-bit field, without the sign extension {@link #hex(long)} would add to negative values.
     *
     * @param value the value.
     * @return {@code value} in hexadecimal with a {@code 0x} prefix, for messages.
     */
    protected static String hex(final int value)
    {
        return "0x" + Integer.toHexString(value);
    }
}
