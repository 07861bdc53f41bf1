package org.cachefs.cachefs;

import java.util.concurrent.atomic.LongAdder;
import java.util.concurrent.locks.StampedLock;

/**
 * The store's lock: exclusive and reentrant for changes, node reads and commits; shared for page lookups that find
 * their nodes in the node cache. Built on a {@link StampedLock}, whose shared mode keeps no per-thread record: a
 * {@code ReentrantReadWriteLock} allocates a hold counter for every shared acquisition by a thread other than the
 * last reader, so many threads reading pages at once allocated on every hit.
 * <p>
 * Counts the acquisitions that had to wait and the time they waited ({@link #waits}, {@link #waitNanos}), so that
 * contention shows in the store's usage: an acquisition that gets the lock at once costs no clock read.
 * <p>
 * Threading: any thread. The exclusive holder may take the shared mode too (it is then not taken again); the shared
 * mode cannot be upgraded.
 */
final class StoreLock
{
    private final StampedLock lock = new StampedLock();
    private volatile Thread owner;
    private int holds;
    private long stamp;

    /** Acquisitions, exclusive or shared, that found the lock taken and waited. */
    final LongAdder waits = new LongAdder();
    /** Nanoseconds those acquisitions waited in all. */
    final LongAdder waitNanos = new LongAdder();

    void lock()
    {
        final Thread current = Thread.currentThread();
        if (owner == current)
        {
            holds++;
            return;
        }
        long acquired = lock.tryWriteLock();
        if (acquired == 0)
        {
            final long start = System.nanoTime();
            acquired = lock.writeLock();
            waited(start);
        }
        stamp = acquired;
        owner = current;
        holds = 1;
    }

    private void waited(final long start)
    {
        waits.increment();
        waitNanos.add(System.nanoTime() - start);
    }

    boolean tryLock()
    {
        final Thread current = Thread.currentThread();
        if (owner == current)
        {
            holds++;
            return true;
        }
        final long acquired = lock.tryWriteLock();
        if (acquired == 0)
        {
            return false;
        }
        stamp = acquired;
        owner = current;
        holds = 1;
        return true;
    }

    void unlock()
    {
        if (owner != Thread.currentThread())
        {
            throw new IllegalMonitorStateException("store lock not held by " + Thread.currentThread().getName());
        }
        if (--holds == 0)
        {
            owner = null;
            lock.unlockWrite(stamp);
        }
    }

    /**
     * @return the stamp to give {@link #unlockRead(long)}: 0 if this thread holds the lock exclusively.
     */
    long readLock()
    {
        if (owner == Thread.currentThread())
        {
            return 0;
        }
        final long acquired = lock.tryReadLock();
        if (acquired != 0)
        {
            return acquired;
        }
        final long start = System.nanoTime();
        final long shared = lock.readLock();
        waited(start);
        return shared;
    }

    void unlockRead(final long readStamp)
    {
        if (readStamp != 0)
        {
            lock.unlockRead(readStamp);
        }
    }
}
