package org.cachefs.format.fsck;

import org.cachefs.format.CacheFsException;

/**
 * A repair could not be written (no room for the new metadata, or an image that changed under the check). Nothing
 * the current commit refers to was touched: the image is as it was.
 */
public final class RepairException extends CacheFsException
{
    private static final long serialVersionUID = 1L;

    /**
     * A repair that cannot be carried out.
     *
     * @param device  the name of the device or image file, for messages.
     * @param message the one-line message, naming the device and why.
     */
    public RepairException(final String device, final String message)
    {
        super(device, message);
    }
}
