package org.cachefs.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Locale;

import org.cachefs.format.BitmapBlock;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.RegionLayout;
import org.cachefs.format.Sizes;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.device.DirectBlockDevice;

/**
 * What {@code cachefs stat} reports about an image: its current superblock and commit record, the region layout,
 * what was wrong with the other slot, and the blocks in use according to the commit record and to the current
 * bitmap copy. Read with {@link #read(Path)} from a read-only open, which takes no ownership of the device, so it is
 * safe beside a mounted cache (whose later commits it may then not reflect). Printed with {@link #printText} in the
 * style of dumpe2fs, or as one JSON object with {@link #toJson()}.
 */
public final class ImageStat
{
    private final String device;
    private final long deviceSize;
    private final int sectorSize;
    private final boolean blockDevice;
    private final ImageHeader header;
    private final long bitmapUsedBlocks;
    private final List<String> problems;

    private ImageStat(
        final String device,
        final long deviceSize,
        final int sectorSize,
        final boolean blockDevice,
        final ImageHeader header,
        final long bitmapUsedBlocks,
        final List<String> problems)
    {
        this.device = device;
        this.deviceSize = deviceSize;
        this.sectorSize = sectorSize;
        this.blockDevice = blockDevice;
        this.header = header;
        this.bitmapUsedBlocks = bitmapUsedBlocks;
        this.problems = Collections.unmodifiableList(problems);
    }

