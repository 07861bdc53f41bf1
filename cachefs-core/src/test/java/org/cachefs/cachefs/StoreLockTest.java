package org.cachefs.cachefs;

import java.util.concurrent.TimeUnit;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The store's lock: reentrant exclusive mode, shared mode inside it, and its contention counters.
 */
class StoreLockTest
{
    @Test
    void acquisitionsThatFindTheLockFreeCountNoWait()
    {
        final StoreLock lock = new StoreLock();
        lock.lock();
        lock.lock();
        final long inside = lock.readLock();
        assertThat(inside).isZero();
        lock.unlockRead(inside);
        lock.unlock();
        lock.unlock();
        final long shared = lock.readLock();
        assertThat(shared).isNotZero();
        lock.unlockRead(shared);
        assertThat(lock.tryLock()).isTrue();
        lock.unlock();
        assertThat(lock.waits.sum()).isZero();
        assertThat(lock.waitNanos.sum()).isZero();
    }

    @Test
    void anExclusiveAndASharedAcquisitionThatWaitAreCountedWithTheirTime() throws Exception
    {
        final StoreLock lock = new StoreLock();
        lock.lock();
        final Thread writer = new Thread(() ->
        {
            lock.lock();
            lock.unlock();
        });
        writer.start();
        awaitParked(writer);
        TimeUnit.MILLISECONDS.sleep(20);
        lock.unlock();
        writer.join(10_000);
        assertThat(writer.isAlive()).isFalse();
        assertThat(lock.waits.sum()).isEqualTo(1);
        assertThat(lock.waitNanos.sum()).isGreaterThanOrEqualTo(TimeUnit.MILLISECONDS.toNanos(20));

        lock.lock();
        final Thread reader = new Thread(() -> lock.unlockRead(lock.readLock()));
        reader.start();
        awaitParked(reader);
        lock.unlock();
        reader.join(10_000);
        assertThat(reader.isAlive()).isFalse();
        assertThat(lock.waits.sum()).isEqualTo(2);
    }

    @Test
    void anUnlockByAThreadThatDoesNotHoldTheLockIsRefused()
    {
        final StoreLock lock = new StoreLock();
        assertThatThrownBy(lock::unlock).isInstanceOf(IllegalMonitorStateException.class)
            .hasMessage("store lock not held by " + Thread.currentThread().getName());
    }

    private static void awaitParked(final Thread thread) throws InterruptedException
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
        while (thread.getState() != Thread.State.WAITING && System.nanoTime() < deadline)
        {
            TimeUnit.MILLISECONDS.sleep(1);
        }
        assertThat(thread.getState()).isEqualTo(Thread.State.WAITING);
    }
}
