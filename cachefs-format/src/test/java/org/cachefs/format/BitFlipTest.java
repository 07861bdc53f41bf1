package org.cachefs.format;

import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.TreeSet;
import java.util.function.IntFunction;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.Fixtures.DEVICE;
import static org.cachefs.format.Fixtures.assertCorrupt;
import static org.cachefs.format.Fixtures.copy;
import static org.cachefs.format.Fixtures.flipBit;
import static org.cachefs.format.Fixtures.samplePageMapBranch;
import static org.cachefs.format.Fixtures.samplePageMapLeaf;
import static org.cachefs.format.Fixtures.sampleBranch;
import static org.cachefs.format.Fixtures.sampleLeaf;
import static org.cachefs.format.Fixtures.slotBlock;

/**
 * Every metadata structure detects a flipped bit anywhere in it, a truncated read, and a block read from the wrong
 * place or for the wrong owner; verification never passes and never fails with anything but the format's own
 * exceptions.
 */
class BitFlipTest
{
    private static final long SEED = 0xB17F_11B5L;
    private static final String VERSION = "format version";

    /**
     * A sealed structure: its bytes, the byte range its check covers, how to verify it, and the field a flipped
     * byte must be reported as ({@link #VERSION} for a {@link FormatVersionException}).
     */
    record Sample(String name, String structure, ByteBuffer buffer, int from, int length, Verification verify,
        IntFunction<String> fieldOf)
    {
        @Override
        public String toString()
        {
            return name;
        }
    }

    @FunctionalInterface
    interface Verification
    {
        void run(ByteBuffer buffer);
    }

    private static String superblockField(final int at)
    {
        if (at < Superblock.MAJOR_OFFSET)
        {
            return "magic";
        }
        return at < Superblock.MINOR_OFFSET ? VERSION : "crc";
    }

    private static String commitField(final int at)
    {
        return at < CommitRecord.SLOT_OFFSET + CommitRecord.LENGTH_OFFSET ? "magic" : "crc";
    }

    private static String metadataField(final int at)
    {
        if (at < MetadataBlock.KIND_OFFSET)
        {
            return "magic";
        }
        if (at >= MetadataBlock.BLOCK_OFFSET && at < MetadataBlock.OWNER_OFFSET)
        {
            return "block number";
        }
        if (at >= MetadataBlock.OWNER_OFFSET && at < MetadataBlock.FIRST_OFFSET)
        {
            return "owner";
        }
        return "crc";
    }

    static List<Sample> samples(final int blockSize)
    {
        final RegionLayout layout = RegionLayout.of(blockSize, 4096);
        final RegionLayout bitmapLayout = RegionLayout.of(blockSize, blockSize == 4096 ? 100_000 : 1_100_000);
        final List<Sample> samples = new ArrayList<>();
        final String size = " " + blockSize;

        final ByteBuffer slot = slotBlock(layout, 0, 2, 0, "test");
        samples.add(new Sample("superblock" + size, "superblock", slot, 0, Superblock.LENGTH,
            b -> new Superblock().wrap(b).verify(DEVICE, 0, 0), BitFlipTest::superblockField));
        samples.add(new Sample("commit record" + size, "commit record", copy(slot), CommitRecord.SLOT_OFFSET,
            CommitRecord.LENGTH, b -> new CommitRecord().wrap(b).verify(DEVICE, 0, 0, layout),
            BitFlipTest::commitField));

        final ByteBuffer bitmap = ByteBuffer.allocate(blockSize);
        final BitmapBlock bitmapBlock = new BitmapBlock().wrap(bitmap, blockSize).init(0, 0, 2, 2);
        final SplittableRandom random = new SplittableRandom(SEED);
        for (long b = 0; b < bitmapLayout.dataStart(); b++)
        {
            bitmapBlock.set(b);
        }
        for (int i = 0; i < blockSize / 2; i++)
        {
            bitmapBlock.set(random.nextLong(bitmapLayout.dataStart(), bitmapBlock.bits()));
        }
        bitmapBlock.seal();
        samples.add(new Sample("bitmap block" + size, "bitmap block", bitmap, 0, blockSize,
            b -> new BitmapBlock().wrap(b, blockSize).verify(DEVICE, 2, 0, 0, 2, bitmapLayout),
            BitFlipTest::metadataField));

        final ByteBuffer leaf = ByteBuffer.allocate(blockSize);
        sampleLeaf(leaf, blockSize, 50, 5).seal();
        samples.add(new Sample("index leaf" + size, "index node", leaf, 0, blockSize,
            b -> new IndexNode().wrap(b, blockSize).verify(DEVICE, 50, 5, 0, null, layout),
            BitFlipTest::metadataField));

        final ByteBuffer branch = ByteBuffer.allocate(blockSize);
        sampleBranch(branch, blockSize, 2, 60, 5).seal();
        samples.add(new Sample("index branch" + size, "index node", branch, 0, blockSize,
            b -> new IndexNode().wrap(b, blockSize).verify(DEVICE, 60, 5, 2, null, layout),
            BitFlipTest::metadataField));

        final ByteBuffer pageLeaf = ByteBuffer.allocate(blockSize);
        samplePageMapLeaf(pageLeaf, blockSize, 70, 4).seal();
        final long leafFirst = 2L * PageMapNode.fanout(blockSize);
        samples.add(new Sample("page-map leaf" + size, "page-map node", pageLeaf, 0, blockSize,
            b -> new PageMapNode().wrap(b, blockSize).verify(DEVICE, 70, 5, 4, 0, leafFirst, null, layout),
            BitFlipTest::metadataField));

        final ByteBuffer pageBranch = ByteBuffer.allocate(blockSize);
        samplePageMapBranch(pageBranch, blockSize, 1, 71, 4).seal();
        final long branchFirst = 3 * PageMapNode.coverage(blockSize, 1);
        samples.add(new Sample("page-map branch" + size, "page-map node", pageBranch, 0, blockSize,
            b -> new PageMapNode().wrap(b, blockSize).verify(DEVICE, 71, 5, 4, 1, branchFirst, null, layout),
            BitFlipTest::metadataField));
        return samples;
    }

