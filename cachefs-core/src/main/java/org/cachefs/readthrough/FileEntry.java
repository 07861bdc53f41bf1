package org.cachefs.readthrough;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.locks.StampedLock;

import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;

/**
 * One version of one file in a {@link Volume}: its data cookie, shared by every handle open on that version and by
 * the stores of its chunks, and its chunk fetches in flight. The cookie is acquired at the first read, after the
 * previous entry of the path (the {@link #predecessor}: an older version, or the same one evicted or invalidated) has
 * relinquished its own, so that one key is never acquired twice; pages of an older version are then dropped because
 * their coherency data (length and tag) no longer matches. It is relinquished when the entry is closed (idle too
 * long, a new version, an invalidation, which retires it, the cache closed).
 * <p>
 * Threading: any thread. Reads and stores hold {@link #use} shared while they use the cookie; closing holds it
 * exclusively, so the cookie is relinquished with no page tracked. A {@link StampedLock}: taking it shared keeps no
 * per-thread record, so many threads reading a file allocate nothing. {@link #references}, {@link #statNanos} and
 * {@link #obsolete} are guarded by the volume's monitor.
 */
final class FileEntry
{
    /** Keys longer than this are replaced by a digest of the path. */
    static final int MAX_KEY_BYTES = 256;
    /** Version tags longer than this are replaced by a digest in the coherency data. */
    static final int MAX_TAG_BYTES = 120;

    static final CookieDefinition<FileEntry> DEFINITION = new CookieDefinition<>()
    {
        @Override
        public String name()
        {
            return "readthrough";
        }

        @Override
        public CookieType type()
        {
            return CookieType.DATAFILE;
        }

        @Override
        public byte[] key(final FileEntry entry)
        {
            return entry.key;
        }

        @Override
        public byte[] aux(final FileEntry entry)
        {
            return entry.aux;
        }

        @Override
        public long size(final FileEntry entry)
        {
            return null == entry.version ? 0 : entry.version.length();
        }

        @Override
        public CheckAux checkAux(final FileEntry entry, final byte[] stored)
        {
            return Arrays.equals(stored, entry.aux) ? CheckAux.OKAY : CheckAux.OBSOLETE;
        }
    };

    final Volume volume;
    final String path;
    final FileVersion version;
    final byte[] key;
    final byte[] aux;
    final StampedLock use = new StampedLock();
    final ConcurrentHashMap<Long, ChunkFetch> fetches = new ConcurrentHashMap<>();
    /** Chunks fetched and waiting to be stored, in order, one at a time ({@link ChunkStores#storeLater}). */
    final ArrayDeque<ChunkFetch> storeQueue = new ArrayDeque<>();
    /** Whether a store thread is storing this entry's chunks; guarded by {@link #storeQueue}'s monitor. */
    boolean storing;
    /** Chunk stores ended: a read that missed and finds no fetch under way reads the cache again if this moved. */
    final java.util.concurrent.atomic.AtomicLong storesEnded = new java.util.concurrent.atomic.AtomicLong();
    int references;
    long statNanos;
    boolean obsolete;
    private FileEntry predecessor;
    private Cookie cookie;
    private volatile boolean acquired;
    private boolean closed;

    FileEntry(final Volume volume, final String path, final FileVersion version, final FileEntry predecessor)
    {
        this.volume = volume;
        this.path = path;
        this.version = version;
        this.key = keyOf(path);
        this.aux = null == version ? new byte[0] : auxOf(version);
        this.predecessor = predecessor;
        this.acquired = null == volume;
        this.closed = null == volume;
    }

    /**
     * An entry of a file no image caches: every read goes to the origin.
     */
    /**
     * Keeps the entry open while a chunk is stored (its handles may all close meanwhile).
     */
    void hold()
    {
        if (null != volume)
        {
            volume.hold(this);
        }
    }

    void unhold()
    {
        if (null != volume)
        {
            volume.release(this);
        }
    }

