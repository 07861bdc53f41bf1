package org.cachefs.readthrough;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;

import org.cachefs.cachefs.MountOptions;

/**
 * The options of a {@link ReadThroughCache}: immutable, validated by {@link Builder#build()} with messages naming the
 * option. A {@code cachefs.conf} file gives a builder holding its settings:
 * {@code CacheFsConfig.parse(file).readThroughOptions()} ({@link org.cachefs.config.CacheFsConfig}).
 */
public final class ReadThroughOptions
{
    /** Default {@link #chunkSize()}: 1 MiB. */
    public static final int DEFAULT_CHUNK_SIZE = 1 << 20;
    /** Default {@link #maxInFlightBytes()}: 64 MiB. */
    public static final long DEFAULT_MAX_IN_FLIGHT_BYTES = 64L << 20;
    /** Default {@link #storeThreads()}. */
    public static final int DEFAULT_STORE_THREADS = 2;
    /** Default {@link #maxIdleFiles()}. */
    public static final int DEFAULT_MAX_IDLE_FILES = 128;
    /** Default {@link #vectorMergeGap()}: 64 KiB. */
    public static final int DEFAULT_VECTOR_MERGE_GAP = 64 << 10;
    /** Default {@link #namespace()}. */
    public static final String DEFAULT_NAMESPACE = "default";

    private final List<CacheImage> images;
    private final String namespace;
    private final int chunkSize;
    private final int readaheadChunks;
    private final Validation validation;
    private final Duration statTtl;
    private final int storeThreads;
    private final long maxInFlightBytes;
    private final int maxIdleFiles;
    private final int vectorMergeGap;
    private final MountOptions mountOptions;
    private final boolean jmx;

    private ReadThroughOptions(final Builder builder)
    {
        this.images = List.copyOf(builder.images);
        this.namespace = builder.namespace;
        this.chunkSize = builder.chunkSize;
        this.readaheadChunks = builder.readaheadChunks;
        this.validation = builder.validation;
        this.statTtl = builder.statTtl;
        this.storeThreads = builder.storeThreads;
        this.maxInFlightBytes = builder.maxInFlightBytes;
        this.maxIdleFiles = builder.maxIdleFiles;
        this.vectorMergeGap = builder.vectorMergeGap;
        this.mountOptions = builder.mountOptions;
        this.jmx = builder.jmx;
    }

    /**
     * @return a builder holding the defaults and no image.
     */
    public static Builder builder()
    {
        return new Builder();
    }

    /** @return the cache images; files are spread over them by a stable hash of their path. */
    public List<CacheImage> images()
    {
        return images;
    }

    /**
     * @return the name under which this cache's files are kept in the images: one per origin (for example
     * {@code s3://bucket}), so that two origins never share entries.
     */
    public String namespace()
    {
        return namespace;
    }

    /** @return bytes fetched from the origin per request for a miss, aligned to this size (a power of two). */
    public int chunkSize()
    {
        return chunkSize;
    }

    /** @return chunks fetched ahead of a read in the background; 0 (the default) for none. */
    public int readaheadChunks()
    {
        return readaheadChunks;
    }

    /** @return when the origin is asked for a file's version. */
    public Validation validation()
    {
        return validation;
    }

    /** @return how long a version seen is trusted with {@link Validation#TTL}. */
    public Duration statTtl()
    {
        return statTtl;
    }

    /** @return the threads that store fetched chunks in the cache. */
    public int storeThreads()
    {
        return storeThreads;
    }

    /** @return the memory for chunks fetched and not yet stored; a fetch beyond it waits. */
    public long maxInFlightBytes()
    {
        return maxInFlightBytes;
    }

    /** @return files kept open in the cache after their last handle closed, for the next open (the cache does not
     * cull a file while it is open or idle). */
    public int maxIdleFiles()
    {
        return maxIdleFiles;
    }

    /** @return ranges of a vectored read this close together are read as one. */
    public int vectorMergeGap()
    {
        return vectorMergeGap;
    }

    /** @return how each image is mounted (the first cache of the JVM to mount an image decides). */
    public MountOptions mountOptions()
    {
        return mountOptions;
    }

    /** @return whether the cache's statistics are registered with the platform MBean server. */
    public boolean jmx()
    {
        return jmx;
    }

    /**
     * Builds {@link ReadThroughOptions}.
     */
    public static final class Builder
    {
        private final List<CacheImage> images = new ArrayList<>();
        private String namespace = DEFAULT_NAMESPACE;
        private int chunkSize = DEFAULT_CHUNK_SIZE;
        private int readaheadChunks;
        private Validation validation = Validation.ALWAYS;
        private Duration statTtl = Duration.ofSeconds(60);
        private int storeThreads = DEFAULT_STORE_THREADS;
        private long maxInFlightBytes = DEFAULT_MAX_IN_FLIGHT_BYTES;
        private int maxIdleFiles = DEFAULT_MAX_IDLE_FILES;
        private int vectorMergeGap = DEFAULT_VECTOR_MERGE_GAP;
        private MountOptions mountOptions = MountOptions.defaults();
        private boolean jmx = true;

        private Builder()
        {
        }

        /**
         * Adds an image, formatted at {@code formatSize} bytes when missing (0: never formatted).
         *
         * @param path       the image file, block device or directory.
         * @param formatSize the size to format a missing image at, in bytes; 0 to never format.
         * @return this builder.
         */
        public Builder image(final java.nio.file.Path path, final long formatSize)
        {
            images.add(new CacheImage(path, formatSize));
            return this;
        }

