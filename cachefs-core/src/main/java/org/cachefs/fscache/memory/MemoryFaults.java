package org.cachefs.fscache.memory;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.Retrieval;

import java.util.ArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.Condition;
import java.util.concurrent.locks.ReentrantLock;

/**
 * Fault injection and holding I/O in flight for a {@link MemoryCacheBackend}'s tests: the reads and writes still to
 * fail, the reads held and whether reads are held, whether writes are held and how many are waiting at the write
 * gate.
 * <p>
 * Threading: guarded by the backend's lock. The test hooks take it themselves, from any thread; the methods named
 * {@code ...Locked} are called by the backend's page calls with it held. {@link #writeGate}, a condition of that
 * lock, is signalled whenever a write arrives at the gate or the gate opens.
 */
final class MemoryFaults
{
    private final ReentrantLock lock;
    private final Condition writeGate;
    private final MemoryStore store;
    private final ArrayList<HeldRead> heldReads = new ArrayList<>();
    private int failReads;
    private int failWrites;
    private boolean holdReads;
    private boolean holdWrites;
    private int writesHeld;

    MemoryFaults(final ReentrantLock lock, final MemoryStore store)
    {
        this.lock = lock;
        this.writeGate = lock.newCondition();
        this.store = store;
    }

    /**
     * Make the next read of a present page fail.
     */
    void failNextRead()
    {
        lock.lock();
        try
        {
            failReads++;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Make the next page write fail.
     */
    void failNextWrite()
    {
        lock.lock();
        try
        {
            failWrites++;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Hold reads of present pages in flight until {@link #releaseHeldReads()}.
     */
    void holdReads()
    {
        lock.lock();
        try
        {
            holdReads = true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Stop holding reads and end every held read, outside the lock.
     *
     * @return the number of reads ended.
     */
    int releaseHeldReads()
    {
        final ArrayList<HeldRead> released;
        lock.lock();
        try
        {
            holdReads = false;
            released = new ArrayList<>(heldReads);
            heldReads.clear();
            for (int i = 0, n = released.size(); i < n; i++)
            {
                released.get(i).result = store.copyIn(released.get(i).op, released.get(i).page);
            }
        }
        finally
        {
            lock.unlock();
        }

        for (int i = 0, n = released.size(); i < n; i++)
        {
            final HeldRead held = released.get(i);
            if (null != held.result)
            {
                held.op.endIo(held.page, held.result);
            }
        }

        return released.size();
    }

    /**
     * Reads currently held.
     *
     * @return the count.
     */
    int heldReadCount()
    {
        lock.lock();
        try
        {
            return heldReads.size();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Hold page writes at the write gate until {@link #releaseWrites()} or withdrawal.
     */
    void holdWrites()
    {
        lock.lock();
        try
        {
            holdWrites = true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Open the write gate.
     */
    void releaseWrites()
    {
        lock.lock();
        try
        {
            holdWrites = false;
            writeGate.signalAll();
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Wait until at least {@code count} writes are at the write gate.
     *
     * @param count   the number of writes.
     * @param timeout the longest wait.
     * @param unit    its unit.
     * @return true if reached, false on timeout.
     * @throws InterruptedException if interrupted.
     */
    boolean awaitHeldWrites(final int count, final long timeout, final TimeUnit unit) throws InterruptedException
    {
        long remainingNs = unit.toNanos(timeout);
        lock.lock();
        try
        {
            while (writesHeld < count)
            {
                if (remainingNs <= 0)
                {
                    return false;
                }
                remainingNs = writeGate.awaitNanos(remainingNs);
            }

            return true;
        }
        finally
        {
            lock.unlock();
        }
    }

    /**
     * Take one injected read failure, if any is left.
     *
     * @return true if this read is to fail.
     */
    boolean takeReadFailureLocked()
    {
        if (failReads > 0)
        {
            failReads--;
            return true;
        }

        return false;
    }

    /**
     * Hold a read of a present page if reads are being held.
     *
     * @param op   the retrieval.
     * @param page the page.
     * @return true if the read is held.
     */
    boolean holdReadLocked(final Retrieval op, final CachePage page)
    {
        if (holdReads)
        {
            heldReads.add(new HeldRead(op, page));
            return true;
        }

        return false;
    }

    /**
     * Take one injected write failure, if any is left.
     *
     * @return true if this write is to fail.
     */
    boolean takeWriteFailureLocked()
    {
        if (failWrites > 0)
        {
            failWrites--;
            return true;
        }

        return false;
    }

    /**
     * Pass a write through the write gate: count it as held and wait, releasing the lock, while writes are held and
     * the backend is associated.
     */
    void passWriteGateLocked()
    {
        writesHeld++;
        writeGate.signalAll();
        while (holdWrites && !store.dissociated())
        {
            writeGate.awaitUninterruptibly();
        }
        writesHeld--;
    }

    /**
     * At withdrawal: abandon the held reads and open the write gate.
     */
    void dissociateLocked()
    {
        heldReads.clear();
        holdWrites = false;
        writeGate.signalAll();
    }
}
