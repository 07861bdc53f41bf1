package org.cachefs.format.fsck;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;

import org.cachefs.format.Fsck;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;

/**
 * Runs {@link Fsck#check} on an image and captures what it printed.
 */
record FsckRunner(FsckResult result, String output)
{
    static final FsckOptions CHECK = FsckOptions.defaults();
    static final FsckOptions PREEN = FsckOptions.defaults().withMode(FsckOptions.Mode.PREEN);
    static final FsckOptions YES = FsckOptions.defaults().withMode(FsckOptions.Mode.YES);

    static FsckRunner fsck(final Path image, final FsckOptions options) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final FsckResult result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            result = Fsck.check(image, options, out);
        }
        return new FsckRunner(result, bytes.toString(StandardCharsets.UTF_8));
    }

    /**
     * Runs a read-only check and returns it, asserting that the image's bytes did not change.
     */
    static FsckRunner checkUnchanged(final Path image, final FsckOptions options) throws IOException
    {
        final byte[] before = Files.readAllBytes(image);
        final FsckRunner run = fsck(image, options);
        if (!java.util.Arrays.equals(before, Files.readAllBytes(image)))
        {
            throw new AssertionError("a check with " + options + " changed " + image);
        }
        return run;
    }
}
