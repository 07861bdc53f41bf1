package org.cachefs.format.fsck;

import java.util.ArrayList;
import java.util.List;

import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckFinding.Kind;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * The hierarchy checks on their own: duplicates, orphans, cycles and what falls with them, iteratively however deep.
 */
class ObjectTableTest
{
    private final Findings findings = new Findings(null, false);

    private static List<Long> kept(final ObjectTable table)
    {
        final List<Long> ids = new ArrayList<>();
        for (int i = 0; i < table.size(); i++)
        {
            if (!table.dropped(i))
            {
                ids.add(table.id(i));
            }
        }
        return ids;
    }

    @Test
    void keepsAnIntactHierarchy()
    {
        final ObjectTable table = new ObjectTable();
        table.add(3, 2);
        table.add(1, 0);
        table.add(2, 1);
        table.add(4, 1);
        table.resolve(findings);

        assertThat(findings.listed()).isEmpty();
        assertThat(kept(table)).containsExactly(3L, 1L, 2L, 4L);
    }

    @Test
    void dropsDuplicatesOrphansCyclesAndEverythingBelowThem()
    {
        final ObjectTable table = new ObjectTable();
        table.add(1, 0);
        table.add(2, 1);
        table.add(2, 1);
        table.add(5, 2);
        table.add(6, 99);
        table.add(7, 6);
        table.add(8, 9);
        table.add(9, 10);
        table.add(10, 8);
        table.add(11, 10);
        table.add(12, 12);
        table.add(13, 1);
        table.add(14, 13);
        table.flag(11, ObjectTable.DROP);
        table.resolve(findings);

        assertThat(findings.listed()).containsExactly(
            FsckFinding.of(Kind.DUPLICATE_OBJECT_ID, "object id 2 is used by 2 index records"),
            FsckFinding.of(Kind.ORPHAN_OBJECT, "object 6: parent object 99 does not exist"),
            FsckFinding.of(Kind.PARENT_CYCLE, "objects 8 -> 9 -> 10 -> 8: the parent chain loops without " +
                "reaching the master index (0)"),
            FsckFinding.of(Kind.PARENT_CYCLE, "objects 12 -> 12: the parent chain loops without reaching the " +
                "master index (0)"));
        assertThat(kept(table)).containsExactly(1L);
        assertThat(table.keptObjects()).isEqualTo(1);
    }

    @Test
    void resolvesAChainOfAMillionObjectsWithoutRecursion()
    {
        final ObjectTable table = new ObjectTable();
        final int depth = 1_000_000;
        for (int id = depth; id >= 1; id--)
        {
            table.add(id, id - 1);
            table.pages(depth - id, 2);
        }
        table.resolve(findings);

        assertThat(findings.listed()).isEmpty();
        assertThat(table.keptObjects()).isEqualTo(depth);
        assertThat(table.keptPages()).isEqualTo(2L * depth);
    }

    @Test
    void aLongCycleIsNamedShortly()
    {
        final ObjectTable table = new ObjectTable();
        for (int id = 1; id <= 100; id++)
        {
            table.add(id, id == 100 ? 1 : id + 1);
        }
        table.resolve(findings);

        assertThat(findings.listed()).containsExactly(FsckFinding.of(Kind.PARENT_CYCLE, "objects 1 -> 2 -> 3 -> 4 " +
            "-> 5 -> 6 -> 7 -> 8 -> ... (100 objects): the parent chain loops without reaching the master index (0)"));
        assertThat(table.keptObjects()).isZero();
    }
}
