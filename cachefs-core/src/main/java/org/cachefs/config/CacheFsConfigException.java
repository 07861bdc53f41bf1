package org.cachefs.config;

/**
 * A setting of a {@link CacheFsConfig} that cannot be used: an unknown or repeated key, a missing value, a value out
 * of range, culling limits out of order. The message is one line that starts with where the setting was given:
 * {@code cachefs.conf:12: chunk.size must be a power of two from 4096 to 67108864: 3000} for a file,
 * {@code fs.cachefs.chunk.size must be ...} for a Hadoop key.
 * <p>
 * Threading: immutable.
 */
public final class CacheFsConfigException extends IllegalArgumentException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the one line reported, starting with where the setting was given.
     */
    public CacheFsConfigException(final String message)
    {
        super(message);
    }
}
