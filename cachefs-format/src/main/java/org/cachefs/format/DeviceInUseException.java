package org.cachefs.format;

/**
 * Another cachefs instance, in this JVM or another process, has the device open.
 */
public class DeviceInUseException extends CacheFsException
{
    /**
     * The device is in use by another cachefs instance.
     *
     * @param device the name of the device or image file, for messages.
     */
    public DeviceInUseException(final String device)
    {
        super(device, device + " is in use by another cachefs instance");
    }
}