        /**
         * Adds an image.
         *
         * @param image the image file, block device or directory, and its format size.
         * @return this builder.
         */
        public Builder image(final CacheImage image)
        {
            images.add(Objects.requireNonNull(image, "image"));
            return this;
        }

        /**
         * @param namespace the name this cache's files are kept under in the images, 1 to 255 characters;
         *                  {@link #DEFAULT_NAMESPACE} by default. See {@link ReadThroughOptions#namespace()}.
         * @return this builder.
         */
        public Builder namespace(final String namespace)
        {
            this.namespace = namespace;
            return this;
        }

        /**
         * @param bytes bytes fetched from the origin per miss: a power of two from 4096 to 64 MiB;
         *              {@link #DEFAULT_CHUNK_SIZE} by default.
         * @return this builder.
         */
        public Builder chunkSize(final int bytes)
        {
            this.chunkSize = bytes;
            return this;
        }

        /**
         * @param chunks chunks fetched ahead of a read in the background, 0 (the default) to 64.
         * @return this builder.
         */
        public Builder readaheadChunks(final int chunks)
        {
            this.readaheadChunks = chunks;
            return this;
        }

        /**
         * @param validation when the origin is asked for a file's version; {@link Validation#ALWAYS} by default.
         * @return this builder.
         */
        public Builder validation(final Validation validation)
        {
            this.validation = validation;
            return this;
        }

        /**
         * @param ttl how long a version seen is trusted with {@link Validation#TTL}, {@code >= 0}; 60 s by
         *            default.
         * @return this builder.
         */
        public Builder statTtl(final Duration ttl)
        {
            this.statTtl = ttl;
            return this;
        }

        /**
         * @param threads the threads storing fetched chunks, 1 to 64; {@link #DEFAULT_STORE_THREADS} by default.
         * @return this builder.
         */
        public Builder storeThreads(final int threads)
        {
            this.storeThreads = threads;
            return this;
        }

        /**
         * @param bytes the memory for chunks fetched and not yet stored, at least one chunk;
         *              {@link #DEFAULT_MAX_IN_FLIGHT_BYTES} by default.
         * @return this builder.
         */
        public Builder maxInFlightBytes(final long bytes)
        {
            this.maxInFlightBytes = bytes;
            return this;
        }

        /**
         * @param files files kept open after their last handle closed, {@code >= 0};
         *              {@link #DEFAULT_MAX_IDLE_FILES} by default.
         * @return this builder.
         */
        public Builder maxIdleFiles(final int files)
        {
            this.maxIdleFiles = files;
            return this;
        }

        /**
         * @param bytes ranges of a vectored read this close together are read as one, {@code >= 0};
         *              {@link #DEFAULT_VECTOR_MERGE_GAP} by default.
         * @return this builder.
         */
        public Builder vectorMergeGap(final int bytes)
        {
            this.vectorMergeGap = bytes;
            return this;
        }

        /**
         * @param options how each image is mounted; {@link MountOptions#defaults()} by default.
         * @return this builder.
         */
        public Builder mountOptions(final MountOptions options)
        {
            this.mountOptions = options;
            return this;
        }

        /**
         * Sets the RAM tier's size in the mount options given so far ({@link MountOptions#ramTierBytes()}): the most
         * off-heap memory per image for copies of hot pages; 0 turns it off.
         *
         * @param bytes the RAM tier's size in bytes, 0 to 2^40.
         * @return this builder.
         */
        public Builder ramTierBytes(final long bytes)
        {
            this.mountOptions = mountOptions.withRamTierBytes(bytes);
            return this;
        }

        /**
         * @param jmx whether the cache's statistics are registered with the platform MBean server; true by
         *            default.
         * @return this builder.
         */
        public Builder jmx(final boolean jmx)
        {
            this.jmx = jmx;
            return this;
        }

        /**
         * @return the options.
         * @throws IllegalArgumentException naming the option that is out of range.
         */
        public ReadThroughOptions build()
        {
            if (null == namespace || namespace.isEmpty() || namespace.length() > 255)
            {
                throw new IllegalArgumentException("namespace must be 1 to 255 characters: " + namespace);
            }
            if (chunkSize < 4096 || chunkSize > (64 << 20) || Integer.bitCount(chunkSize) != 1)
            {
                throw new IllegalArgumentException("chunkSize must be a power of two from 4096 to 64 MiB: " +
                    chunkSize);
            }
            if (readaheadChunks < 0 || readaheadChunks > 64)
            {
                throw new IllegalArgumentException("readaheadChunks must be 0 to 64: " + readaheadChunks);
            }
            Objects.requireNonNull(validation, "validation");
            if (null == statTtl || statTtl.isNegative())
            {
                throw new IllegalArgumentException("statTtl must be >= 0: " + statTtl);
            }
            if (storeThreads < 1 || storeThreads > 64)
            {
                throw new IllegalArgumentException("storeThreads must be 1 to 64: " + storeThreads);
            }
            if (maxInFlightBytes < chunkSize)
            {
                throw new IllegalArgumentException("maxInFlightBytes must be at least chunkSize (" + chunkSize +
                    "): " + maxInFlightBytes);
            }
            if (maxIdleFiles < 0)
            {
                throw new IllegalArgumentException("maxIdleFiles must be >= 0: " + maxIdleFiles);
            }
            if (vectorMergeGap < 0)
            {
                throw new IllegalArgumentException("vectorMergeGap must be >= 0: " + vectorMergeGap);
            }
            Objects.requireNonNull(mountOptions, "mountOptions");
            return new ReadThroughOptions(this);
        }
    }
}
