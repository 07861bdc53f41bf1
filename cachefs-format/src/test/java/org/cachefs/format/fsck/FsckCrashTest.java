package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.Random;
import java.util.Set;

import org.cachefs.format.Fsck;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.testing.CrashSimulatingDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * A repair is crash-safe: the power cut before every I/O of a repair, and a random subset of the unflushed writes
 * (one torn) on the platters, leaves either the damaged image as it was, with the same kinds of findings, or the
 * repaired one; and fsck repairs whatever the crash left.
 */
class FsckCrashTest
{
    private static final long SEED = 0xF5C4L;

    @TempDir
    Path dir;

    @Test
    void aPowerCutAtAnyPointOfARepairLeavesTheOldOrTheNewCommit() throws IOException
    {
        final TestImage image = TestImage.format(dir.resolve("cache.img"), 256);
        image.add(1, 0, "volume");
        image.add(2, 1, "alpha").pages(0, 3).size(2 * TestImage.BLOCK);
        image.add(3, 1, "beta").pages(0, 2);
        image.add(4, 0, "other").page(7);
        image.commit();
        image.flipByte(image.pageMapRoot(3), 0);
        image.flipByte(0, 0);
        image.flipByte(255, 0);
        final byte[] damaged = Files.readAllBytes(image.path());

        final FsckResult before = check(damaged);
        final Set<FsckFinding.Kind> kinds = EnumSet.copyOf(before.counts().keySet());
        assertThat(kinds).containsExactlyInAnyOrder(FsckFinding.Kind.SLOT_DAMAGED, FsckFinding.Kind.BACKUP_DAMAGED,
            FsckFinding.Kind.PAGEMAP_CORRUPT, FsckFinding.Kind.PAGE_PAST_LIMIT, FsckFinding.Kind.LEAKED_BLOCK);

        final CrashSimulatingDevice whole = new CrashSimulatingDevice("cache.img", damaged, 4096);
        assertThat(Fsck.check(whole, FsckOptions.defaults().withMode(FsckOptions.Mode.YES), null).exitCode())
            .isEqualTo(FsckResult.EXIT_CORRECTED);
        final long ios = whole.ios();
        assertThat(ios).isGreaterThan(20);
        final byte[] repaired = whole.contents();
        assertThat(check(repaired).exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);

        final Random random = new Random(SEED);
        int old = 0;
        int fresh = 0;
        for (long cut = 1; cut <= ios; cut++)
        {
            final CrashSimulatingDevice device = new CrashSimulatingDevice("cache.img", damaged, 4096);
            device.cutPowerAt(cut);
            try
            {
                Fsck.check(device, FsckOptions.defaults().withMode(FsckOptions.Mode.YES), null);
                fail("the repair survived a power cut before I/O %d of %d", cut, ios);
            }
            catch (final IOException expected)
            {
                // the power went
            }
            final byte[] crashed = device.crashImage(random);
            final FsckResult after = check(crashed);
            if (after.clean())
            {
                fresh++;
            }
            else
            {
                assertThat(after.counts().keySet()).as("cut before I/O %d (seed %d)", cut, SEED)
                    .isSubsetOf(kinds);
                old++;
            }
            final CrashSimulatingDevice again = new CrashSimulatingDevice("cache.img", crashed, 4096);
            final FsckResult repair = Fsck.check(again, FsckOptions.defaults().withMode(FsckOptions.Mode.YES), null);
            assertThat(repair.exitCode()).as("cut before I/O %d (seed %d)", cut, SEED)
                .isIn(FsckResult.EXIT_CLEAN, FsckResult.EXIT_CORRECTED);
            assertThat(check(again.contents()).exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);
            assertThat(ImageHeader.read(again).commit().objectCount()).isEqualTo(3);
        }
        assertThat(old).isGreaterThan(0);
        assertThat(fresh).isGreaterThan(0);
    }

    private static FsckResult check(final byte[] contents) throws IOException
    {
        return Fsck.check(new CrashSimulatingDevice("cache.img", contents, 4096), FsckOptions.defaults(), null);
    }
}
