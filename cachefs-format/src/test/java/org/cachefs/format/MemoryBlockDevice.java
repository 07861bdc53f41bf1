package org.cachefs.format;

import java.io.EOFException;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;

import org.cachefs.format.device.BlockDevice;

/**
 * A {@link BlockDevice} in heap memory with a chosen logical sector size, for library calls whose device geometry a
 * file cannot provide. Enforces the same alignment rules as the real device.
 */
final class MemoryBlockDevice implements BlockDevice
{
    private final String name;
    private final ByteBuffer bytes;
    private final int sectorSize;
    private int flushes;

    MemoryBlockDevice(final String name, final int size, final int sectorSize)
    {
        this.name = name;
        this.bytes = ByteBuffer.allocate(size);
        this.sectorSize = sectorSize;
    }

    ByteBuffer bytes()
    {
        return bytes.duplicate().clear();
    }

    int flushes()
    {
        return flushes;
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public Path path()
    {
        return Path.of("/dev/mem/" + name);
    }

    @Override
    public long size()
    {
        return bytes.capacity();
    }

    @Override
    public int logicalSectorSize()
    {
        return sectorSize;
    }

    @Override
    public boolean isBlockDevice()
    {
        return true;
    }

    @Override
    public boolean isReadOnly()
    {
        return false;
    }

    private void check(final long position, final ByteBuffer buffer) throws IOException
    {
        if (position % sectorSize != 0 || buffer.remaining() % sectorSize != 0)
        {
            throw new IOException(name + ": unaligned I/O of " + buffer.remaining() + " bytes at " + position);
        }
        if (position + buffer.remaining() > bytes.capacity())
        {
            throw new EOFException(name + ": end of device");
        }
    }

    @Override
    public void read(final long position, final ByteBuffer dst) throws IOException
    {
        check(position, dst);
        dst.put(bytes.duplicate().clear().position((int)position).limit((int)position + dst.remaining()));
    }

    @Override
    public void write(final long position, final ByteBuffer src) throws IOException
    {
        check(position, src);
        bytes.duplicate().clear().position((int)position).put(src);
    }

    @Override
    public void flush()
    {
        flushes++;
    }

    @Override
    public void close()
    {
    }
}
