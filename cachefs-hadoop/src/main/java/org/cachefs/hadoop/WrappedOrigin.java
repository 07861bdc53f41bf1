package org.cachefs.hadoop;

import java.io.Closeable;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InterruptedIOException;
import java.nio.ByteBuffer;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.atomic.LongAdder;

import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.FutureDataInputStreamBuilder;
import org.apache.hadoop.fs.Path;
import org.cachefs.readthrough.FileVersion;
import org.cachefs.readthrough.Origin;

/**
 * The wrapped file system as the {@link Origin} of a {@link CachingFileSystem}'s read-through cache: a file's version
 * comes from its status, chunks are positioned reads of the wrapped file. Each file open in a stream keeps a small
 * pool of open wrapped streams at the version the stream reads, so that a miss costs a ranged read and not an open;
 * the pool is closed when the last stream of the file closes (a read after that, a read-ahead say, opens a stream for
 * that read alone).
 * <p>
 * Threading: thread-safe. The pools are found in a concurrent map; each pool is guarded by its own monitor, which no
 * wrapped file system call is made under. A wrapped stream is used by one thread at a time.
 */
final class WrappedOrigin implements Origin, Closeable
{
    /** Hadoop's read policy option ({@code Options.OpenFileOptions}, 3.3.5 and later; ignored before). */
    static final String READ_POLICY = "fs.option.openfile.read.policy";
    /** Hadoop's file length option ({@code Options.OpenFileOptions}, 3.3.5 and later; ignored before). */
    static final String LENGTH = "fs.option.openfile.length";

    private final FileSystem fs;
    private final CacheSettings.ValidationMode validation;
    private final int streamsPerFile;
    private final ConcurrentHashMap<String, Pool> pools = new ConcurrentHashMap<>();
    final LongAdder streamsOpened = new LongAdder();
    final LongAdder statusRequests = new LongAdder();

    WrappedOrigin(final FileSystem fs, final CacheSettings settings)
    {
        this.fs = fs;
        this.validation = settings.validation();
        this.streamsPerFile = settings.originStreams();
    }

    /**
     * @return the version of a file as its status gives it under the validation mode.
     */
    FileVersion versionOf(final FileStatus status)
    {
        return new FileVersion(status.getLen(),
            validation == CacheSettings.ValidationMode.NONE ? "" : Long.toString(status.getModificationTime()));
    }

    /**
     * @return the status of a file, from the wrapped file system.
     * @throws FileNotFoundException if it is missing or a directory.
     */
    FileStatus fileStatus(final Path path) throws IOException
    {
        statusRequests.increment();
        final FileStatus status = fs.getFileStatus(path);
        if (status.isDirectory())
        {
            throw new FileNotFoundException("cannot open " + path + " for reading: it is a directory");
        }
        return status;
    }

    @Override
    public FileVersion stat(final String path) throws IOException
    {
        return versionOf(fileStatus(new Path(path)));
    }

    /**
     * A stream opened on a file: keeps its pool until {@link #closed(String)}.
     *
     * @param status the status the stream was opened with, or null (passed on when wrapped streams are opened).
     */
    void opened(final String key, final Path path, final FileStatus status, final FileVersion version)
    {
        pools.compute(key, (k, pool) ->
        {
            final Pool result = null == pool ? new Pool(path) : pool;
            result.streams++;
            result.seen(version, status);
            return result;
        });
    }

    /**
     * A stream of a file closed: the last one closes the file's pool.
     */
    void closed(final String key)
    {
        final Pool[] removed = new Pool[1];
        pools.computeIfPresent(key, (k, pool) ->
        {
            if (--pool.streams > 0)
            {
                return pool;
            }
            removed[0] = pool;
            return null;
        });
        if (null != removed[0])
        {
            removed[0].retire();
        }
    }

    /**
     * Closes the idle wrapped streams of a file (its streams were unbuffered, or it was written).
     */
    void closeIdle(final String key)
    {
        final Pool pool = pools.get(key);
        if (null != pool)
        {
            pool.closeIdle();
        }
    }

    @Override
    public void read(final String key, final FileVersion version, final long offset, final ByteBuffer dst)
        throws IOException
    {
        final Pool pool = pools.get(key);
        final Pooled pooled = null == pool ? null : pool.take(version);
        final Pooled stream = null != pooled ? pooled : open(null == pool ? new Path(key) : pool.path, version,
            null == pool ? null : pool.status(version));
        boolean keep = false;
        try
        {
            stream.read(offset, dst);
            keep = true;
        }
        finally
        {
            if (!keep || null == pool || !pool.giveBack(stream))
            {
                stream.close();
            }
        }
    }

