package org.cachefs.fscache;

import org.cachefs.fscache.memory.MemoryCacheBackend;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;

import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Common set-up of the core tests: an {@link FsCache} with two pool threads whose error handler collects errors,
 * closed after each test, which fails if an unexpected error was reported. Public for the engine's tests.
 */
public abstract class FsCacheTestSupport
{
    protected static final int PAGE_SIZE = 4096;

    protected final List<Throwable> errors = new CopyOnWriteArrayList<>();
    protected final ReadRecorder recorder = new ReadRecorder();
    protected FsCache fsCache;
    protected boolean expectErrors;

    @BeforeEach
    void createFsCache()
    {
        fsCache = FsCache.create(FsCacheOptions.builder().threadCount(2).errorHandler(errors::add).build());
    }

    @AfterEach
    void closeFsCache()
    {
        try
        {
            fsCache.close();
        }
        finally
        {
            assertThat(recorder.duplicates()).isEmpty();
            if (!expectErrors)
            {
                assertThat(errors).isEmpty();
            }
        }
    }

    protected static MemoryCacheBackend memory(final long capacityPages, final String identifier)
    {
        return MemoryCacheBackend.builder().capacityPages(capacityPages).identifier(identifier).build();
    }

    protected static CachePage page(final long index)
    {
        return Pages.page(index, PAGE_SIZE);
    }

    protected long stat(final StatCounter counter)
    {
        return fsCache.stats().get(counter);
    }

    protected void awaitIdle()
    {
        assertThat(fsCache.awaitIdle(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("pool idle").isTrue();
    }
}
