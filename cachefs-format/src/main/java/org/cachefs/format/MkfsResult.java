package org.cachefs.format;

import java.io.PrintStream;
import java.time.Instant;
import java.util.UUID;

/**
 * What {@link Mkfs#format} wrote.
 *
 * @param device        the device's name.
 * @param layout        the regions.
 * @param uuid          the image's UUID.
 * @param label         the label.
 * @param createdMillis the creation time.
 * @param discard       what was done to the bytes mkfs does not write.
 */
public record MkfsResult(
    String device, RegionLayout layout, UUID uuid, String label, long createdMillis, DiscardReport discard)
{
    /**
     * Prints the summary mkfs.cachefs shows.
     *
     * @param out where the summary goes.
     */
    public void print(final PrintStream out)
    {
        out.printf("Formatted %s as cachefs %d.%d%n", device, FormatVersion.MAJOR, FormatVersion.MINOR);
        out.printf("  size:        %d bytes (%s)%n", layout.bytes(), Sizes.format(layout.bytes()));
        out.printf("  block size:  %d%n", layout.blockSize());
        out.printf("  blocks:      %d%n", layout.blockCount());
        out.printf("  superblocks: 0, 1 (backup at %d)%n", layout.backupBlock());
        out.printf("  bitmap:      2 copies of %d blocks at %d and %d%n", layout.bitmapBlocks(),
            layout.bitmapStart(0), layout.bitmapStart(1));
        out.printf("  data:        blocks %d-%d (%d blocks, %s; index tree and pages)%n", layout.dataStart(),
            layout.dataEnd() - 1, layout.dataBlocks(), Sizes.format(layout.dataBlocks() * layout.blockSize()));
        out.printf("  discard:     %s%n", discard.describe());
        out.printf("  uuid:        %s%n", uuid);
        out.printf("  label:       %s%n", label.isEmpty() ? "(none)" : label);
        out.printf("  created:     %s%n", Instant.ofEpochMilli(createdMillis));
    }
}
