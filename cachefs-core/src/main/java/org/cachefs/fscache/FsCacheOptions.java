package org.cachefs.fscache;

import java.time.Duration;
import java.util.function.Consumer;

/**
 * The immutable options of an {@link FsCache}, validated once by {@link Builder#build()} with messages naming the
 * option and its allowed range.
 * <ul>
 * <li>{@code threadCount}: threads of the operation pool, in [1, {@value #MAX_THREADS}]; default
 * {@code min(4, max(2, availableProcessors))}.</li>
 * <li>{@code pageSize}: bytes per page, a power of two in [{@value #MIN_PAGE_SIZE}, {@value #MAX_PAGE_SIZE}];
 * default {@value #DEFAULT_PAGE_SIZE}. Every added backend must use the same size.</li>
 * <li>{@code storeBatchPages}: pages a storage operation writes before it is re-enqueued for more time, in
 * [1, {@value #MAX_STORE_BATCH_PAGES}]; default {@value #DEFAULT_STORE_BATCH_PAGES}.</li>
 * <li>{@code withdrawTimeout}: how long {@link FsCache#withdrawCache} waits for the cache's objects to die and be
 * destroyed, in (0, 1 h]; default 30 s.</li>
 * <li>{@code errorHandler}: a {@code Consumer<Throwable>} that receives exceptions thrown by backends or netfs callbacks on FS-Cache threads; default
 * prints them to {@code System.err}.</li>
 * </ul>
 */
public final class FsCacheOptions
{
    /** The most pool threads. */
    public static final int MAX_THREADS = 256;
    /** The default page size. */
    public static final int DEFAULT_PAGE_SIZE = 4096;
    /** The smallest page size. */
    public static final int MIN_PAGE_SIZE = 512;
    /** The largest page size. */
    public static final int MAX_PAGE_SIZE = 1 << 20;
    /** The default storage batch. */
    public static final int DEFAULT_STORE_BATCH_PAGES = 16;
    /** The largest storage batch. */
    public static final int MAX_STORE_BATCH_PAGES = 65536;
    /** The longest withdrawal timeout. */
    public static final Duration MAX_WITHDRAW_TIMEOUT = Duration.ofHours(1);

    private static final Consumer<Throwable> DEFAULT_ERROR_HANDLER = (throwable) ->
    {
        System.err.println("FS-Cache: unexpected exception on an FS-Cache path");
        throwable.printStackTrace(System.err);
    };

    private final int threadCount;
    private final int pageSize;
    private final int storeBatchPages;
    private final Duration withdrawTimeout;
    private final Consumer<Throwable> errorHandler;
    private final boolean jmx;

    private FsCacheOptions(final Builder builder)
    {
        jmx = builder.jmx;
        threadCount = builder.threadCount;
        pageSize = builder.pageSize;
        storeBatchPages = builder.storeBatchPages;
        withdrawTimeout = builder.withdrawTimeout;
        errorHandler = builder.errorHandler;
    }

    /**
     * The default options.
     *
     * @return options with every default.
     */
    public static FsCacheOptions defaults()
    {
        return builder().build();
    }

    /**
     * A builder starting from the defaults.
     *
     * @return a new builder.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /**
     * Threads of the operation pool.
     *
     * @return the count.
     */
    public int threadCount()
    {
        return threadCount;
    }

    /**
     * Bytes per page.
     *
     * @return the page size.
     */
    public int pageSize()
    {
        return pageSize;
    }

    /**
     * Pages a storage operation writes before it is re-enqueued.
     *
     * @return the batch size.
     */
    public int storeBatchPages()
    {
        return storeBatchPages;
    }

    /**
     * How long withdrawal waits for the cache's objects.
     *
     * @return the timeout.
     */
    public Duration withdrawTimeout()
    {
        return withdrawTimeout;
    }

    /**
     * The handler of exceptions on FS-Cache threads.
     *
     * @return the handler.
     */
    public Consumer<Throwable> errorHandler()
    {
        return errorHandler;
    }

    /**
     * Whether the FS-Cache and its caches are registered with the platform MBean server
     * ({@code org.cachefs:type=FsCache}, {@code org.cachefs:type=Cache,tag=TAG}); default true.
     *
     * @return true to register.
     */
    public boolean jmx()
    {
        return jmx;
    }