    static FileEntry detached(final String path, final FileVersion version)
    {
        return new FileEntry(null, path, version, null);
    }

    /**
     * Starts a use of the cookie: {@link #use} is held shared until {@link #exit(long)}.
     *
     * @return the lock's stamp, or 0 if the cache cannot take part (nothing is held then); the cookie is then
     * {@link #cookie()}.
     */
    long enter()
    {
        if (!acquired)
        {
            acquire();
        }
        final long stamp = use.readLock();
        if (closed || null == cookie || cookie.isNoop())
        {
            use.unlockRead(stamp);
            return 0;
        }
        return stamp;
    }

    /**
     * @return the cookie, between {@link #enter()} and {@link #exit(long)}.
     */
    Cookie cookie()
    {
        return cookie;
    }

    void exit(final long stamp)
    {
        use.unlockRead(stamp);
    }

    private synchronized void acquire()
    {
        if (acquired)
        {
            return;
        }
        if (null != predecessor)
        {
            // Its cookie goes first; a different version's pages are then found obsolete by their coherency data.
            predecessor.close(false);
            predecessor = null;
        }
        final long stamp = use.writeLock();
        try
        {
            if (!closed)
            {
                cookie = volume.cookie.acquire(DEFINITION, this);
                if (!cookie.isNoop())
                {
                    cookie.attrChanged();
                }
            }
            acquired = true;
        }
        finally
        {
            use.unlockWrite(stamp);
        }
    }

    /**
     * Relinquishes the cookie once the reads and stores using it ended; later reads go to the origin.
     *
     * @param retire whether the object and its pages are discarded.
     */
    void close(final boolean retire)
    {
        synchronized (this)
        {
            if (!acquired)
            {
                // Never used: nothing to relinquish, but a predecessor still waiting for retirement must go.
                if (null != predecessor)
                {
                    predecessor.close(false);
                    predecessor = null;
                }
                acquired = true;
                if (!retire)
                {
                    final long stamp = use.writeLock();
                    closed = true;
                    use.unlockWrite(stamp);
                    volume.closed(this);
                    return;
                }
                cookie = volume.cookie.acquire(DEFINITION, this);
            }
        }
        final long stamp = use.writeLock();
        try
        {
            if (closed && null == cookie)
            {
                return;
            }
            closed = true;
            if (null != cookie)
            {
                cookie.relinquish(retire);
                cookie = null;
            }
        }
        finally
        {
            use.unlockWrite(stamp);
        }
        volume.closed(this);
    }

    static byte[] keyOf(final String path)
    {
        final byte[] bytes = path.getBytes(StandardCharsets.UTF_8);
        if (bytes.length <= MAX_KEY_BYTES && (bytes.length == 0 || bytes[0] != 0))
        {
            return bytes;
        }
        return digested(bytes);
    }

    static byte[] auxOf(final FileVersion version)
    {
        byte[] tag = version.tag().getBytes(StandardCharsets.UTF_8);
        if (tag.length > MAX_TAG_BYTES || (tag.length > 0 && tag[0] == 0))
        {
            tag = digested(tag);
        }
        return ByteBuffer.allocate(Long.BYTES + tag.length).order(ByteOrder.LITTLE_ENDIAN)
            .putLong(version.length()).put(tag).array();
    }

    /**
     * A zero byte (which no UTF-8 text of a path or tag starts with here), then the SHA-256 of the bytes.
     */
    private static byte[] digested(final byte[] bytes)
    {
        try
        {
            final byte[] digest = MessageDigest.getInstance("SHA-256").digest(bytes);
            final byte[] key = new byte[1 + digest.length];
            System.arraycopy(digest, 0, key, 1, digest.length);
            return key;
        }
        catch (final NoSuchAlgorithmException ex)
        {
            throw new IllegalStateException("SHA-256 is missing from this JVM", ex);
        }
    }
}
