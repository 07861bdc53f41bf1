package org.cachefs.format.fsck;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;

import org.cachefs.format.CommitRecord;
import org.cachefs.format.Fixtures;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckResult;
import org.cachefs.format.NotFormattedException;
import org.cachefs.format.Superblock;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.fsck.FsckRunner.CHECK;
import static org.cachefs.format.fsck.FsckRunner.YES;
import static org.cachefs.format.fsck.FsckRunner.checkUnchanged;
import static org.cachefs.format.fsck.FsckRunner.fsck;

/**
 * An untrusted image never gets past fsck unnoticed and never makes it fail untyped: a bit flipped anywhere in any
 * metadata structure (superblock slots, backup, the current bitmap copy, every index and page-map node), a block
 * written to the wrong place, or a truncated image is a finding, and {@code -y} leaves an image that checks clean.
 */
class FsckBitFlipTest
{
    private static final long SEED = 0xB17F11DL;
    private static final int BLOCK = TestImage.BLOCK;

    @TempDir
    Path dir;

    private TestImage image;
    private byte[] pristine;
    private final List<Long> metadata = new ArrayList<>();

    @BeforeEach
    void writeImage() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 1024);
        for (int i = 1; i <= 130; i++)
        {
            image.add(i, i <= 3 ? 0 : 1 + i % 3, FsckTest.key(i)).page(i % 4);
        }
        image.add(200, 1, "two-levels").page(0).page(300).page(600);
        image.add(201, 1, "three-levels").page(5).page(70_000);
        image.commit().recommit();
        pristine = Files.readAllBytes(image.path());
        assertThat(fsck(image.path(), CHECK).result().exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);

        metadata.add(0L);
        metadata.add(1L);
        metadata.add(1023L);
        metadata.add(image.layout().bitmapStart(image.header().commit().bitmapCopy()));
        for (int level = 0; level < image.header().commit().indexHeight(); level++)
        {
            metadata.addAll(image.indexNodes(level));
        }
        for (final TestImage.Obj object : image.objects())
        {
            metadata.add(image.pageMapRoot(object.id));
        }
        metadata.addAll(pageMapNodesBelow(201));
    }

    /**
     * Flips one random bit of a random metadata structure, hundreds of times.
     */
    @Test
    void everyFlippedBitIsFoundAndRepaired() throws IOException
    {
        final SplittableRandom random = new SplittableRandom(SEED);
        for (int iteration = 0; iteration < 200; iteration++)
        {
            Files.write(image.path(), pristine);
            final long block = metadata.get(random.nextInt(metadata.size()));
            final boolean slot = block == 0 || block == 1 || block == 1023;
            final int length = slot ? Superblock.LENGTH + CommitRecord.LENGTH : BLOCK;
            final int bit = random.nextInt(length * 8);
            Fixtures.flipStoredBit(image.path(), block * BLOCK, bit);
            final String where = "seed " + SEED + " iteration " + iteration + ": block " + block + " bit " + bit;

            final FsckRunner check = checkUnchanged(image.path(), CHECK);
            assertThat(check.result().exitCode()).as(where).isEqualTo(FsckResult.EXIT_UNCORRECTED);
            final FsckRunner repair = fsck(image.path(), YES);
            assertThat(repair.result().exitCode()).as(where + "\n" + check.output() + repair.output())
                .isEqualTo(FsckResult.EXIT_CORRECTED);
            assertThat(fsck(image.path(), CHECK.withForce(true)).result().exitCode()).as(where)
                .isEqualTo(FsckResult.EXIT_CLEAN);
        }
    }

    @Test
    void aBlockWrittenToTheWrongPlaceIsFound() throws IOException
    {
        final List<Long> leaves = image.indexNodes(0);
        final ByteBuffer copy = Fixtures.readRaw(image.path(), leaves.get(1) * BLOCK, BLOCK);
        Fixtures.writeRaw(image.path(), leaves.get(2) * BLOCK, copy);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);

        assertThat(check.result().findings().get(0)).isEqualTo(FsckFinding.of(FsckFinding.Kind.INDEX_LEAF_CORRUPT,
            "corrupt index node: device=cache.img block=" + leaves.get(2) + " block number expected=" +
            leaves.get(2) + " actual=" + leaves.get(1) + " (index leaf referenced by index branch at block " +
            image.indexNodes(1).get(0) + " entry 2)"));
        assertThat(fsck(image.path(), YES).result().exitCode()).isEqualTo(FsckResult.EXIT_CORRECTED);
        assertThat(fsck(image.path(), CHECK).result().exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);
    }

    @Test
    void aTruncatedImageIsFoundAtEveryLength() throws IOException
    {
        for (final long blocks : new long[]{ 1023, 700, 100, 4, 2 })
        {
            Files.write(image.path(), pristine);
            try (RandomAccessFile file = new RandomAccessFile(image.path().toFile(), "rw"))
            {
                file.setLength(blocks * BLOCK);
            }
            final FsckRunner yes = checkUnchanged(image.path(), YES);
            assertThat(yes.result().findings()).as("%d blocks", blocks).containsExactly(FsckFinding.of(
                FsckFinding.Kind.IMAGE_TRUNCATED, "the superblock counts 1024 blocks (4194304 bytes) but " +
                "cache.img holds " + blocks * BLOCK + " bytes: truncated image?"));
        }
        try (RandomAccessFile file = new RandomAccessFile(image.path().toFile(), "rw"))
        {
            file.setLength(1000);
        }
        assertThatThrownBy(() -> fsck(image.path(), CHECK)).isExactlyInstanceOf(NotFormattedException.class)
            .hasMessage("cache.img is not formatted: 1000 bytes is too small to hold a cachefs image");
    }

    private List<Long> pageMapNodesBelow(final long id) throws IOException
    {
        final List<Long> found = new ArrayList<>();
        final List<Long> pending = new ArrayList<>(List.of(image.pageMapRoot(id)));
        while (!pending.isEmpty())
        {
            final long block = pending.remove(pending.size() - 1);
            final org.cachefs.format.PageMapNode node = new org.cachefs.format.PageMapNode()
                .wrap(Fixtures.readRaw(image.path(), block * BLOCK, BLOCK), BLOCK);
            if (node.level() == 0)
            {
                continue;
            }
            for (int slot = 0; slot < node.fanout(); slot++)
            {
                if (node.pointer(slot) != 0)
                {
                    final long child = org.cachefs.format.BlockPointer.block(node.pointer(slot));
                    found.add(child);
                    pending.add(child);
                }
            }
        }
        return found;
    }
}
