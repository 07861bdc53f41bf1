package org.cachefs.tools;

import java.io.EOFException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;

import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.DeviceInUseException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ToolRunnerTest
{
    @Test
    void describesFileSystemErrorsByFileAndReason()
    {
        assertThat(ToolRunner.describe(new NoSuchFileException("/x/cache.img")))
            .isEqualTo("/x/cache.img: no such file or directory");
        assertThat(ToolRunner.describe(new AccessDeniedException("/dev/sdb")))
            .isEqualTo("/dev/sdb: permission denied");
        assertThat(ToolRunner.describe(new FileAlreadyExistsException("a.img")))
            .isEqualTo("a.img: file exists");
        assertThat(ToolRunner.describe(new NotDirectoryException("a/b")))
            .isEqualTo("a/b: not a directory");
        assertThat(ToolRunner.describe(new FileSystemException("a.img", null, "Input/output error")))
            .isEqualTo("a.img: Input/output error");
        assertThat(ToolRunner.describe(new FileSystemException("a.img", "b.img", "Invalid cross-device link")))
            .isEqualTo("a.img -> b.img: Invalid cross-device link");
        assertThat(ToolRunner.describe(new FileSystemException(null, null, "No space left on device")))
            .isEqualTo("No space left on device");
    }

    @Test
    void unwrapsUncheckedIoErrors()
    {
        assertThat(ToolRunner.describe(new UncheckedIOException("reading", new NoSuchFileException("c.img"))))
            .isEqualTo("c.img: no such file or directory");
    }

    @Test
    void describesLibraryErrorsByTheirMessage()
    {
        assertThat(ToolRunner.describe(new DeviceInUseException("cache.img")))
            .isEqualTo("cache.img is in use by another cachefs instance");
        assertThat(ToolRunner.describe(new CorruptCacheException("index node", "cache.img", 1234, "crc", "0x1a2b",
            "0x9f00"))).isEqualTo("corrupt index node: device=cache.img block=1234 crc expected=0x1a2b actual=0x9f00");
        assertThat(ToolRunner.describe(new EOFException("cache.img: end of device at byte 8192")))
            .isEqualTo("cache.img: end of device at byte 8192");
        assertThat(ToolRunner.describe(new IllegalArgumentException("device too small")))
            .isEqualTo("device too small");
    }

    @Test
    void namesTheDeviceInBareIoErrors()
    {
        final IOException bare = new IOException("File too large");
        final IOException named = ToolRunner.naming("huge.img", bare);
        assertThat(named.getMessage()).isEqualTo("huge.img: File too large");
        assertThat(named.getCause()).isSameAs(bare);

        assertThat(ToolRunner.naming("x.img", new IOException()).getMessage()).isEqualTo("x.img: IOException");

        final IOException mentioning = new IOException("cache.img: end of device at byte 8192");
        assertThat(ToolRunner.naming("cache.img", mentioning)).isSameAs(mentioning);
        final IOException fileSystem = new NoSuchFileException("/x/cache.img");
        assertThat(ToolRunner.naming("other.img", fileSystem)).isSameAs(fileSystem);
    }

    @Test
    void keepsEveryMessageOnOneLine()
    {
        assertThat(ToolRunner.describe(new IOException("first line\n  second line\r\nthird\n")))
            .isEqualTo("first line second line third");
    }

    @Test
    void namesUnexpectedExceptionsAndEmptyMessages()
    {
        assertThat(ToolRunner.describe(new NullPointerException("x is null")))
            .isEqualTo("unexpected java.lang.NullPointerException: x is null");
        assertThat(ToolRunner.describe(new UnsupportedOperationException()))
            .isEqualTo("unexpected java.lang.UnsupportedOperationException");
        assertThat(ToolRunner.describe(new IOException())).isEqualTo("IOException");
    }
}
