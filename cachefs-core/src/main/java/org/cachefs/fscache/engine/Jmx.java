package org.cachefs.fscache.engine;

import org.cachefs.fscache.FsCacheStats;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.jmx.CacheMXBean;
import org.cachefs.fscache.jmx.FsCacheMXBean;
import org.cachefs.fscache.spi.CacheControl;

import java.lang.management.ManagementFactory;
import java.util.LinkedHashMap;
import java.util.Map;

import javax.management.JMException;
import javax.management.MBeanServer;
import javax.management.ObjectName;

/**
 * Registers the JMX view of an FS-Cache and its caches with the platform MBean server: {@code org.cachefs:type=FsCache}
 * for the first FS-Cache of the JVM ({@code ,instance=N} for later ones) and {@code org.cachefs:type=Cache,tag=TAG}
 * (with the same instance key) for each cache while it is added. Failures to register are reported to the FS-Cache's
 * error handler and are otherwise harmless.
 */
final class Jmx
{
    private static final java.util.concurrent.atomic.AtomicInteger INSTANCES =
        new java.util.concurrent.atomic.AtomicInteger();

    private final CacheEngine engine;
    private final String instanceKey;
    private final ObjectName fsCacheName;

    Jmx(final CacheEngine engine)
    {
        this.engine = engine;
        final int instance = INSTANCES.incrementAndGet();
        this.instanceKey = instance == 1 ? "" : ",instance=" + instance;
        this.fsCacheName = register("org.cachefs:type=FsCache" + instanceKey, new FsCacheView());
    }

    ObjectName fsCacheName()
    {
        return fsCacheName;
    }

    ObjectName registerCache(final CacheImpl cache)
    {
        return register("org.cachefs:type=Cache,tag=" + ObjectName.quote(cache.tag.name()) + instanceKey,
            new CacheView(cache));
    }

    void unregister(final ObjectName name)
    {
        if (name == null)
        {
            return;
        }
        try
        {
            server().unregisterMBean(name);
        }
        catch (final JMException ex)
        {
            engine.reportError(ex);
        }
    }

    private ObjectName register(final String name, final Object mbean)
    {
        try
        {
            final ObjectName objectName = new ObjectName(name);
            server().registerMBean(mbean, objectName);
            return objectName;
        }
        catch (final JMException | RuntimeException ex)
        {
            engine.reportError(ex);
            return null;
        }
    }

    private static MBeanServer server()
    {
        return ManagementFactory.getPlatformMBeanServer();
    }

    private final class FsCacheView implements FsCacheMXBean
    {
        @Override
        public Map<String, Long> getCounters()
        {
            final FsCacheStats stats = engine.stats();
            final Map<String, Long> counters = new LinkedHashMap<>();
            for (final StatCounter counter : StatCounter.values())
            {
                counters.put(counter.lineLabel() + "." + counter.label(), stats.get(counter));
            }
            return counters;
        }

        @Override
        public String getStatsText()
        {
            return engine.stats().toProcText();
        }

        @Override
        public String[] getCacheTags()
        {
            return engine.cacheTags();
        }
    }

    private final class CacheView implements CacheMXBean
    {
        private final CacheImpl cache;

        CacheView(final CacheImpl cache)
        {
            this.cache = cache;
        }

        @Override
        public String getTag()
        {
            return cache.tag.name();
        }

        @Override
        public String getBackend()
        {
            return cache.backend.name();
        }

        @Override
        public String getIdentifier()
        {
            return cache.backend.identifier();
        }

        @Override
        public String getState()
        {
            return cache.isWithdrawn() ? "WITHDRAWN" : cache.isIoError() ? "IO_ERROR" : "ACTIVE";
        }

        @Override
        public Map<String, Long> getUsage()
        {
            return cache.backend instanceof CacheControl control ? control.usage() : Map.of();
        }

        @Override
        public Map<String, Long> getCulling()
        {
            return cache.backend instanceof CacheControl control ? control.culling() : Map.of();
        }

        @Override
        public String getCullingThresholds()
        {
            return cache.backend instanceof CacheControl control ? control.cullingThresholds() : "";
        }

        @Override
        public void setCullingThresholds(final int brun, final int bcull, final int bstop)
        {
            if (!(cache.backend instanceof CacheControl control))
            {
                throw new UnsupportedOperationException("cache '" + getTag() + "' (" + getBackend() +
                    ") has no culling thresholds");
            }
            control.setCullingThresholds(brun, bcull, bstop);
        }

        @Override
        public void sync()
        {
            cache.backend.sync();
        }

        @Override
        public void withdraw()
        {
            engine.withdrawCache(cache.backend);
        }
    }
}
