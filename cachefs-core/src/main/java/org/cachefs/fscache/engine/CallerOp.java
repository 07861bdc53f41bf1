package org.cachefs.fscache.engine;

/**
 * A shared operation processed by the netfs thread that submitted it, once admitted: pin, unpin and space
 * reservation, which must not overlap an exclusive operation (attribute change) on the object.
 */
final class CallerOp extends Operation
{
    CallerOp(final FsObject object)
    {
        super(object, false);
    }

    boolean hasProcessor()
    {
        return false;
    }

    void doWork()
    {
        throw new IllegalStateException("caller-processed operation queued on the pool");
    }
}
