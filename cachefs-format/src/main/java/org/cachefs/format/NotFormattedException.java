package org.cachefs.format;

/**
 * The device holds no cachefs image and no filesystem cachefs recognises: all zeros, or unrecognised data.
 */
public class NotFormattedException extends CacheFsException
{
    /**
     * The device holds no cachefs image.
     *
     * @param device  the name of the device or image file, for messages.
     * @param message the one-line message, naming the device and why.
     */
    public NotFormattedException(final String device, final String message)
    {
        super(device, message);
    }
}
