package org.cachefs.format;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.device.DiscardException;
import org.cachefs.format.device.DiscardMethod;
import org.cachefs.format.device.LibC;
import org.cachefs.format.testing.ForwardingBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.Fixtures.MIB;
import static org.cachefs.format.Fixtures.options;
import static org.cachefs.format.Fixtures.unitsNotHolding;
import static org.cachefs.format.Fixtures.writePattern;

/**
 * mkfs's discard: after {@code mkfs -f} over a device full of old bytes, every block of the data region (and the
 * tail past the last block) reads back as zeros when the image is read raw, whichever way the device zeroes; with
 * discard off the old bytes stay.
 */
class MkfsDiscardTest
{
    private static final String NL = System.lineSeparator();
    private static final String EOPNOTSUPP = "Operation not supported";
    private static final String ENOTTY = "Inappropriate ioctl for device";

    @TempDir
    Path dir;

    private Path image()
    {
        return dir.resolve("cache.img");
    }

    /**
     * An image file whose every byte is {@link Fixtures#patternAt}: the old contents of a reused device.
     */
    private Path oldImage(final long size) throws IOException
    {
        writePattern(image(), size);
        return image();
    }

    /**
     * Asserts that the data region and the tail past the last block read back as zeros, raw.
     */
    private static void assertDataRegionIsZeros(final Path path, final long size, final RegionLayout layout)
        throws IOException
    {
        final int blockSize = layout.blockSize();
        assertThat(unitsNotHolding(path, layout.dataStart() * blockSize, layout.dataEnd() * blockSize, blockSize,
            true)).as("data blocks not zero (positions)").isEmpty();
        assertThat(unitsNotHolding(path, layout.blockCount() * blockSize, size, blockSize, true))
            .as("tail not zero (positions)").isEmpty();
    }

