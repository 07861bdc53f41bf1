package org.cachefs.format;

/**
 * Another cachefs instance, in this JVM or another process, has the device open.
 */
public class DeviceInUseException extends CacheFsException
{
    public DeviceInUseException(final String device)
    {
        super(device, device + " is in use by another cachefs instance");
    }
}
