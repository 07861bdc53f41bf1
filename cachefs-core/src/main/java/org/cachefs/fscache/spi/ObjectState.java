package org.cachefs.fscache.spi;

import java.util.Collections;
import java.util.EnumSet;
import java.util.Set;

/**
 * The states of an in-cache object, those of the kernel's {@code struct fscache_object}
 * ({@code FSCACHE_OBJECT_*} in fs/fscache/object.c of 2.6.30).
 * <p>
 * The legal transitions are defined here and nowhere else: the core advances an object only through
 * {@link #transitionTo(ObjectState)}, which throws an {@link IllegalStateException} naming both states for any
 * transition not in the table below.
 * <pre>
 *   INIT        -&gt; LOOKING_UP | ABORT_INIT | ACTIVE (ACTIVE only for a cache's master index object)
 *   LOOKING_UP  -&gt; CREATING | AVAILABLE | LC_DYING
 *   CREATING    -&gt; AVAILABLE | LC_DYING
 *   AVAILABLE   -&gt; ACTIVE | UPDATING | DYING
 *   ACTIVE      -&gt; UPDATING | DYING
 *   UPDATING    -&gt; ACTIVE | DYING
 *   LC_DYING    -&gt; DYING
 *   ABORT_INIT  -&gt; DYING
 *   DYING       -&gt; RELEASING | RECYCLING | WITHDRAWING
 *   RELEASING   -&gt; DEAD
 *   RECYCLING   -&gt; DEAD
 *   WITHDRAWING -&gt; DEAD
 *   DEAD        (terminal)
 * </pre>
 */
public enum ObjectState
{
    /** Allocated, waiting for its parent to become available. */
    INIT("OBJECT_INIT", "INIT"),
    /** The backend is looking the object up ({@code lookup_object}). */
    LOOKING_UP("OBJECT_LOOKING_UP", "LOOK"),
    /** The lookup was negative ({@code lookup_negative}): the backend is creating the object. */
    CREATING("OBJECT_CREATING", "CRTN"),
    /** Found or created ({@code obtained_object}): operations may start, lookup resources are being released. */
    AVAILABLE("OBJECT_AVAILABLE", "AVBL"),
    /** Normal running state. */
    ACTIVE("OBJECT_ACTIVE", "ACTV"),
    /** The backend is rewriting the object's index entry ({@code update_object}). */
    UPDATING("OBJECT_UPDATING", "UPDT"),
    /** Going away: waiting for its operations and child objects to finish. */
    DYING("OBJECT_DYING", "DYNG"),
    /** Died during lookup or creation: the backend's lookup resources are being released. */
    LC_DYING("OBJECT_LC_DYING", "LCDY"),
    /** Died before its lookup began. */
    ABORT_INIT("OBJECT_ABORT_INIT", "ABTI"),
    /** Released by the netfs without retirement: the backend drops it and keeps its data. */
    RELEASING("OBJECT_RELEASING", "RELS"),
    /** Released by the netfs with retirement: the backend drops it and discards it with all its children. */
    RECYCLING("OBJECT_RECYCLING", "RCYC"),
    /** Withdrawn because its cache is withdrawn or because of an error. */
    WITHDRAWING("OBJECT_WITHDRAWING", "WTHD"),
    /** Dropped; only references may remain. */
    DEAD("OBJECT_DEAD", "DEAD");

    static
    {
        INIT.allow(LOOKING_UP, ABORT_INIT, ACTIVE);
        LOOKING_UP.allow(CREATING, AVAILABLE, LC_DYING);
        CREATING.allow(AVAILABLE, LC_DYING);
        AVAILABLE.allow(ACTIVE, UPDATING, DYING);
        ACTIVE.allow(UPDATING, DYING);
        UPDATING.allow(ACTIVE, DYING);
        LC_DYING.allow(DYING);
        ABORT_INIT.allow(DYING);
        DYING.allow(RELEASING, RECYCLING, WITHDRAWING);
        RELEASING.allow(DEAD);
        RECYCLING.allow(DEAD);
        WITHDRAWING.allow(DEAD);
    }

    private final String stateName;
    private final String shortName;
    private Set<ObjectState> successors = Collections.emptySet();

    ObjectState(final String stateName, final String shortName)
    {
        this.stateName = stateName;
        this.shortName = shortName;
    }

    private void allow(final ObjectState first, final ObjectState... rest)
    {
        successors = Collections.unmodifiableSet(EnumSet.of(first, rest));
    }

    /**
     * The display name of the state, as in the kernel's {@code fscache_object_states[]}.
     *
     * @return for example {@code "OBJECT_ACTIVE"}.
     */
    public String stateName()
    {
        return stateName;
    }

    /**
     * The four-letter name of the state, as in the kernel's object list ({@code fscache_object_states_short[]}).
     *
     * @return for example {@code "ACTV"}.
     */
    public String shortName()
    {
        return shortName;
    }

    /**
     * The states this state may move to.
     *
     * @return an unmodifiable set, empty for {@link #DEAD}.
     */
    public Set<ObjectState> successors()
    {
        return successors;
    }

    /**
     * Whether moving from this state to {@code next} is legal.
     *
     * @param next the proposed next state.
     * @return true if the transition is in the table.
     */
    public boolean canTransitionTo(final ObjectState next)
    {
        return successors.contains(next);
    }

    /**
     * Check a transition and return its target.
     *
     * @param next the next state.
     * @return {@code next}.
     * @throws IllegalStateException naming both states if the transition is not legal.
     */
    public ObjectState transitionTo(final ObjectState next)
    {
        if (!successors.contains(next))
        {
            throw new IllegalStateException("illegal object state transition: " + name() + " -> " + next.name());
        }

        return next;
    }

    /**
     * Whether an object in this state can run operations ({@code fscache_object_is_active} without the cache's
     * I/O-error test): {@link #AVAILABLE}, {@link #ACTIVE} and {@link #UPDATING}.
     *
     * @return true for the three running states.
     */
    public boolean isRunning()
    {
        return this == AVAILABLE || this == ACTIVE || this == UPDATING;
    }

    /**
     * Whether the object is still being looked up: {@link #INIT}, {@link #LOOKING_UP} or {@link #CREATING}.
     *
     * @return true before the object becomes available.
     */
    public boolean isBeforeAvailable()
    {
        return this == INIT || this == LOOKING_UP || this == CREATING;
    }

    /**
     * Whether the object is going away or gone: {@link #DYING} and every state after it in the kernel's ordering
     * ({@code state >= FSCACHE_OBJECT_DYING}).
     *
     * @return true from {@link #DYING} on.
     */
    public boolean isDying()
    {
        return ordinal() >= DYING.ordinal();
    }
}