    /**
     * {@inheritDoc}
     */
    public String toString()
    {
        return "FsCacheOptions{threadCount=" + threadCount +
            ", pageSize=" + pageSize +
            ", storeBatchPages=" + storeBatchPages +
            ", withdrawTimeout=" + withdrawTimeout + '}';
    }

    /**
     * Builds {@link FsCacheOptions}; not thread-safe.
     */
    public static final class Builder
    {
        private int threadCount = Math.min(4, Math.max(2, Runtime.getRuntime().availableProcessors()));
        private int pageSize = DEFAULT_PAGE_SIZE;
        private int storeBatchPages = DEFAULT_STORE_BATCH_PAGES;
        private Duration withdrawTimeout = Duration.ofSeconds(30);
        private Consumer<Throwable> errorHandler = DEFAULT_ERROR_HANDLER;
        private boolean jmx = true;

        private Builder()
        {
        }

        /**
         * Set the pool thread count.
         *
         * @param threadCount in [1, {@value #MAX_THREADS}].
         * @return this.
         */
        public Builder threadCount(final int threadCount)
        {
            this.threadCount = threadCount;
            return this;
        }

        /**
         * Set the page size.
         *
         * @param pageSize a power of two in [{@value #MIN_PAGE_SIZE}, {@value #MAX_PAGE_SIZE}].
         * @return this.
         */
        public Builder pageSize(final int pageSize)
        {
            this.pageSize = pageSize;
            return this;
        }

        /**
         * Set the storage batch.
         *
         * @param storeBatchPages in [1, {@value #MAX_STORE_BATCH_PAGES}].
         * @return this.
         */
        public Builder storeBatchPages(final int storeBatchPages)
        {
            this.storeBatchPages = storeBatchPages;
            return this;
        }

        /**
         * Set the withdrawal timeout.
         *
         * @param withdrawTimeout in (0, 1 h].
         * @return this.
         */
        public Builder withdrawTimeout(final Duration withdrawTimeout)
        {
            this.withdrawTimeout = withdrawTimeout;
            return this;
        }

        /**
         * Set the error handler.
         *
         * @param errorHandler not null.
         * @return this.
         */
        public Builder errorHandler(final Consumer<Throwable> errorHandler)
        {
            this.errorHandler = errorHandler;
            return this;
        }

        /**
         * Register JMX views of the FS-Cache and its caches (default true).
         *
         * @param jmx true to register.
         * @return this.
         */
        public Builder jmx(final boolean jmx)
        {
            this.jmx = jmx;
            return this;
        }

        /**
         * Validate and build.
         *
         * @return the options.
         * @throws IllegalArgumentException naming the first invalid option and its allowed range.
         */
        public FsCacheOptions build()
        {
            if (threadCount < 1 || threadCount > MAX_THREADS)
            {
                throw new IllegalArgumentException("threadCount must be in [1, " + MAX_THREADS + "]: " + threadCount);
            }

            if (pageSize < MIN_PAGE_SIZE || pageSize > MAX_PAGE_SIZE || Integer.bitCount(pageSize) != 1)
            {
                throw new IllegalArgumentException("pageSize must be a power of two in [" + MIN_PAGE_SIZE + ", " +
                    MAX_PAGE_SIZE + "]: " + pageSize);
            }

            if (storeBatchPages < 1 || storeBatchPages > MAX_STORE_BATCH_PAGES)
            {
                throw new IllegalArgumentException("storeBatchPages must be in [1, " + MAX_STORE_BATCH_PAGES + "]: " +
                    storeBatchPages);
            }

            if (null == withdrawTimeout)
            {
                throw new IllegalArgumentException("withdrawTimeout must not be null");
            }

            if (withdrawTimeout.isNegative() || withdrawTimeout.isZero() ||
                withdrawTimeout.compareTo(MAX_WITHDRAW_TIMEOUT) > 0)
            {
                throw new IllegalArgumentException("withdrawTimeout must be in (0, " + MAX_WITHDRAW_TIMEOUT + "]: " +
                    withdrawTimeout);
            }

            if (null == errorHandler)
            {
                throw new IllegalArgumentException("errorHandler must not be null");
            }

            return new FsCacheOptions(this);
        }
    }
}
