package org.cachefs.micrometer;

import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.function.ToDoubleFunction;

import io.micrometer.core.instrument.FunctionCounter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.Meter;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Tags;
import io.micrometer.core.instrument.TimeGauge;

/**
 * The meters a binder registered, and with which registry, so that closing the binder removes exactly those; and the
 * three kinds of meter the binders register, each read from a state object (a binder's snapshot) that the registry
 * keeps alive for as long as it holds the meter.
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
    private void add(final MeterRegistry registry, final Meter meter)
    {
        registrations.add(new Registration(registry, meter));
    }

    /**
     * Registers a function counter of {@code value} applied to {@code state}.
     *
     * @param unit the base unit, or null.
     */
    <T> void counter(
        final MeterRegistry registry, final String name, final String description, final String unit, final Tags tags,
        final T state, final ToDoubleFunction<T> value)
    {
        // A function counter keeps only a weak reference to its object: the function holds the state, so that the
        // counter lives as long as the registry holds it.
        final ToDoubleFunction<T> held = ignored -> value.applyAsDouble(state);
        add(registry, FunctionCounter.builder(name, state, held).description(description).baseUnit(unit).tags(tags)
            .register(registry));
    }

    /**
     * Registers a gauge of {@code value} applied to {@code state}, which the registry keeps (a strong reference)
     * whether or not the caller keeps the binder.
     *
     * @param unit the base unit, or null.
     */
    <T> void gauge(
        final MeterRegistry registry, final String name, final String description, final String unit, final Tags tags,
        final T state, final ToDoubleFunction<T> value)
    {
        add(registry, Gauge.builder(name, state, value).description(description).baseUnit(unit).tags(tags)
            .strongReference(true).register(registry));
    }

    /**
     * Registers a time gauge of {@code nanos} applied to {@code state}, held as {@link #gauge} holds it.
     */
    <T> void timeGauge(
        final MeterRegistry registry, final String name, final String description, final Tags tags, final T state,
        final ToDoubleFunction<T> nanos)
    {
        add(registry, TimeGauge.builder(name, state, TimeUnit.NANOSECONDS, nanos).description(description).tags(tags)
            .strongReference(true).register(registry));
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
