package org.cachefs.format;

/**
 * Base of the typed, unchecked exceptions cachefs raises for format trouble: a corrupt, foreign, unformatted or
 * newer image, or a device that is already in use. Each names the device it concerns.
 */
public class CacheFsException extends RuntimeException
{
    /** The name of the device or image the problem was found on. */
    private final String device;

    /**
     * An exception about {@code device}.
     *
     * @param device  the name of the device or image file, for messages.
     * @param message the one-line message, naming the device.
     */
    public CacheFsException(final String device, final String message)
    {
        super(message);
        this.device = device;
    }

    /**
     * An exception about {@code device}, with its cause.
     *
     * @param device  the name of the device or image file, for messages.
     * @param message the one-line message, naming the device.
     * @param cause   what caused it.
     */
    public CacheFsException(final String device, final String message, final Throwable cause)
    {
        super(message, cause);
        this.device = device;
    }

    /**
     * @return the name of the device or image the problem was found on.
     */
    public String device()
    {
        return device;
    }
}
