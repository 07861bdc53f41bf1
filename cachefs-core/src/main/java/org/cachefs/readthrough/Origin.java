package org.cachefs.readthrough;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * The remote side of a {@link ReadThroughCache}, implemented by the user: an object store, HDFS, an HTTP server.
 * Called from the threads that read and from the cache's store threads, several at once: implementations must be
 * thread-safe.
 */
public interface Origin
{
    /**
     * The current version of a file (a HEAD request, a {@code getFileStatus}).
     *
     * @param path the file's path, as given to {@link ReadThroughCache#open(String)}.
     * @return its length and version tag.
     * @throws IOException if the file cannot be reached or does not exist.
     */
    FileVersion stat(String path) throws IOException;

    /**
     * Reads bytes {@code [offset, offset + dst.remaining())} of a version of a file into {@code dst}, from its
     * position to its limit (the position ends at the limit). The range always lies within {@code version.length()}.
     * An origin that can tell that the file is no longer at {@code version} (an ETag that does not match) should
     * throw rather than return other bytes.
     *
     * @param path    the file's path.
     * @param version the version the bytes must belong to.
     * @param offset  the first byte.
     * @param dst     where the bytes go; may be a direct buffer.
     * @throws IOException if the bytes cannot be read.
     */
    void read(String path, FileVersion version, long offset, ByteBuffer dst) throws IOException;
}