    private Pooled open(final Path path, final FileVersion version, final FileStatus status) throws IOException
    {
        final FutureDataInputStreamBuilder builder = fs.openFile(path)
            .opt(READ_POLICY, "random")
            .opt(LENGTH, Long.toString(version.length()));
        if (null != status && path.equals(status.getPath()))
        {
            builder.withFileStatus(status);
        }
        final FSDataInputStream in;
        try
        {
            in = builder.build().get();
        }
        catch (final InterruptedException ex)
        {
            Thread.currentThread().interrupt();
            throw new InterruptedIOException("interrupted opening " + path);
        }
        catch (final ExecutionException ex)
        {
            final Throwable cause = ex.getCause();
            if (cause instanceof IOException)
            {
                throw (IOException)cause;
            }
            throw new IOException("opening " + path + ": " + cause, cause);
        }
        streamsOpened.increment();
        return new Pooled(in, version);
    }

    @Override
    public void close()
    {
        final List<Pool> all = new ArrayList<>(pools.values());
        pools.clear();
        for (final Pool pool : all)
        {
            pool.retire();
        }
    }

    /**
     * The wrapped streams of one file, idle ones first to be reused, and the status of the version its streams read.
     */
    private final class Pool
    {
        final Path path;
        /** CachingInputStreams open on the file; changed only inside the map's compute. */
        int streams;
        private final ArrayDeque<Pooled> idle = new ArrayDeque<>();
        private FileVersion version;
        private FileStatus status;
        private boolean retired;

        Pool(final Path path)
        {
            this.path = path;
        }

        synchronized void seen(final FileVersion seenVersion, final FileStatus seenStatus)
        {
            if (!seenVersion.equals(version) || null == status)
            {
                version = seenVersion;
                status = seenStatus;
            }
        }

        synchronized FileStatus status(final FileVersion wanted)
        {
            return wanted.equals(version) ? status : null;
        }

        /**
         * @return an idle stream at the version, or null; idle streams at other versions are closed.
         */
        Pooled take(final FileVersion wanted)
        {
            List<Pooled> stale = null;
            Pooled found = null;
            synchronized (this)
            {
                while (!idle.isEmpty() && null == found)
                {
                    final Pooled candidate = idle.pollFirst();
                    if (candidate.version.equals(wanted))
                    {
                        found = candidate;
                    }
                    else
                    {
                        stale = null == stale ? new ArrayList<>() : stale;
                        stale.add(candidate);
                    }
                }
            }
            if (null != stale)
            {
                stale.forEach(Pooled::close);
            }
            return found;
        }

        /**
         * @return false if the stream is not kept (the pool is full or closed): the caller closes it.
         */
        synchronized boolean giveBack(final Pooled stream)
        {
            if (retired || idle.size() >= streamsPerFile)
            {
                return false;
            }
            idle.addFirst(stream);
            return true;
        }

        /**
         * The pool left the map (the last stream of the file closed, or the file system did): closes the idle
         * streams, and those given back later.
         */
        void retire()
        {
            synchronized (this)
            {
                retired = true;
            }
            closeIdle();
        }

        void closeIdle()
        {
            final List<Pooled> all;
            synchronized (this)
            {
                all = new ArrayList<>(idle);
                idle.clear();
            }
            all.forEach(Pooled::close);
        }
    }

    /**
     * One open wrapped stream and the version it reads, with a scratch array for reads into direct buffers when the
     * stream has no positioned byte-buffer read.
     */
    private static final class Pooled
    {
        final FSDataInputStream in;
        final FileVersion version;
        private final boolean byteBufferReads;
        private byte[] scratch;

        Pooled(final FSDataInputStream in, final FileVersion version)
        {
            this.in = in;
            this.version = version;
            this.byteBufferReads = in.hasCapability("in:preadbytebuffer");
        }

        void read(final long offset, final ByteBuffer dst) throws IOException
        {
            final int length = dst.remaining();
            if (dst.hasArray())
            {
                in.readFully(offset, dst.array(), dst.arrayOffset() + dst.position(), length);
                dst.position(dst.limit());
            }
            else if (byteBufferReads)
            {
                in.readFully(offset, dst);
            }
            else
            {
                if (null == scratch || scratch.length < length)
                {
                    scratch = new byte[length];
                }
                in.readFully(offset, scratch, 0, length);
                dst.put(scratch, 0, length);
            }
        }

        void close()
        {
            try
            {
                in.close();
            }
            catch (final IOException ex)
            {
                // A stream of the wrapped file system that fails to close has nothing left that we need.
            }
        }
    }
}
