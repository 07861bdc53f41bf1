package org.cachefs.readthrough;

import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;

import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;

/**
 * One namespace of files in a mounted image: its index cookie and the table of its files' current entries, shared by
 * every {@link ReadThroughCache} of the JVM with that namespace and image. An entry stays in the table while handles
 * are open on it and, idle, up to {@link #maxIdle} of them, so that opening a file again finds its cookie; a new
 * version of a file replaces its entry, and the old one's pages are dropped.
 * <p>
 * Threading: any thread; the table, the idle set and the entries' reference counts under the volume's monitor.
 * Entries are closed outside it (closing waits for the reads in progress).
 */
final class Volume
{
    static final CookieDefinition<String> INDEX = new CookieDefinition<>()
    {
        @Override
        public String name()
        {
            return "readthrough.ns";
        }

        @Override
        public CookieType type()
        {
            return CookieType.INDEX;
        }

        @Override
        public byte[] key(final String namespace)
        {
            return namespace.getBytes(StandardCharsets.UTF_8);
        }
    };

    final SharedMount mount;
    final String namespace;
    final Cookie cookie;
    final int maxIdle;
    /** Guarded by the mount's monitor. */
    int references;
    private final HashMap<String, FileEntry> entries = new HashMap<>();
    private final LinkedHashSet<FileEntry> idle = new LinkedHashSet<>();
    /** Every entry created and not closed: current, idle, and old versions still open or not yet retired. */
    private final java.util.HashSet<FileEntry> live = new java.util.HashSet<>();
    private boolean closed;

    Volume(final SharedMount mount, final String namespace, final Cookie cookie, final int maxIdle)
    {
        this.mount = mount;
        this.namespace = namespace;
        this.cookie = cookie;
        this.maxIdle = maxIdle;
    }

    /**
     * @return the version of a file's entry and when it was last confirmed by the origin, or null if none.
     */
    synchronized FileEntry current(final String path)
    {
        final FileEntry entry = entries.get(path);
        return null == entry || entry.obsolete ? null : entry;
    }

    /**
     * Opens a handle on a version of a file: the current entry if it has that version, else a new entry that retires
     * the old one when it is first read.
     *
     * @param statNanos when the origin gave this version, or -1 if it was not asked.
     */
    FileEntry retain(final String path, final FileVersion version, final long statNanos, final Counters counters)
    {
        final FileEntry entry;
        synchronized (this)
        {
            if (closed)
            {
                return FileEntry.detached(path, version);
            }
            final FileEntry current = entries.get(path);
            if (null != current && !current.obsolete && current.version.equals(version))
            {
                current.references++;
                idle.remove(current);
                if (statNanos >= 0)
                {
                    current.statNanos = statNanos;
                }
                return current;
            }
            if (null != current)
            {
                if (!current.obsolete)
                {
                    counters.versionChanges.increment();
                }
                current.obsolete = true;
                idle.remove(current);
            }
            entry = new FileEntry(this, path, version, current);
            live.add(entry);
            entry.references = 1;
            entry.statNanos = statNanos;
            entries.put(path, entry);
        }
        return entry;
    }

    /**
     * One more reference to an entry that has one (a store of its chunk).
     */
    synchronized void hold(final FileEntry entry)
    {
        entry.references++;
        idle.remove(entry);
    }

    /**
     * A handle closed: the entry becomes idle, or is closed if it is no longer current.
     */
    void release(final FileEntry entry)
    {
        final List<FileEntry> toClose = new ArrayList<>(1);
        synchronized (this)
        {
            if (--entry.references > 0)
            {
                return;
            }
            if (closed || entry.obsolete || entries.get(entry.path) != entry)
            {
                toClose.add(entry);
            }
            else
            {
                idle.add(entry);
                final Iterator<FileEntry> oldest = idle.iterator();
                while (idle.size() > maxIdle)
                {
                    final FileEntry evicted = oldest.next();
                    oldest.remove();
                    // It stays in the table, obsolete, until its cookie is relinquished: an open meanwhile makes a
                    // new entry that waits for that (the same key must not be acquired twice).
                    evicted.obsolete = true;
                    toClose.add(evicted);
                }
            }
        }
        for (final FileEntry closing : toClose)
        {
            closeAndForget(closing, false);
        }
    }

    private void closeAndForget(final FileEntry entry, final boolean retire)
    {
        entry.close(retire);
        synchronized (this)
        {
            entries.remove(entry.path, entry);
        }
    }

    /**
     * Drops the cached pages of a file, whatever its version: handles open on it read from the origin from now on.
     */
    void invalidate(final String path)
    {
        FileEntry entry;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            entry = entries.get(path);
            if (null != entry)
            {
                idle.remove(entry);
            }
            else
            {
                entry = new FileEntry(this, path, null, null);
                live.add(entry);
                entries.put(path, entry);
            }
            entry.obsolete = true;
        }
        closeAndForget(entry, true);
    }

    /**
     * Closes every entry (their handles read from the origin from now on) and relinquishes the index.
     */
    void close()
    {
        final List<FileEntry> all;
        synchronized (this)
        {
            if (closed)
            {
                return;
            }
            closed = true;
            all = new ArrayList<>(live);
            entries.clear();
            idle.clear();
            for (final FileEntry entry : all)
            {
                entry.obsolete = true;
            }
        }
        for (final FileEntry entry : all)
        {
            entry.close(false);
        }
        cookie.relinquish(false);
    }

    /**
     * An entry's cookie was relinquished (or it never had one).
     */
    synchronized void closed(final FileEntry entry)
    {
        live.remove(entry);
    }
}