    /**
     * 16 MiB of 4 KiB blocks; 16 MiB + 4 KiB of 8 KiB blocks (a 4 KiB tail past the last block); 8 MiB + 12 KiB of
     * 64 KiB blocks (a 12 KiB tail). The discard starts past the zeroed first 68 KiB or the bitmaps, whichever ends
     * later, and ends at the backup superblock; the tail is discarded too.
     */
    @ParameterizedTest(name = "{0}-byte blocks, {1} bytes")
    @CsvSource({
        "4096,  16777216, 16703488, 15.9 MiB",
        "8192,  16781312, 16699392, 15.9 MiB",
        "65536, 8400896,  8073216,  7.7 MiB" })
    void dataRegionReadsAsZerosAfterMkfsOverOldBytes(final int blockSize, final long size, final long discarded,
        final String shown) throws IOException
    {
        oldImage(size);
        assertThat(unitsNotHolding(image(), 0, size, blockSize, false)).as("pattern written").isEmpty();

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final MkfsResult result = Mkfs.format(image(), options(-1, blockSize).withForce(true),
            new PrintStream(out, true, StandardCharsets.UTF_8));

        assertThat(Files.size(image())).isEqualTo(size);
        assertDataRegionIsZeros(image(), size, result.layout());
        assertThat(result.discard()).isEqualTo(new DiscardReport(DiscardMethod.PUNCH_HOLE, discarded, null));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
            NL + "  discard:     discarded " + shown + " (punched holes)" + NL);
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image()))
        {
            assertThat(ImageHeader.read(device).problems()).isEmpty();
        }
    }

    @Test
    void noDiscardLeavesTheOldBytesInTheDataRegion() throws IOException
    {
        final long size = 16 * MIB;
        oldImage(size);

        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final MkfsResult result = Mkfs.format(image(), options(-1, 4096).withForce(true).withDiscard(false),
            new PrintStream(out, true, StandardCharsets.UTF_8));

        final RegionLayout layout = result.layout();
        // past the zeroed first 68 KiB (17 blocks) to the backup superblock: every block still holds the old bytes
        assertThat(unitsNotHolding(image(), 17 * 4096, layout.backupBlock() * 4096, 4096, false)).isEmpty();
        assertThat(unitsNotHolding(image(), layout.dataStart() * 4096, 17 * 4096, 4096, true)).isEmpty();
        assertThat(result.discard()).isEqualTo(DiscardReport.skipped(16_703_488));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(
            NL + "  discard:     skipped (-E nodiscard): 15.9 MiB keep their old contents" + NL);
    }

    /**
     * A file system that cannot punch holes (the wrapper refuses as such a file system does): mkfs asks once,
     * then writes zeros over the whole range, in writes of at most 1 MiB that do not cross a MiB boundary.
     */
    @Test
    void writesZerosWhenPunchingHolesIsRefused() throws IOException
    {
        final long size = 160 * MIB;
        oldImage(size);
        final MkfsResult result;
        final RecordingDevice device;
        try (BlockDevice direct = DirectBlockDevice.open(image()))
        {
            device = new RecordingDevice(direct, false,
                DiscardException.of("cache.img", "punching a hole", 0, 0, LibC.EOPNOTSUPP, EOPNOTSUPP), null);
            result = Mkfs.format(device, options(-1, 4096).withForce(true), null);
        }

        assertDataRegionIsZeros(image(), size, result.layout());
        final long from = 17 * 4096;
        final long to = result.layout().backupBlock() * 4096;
        assertThat(result.discard()).isEqualTo(new DiscardReport(DiscardMethod.WRITE_ZEROS, to - from,
            "punching a hole refused: " + EOPNOTSUPP));
        assertThat(result.discard().describe()).isEqualTo(
            "zeroed 159.9 MiB (wrote zeros; punching a hole refused: Operation not supported)");
        assertThat(device.zeroCalls).as("asked once, the refusal is remembered for later pieces").isEqualTo(1);
        assertThat(device.discardCalls).as("an image file has no BLKDISCARD").isZero();

        final List<long[]> zeroWrites = device.writesWithin(from, to);
        assertThat(zeroWrites).hasSize(160);
        long expected = from;
        for (final long[] write : zeroWrites)
        {
            assertThat(write[0]).as("contiguous").isEqualTo(expected);
            assertThat(write[1]).isPositive().isLessThanOrEqualTo(MIB);
            assertThat(write[0] / MIB).as("write at %d of %d bytes within one MiB", write[0], write[1])
                .isEqualTo((write[0] + write[1] - 1) / MIB);
            expected += write[1];
        }
        assertThat(expected).isEqualTo(to);
    }

    @Test
    void blockDeviceRefusingZeroOutGetsADiscardThenZeros() throws IOException
    {
        final long size = 16 * MIB;
        oldImage(size);
        final MkfsResult result;
        final RecordingDevice device;
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (BlockDevice direct = DirectBlockDevice.open(image()))
        {
            device = new RecordingDevice(direct, true,
                DiscardException.of("cache.img", "BLKZEROOUT", 0, 0, LibC.ENOTTY, ENOTTY), null);
            result = Mkfs.format(device, options(-1, 4096).withForce(true),
                new PrintStream(out, true, StandardCharsets.UTF_8));
        }

        // the recording device's discard leaves the old bytes, as a discard may: the zeros written clear them
        assertDataRegionIsZeros(image(), size, result.layout());
        assertThat(device.discarded).extracting(d -> d[0] + "+" + d[1]).containsExactly("69632+16703488");
        assertThat(result.discard()).isEqualTo(new DiscardReport(DiscardMethod.DISCARD_AND_WRITE_ZEROS, 16_703_488,
            "BLKZEROOUT refused: " + ENOTTY));
        assertThat(out.toString(StandardCharsets.UTF_8)).contains(NL + "  discard:     discarded and zeroed " +
            "15.9 MiB (BLKDISCARD, then wrote zeros; BLKZEROOUT refused: Inappropriate ioctl for device)" + NL);
    }

    @Test
    void blockDeviceRefusingZeroOutAndDiscardGetsZeros() throws IOException
    {
        final long size = 16 * MIB;
        oldImage(size);
        final MkfsResult result;
        final RecordingDevice device;
        try (BlockDevice direct = DirectBlockDevice.open(image()))
        {
            device = new RecordingDevice(direct, true,
                DiscardException.of("cache.img", "BLKZEROOUT", 0, 0, LibC.EINVAL, "Invalid argument"),
                DiscardException.of("cache.img", "BLKDISCARD", 0, 0, LibC.EOPNOTSUPP, EOPNOTSUPP));
            result = Mkfs.format(device, options(-1, 4096).withForce(true), null);
        }

        assertDataRegionIsZeros(image(), size, result.layout());
        assertThat(device.discardCalls).isEqualTo(1);
        assertThat(result.discard()).isEqualTo(new DiscardReport(DiscardMethod.WRITE_ZEROS, 16_703_488,
            "BLKZEROOUT refused: Invalid argument; BLKDISCARD refused: " + EOPNOTSUPP));
    }

    /**
     * A failure that is not a refusal stops mkfs; the old image's slots are already gone, so the device reads as
     * "not formatted" rather than as an image over the old bytes; no slot or bitmap has been written.
     */
    @Test
    void aFailingDiscardStopsMkfsBeforeAnySlotIsWritten() throws IOException
    {
        final long size = 16 * MIB;
        oldImage(size);
        Mkfs.format(image(), options(-1, 4096).withForce(true).withDiscard(false), null);
        final RecordingDevice device;
        try (BlockDevice direct = DirectBlockDevice.open(image()))
        {
            device = new RecordingDevice(direct, false,
                DiscardException.of("cache.img", "punching a hole", 69632, 16_703_488, 5, "Input/output error"),
                null);
            assertThatThrownBy(() -> Mkfs.format(device, options(-1, 4096).withForce(true), null))
                .isExactlyInstanceOf(DiscardException.class)
                .hasMessage("cache.img: punching a hole of 16703488 bytes at 69632 failed: Input/output error");
        }

        assertThat(device.writes).extracting(w -> w[0] + "+" + w[1]).containsExactly("0+69632", "16773120+4096");
        try (DirectBlockDevice reader = DirectBlockDevice.openReadOnly(image()))
        {
            assertThatThrownBy(() -> ImageHeader.read(reader)).isExactlyInstanceOf(NotFormattedException.class)
                .hasMessage("cache.img is not formatted: block 0 is all zeros");
        }
    }

    /**
     * A device that offers no zeroing of its own (the {@link BlockDevice} defaults) gets zeros written, and every
     * step is flushed: wipe, discard, bitmaps, backup and slot 1, slot 0.
     */
    @Test
    void aDeviceWithoutZeroingGetsZerosWrittenAndOneMoreFlush() throws IOException
    {
        final MemoryBlockDevice device = new MemoryBlockDevice("sdz", 4 * MIB, 512);
        final ByteBuffer old = device.bytes();
        while (old.hasRemaining())
        {
            old.putLong(Fixtures.patternAt(old.position()));
        }
        final MkfsResult result = Mkfs.format(device, options(-1, 4096).withForce(true), null);
        final RegionLayout layout = result.layout();
        final ByteBuffer data = device.bytes().position((int)(layout.dataStart() * 4096))
            .limit((int)(layout.dataEnd() * 4096)).slice();
        assertThat(Fixtures.isZero(data)).isTrue();
        assertThat(device.flushes()).isEqualTo(5);
        assertThat(result.discard().describe()).isEqualTo("zeroed 3.9 MiB (wrote zeros; zeroing without writing " +
            "refused: not offered by this device; BLKDISCARD refused: not offered by this device)");
    }

    @Test
    void noDiscardSkipsTheStepAndItsFlush() throws IOException
    {
        final MemoryBlockDevice device = new MemoryBlockDevice("sdz", 4 * MIB, 512);
        final MkfsResult result = Mkfs.format(device, options(-1, 4096).withDiscard(false), null);
        assertThat(device.flushes()).isEqualTo(4);
        assertThat(result.discard().skipped()).isTrue();
    }

    /**
     * Over a real image: refuses {@link #zeroRange} with the given refusal (as a file system or driver without the
     * operation does); {@link #discardRange} records the range and leaves the bytes, or is refused; records writes.
     */
    private static final class RecordingDevice extends ForwardingBlockDevice
    {
        final boolean blockDevice;
        final DiscardException zeroFailure;
        final DiscardException discardFailure;
        final List<long[]> writes = new ArrayList<>();
        final List<long[]> discarded = new ArrayList<>();
        int zeroCalls;
        int discardCalls;

        RecordingDevice(final BlockDevice device, final boolean blockDevice, final DiscardException zeroFailure,
            final DiscardException discardFailure)
        {
            super(device);
            this.blockDevice = blockDevice;
            this.zeroFailure = zeroFailure;
            this.discardFailure = discardFailure;
        }

        @Override
        public boolean isBlockDevice()
        {
            return blockDevice;
        }

        @Override
        public DiscardMethod zeroRange(final long position, final long length) throws IOException
        {
            zeroCalls++;
            throw zeroFailure;
        }

        @Override
        public void discardRange(final long position, final long length) throws IOException
        {
            discardCalls++;
            if (discardFailure != null)
            {
                throw discardFailure;
            }
            discarded.add(new long[]{ position, length });
        }

        @Override
        public void write(final long position, final ByteBuffer src) throws IOException
        {
            writes.add(new long[]{ position, src.remaining() });
            super.write(position, src);
        }

        List<long[]> writesWithin(final long from, final long to)
        {
            final List<long[]> within = new ArrayList<>();
            for (final long[] write : writes)
            {
                if (write[0] >= from && write[0] < to)
                {
                    within.add(write);
                }
            }
            return within;
        }
    }
}
