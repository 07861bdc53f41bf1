package org.cachefs.format.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.cachefs.format.device.BlockDevice;

/**
 * A {@link BlockDevice} that passes every call to another: the base of wrappers that change a few of them (inject
 * faults, hold writes). Thread-safe if the wrapped device is.
 * <p>
 * {@link #zeroRange} and {@link #discardRange} are not passed on: they keep the refusing defaults, so that a caller
 * zeroing a range falls back to writing zeros through {@link #write}, which a wrapper sees, can fail, hold or lose.
 * A wrapper that models zeroing overrides them.
 */
public abstract class ForwardingBlockDevice implements BlockDevice
{
    /** The device the calls go to. */
    protected final BlockDevice device;

    /**
     * Wraps {@code device}.
     *
     * @param device the device the calls go to.
     */
    protected ForwardingBlockDevice(final BlockDevice device)
    {
        this.device = device;
    }

    @Override
    public String name()
    {
        return device.name();
    }

    @Override
    public Path path()
    {
        return device.path();
    }

    @Override
    public long size()
    {
        return device.size();
    }

    @Override
    public int logicalSectorSize()
    {
        return device.logicalSectorSize();
    }

    @Override
    public boolean isBlockDevice()
    {
        return device.isBlockDevice();
    }

    @Override
    public boolean isReadOnly()
    {
        return device.isReadOnly();
    }

    @Override
    public void read(final long position, final ByteBuffer dst) throws IOException
    {
        device.read(position, dst);
    }

    @Override
    public void write(final long position, final ByteBuffer src) throws IOException
    {
        device.write(position, src);
    }

    @Override
    public void flush() throws IOException
    {
        device.flush();
    }

    @Override
    public void close() throws IOException
    {
        device.close();
    }
}
