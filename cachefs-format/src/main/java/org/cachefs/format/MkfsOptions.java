package org.cachefs.format;

import java.util.UUID;

/**
 * Options of {@link Mkfs#format}: immutable, validated at construction.
 *
 * @param blockSize block size in bytes: a power of two from 4096 to 65536 (checked against the device's sector
 *                  size when formatting).
 * @param label     the cache's label (its tag), at most 32 bytes of UTF-8.
 * @param size      bytes to create or grow an image file to, or -1 to use the existing size (required for a block
 *                  device).
 * @param force     overwrite an existing cachefs image or recognised filesystem.
 * @param uuid      the image's UUID, or {@code null} for a random one.
 * @param createdMillis creation time to record, or -1 for now.
 * @param discard   make every byte mkfs does not write (the data region, the tail past the last block) read back as
 *                  zeros, so that the old contents of the device cannot be read from it; off ({@code -E nodiscard},
 *                  {@code -K}) leaves them.
 */
public record MkfsOptions(
    int blockSize, String label, long size, boolean force, UUID uuid, long createdMillis, boolean discard)
{
    /**
     * Checks the components.
     *
     * @param blockSize     block size in bytes: a power of two from 4096 to 65536 (checked against the device's sector
     *                      size when formatting).
     * @param label         the cache's label (its tag), at most 32 bytes of UTF-8.
     * @param size          bytes to create or grow an image file to, or -1 to use the existing size (required for a
     *                      block device).
     * @param force         overwrite an existing cachefs image or recognised filesystem.
     * @param uuid          the image's UUID, or {@code null} for a random one.
     * @param createdMillis creation time to record, or -1 for now.
     * @param discard       make every byte mkfs does not write (the data region, the tail past the last block) read
     *                      back as zeros, so that the old contents of the device cannot be read from it; off ({@code -E
     *                      nodiscard}, {@code -K}) leaves them.
     * @throws IllegalArgumentException naming the component that is out of range.
     */
    public MkfsOptions
    {
        if (blockSize < FormatVersion.MIN_BLOCK_SIZE || blockSize > FormatVersion.MAX_BLOCK_SIZE ||
            Integer.bitCount(blockSize) != 1)
        {
            throw new IllegalArgumentException("invalid block size " + blockSize + ": must be a power of two from " +
                FormatVersion.MIN_BLOCK_SIZE + " to " + FormatVersion.MAX_BLOCK_SIZE);
        }
        if (label == null)
        {
            throw new IllegalArgumentException("label must not be null (use \"\" for none)");
        }
        Superblock.checkLabel(label);
        if (size != -1 && size <= 0)
        {
            throw new IllegalArgumentException("invalid size " + size + ": must be positive");
        }
    }

    /**
     * @return defaults: 4096-byte blocks, no label, existing size, no force, random UUID, now, discard.
     */
    public static MkfsOptions defaults()
    {
        return new MkfsOptions(FormatVersion.DEFAULT_BLOCK_SIZE, "", -1, false, null, -1, true);
    }

    /**
     * @param blockSize a power of two from {@link FormatVersion#MIN_BLOCK_SIZE} to {@link
     *                  FormatVersion#MAX_BLOCK_SIZE}.
     * @return these options with {@code blockSize}.
     */
    public MkfsOptions withBlockSize(final int blockSize)
    {
        return new MkfsOptions(blockSize, label, size, force, uuid, createdMillis, discard);
    }

    /**
     * @param label at most 32 bytes of UTF-8, "" for none.
     * @return these options with {@code label}.
     */
    public MkfsOptions withLabel(final String label)
    {
        return new MkfsOptions(blockSize, label, size, force, uuid, createdMillis, discard);
    }

    /**
     * @param size bytes to create or grow an image file to, or -1 to use the existing size.
     * @return these options with {@code size}.
     */
    public MkfsOptions withSize(final long size)
    {
        return new MkfsOptions(blockSize, label, size, force, uuid, createdMillis, discard);
    }

    /**
     * @param force whether to overwrite an existing cachefs image or recognised filesystem.
     * @return these options with {@code force}.
     */
    public MkfsOptions withForce(final boolean force)
    {
        return new MkfsOptions(blockSize, label, size, force, uuid, createdMillis, discard);
    }

    /**
     * @param uuid the image's UUID, or {@code null} for a random one.
     * @return these options with {@code uuid}.
     */
    public MkfsOptions withUuid(final UUID uuid)
    {
        return new MkfsOptions(blockSize, label, size, force, uuid, createdMillis, discard);
    }

    /**
     * @param createdMillis the creation time to record, or -1 for now.
     * @return these options with {@code createdMillis}.
     */
    public MkfsOptions withCreatedMillis(final long createdMillis)
    {
        return new MkfsOptions(blockSize, label, size, force, uuid, createdMillis, discard);
    }

    /**
     * @param discard true (the default) to make the bytes mkfs does not write read back as zeros, false to leave the
     *                device's old contents there ({@code -E nodiscard}).
     * @return these options with {@code discard}.
     */
    public MkfsOptions withDiscard(final boolean discard)
    {
        return new MkfsOptions(blockSize, label, size, force, uuid, createdMillis, discard);
    }
}