    static Stream<Arguments> everyStructure()
    {
        return Stream.concat(samples(4096).stream(), samples(65536).stream()).map(Arguments::of);
    }

    /**
     * Every bit of structures up to 4096 bytes; for larger blocks every header bit and a seeded sample of 2048
     * others.
     */
    private static int[] bitsToFlip(final Sample sample)
    {
        final int first = sample.from() * 8;
        final int bits = sample.length() * 8;
        if (sample.length() <= 4096)
        {
            final int[] all = new int[bits];
            for (int i = 0; i < bits; i++)
            {
                all[i] = first + i;
            }
            return all;
        }
        final TreeSet<Integer> chosen = new TreeSet<>();
        for (int i = 0; i < MetadataBlock.HEADER_LENGTH * 8; i++)
        {
            chosen.add(first + i);
        }
        final SplittableRandom random = new SplittableRandom(SEED ^ sample.name().hashCode());
        while (chosen.size() < MetadataBlock.HEADER_LENGTH * 8 + 2048)
        {
            chosen.add(first + random.nextInt(bits));
        }
        return chosen.stream().mapToInt(Integer::intValue).toArray();
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("everyStructure")
    void everyBitFlipIsDetected(final Sample sample)
    {
        sample.verify().run(sample.buffer());
        final int[] bits = bitsToFlip(sample);
        assertThat(bits.length).isGreaterThanOrEqualTo(Math.min(sample.length() * 8, 2560));
        final List<String> failures = new ArrayList<>();
        for (final int bit : bits)
        {
            final String expected = sample.fieldOf().apply(bit >>> 3);
            flipBit(sample.buffer(), bit);
            try
            {
                sample.verify().run(sample.buffer());
                failures.add("bit " + bit + ": verified");
            }
            catch (final CorruptCacheException ex)
            {
                if (!ex.field().equals(expected) || !ex.structure().equals(sample.structure()))
                {
                    failures.add("bit " + bit + ": expected field " + expected + ", got " + ex.getMessage());
                }
            }
            catch (final FormatVersionException ex)
            {
                if (!expected.equals(VERSION))
                {
                    failures.add("bit " + bit + ": expected field " + expected + ", got " + ex.getMessage());
                }
            }
            catch (final RuntimeException ex)
            {
                failures.add("bit " + bit + ": " + ex);
            }
            finally
            {
                flipBit(sample.buffer(), bit);
            }
        }
        assertThat(failures).as("%s, %d bits flipped, seed %d", sample.name(), bits.length, SEED).isEmpty();
        sample.verify().run(sample.buffer());
    }

    @Test
    void flippingAMajorVersionBitReportsTheVersionReadFromDisk()
    {
        final ByteBuffer slot = slotBlock(RegionLayout.of(4096, 4096), 0, 2, 0, "test");
        flipBit(slot, Superblock.MAJOR_OFFSET * 8 + 1);
        assertThatThrownBy(() -> new Superblock().wrap(slot).verify(DEVICE, 0, 0))
            .isExactlyInstanceOf(FormatVersionException.class)
            .hasMessage("cache.img: image format 3.0, this software reads 1.x");
    }

    // ------------------------------------------------------------------------------------------ truncation

    static Stream<Arguments> blockStructures()
    {
        return samples(4096).stream().map(Arguments::of);
    }

    /**
     * A read cut short after {@code cut} bytes (the rest of the buffer left zero) is detected whenever the lost
     * bytes were not all zero already.
     */
    @ParameterizedTest(name = "{0}")
    @MethodSource("blockStructures")
    void truncatedReadsAreDetected(final Sample sample)
    {
        final int end = sample.from() + sample.length();
        final TreeSet<Integer> cuts = new TreeSet<>(List.of(0, 1, 4, 8, 9, 16, 63, 64, 65, 100, 128, 255, 256, 257,
            300, 383, 384, 512, 1024, 2048, 2560, 3000, 3584, 4000, 4080, 4095));
        final SplittableRandom random = new SplittableRandom(SEED);
        while (cuts.size() < 90)
        {
            cuts.add(random.nextInt(end));
        }
        int checked = 0;
        final List<String> failures = new ArrayList<>();
        for (final int cut : cuts)
        {
            final ByteBuffer truncated = copy(sample.buffer());
            boolean lost = false;
            for (int i = Math.max(cut, 0); i < truncated.capacity(); i++)
            {
                lost |= i < end && truncated.get(i) != 0;
                truncated.put(i, (byte)0);
            }
            if (!lost)
            {
                continue;
            }
            checked++;
            try
            {
                sample.verify().run(truncated);
                failures.add("cut at " + cut + ": verified");
            }
            catch (final CorruptCacheException ex)
            {
                // detected
            }
            catch (final FormatVersionException ex)
            {
                if (cut != Superblock.MAJOR_OFFSET)
                {
                    failures.add("cut at " + cut + ": " + ex.getMessage());
                }
            }
            catch (final RuntimeException ex)
            {
                failures.add("cut at " + cut + ": " + ex);
            }
        }
        assertThat(failures).as("%s, seed %d", sample.name(), SEED).isEmpty();
        // the page-map branch holds entries only near its start, so fewer of its cuts lose anything
        assertThat(checked).as("cuts that lost data").isGreaterThanOrEqualTo(10);
    }

    @Test
    void aZeroFilledBlockReadsAsNeverWritten()
    {
        final RegionLayout layout = RegionLayout.of(4096, 4096);
        final ByteBuffer zero = ByteBuffer.allocate(4096);
        assertCorrupt(() -> new IndexNode().wrap(zero, 4096).verify(DEVICE, 50, 5, 0, null, layout),
            "corrupt index node: device=cache.img block=50 magic expected=0x49534643 actual=0x0 (block never written)");
        assertCorrupt(() -> new PageMapNode().wrap(zero, 4096).verify(DEVICE, 70, 5, 4, 0, 0, null, layout),
            "corrupt page-map node: device=cache.img block=70 magic expected=0x50534643 actual=0x0 (block never " +
                "written)");
        assertCorrupt(() -> new Superblock().wrap(zero).verify(DEVICE, 0, 0),
            "corrupt superblock: device=cache.img block=0 magic expected=0x53464548434143 actual=0x0");
        assertCorrupt(() -> new CommitRecord().wrap(zero).verify(DEVICE, 0, 0, layout),
            "corrupt commit record: device=cache.img block=0 magic expected=0x43534643 actual=0x0");
    }

    @Test
    void buffersShorterThanTheStructureAreRefused()
    {
        assertThatThrownBy(() -> new Superblock().wrap(ByteBuffer.allocate(100)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("structure of 256 bytes at offset 0 does not fit a buffer of 100");
        assertThatThrownBy(() -> new CommitRecord().wrap(ByteBuffer.allocate(300)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("structure of 128 bytes at offset 256 does not fit a buffer of 300");
        assertThatThrownBy(() -> new BitmapBlock().wrap(ByteBuffer.allocate(2048), 4096))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("structure of 4096 bytes at offset 0 does not fit a buffer of 2048");
        assertThatThrownBy(() -> new IndexNode().wrap(ByteBuffer.allocate(4096), 8192))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("structure of 8192 bytes at offset 0 does not fit a buffer of 4096");
        assertThatThrownBy(() -> new PageMapNode().wrap(ByteBuffer.allocate(65535), 65536))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("structure of 65536 bytes at offset 0 does not fit a buffer of 65535");
    }

    // ------------------------------------------------------------------------------------------ misdirection

    @Test
    void aNodeReadFromAnotherBlockIsDetected()
    {
        final RegionLayout layout = RegionLayout.of(4096, 4096);
        final ByteBuffer leaf = ByteBuffer.allocate(4096);
        sampleLeaf(leaf, 4096, 50, 5).seal();
        assertCorrupt(() -> new IndexNode().wrap(leaf, 4096).verify(DEVICE, 51, 5, 0, null, layout),
            "corrupt index node: device=cache.img block=51 block number expected=51 actual=50");

        final ByteBuffer branch = ByteBuffer.allocate(4096);
        sampleBranch(branch, 4096, 1, 60, 5).seal();
        assertCorrupt(() -> new IndexNode().wrap(branch, 4096).verify(DEVICE, 1060, 5, 1, null, layout),
            "corrupt index node: device=cache.img block=1060 block number expected=1060 actual=60");

        final ByteBuffer pages = ByteBuffer.allocate(4096);
        samplePageMapLeaf(pages, 4096, 70, 4).seal();
        assertCorrupt(() -> new PageMapNode().wrap(pages, 4096).verify(DEVICE, 69, 5, 4, 0, 504, null, layout),
            "corrupt page-map node: device=cache.img block=69 block number expected=69 actual=70");

        final ByteBuffer bitmap = ByteBuffer.allocate(4096);
        final BitmapBlock bitmapBlock = new BitmapBlock().wrap(bitmap, 4096).init(0, 0, 2, 2);
        for (int b = 0; b < 4; b++)
        {
            bitmapBlock.set(b);
        }
        bitmapBlock.set(4095);
        bitmapBlock.seal();
        assertCorrupt(() -> new BitmapBlock().wrap(bitmap, 4096).verify(DEVICE, 3, 0, 0, 2, layout),
            "corrupt bitmap block: device=cache.img block=3 block number expected=3 actual=2");
        assertCorrupt(() -> new BitmapBlock().wrap(bitmap, 4096).verify(DEVICE, 2, 1, 0, 2, layout),
            "corrupt bitmap block: device=cache.img block=2 owner expected=1 actual=0");
    }

    @Test
    void aSlotReadFromTheOtherSlotsBlockIsDetected()
    {
        final RegionLayout layout = RegionLayout.of(4096, 4096);
        final ByteBuffer slot0 = slotBlock(layout, 0, 2, 0, "test");
        final Superblock superblock = new Superblock().wrap(slot0);
        final int atBlock1 = new Superblock().wrap(copy(slot0)).seal(1).crc();
        assertCorrupt(() -> superblock.verify(DEVICE, 1, 0), "corrupt superblock: device=cache.img block=1 crc " +
            "expected=" + Fixtures.hex32(superblock.crc()) + " actual=" + Fixtures.hex32(atBlock1));
        final CommitRecord commit = new CommitRecord().wrap(slot0);
        final int commitAtBlock1 = new CommitRecord().wrap(copy(slot0)).seal(1).crc();
        assertCorrupt(() -> commit.verify(DEVICE, 1, 0, layout), "corrupt commit record: device=cache.img block=1 " +
            "crc expected=" + Fixtures.hex32(commit.crc()) + " actual=" + Fixtures.hex32(commitAtBlock1));
    }

    @Test
    void aPageMapNodeOfAnotherObjectIsDetected()
    {
        final RegionLayout layout = RegionLayout.of(4096, 4096);
        final ByteBuffer pages = ByteBuffer.allocate(4096);
        samplePageMapLeaf(pages, 4096, 70, 4).seal();
        assertCorrupt(() -> new PageMapNode().wrap(pages, 4096).verify(DEVICE, 70, 6, 4, 0, 504, null, layout),
            "corrupt page-map node: device=cache.img block=70 owner expected=6 actual=5");
        final ByteBuffer branch = ByteBuffer.allocate(4096);
        samplePageMapBranch(branch, 4096, 1, 71, 4).seal();
        assertCorrupt(() -> new PageMapNode().wrap(branch, 4096).verify(DEVICE, 71, 6, 4, 1, 190_512, null, layout),
            "corrupt page-map node: device=cache.img block=71 owner expected=6 actual=5");
    }
}
