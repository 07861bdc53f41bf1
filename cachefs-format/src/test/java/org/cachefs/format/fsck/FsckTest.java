package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;

import org.cachefs.format.Fsck;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.NotFormattedException;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.testing.FaultInjectingDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.Fixtures.zeroFile;
import static org.cachefs.format.fsck.FsckRunner.CHECK;
import static org.cachefs.format.fsck.FsckRunner.YES;
import static org.cachefs.format.fsck.FsckRunner.checkUnchanged;
import static org.cachefs.format.fsck.FsckRunner.fsck;

/**
 * Clean images: fresh, with objects and pages, with multi-level trees; the summary line, counts, verbose output and
 * the operational errors.
 */
class FsckTest
{
    @TempDir
    Path dir;

    @Test
    void aFreshImageIsClean() throws IOException
    {
        final TestImage image = TestImage.format(dir.resolve("cache.img"), 4096);

        final FsckRunner run = checkUnchanged(image.path(), CHECK);

        assertThat(run.output()).isEqualTo("cache.img: clean, 0 objects, 0 pages, 5/4096 blocks\n");
        assertThat(run.result()).isEqualTo(new FsckResult("cache.img", List.of(), 0, java.util.Map.of(), false, 0,
            0, 5, 4096, 0, 0, 2));
        assertThat(run.result().exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);
    }

    @Test
    void anImageWithObjectsAndPagesIsCleanInEveryMode() throws IOException
    {
        final TestImage image = TestImage.format(dir.resolve("cache.img"), 4096);
        image.add(1, 0, "volume");
        image.add(2, 1, "file-a").pages(0, 3).size(3 * 4096);
        image.add(3, 1, "file-b").page(0).page(300).reserved(10 * 4096);
        image.add(4, 2, "nested").aux("v1").page(5);
        image.commit();

        for (final FsckOptions options : List.of(CHECK, CHECK.withForce(true), FsckRunner.PREEN, YES,
            YES.withForce(true)))
        {
            final FsckRunner run = checkUnchanged(image.path(), options);
            assertThat(run.output()).as("%s", options)
                .isEqualTo("cache.img: clean, 4 objects, 6 pages, " + run.result().usedBlocks() + "/4096 blocks\n");
            assertThat(run.result().exitCode()).isEqualTo(0);
        }
        // 5 outside the data region, 6 data pages, 5 page-map nodes (object 3's pages 0 and 300 take a branch and
        // two leaves), 1 index leaf
        assertThat(fsck(image.path(), CHECK).result().usedBlocks()).isEqualTo(5 + 6 + 5 + 1);
    }

    @Test
    void aDeepIndexIsClean() throws IOException
    {
        final TestImage image = TestImage.format(dir.resolve("cache.img"), 4096);
        for (int i = 1; i <= 150; i++)
        {
            image.add(i, 0, key(i)).page(0);
        }
        image.commit();

        assertThat(image.indexNodes(2)).hasSize(1);
        assertThat(image.indexNodes(1)).hasSize(2);
        final FsckRunner run = checkUnchanged(image.path(), CHECK.withForce(true));
        assertThat(run.output()).isEqualTo("cache.img: clean, 150 objects, 150 pages, " +
            (5 + 150 + 150 + image.indexNodes(0).size() + 3) + "/4096 blocks\n");
    }

    @Test
    void pageMapsOfEveryHeightCheckCleanAndKeepTheirHeightWhenRebuilt() throws IOException
    {
        final TestImage image = TestImage.format(dir.resolve("cache.img"), 4096);
        final long[] pages = { 0, 251, 252, 63_503, 63_504, 16_003_007, 16_003_008 };
        final TestImage.Obj sparse = image.add(1, 0, "sparse").size(16_003_008L * 4096);
        for (final long page : pages)
        {
            sparse.page(page);
        }
        image.commit();
        assertThat(ImageModel.read(image.path()).objects().get(1L).height()).isEqualTo(4);

        final FsckRunner check = checkUnchanged(image.path(), CHECK.withForce(true));
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(FsckFinding.Kind.PAGE_PAST_LIMIT,
            "page 16003008 of object 1 (block " + image.dataBlock(1, 16_003_008) + ") lies past the object's " +
            "size: it holds 16003008 pages"));

        assertThat(fsck(image.path(), YES).result().exitCode()).isEqualTo(FsckResult.EXIT_CORRECTED);
        assertThat(checkUnchanged(image.path(), CHECK.withForce(true)).result().exitCode()).isEqualTo(0);
        final ImageModel.ObjectView view = ImageModel.read(image.path()).objects().get(1L);
        assertThat(view.height()).isEqualTo(4);
        assertThat(view.recordedPages()).isEqualTo(6);
        assertThat(view.pages()).isEqualTo(ImageModel.expectedPages(1, 0, 251, 252, 63_503, 63_504, 16_003_007));
    }

    @Test
    void verboseSaysWhenTheImageWasNotUnmountedCleanly() throws IOException
    {
        final TestImage image = TestImage.format(dir.resolve("cache.img"), 4096);
        image.editCommit(commit -> commit.clean(false));

        assertThat(checkUnchanged(image.path(), CHECK.withVerbose(true)).output()).isEqualTo(
            "cache.img: not unmounted cleanly (generation 2)\n" +
            "cache.img: clean, 0 objects, 0 pages, 5/4096 blocks\n");
    }

    @Test
    void anUnformattedImageIsAnOperationalError() throws IOException
    {
        final Path zeros = zeroFile(dir.resolve("zero.img"), 1 << 20);

        assertThatThrownBy(() -> fsck(zeros, YES)).isExactlyInstanceOf(NotFormattedException.class)
            .hasMessage("zero.img is not formatted: block 0 is all zeros");
    }

    @Test
    void anIoErrorIsAnOperationalErrorAndAFailedRepairLeavesTheCommit() throws IOException
    {
        final TestImage image = TestImage.format(dir.resolve("cache.img"), 1024);
        image.add(1, 0, "file").pages(0, 4);
        image.commit();
        image.editCommit(commit -> commit.pageCount(5));
        final long dataStart = image.layout().dataStart() * TestImage.BLOCK;

        try (FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.openReadOnly(image.path())))
        {
            device.faultsFrom(dataStart).failNextRead();
            // the first read at or past the data region: the backup superblock in the last block
            assertThatThrownBy(() -> Fsck.check(device, CHECK, null)).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: injected read error at byte " + 1023 * TestImage.BLOCK);
        }
        try (FaultInjectingDevice device = new FaultInjectingDevice(DirectBlockDevice.open(image.path())))
        {
            device.failNextFlush();
            assertThatThrownBy(() -> Fsck.check(device, YES, null)).isExactlyInstanceOf(IOException.class)
                .hasMessage("cache.img: injected flush error");
        }
        assertThat(image.header().commit().generation()).isEqualTo(3);
        assertThat(fsck(image.path(), CHECK).result().findings()).containsExactly(FsckFinding.of(
            FsckFinding.Kind.COUNTER_PAGES, "commit record counts 5 pages, the page maps hold 4"));
        assertThat(fsck(image.path(), YES).result().exitCode()).isEqualTo(FsckResult.EXIT_CORRECTED);
    }

    /**
     * A 300-byte key that sorts by {@code i}: ten records fill a leaf, twelve entries a branch.
     */
    static String key(final int i)
    {
        return String.format("%05d", i) + "k".repeat(295);
    }
}
