package org.cachefs.format;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressTest
{
    @TempDir
    Path dir;

    @Test
    void mkfsAndFsckReportHowFarTheyHaveCome() throws IOException
    {
        final List<String> updates = new ArrayList<>();
        final Progress recorder = (phase, done, total) -> updates.add(phase + " " + done + "/" + total);
        final Path image = dir.resolve("cache.img");
        final MkfsResult result = Mkfs.format(image, MkfsOptions.defaults().withSize(300L << 20), null, recorder);
        final long bitmapBlocks = result.layout().bitmapBlocks();
        assertThat(bitmapBlocks).isEqualTo(3);
        // the discard of the data region past the zeroed first 68 KiB, up to the backup superblock, in pieces that
        // end at multiples of 64 MiB
        assertThat(updates).containsExactly("discarding 67039232/314499072", "discarding 134148096/314499072",
            "discarding 201256960/314499072", "discarding 268365824/314499072", "discarding 314499072/314499072",
            "writing bitmaps 1/6", "writing bitmaps 2/6", "writing bitmaps 3/6",
            "writing bitmaps 4/6", "writing bitmaps 5/6", "writing bitmaps 6/6");

        updates.clear();
        final FsckResult fsck = Fsck.check(image, new FsckOptions(FsckOptions.Mode.NO_CHANGES, true, false), null,
            recorder);
        assertThat(fsck.exitCode()).isZero();
        assertThat(updates).as("an empty cache has no pages to read").isEmpty();
    }
}
