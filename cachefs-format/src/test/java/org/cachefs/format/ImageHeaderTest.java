package org.cachefs.format;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.SplittableRandom;

import org.assertj.core.api.ThrowableAssert.ThrowingCallable;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.DirectBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.Fixtures.CREATED;
import static org.cachefs.format.Fixtures.MIB;
import static org.cachefs.format.Fixtures.UUID_A;
import static org.cachefs.format.Fixtures.UUID_B;
import static org.cachefs.format.Fixtures.assertCorrupt;
import static org.cachefs.format.Fixtures.editSlot;
import static org.cachefs.format.Fixtures.flipStoredBit;
import static org.cachefs.format.Fixtures.hex32;
import static org.cachefs.format.Fixtures.mkfs;
import static org.cachefs.format.Fixtures.readRaw;
import static org.cachefs.format.Fixtures.writeRaw;
import static org.cachefs.format.Fixtures.zeroFile;

class ImageHeaderTest
{
    private static final long SEED = 0x1A6E_6EADL;

    @TempDir
    Path dir;

    private Path image;

    private Path image() throws IOException
    {
        image = dir.resolve("cache.img");
        return image;
    }

    /**
     * A 16 MiB image of 4096-byte blocks: 4096 blocks, backup at 4095.
     */
    private Path formatted() throws IOException
    {
        mkfs(image(), 16 * MIB, 4096);
        return image;
    }

