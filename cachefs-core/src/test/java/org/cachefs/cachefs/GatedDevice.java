package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Predicate;

import org.cachefs.format.device.BlockDevice;
import org.cachefs.format.testing.ForwardingBlockDevice;
import org.cachefs.fscache.Await;

/**
 * A {@link BlockDevice} wrapper that stops the writes of chosen threads at a gate until {@link #open()}, deaf to
 * interrupts as a thread inside {@code pwrite(2)} is; each write then goes on to the real device with its thread's
 * interrupt status as it was left. For tests of what an interrupt does to I/O in progress.
 * <p>
 * Thread-safe.
 */
final class GatedDevice extends ForwardingBlockDevice
{
    private final CountDownLatch entered = new CountDownLatch(1);
    private final CountDownLatch opened = new CountDownLatch(1);
    private volatile Predicate<Thread> gated = thread -> false;

    GatedDevice(final BlockDevice device)
    {
        super(device);
    }

    /**
     * From now on, writes of the threads {@code which} accepts wait at the gate.
     */
    void gate(final Predicate<Thread> which)
    {
        gated = which;
    }

    /**
     * Waits, at most {@link Await#TIMEOUT_SECONDS}, until a write waits at the gate.
     *
     * @return true if one does.
     */
    boolean awaitEntered() throws InterruptedException
    {
        return entered.await(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }

    /**
     * Lets every write through, now and from now on.
     */
    void open()
    {
        opened.countDown();
    }

    @Override
    public void write(final long position, final ByteBuffer src) throws IOException
    {
        if (opened.getCount() > 0 && gated.test(Thread.currentThread()))
        {
            entered.countDown();
            boolean interrupted = false;
            final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Await.TIMEOUT_SECONDS);
            while (opened.getCount() > 0)
            {
                final long left = deadline - System.nanoTime();
                if (left <= 0)
                {
                    throw new IOException(name() + ": gate not opened within " + Await.TIMEOUT_SECONDS + " s");
                }
                try
                {
                    opened.await(left, TimeUnit.NANOSECONDS);
                }
                catch (final InterruptedException ex)
                {
                    interrupted = true;
                }
            }
            if (interrupted)
            {
                Thread.currentThread().interrupt();
            }
        }
        device.write(position, src);
    }

    @Override
    public void close() throws IOException
    {
        open();
        device.close();
    }
}
