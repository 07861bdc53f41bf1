package org.cachefs.format.device;

import java.io.IOException;

/**
 * Zeroing or discarding a range of a device failed, or was refused: {@link #refused()} when the device, its driver
 * or the file system under an image does not offer the operation ({@code EOPNOTSUPP}, {@code ENOTTY},
 * {@code EINVAL}, {@code ENOSYS}), and the caller may fall back to writing zeros; otherwise an I/O error. Names the
 * device.
 */
public class DiscardException extends IOException
{
    private static final long serialVersionUID = 1L;

    /** The name of the device. */
    private final String device;
    /** What was asked, e.g. "punching a hole". */
    private final String operation;
    /** Whether the operation is not offered here, rather than failed. */
    private final boolean refused;

    private DiscardException(final String device, final String operation, final boolean refused, final String message)
    {
        super(message);
        this.device = device;
        this.operation = operation;
        this.refused = refused;
    }

    /**
     * @param device    the device's name.
     * @param operation what was asked, e.g. "punching a hole".
     * @param position  the first byte of the range.
     * @param length    the length of the range.
     * @param errno     the error number the call set.
     * @param reason    the text of {@code errno}, e.g. "Operation not supported".
     * @return a refusal if {@code errno} says the operation is not offered, else a failure.
     */
    public static DiscardException of(
        final String device,
        final String operation,
        final long position,
        final long length,
        final int errno,
        final String reason)
    {
        if (isRefusal(errno))
        {
            return refused(device, operation, reason);
        }
        return new DiscardException(device, operation, false, device + ": " + operation + " of " + length +
            " bytes at " + position + " failed: " + reason);
    }

    /**
     * @param device    the device's name.
     * @param operation what was asked, e.g. "punching a hole".
     * @param reason    why it is not offered, e.g. "Operation not supported".
     * @return a refusal of {@code operation} on {@code device} because of {@code reason}.
     */
    public static DiscardException refused(final String device, final String operation, final String reason)
    {
        return new DiscardException(device, operation, true, device + ": " + operation + " refused: " + reason);
    }

    /**
     * @param errno the error number the call set.
     * @return true if {@code errno} means the operation is not offered here (rather than that it failed).
     */
    public static boolean isRefusal(final int errno)
    {
        return errno == LibC.EOPNOTSUPP || errno == LibC.ENOTTY || errno == LibC.EINVAL || errno == LibC.ENOSYS;
    }

    /**
     * @return the name of the device.
     */
    public String device()
    {
        return device;
    }

    /**
     * @return what was asked, e.g. "punching a hole".
     */
    public String operation()
    {
        return operation;
    }

    /**
     * @return true if the operation is not offered (fall back to writing zeros), false if it failed.
     */
    public boolean refused()
    {
        return refused;
    }

    /**
     * @return the message without the device's name in front, e.g. "punching a hole refused: Operation not
     * supported".
     */
    public String withoutDevice()
    {
        final String message = getMessage();
        final String prefix = device + ": ";
        return message.startsWith(prefix) ? message.substring(prefix.length()) : message;
    }
}
