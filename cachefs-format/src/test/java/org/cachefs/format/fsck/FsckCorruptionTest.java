package org.cachefs.format.fsck;

import java.io.IOException;
import java.io.RandomAccessFile;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.function.Consumer;

import org.cachefs.format.Checksums;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.Fixtures;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckFinding.Kind;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.IndexNode;
import org.cachefs.format.NotFormattedException;
import org.cachefs.format.Superblock;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.cachefs.format.fsck.FsckRunner.CHECK;
import static org.cachefs.format.fsck.FsckRunner.PREEN;
import static org.cachefs.format.fsck.FsckRunner.YES;
import static org.cachefs.format.fsck.FsckRunner.checkUnchanged;
import static org.cachefs.format.fsck.FsckRunner.fsck;

/**
 * One test per class of corruption fsck detects, each with the exact findings: {@code -n} reports them and changes
 * nothing (exit 4); {@code -p} repairs what drops no data (exit 1) and refuses the rest (exit 4, nothing changed);
 * {@code -y} repairs (exit 1); a second check finds the image clean (exit 0), and the surviving objects and pages
 * are exactly those expected, byte for byte.
 */
class FsckCorruptionTest
{
    private static final int BLOCK = TestImage.BLOCK;
    private static final FsckOptions FORCE = CHECK.withForce(true);

    @TempDir
    Path dir;

    private TestImage image;

