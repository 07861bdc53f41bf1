package org.cachefs.format;

import java.nio.ByteBuffer;
import java.util.zip.CRC32C;

/**
 * CRC32C check values of metadata blocks and data pages.
 * <p>
 * A metadata block's check value covers its block number and owner before its contents, so that a block written to
 * the wrong place, or a stale block of another owner, fails the check even when its contents are intact. The check
 * field itself is skipped. Not thread-safe: one instance per thread.
 */
public final class Checksums
{
    private final CRC32C crc = new CRC32C();
    private final ByteBuffer seed = ByteBuffer.allocate(16).order(FormatVersion.ORDER);

    /**
     * A checksummer with its own CRC32C state, for one thread at a time.
     */
    public Checksums()
    {
    }

    /**
     * Check value of the bytes {@code [offset, offset + length)} of {@code buffer}, excluding the four bytes at
     * {@code crcOffset}, seeded with the block number and owner.
     *
     * @param buffer    the buffer holding the structure.
     * @param offset    where the structure starts in {@code buffer}.
     * @param length    the structure's length.
     * @param crcOffset the offset of its check field within the structure.
     * @param block     the block number it lives at.
     * @param owner     its owner (object id, bitmap copy, slot), by structure.
     * @return the check value.
     */
    public int metadata(
        final ByteBuffer buffer, final int offset, final int length, final int crcOffset, final long block,
        final long owner)
    {
        crc.reset();
        seed.clear();
        seed.putLong(0, block).putLong(8, owner);
        crc.update(seed);
        final ByteBuffer view = buffer.duplicate();
        view.limit(offset + crcOffset).position(offset);
        crc.update(view);
        view.limit(offset + length).position(offset + crcOffset + Integer.BYTES);
        crc.update(view);
        return (int)crc.getValue();
    }

    /**
     * Check value of a data page: the bytes from {@code buffer}'s position to its limit, seeded with the owning
     * object and the page index, so that a page map entry pointing at another page's block fails the check. The
     * buffer's position is left unchanged.
     *
     * @param objectId  the object owning the page.
     * @param pageIndex the page's index in the object.
     * @param buffer    the page's bytes, from position to limit.
     * @return the check value.
     */
    public int page(final long objectId, final long pageIndex, final ByteBuffer buffer)
    {
        crc.reset();
        seed.clear();
        seed.putLong(0, objectId).putLong(8, pageIndex);
        crc.update(seed);
        final int position = buffer.position();
        crc.update(buffer);
        buffer.position(position);
        return (int)crc.getValue();
    }

    /**
     * @param value the check value.
     * @return a check value in hexadecimal with a {@code 0x} prefix, for messages.
     */
    public static String hex(final int value)
    {
        return "0x" + Integer.toHexString(value);
    }
}
