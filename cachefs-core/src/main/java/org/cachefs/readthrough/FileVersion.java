package org.cachefs.readthrough;

import java.util.Objects;

/**
 * What the origin says of a file: its length and a tag that changes whenever its bytes change (an ETag, a
 * modification time, a generation number). Cached pages belong to one version: a file whose tag or length changed is
 * read afresh, and its old pages are dropped.
 *
 * @param length the file's length in bytes, {@code >= 0}.
 * @param tag    the version tag; any string, compared exactly.
 */
public record FileVersion(long length, String tag)
{
    /**
     * Checks the components.
     *
     * @param length the file's length in bytes, {@code >= 0}.
     * @param tag    the version tag; any string, compared exactly.
     * @throws NullPointerException     if {@code tag} is null.
     * @throws IllegalArgumentException if {@code length} is negative.
     */
    public FileVersion
    {
        if (length < 0)
        {
            throw new IllegalArgumentException("file length must be >= 0: " + length);
        }
        Objects.requireNonNull(tag, "tag");
    }
}
