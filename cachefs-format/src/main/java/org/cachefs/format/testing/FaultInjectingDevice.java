package org.cachefs.format.testing;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

import org.cachefs.format.device.BlockDevice;

/**
 * A {@link BlockDevice} wrapper that injects faults, for tests of what sits above a device: the next read, write or
 * flush (optionally only at or past a position, such as the data region) fails with an {@link IOException}; writes can
 * be held in flight until released.
 * <p>
 * Thread-safe: faults are armed and consumed atomically, each by exactly one I/O.
 */
public final class FaultInjectingDevice extends ForwardingBlockDevice
{
    private final AtomicInteger failReads = new AtomicInteger();
    private final AtomicInteger failWrites = new AtomicInteger();
    private final AtomicInteger failFlushes = new AtomicInteger();
    private final AtomicLong faultFrom = new AtomicLong();
    private final AtomicInteger readCountdown = new AtomicInteger();
    private final AtomicInteger writeCountdown = new AtomicInteger();
    private final AtomicInteger flushCountdown = new AtomicInteger();
    private final AtomicLong reads = new AtomicLong();
    private final AtomicLong writes = new AtomicLong();
    private final AtomicLong flushes = new AtomicLong();
    private final ReentrantLock holdLock = new ReentrantLock();
    private final Condition holdChanged = holdLock.newCondition();
    private boolean holdWrites;
    private long holdFrom;
    private java.util.function.Predicate<Thread> holdWhich = thread -> true;
    private int heldWrites;

    /**
     * Wraps {@code device}; no fault is armed.
     *
     * @param device the device the calls go to.
     */
    public FaultInjectingDevice(final BlockDevice device)
    {
        super(device);
    }

    /**
     * Faults armed from now on apply only to I/O at or past byte {@code position} (0: everywhere).
     *
     * @param position the first byte faults apply to.
     * @return this device.
     */
    public FaultInjectingDevice faultsFrom(final long position)
    {
        faultFrom.set(position);
        return this;
    }

    /**
     * The next read (at or past the fault position) fails.
     */
    public void failNextRead()
    {
        failReads.incrementAndGet();
    }

    /**
     * The next write (at or past the fault position) fails.
     */
    public void failNextWrite()
    {
        failWrites.incrementAndGet();
    }

    /**
     * The {@code nth} read from now (at or past the fault position; 1 = the next one) fails.
     *
     * @param nth the read that fails, from 1.
     */
    public void failRead(final int nth)
    {
        readCountdown.set(nth);
    }

    /**
     * The {@code nth} write from now (at or past the fault position; 1 = the next one) fails.
     *
     * @param nth the write that fails, from 1.
     */
    public void failWrite(final int nth)
    {
        writeCountdown.set(nth);
    }

    /**
     * The {@code nth} flush from now (1 = the next one) fails.
     *
     * @param nth the flush that fails, from 1.
     */
    public void failFlush(final int nth)
    {
        flushCountdown.set(nth);
    }

    /**
     * The next flush fails.
     */
    public void failNextFlush()
    {
        failFlushes.incrementAndGet();
    }

    /**
     * Writes at or past byte {@code from} wait until {@link #releaseWrites()} (or the device is closed).
     *
     * @param from the first byte whose writes are held.
     */
    public void holdWrites(final long from)
    {
        holdWrites(from, thread -> true);
    }

    /**
     * Writes at or past byte {@code from} made by threads {@code which} accepts wait until {@link #releaseWrites()}
     * (or the device is closed).
     *
     * @param from  the first byte whose writes are held.
     * @param which the threads whose writes are held.
     */
    public void holdWrites(final long from, final java.util.function.Predicate<Thread> which)
    {
        holdLock.lock();
        try
        {
            holdWrites = true;
            holdFrom = from;
            holdWhich = which;
        }
        finally
        {
            holdLock.unlock();
        }
    }

    /**
     * Lets held writes proceed and stops holding new ones.
     */
    public void releaseWrites()
    {
        holdLock.lock();
        try
        {
            holdWrites = false;
            holdChanged.signalAll();
        }
        finally
        {
            holdLock.unlock();
        }
    }

    /**
     * Waits until {@code count} writes are held, at most {@code timeout}.
     *
     * @param count   the writes to wait for.
     * @param timeout the longest wait, in {@code unit}s.
     * @param unit    the unit of {@code timeout}.
     * @return true if they are.
     * @throws InterruptedException if the thread is interrupted while waiting.
     */
    public boolean awaitHeldWrites(final int count, final long timeout, final TimeUnit unit)
        throws InterruptedException
    {
        final long deadline = System.nanoTime() + unit.toNanos(timeout);
        holdLock.lock();
        try
        {
            while (heldWrites < count)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    return false;
                }
                holdChanged.awaitNanos(left);
            }
            return true;
        }
        finally
        {
            holdLock.unlock();
        }
    }

    /** @return the reads asked of this device so far, failed ones included. */
    public long reads()
    {
        return reads.get();
    }

    /** @return the writes asked of this device so far, failed and held ones included. */
    public long writes()
    {
        return writes.get();
    }

    /** @return the flushes asked of this device so far, failed ones included. */
    public long flushes()
    {
        return flushes.get();
    }

    @Override
    public void read(final long position, final ByteBuffer dst) throws IOException
    {
        reads.incrementAndGet();
        if (position >= faultFrom.get() && (consume(failReads) || countedDown(readCountdown)))
        {
            throw new IOException(name() + ": injected read error at byte " + position);
        }
        device.read(position, dst);
    }

    @Override
    public void write(final long position, final ByteBuffer src) throws IOException
    {
        writes.incrementAndGet();
        hold(position);
        if (position >= faultFrom.get() && (consume(failWrites) || countedDown(writeCountdown)))
        {
            throw new IOException(name() + ": injected write error at byte " + position);
        }
        device.write(position, src);
    }

    @Override
    public void flush() throws IOException
    {
        flushes.incrementAndGet();
        if (consume(failFlushes) || countedDown(flushCountdown))
        {
            throw new IOException(name() + ": injected flush error");
        }
        device.flush();
    }

    @Override
    public void close() throws IOException
    {
        releaseWrites();
        device.close();
    }

    private void hold(final long position) throws IOException
    {
        holdLock.lock();
        try
        {
            if (!holdWrites || position < holdFrom || !holdWhich.test(Thread.currentThread()))
            {
                return;
            }
            heldWrites++;
            holdChanged.signalAll();
            try
            {
                while (holdWrites)
                {
                    holdChanged.await();
                }
            }
            catch (final InterruptedException ex)
            {
                Thread.currentThread().interrupt();
                throw new IOException(name() + ": interrupted while a write was held", ex);
            }
            finally
            {
                heldWrites--;
            }
        }
        finally
        {
            holdLock.unlock();
        }
    }

    /**
     * @return true for the I/O that brings an armed countdown from 1 to 0.
     */
    private static boolean countedDown(final AtomicInteger countdown)
    {
        int current;
        do
        {
            current = countdown.get();
            if (current <= 0)
            {
                return false;
            }
        }
        while (!countdown.compareAndSet(current, current - 1));
        return current == 1;
    }

    private static boolean consume(final AtomicInteger armed)
    {
        int current;
        do
        {
            current = armed.get();
            if (current == 0)
            {
                return false;
            }
        }
        while (!armed.compareAndSet(current, current - 1));
        return true;
    }
}
