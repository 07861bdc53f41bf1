package org.cachefs.format;

/**
 * The device holds another filesystem or on-disk format (ext4, xfs, btrfs, swap, bcache, ...), which cachefs will not
 * touch unless told to.
 */
public class ForeignFilesystemException extends CacheFsException
{
    /** The name of the filesystem found. */
    private final String filesystem;

    /**
     * The device holds another filesystem.
     *
     * @param device     the name of the device or image file, for messages.
     * @param filesystem the name of the filesystem found, e.g. "ext4".
     */
    public ForeignFilesystemException(final String device, final String filesystem)
    {
        this(device, filesystem, "");
    }

    /**
     * @param device     the name of the device or image file, for messages.
     * @param filesystem the name of the filesystem found, e.g. "ext4".
     * @param hint       appended to the message, e.g. " (use -f to overwrite it)".
     */
    public ForeignFilesystemException(final String device, final String filesystem, final String hint)
    {
        super(device, device + " contains " + article(filesystem) + " " + filesystem + " filesystem" + hint);
        this.filesystem = filesystem;
    }

    /**
     * @return the name of the filesystem found, e.g. "ext4".
     */
    public String filesystem()
    {
        return filesystem;
    }

    private static String article(final String name)
    {
        return "aefiouxAEFIOUX".indexOf(name.charAt(0)) >= 0 ? "an" : "a";
    }
}
