package org.cachefs.fscache.engine;

import java.util.Arrays;

/**
 * The identity of an object within its cache: its parent object and its key. The core lets at most one object of an
 * identity be looked up or alive at a time: a newer object waits until the older one is dead.
 */
final class ObjectIdentity
{
    private final FsObject parent;
    private final byte[] key;
    private final int hash;

    ObjectIdentity(final FsObject parent, final byte[] key)
    {
        this.parent = parent;
        this.key = key;
        this.hash = 31 * System.identityHashCode(parent) + Arrays.hashCode(key);
    }

    public boolean equals(final Object other)
    {
        if (this == other)
        {
            return true;
        }

        if (!(other instanceof ObjectIdentity))
        {
            return false;
        }

        final ObjectIdentity that = (ObjectIdentity)other;
        return parent == that.parent && Arrays.equals(key, that.key);
    }

    public int hashCode()
    {
        return hash;
    }
}
