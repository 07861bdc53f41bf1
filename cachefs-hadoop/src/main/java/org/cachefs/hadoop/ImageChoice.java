package org.cachefs.hadoop;

import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

import org.cachefs.readthrough.CacheImage;
import org.cachefs.readthrough.Origin;
import org.cachefs.readthrough.ReadThroughCache;

/**
 * Which entries of {@code fs.cachefs.dirs} this process mounts, decided once per JVM for a list of entries and shared
 * by every file system instance naming it: the first {@code fs.cachefs.max.images} entries, in order, that can be
 * mounted. An entry mounted by another process (another executor on the node) is skipped for the next; when none is
 * free the instances read through uncached. The choice is logged once, and kept while an instance uses it: later
 * instances share the same mounts without trying the others again. When the last instance closes it is forgotten, and
 * the next instance chooses afresh.
 * <p>
 * Threading: the choices under the class's monitor, held while a choice is made (mounting, and formatting a missing
 * image, happen under it: instances naming the same entries wait for the mounts they will share).
 */
final class ImageChoice
{
    private static final System.Logger LOG = System.getLogger("org.cachefs.hadoop");
    private static final Map<Key, Choice> CHOICES = new HashMap<>();

    private ImageChoice()
    {
    }

    /** Entries and how many of them one process takes. */
    private record Key(List<CacheImage> entries, int maxImages)
    {
    }

    /** The entries chosen and the instances using them. */
    private static final class Choice
    {
        final List<CacheImage> chosen;
        int users;

        Choice(final List<CacheImage> chosen)
        {
            this.chosen = chosen;
        }
    }

    /**
     * A file system instance's read-through cache over the chosen images; {@link #close()} once.
     */
    static final class Lease implements AutoCloseable
    {
        private final Key key;
        private final ReadThroughCache cache;
        private final List<CacheImage> images;
        private boolean closed;

        private Lease(final Key key, final ReadThroughCache cache, final List<CacheImage> images)
        {
            this.key = key;
            this.cache = cache;
            this.images = images;
        }

        ReadThroughCache cache()
        {
            return cache;
        }

        /** @return the entries this process mounted. */
        List<CacheImage> images()
        {
            return images;
        }

        /**
         * Closes the cache (the last user of an image in the JVM unmounts it) and lets the choice go with its last
         * user.
         */
        @Override
        public void close()
        {
            synchronized (ImageChoice.class)
            {
                if (closed)
                {
                    return;
                }
                closed = true;
                final Choice choice = CHOICES.get(key);
                if (null != choice && --choice.users == 0)
                {
                    CHOICES.remove(key);
                }
            }
            cache.close();
        }
    }

    /**
     * Opens the read-through cache of a file system instance.
     */
    static Lease open(final Origin origin, final CacheSettings settings)
    {
        final Key key = new Key(settings.images(), settings.maxImages());
        synchronized (ImageChoice.class)
        {
            final Choice known = CHOICES.get(key);
            if (null != known)
            {
                final ReadThroughCache cache = ReadThroughCache.open(origin, settings.options(known.chosen,
                    settings.jmx()));
                if (cache.stats().unavailableImages() == 0)
                {
                    known.users++;
                    return new Lease(key, cache, known.chosen);
                }
                // An image chosen before was unmounted by its last user and taken by another process since.
                cache.close();
                CHOICES.remove(key);
            }
            final List<ReadThroughCache> probes = new ArrayList<>();
            try
            {
                final Choice choice = choose(origin, settings, probes);
                final ReadThroughCache cache = ReadThroughCache.open(origin, settings.options(choice.chosen,
                    settings.jmx()));
                choice.users = 1;
                CHOICES.put(key, choice);
                return new Lease(key, cache, choice.chosen);
            }
            finally
            {
                // The cache shares the probes' mounts: closing them unmounts nothing.
                probes.forEach(ReadThroughCache::close);
            }
        }
    }

    /**
     * Tries the entries in order, each in a cache of its own kept open in {@code probes} (so that the image stays
     * mounted for the cache that will share it), and logs the outcome.
     */
    private static Choice choose(final Origin origin, final CacheSettings settings,
        final List<ReadThroughCache> probes)
    {
        final List<CacheImage> chosen = new ArrayList<>();
        final List<String> skipped = new ArrayList<>();
        for (final CacheImage entry : settings.images())
        {
            if (chosen.size() == settings.maxImages())
            {
                break;
            }
            final ReadThroughCache probe = ReadThroughCache.open(origin, settings.options(List.of(entry), false));
            if (probe.stats().unavailableImages() == 0)
            {
                probes.add(probe);
                chosen.add(entry);
            }
            else
            {
                skipped.add(probe.images().get(0));
                probe.close();
            }
        }
        if (chosen.isEmpty())
        {
            LOG.log(System.Logger.Level.WARNING, "cachefs: no entry of " + CacheSettings.DIRS + " can be used " +
                skipped + "; files are read from the wrapped file system uncached");
        }
        else if (!skipped.isEmpty())
        {
            LOG.log(System.Logger.Level.INFO, "cachefs: using " + paths(chosen) + " of " + CacheSettings.DIRS +
                "; skipped " + skipped);
        }
        return new Choice(List.copyOf(chosen));
    }

    private static List<String> paths(final List<CacheImage> images)
    {
        final List<String> paths = new ArrayList<>(images.size());
        images.forEach(image -> paths.add(image.imagePath().toString()));
        return paths;
    }
}
