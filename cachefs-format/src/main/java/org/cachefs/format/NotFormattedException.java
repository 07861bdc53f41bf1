package org.cachefs.format;

/**
 * The device holds no cachefs image and no filesystem cachefs recognises: all zeros, or unrecognised data.
 */
public class NotFormattedException extends CacheFsException
{
    public NotFormattedException(final String device, final String message)
    {
        super(device, message);
    }
}
