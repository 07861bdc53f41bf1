package org.cachefs.format;

/**
 * The image was written in a major format version this software cannot read.
 */
public class FormatVersionException extends CacheFsException
{
    public FormatVersionException(final String device, final int major, final int minor)
    {
        super(device, device + ": image format " + major + "." + minor + ", this software reads " +
            FormatVersion.MAJOR + ".x");
    }
}
