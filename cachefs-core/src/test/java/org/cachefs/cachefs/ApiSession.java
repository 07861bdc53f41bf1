package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.SplittableRandom;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.fscache.Await;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.ReadRecorder;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.TestFile;

/**
 * A netfs session on a CacheFS cache through the public API only, for tests: mounts the image, adds it to a new
 * {@link FsCache} under {@link #TAG}, registers {@link #NETFS} and acquires the {@link #VOLUME} index; stores and
 * loads pages with exact checks of every return value; {@link #close()} unmounts cleanly (relinquish the cookies,
 * withdraw the cache, close the FS-Cache, close the backend). Failures are {@link AssertionError}s, so that the
 * session also serves the forked JVMs of {@link CacheFsChild}.
 * <p>
 * Threading: one test thread.
 */
final class ApiSession implements AutoCloseable
{
    static final int PAGE_SIZE = 4096;
    static final String TAG = "cachefs";
    static final String NETFS = "testfs";
    static final String VOLUME = "volume";
    static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0);

    final CacheFsBackend backend;
    final FsCache fsCache;
    final Netfs netfs;
    final Cookie volume;
    final List<Throwable> errors = new CopyOnWriteArrayList<>();
    final ReadRecorder recorder = new ReadRecorder();
    private final List<Cookie> open = new ArrayList<>();
    private boolean closed;

    private ApiSession(final CacheFsBackend backend, final int netfsVersion)
    {
        this.backend = backend;
        this.fsCache = FsCache.create(FsCacheOptions.builder().threadCount(2).pageSize(PAGE_SIZE)
            .errorHandler(errors::add).build());
        fsCache.addCache(backend, TAG);
        this.netfs = fsCache.registerNetfs(NETFS, netfsVersion);
        this.volume = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile(VOLUME));
    }

    /**
     * Mounts {@code image} with commits only on sync and unmount, and starts a session on it.
     */
    static ApiSession mount(final Path image) throws IOException
    {
        return mount(image, 1);
    }

    /**
     * As {@link #mount(Path)}, registering the netfs with version {@code netfsVersion}.
     */
    static ApiSession mount(final Path image, final int netfsVersion) throws IOException
    {
        return new ApiSession(CacheFs.mount(image, OPTIONS), netfsVersion);
    }

    /**
     * Mounts an open device (the backend owns it from then on) and starts a session on it.
     */
    static ApiSession mount(final BlockDevice device) throws IOException
    {
        return mount(device, OPTIONS);
    }

    /**
     * As {@link #mount(BlockDevice)}, with {@code options}.
     */
    static ApiSession mount(final BlockDevice device, final MountOptions options) throws IOException
    {
        return new ApiSession(CacheFs.mount(device, options), 1);
    }

    /**
     * Acquires a data file cookie under the volume; it must be a real cookie.
     */
    Cookie acquire(final TestFile file)
    {
        final Cookie cookie = volume.acquire(TestFile.DATA, file);
        check(!cookie.isNoop(), "acquisition gave a no-op cookie");
        open.add(cookie);
        return cookie;
    }

    void relinquish(final Cookie cookie, final boolean retire)
    {
        check(open.remove(cookie), "cookie not open in this session");
        cookie.relinquish(retire);
    }

    /**
     * Stores a page that is not in the cache: the read must miss with the page marked, the write must be queued and
     * end; the page is uncached afterwards.
     */
    void storeNew(final Cookie cookie, final long index, final byte[] data)
    {
        final CachePage page = newPage(index);
        final Result read = cookie.readOrAllocPage(page, recorder, null);
        check(read == Result.NO_DATA, "read of page " + index + " before storing it: " + read);
        write(cookie, page, data);
    }

    /**
     * Stores a page whether or not the cache holds it (a rewrite): allocate, fill, write, wait, uncache.
     */
    void store(final Cookie cookie, final long index, final byte[] data)
    {
        final CachePage page = newPage(index);
        final Result allocated = cookie.allocPage(page);
        check(allocated == Result.OK, "allocation of page " + index + ": " + allocated);
        write(cookie, page, data);
    }

    private void write(final Cookie cookie, final CachePage page, final byte[] data)
    {
        check(page.isFsCache(), "page " + page.index() + " is not marked");
        page.buffer().clear().put(data).clear();
        final Result written = cookie.writePage(page);
        check(written == Result.OK, "write of page " + page.index() + ": " + written);
        check(cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS),
            "write of page " + page.index() + " still outstanding after " + Await.TIMEOUT_SECONDS + " s");
        cookie.uncachePage(page);
        check(!page.isFsCache(), "page " + page.index() + " still marked after uncaching");
    }

    /**
     * Reads a page: on a hit the completion must have been called once with OK before the call returned (CacheFS
     * reads on the calling thread).
     *
     * @return the page's 4096 bytes, or null if the cache reported {@link Result#NO_DATA}.
     */
    byte[] load(final Cookie cookie, final long index)
    {
        final CachePage page = newPage(index);
        final Result result = cookie.readOrAllocPage(page, recorder, null);
        try
        {
            if (result == Result.NO_DATA)
            {
                check(page.isFsCache(), "page " + index + " missed but is not marked");
                check(recorder.resultOf(page) == null, "page " + index + " missed but was completed");
                return null;
            }
            check(result == Result.OK, "read of page " + index + ": " + result);
            check(recorder.resultOf(page) == Result.OK,
                "completion of page " + index + " when the read returned: " + recorder.resultOf(page));
            final byte[] bytes = new byte[PAGE_SIZE];
            page.buffer().duplicate().clear().get(bytes);
            return bytes;
        }
        finally
        {
            cookie.uncachePage(page);
        }
    }

    /**
     * Withdraws the cache (which syncs), closes the FS-Cache and unmounts the backend, relinquishing every cookie
     * still open first. Fails if FS-Cache reported an error.
     */
    @Override
    public void close() throws IOException
    {
        if (closed)
        {
            return;
        }
        closed = true;
        try
        {
            for (int i = open.size() - 1; i >= 0; i--)
            {
                open.remove(i).relinquish(false);
            }
            volume.relinquish(false);
            fsCache.withdrawCache(TAG);
            fsCache.close();
        }
        finally
        {
            backend.close();
        }
        check(errors.isEmpty(), "FS-Cache reported errors: " + errors);
        check(recorder.duplicates().isEmpty(), "reads completed twice: " + recorder.duplicates());
    }

    static CachePage newPage(final long index)
    {
        return new CachePage(index, AlignedBuffers.allocate(PAGE_SIZE));
    }

    /**
     * The content of version {@code version} of page {@code index} of file {@code key} under {@code seed}: 4096
     * pseudo-random bytes, different for every argument.
     */
    static byte[] content(final long seed, final String key, final long index, final int version)
    {
        final SplittableRandom random = new SplittableRandom(
            seed * 0x9E3779B97F4A7C15L + key.hashCode() * 0xC2B2AE3D27D4EB4FL + index * 31 + version);
        final byte[] bytes = new byte[PAGE_SIZE];
        random.nextBytes(bytes);
        return bytes;
    }

    /**
     * @return null if equal, else where the first difference is.
     */
    static String difference(final byte[] expected, final byte[] actual)
    {
        if (actual == null)
        {
            return "missing";
        }
        if (actual.length != expected.length)
        {
            return "length " + actual.length + " instead of " + expected.length;
        }
        for (int i = 0; i < expected.length; i++)
        {
            if (expected[i] != actual[i])
            {
                return "byte " + i + " is " + actual[i] + " instead of " + expected[i];
            }
        }
        return null;
    }

    static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new AssertionError(message);
        }
    }
}
