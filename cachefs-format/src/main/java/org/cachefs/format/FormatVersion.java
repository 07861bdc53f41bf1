package org.cachefs.format;

import java.nio.ByteOrder;

/**
 * The on-disk format version and feature flags, and the constants every structure shares.
 *
 * <h2>Version log</h2>
 * A change that older readers can safely ignore bumps the minor version; anything else bumps the major version, and
 * readers refuse a major version they do not know.
 * <ul>
 *     <li>1.0 — superblock slots 0/1 alternating by commit generation, backup superblock in the last block, two
 *     allocation bitmap copies, copy-on-write index B+tree, per-object page-map radix tree, CRC32C on every
 *     metadata block and every data page.</li>
 * </ul>
 *
 * <h2>Feature flags</h2>
 * As in ext4: unknown <em>compat</em> flags are ignored; unknown <em>ro-compat</em> flags allow reading but not
 * writing; unknown <em>incompat</em> flags refuse the image. Version 1.0 defines no flags.
 */
public final class FormatVersion
{
    /**
     * Major version: readers refuse a major version other than this one.
     */
    public static final int MAJOR = 1;

    /**
     * Minor version written by this software.
     */
    public static final int MINOR = 0;

    /** The compatible feature flags this software knows: none yet. */
    public static final long COMPAT_SUPPORTED = 0;
    /** The read-only-compatible feature flags this software knows: none yet. */
    public static final long RO_COMPAT_SUPPORTED = 0;
    /** The incompatible feature flags this software knows: none yet. */
    public static final long INCOMPAT_SUPPORTED = 0;

    /**
     * Byte order of every multi-byte field on disk.
     */
    public static final ByteOrder ORDER = ByteOrder.LITTLE_ENDIAN;

    /** Smallest block size. */
    public static final int MIN_BLOCK_SIZE = 4096;
    /** Largest block size. */
    public static final int MAX_BLOCK_SIZE = 65536;
    /** Block size mkfs uses unless told otherwise. */
    public static final int DEFAULT_BLOCK_SIZE = 4096;

    /**
     * Largest key plus aux data of one object, in bytes, as FS-Cache promises to netfs.
     */
    public static final int MAX_KEY_AND_AUX = 400;

    private FormatVersion()
    {
    }

    /**
     * Validates a block size for a device with the given logical sector size.
     *
     * @param blockSize         the proposed block size in bytes.
     * @param logicalSectorSize the device's logical sector size in bytes.
     * @throws IllegalArgumentException naming the rule that is broken.
     */
    public static void checkBlockSize(final int blockSize, final int logicalSectorSize)
    {
        if (blockSize < MIN_BLOCK_SIZE || blockSize > MAX_BLOCK_SIZE || Integer.bitCount(blockSize) != 1)
        {
            throw new IllegalArgumentException("invalid block size " + blockSize + ": must be a power of two from " +
                MIN_BLOCK_SIZE + " to " + MAX_BLOCK_SIZE);
        }
        if (logicalSectorSize <= 0 || blockSize % logicalSectorSize != 0)
        {
            throw new IllegalArgumentException("invalid block size " + blockSize +
                ": not a multiple of the device's logical sector size " + logicalSectorSize);
        }
    }
}
