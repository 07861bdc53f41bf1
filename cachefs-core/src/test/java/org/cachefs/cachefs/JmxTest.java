package org.cachefs.cachefs;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Path;
import java.util.Map;

import javax.management.MBeanServer;
import javax.management.ObjectName;
import javax.management.openmbean.CompositeData;
import javax.management.openmbean.TabularData;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The JMX view through the platform MBean server: the FS-Cache counters, a CacheFS cache's state, usage, culling
 * figures and controls; registered on addCache, unregistered on withdrawal.
 */
class JmxTest
{
    @TempDir
    Path dir;

    private static long entry(final Object tabular, final String key)
    {
        final CompositeData row = ((TabularData)tabular).get(new Object[]{ key });
        return (Long)row.get("value");
    }

    @Test
    void theFsCacheAndACacheFsCacheAreVisibleAndControllable() throws Exception
    {
        final Path image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(8L << 20), null);
        final MBeanServer server = ManagementFactory.getPlatformMBeanServer();
        try (CacheFsBackend backend = CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)))
        {
            final FsCache fsCache = FsCache.create(FsCacheOptions.builder().jmx(true).build());
            try
            {
                final ObjectName fsCacheName = fsCache.jmxName();
                assertThat(fsCacheName.getKeyProperty("type")).isEqualTo("FsCache");
                fsCache.addCache(backend, "jmx-test");
                final org.cachefs.fscache.Cookie index = fsCache.registerNetfs("jmxfs", 1).primaryIndex()
                    .acquire(new org.cachefs.fscache.CookieDefinition<String>()
                    {
                        @Override
                        public org.cachefs.fscache.CookieType type()
                        {
                            return org.cachefs.fscache.CookieType.INDEX;
                        }

                        @Override
                        public byte[] key(final String data)
                        {
                            return data.getBytes();
                        }
                    }, "volume");
                final String instance = fsCacheName.getKeyProperty("instance");
                final ObjectName cacheName = new ObjectName("org.cachefs:type=Cache,tag=\"jmx-test\"" +
                    (instance == null ? "" : ",instance=" + instance));
                assertThat(server.isRegistered(cacheName)).isTrue();
                assertThat(server.getAttribute(fsCacheName, "CacheTags")).isEqualTo(new String[]{ "jmx-test" });
                assertThat(entry(server.getAttribute(fsCacheName, "Counters"), "Cookies.idx")).isEqualTo(1);
                assertThat((String)server.getAttribute(fsCacheName, "StatsText"))
                    .startsWith("FS-Cache statistics\nCookies: idx=1 dat=0 spc=0\n");

                assertThat(server.getAttribute(cacheName, "Tag")).isEqualTo("jmx-test");
                assertThat(server.getAttribute(cacheName, "Backend")).isEqualTo("cachefs");
                assertThat(server.getAttribute(cacheName, "Identifier")).isEqualTo("cache.img");
                assertThat(server.getAttribute(cacheName, "State")).isEqualTo("ACTIVE");
                final Object usage = server.getAttribute(cacheName, "Usage");
                assertThat(entry(usage, "dataBlocks")).isEqualTo(backend.snapshot().dataBlocks());
                assertThat(entry(usage, "blockSize")).isEqualTo(4096);
                assertThat(entry(usage, "ioErrors")).isZero();
                assertThat(entry(server.getAttribute(cacheName, "Culling"), "runs")).isZero();
                assertThat(server.getAttribute(cacheName, "CullingThresholds")).isEqualTo("10/7/3");

                server.invoke(cacheName, "setCullingThresholds", new Object[]{ 50, 40, 30 },
                    new String[]{ "int", "int", "int" });
                assertThat(backend.thresholds()).isEqualTo(new CullingThresholds(50, 40, 30));
                final long commits = backend.usage().get("commits");
                server.invoke(cacheName, "sync", new Object[0], new String[0]);
                assertThat(backend.usage().get("commits")).isEqualTo(commits + 1);

                index.relinquish(false);
                server.invoke(cacheName, "withdraw", new Object[0], new String[0]);
                assertThat(server.isRegistered(cacheName)).isFalse();
                assertThat(fsCache.cacheTags()).isEmpty();
            }
            finally
            {
                fsCache.close();
            }
        }
    }

    @Test
    void jmxCanBeTurnedOff() throws IOException
    {
        final int before = ManagementFactory.getPlatformMBeanServer().queryNames(null, null).size();
        final FsCache fsCache = FsCache.create(FsCacheOptions.builder().jmx(false).build());
        try
        {
            assertThat(fsCache.jmxName()).isNull();
            assertThat(ManagementFactory.getPlatformMBeanServer().queryNames(null, null)).hasSize(before);
        }
        finally
        {
            fsCache.close();
        }
    }
}
