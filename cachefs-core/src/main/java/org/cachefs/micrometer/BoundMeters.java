package org.cachefs.micrometer;

import java.util.ArrayList;
import java.util.List;

import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;

/**
 * The meters a binder registered, and with which registry, so that closing the binder removes exactly those.
 * <p>
 * Threading: not thread-safe; each binder uses its own under its monitor.
 */
final class BoundMeters
{
    /** A meter registered, and where. */
    private record Registration(MeterRegistry registry, Meter meter)
    {
    }

    private final List<Registration> registrations = new ArrayList<>();

    /**
     * @param registry the registry the meter was registered with.
     * @param meter    the meter.
     */
    void add(final MeterRegistry registry, final Meter meter)
    {
        registrations.add(new Registration(registry, meter));
    }

    /**
     * Removes every meter added from its registry, and forgets them.
     */
    void removeAll()
    {
        for (final Registration registration : registrations)
        {
            registration.registry().remove(registration.meter());
        }
        registrations.clear();
    }
}
