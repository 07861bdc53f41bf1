package org.cachefs.fscache;

import org.cachefs.fscache.engine.ApiAccess;

/**
 * A registered network filesystem ({@code struct fscache_netfs}): its name, its version and its primary index.
 * Created by {@link FsCache#registerNetfs(String, int)}.
 * <p>
 * The name is the netfs's key in the FS-Cache master index and the version its auxiliary data: when the netfs's
 * primary index is next instantiated in a cache holding an entry of the same name with another version, the whole
 * in-cache hierarchy of that netfs is scrapped there and begun afresh.
 */
public final class Netfs
{
    static
    {
        ApiAccess.registerNetfses(new Access());
    }

    private final String name;
    private final int version;
    private Cookie primaryIndex;

    private Netfs(final String name, final int version)
    {
        this.name = name;
        this.version = version;
    }

    /**
     * The netfs's name.
     *
     * @return the name.
     */
    public String name()
    {
        return name;
    }

    /**
     * The netfs's version.
     *
     * @return the version.
     */
    public int version()
    {
        return version;
    }

    /**
     * The netfs's primary index ({@code netfs->primary_index}), the parent of its top-level cookies.
     *
     * @return the index cookie.
     */
    public Cookie primaryIndex()
    {
        return primaryIndex;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "Netfs{name=" + name + ", version=" + version + '}';
    }

    /**
     * The core's access to a registration it makes; see {@link ApiAccess}.
     */
    private static final class Access implements ApiAccess.Netfses
    {
        public Netfs newNetfs(final String name, final int version)
        {
            return new Netfs(name, version);
        }

        public void primaryIndex(final Netfs netfs, final Cookie primaryIndex)
        {
            netfs.primaryIndex = primaryIndex;
        }
    }
}
