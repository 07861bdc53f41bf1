package org.cachefs.fscache;

import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import java.util.function.BooleanSupplier;

/**
 * Bounded waits on conditions for tests: polls the condition until it holds or the bound passes.
 */
public final class Await
{
    /** The bound of every wait. */
    public static final long TIMEOUT_SECONDS = 20;

    private Await()
    {
    }

    /**
     * Wait until {@code condition} holds.
     *
     * @param condition   the condition.
     * @param description what is awaited, for the failure message.
     * @throws AssertionError if the condition does not hold within {@link #TIMEOUT_SECONDS}.
     */
    public static void until(final BooleanSupplier condition, final String description)
    {
        final long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(TIMEOUT_SECONDS);
        while (!condition.getAsBoolean())
        {
            if (System.nanoTime() - deadline > 0)
            {
                throw new AssertionError("timed out after " + TIMEOUT_SECONDS + " s waiting for " + description);
            }
            LockSupport.parkNanos(TimeUnit.MICROSECONDS.toNanos(200));
        }
    }
}
