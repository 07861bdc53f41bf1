package org.cachefs.fscache.engine;

import java.util.concurrent.locks.ReentrantLock;

/**
 * A cookie's lock: a {@link ReentrantLock} that spins briefly before it queues. Its critical sections are a few
 * hundred nanoseconds, and a thread that queues on a {@code ReentrantLock} allocates a queue node: spinning first
 * keeps threads reading one file at once from parking, and from allocating, nearly always.
 * <p>
 * Threading: as {@link ReentrantLock}.
 */
final class SpinningLock extends ReentrantLock
{
    private static final long serialVersionUID = 1L;
    private static final int SPINS = 256;

    @Override
    public void lock()
    {
        for (int i = 0; i < SPINS; i++)
        {
            if (tryLock())
            {
                return;
            }
            Thread.onSpinWait();
        }
        super.lock();
    }
}
