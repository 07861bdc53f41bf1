package org.cachefs.format;

/**
 * One inconsistency {@link Fsck#check} found: its kind, a one-line message that says what and where, and which mode
 * may repair it.
 *
 * @param kind    the class of corruption.
 * @param message what was found, e.g. {@code object 9: parent object 5 does not exist}.
 * @param repair  the least mode that repairs it, or {@link Repair#NONE}.
 */
public record FsckFinding(Kind kind, String message, Repair repair)
{
    /**
     * Who may repair a finding.
     */
    public enum Repair
    {
        /**
         * Repaired by {@code -p} and {@code -y}: the repair drops no cached object or page.
         */
        PREEN,

        /**
         * Repaired by {@code -y} only: the repair drops objects or pages that cannot be trusted.
         */
        YES,

        /**
         * Not repairable.
         */
        NONE
    }

    /**
     * The classes of corruption fsck detects, with the label of its per-kind summary and the repair that applies.
     */
    public enum Kind
    {
        /** A superblock slot fails validation while the other slot is valid: the repair commit rewrites it. */
        SLOT_DAMAGED("damaged superblock slot", Repair.PREEN),
        /** The slot that is not current holds an older generation than the one before the current one. */
        SLOT_STALE("stale superblock slot", Repair.PREEN),
        /** The backup superblock fails validation or disagrees with the current slot: it is rewritten. */
        BACKUP_DAMAGED("damaged backup superblock", Repair.PREEN),
        /** Neither slot is valid: with an intact backup, an empty cache is rebuilt from it (all data dropped). */
        NO_VALID_SLOT("no valid superblock slot", Repair.YES),
        /** The superblock counts more blocks than the device holds. */
        IMAGE_TRUNCATED("truncated image", Repair.NONE),
        /** A block of the current bitmap copy fails validation: the bitmap is recomputed. */
        BITMAP_CORRUPT("corrupt bitmap block", Repair.PREEN),
        /** An index leaf fails validation: the objects in it are dropped. */
        INDEX_LEAF_CORRUPT("corrupt index leaf", Repair.YES),
        /** An index branch fails validation: the objects below it are dropped. */
        INDEX_BRANCH_CORRUPT("corrupt index branch", Repair.YES),
        /** An index record's key is not above the previous record's: the record is dropped. */
        KEY_ORDER("index key out of order", Repair.YES),
        /** A node's keys lie outside the range its parent's separators give it: the index is rebuilt. */
        SEPARATOR("index separator out of range", Repair.PREEN),
        /** Several index records carry the same object id: all of them are dropped. */
        DUPLICATE_OBJECT_ID("duplicate object id", Repair.YES),
        /** An object's parent does not exist: the object is dropped. */
        ORPHAN_OBJECT("orphan object", Repair.YES),
        /** Objects whose parent chain loops without reaching the master index: they are dropped. */
        PARENT_CYCLE("parent cycle", Repair.YES),
        /** The commit record's next object id is not above every object id: it is raised. */
        NEXT_OBJECT_ID("next object id too low", Repair.PREEN),
        /** A page-map node fails validation: its object is dropped. */
        PAGEMAP_CORRUPT("corrupt page-map node", Repair.YES),
        /** An object's recorded page count differs from its page map's: the count is fixed. */
        PAGEMAP_COUNT("page count mismatch", Repair.PREEN),
        /** A page lies past its object's size (the store limit): the page is dropped. */
        PAGE_PAST_LIMIT("page past the store limit", Repair.YES),
        /** A data page's CRC32C differs from the one its page map records ({@code -f}): the page is dropped. */
        PAGE_CRC("bad page checksum", Repair.YES),
        /** A block is referenced by more than one structure: the later references are dropped. */
        DOUBLY_REFERENCED("doubly-referenced block", Repair.YES),
        /** A range of blocks marked used in the bitmap that nothing refers to: they are freed. */
        LEAKED_BLOCK("leaked block range", Repair.PREEN),
        /** A range of blocks in use but free in the bitmap: they are marked used. */
        REFERENCED_FREE_BLOCK("referenced free block range", Repair.PREEN),
        /** The commit record's object count is wrong. */
        COUNTER_OBJECTS("wrong object count", Repair.PREEN),
        /** The commit record's page count is wrong. */
        COUNTER_PAGES("wrong page count", Repair.PREEN),
        /** The commit record's used-block count differs from the bitmap's. */
        COUNTER_USED_BLOCKS("wrong used-block count", Repair.PREEN),
        /** The commit record's count of reserved, unused blocks differs from the objects' reservations. */
        COUNTER_RESERVED("wrong reserved-block count", Repair.PREEN);

        private final String label;
        private final Repair repair;

        Kind(final String label, final Repair repair)
        {
            this.label = label;
            this.repair = repair;
        }

        /**
         * @return the name of the kind in summaries, e.g. "orphan object".
         */
        public String label()
        {
            return label;
        }

        /**
         * @return the repair that usually applies to findings of this kind.
         */
        public Repair repair()
        {
            return repair;
        }
    }

    /**
     * Checks the components.
     *
     * @param kind    the class of corruption.
     * @param message what was found, e.g. {@code object 9: parent object 5 does not exist}.
     * @param repair  the least mode that repairs it, or {@link Repair#NONE}.
     * @throws IllegalArgumentException if one is null.
     */
    public FsckFinding
    {
        if (kind == null || message == null || repair == null)
        {
            throw new IllegalArgumentException("kind, message and repair must not be null");
        }
    }

    /**
     * @param kind    the class of corruption.
     * @param message what was found.
     * @return a finding with the usual repair of its kind.
     */
    public static FsckFinding of(final Kind kind, final String message)
    {
        return new FsckFinding(kind, message, kind.repair());
    }

    /**
     * @param mode the mode of the check.
     * @return true if {@code mode} repairs this finding.
     */
    public boolean repairableIn(final FsckOptions.Mode mode)
    {
        switch (repair)
        {
            case PREEN:
                return mode != FsckOptions.Mode.NO_CHANGES;
            case YES:
                return mode == FsckOptions.Mode.YES;
            default:
                return false;
        }
    }
}
