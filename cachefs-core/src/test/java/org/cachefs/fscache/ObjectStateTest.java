package org.cachefs.fscache;

import org.cachefs.fscache.spi.ObjectState;
import org.junit.jupiter.api.Test;

import java.util.EnumSet;
import java.util.Map;
import java.util.Set;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.fscache.spi.ObjectState.ABORT_INIT;
import static org.cachefs.fscache.spi.ObjectState.ACTIVE;
import static org.cachefs.fscache.spi.ObjectState.AVAILABLE;
import static org.cachefs.fscache.spi.ObjectState.CREATING;
import static org.cachefs.fscache.spi.ObjectState.DEAD;
import static org.cachefs.fscache.spi.ObjectState.DYING;
import static org.cachefs.fscache.spi.ObjectState.INIT;
import static org.cachefs.fscache.spi.ObjectState.LC_DYING;
import static org.cachefs.fscache.spi.ObjectState.LOOKING_UP;
import static org.cachefs.fscache.spi.ObjectState.RECYCLING;
import static org.cachefs.fscache.spi.ObjectState.RELEASING;
import static org.cachefs.fscache.spi.ObjectState.UPDATING;
import static org.cachefs.fscache.spi.ObjectState.WITHDRAWING;

class ObjectStateTest
{
    private static final Map<ObjectState, Set<ObjectState>> LEGAL = Map.ofEntries(
        Map.entry(INIT, EnumSet.of(LOOKING_UP, ABORT_INIT, ACTIVE)),
        Map.entry(LOOKING_UP, EnumSet.of(CREATING, AVAILABLE, LC_DYING)),
        Map.entry(CREATING, EnumSet.of(AVAILABLE, LC_DYING)),
        Map.entry(AVAILABLE, EnumSet.of(ACTIVE, UPDATING, DYING)),
        Map.entry(ACTIVE, EnumSet.of(UPDATING, DYING)),
        Map.entry(UPDATING, EnumSet.of(ACTIVE, DYING)),
        Map.entry(DYING, EnumSet.of(RELEASING, RECYCLING, WITHDRAWING)),
        Map.entry(LC_DYING, EnumSet.of(DYING)),
        Map.entry(ABORT_INIT, EnumSet.of(DYING)),
        Map.entry(RELEASING, EnumSet.of(DEAD)),
        Map.entry(RECYCLING, EnumSet.of(DEAD)),
        Map.entry(WITHDRAWING, EnumSet.of(DEAD)),
        Map.entry(DEAD, EnumSet.noneOf(ObjectState.class)));

    @Test
    void hasTheThirteenStatesOfTheKernelInOrder()
    {
        assertThat(ObjectState.values()).containsExactly(
            INIT, LOOKING_UP, CREATING, AVAILABLE, ACTIVE, UPDATING, DYING, LC_DYING, ABORT_INIT, RELEASING,
            RECYCLING, WITHDRAWING, DEAD);
    }

    @Test
    void everyLegalTransitionIsAllowedAndEveryOtherRefused()
    {
        for (final ObjectState from : ObjectState.values())
        {
            assertThat(from.successors()).as("successors of %s", from).isEqualTo(LEGAL.get(from));
            for (final ObjectState to : ObjectState.values())
            {
                final boolean legal = LEGAL.get(from).contains(to);
                assertThat(from.canTransitionTo(to)).as("%s -> %s", from, to).isEqualTo(legal);
                if (legal)
                {
                    assertThat(from.transitionTo(to)).isSameAs(to);
                }
                else
                {
                    assertThatThrownBy(() -> from.transitionTo(to))
                        .isInstanceOf(IllegalStateException.class)
                        .hasMessage("illegal object state transition: " + from.name() + " -> " + to.name());
                }
            }
        }
    }

    @Test
    void illegalTransitionMessagesNameBothStates()
    {
        assertThatThrownBy(() -> ACTIVE.transitionTo(CREATING))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("illegal object state transition: ACTIVE -> CREATING");
        assertThatThrownBy(() -> DEAD.transitionTo(INIT))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("illegal object state transition: DEAD -> INIT");
        assertThatThrownBy(() -> DYING.transitionTo(DYING))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("illegal object state transition: DYING -> DYING");
    }

    @Test
    void stateNamesAreThoseOfTheKernel()
    {
        assertThat(INIT.stateName()).isEqualTo("OBJECT_INIT");
        assertThat(LOOKING_UP.stateName()).isEqualTo("OBJECT_LOOKING_UP");
        assertThat(CREATING.stateName()).isEqualTo("OBJECT_CREATING");
        assertThat(AVAILABLE.stateName()).isEqualTo("OBJECT_AVAILABLE");
        assertThat(ACTIVE.stateName()).isEqualTo("OBJECT_ACTIVE");
        assertThat(UPDATING.stateName()).isEqualTo("OBJECT_UPDATING");
        assertThat(DYING.stateName()).isEqualTo("OBJECT_DYING");
        assertThat(LC_DYING.stateName()).isEqualTo("OBJECT_LC_DYING");
        assertThat(ABORT_INIT.stateName()).isEqualTo("OBJECT_ABORT_INIT");
        assertThat(RELEASING.stateName()).isEqualTo("OBJECT_RELEASING");
        assertThat(RECYCLING.stateName()).isEqualTo("OBJECT_RECYCLING");
        assertThat(WITHDRAWING.stateName()).isEqualTo("OBJECT_WITHDRAWING");
        assertThat(DEAD.stateName()).isEqualTo("OBJECT_DEAD");

        final StringBuilder shortNames = new StringBuilder();
        for (final ObjectState state : ObjectState.values())
        {
            shortNames.append(state.shortName()).append(' ');
        }
        assertThat(shortNames.toString().trim())
            .isEqualTo("INIT LOOK CRTN AVBL ACTV UPDT DYNG LCDY ABTI RELS RCYC WTHD DEAD");
    }

    @Test
    void classifiesStates()
    {
        assertThat(EnumSet.allOf(ObjectState.class).stream().filter(ObjectState::isRunning))
            .containsExactly(AVAILABLE, ACTIVE, UPDATING);
        assertThat(EnumSet.allOf(ObjectState.class).stream().filter(ObjectState::isBeforeAvailable))
            .containsExactly(INIT, LOOKING_UP, CREATING);
        assertThat(EnumSet.allOf(ObjectState.class).stream().filter(ObjectState::isDying))
            .containsExactly(DYING, LC_DYING, ABORT_INIT, RELEASING, RECYCLING, WITHDRAWING, DEAD);
    }
}
