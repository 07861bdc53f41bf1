package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.List;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * {@link LiveMount}: the holder of an image's lock, from {@code /proc/locks} or, without it, from a lock tried.
 */
class LiveMountTest
{
    @TempDir
    Path dir;

    @Test
    void findsTheExclusiveFlockOfTheFileInProcLocks()
    {
        final List<String> locks = List.of(
            "1: POSIX  ADVISORY  WRITE 700 fe:00:42 0 EOF",
            "2: FLOCK  ADVISORY  READ 701 fe:00:42 0 EOF",
            "3: FLOCK  ADVISORY  WRITE 702 fe:00:43 0 EOF",
            "4: FLOCK  ADVISORY  WRITE 703 fe:01:42 0 EOF",
            "5: FLOCK  ADVISORY  WRITE 704 103:01:42 0 EOF",
            "5: -> FLOCK  ADVISORY  WRITE 705 fe:00:42 0 EOF",
            "6: FLOCK  ADVISORY  WRITE 706 fe:00:42 0 EOF");

        assertThat(LiveMount.flockHolder(locks, 0xfe, 0, 42)).isEqualTo(706);
        assertThat(LiveMount.flockHolder(locks, 0x103, 1, 42)).isEqualTo(704);
        assertThat(LiveMount.flockHolder(locks, 0xfe, 0, 44)).isEqualTo(-1);
        assertThat(LiveMount.flockHolder(List.of("1: FLOCK  ADVISORY  WRITE 0 fe:00:42 0 EOF"), 0xfe, 0, 42))
            .isEqualTo(0);
        assertThat(LiveMount.flockHolder(List.of(), 0xfe, 0, 42)).isEqualTo(-1);
    }

    @Test
    void decodesStDevAsGlibcDoes()
    {
        // new_encode_dev: minor's low byte, major, then the rest of the minor above bit 20
        assertThat(LiveMount.major(0xfe00)).isEqualTo(0xfe);
        assertThat(LiveMount.minor(0xfe00)).isEqualTo(0);
        assertThat(LiveMount.major((259 << 8) | 1)).isEqualTo(259);
        assertThat(LiveMount.minor((259 << 8) | 1)).isEqualTo(1);
        assertThat(LiveMount.major(0x12300045L)).isEqualTo(0);
        assertThat(LiveMount.minor(0x12300045L)).isEqualTo(0x12345);
        assertThat(LiveMount.major(0x0000_1000_0000_0000L)).isEqualTo(0x1000);
    }

    @Test
    void namesTheProcessThatMountedTheImage() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 10L << 20, 4096, "live");
        assertThat(LiveMount.probe(image)).isNull();
        try (CacheFsBackend mounted = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)))
        {
            final LiveMount live = LiveMount.probe(image);
            assertThat(live).isNotNull();
            assertThat(live.pid()).isEqualTo(ProcessHandle.current().pid());
            assertThat(live.describe()).isEqualTo("in use by another cachefs instance (process " +
                ProcessHandle.current().pid() + ")");
        }
        assertThat(LiveMount.probe(image)).isNull();
    }

    @Test
    void withoutProcLocksATriedLockTellsThatItIsHeldButNotByWhom() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 10L << 20, 4096, "live");
        final Path noLocks = dir.resolve("no-such-proc-locks");
        assertThat(LiveMount.probe(image, noLocks)).isNull();
        try (CacheFsBackend mounted = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)))
        {
            final LiveMount live = LiveMount.probe(image, noLocks);
            assertThat(live).isNotNull();
            assertThat(live.pid()).isEqualTo(LiveMount.UNKNOWN_PID);
            assertThat(live.describe()).isEqualTo("in use by another cachefs instance (the system does not say " +
                "which process)");
        }
        // the tried lock was dropped: the image mounts again
        try (CacheFsBackend mounted = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)))
        {
            assertThat(mounted.wasClean()).isTrue();
        }
    }

    @Test
    void aHolderInAnotherPidNamespaceIsNotNamed() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 10L << 20, 4096, "live");
        final long dev = (Long)Files.getAttribute(image, "unix:dev");
        final long inode = (Long)Files.getAttribute(image, "unix:ino");
        final Path locks = Files.writeString(dir.resolve("locks"), String.format(
            "1: FLOCK  ADVISORY  WRITE 0 %02x:%02x:%d 0 EOF%n", LiveMount.major(dev), LiveMount.minor(dev), inode));

        final LiveMount live = LiveMount.probe(image, locks);

        assertThat(live).isNotNull();
        assertThat(live.pid()).isEqualTo(LiveMount.UNKNOWN_PID);
        assertThat(live.describe()).isEqualTo("in use by another cachefs instance (the system does not say which " +
            "process)");
    }

    @Test
    void aMissingFileIsAnErrorAndADirectoryIsLeftToTheOpenToRefuse() throws IOException
    {
        assertThatThrownBy(() -> LiveMount.probe(dir.resolve("missing.img")))
            .isInstanceOf(NoSuchFileException.class)
            .hasMessage(dir.resolve("missing.img").toString());
        assertThat(LiveMount.probe(dir)).isNull();
    }
}
