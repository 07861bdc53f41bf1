package org.cachefs.format;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;

/**
 * Recognises other filesystems and on-disk formats by their signatures at their documented offsets, so that cachefs
 * never mistakes them for a damaged cache nor overwrites them unasked.
 */
public final class ForeignSignatures
{
    /**
     * Bytes from the start of a device that {@link #detect(ByteBuffer)} looks at (btrfs keeps its superblock at 64 KiB).
     */
    public static final int PROBE_LENGTH = 68 * 1024;

    private static final int EXT_SUPERBLOCK = 1024;
    private static final int EXT_MAGIC_OFFSET = EXT_SUPERBLOCK + 0x38;
    private static final int EXT_COMPAT_OFFSET = EXT_SUPERBLOCK + 0x5C;
    private static final int EXT_INCOMPAT_OFFSET = EXT_SUPERBLOCK + 0x60;
    private static final int EXT_RO_COMPAT_OFFSET = EXT_SUPERBLOCK + 0x64;
    private static final int EXT_MAGIC = 0xEF53;
    private static final int EXT3_COMPAT_HAS_JOURNAL = 0x4;
    private static final int EXT4_INCOMPAT_ONLY = 0x40 | 0x80 | 0x200 | 0x400 | 0x8000 | 0x10000 | 0x20000;
    private static final int EXT4_RO_COMPAT_ONLY = 0x8 | 0x10 | 0x20 | 0x40 | 0x400;
    private static final int EXT3_INCOMPAT_JOURNAL_DEV = 0x8;
    private static final int BTRFS_MAGIC_OFFSET = 0x10040;
    private static final int BCACHE_MAGIC_OFFSET = 4096 + 24;
    private static final byte[] BCACHE_MAGIC = {
        (byte)0xc6, (byte)0x85, 0x73, (byte)0xf6, 0x4e, 0x1a, 0x45, (byte)0xca,
        (byte)0x82, 0x65, (byte)0xf5, 0x7f, 0x48, (byte)0xba, 0x6d, (byte)0x81 };
    private static final int[] SWAP_PAGE_SIZES = { 4096, 8192, 16384, 65536 };

    private ForeignSignatures()
    {
    }

    /**
     * @param start the first bytes of the device, from position 0 to the buffer's limit (up to
     *              {@link #PROBE_LENGTH}); signatures beyond the limit are not looked for.
     * @return the name of the filesystem or format found ("ext4", "xfs", ...), or {@code null} if none.
     */
    public static String detect(final ByteBuffer start)
    {
        final ByteBuffer bytes = start.duplicate().order(ByteOrder.LITTLE_ENDIAN);
        final int limit = bytes.limit();
        if (limit >= EXT_RO_COMPAT_OFFSET + 4 && (bytes.getShort(EXT_MAGIC_OFFSET) & 0xFFFF) == EXT_MAGIC)
        {
            return extVariant(bytes.getInt(EXT_COMPAT_OFFSET), bytes.getInt(EXT_INCOMPAT_OFFSET),
                bytes.getInt(EXT_RO_COMPAT_OFFSET));
        }
        if (matches(bytes, 0, "XFSB"))
        {
            return "xfs";
        }
        if (matches(bytes, BTRFS_MAGIC_OFFSET, "_BHRfS_M"))
        {
            return "btrfs";
        }
        if (matches(bytes, BCACHE_MAGIC_OFFSET, BCACHE_MAGIC))
        {
            return "bcache";
        }
        for (final int pageSize : SWAP_PAGE_SIZES)
        {
            if (matches(bytes, pageSize - 10, "SWAPSPACE2") || matches(bytes, pageSize - 10, "SWAP-SPACE"))
            {
                return "swap";
            }
        }
        if (matches(bytes, 0, "LUKS\u00ba\u00be"))
        {
            return "LUKS";
        }
        if (matches(bytes, 0x1000 + 0x18, "F2FS") || (limit > 0x404 && bytes.getInt(0x400) == 0xF2F52010))
        {
            return "f2fs";
        }
        return null;
    }

    private static String extVariant(final int compat, final int incompat, final int roCompat)
    {
        if ((incompat & EXT4_INCOMPAT_ONLY) != 0 || (roCompat & EXT4_RO_COMPAT_ONLY) != 0)
        {
            return "ext4";
        }
        if ((compat & EXT3_COMPAT_HAS_JOURNAL) != 0 || (incompat & EXT3_INCOMPAT_JOURNAL_DEV) != 0)
        {
            return "ext3";
        }
        return "ext2";
    }

    private static boolean matches(final ByteBuffer bytes, final int offset, final String signature)
    {
        return matches(bytes, 0, offset, signature.getBytes(StandardCharsets.ISO_8859_1));
    }

    private static boolean matches(final ByteBuffer bytes, final int offset, final byte[] signature)
    {
        return matches(bytes, 0, offset, signature);
    }

    private static boolean matches(final ByteBuffer bytes, final int base, final int offset, final byte[] signature)
    {
        final int at = base + offset;
        if (at + signature.length > bytes.limit())
        {
            return false;
        }
        for (int i = 0; i < signature.length; i++)
        {
            if (bytes.get(at + i) != signature[i])
            {
                return false;
            }
        }
        return true;
    }

    /**
     * @param start the first bytes of the device.
     * @return true if every byte from 0 to the buffer's limit is zero.
     */
    public static boolean isZero(final ByteBuffer start)
    {
        for (int i = 0; i < start.limit(); i++)
        {
            if (start.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }
}
