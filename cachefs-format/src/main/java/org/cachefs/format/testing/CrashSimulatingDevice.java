package org.cachefs.format.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;

import org.cachefs.format.device.BlockDevice;

/**
 * An in-memory {@link BlockDevice} that models a disk's volatile write cache and cuts the power on demand.
 * <p>
 * Writes land in a volatile cache; reads see them; {@link #flush()} makes them durable. The power is cut before the
 * {@code n}-th I/O counted from {@link #cutPowerAt(long)} (reads, writes and flushes all count): that I/O and every
 * later one fail with an {@link IOException}. {@link #crashImage(Random)} then returns what the platters hold: the
 * durable contents plus an arbitrary subset of the writes not yet flushed, applied in an arbitrary order, one of
 * them torn (only a prefix of its sectors reached the disk) — what a power failure may leave.
 * <p>
 * Thread-safe: every method is synchronized.
 */
public final class CrashSimulatingDevice implements BlockDevice
{
    private final String name;
    private final int sectorSize;
    private final byte[] durable;
    private final List<long[]> pendingPositions = new ArrayList<>();
    private final List<byte[]> pendingData = new ArrayList<>();
    private byte[] current;
    private long countdown = -1;
    private long ios;
    private boolean poweredOff;

    /**
     * A device holding {@code contents} (copied), durable.
     *
     * @param name       the device's name.
     * @param contents   the bytes it holds; its length is the device's size.
     * @param sectorSize the logical sector size, the unit a write may tear at.
     */
    public CrashSimulatingDevice(final String name, final byte[] contents, final int sectorSize)
    {
        this.name = name;
        this.sectorSize = sectorSize;
        this.durable = contents.clone();
        this.current = contents.clone();
    }

    /**
     * Cuts the power before the {@code n}-th I/O from now (1 = the next one); a negative value never cuts it.
     *
     * @param n the I/O before which the power goes, from 1.
     */
    public synchronized void cutPowerAt(final long n)
    {
        countdown = n;
    }

    /**
     * @return true once the power is cut.
     */
    public synchronized boolean poweredOff()
    {
        return poweredOff;
    }

    /**
     * @return I/Os (reads, writes, flushes) attempted so far.
     */
    public synchronized long ios()
    {
        return ios;
    }

    /**
     * @return writes not yet made durable by a flush.
     */
    public synchronized int unflushedWrites()
    {
        return pendingData.size();
    }

    /**
     * What survives a power cut now: the durable contents, then a random subset of the unflushed writes in a random
     * order, one of the chosen ones torn at a random sector boundary.
     *
     * @param random chooses the writes kept, their order and the torn one; seeded by the test.
     * @return the contents of the device after the cut.
     */
    public synchronized byte[] crashImage(final Random random)
    {
        final byte[] image = durable.clone();
        final int count = pendingData.size();
        final List<Integer> chosen = new ArrayList<>();
        for (int i = 0; i < count; i++)
        {
            if (random.nextBoolean())
            {
                chosen.add(i);
            }
        }
        java.util.Collections.shuffle(chosen, random);
        final int torn = chosen.isEmpty() ? -1 : chosen.get(random.nextInt(chosen.size()));
        for (final int i : chosen)
        {
            final byte[] data = pendingData.get(i);
            final int position = (int)pendingPositions.get(i)[0];
            int length = data.length;
            if (i == torn)
            {
                length = random.nextInt(data.length / sectorSize) * sectorSize;
            }
            System.arraycopy(data, 0, image, position, length);
        }
        return image;
    }

    /**
     * @return a copy of what reads see now (durable contents and every write since).
     */
    public synchronized byte[] contents()
    {
        return current.clone();
    }

    @Override
    public String name()
    {
        return name;
    }

    @Override
    public Path path()
    {
        return Path.of(name);
    }

    @Override
    public synchronized long size()
    {
        return durable.length;
    }

    @Override
    public int logicalSectorSize()
    {
        return sectorSize;
    }

    @Override
    public boolean isBlockDevice()
    {
        return false;
    }

    @Override
    public boolean isReadOnly()
    {
        return false;
    }

    @Override
    public synchronized void read(final long position, final ByteBuffer dst) throws IOException
    {
        io("read", position, dst.remaining());
        final int length = dst.remaining();
        if (position + length > current.length)
        {
            throw new java.io.EOFException(name + ": read of " + length + " bytes at " + position + " past the end");
        }
        dst.put(current, (int)position, length);
    }

    @Override
    public synchronized void write(final long position, final ByteBuffer src) throws IOException
    {
        io("write", position, src.remaining());
        final int length = src.remaining();
        if (position + length > current.length)
        {
            throw new IOException(name + ": write of " + length + " bytes at " + position + " past the end");
        }
        final byte[] data = new byte[length];
        src.get(data);
        System.arraycopy(data, 0, current, (int)position, length);
        pendingPositions.add(new long[]{ position });
        pendingData.add(data);
    }

    @Override
    public synchronized void flush() throws IOException
    {
        io("flush", 0, 0);
        for (int i = 0; i < pendingData.size(); i++)
        {
            final byte[] data = pendingData.get(i);
            System.arraycopy(data, 0, durable, (int)pendingPositions.get(i)[0], data.length);
        }
        pendingData.clear();
        pendingPositions.clear();
    }

    @Override
    public void close()
    {
    }

    private void io(final String kind, final long position, final int length) throws IOException
    {
        ios++;
        if (!poweredOff && countdown > 0 && --countdown == 0)
        {
            poweredOff = true;
        }
        if (poweredOff)
        {
            throw new IOException(name + ": power cut (" + kind + " of " + length + " bytes at " + position + ")");
        }
        if (position % sectorSize != 0 || length % sectorSize != 0)
        {
            throw new IOException(name + ": unaligned " + kind + " of " + length + " bytes at " + position);
        }
    }
}
