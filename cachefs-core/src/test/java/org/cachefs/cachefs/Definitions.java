package org.cachefs.cachefs;

import java.nio.charset.StandardCharsets;

import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;

/**
 * Cookie definitions for tests whose netfs data is just a name: an index, and data files of a given size.
 */
final class Definitions
{
    static final CookieDefinition<String> INDEX = new CookieDefinition<>()
    {
        @Override
        public CookieType type()
        {
            return CookieType.INDEX;
        }

        @Override
        public byte[] key(final String name)
        {
            return name.getBytes(StandardCharsets.UTF_8);
        }
    };

    private Definitions()
    {
    }

    /**
     * @return data files keyed by name, of {@code size} bytes (0: no size, so no store limit is set).
     */
    static CookieDefinition<String> file(final long size)
    {
        return new CookieDefinition<>()
        {
            @Override
            public CookieType type()
            {
                return CookieType.DATAFILE;
            }

            @Override
            public byte[] key(final String name)
            {
                return name.getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public long size(final String name)
            {
                return size;
            }
        };
    }
}