    private ImageHeader read() throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            return ImageHeader.read(device);
        }
    }

    private ImageHeader readBackup() throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            return ImageHeader.readBackup(device);
        }
    }

    private ThrowingCallable reading()
    {
        return this::read;
    }

    /**
     * Breaks the check value of the superblock in {@code block} (without re-sealing) and returns the message
     * verification gives for it.
     */
    private String breakSuperblockCrc(final long block, final int blockSize) throws IOException
    {
        final int crc = new Superblock().wrap(readRaw(image, block * blockSize, 4096)).crc();
        flipStoredBit(image, block * blockSize + Superblock.CRC_OFFSET, 0);
        return "corrupt superblock: device=cache.img block=" + block + " crc expected=" + hex32(crc ^ 1) +
            " actual=" + hex32(crc);
    }

    @Test
    void readsAFreshImageFromSlot0() throws IOException
    {
        formatted();
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(0);
        assertThat(header.problems()).isEmpty();
        assertThat(header.layout().toString()).isEqualTo(
            "RegionLayout{blockSize=4096, blockCount=4096, bitmapBlocks=1, dataStart=4, dataEnd=4095}");
        final Superblock superblock = header.superblock();
        assertThat(superblock.uuid()).isEqualTo(UUID_A);
        assertThat(superblock.label()).isEqualTo("test");
        assertThat(superblock.createdMillis()).isEqualTo(CREATED);
        assertThat(superblock.slot()).isEqualTo(0);
        assertThat(superblock.sectorSize()).isEqualTo((int)Files.getFileStore(image).getBlockSize());
        final CommitRecord commit = header.commit();
        assertThat(commit.generation()).isEqualTo(2);
        assertThat(commit.clean()).isTrue();
        assertThat(commit.committedMillis()).isEqualTo(CREATED);
        assertThat(commit.indexRoot()).isEqualTo(BlockPointer.NULL);
        assertThat(commit.nextObjectId()).isEqualTo(1);
        assertThat(commit.usedBlocks()).isEqualTo(5);
        header.checkWritable("cache.img");

        final ByteBuffer slot = header.copyOfSlot();
        assertThat(slot.capacity()).isEqualTo(4096);
        assertThat(AlignedBuffers.isAligned(slot, 4096)).isTrue();
        assertThat(slot).isEqualTo(readRaw(image, 0, 4096));
    }

    @ParameterizedTest
    @ValueSource(ints = { 8192, 65536 })
    void readsImagesOfLargerBlocks(final int blockSize) throws IOException
    {
        mkfs(image(), 16 * MIB, blockSize);
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(0);
        assertThat(header.layout().blockSize()).isEqualTo(blockSize);
        assertThat(header.layout().blockCount()).isEqualTo(16 * MIB / blockSize);

        final String slot0Error = breakSuperblockCrc(0, blockSize);
        final ImageHeader fallback = read();
        assertThat(fallback.slot()).isEqualTo(1);
        assertThat(fallback.commit().generation()).isEqualTo(1);
        assertThat(fallback.layout().blockSize()).isEqualTo(blockSize);
        assertThat(fallback.problems()).containsExactly("slot 0: " + slot0Error);
    }

    @Test
    void zeroedImageIsNotFormatted() throws IOException
    {
        zeroFile(image(), 4 * MIB);
        assertThatThrownBy(reading()).isExactlyInstanceOf(NotFormattedException.class)
            .hasMessage("cache.img is not formatted: block 0 is all zeros");
    }

    @Test
    void garbageIsNotACachefsImage() throws IOException
    {
        final byte[] garbage = new byte[4 * MIB];
        new SplittableRandom(SEED).nextBytes(garbage);
        zeroFile(image(), 4 * MIB);
        writeRaw(image, 0, garbage);
        assertThatThrownBy(reading()).as("seed %d", SEED).isExactlyInstanceOf(NotFormattedException.class)
            .hasMessage("cache.img does not contain a cachefs image (no superblock magic in block 0 or block 1)");
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 1, 1000, 4095 })
    void imagesSmallerThanABlockAreNotFormatted(final int size) throws IOException
    {
        zeroFile(image(), size);
        assertThatThrownBy(reading()).isExactlyInstanceOf(NotFormattedException.class)
            .hasMessage("cache.img is not formatted: " + size + " bytes is too small to hold a cachefs image");
    }

    @Test
    void oneBlockImages() throws IOException
    {
        zeroFile(image(), 4096);
        assertThatThrownBy(reading()).isExactlyInstanceOf(NotFormattedException.class)
            .hasMessage("cache.img is not formatted: block 0 is all zeros");
        writeRaw(image, 100, new byte[]{ 1 });
        assertThatThrownBy(reading()).isExactlyInstanceOf(NotFormattedException.class)
            .hasMessage("cache.img does not contain a cachefs image (no superblock magic in block 0 or block 1)");
    }

    @Test
    void truncatedImageIsCorrupt() throws IOException
    {
        formatted();
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(8 * MIB);
        }
        assertCorrupt(reading(), "corrupt superblock: device=cache.img block=0 block count expected=<= 2048 " +
            "(the device holds 8388608 bytes) actual=4096 (16777216 bytes): truncated image?");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(8 * MIB - 1000);
        }
        assertCorrupt(reading(), "corrupt superblock: device=cache.img block=0 block count expected=<= 2047 " +
            "(the device holds 8387608 bytes) actual=4096 (16777216 bytes): truncated image?");
    }

    @Test
    void imageLongerThanItsBlockCountIsFine() throws IOException
    {
        formatted();
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(17 * MIB);
        }
        assertThat(read().layout().blockCount()).isEqualTo(4096);
    }

    @Test
    void futureMajorVersionIsRefused() throws IOException
    {
        formatted();
        editSlot(image, 4096, 0, (sb, commit, raw) -> raw.putShort(Superblock.MAJOR_OFFSET, (short)3));
        editSlot(image, 4096, 1, (sb, commit, raw) -> raw.putShort(Superblock.MAJOR_OFFSET, (short)3));
        assertThatThrownBy(reading()).isExactlyInstanceOf(FormatVersionException.class)
            .hasMessage("cache.img: image format 3.0, this software reads 1.x");
    }

    @Test
    void aMajorVersionInSlot0AloneIsDamageWhenSlot1IsValid() throws IOException
    {
        formatted();
        editSlot(image, 4096, 0, (sb, commit, raw) ->
        {
            raw.putShort(Superblock.MAJOR_OFFSET, (short)2);
            raw.putShort(Superblock.MINOR_OFFSET, (short)1);
        });
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(1);
        assertThat(header.problems()).containsExactly("slot 0: cache.img: image format 2.1, this software reads 1.x");
    }

    @Test
    void aMajorVersionInSlot1AloneIsDamageWhenSlot0IsValid() throws IOException
    {
        formatted();
        editSlot(image, 4096, 1, (sb, commit, raw) -> raw.putShort(Superblock.MAJOR_OFFSET, (short)2));
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(0);
        assertThat(header.problems()).containsExactly("slot 1: cache.img: image format 2.0, this software reads 1.x");
    }

    @Test
    void unknownIncompatibleFeaturesAreRefused() throws IOException
    {
        formatted();
        editSlot(image, 4096, 0, (sb, commit, raw) -> sb.incompatFeatures(0x4));
        assertThatThrownBy(reading()).isExactlyInstanceOf(UnsupportedFeatureException.class)
            .hasMessage("cache.img: unsupported incompat features 0x4 (this software knows 0x0)");
    }

    @Test
    void unknownReadOnlyFeaturesAllowReadingButNotWriting() throws IOException
    {
        formatted();
        editSlot(image, 4096, 0, (sb, commit, raw) -> sb.roCompatFeatures(0x1).compatFeatures(0x8));
        editSlot(image, 4096, 1, (sb, commit, raw) -> sb.roCompatFeatures(0x1).compatFeatures(0x8));
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(0);
        assertThatThrownBy(() -> header.checkWritable("cache.img"))
            .isExactlyInstanceOf(UnsupportedFeatureException.class)
            .hasMessage("cache.img: unsupported ro-compat features 0x1 (this software knows 0x0)");
    }

    @Test
    void corruptSlot0FallsBackToSlot1() throws IOException
    {
        formatted();
        final String slot0Error = breakSuperblockCrc(0, 4096);
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(1);
        assertThat(header.commit().generation()).isEqualTo(1);
        assertThat(header.superblock().slot()).isEqualTo(1);
        assertThat(header.superblock().uuid()).isEqualTo(UUID_A);
        assertThat(header.problems()).containsExactly("slot 0: " + slot0Error);
    }

    @Test
    void corruptCommitRecordInSlot0FallsBackToSlot1() throws IOException
    {
        formatted();
        editSlot(image, 4096, 0, (sb, commit, raw) -> commit.generation(3));
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(1);
        assertThat(header.problems()).containsExactly("slot 0: corrupt commit record: device=cache.img block=0 " +
            "generation expected=a non-negative even number actual=3");
    }

    @Test
    void zeroedSlot0FallsBackToSlot1() throws IOException
    {
        formatted();
        writeRaw(image, 0, new byte[4096]);
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(1);
        assertThat(header.problems()).containsExactly("slot 0: no superblock magic in block 0");
    }

    @Test
    void newerGenerationInSlot1IsChosen() throws IOException
    {
        formatted();
        editSlot(image, 4096, 1, (sb, commit, raw) -> commit.generation(3).mountCount(1));
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(1);
        assertThat(header.commit().generation()).isEqualTo(3);
        assertThat(header.commit().mountCount()).isEqualTo(1);
        assertThat(header.problems()).isEmpty();

        editSlot(image, 4096, 0, (sb, commit, raw) -> commit.generation(4));
        final ImageHeader newer = read();
        assertThat(newer.slot()).isEqualTo(0);
        assertThat(newer.commit().generation()).isEqualTo(4);
    }

    @Test
    void corruptSlot1IsNotedWhenSlot0IsCurrent() throws IOException
    {
        formatted();
        editSlot(image, 4096, 1, (sb, commit, raw) -> raw.putInt(Superblock.HEADER_LENGTH_OFFSET, 512));
        final ImageHeader header = read();
        assertThat(header.slot()).isEqualTo(0);
        assertThat(header.problems()).containsExactly(
            "slot 1: corrupt superblock: device=cache.img block=1 header length expected=256 actual=512");
    }

    @Test
    void bothSlotsCorruptNamesTheIntactBackup() throws IOException
    {
        formatted();
        final String slot0Error = breakSuperblockCrc(0, 4096);
        breakSuperblockCrc(1, 4096);
        assertCorrupt(reading(), "corrupt superblock: device=cache.img block=0 crc invalid in both slots (" +
            slot0Error + "); the backup superblock at block 4095 is intact: fsck.cachefs -y rebuilds from it");

        final ImageHeader backup = readBackup();
        assertThat(backup.slot()).isEqualTo(Superblock.SLOT_BACKUP);
        assertThat(backup.commit().generation()).isZero();
        assertThat(backup.superblock().uuid()).isEqualTo(UUID_A);
        assertThat(backup.superblock().slot()).isEqualTo(Superblock.SLOT_BACKUP);
        assertThat(backup.layout().backupBlock()).isEqualTo(4095);
        assertThat(backup.problems()).isEmpty();
    }

    @Test
    void bothSlotsAndBackupCorruptReportsSlot0() throws IOException
    {
        formatted();
        final String slot0Error = breakSuperblockCrc(0, 4096);
        breakSuperblockCrc(1, 4096);
        breakSuperblockCrc(4095, 4096);
        assertCorrupt(reading(), slot0Error);
        assertThat(readBackup()).isNull();
    }

    @Test
    void zeroedSlot0AndCorruptSlot1IsCorruptNotUnformatted() throws IOException
    {
        formatted();
        writeRaw(image, 0, new byte[4096]);
        final String slot1Error = breakSuperblockCrc(1, 4096);
        assertCorrupt(reading(), "corrupt superblock: device=cache.img block=1 crc invalid in both slots (" +
            slot1Error + "); the backup superblock at block 4095 is intact: fsck.cachefs -y rebuilds from it");
        breakSuperblockCrc(4095, 4096);
        assertCorrupt(reading(), slot1Error);
    }

    @Test
    void findsTheBackupOfLargerBlockSizes() throws IOException
    {
        mkfs(image(), 16 * MIB, 8192);
        final ImageHeader backup = readBackup();
        assertThat(backup.slot()).isEqualTo(Superblock.SLOT_BACKUP);
        assertThat(backup.layout().blockSize()).isEqualTo(8192);
        assertThat(backup.layout().backupBlock()).isEqualTo(2047);
    }

    @Test
    void noBackupOnAZeroedImage() throws IOException
    {
        zeroFile(image(), 4 * MIB);
        assertThat(readBackup()).isNull();
    }

    @Test
    void slotsOfDifferentImagesAreCorrupt() throws IOException
    {
        formatted();
        editSlot(image, 4096, 1, (sb, commit, raw) ->
        {
            raw.putLong(Superblock.UUID_OFFSET, UUID_B.getMostSignificantBits());
            raw.putLong(Superblock.UUID_OFFSET + 8, UUID_B.getLeastSignificantBits());
        });
        assertCorrupt(reading(), "corrupt superblock: device=cache.img block=1 static fields expected=equal to slot " +
            "0's actual=different (uuid fedcba98-7654-3210-fedc-ba9876543210 vs 01234567-89ab-cdef-0123-456789abcdef)");
    }

    @Test
    void slotsWithDifferentLabelsAreCorrupt() throws IOException
    {
        formatted();
        editSlot(image, 4096, 1, (sb, commit, raw) -> sb.label("other"));
        assertCorrupt(reading(), "corrupt superblock: device=cache.img block=1 static fields expected=equal to slot " +
            "0's actual=different (uuid 01234567-89ab-cdef-0123-456789abcdef vs 01234567-89ab-cdef-0123-456789abcdef)");
    }
}
