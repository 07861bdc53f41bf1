package org.cachefs.format.fsck;

import java.io.IOException;
import java.nio.ByteBuffer;

/**
 * Where the builders put the nodes of a new metadata set: a block for each, then the block's contents.
 */
interface NodeWriter
{
    /**
     * @return a block for a new node, marked in use in the new metadata set.
     * @throws RepairException if no block is left.
     */
    long allocate() throws IOException;

    /**
     * Writes a sealed node (the whole block held by {@code node}) to {@code block}.
     */
    void write(long block, ByteBuffer node) throws IOException;
}
