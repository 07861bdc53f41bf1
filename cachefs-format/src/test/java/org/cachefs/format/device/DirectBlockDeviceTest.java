package org.cachefs.format.device;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.charset.StandardCharsets;
import java.util.SplittableRandom;
import java.util.concurrent.TimeUnit;

import org.cachefs.format.DeviceInUseException;
import org.cachefs.format.Fixtures;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class DirectBlockDeviceTest
{
    private static final long SEED = 0xD1EC_7B10L;
    private static final int SIZE = 1 << 20;

    @TempDir
    Path dir;

    private Path image;
    private int sector;

    @BeforeEach
    void createImage() throws IOException
    {
        image = dir.resolve("cache.img");
        Files.write(image, new byte[SIZE]);
        sector = (int)Files.getFileStore(image).getBlockSize();
    }

    @Test
    void describesAnImageFile() throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.open(image))
        {
            assertThat(device.name()).isEqualTo("cache.img");
            assertThat(device.path()).isEqualTo(image);
            assertThat(device.size()).isEqualTo(SIZE);
            assertThat(device.logicalSectorSize()).isEqualTo(sector);
            assertThat(device.isBlockDevice()).isFalse();
            assertThat(device.isReadOnly()).isFalse();
            assertThat(device).hasToString("DirectBlockDevice{" + image + ", size=1048576, sector=" + sector +
                ", image}");
        }
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            assertThat(device.isReadOnly()).isTrue();
            assertThat(device).hasToString("DirectBlockDevice{" + image + ", size=1048576, sector=" + sector +
                ", image, read-only}");
        }
        assertThat(DirectBlockDevice.isBlockDevice(image)).isFalse();
        assertThat(DirectBlockDevice.isBlockDevice(Path.of("/dev/null"))).isFalse();
    }

    @Test
    void writesAndReadsBackAlignedBlocks() throws IOException
    {
        final byte[] data = new byte[3 * 4096];
        new SplittableRandom(SEED).nextBytes(data);
        try (DirectBlockDevice device = DirectBlockDevice.open(image))
        {
            final ByteBuffer out = AlignedBuffers.allocate(data.length, sector);
            out.put(data).flip();
            device.write(8192, out);
            assertThat(out.remaining()).isZero();
            device.flush();

            final ByteBuffer in = AlignedBuffers.allocate(data.length, sector);
            device.read(8192, in);
            assertThat(in.position()).isEqualTo(data.length);
            final byte[] back = new byte[data.length];
            in.flip().get(back);
            assertThat(back).as("seed %d", SEED).isEqualTo(data);
        }
        final byte[] file = Files.readAllBytes(image);
        final byte[] range = new byte[data.length];
        System.arraycopy(file, 8192, range, 0, data.length);
        assertThat(range).as("seed %d", SEED).isEqualTo(data);
        assertThat(file[8191]).isZero();
        assertThat(file[8192 + data.length]).isZero();
    }

    @Test
    void refusesUnalignedPositionsAndLengths() throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.open(image))
        {
            final ByteBuffer block = AlignedBuffers.allocate(4096, sector);
            assertThatThrownBy(() -> device.read(100, block)).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: unaligned I/O of 4096 bytes at 100 (sector size " + sector + ")");
            assertThatThrownBy(() -> device.write(100, block)).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: unaligned I/O of 4096 bytes at 100 (sector size " + sector + ")");
            assertThatThrownBy(() -> device.read(0, block.limit(1000))).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: unaligned I/O of 1000 bytes at 0 (sector size " + sector + ")");
            assertThatThrownBy(() -> device.read(-sector, block.clear())).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: unaligned I/O of 4096 bytes at -" + sector + " (sector size " + sector + ")");
            assertThat(block.position()).isZero();
        }
    }

    @Test
    void readingPastTheEndFails() throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            final ByteBuffer block = AlignedBuffers.allocate(4096, sector);
            assertThatThrownBy(() -> device.read(SIZE, block)).isExactlyInstanceOf(EOFException.class)
                .hasMessage("cache.img: end of device at byte 1048576 while reading 4096 more bytes from 1048576");
            final ByteBuffer two = AlignedBuffers.allocate(8192, sector);
            assertThatThrownBy(() -> device.read(SIZE - 4096, two)).isExactlyInstanceOf(EOFException.class)
                .hasMessage("cache.img: end of device at byte 1048576 while reading 4096 more bytes from 1044480");
        }
    }

    @Test
    void readOnlyDevicesRefuseWrites() throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            assertThatThrownBy(() -> device.write(0, AlignedBuffers.allocate(4096, sector)))
                .isExactlyInstanceOf(IOException.class).hasMessage("cache.img is open read-only");
        }
    }

    @Test
    void closedDevicesRefuseIo() throws IOException
    {
        final DirectBlockDevice device = DirectBlockDevice.open(image);
        device.close();
        device.close();
        assertThatThrownBy(() -> device.read(0, AlignedBuffers.allocate(4096, sector)))
            .isExactlyInstanceOf(IOException.class).hasMessage("cache.img is closed");
        assertThatThrownBy(() -> device.write(0, AlignedBuffers.allocate(4096, sector)))
            .isExactlyInstanceOf(IOException.class).hasMessage("cache.img is closed");
    }

    @Test
    void refusesWhatIsNotThere() throws IOException
    {
        assertThatThrownBy(() -> DirectBlockDevice.open(dir.resolve("missing.img")))
            .isExactlyInstanceOf(NoSuchFileException.class);
        final Path directory = Files.createDirectory(dir.resolve("sub"));
        assertThatThrownBy(() -> DirectBlockDevice.open(directory)).isExactlyInstanceOf(IOException.class)
            .hasMessage(directory + " is neither a regular file nor a block device");
        assertThatThrownBy(() -> DirectBlockDevice.open(Path.of("/dev/null"))).isExactlyInstanceOf(IOException.class)
            .hasMessage("/dev/null is neither a regular file nor a block device");
    }

    @Test
    void aSecondWritableOpenInThisJvmIsRefusedUntilTheFirstCloses() throws IOException
    {
        final DirectBlockDevice first = DirectBlockDevice.open(image);
        try
        {
            assertThatThrownBy(() -> DirectBlockDevice.open(image)).isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage("cache.img is in use by another cachefs instance");
            assertThatThrownBy(() -> DirectBlockDevice.open(image)).isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage("cache.img is in use by another cachefs instance");
        }
        finally
        {
            first.close();
        }
        try (DirectBlockDevice again = DirectBlockDevice.open(image))
        {
            assertThat(again.isReadOnly()).isFalse();
        }
    }

    @Test
    void anotherNameForTheSameFileIsTheSameDevice() throws IOException
    {
        final Path link = Files.createLink(dir.resolve("other.img"), image);
        final Path symlink = Files.createSymbolicLink(dir.resolve("sym.img"), image);
        try (DirectBlockDevice owner = DirectBlockDevice.open(image))
        {
            assertThat(owner.name()).isEqualTo("cache.img");
            assertThatThrownBy(() -> DirectBlockDevice.open(link)).isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage("other.img is in use by another cachefs instance");
            assertThatThrownBy(() -> DirectBlockDevice.open(symlink)).isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage("sym.img is in use by another cachefs instance");
        }
        try (DirectBlockDevice viaLink = DirectBlockDevice.open(link))
        {
            assertThat(viaLink.name()).isEqualTo("other.img");
        }
    }

    @Test
    void readersOpenBesideAWriterAndSeeItsWrites() throws IOException
    {
        try (DirectBlockDevice writer = DirectBlockDevice.open(image);
             DirectBlockDevice reader = DirectBlockDevice.openReadOnly(image);
             DirectBlockDevice second = DirectBlockDevice.openReadOnly(image))
        {
            final ByteBuffer out = AlignedBuffers.allocate(4096, sector);
            out.putLong(0, 0x1122334455667788L);
            writer.write(4096, out);
            final ByteBuffer in = AlignedBuffers.allocate(4096, sector);
            reader.read(4096, in);
            assertThat(in.getLong(0)).isEqualTo(0x1122334455667788L);
            assertThat(second.isReadOnly()).isTrue();
        }
        try (DirectBlockDevice writer = DirectBlockDevice.open(image))
        {
            assertThat(writer.isReadOnly()).isFalse();
        }
    }

    @Test
    void zeroRangePunchesAHoleAndKeepsTheImageAllocated() throws IOException, InterruptedException
    {
        Fixtures.writePattern(image, SIZE);
        final long allocated = allocatedSectors(image);
        assertThat(allocated).as("512-byte sectors allocated to the written image").isGreaterThanOrEqualTo(SIZE / 512);
        try (DirectBlockDevice device = DirectBlockDevice.open(image))
        {
            assertThat(device.zeroRange(2 * sector, 3L * sector)).isEqualTo(DiscardMethod.PUNCH_HOLE);
        }
        assertThat(Files.size(image)).isEqualTo(SIZE);
        assertThat(Fixtures.unitsNotHolding(image, 2 * sector, 5L * sector, sector, true)).isEmpty();
        assertThat(Fixtures.unitsNotHolding(image, 0, 2 * sector, sector, false)).isEmpty();
        assertThat(Fixtures.unitsNotHolding(image, 5L * sector, SIZE, sector, false)).isEmpty();
        assertThat(allocatedSectors(image)).as("the hole is allocated again").isEqualTo(allocated);
    }

    @Test
    void zeroRangeMayEndInAPartialSectorAtTheEndOfAnImage() throws IOException
    {
        final Path odd = dir.resolve("odd.img");
        Fixtures.writePattern(odd, 3L * sector + 576);
        try (DirectBlockDevice device = DirectBlockDevice.open(odd))
        {
            assertThat(device.size()).isEqualTo(3L * sector + 576);
            assertThat(device.zeroRange(sector, 2L * sector + 576)).isEqualTo(DiscardMethod.PUNCH_HOLE);
        }
        assertThat(Files.size(odd)).isEqualTo(3L * sector + 576);
        assertThat(Fixtures.unitsNotHolding(odd, sector, 3L * sector + 576, sector, true)).isEmpty();
        assertThat(Fixtures.unitsNotHolding(odd, 0, sector, sector, false)).isEmpty();
    }

    @Test
    void zeroRangeAndDiscardRangeRefuseWhatTheyCannotDo() throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.open(image))
        {
            assertThatThrownBy(() -> device.discardRange(0, sector)).isExactlyInstanceOf(DiscardException.class)
                .hasMessage("cache.img: BLKDISCARD refused: not a block device")
                .satisfies(ex -> assertThat(((DiscardException)ex).refused()).isTrue());
            assertThatThrownBy(() -> device.zeroRange(sector, 100)).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: invalid range of 100 bytes at " + sector + " (sector size " + sector +
                    ", device size 1048576)");
            assertThatThrownBy(() -> device.zeroRange(100, sector)).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: invalid range of " + sector + " bytes at 100 (sector size " + sector +
                    ", device size 1048576)");
            assertThatThrownBy(() -> device.zeroRange(SIZE - sector, 2L * sector))
                .isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: invalid range of " + 2 * sector + " bytes at " + (SIZE - sector) +
                    " (sector size " + sector + ", device size 1048576)");
            assertThatThrownBy(() -> device.zeroRange(0, 0)).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: invalid range of 0 bytes at 0 (sector size " + sector +
                    ", device size 1048576)");
        }
        try (DirectBlockDevice reader = DirectBlockDevice.openReadOnly(image))
        {
            assertThatThrownBy(() -> reader.zeroRange(0, sector)).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img is open read-only");
        }
        final DirectBlockDevice closed = DirectBlockDevice.open(image);
        closed.close();
        assertThatThrownBy(() -> closed.zeroRange(0, sector)).isExactlyInstanceOf(IOException.class)
            .hasMessage("cache.img is closed");
    }

    /**
     * @return the 512-byte sectors the file system has allocated to {@code file} ({@code stat -c %b}).
     */
    private long allocatedSectors(final Path file) throws IOException, InterruptedException
    {
        final Process process = new ProcessBuilder("stat", "-c", "%b", file.toString()).redirectErrorStream(true)
            .start();
        final String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8).strip();
        assertThat(process.waitFor(30, TimeUnit.SECONDS)).as("stat finished").isTrue();
        assertThat(process.exitValue()).as("stat: %s", output).isZero();
        return Long.parseLong(output);
    }
}
