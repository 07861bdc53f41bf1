package org.cachefs.format;

/**
 * The image was written in a major format version this software cannot read.
 */
public class FormatVersionException extends CacheFsException
{
    /**
     * The image is of a major format version this software does not read.
     *
     * @param device the name of the device or image file, for messages.
     * @param major  the image's major version.
     * @param minor  the image's minor version.
     */
    public FormatVersionException(final String device, final int major, final int minor)
    {
        super(device, device + ": image format " + major + "." + minor + ", this software reads " +
            FormatVersion.MAJOR + ".x");
    }
}
