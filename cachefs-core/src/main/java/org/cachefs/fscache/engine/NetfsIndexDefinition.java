package org.cachefs.fscache.engine;

import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.Netfs;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;

/**
 * The definitions of the FS-Cache master index ({@code fscache_fsdef_index_def}) and of the netfs primary index
 * entries in it ({@code fscache_fsdef_netfs_def}): key = the netfs name in UTF-8, aux = the version as four bytes
 * big-endian, and a different version makes the entry {@link CheckAux#OBSOLETE}, scrapping the netfs's hierarchy in
 * that cache.
 */
final class NetfsIndexDefinition implements CookieDefinition<Netfs>
{
    static final NetfsIndexDefinition INSTANCE = new NetfsIndexDefinition();

    static final CookieDefinition<Void> MASTER_INDEX = new CookieDefinition<>()
    {
        public String name()
        {
            return "FSDEF";
        }

        public CookieType type()
        {
            return CookieType.INDEX;
        }

        public byte[] key(final Void data)
        {
            return Cookies.EMPTY_BYTES;
        }
    };

    private NetfsIndexDefinition()
    {
    }

    public String name()
    {
        return "FSDEF.netfs";
    }

    public CookieType type()
    {
        return CookieType.INDEX;
    }

    public byte[] key(final Netfs netfs)
    {
        return netfs.name().getBytes(StandardCharsets.UTF_8);
    }

    public byte[] aux(final Netfs netfs)
    {
        return encodeVersion(netfs.version());
    }

    public CheckAux checkAux(final Netfs netfs, final byte[] aux)
    {
        if (aux.length != Integer.BYTES)
        {
            return CheckAux.OBSOLETE;
        }

        return ByteBuffer.wrap(aux).getInt() == netfs.version() ? CheckAux.OKAY : CheckAux.OBSOLETE;
    }

    static byte[] encodeVersion(final int version)
    {
        return ByteBuffer.allocate(Integer.BYTES).putInt(version).array();
    }
}