    /**
     * The common image: a volume index with two files, one of which has a child; a top-level file. Walk (key)
     * order: 5, 1, 2, 3, 4.
     */
    private TestImage base() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 1024);
        image.add(1, 0, "volume");
        image.add(2, 1, "alpha").pages(0, 3).size(3 * BLOCK);
        image.add(3, 1, "beta").pages(0, 2).reserved(8 * BLOCK);
        image.add(4, 3, "child").page(0);
        image.add(5, 0, "other").page(7);
        return image;
    }

    /**
     * Every object of {@link #base()} with its pages.
     */
    private static Map<Long, long[]> all()
    {
        final Map<Long, long[]> objects = new LinkedHashMap<>();
        objects.put(1L, new long[0]);
        objects.put(2L, new long[]{ 0, 1, 2 });
        objects.put(3L, new long[]{ 0, 1 });
        objects.put(4L, new long[]{ 0 });
        objects.put(5L, new long[]{ 7 });
        return objects;
    }

    private static Map<Long, long[]> without(final Map<Long, long[]> objects, final long... ids)
    {
        for (final long id : ids)
        {
            objects.remove(id);
        }
        return objects;
    }

    // ------------------------------------------------------------------------------------------- superblock slots

    @Test
    void damagedSlot0() throws IOException
    {
        base().commit();
        image.flipByte(0, 0);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.SLOT_DAMAGED,
            "superblock slot 0 (block 0) is damaged: corrupt superblock: device=cache.img block=0 magic " +
            "expected=0x53464548434143 actual=0x534645484341bc"));
        assertThat(check.output()).isEqualTo("damaged superblock slot: 1\n" +
            "cache.img: 1 error left uncorrected, 5 objects, 7 pages, 17/1024 blocks\n");
        assertThat(check.result().exitCode()).isEqualTo(FsckResult.EXIT_UNCORRECTED);

        assertRepaired(PREEN, 4, 0);
        assertSurvivors(all());
    }

    @Test
    void damagedSlot1() throws IOException
    {
        base().commit().recommit();
        image.flipByte(1, Superblock.LENGTH + CommitRecord.GENERATION_OFFSET);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.SLOT_DAMAGED,
            "superblock slot 1 (block 1) is damaged: corrupt commit record: device=cache.img block=1 crc " +
            "expected=" + storedCommitCrc(1) + " actual=" + actualCommitCrc(1)));

        assertRepaired(PREEN, 5, 1);
        assertSurvivors(all());
    }

    @Test
    void damagedCurrentSlotFallsBackToThePreviousCommit() throws IOException
    {
        base().commit().recommit();
        image.flipByte(0, 0);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.SLOT_DAMAGED,
            "superblock slot 0 (block 0) is damaged: corrupt superblock: device=cache.img block=0 magic " +
            "expected=0x53464548434143 actual=0x534645484341bc"));
        assertThat(check.result().generation()).isEqualTo(3);

        assertRepaired(PREEN, 4, 0);
        assertSurvivors(all());
    }

    @Test
    void bothSlotsDamagedWithAnIntactBackup() throws IOException
    {
        base().commit();
        image.flipByte(0, 0);
        image.flipByte(1, 0);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(
            new FsckFinding(Kind.SLOT_DAMAGED, "superblock slot 0 (block 0) is damaged: corrupt superblock: " +
                "device=cache.img block=0 magic expected=0x53464548434143 actual=0x534645484341bc",
                FsckFinding.Repair.YES),
            new FsckFinding(Kind.SLOT_DAMAGED, "superblock slot 1 (block 1) is damaged: corrupt superblock: " +
                "device=cache.img block=1 magic expected=0x53464548434143 actual=0x534645484341bc",
                FsckFinding.Repair.YES),
            new FsckFinding(Kind.NO_VALID_SLOT, "neither superblock slot is valid; the backup superblock at block " +
                "1023 is intact: rebuilding from it drops all cached data", FsckFinding.Repair.YES));
        assertThat(check.output()).isEqualTo("damaged superblock slot: 2\nno valid superblock slot: 1\n" +
            "cache.img: 3 errors left uncorrected\n");

        final FsckRunner preen = checkUnchanged(image.path(), PREEN);
        assertThat(preen.result().exitCode()).isEqualTo(FsckResult.EXIT_UNCORRECTED);
        assertThat(preen.output()).contains("cache.img: UNEXPECTED INCONSISTENCY: -p repairs only what drops no " +
            "cached data; run fsck.cachefs -y\n");

        final FsckRunner yes = fsck(image.path(), YES);
        assertThat(yes.output()).isEqualTo("damaged superblock slot: 2\nno valid superblock slot: 1\n" +
            "cache.img: rebuilt an empty cache from the backup superblock (all cached data dropped)\n" +
            "cache.img: 3 errors corrected, 0 objects, 0 pages, 5/1024 blocks\n");
        assertThat(yes.result().exitCode()).isEqualTo(FsckResult.EXIT_CORRECTED);
        assertClean();
        assertThat(image.header().commit().generation()).isEqualTo(2);
        assertThat(image.superblock().uuid()).isEqualTo(Fixtures.UUID_A);
        assertSurvivors(Map.of());
    }

    @Test
    void bothSlotsAndTheBackupDamagedCannotBeRepaired() throws IOException
    {
        base().commit();
        image.flipByte(0, Superblock.LABEL_OFFSET);
        image.flipByte(1, Superblock.LABEL_OFFSET);
        image.flipByte(1023, Superblock.LABEL_OFFSET);

        final FsckRunner yes = checkUnchanged(image.path(), YES);

        assertThat(yes.result().findings()).containsExactly(new FsckFinding(Kind.NO_VALID_SLOT,
            "neither superblock slot is valid and there is no intact backup superblock: corrupt superblock: " +
            "device=cache.img block=0 crc expected=" + storedSuperblockCrc(0) + " actual=" +
            actualSuperblockCrc(0, 0), FsckFinding.Repair.NONE));
        assertThat(yes.output()).isEqualTo("no valid superblock slot: 1\n" +
            "cache.img: some errors cannot be repaired; nothing was changed\n" +
            "cache.img: 1 error left uncorrected\n");
        assertThat(yes.result().exitCode()).isEqualTo(FsckResult.EXIT_UNCORRECTED);
    }

    @Test
    void noSuperblockMagicAnywhereIsNotAnImage() throws IOException
    {
        base().commit();
        image.flipByte(0, 0);
        image.flipByte(1, 0);
        image.flipByte(1023, 0);

        assertThatThrownBy(() -> fsck(image.path(), YES)).isExactlyInstanceOf(NotFormattedException.class)
            .hasMessage("cache.img does not contain a cachefs image (no superblock magic in block 0 or block 1)");
    }

    @Test
    void staleSlot() throws IOException
    {
        base().commit().recommit();
        image.editSlot(1, (superblock, commit, raw) -> commit.generation(1));

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.SLOT_STALE,
            "superblock slot 1 (block 1) is stale: it holds generation 1, the one before the current generation 4 " +
            "(slot 0) is 3"));

        assertRepaired(PREEN, 5, 1);
        assertSurvivors(all());
    }

    @Test
    void damagedBackup() throws IOException
    {
        base().commit();
        image.flipByte(1023, Superblock.LABEL_OFFSET);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        final ByteBuffer backup = Fixtures.readRaw(image.path(), 1023L * BLOCK, BLOCK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.BACKUP_DAMAGED,
            "backup superblock (block 1023) is damaged: corrupt superblock: device=cache.img block=1023 crc " +
            "expected=" + Checksums.hex(backup.getInt(Superblock.CRC_OFFSET)) + " actual=" +
            Checksums.hex(new Checksums().metadata(backup, 0, Superblock.LENGTH, Superblock.CRC_OFFSET, 1023,
                Superblock.SLOT_BACKUP))));

        assertRepaired(PREEN, 4, 0);
        assertThat(Fixtures.readRaw(image.path(), 1023L * BLOCK, BLOCK))
            .isEqualTo(Fixtures.readRaw(dir.resolve("cache.img"), 1023L * BLOCK, BLOCK));
        assertThat(new Superblock().wrap(Fixtures.readRaw(image.path(), 1023L * BLOCK, BLOCK)).label())
            .isEqualTo("test");
        assertSurvivors(all());
    }

    @Test
    void truncatedImageCannotBeRepaired() throws IOException
    {
        base().commit();
        try (RandomAccessFile file = new RandomAccessFile(image.path().toFile(), "rw"))
        {
            file.setLength(512L * BLOCK);
        }

        final FsckRunner yes = checkUnchanged(image.path(), YES);

        assertThat(yes.result().findings()).containsExactly(FsckFinding.of(Kind.IMAGE_TRUNCATED,
            "the superblock counts 1024 blocks (4194304 bytes) but cache.img holds 2097152 bytes: truncated image?"));
        assertThat(yes.result().exitCode()).isEqualTo(FsckResult.EXIT_UNCORRECTED);
    }

    // ------------------------------------------------------------------------------------------- commit record

    enum Counter
    {
        OBJECTS(Kind.COUNTER_OBJECTS, c -> c.objectCount(4), "commit record counts 4 objects, the index holds 5"),
        PAGES(Kind.COUNTER_PAGES, c -> c.pageCount(9), "commit record counts 9 pages, the page maps hold 7"),
        USED_BLOCKS(Kind.COUNTER_USED_BLOCKS, c -> c.usedBlocks(18),
            "commit record counts 18 used blocks, bitmap copy 1 marks 17"),
        RESERVED_BLOCKS(Kind.COUNTER_RESERVED, c -> c.reservedBlocks(0),
            "commit record counts 0 reserved blocks, the objects' reservations leave 6 unused");

        final Kind kind;
        final Consumer<CommitRecord> edit;
        final String message;

        Counter(final Kind kind, final Consumer<CommitRecord> edit, final String message)
        {
            this.kind = kind;
            this.edit = edit;
            this.message = message;
        }
    }

    @ParameterizedTest
    @EnumSource(Counter.class)
    void commitCountersWrong(final Counter counter) throws IOException
    {
        base().commit();
        image.editCommit(counter.edit);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(counter.kind, counter.message));

        assertRepaired(PREEN, 4, 0);
        assertSurvivors(all());
        final CommitRecord commit = image.header().commit();
        assertThat(commit.objectCount()).isEqualTo(5);
        assertThat(commit.pageCount()).isEqualTo(7);
        // object 3 reserves 8 pages (8 + 1 leaf + 4 blocks) and uses 2 (2 + 1 + 4)
        assertThat(commit.reservedBlocks()).isEqualTo(6);
        assertThat(commit.nextObjectId()).isEqualTo(6);
        // 5 outside the data region, 7 pages, 4 page-map leaves, 1 index leaf
        assertThat(commit.usedBlocks()).isEqualTo(17);
    }

    @Test
    void nextObjectIdTooLow() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 1024).nextObjectId(7);
        image.add(1, 0, "volume");
        image.add(2, 1, "alpha").page(0);
        image.add(9, 1, "late").page(0);
        image.commit();

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.NEXT_OBJECT_ID,
            "commit record's next object id 7 is not above object id 9"));

        assertRepaired(PREEN, 4, 0);
        assertThat(image.header().commit().nextObjectId()).isEqualTo(10);
        final Map<Long, long[]> expected = new LinkedHashMap<>();
        expected.put(1L, new long[0]);
        expected.put(2L, new long[]{ 0 });
        expected.put(9L, new long[]{ 0 });
        assertSurvivors(expected);
    }

    // ------------------------------------------------------------------------------------------- index tree

    @Test
    void corruptIndexLeaf() throws IOException
    {
        deepIndex();
        final long leaf = image.indexNodes(0).get(1);
        final long branch = image.indexNodes(1).get(0);
        assertThat(image.objectsIn(leaf)).containsExactly(11L, 12L, 13L, 14L, 15L, 16L, 17L, 18L, 19L, 20L);
        image.flipByte(leaf, 0);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        final List<FsckFinding> expected = new ArrayList<>();
        expected.add(FsckFinding.of(Kind.INDEX_LEAF_CORRUPT, "corrupt index node: device=cache.img block=" + leaf +
            " magic expected=0x49534643 actual=0x495346bc (index leaf referenced by index branch at block " +
            branch + " entry 1)"));
        final TreeSet<Long> lost = blocksOf(11, 20);
        lost.add(leaf);
        expected.addAll(leaked(lost));
        assertThat(check.result().findings()).containsExactlyElementsOf(expected);

        assertPreenRefuses();
        assertRepaired(YES, 4, 0);
        assertThat(fsck(image.path(), CHECK).output()).startsWith("cache.img: clean, 140 objects, 140 pages, ");
        assertDeepSurvivors(11, 20);
    }

    @Test
    void corruptIndexBranch() throws IOException
    {
        deepIndex();
        final long branch = image.indexNodes(1).get(1);
        final long root = image.indexNodes(2).get(0);
        final List<Long> leaves = image.indexNodes(0);
        image.flipByte(branch, 0);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        final List<FsckFinding> expected = new ArrayList<>();
        expected.add(FsckFinding.of(Kind.INDEX_BRANCH_CORRUPT, "corrupt index node: device=cache.img block=" + branch +
            " magic expected=0x49534643 actual=0x495346bc (index branch at level 1 referenced by index branch at " +
            "block " + root + " entry 1)"));
        final TreeSet<Long> lost = blocksOf(121, 150);
        lost.addAll(leaves.subList(12, 15));
        lost.add(branch);
        expected.addAll(leaked(lost));
        assertThat(check.result().findings()).containsExactlyElementsOf(expected);

        assertPreenRefuses();
        assertRepaired(YES, 4, 0);
        assertDeepSurvivors(121, 150);
    }

    @Test
    void keyOrderViolation() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 1024).unsorted();
        for (final int i : new int[]{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 10, 21, 22 })
        {
            image.add(i, 0, FsckTest.key(i)).page(0);
        }
        image.commit();
        final long first = image.indexNodes(0).get(0);
        final long second = image.indexNodes(0).get(1);
        final long branch = image.indexNodes(1).get(0);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(
            FsckFinding.of(Kind.SEPARATOR, "index leaf at block " + first + ": its keys lie outside the key range " +
                "index branch at block " + branch + " entry 0 gives it"),
            FsckFinding.of(Kind.KEY_ORDER, "index leaf at block " + second + " entry 0 (object 10): its key is not " +
                "above the key of object 20 before it"));

        assertPreenRefuses();
        assertRepaired(YES, 4, 0);
        final Map<Long, long[]> expected = new LinkedHashMap<>();
        for (final long i : new long[]{ 1, 2, 3, 4, 5, 6, 7, 8, 9, 20, 21, 22 })
        {
            expected.put(i, new long[]{ 0 });
        }
        assertSurvivors(expected);
    }

    @Test
    void separatorOutOfRange() throws IOException
    {
        deepIndex();
        final long root = image.indexNodes(2).get(0);
        final long branch = image.indexNodes(1).get(0);
        final long leaf = image.indexNodes(0).get(1);
        // raise the separator of the second leaf from key 11 to key 12: the leaf's first key falls below it
        image.resealIndexPath(List.of(root, branch), buffer ->
        {
            final IndexNode node = new IndexNode().wrap(buffer, BLOCK);
            final int at = node.entryOffset(1) + IndexNode.BRANCH_FIXED_LENGTH + 4;
            buffer.put(at, (byte)(buffer.get(at) + 1));
        });

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.SEPARATOR, "index leaf at block " +
            leaf + ": its keys lie outside the key range index branch at block " + branch + " entry 1 gives it"));

        assertRepaired(PREEN, 4, 0);
        assertDeepSurvivors(0, -1);
    }

    @Test
    void indexNodeReferencedTwice() throws IOException
    {
        deepIndex();
        final long root = image.indexNodes(2).get(0);
        final long branch = image.indexNodes(1).get(0);
        final List<Long> leaves = image.indexNodes(0);
        // entry 2 of the first level-1 branch points at the leaf of entry 1, with that leaf's check value
        image.resealIndexPath(List.of(root, branch), buffer ->
        {
            final IndexNode node = new IndexNode().wrap(buffer, BLOCK);
            buffer.putLong(node.entryOffset(2) + IndexNode.BRANCH_CHILD_OFFSET, node.child(1));
            buffer.putInt(node.entryOffset(2) + IndexNode.BRANCH_CHILD_CRC_OFFSET, node.childCrc(1));
        });

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        final List<FsckFinding> expected = new ArrayList<>();
        expected.add(FsckFinding.of(Kind.DOUBLY_REFERENCED, "block " + leaves.get(1) + " is referenced more than " +
            "once: again by index branch at block " + branch + " entry 2 as an index leaf"));
        final TreeSet<Long> lost = blocksOf(21, 30);
        lost.add(leaves.get(2));
        expected.addAll(leaked(lost));
        assertThat(check.result().findings()).containsExactlyElementsOf(expected);

        assertPreenRefuses();
        assertRepaired(YES, 4, 0);
        assertDeepSurvivors(21, 30);
    }

    @Test
    void aRepairWithoutRoomForItsMetadataChangesNothing() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 100);
        image.add(1, 0, "full").pages(0, 93);
        image.commit();
        assertThat(image.header().commit().usedBlocks()).isEqualTo(100);
        image.editCommit(commit -> commit.objectCount(0));

        final FsckRunner preen = checkUnchanged(image.path(), PREEN);

        assertThat(preen.output()).isEqualTo("wrong object count: 1\n" +
            "cache.img: repair not written: no free block left for the repair's metadata (0 blocks written)\n" +
            "cache.img: 1 error left uncorrected, 1 object, 93 pages, 100/100 blocks\n");
        assertThat(preen.result().exitCode()).isEqualTo(FsckResult.EXIT_UNCORRECTED);
    }

    @Test
    void duplicateObjectId() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 1024);
        image.add(1, 0, "volume");
        image.add(2, 1, "alpha").pages(0, 3);
        image.add(2, 1, "beta").pages(0, 2);
        image.add(4, 2, "child").page(0);
        image.add(5, 0, "other").page(7);
        image.commit();

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.DUPLICATE_OBJECT_ID,
            "object id 2 is used by 2 index records"));
        assertThat(check.result().droppedObjects()).isEqualTo(3);

        assertPreenRefuses();
        assertRepaired(YES, 4, 0);
        final Map<Long, long[]> expected = new LinkedHashMap<>();
        expected.put(1L, new long[0]);
        expected.put(5L, new long[]{ 7 });
        assertSurvivors(expected);
    }

    @Test
    void orphanObject() throws IOException
    {
        base();
        image.add(6, 99, "lost").pages(0, 2);
        image.add(7, 6, "lost-child").page(0);
        image.commit();

        final FsckRunner check = checkUnchanged(image.path(), CHECK.withVerbose(true));
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.ORPHAN_OBJECT,
            "object 6: parent object 99 does not exist"));
        assertThat(check.output()).isEqualTo("object 6: parent object 99 does not exist\n" +
            "cache.img: 1 error left uncorrected, 5 objects, 7 pages, 22/1024 blocks\n");
        assertThat(check.result().droppedObjects()).isEqualTo(2);

        assertPreenRefuses();
        assertRepaired(YES, 4, 0);
        assertSurvivors(all());
    }

    @Test
    void parentCycle() throws IOException
    {
        base();
        image.add(8, 9, "loop-a").page(0);
        image.add(9, 8, "loop-b").page(0);
        image.add(10, 9, "below-the-loop").page(0);
        image.commit();

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.PARENT_CYCLE,
            "objects 9 -> 8 -> 9: the parent chain loops without reaching the master index (0)"));
        assertThat(check.result().droppedObjects()).isEqualTo(3);

        assertPreenRefuses();
        assertRepaired(YES, 4, 0);
        assertSurvivors(all());
    }

    // ------------------------------------------------------------------------------------------- page maps

    @Test
    void corruptPageMapNode() throws IOException
    {
        base().commit();
        final long leaf = image.pageMapRoot(3);
        image.flipByte(leaf, 0);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        final List<FsckFinding> expected = new ArrayList<>();
        expected.add(FsckFinding.of(Kind.PAGEMAP_CORRUPT, "corrupt page-map node: device=cache.img block=" + leaf +
            " magic expected=0x50534643 actual=0x505346bc (page map of object 3)"));
        expected.addAll(leaked(new TreeSet<>(List.of(image.dataBlock(3, 0), image.dataBlock(3, 1), leaf))));
        assertThat(check.result().findings()).containsExactlyElementsOf(expected);
        assertThat(check.result().droppedObjects()).isEqualTo(2);

        assertPreenRefuses();
        assertRepaired(YES, 4, 0);
        assertSurvivors(without(all(), 3, 4));
    }

    @Test
    void pageMapCountMismatch() throws IOException
    {
        base();
        image.objects().get(1).recordedPages(5);
        image.commit();

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.PAGEMAP_COUNT,
            "object 2 records 5 pages, its page map holds 3"));

        assertRepaired(PREEN, 4, 0);
        assertSurvivors(all());
    }

    @Test
    void pagePastTheStoreLimit() throws IOException
    {
        base();
        image.objects().get(1).size(BLOCK + 1).recordedPages(3);
        image.objects().get(2).size(0);
        image.commit();

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(
            FsckFinding.of(Kind.PAGE_PAST_LIMIT, "page 2 of object 2 (block " + image.dataBlock(2, 2) + ") lies " +
                "past the object's size: it holds 2 pages"),
            FsckFinding.of(Kind.PAGE_PAST_LIMIT, "page 0 of object 3 (block " + image.dataBlock(3, 0) + ") lies " +
                "past the object's size: it holds 0 pages"),
            FsckFinding.of(Kind.PAGE_PAST_LIMIT, "page 1 of object 3 (block " + image.dataBlock(3, 1) + ") lies " +
                "past the object's size: it holds 0 pages"));
        assertThat(check.output()).isEqualTo("page past the store limit: 3\n" +
            "cache.img: 3 errors left uncorrected, 5 objects, 4 pages, 17/1024 blocks\n");

        assertPreenRefuses();
        final FsckRunner yes = fsck(image.path(), YES);
        assertThat(yes.output()).contains("cache.img: repair committed as generation 4 (dropped 0 objects, 3 pages)\n");
        assertClean();
        final Map<Long, long[]> expected = all();
        expected.put(2L, new long[]{ 0, 1 });
        expected.put(3L, new long[0]);
        assertSurvivors(expected);
        assertThat(ImageModel.read(image.path()).objects().get(3L).height()).isEqualTo(0);
    }

    @Test
    void badPageChecksumIsFoundOnlyWithForce() throws IOException
    {
        base().commit();
        final long block = image.dataBlock(3, 1);
        image.flipByte(block, 100);

        assertThat(checkUnchanged(image.path(), CHECK).result().exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);
        assertThat(checkUnchanged(image.path(), YES).result().exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);

        final FsckRunner check = checkUnchanged(image.path(), FORCE);
        final ByteBuffer data = Fixtures.readRaw(image.path(), block * BLOCK, BLOCK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.PAGE_CRC,
            "page 1 of object 3 (block " + block + "): crc32c expected=" +
            Checksums.hex(new Checksums().page(3, 1, TestImage.pageData(3, 1))) + " actual=" +
            Checksums.hex(new Checksums().page(3, 1, data))));

        assertThat(checkUnchanged(image.path(), PREEN.withForce(true)).result().exitCode())
            .isEqualTo(FsckResult.EXIT_UNCORRECTED);
        assertRepaired(YES.withForce(true), 4, 0);
        final Map<Long, long[]> expected = all();
        expected.put(3L, new long[]{ 0 });
        assertSurvivors(expected);
    }

    // ------------------------------------------------------------------------------------------- blocks

    @Test
    void leakedBlock() throws IOException
    {
        base().commit();
        image.setBitmapBit(500, true);
        image.editCommit(commit -> commit.usedBlocks(commit.usedBlocks() + 1));

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.LEAKED_BLOCK,
            "block 500 is marked used in bitmap copy 1 but nothing refers to it"));

        assertRepaired(PREEN, 4, 0);
        assertSurvivors(all());
        assertThat(image.header().commit().usedBlocks()).isEqualTo(17);
    }

    @Test
    void aPageMapSharedByManyRecordsIsWalkedOnce() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 1024).nextObjectId(100);
        image.add(1, 0, "volume");
        image.add(2, 1, "alpha").pages(0, 3);
        for (int i = 0; i < 40; i++)
        {
            image.add(2, 1, String.format("copy-%02d", i)).shareMapOf(2, 3);
        }
        image.add(5, 0, "other").page(7);
        image.commit();
        final long root = image.pageMapRoot(2);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        final List<FsckFinding> expected = new ArrayList<>();
        for (int i = 0; i < 40; i++)
        {
            expected.add(FsckFinding.of(Kind.DOUBLY_REFERENCED, "block " + root + " is referenced more than once: " +
                "again by the page map of object 2 as a level-0 node from page 0, already part of a page map"));
        }
        expected.add(FsckFinding.of(Kind.DUPLICATE_OBJECT_ID, "object id 2 is used by 41 index records"));
        assertThat(check.result().findings()).containsExactlyElementsOf(expected);

        assertPreenRefuses();
        final FsckRunner yes = fsck(image.path(), YES);
        assertThat(yes.result().exitCode()).isEqualTo(FsckResult.EXIT_CORRECTED);
        assertClean();
        final Map<Long, long[]> survivors = new LinkedHashMap<>();
        survivors.put(1L, new long[0]);
        survivors.put(5L, new long[]{ 7 });
        assertSurvivors(survivors);
    }

    @Test
    void referencedBlockMarkedFree() throws IOException
    {
        base().commit();
        final long block = image.dataBlock(2, 1);
        image.setBitmapBit(block, false);
        image.editCommit(commit -> commit.usedBlocks(commit.usedBlocks() - 1));

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.REFERENCED_FREE_BLOCK,
            "block " + block + " is in use but free in bitmap copy 1"));

        assertRepaired(PREEN, 4, 0);
        assertSurvivors(all());
    }

    @Test
    void doublyReferencedBlock() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 1024);
        image.add(1, 0, "volume");
        image.add(2, 1, "alpha").pages(0, 3).size(3 * BLOCK);
        image.add(3, 1, "beta").pages(0, 2).alias(5, 2, 1);
        image.commit();
        final long block = image.dataBlock(2, 1);
        assertThat(image.dataBlock(3, 5)).isEqualTo(block);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.DOUBLY_REFERENCED,
            "block " + block + " is referenced more than once: again by page 5 of object 3"));

        assertPreenRefuses();
        final FsckRunner yes = fsck(image.path(), YES);
        assertThat(yes.output()).contains("(dropped 0 objects, 1 page)");
        assertClean();
        final Map<Long, long[]> expected = new LinkedHashMap<>();
        expected.put(1L, new long[0]);
        expected.put(2L, new long[]{ 0, 1, 2 });
        expected.put(3L, new long[]{ 0, 1 });
        assertSurvivors(expected);
    }

    @Test
    void pageMapPointingAtAnIndexNode() throws IOException
    {
        base().commit();
        final long indexLeaf = image.indexNodes(0).get(0);
        final long ownBlock = image.dataBlock(3, 1);
        image.repointPage(3, 1, indexLeaf, List.of(indexLeaf));
        assertPageDroppedForPointingAt(indexLeaf, ownBlock);
    }

    @Test
    void pageMapPointingAtAnotherObjectsPageMapNode() throws IOException
    {
        base().commit();
        final long node = image.pageMapRoot(2);
        final long ownBlock = image.dataBlock(3, 1);
        image.repointPage(3, 1, node, List.of(image.indexNodes(0).get(0)));
        assertPageDroppedForPointingAt(node, ownBlock);
    }

    /**
     * Page 1 of object 3 points at the metadata block {@code target} (its CRC32C and every check value above
     * re-sealed): the block is doubly referenced and the page's own block {@code ownBlock} is leaked; {@code -y}
     * drops the page, and every other page and the node survive.
     */
    private void assertPageDroppedForPointingAt(final long target, final long ownBlock) throws IOException
    {
        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(
            FsckFinding.of(Kind.DOUBLY_REFERENCED, "block " + target + " is referenced more than once: again by " +
                "page 1 of object 3"),
            FsckFinding.of(Kind.LEAKED_BLOCK, "block " + ownBlock + " is marked used in bitmap copy 1 but nothing " +
                "refers to it"));

        assertPreenRefuses();
        final FsckRunner yes = fsck(image.path(), YES);
        assertThat(yes.result().exitCode()).isEqualTo(FsckResult.EXIT_CORRECTED);
        assertThat(yes.output()).contains("(dropped 0 objects, 1 page)");
        assertClean();
        final Map<Long, long[]> expected = all();
        expected.put(3L, new long[]{ 0 });
        assertSurvivors(expected);
    }

    @Test
    void corruptBitmapBlock() throws IOException
    {
        base().commit();
        image.flipByte(3, 0);

        final FsckRunner check = checkUnchanged(image.path(), CHECK);
        assertThat(check.result().findings()).containsExactly(FsckFinding.of(Kind.BITMAP_CORRUPT,
            "corrupt bitmap block: device=cache.img block=3 magic expected=0x42534643 actual=0x425346bc (bitmap " +
            "copy 1 block 0)"));

        assertRepaired(PREEN, 4, 0);
        assertSurvivors(all());
    }

    // ------------------------------------------------------------------------------------------- helpers

    /**
     * @return the data and page-map blocks of the deep index's objects {@code [from, to]}.
     */
    private TreeSet<Long> blocksOf(final long from, final long to)
    {
        final TreeSet<Long> blocks = new TreeSet<>();
        for (long id = from; id <= to; id++)
        {
            blocks.add(image.dataBlock(id, 0));
            blocks.add(image.pageMapRoot(id));
        }
        return blocks;
    }

    /**
     * @return the leaked-block findings for {@code blocks}: one per run of consecutive blocks, in block order.
     */
    private static List<FsckFinding> leaked(final TreeSet<Long> blocks)
    {
        final List<FsckFinding> findings = new ArrayList<>();
        final Long[] sorted = blocks.toArray(new Long[0]);
        for (int start = 0; start < sorted.length; )
        {
            int end = start + 1;
            while (end < sorted.length && sorted[end] == sorted[end - 1] + 1)
            {
                end++;
            }
            final int count = end - start;
            findings.add(FsckFinding.of(Kind.LEAKED_BLOCK, count == 1 ?
                "block " + sorted[start] + " is marked used in bitmap copy 1 but nothing refers to it" :
                "blocks " + sorted[start] + "-" + sorted[end - 1] + " (" + count + " blocks) are marked used in " +
                "bitmap copy 1 but nothing refers to them"));
            start = end;
        }
        return findings;
    }

    /**
     * 150 top-level objects of one page each with 300-byte keys: 15 leaves, two level-1 branches (12 and 3
     * leaves), a root.
     */
    private void deepIndex() throws IOException
    {
        image = TestImage.format(dir.resolve("cache.img"), 1024);
        for (int i = 1; i <= 150; i++)
        {
            image.add(i, 0, FsckTest.key(i)).page(0);
        }
        image.commit();
        assertThat(image.indexNodes(1)).hasSize(2);
    }

    /**
     * Asserts that the deep index's objects survive except ids {@code [from, to]}.
     */
    private void assertDeepSurvivors(final long from, final long to) throws IOException
    {
        final Map<Long, long[]> expected = new LinkedHashMap<>();
        for (long i = 1; i <= 150; i++)
        {
            if (i < from || i > to)
            {
                expected.put(i, new long[]{ 0 });
            }
        }
        assertSurvivors(expected);
    }

    private void assertPreenRefuses() throws IOException
    {
        final FsckRunner preen = checkUnchanged(image.path(), PREEN);
        assertThat(preen.result().exitCode()).isEqualTo(FsckResult.EXIT_UNCORRECTED);
        assertThat(preen.result().repaired()).isFalse();
        assertThat(preen.output()).contains("cache.img: UNEXPECTED INCONSISTENCY: -p repairs only what drops no " +
            "cached data; run fsck.cachefs -y\n");
    }

    /**
     * Repairs with {@code options}: exit 1, the new commit {@code generation} in {@code slot}; then the image
     * checks clean, also with {@code -f}. A {@code -p} repair is checked against {@code -y} on a copy: the same
     * objects and pages survive.
     */
    private void assertRepaired(final FsckOptions options, final long generation, final int slot)
        throws IOException
    {
        Map<Long, ImageModel.ObjectView> withYes = null;
        if (options.mode() == FsckOptions.Mode.PREEN)
        {
            final Path copy = dir.resolve("copy.img");
            java.nio.file.Files.copy(image.path(), copy, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            final FsckRunner yes = fsck(copy, YES.withForce(options.force()));
            assertThat(yes.result().exitCode()).as(yes.output()).isEqualTo(FsckResult.EXIT_CORRECTED);
            assertThat(checkUnchanged(copy, FORCE).result().exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);
            withYes = ImageModel.read(copy).objects();
        }
        final FsckRunner repair = fsck(image.path(), options);
        assertThat(repair.result().exitCode()).as(repair.output()).isEqualTo(FsckResult.EXIT_CORRECTED);
        assertThat(repair.result().repaired()).isTrue();
        assertThat(repair.result().generation()).isEqualTo(generation);
        assertThat(repair.output()).contains("cache.img: repair committed as generation " + generation + " (");
        assertThat(image.header().slot()).isEqualTo(slot);
        assertThat(image.header().commit().generation()).isEqualTo(generation);
        assertThat(image.header().commit().clean()).isTrue();
        assertThat(image.header().problems()).isEmpty();
        assertClean();
        if (withYes != null)
        {
            assertThat(ImageModel.read(image.path()).objects()).isEqualTo(withYes);
        }
    }

    private void assertClean() throws IOException
    {
        final FsckRunner again = checkUnchanged(image.path(), FORCE.withVerbose(true));
        assertThat(again.result().findings()).isEmpty();
        assertThat(again.output()).startsWith("cache.img: clean, ");
        assertThat(again.result().exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);
    }

    /**
     * Asserts that exactly the {@code expected} objects are in the image, with their records as written and exactly
     * the given pages, byte for byte, and that the commit record counts them.
     */
    private void assertSurvivors(final Map<Long, long[]> expected) throws IOException
    {
        final ImageModel model = ImageModel.read(image.path());
        assertThat(model.objects().keySet()).containsExactlyInAnyOrderElementsOf(expected.keySet());
        long pages = 0;
        for (final Map.Entry<Long, long[]> entry : expected.entrySet())
        {
            final ImageModel.ObjectView view = model.objects().get(entry.getKey());
            final TestImage.Obj written = image.objects().stream().filter(o -> o.id == entry.getKey())
                .findFirst().orElseThrow();
            assertThat(view.parent()).isEqualTo(written.parent);
            assertThat(view.key()).isEqualTo(new String(written.key, java.nio.charset.StandardCharsets.ISO_8859_1));
            assertThat(view.size()).isEqualTo(written.size);
            assertThat(view.reservedBytes()).isEqualTo(written.reservedBytes);
            assertThat(view.accessTime()).isEqualTo(TestImage.ACCESS_TIME);
            assertThat(view.pages()).as("pages of object %d", entry.getKey())
                .isEqualTo(ImageModel.expectedPages(entry.getKey(), entry.getValue()));
            assertThat(view.recordedPages()).isEqualTo(entry.getValue().length);
            pages += entry.getValue().length;
        }
        assertThat(model.commit().objectCount()).isEqualTo(expected.size());
        assertThat(model.commit().pageCount()).isEqualTo(pages);
    }

    /**
     * @return the check value stored in the commit record of slot {@code slot}, as a message shows it.
     */
    private String storedCommitCrc(final int slot) throws IOException
    {
        final ByteBuffer block = Fixtures.readRaw(image.path(), (long)slot * BLOCK, BLOCK);
        return Checksums.hex(block.getInt(CommitRecord.SLOT_OFFSET + CommitRecord.CRC_OFFSET));
    }

    private String storedSuperblockCrc(final long block) throws IOException
    {
        return Checksums.hex(Fixtures.readRaw(image.path(), block * BLOCK, BLOCK).getInt(Superblock.CRC_OFFSET));
    }

    private String actualSuperblockCrc(final long block, final int slot) throws IOException
    {
        return Checksums.hex(new Checksums().metadata(Fixtures.readRaw(image.path(), block * BLOCK, BLOCK), 0,
            Superblock.LENGTH, Superblock.CRC_OFFSET, block, slot));
    }

    private String actualCommitCrc(final int slot) throws IOException
    {
        final ByteBuffer block = Fixtures.readRaw(image.path(), (long)slot * BLOCK, BLOCK);
        return Checksums.hex(new Checksums().metadata(block, CommitRecord.SLOT_OFFSET, CommitRecord.LENGTH,
            CommitRecord.CRC_OFFSET, slot, CommitRecord.MAGIC));
    }
}
