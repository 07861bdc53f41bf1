package org.cachefs.cachefs;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The libraries work in a JVM started without {@code --add-exports}, {@code --add-opens} or any other flag, as in
 * the Spark executors, Trino plugins and Hadoop clients that load them from a class path: a child JVM with nothing
 * but heap and compiler settings formats an image, mounts it, stores a page and reads it back twice (heap buffer,
 * then direct buffer after a remount) through the public API. On JDK 24 and later the JDK may warn about the native
 * access of jnr-ffi; nothing else may reach standard error.
 */
class NoJvmFlagsTest
{
    @TempDir
    Path dir;

    @Test
    void formatsMountsWritesAndReadsInAJvmWithoutFlags() throws Exception
    {
        final Path image = dir.resolve("flagless.img");
        final String crc = NoJvmFlagsChild.crc32(ByteBuffer.wrap(
            ApiSession.content(NoJvmFlagsChild.SEED, NoJvmFlagsChild.FILE, NoJvmFlagsChild.PAGE, 1)));

        try (ChildJvm child = ChildJvm.start(dir, NoJvmFlagsChild.class, image.toString()))
        {
            child.expectExit(0);

            assertThat(child.stdoutLines()).as(child.output()).containsExactly(
                "jvm arguments: " + String.join(" ", ChildJvm.JVM_ARGUMENTS),
                "formatted " + NoJvmFlagsChild.IMAGE_SIZE + " bytes",
                "stored page 5",
                "heap read: OK, completed OK, crc32 " + crc,
                "remounted clean true, direct read crc32 " + crc);
            final List<String> stderr = child.stderrLines();
            assertThat(String.join("\n", stderr)).as(child.output())
                .doesNotContain("IllegalAccessError", "InaccessibleObjectException", "Exception", "add-exports",
                    "add-opens");
            if (Runtime.version().feature() < 24)
            {
                assertThat(stderr).as(child.output()).isEmpty();
            }
            else
            {
                assertThat(stderr).as(child.output()).allMatch(line -> line.isEmpty() || line.startsWith("WARNING: "));
            }
        }
    }
}
