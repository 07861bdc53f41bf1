package org.cachefs.readthrough;

import java.nio.ByteBuffer;

/**
 * An origin for tests whose every file has one version, "v1", of a given length, and whose every byte is its
 * offset's low byte, so that a reader can check any range without keeping the file.
 */
public final class GeneratedOrigin implements Origin
{
    private final long length;

    /**
     * @param length every file's length in bytes.
     */
    public GeneratedOrigin(final long length)
    {
        this.length = length;
    }

    @Override
    public FileVersion stat(final String path)
    {
        return new FileVersion(length, "v1");
    }

    @Override
    public void read(final String path, final FileVersion version, final long offset, final ByteBuffer dst)
    {
        for (long at = offset; dst.hasRemaining(); at++)
        {
            dst.put((byte)at);
        }
    }
}
