package org.cachefs.fscache.engine;

/**
 * An asynchronous operation on an object ({@code struct fscache_operation}). Admitted by
 * {@link ObjectOperations#submitLocked(Operation)}: shared operations run together, an exclusive one runs alone,
 * waiting for the operations in progress and holding back those submitted after it. An operation with a processor
 * ({@link #hasProcessor()}) is queued on the pool when it starts; one without is processed by the thread that
 * submitted it once started.
 * <p>
 * Threading: {@link #state} is guarded by the object's cookie lock.
 */
abstract class Operation extends PoolTask
{
    static final int CREATED = 0;
    static final int PENDING = 1;
    static final int IN_PROGRESS = 2;
    static final int COMPLETE = 3;
    static final int CANCELLED = 4;

    final FsObject object;
    final boolean exclusive;
    int state = CREATED;

    Operation(final FsObject object, final boolean exclusive)
    {
        super(object.engine);
        this.object = object;
        this.exclusive = exclusive;
    }

    /**
     * Whether the pool runs the operation when it starts.
     */
    abstract boolean hasProcessor();

    /**
     * The operation was cancelled while pending; called under the cookie lock.
     */
    void onCancelledLocked()
    {
    }
}
