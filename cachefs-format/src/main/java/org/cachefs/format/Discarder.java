package org.cachefs.format;

import java.io.IOException;
import java.nio.ByteBuffer;

import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DiscardException;
import org.cachefs.format.device.DiscardMethod;

/**
 * Makes ranges of one device read back as zeros, for mkfs: with the device's own zeroing
 * ({@link BlockDevice#zeroRange}: holes punched in an image file, {@code BLKZEROOUT} on a block device) while the
 * device takes it; once it refuses, a block device gets {@code BLKDISCARD} (while it takes that) followed by zeros
 * written, and an image file zeros written, in {@value #ZERO_WRITE}-byte writes aligned to their size. A failure
 * that is not a refusal is thrown.
 * <p>
 * Ranges are handled in pieces that do not cross a multiple of {@value #PIECE} bytes, {@link Progress} being told
 * after each one. Created for
 * one mkfs run and used only from its thread.
 */
final class Discarder
{
    /**
     * The phase reported to {@link Progress}, in bytes.
     */
    static final String PHASE = "discarding";
    static final long PIECE = 64L << 20;
    static final int ZERO_WRITE = 1 << 20;

    private final BlockDevice device;
    private final Progress progress;
    private final long total;
    private long done;
    private long zeroed;
    private boolean zeroRangeRefused;
    private boolean discardRefused;
    private DiscardMethod method;
    private String refusal;
    private ByteBuffer zeros;

    /**
     * @param device   the device, open for writing.
     * @param total    bytes of all the ranges to come, for progress.
     * @param progress told after each piece.
     */
    Discarder(final BlockDevice device, final long total, final Progress progress)
    {
        this.device = device;
        this.total = total;
        this.progress = progress;
    }

    /**
     * Makes {@code length} bytes at {@code position} read back as zeros.
     *
     * @param position a multiple of the device's sector size.
     * @param length   a multiple of the sector size, or reaching the end of the device.
     */
    void zero(final long position, final long length) throws IOException
    {
        for (long at = position, end = position + length; at < end; )
        {
            final long piece = Math.min(PIECE - at % PIECE, end - at);
            zeroPiece(at, piece);
            at += piece;
            done += piece;
            progress.update(PHASE, done, total);
        }
    }

    /**
     * @return what was done so far: the method of the last piece, the bytes zeroed, the refusal that made it fall
     * back.
     */
    DiscardReport report()
    {
        return new DiscardReport(method == null ? DiscardMethod.WRITE_ZEROS : method, zeroed, refusal);
    }

    private void zeroPiece(final long position, final long length) throws IOException
    {
        if (!zeroRangeRefused)
        {
            try
            {
                method = device.zeroRange(position, length);
                zeroed += length;
                return;
            }
            catch (final DiscardException ex)
            {
                if (!ex.refused())
                {
                    throw ex;
                }
                zeroRangeRefused = true;
                discardRefused = !device.isBlockDevice();
                refusal = ex.withoutDevice();
            }
        }
        method = DiscardMethod.WRITE_ZEROS;
        final long whole = length - length % device.logicalSectorSize();
        if (!discardRefused && whole > 0)
        {
            try
            {
                device.discardRange(position, whole);
                method = DiscardMethod.DISCARD_AND_WRITE_ZEROS;
            }
            catch (final DiscardException ex)
            {
                if (!ex.refused())
                {
                    throw ex;
                }
                discardRefused = true;
                refusal = refusal + "; " + ex.withoutDevice();
            }
        }
        writeZeros(position, whole);
        zeroed += whole;
    }

    /**
     * Writes zeros over {@code length} bytes at {@code position}, in writes that do not cross a multiple of
     * {@link #ZERO_WRITE}. A last partial sector (only an image file whose size is not a multiple of the sector size
     * has one, and no block covers it) cannot be written with O_DIRECT and is left.
     */
    private void writeZeros(final long position, final long length) throws IOException
    {
        if (zeros == null)
        {
            zeros = AlignedBuffers.allocate(ZERO_WRITE, Math.max(device.logicalSectorSize(),
                AlignedBuffers.DEFAULT_ALIGNMENT));
        }
        for (long at = position, end = position + length; at < end; )
        {
            final int n = (int)Math.min(end - at, ZERO_WRITE - at % ZERO_WRITE);
            device.write(at, zeros.clear().limit(n));
            at += n;
        }
    }
}