    /**
     * Reads the image at {@code path} without writing to it.
     *
     * @param path the block device or image file.
     * @return what its superblock, region layout and commit record say.
     * @throws org.cachefs.format.NotFormattedException      if it holds no cachefs image.
     * @throws org.cachefs.format.ForeignFilesystemException if it holds another filesystem.
     * @throws org.cachefs.format.CacheFsException           if no superblock slot is valid, or the format is not
     *                                                       supported.
     * @throws IOException                                   on an I/O error.
     */
    public static ImageStat read(final Path path) throws IOException
    {
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(path))
        {
            return read(device);
        }
    }

    /**
     * Reads an open device.
     *
     * @param device the device, open for reading.
     * @return what its superblock, region layout and commit record say.
     * @throws org.cachefs.format.CacheFsException if it holds no valid cachefs image (see {@link #read(Path)}).
     * @throws IOException                         on an I/O error.
     */
    public static ImageStat read(final BlockDevice device) throws IOException
    {
        final ImageHeader header = ImageHeader.read(device);
        final List<String> problems = new ArrayList<>(header.problems());
        final long bitmapUsed = countBitmap(device, header, problems);
        return new ImageStat(device.name(), device.size(), device.logicalSectorSize(), device.isBlockDevice(), header,
            bitmapUsed, problems);
    }

    /**
     * Counts the blocks marked used in the bitmap copy of the current commit, checking each bitmap block.
     *
     * @return the count, or -1 if a bitmap block is invalid (the problem is added to {@code problems}).
     */
    private static long countBitmap(final BlockDevice device, final ImageHeader header, final List<String> problems)
        throws IOException
    {
        final RegionLayout layout = header.layout();
        final CommitRecord commit = header.commit();
        final int blockSize = layout.blockSize();
        final int copy = commit.bitmapCopy();
        final ByteBuffer buffer = AlignedBuffers.allocate(blockSize,
            Math.max(device.logicalSectorSize(), AlignedBuffers.DEFAULT_ALIGNMENT));
        final BitmapBlock bitmap = new BitmapBlock();
        long used = 0;
        for (long index = 0; index < layout.bitmapBlocks(); index++)
        {
            final long block = layout.bitmapStart(copy) + index;
            buffer.clear();
            device.read(block * blockSize, buffer);
            bitmap.wrap(buffer, blockSize);
            try
            {
                bitmap.verify(device.name(), block, copy, index, commit.generation(), layout);
            }
            catch (final CorruptCacheException ex)
            {
                problems.add("bitmap copy " + copy + ": " + ex.getMessage());
                return -1;
            }
            used += bitmap.cardinality();
        }
        return used;
    }

    /**
     * @return the device's name, e.g. "cache.img".
     */
    public String device()
    {
        return device;
    }

    /**
     * @return the size of the device or image file in bytes.
     */
    public long deviceSize()
    {
        return deviceSize;
    }

    /**
     * @return the device's logical sector size in bytes, the unit of its O_DIRECT I/O.
     */
    public int sectorSize()
    {
        return sectorSize;
    }

    /**
     * @return whether the device is a block device rather than an image file.
     */
    public boolean blockDevice()
    {
        return blockDevice;
    }

    /**
     * @return the current superblock slot, commit record and layout.
     */
    public ImageHeader header()
    {
        return header;
    }

    /**
     * @return the blocks in use (metadata included) according to the commit record.
     */
    public long usedBlocks()
    {
        return header.commit().usedBlocks();
    }

    /**
     * @return the blocks not in use according to the commit record.
     */
    public long freeBlocks()
    {
        return header.layout().blockCount() - usedBlocks();
    }

    /**
     * @return the blocks marked used in the current bitmap copy, or -1 if it could not be read validly.
     */
    public long bitmapUsedBlocks()
    {
        return bitmapUsedBlocks;
    }

    /**
     * @return what was found wrong with the other superblock slot and the bitmap, one line each.
     */
    public List<String> problems()
    {
        return problems;
    }

    /**
     * Prints the report, one "Field:  value" line each, in groups.
     *
     * @param out where the report goes.
     */
    public void printText(final PrintStream out)
    {
        final Superblock superblock = header.superblock();
        final CommitRecord commit = header.commit();
        final RegionLayout layout = header.layout();
        final int blockSize = layout.blockSize();

        line(out, "Device", device + (blockDevice ? " (block device)" : " (image file)"));
        line(out, "Format version", superblock.majorVersion() + "." + superblock.minorVersion());
        line(out, "UUID", superblock.uuid().toString());
        line(out, "Label", superblock.label().isEmpty() ? "(none)" : printable(superblock.label()));
        line(out, "Created", Instant.ofEpochMilli(superblock.createdMillis()).toString());
        line(out, "Block size", Integer.toString(blockSize));
        line(out, "Block count", Long.toString(layout.blockCount()));
        line(out, "Device size", deviceSize + " bytes (" + Sizes.format(deviceSize) + ")");
        line(out, "Sector size", Integer.toString(sectorSize));
        out.println();
        line(out, "Superblock slots", "blocks " + RegionLayout.SLOT0_BLOCK + " and " + RegionLayout.SLOT1_BLOCK +
            ", backup at block " + layout.backupBlock());
        line(out, "Bitmap", "2 copies of " + plural(layout.bitmapBlocks(), "block") + ", at blocks " +
            range(layout.bitmapStart(0), layout.bitmapBlocks()) + " and " +
            range(layout.bitmapStart(1), layout.bitmapBlocks()));
        line(out, "Data region", "blocks " + layout.dataStart() + "-" + (layout.dataEnd() - 1) + " (" +
            plural(layout.dataBlocks(), "block") + ", " + Sizes.format(layout.dataBlocks() * blockSize) + ")");
        out.println();
        line(out, "Compat features", hex(superblock.compatFeatures()));
        line(out, "Ro-compat features", hex(superblock.roCompatFeatures()));
        line(out, "Incompat features", hex(superblock.incompatFeatures()));
        out.println();
        line(out, "Commit generation", Long.toString(commit.generation()));
        line(out, "Commit slot", slotName(header.slot()));
        line(out, "Committed", Instant.ofEpochMilli(commit.committedMillis()).toString());
        line(out, "Clean", commit.clean() ? "yes" : "no");
        line(out, "Index root", BlockPointer.toString(commit.indexRoot()));
        line(out, "Index height", Integer.toString(commit.indexHeight()));
        line(out, "Objects", Long.toString(commit.objectCount()));
        line(out, "Next object id", Long.toString(commit.nextObjectId()));
        line(out, "Pages", Long.toString(commit.pageCount()));
        line(out, "Used blocks", Long.toString(usedBlocks()));
        line(out, "Free blocks", Long.toString(freeBlocks()));
        line(out, "Mount count", Long.toString(commit.mountCount()));
        out.println();
        line(out, "Blocks used", usedBlocks() + " of " + layout.blockCount() + " (" +
            percent(usedBlocks(), layout.blockCount()) + ", " + Sizes.format(usedBlocks() * blockSize) + ")");
        line(out, "Blocks free", freeBlocks() + " of " + layout.blockCount() + " (" +
            percent(freeBlocks(), layout.blockCount()) + ", " + Sizes.format(freeBlocks() * blockSize) + ")");
        line(out, "Bitmap used blocks", bitmapUsedBlocks < 0 ? "unknown (see problems)" :
            bitmapUsedBlocks + " in copy " + commit.bitmapCopy() +
                (bitmapUsedBlocks == usedBlocks() ? "" : " (the commit record says " + usedBlocks() + ")"));
        out.println();
        if (problems.isEmpty())
        {
            line(out, "Problems", "none");
        }
        else
        {
            out.println("Problems:");
            for (final String problem : problems)
            {
                out.println("  " + printable(problem));
            }
        }
        out.flush();
    }

    /**
     * @return the report as one JSON object, with a final newline.
     */
    public String toJson()
    {
        final Superblock superblock = header.superblock();
        final CommitRecord commit = header.commit();
        final RegionLayout layout = header.layout();
        final JsonWriter json = new JsonWriter().beginObject()
            .field("device", device)
            .field("block_device", blockDevice)
            .field("format_version", superblock.majorVersion() + "." + superblock.minorVersion())
            .field("uuid", superblock.uuid().toString())
            .field("label", superblock.label())
            .field("created", Instant.ofEpochMilli(superblock.createdMillis()).toString())
            .field("created_ms", superblock.createdMillis())
            .field("block_size", layout.blockSize())
            .field("block_count", layout.blockCount())
            .field("device_size", deviceSize)
            .field("sector_size", sectorSize);

        json.name("layout").beginObject()
            .name("superblock_slots").beginArray().value(RegionLayout.SLOT0_BLOCK).value(RegionLayout.SLOT1_BLOCK)
            .endArray()
            .field("backup_block", layout.backupBlock())
            .field("bitmap_blocks", layout.bitmapBlocks())
            .name("bitmap_starts").beginArray().value(layout.bitmapStart(0)).value(layout.bitmapStart(1)).endArray()
            .field("data_start", layout.dataStart())
            .field("data_end", layout.dataEnd())
            .field("data_blocks", layout.dataBlocks())
            .endObject();

        json.name("features").beginObject()
            .field("compat", hex(superblock.compatFeatures()))
            .field("ro_compat", hex(superblock.roCompatFeatures()))
            .field("incompat", hex(superblock.incompatFeatures()))
            .endObject();

        json.name("commit").beginObject()
            .field("generation", commit.generation())
            .field("slot", header.slot())
            .field("committed", Instant.ofEpochMilli(commit.committedMillis()).toString())
            .field("committed_ms", commit.committedMillis())
            .field("clean", commit.clean());
        json.name("index_root");
        if (commit.indexRoot() == BlockPointer.NULL)
        {
            json.nullValue();
        }
        else
        {
            json.beginObject()
                .field("kind", BlockPointer.kindName(BlockPointer.kind(commit.indexRoot())))
                .field("block", BlockPointer.block(commit.indexRoot()))
                .endObject();
        }
        json.field("index_height", commit.indexHeight())
            .field("objects", commit.objectCount())
            .field("next_object_id", commit.nextObjectId())
            .field("pages", commit.pageCount())
            .field("used_blocks", usedBlocks())
            .field("free_blocks", freeBlocks())
            .field("mount_count", commit.mountCount())
            .endObject();

        json.name("usage").beginObject()
            .field("used_blocks", usedBlocks())
            .field("free_blocks", freeBlocks())
            .field("used_bytes", usedBlocks() * layout.blockSize())
            .field("free_bytes", freeBlocks() * layout.blockSize())
            .field("bitmap_copy", commit.bitmapCopy());
        json.name("bitmap_used_blocks");
        if (bitmapUsedBlocks < 0)
        {
            json.nullValue();
        }
        else
        {
            json.value(bitmapUsedBlocks);
        }
        json.endObject();

        json.name("problems").beginArray();
        for (final String problem : problems)
        {
            json.value(problem);
        }
        json.endArray();
        return json.endObject().toJson();
    }

    private static void line(final PrintStream out, final String field, final String value)
    {
        out.printf("%-21s %s%n", field + ":", value);
    }

    private static String slotName(final int slot)
    {
        return slot == Superblock.SLOT_BACKUP ? "backup" : Integer.toString(slot);
    }

    private static String hex(final long value)
    {
        return "0x" + Long.toHexString(value);
    }

    private static String plural(final long count, final String noun)
    {
        return count + " " + noun + (count == 1 ? "" : "s");
    }

    private static String range(final long start, final long count)
    {
        return count == 1 ? Long.toString(start) : start + "-" + (start + count - 1);
    }

    private static String percent(final long part, final long whole)
    {
        return String.format(Locale.ROOT, "%.1f%%", 100.0 * part / whole);
    }

    /**
     * @return {@code text} with control characters shown as {@code \xNN}, so that one field stays on one line.
     */
    static String printable(final String text)
    {
        final StringBuilder result = new StringBuilder(text.length());
        for (int i = 0; i < text.length(); i++)
        {
            final char c = text.charAt(i);
            if (c < 0x20 || c == 0x7f)
            {
                result.append(String.format(Locale.ROOT, "\\x%02x", (int)c));
            }
            else
            {
                result.append(c);
            }
        }
        return result.toString();
    }
}
