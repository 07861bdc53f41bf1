package org.cachefs.cachefs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;

import org.cachefs.format.CorruptCacheException;
import org.cachefs.format.FsckFinding;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Page maps whose pointers give a block to the wrong owner, the image otherwise consistent (every node and its
 * parent's recorded CRC32C re-sealed): a block the bitmap calls free, another object's page, an index node, another
 * object's page-map node, another page of the same object. Through the public API only, each costs the damaged
 * object (or page) and nothing else: no wrong byte is served, no page answers NO_BUFS, the cache is not withdrawn,
 * every other object serves every page after many writes that reuse freed blocks and after a remount, and fsck of
 * the unmounted image finds only what {@code -p} repairs.
 */
class BlockOwnershipDamageTest
{
    private static final long SEED = Long.getLong("cachefs.test.seed", 0xDA3A6EL);
    private static final int FILES = 8;
    private static final Set<FsckFinding.Kind> LEAKED = Set.of(FsckFinding.Kind.LEAKED_BLOCK);

    private static DamageFixture fixture;

    @BeforeAll
    static void template() throws IOException
    {
        fixture = new DamageFixture(SEED, 1024, FILES, 8, 8);
    }

    private final DamageFixture.Tally tally = new DamageFixture.Tally();
    /** What the store logs: one warning per page map dropped, kept off the console. */
    private final DamageFixture.StoreLog log = new DamageFixture.StoreLog();

    @AfterEach
    void closeLog()
    {
        log.close();
    }

    private static String file(final int n)
    {
        return DamageFixture.name(n, 8);
    }

    private static ImageMap.Obj object(final ImageMap map, final int n)
    {
        final ImageMap.Obj volume = map.objects().values().stream().filter(o -> o.key().equals(ApiSession.VOLUME))
            .findFirst().orElseThrow();
        return map.object(volume.id(), file(n));
    }

    /**
     * @return the blocks of the object's pages and page-map nodes in the image before damage.
     */
    private static TreeSet<Long> blocksOf(final ImageMap.Obj object)
    {
        final TreeSet<Long> blocks = new TreeSet<>(object.nodes());
        object.pages().values().forEach(entry -> blocks.add(entry.block()));
        return blocks;
    }

    private static List<String> allBut(final int... excluded)
    {
        final List<String> files = new ArrayList<>();
        next:
        for (int n = 0; n < FILES; n++)
        {
            for (final int x : excluded)
            {
                if (x == n)
                {
                    continue next;
                }
            }
            files.add(file(n));
        }
        return files;
    }

    /**
     * Reads {@code files}, which must serve every page exactly, and the damaged {@code victim}, whose pages must be
     * exact or missing; adds up the tally.
     */
    private DamageFixture.Tally readAll(final DamageFixture.Mounted mounted, final List<String> files)
    {
        final DamageFixture.Tally read = fixture.readBack(mounted.session, files);
        tally.add(read);
        assertThat(read.wrong).as("pages served with wrong bytes").isEmpty();
        return read;
    }

    private void assertAllServed(final DamageFixture.Mounted mounted, final List<String> files)
    {
        final DamageFixture.Tally read = readAll(mounted, files);
        assertThat(read.missed).as("misses of undamaged files").isEmpty();
        assertThat(read.hits).isEqualTo(files.stream().mapToLong(f -> fixture.model.get(f).size()).sum());
    }

    /**
     * After the damage was dealt with: many writes reusing freed blocks, every undamaged file served; a remount,
     * every undamaged file served again; no error reached FS-Cache and the cache was never withdrawn.
     *
     * @return the image, unmounted.
     */
    private byte[] churnAndRemount(final DamageFixture.Mounted mounted, final List<String> undamaged)
        throws IOException
    {
        DamageFixture.churn(mounted.session, SEED, 6, 200);
        assertAllServed(mounted, undamaged);
        assertThat(mounted.usage("ioErrors")).isZero();
        final byte[] image = mounted.unmount();
        try (DamageFixture.Mounted again = new DamageFixture.Mounted(image))
        {
            assertAllServed(again, undamaged);
            assertThat(again.usage("droppedPageMaps")).isZero();
            assertThat(again.usage("ioErrors")).isZero();
            final byte[] after = again.unmount();
            assertThat(tally.wrongBytes).isZero();
            return after;
        }
    }

    // ------------------------------------------------------------------------------------------- a free block

    @Test
    void aPageMapPointingAtABlockTheBitmapCallsFreeCostsThatObjectWhenItIsRead() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj victim = object(map, 3);
        final ImageMap.Entry entry = victim.pages().get(3L);
        final long free = map.freeBlocks().last();
        map.repoint(entry, free);

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            assertAllServed(mounted, allBut(3, 4, 5, 6, 7));
            final DamageFixture.Tally read = readAll(mounted, List.of(file(3)));
            assertThat(read.hits).isZero();
            assertThat(read.misses).isEqualTo(9);
            final String error = "corrupt page-map node: device=cache.img block=" + entry.leaf() + " entry 3 " +
                "(object " + victim.id() + ", page 3) points at block " + free + ", which the bitmap marks free";
            assertThat(mounted.backend().corruptions()).extracting(CorruptCacheException::getMessage)
                .containsExactly(error);
            assertThat(log.messages()).containsExactly("WARNING cachefs cache.img: dropped the 9 pages of object " +
                victim.id() + ", whose page map is corrupt (its blocks stay allocated until fsck): " + error);
            assertThat(mounted.backend().corruptions().get(0).block()).isEqualTo(entry.leaf());
            assertThat(mounted.usage("droppedPageMaps")).isEqualTo(1);
            assertThat(mounted.usage("droppedPages")).isEqualTo(9);
            assertThat(mounted.usage("ioErrors")).isZero();
            assertAllServed(mounted, allBut(3));
            final byte[] image = churnAndRemount(mounted, allBut(3));
            // The object's blocks, its page 3's own block among them, stay allocated until fsck frees them.
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).isEqualTo(blocksOf(victim));
        }
    }

    @Test
    void aPageMapPointingAtABlockTheBitmapCallsFreeCostsThatObjectWhenItIsDiscarded() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj victim = object(map, 3);
        final ImageMap.Entry entry = victim.pages().get(3L);
        final long free = map.freeBlocks().last();
        map.repoint(entry, free);

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            fixture.discard(mounted.session, file(3));
            assertThat(mounted.backend().corruptions()).extracting(CorruptCacheException::getMessage)
                .containsExactly("corrupt page-map node: device=cache.img block=" + entry.leaf() + " entry 3 " +
                    "(object " + victim.id() + ", page 3) points at block " + free + ", which the bitmap marks free");
            assertThat(mounted.usage("droppedPageMaps")).isEqualTo(1);
            assertThat(mounted.usage("ioErrors")).isZero();
            assertAllServed(mounted, allBut(3));
            final byte[] image = churnAndRemount(mounted, allBut(3));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).isEqualTo(blocksOf(victim));
        }
    }

    /**
     * A damaged object with space reserved, written to or truncated before it is read: the damage is met inside the
     * write (the page is then stored into a new, empty page map) or inside the truncation, and the space figures
     * stay exact (fsck checks the reserved-block count of the commit against the objects' reservations).
     */
    @ParameterizedTest(name = "truncate: {0}")
    @ValueSource(booleans = { true, false })
    void aDamagedObjectWithAReservationWrittenOrTruncatedKeepsTheCountsExact(final boolean truncate)
        throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj victim = object(map, 5);
        map.repoint(victim.pages().get(3L), map.freeBlocks().last());
        final java.util.TreeMap<String, java.util.TreeMap<Long, byte[]>> model = fixture.copyOfModel();

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            final long reservedBefore = mounted.backend().snapshot().reservedBlocks();
            final long pagesBefore = mounted.backend().snapshot().pages();
            final byte[] rewritten = ApiSession.content(SEED, file(5), 6, 2);
            if (truncate)
            {
                DamageFixture.truncate(mounted.session, file(5), 4);
                model.get(file(5)).tailMap(4L).clear();
            }
            else
            {
                DamageFixture.rewrite(mounted.session, file(5), 6, rewritten);
                model.get(file(5)).put(6L, rewritten);
            }
            assertThat(mounted.usage("droppedPageMaps")).isEqualTo(1);
            assertThat(mounted.usage("droppedPages")).isEqualTo(8);
            final DamageFixture.Tally read = DamageFixture.readBack(mounted.session, model, List.of(file(5)));
            tally.add(read);
            assertThat(read.wrong).isEmpty();
            assertThat(read.hits).isEqualTo(truncate ? 0 : 1);
            // The 8 pages dropped used 8 + 1 + 4 blocks of the reservation (pages, their leaf, the overhead); a page
            // written into the new map uses 1 + 1 + 4.
            assertThat(mounted.backend().snapshot().reservedBlocks())
                .isEqualTo(reservedBefore + (8 + 1 + 4) - (truncate ? 0 : 1 + 1 + 4));
            assertThat(mounted.backend().snapshot().pages()).isEqualTo(pagesBefore - 8 + (truncate ? 0 : 1));
            assertAllServed(mounted, allBut(5));
            final byte[] image = churnAndRemount(mounted, allBut(5));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).isEqualTo(blocksOf(victim));
        }
    }

    /**
     * A double reference met by rewrites: rewriting the owning page frees the shared block; rewriting the other page
     * then finds its previous block freed already, which costs the object its page map (the new page with it) and
     * keeps the reservation figure exact.
     */
    @Test
    void aDoubleReferenceMetByARewriteDropsThePageMapAndKeepsTheCountsExact() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj victim = object(map, 5);
        final long shared = victim.pages().get(1L).block();
        map.repoint(victim.pages().get(6L), shared);

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            final long reservedBefore = mounted.backend().snapshot().reservedBlocks();
            final long pagesBefore = mounted.backend().snapshot().pages();
            DamageFixture.rewrite(mounted.session, file(5), 1, ApiSession.content(SEED, file(5), 1, 2));
            assertThat(mounted.backend().corruptions()).isEmpty();
            DamageFixture.rewrite(mounted.session, file(5), 6, ApiSession.content(SEED, file(5), 6, 2));
            assertThat(mounted.backend().corruptions()).extracting(CorruptCacheException::getMessage)
                .containsExactly("corrupt page map: device=cache.img block=" + shared + " page 6 of object " +
                    victim.id() + " points at block " + shared + ", which was freed since the last commit");
            assertThat(mounted.usage("droppedPages")).isEqualTo(8);
            assertThat(mounted.backend().snapshot().reservedBlocks()).isEqualTo(reservedBefore + 8 + 1 + 4);
            assertThat(mounted.backend().snapshot().pages()).isEqualTo(pagesBefore - 8);
            final DamageFixture.Tally read = readAll(mounted, List.of(file(5)));
            assertThat(read.hits).isZero();
            final byte[] image = churnAndRemount(mounted, allBut(5));
            // The object's data blocks but the shared one, and the blocks of the two pages written, stay allocated;
            // its leaf was freed when the first rewrite copied it.
            final TreeSet<Long> old = blocksOf(victim);
            old.remove(shared);
            old.removeAll(victim.nodes());
            final TreeSet<Long> leaked = DamageFixture.leakedBlocks(DamageFixture.assertPreenRepairs(image, LEAKED));
            assertThat(leaked).containsAll(old).hasSize(old.size() + 2);
        }
    }

    // ------------------------------------------------------------------------------------------- another object's page

    @Test
    void crossLinkedPageMapsServeTheOwnerAndMissTheOtherPage() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Entry entry = object(map, 1).pages().get(4L);
        map.repoint(entry, object(map, 0).pages().get(5L).block());

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            final DamageFixture.Tally read = readAll(mounted, allBut());
            assertThat(read.missed).containsOnlyKeys(file(1));
            assertThat(read.missed.get(file(1))).containsExactly(4L);
            assertThat(mounted.backend().checksumMismatches()).isEqualTo(1);
            assertThat(mounted.usage("quarantinedPages")).isEqualTo(1);
            assertThat(mounted.backend().corruptions()).isEmpty();
            final byte[] image = churnAndRemount(mounted, allBut(1));
            // Only page 4's own block, which the damage orphaned, is left over.
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).containsExactly(entry.block());
        }
    }

    @Test
    void aCrossLinkedObjectDiscardedUnreadFreesTheSharedBlockAndTheOwnerTakesItBack() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Entry entry = object(map, 1).pages().get(4L);
        final long shared = object(map, 0).pages().get(5L).block();
        map.repoint(entry, shared);

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            // Nothing tells the discarded object's pointer from the owner's: the shared block is freed with it ...
            fixture.discard(mounted.session, file(1));
            assertThat(mounted.usage("restoredBlocks")).isZero();
            // ... until the owner's page map is read: the block holds the owner's page, so it is the owner's again.
            assertAllServed(mounted, allBut(1));
            assertThat(mounted.usage("restoredBlocks")).isEqualTo(1);
            assertThat(mounted.backend().corruptions()).isEmpty();
            final byte[] image = churnAndRemount(mounted, allBut(1));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).containsExactly(entry.block());
        }
    }

    /**
     * The owner's leaf read only after the shared block, freed with the discarded object, was written again: the
     * owner's page map now names a block that holds something else, and it costs the owner its page map (never its
     * bytes, never another object).
     */
    @Test
    void aCrossLinkedObjectDiscardedUnreadCostsTheOwnerItsPageMapOnceTheBlockIsReused() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Entry entry = object(map, 1).pages().get(4L);
        final ImageMap.Obj owner = object(map, 0);
        final ImageMap.Entry shared = owner.pages().get(5L);
        map.repoint(entry, shared.block());

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            fixture.discard(mounted.session, file(1));
            assertAllServed(mounted, allBut(0, 1));
            DamageFixture.churn(mounted.session, SEED, 6, 500);
            assertThat(blockChanged(mounted, map, shared.block())).as("block %d written again", shared.block())
                .isTrue();
            final DamageFixture.Tally read = readAll(mounted, List.of(file(0)));
            assertThat(read.hits).isZero();
            assertThat(mounted.backend().corruptions()).hasSize(1);
            assertThat(mounted.backend().corruptions().get(0).getMessage()).startsWith("corrupt page-map node: " +
                "device=cache.img block=" + shared.leaf() + " entry 5 (object " + owner.id() + ", page 5) points " +
                "at block " + shared.block() + ", which ");
            final byte[] image = churnAndRemount(mounted, allBut(0, 1));
            final TreeSet<Long> leaked = blocksOf(owner);
            leaked.remove(shared.block());
            leaked.add(entry.block());
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).isEqualTo(leaked);
        }
    }

    /**
     * @return true if {@code block} of the mounted device differs from the damaged image it was mounted from.
     */
    private static boolean blockChanged(final DamageFixture.Mounted mounted, final ImageMap map, final long block)
    {
        final int at = (int)(block * ApiSession.PAGE_SIZE);
        return !java.util.Arrays.equals(mounted.device.contents(), at, at + ApiSession.PAGE_SIZE,
            map.image(), at, at + ApiSession.PAGE_SIZE);
    }

    // ------------------------------------------------------------------------------------------- metadata

    @ParameterizedTest(name = "read first: {0}")
    @ValueSource(booleans = { true, false })
    void aPageMapPointingAtAnIndexNodeIsAMissAndNeverFreesTheNode(final boolean readFirst) throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj victim = object(map, 2);
        final ImageMap.Entry entry = victim.pages().get(2L);
        final long indexNode = map.indexNodes().get(0);
        map.repoint(entry, indexNode);

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            if (readFirst)
            {
                final DamageFixture.Tally read = readAll(mounted, List.of(file(2)));
                assertThat(read.hits).isZero();
                assertThat(read.misses).isEqualTo(8);
            }
            fixture.discard(mounted.session, file(2));
            assertThat(mounted.backend().corruptions()).extracting(CorruptCacheException::getMessage)
                .containsExactly("corrupt page-map node: device=cache.img block=" + entry.leaf() + " entry 2 " +
                    "(object " + victim.id() + ", page 2) points at block " + indexNode +
                    ", which holds a metadata node");
            assertThat(mounted.usage("droppedPageMaps")).isEqualTo(1);
            final byte[] image = churnAndRemount(mounted, allBut(2));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).isEqualTo(blocksOf(victim));
        }
    }

    @Test
    void aPageMapPointingAtAnotherObjectsPageMapNodeReadBeforeIsAMissAndNeverFreesTheNode() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj victim = object(map, 4);
        final ImageMap.Entry entry = victim.pages().get(1L);
        final long node = object(map, 5).nodes().get(0);
        map.repoint(entry, node);

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            assertAllServed(mounted, List.of(file(5)));
            final DamageFixture.Tally read = readAll(mounted, List.of(file(4)));
            assertThat(read.misses).isEqualTo(8);
            assertThat(mounted.backend().corruptions()).extracting(CorruptCacheException::getMessage)
                .containsExactly("corrupt page-map node: device=cache.img block=" + entry.leaf() + " entry 1 " +
                    "(object " + victim.id() + ", page 1) points at block " + node + ", which holds a metadata node");
            fixture.discard(mounted.session, file(4));
            assertThat(mounted.usage("droppedPageMaps")).isEqualTo(1);
            final byte[] image = churnAndRemount(mounted, allBut(4));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).isEqualTo(blocksOf(victim));
        }
    }

    @Test
    void aPageMapPointingAtAnotherObjectsPageMapNodeNotReadYetMissesThatPageOnly() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Entry entry = object(map, 4).pages().get(1L);
        map.repoint(entry, object(map, 5).nodes().get(0));

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            // The node is not known yet: the page fails its CRC32C, and is forgotten without freeing the block.
            final DamageFixture.Tally read = readAll(mounted, List.of(file(4)));
            assertThat(read.missed).isEqualTo(java.util.Map.of(file(4), new TreeSet<>(List.of(1L))));
            assertThat(mounted.usage("quarantinedPages")).isEqualTo(1);
            fixture.discard(mounted.session, file(4));
            assertThat(mounted.backend().corruptions()).isEmpty();
            final byte[] image = churnAndRemount(mounted, allBut(4));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).containsExactly(entry.block());
        }
    }

    @Test
    void aNodeFreedThroughACrossLinkIsKeptWhenItIsReadBeforeItsBlockIsReused() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Entry entry = object(map, 4).pages().get(1L);
        map.repoint(entry, object(map, 5).nodes().get(0));

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            // Discarded unread, the object frees the other object's node block through its pointer ...
            fixture.discard(mounted.session, file(4));
            // ... which is marked in use again as soon as the node is read and found intact.
            assertAllServed(mounted, List.of(file(5)));
            assertThat(mounted.usage("restoredBlocks")).isEqualTo(1);
            final byte[] image = churnAndRemount(mounted, allBut(4));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).containsExactly(entry.block());
        }
    }

    /**
     * The residual risk: a pointer into a node no read of this mount has met cannot be told from a data page's, so
     * discarding its object frees the node's block; once that block is written again, the node fails its check and
     * its own object loses its pages. Still no wrong byte, and every other object stays.
     */
    @Test
    void aCrossLinkIntoANodeNotReadThisMountCostsOnlyThatNodesObject() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Entry entry = object(map, 4).pages().get(1L);
        final ImageMap.Obj owner = object(map, 5);
        final long node = owner.nodes().get(0);
        map.repoint(entry, node);

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            fixture.discard(mounted.session, file(4));
            DamageFixture.churn(mounted.session, SEED, 6, 500);
            assertThat(blockChanged(mounted, map, node)).as("block %d written again", node).isTrue();
            final DamageFixture.Tally read = readAll(mounted, List.of(file(5)));
            assertThat(read.hits).isZero();
            assertThat(mounted.backend().corruptions()).hasSize(1);
            assertThat(mounted.backend().corruptions().get(0).getMessage())
                .startsWith("corrupt page-map node: device=cache.img block=" + node + " ");
            assertThat(mounted.usage("droppedPageMaps")).isEqualTo(1);
            final byte[] image = churnAndRemount(mounted, allBut(4, 5));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            final TreeSet<Long> leaked = blocksOf(owner);
            leaked.remove(node);
            leaked.add(entry.block());
            assertThat(DamageFixture.leakedBlocks(findings)).isEqualTo(leaked);
        }
    }

    // ------------------------------------------------------------------------------------------- within one object

    @Test
    void aDoubleReferenceInsideOneObjectServesTheOwningPageAndMissesTheOther() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj victim = object(map, 6);
        final ImageMap.Entry entry = victim.pages().get(6L);
        map.repoint(entry, victim.pages().get(1L).block());

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            final DamageFixture.Tally read = readAll(mounted, allBut());
            assertThat(read.missed).isEqualTo(java.util.Map.of(file(6), new TreeSet<>(List.of(6L))));
            assertThat(mounted.usage("quarantinedPages")).isEqualTo(1);
            final byte[] image = churnAndRemount(mounted, allBut(6));
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).containsExactly(entry.block());
        }
    }

    @Test
    void aDoubleReferenceInsideOneObjectDiscardedUnreadFreesTheBlockOnce() throws IOException
    {
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj victim = object(map, 6);
        final ImageMap.Entry entry = victim.pages().get(6L);
        final long shared = victim.pages().get(1L).block();
        map.repoint(entry, shared);

        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image()))
        {
            fixture.discard(mounted.session, file(6));
            assertThat(mounted.backend().corruptions()).extracting(CorruptCacheException::getMessage)
                .containsExactly("corrupt page map: device=cache.img block=" + shared + " page 6 of object " +
                    victim.id() + " points at block " + shared + ", which was freed since the last commit");
            assertThat(mounted.usage("droppedPageMaps")).isEqualTo(1);
            final byte[] image = churnAndRemount(mounted, allBut(6));
            // Pages 0-5 were freed before page 6 gave the damage away; the rest of the object stays allocated.
            final TreeSet<Long> leaked = blocksOf(victim);
            for (long page = 0; page <= 5; page++)
            {
                leaked.remove(victim.pages().get(page).block());
            }
            final List<FsckFinding> findings = DamageFixture.assertPreenRepairs(image, LEAKED);
            assertThat(DamageFixture.leakedBlocks(findings)).isEqualTo(leaked);
        }
    }
}
