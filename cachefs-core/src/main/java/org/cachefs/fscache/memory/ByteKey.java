package org.cachefs.fscache.memory;

import java.util.Arrays;

/**
 * An object's key bytes as a map key: equality and hash by content, the hash computed once.
 * <p>
 * Threading: immutable (the bytes are never changed after construction); any thread.
 */
final class ByteKey
{
    final byte[] bytes;
    final int hash;

    ByteKey(final byte[] bytes)
    {
        this.bytes = bytes;
        this.hash = Arrays.hashCode(bytes);
    }

    public boolean equals(final Object other)
    {
        return other instanceof ByteKey && Arrays.equals(bytes, ((ByteKey)other).bytes);
    }

    public int hashCode()
    {
        return hash;
    }
}
