package org.cachefs.cachefs;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;

import org.cachefs.format.CacheFsException;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.DeviceInUseException;
import org.cachefs.format.ForeignFilesystemException;
import org.cachefs.format.FormatVersion;
import org.cachefs.format.FormatVersionException;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.NotFormattedException;
import org.cachefs.format.Superblock;
import org.cachefs.format.UnsupportedFeatureException;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.fscache.Await;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.TestFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * What {@link CacheFs#mount} refuses, with which exception and message, leaving every byte of the image as it was;
 * a device in use by this or another JVM; and the report of an unclean shutdown on the next mount.
 */
class CacheFsMountTest
{
    private static final int BLOCK = 4096;
    private static final long SIZE = 4L << 20;
    private static final long SEED = 0xC0FFEE;

    @TempDir
    Path dir;

    private Path formatted(final long size) throws IOException
    {
        final Path image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(size), null);
        return image;
    }

    private Path zeros() throws IOException
    {
        final Path image = dir.resolve("cache.img");
        try (RandomAccessFile file = new RandomAccessFile(image.toFile(), "rw"))
        {
            file.setLength(SIZE);
        }
        return image;
    }

    private static String sha256(final Path file) throws IOException
    {
        try
        {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(Files.readAllBytes(file)));
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new AssertionError(ex);
        }
    }

    /**
     * Mounting {@code image} must fail with {@code type} and exactly {@code message}, change no byte of the image and
     * leave it free for the next opener.
     */
    private static void refused(
        final Path image, final Class<? extends CacheFsException> type, final String message) throws IOException
    {
        final String before = sha256(image);
        final long size = Files.size(image);
        assertThatThrownBy(() -> CacheFs.mount(image, ApiSession.OPTIONS)).isExactlyInstanceOf(type)
            .hasMessage(message);
        assertThat(Files.size(image)).isEqualTo(size);
        assertThat(sha256(image)).as("image bytes after the refused mount").isEqualTo(before);
        // The refused mount released the device.
        DirectBlockDevice.open(image).close();
    }

    /**
     * Rewrites the superblock in slots 0 and 1 with {@code edit} applied and the check value resealed.
     */
    private static void editBothSlots(final Path image, final Consumer<ByteBuffer> edit) throws IOException
    {
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ, StandardOpenOption.WRITE))
        {
            for (long block = 0; block < 2; block++)
            {
                final ByteBuffer buffer = ByteBuffer.allocate(BLOCK).order(ByteOrder.LITTLE_ENDIAN);
                assertThat(channel.read(buffer, block * BLOCK)).isEqualTo(BLOCK);
                edit.accept(buffer);
                new Superblock().wrap(buffer).seal(block);
                assertThat(channel.write(buffer.clear(), block * BLOCK)).isEqualTo(BLOCK);
            }
        }
    }

    @Test
    void aZeroedImageIsNotFormatted() throws IOException
    {
        refused(zeros(), NotFormattedException.class, "cache.img is not formatted: block 0 is all zeros");
    }

    @Test
    void anExt4SignatureIsAForeignFilesystem() throws IOException
    {
        final Path image = zeros();
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short)0xEF53), 1080);
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x40), 1024 + 0x60);
        }
        refused(image, ForeignFilesystemException.class, "cache.img contains an ext4 filesystem");
    }

    @Test
    void anExt4SignatureOverAnOldCacheIsStillForeign() throws IOException
    {
        // mkfs.ext4 over a cache keeps bytes past its own structures: the foreign signature decides, not leftovers.
        final Path image = formatted(SIZE);
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            channel.write(ByteBuffer.allocate(1024), 0);
            channel.write(ByteBuffer.allocate(2).order(ByteOrder.LITTLE_ENDIAN).putShort(0, (short)0xEF53), 1080);
            channel.write(ByteBuffer.allocate(4).order(ByteOrder.LITTLE_ENDIAN).putInt(0, 0x40), 1024 + 0x60);
        }
        refused(image, ForeignFilesystemException.class, "cache.img contains an ext4 filesystem");
    }

    @Test
    void aNewerMajorVersionInBothSlotsIsRefused() throws IOException
    {
        final Path image = formatted(SIZE);
        editBothSlots(image, block -> block.putShort(Superblock.MAJOR_OFFSET, (short)(FormatVersion.MAJOR + 1)));
        refused(image, FormatVersionException.class,
            "cache.img: image format " + (FormatVersion.MAJOR + 1) + ".0, this software reads 1.x");
    }

    @Test
    void anUnknownIncompatFeatureIsRefused() throws IOException
    {
        final Path image = formatted(SIZE);
        editBothSlots(image, block -> new Superblock().wrap(block).incompatFeatures(0x4));
        refused(image, UnsupportedFeatureException.class,
            "cache.img: unsupported incompat features 0x4 (this software knows 0x0)");
    }

    @Test
    void anUnknownRoCompatFeatureRefusesWriting() throws IOException
    {
        final Path image = formatted(SIZE);
        editBothSlots(image, block -> new Superblock().wrap(block).roCompatFeatures(0x10));
        refused(image, UnsupportedFeatureException.class,
            "cache.img: unsupported ro-compat features 0x10 (this software knows 0x0)");
    }

    @Test
    void anUnknownCompatFeatureIsIgnoredAndKeptByTheCommits() throws IOException
    {
        final Path image = formatted(SIZE);
        editBothSlots(image, block -> new Superblock().wrap(block).compatFeatures(0x8));
        try (ApiSession session = ApiSession.mount(image))
        {
            final Cookie file = session.acquire(new TestFile("file"));
            session.storeNew(file, 0, ApiSession.content(SEED, "file", 0, 1));
            session.backend.commit();
        }
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.READ))
        {
            for (long block = 0; block < 2; block++)
            {
                final ByteBuffer buffer = ByteBuffer.allocate(BLOCK);
                assertThat(channel.read(buffer, block * BLOCK)).isEqualTo(BLOCK);
                final Superblock superblock = new Superblock().wrap(buffer);
                assertThat(superblock.compatFeatures()).as("compat features in slot %d", block).isEqualTo(0x8);
                assertThat(superblock.verify("cache.img", block, (int)block).blockCount()).isEqualTo(SIZE / BLOCK);
            }
        }
        try (ApiSession session = ApiSession.mount(image))
        {
            assertThat(session.backend.wasClean()).isTrue();
            assertThat(session.backend.snapshot().pages()).isEqualTo(1);
        }
    }

    @Test
    void aTruncatedImageIsCorrupt() throws IOException
    {
        final Path image = formatted(2 * SIZE);
        try (FileChannel channel = FileChannel.open(image, StandardOpenOption.WRITE))
        {
            channel.truncate(SIZE);
        }
        refused(image, CorruptCacheException.class, "corrupt superblock: device=cache.img block=0 block count " +
            "expected=<= " + SIZE / BLOCK + " (the device holds " + SIZE + " bytes) actual=" + 2 * SIZE / BLOCK +
            " (" + 2 * SIZE + " bytes): truncated image?");
    }

    @Test
    void anImageMountedInThisJvmIsInUse() throws IOException
    {
        final Path image = formatted(SIZE);
        try (ApiSession session = ApiSession.mount(image))
        {
            final String before = sha256(image);
            assertThatThrownBy(() -> CacheFs.mount(image, ApiSession.OPTIONS))
                .isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage("cache.img is in use by another cachefs instance");
            assertThat(sha256(image)).as("image bytes after the refused mount").isEqualTo(before);
            assertThat(session.backend.snapshot().mountCount()).isEqualTo(1);
        }
        try (ApiSession again = ApiSession.mount(image))
        {
            assertThat(again.backend.wasClean()).isTrue();
            assertThat(again.backend.snapshot().mountCount()).isEqualTo(2);
        }
    }

    @Test
    void anImageMountedByAnotherJvmIsInUseUntilItUnmounts() throws Exception
    {
        final Path image = formatted(SIZE);
        try (ChildJvm holder = ChildJvm.start(dir, CacheFsChild.class, "hold", image.toString()))
        {
            holder.awaitLine("mounted");
            final String before = sha256(image);
            assertThatThrownBy(() -> CacheFs.mount(image, ApiSession.OPTIONS))
                .isExactlyInstanceOf(DeviceInUseException.class)
                .hasMessage("cache.img is in use by another cachefs instance");
            assertThat(sha256(image)).as("image bytes after the refused mount").isEqualTo(before);
            holder.closeStdin();
            holder.expectExit(0);
            assertThat(holder.stdoutLines()).as(holder.output()).containsExactly("mounted", "unmounted");
        }
        try (ApiSession session = ApiSession.mount(image))
        {
            assertThat(session.backend.wasClean()).isTrue();
            assertThat(session.backend.snapshot().mountCount()).isEqualTo(2);
        }
    }

    @Test
    void anImageMountedHereIsInUseForAnotherJvm() throws Exception
    {
        final Path image = formatted(SIZE);
        try (ApiSession session = ApiSession.mount(image))
        {
            final String before = sha256(image);
            try (ChildJvm child = ChildJvm.start(dir, CacheFsChild.class, "mount", image.toString()))
            {
                child.expectExit(CacheFsChild.REFUSED_EXIT);
                assertThat(child.stdoutLines()).as(child.output())
                    .containsExactly("DeviceInUseException: cache.img is in use by another cachefs instance");
            }
            assertThat(sha256(image)).as("image bytes after the refused mount").isEqualTo(before);
            assertThat(session.backend.snapshot().mountCount()).isEqualTo(1);
        }
    }

    @Test
    void anUnmountDuringAPeriodicCommitLetsItFinishAndUnmountsCleanly() throws Exception
    {
        final Path image = formatted(SIZE);
        final GatedDevice device = new GatedDevice(DirectBlockDevice.open(image));
        final CacheStore store = CacheStore.mount(device, ApiSession.OPTIONS.withCommitIntervalSeconds(1));
        final byte[] key = "file".getBytes(StandardCharsets.UTF_8);
        final ObjectRecord record = store.create(0, key, 1, new byte[0], CacheStore.UNLIMITED);
        final byte[] data = ApiSession.content(SEED, "file", 0, 1);
        assertThat(store.write(record, 0, AlignedBuffers.allocate(BLOCK).put(data).clear())).isTrue();
        store.release(record);

        // The periodic commit starts writing and is held inside its write, holding the store's lock.
        device.gate(thread -> thread.getName().startsWith("cachefs-commit-"));
        assertThat(device.awaitEntered()).as("periodic commit started").isTrue();
        final AtomicReference<Throwable> failure = new AtomicReference<>();
        final Thread closer = new Thread(() ->
        {
            try
            {
                store.close();
            }
            catch (final Throwable ex)
            {
                failure.set(ex);
            }
        }, "closer");
        closer.start();
        Await.until(() -> closer.getState() == Thread.State.WAITING, "unmount waiting for the periodic commit");
        device.open();
        closer.join(TimeUnit.SECONDS.toMillis(Await.TIMEOUT_SECONDS));
        assertThat(closer.isAlive()).as("unmount still running").isFalse();
        assertThat(failure.get()).as("unmount failure").isNull();
        assertThat(store.stats().commitFailures.sum()).as("failed periodic commits").isZero();

        try (CacheStore again = CacheStore.mount(image, ApiSession.OPTIONS))
        {
            assertThat(again.wasClean()).isTrue();
            final ObjectRecord found = again.lookup(0, key);
            final ByteBuffer page = AlignedBuffers.allocate(BLOCK);
            assertThat(again.read(found, 0, page)).isEqualTo(CacheStore.READ_HIT);
            final byte[] actual = new byte[BLOCK];
            page.clear().get(actual);
            assertThat(ApiSession.difference(data, actual)).isNull();
            again.release(found);
        }
    }

    @Test
    void aDeviceLostWithoutUnmountIsReportedUncleanAndTheLastCommitSurvives() throws IOException
    {
        final Path image = formatted(SIZE);
        final DirectBlockDevice device = DirectBlockDevice.open(image);
        final ApiSession session = ApiSession.mount(device);
        final Cookie file = session.acquire(new TestFile("file").aux("v1"));
        for (int i = 0; i < 8; i++)
        {
            session.storeNew(file, i, ApiSession.content(SEED, "file", i, 1));
        }
        session.backend.commit();
        final long committed = session.backend.snapshot().generation();
        for (int i = 8; i < 12; i++)
        {
            session.storeNew(file, i, ApiSession.content(SEED, "file", i, 1));
        }
        session.store(file, 0, ApiSession.content(SEED, "file", 0, 2));
        assertThat(session.backend.snapshot().generation()).isEqualTo(committed);

        // The crash: the device goes away under the mounted cache, nothing more reaches it.
        device.close();
        final CachePage page = ApiSession.newPage(1);
        assertThat(file.readOrAllocPage(page, session.recorder, null)).as("read with the device gone")
            .isEqualTo(Result.NO_BUFS);
        assertThat(page.isFsCache()).isFalse();
        assertThat(file.allocPage(ApiSession.newPage(20))).as("allocation once the cache is in error")
            .isEqualTo(Result.NO_BUFS);
        file.relinquish(false);
        session.volume.relinquish(false);
        session.fsCache.close();
        try
        {
            // Nothing more can reach the device: the unmount only lets go of it.
            session.backend.close();
        }
        catch (final IOException ex)
        {
            assertThat(ex).hasMessage("cache.img is closed");
        }

        try (ApiSession again = ApiSession.mount(image))
        {
            assertThat(again.backend.wasClean()).isFalse();
            final StoreSnapshot snapshot = again.backend.snapshot();
            assertThat(snapshot.generation()).isEqualTo(committed + 1);
            assertThat(snapshot.pages()).isEqualTo(8);
            assertThat(snapshot.objects()).isEqualTo(3);
            final Cookie cookie = again.acquire(new TestFile("file").aux("v1"));
            for (int i = 0; i < 8; i++)
            {
                assertThat(ApiSession.difference(ApiSession.content(SEED, "file", i, 1), again.load(cookie, i)))
                    .as("committed page %d", i).isNull();
            }
            for (int i = 8; i < 12; i++)
            {
                assertThat(again.load(cookie, i)).as("uncommitted page %d", i).isNull();
            }
        }
        try (ApiSession clean = ApiSession.mount(image))
        {
            assertThat(clean.backend.wasClean()).isTrue();
        }
    }
}
