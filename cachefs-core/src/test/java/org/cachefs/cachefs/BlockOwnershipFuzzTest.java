package org.cachefs.cachefs;

import java.io.IOException;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;

import org.cachefs.format.FsckFinding;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random block-ownership damage, seeded: each image is the template (40 files, an index of several nodes, one- and
 * two-level page maps, some with space reserved) with one to three page-map pointers rewritten to a free block, another object's page, another
 * page of the same object, an index node, another object's page-map node or the object's own page-map node, every
 * node above re-sealed so that only ownership is wrong. Each image is mounted and used through the public API: some
 * files read, every file looked up, damaged files discarded, rewritten or truncated, blocks reused by many writes, every file read
 * again, a remount and every file read once more, fsck, a last mount that reads every file. Mount options vary: a
 * node cache of 16 nodes (nodes evicted and read again), commits forced every 64 dirty nodes, write-through. Every page read must be exactly the bytes written or a miss;
 * files the damage did not touch (neither damaged nor owning a block a damaged pointer names) must serve every page
 * every time; the cache must never be withdrawn; fsck must find only leaked blocks, which {@code -p} repairs.
 * <p>
 * 40 images in a plain build; {@code -Dcachefs.fuzz.iterations=N} runs N, {@code -Dcachefs.test.seed=S} replays from
 * seed S (printed with any failure).
 */
class BlockOwnershipFuzzTest
{
    private static final long SEED = Long.getLong("cachefs.test.seed", 0x0B10C5L);
    private static final int ITERATIONS = Integer.getInteger("cachefs.fuzz.iterations", 40);
    private static final int FILES = 40;
    private static final int KEY_LENGTH = 60;
    private static final Set<FsckFinding.Kind> LEAKED = Set.of(FsckFinding.Kind.LEAKED_BLOCK);

    private long pagesChecked;
    private long wrongBytes;
    private long misses;
    private long untouchedPagesChecked;
    private long droppedPageMaps;
    private long quarantinedPages;
    private long restoredBlocks;

    @Test
    void damagedOwnershipNeverServesWrongBytesAndCostsOnlyTheDamagedObjects() throws IOException
    {
        try (DamageFixture.StoreLog log = new DamageFixture.StoreLog())
        {
            fuzz(log);
        }
    }

    private void fuzz(final DamageFixture.StoreLog log) throws IOException
    {
        final DamageFixture fixture = new DamageFixture(SEED, 1024, FILES, 3, KEY_LENGTH);
        final ImageMap template = ImageMap.of(fixture.image());
        assertThat(template.indexNodes()).as("an index of several nodes").hasSizeGreaterThan(1);
        for (int i = 0; i < ITERATIONS; i++)
        {
            final long seed = SEED + i;
            try
            {
                run(fixture, seed);
            }
            catch (final AssertionError | IOException | RuntimeException ex)
            {
                throw new AssertionError("image " + i + " failed with seed " + seed +
                    " (replay with -Dcachefs.test.seed=" + seed + " -Dcachefs.fuzz.iterations=1)", ex);
            }
        }
        System.out.printf("block-ownership fuzz seed=%d: %d damaged images, %d pages checked (%d of untouched " +
            "files), %d misses, %d wrong bytes; %d page maps dropped, %d pages quarantined, %d blocks restored%n",
            SEED, ITERATIONS, pagesChecked, untouchedPagesChecked, misses, wrongBytes, droppedPageMaps,
            quarantinedPages, restoredBlocks);
        assertThat(wrongBytes).isZero();
        assertThat(pagesChecked).isGreaterThan(ITERATIONS * 3L * fixture.pages());
        // One warning per page map dropped, nothing else.
        assertThat(log.records).hasSize((int)droppedPageMaps)
            .allMatch(r -> r.getLevel() == java.util.logging.Level.WARNING);
    }

    private void run(final DamageFixture fixture, final long seed) throws IOException
    {
        final Random random = new Random(seed);
        final ImageMap map = ImageMap.of(fixture.image());
        final ImageMap.Obj volume = map.objects().values().stream()
            .filter(o -> o.key().equals(ApiSession.VOLUME)).findFirst().orElseThrow();
        final List<ImageMap.Obj> files = new ArrayList<>();
        for (int n = 0; n < FILES; n++)
        {
            files.add(map.object(volume.id(), DamageFixture.name(n, KEY_LENGTH)));
        }
        final TreeSet<String> damaged = new TreeSet<>();
        final TreeSet<String> touched = new TreeSet<>();
        final int mutations = 1 + random.nextInt(3);
        for (int m = 0; m < mutations; m++)
        {
            final ImageMap.Obj victim = files.get(random.nextInt(FILES));
            final ImageMap.Entry entry = pick(random, victim.pages().values());
            final ImageMap.Obj other = files.get(random.nextInt(FILES));
            final long target;
            switch (random.nextInt(6))
            {
                case 0 -> target = pick(random, map.freeBlocks());
                case 1 -> target = pick(random, other.pages().values()).block();
                case 2 -> target = pick(random, victim.pages().values()).block();
                case 3 -> target = pick(random, map.indexNodes());
                case 4 -> target = pick(random, other.nodes());
                default -> target = pick(random, victim.nodes());
            }
            map.repoint(entry, target);
            damaged.add(victim.key());
            touched.add(victim.key());
            for (final ImageMap.Obj owner : files)
            {
                if (owner.nodes().contains(target) ||
                    owner.pages().values().stream().anyMatch(e -> e.block() == target))
                {
                    touched.add(owner.key());
                }
            }
        }
        final TreeMap<String, TreeMap<Long, byte[]>> model = fixture.copyOfModel();
        final List<String> names = new ArrayList<>(model.keySet());
        final TreeSet<String> discarded = new TreeSet<>();
        // A small node cache makes nodes evicted and read again, so that their checks meet later allocator states.
        final MountOptions options = ApiSession.OPTIONS
            .withNodeCacheSize(random.nextBoolean() ? 16 : MountOptions.defaults().nodeCacheSize())
            .withMaxDirtyNodes(random.nextBoolean() ? 64 : MountOptions.defaults().maxDirtyNodes())
            .withWriteBehind(random.nextInt(4) != 0);
        byte[] image;
        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(map.image(), options))
        {
            // Some files read, every file looked up (so that every index node is met).
            Collections.shuffle(names, random);
            for (final String name : names)
            {
                if (random.nextInt(10) < 7)
                {
                    check(name, DamageFixture.readBack(mounted.session, model, List.of(name)), touched);
                }
                else
                {
                    mounted.session.relinquish(mounted.session.acquire(
                        new org.cachefs.fscache.TestFile(name).aux(DamageFixture.AUX)), false);
                }
            }
            // Damaged files discarded, rewritten (a page stored into the damaged map) or truncated.
            for (final String name : damaged)
            {
                final TreeMap<Long, byte[]> pages = model.get(name);
                switch (random.nextInt(4))
                {
                    case 0 ->
                    {
                        fixture.discard(mounted.session, name);
                        discarded.add(name);
                    }
                    case 1 ->
                    {
                        final long index = pick(random, pages.keySet());
                        final byte[] data = ApiSession.content(seed, name, index, 2);
                        DamageFixture.rewrite(mounted.session, name, index, data);
                        pages.put(index, data);
                    }
                    case 2 ->
                    {
                        if (pages.size() < 2)
                        {
                            break;
                        }
                        final long keep = 1 + random.nextInt(pages.size() - 1);
                        DamageFixture.truncate(mounted.session, name, keep);
                        pages.tailMap(keep).clear();
                    }
                    default ->
                    {
                        // left as it is
                    }
                }
            }
            DamageFixture.churn(mounted.session, seed, 2 + random.nextInt(3), 150 + random.nextInt(200));
            readAll(model, mounted, names, discarded, touched, random);
            tallyStats(mounted);
            assertThat(mounted.usage("ioErrors")).isZero();
            image = mounted.unmount();
        }
        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(image, options))
        {
            readAll(model, mounted, names, discarded, touched, random);
            tallyStats(mounted);
            assertThat(mounted.usage("ioErrors")).isZero();
            image = mounted.unmount();
        }
        DamageFixture.assertPreenRepairs(image, LEAKED);
        try (DamageFixture.Mounted mounted = new DamageFixture.Mounted(image))
        {
            readAll(model, mounted, names, discarded, touched, random);
            assertThat(mounted.usage("droppedPageMaps")).as("page maps dropped after fsck -p").isZero();
            mounted.unmount();
        }
    }

    private void readAll(
        final Map<String, TreeMap<Long, byte[]>> model,
        final DamageFixture.Mounted mounted,
        final List<String> names,
        final Set<String> discarded,
        final Set<String> touched,
        final Random random)
    {
        Collections.shuffle(names, random);
        for (final String name : names)
        {
            if (!discarded.contains(name))
            {
                check(name, DamageFixture.readBack(mounted.session, model, List.of(name)), touched);
            }
        }
    }

    private void check(final String name, final DamageFixture.Tally tally, final Set<String> touched)
    {
        pagesChecked += tally.pages;
        wrongBytes += tally.wrongBytes;
        misses += tally.misses;
        assertThat(tally.wrong).as("pages served with wrong bytes").isEmpty();
        for (final Map.Entry<String, TreeSet<Long>> missed : tally.missed.entrySet())
        {
            assertThat(touched).as("file %s, untouched by the damage, missed pages %s", missed.getKey(),
                missed.getValue()).contains(missed.getKey());
        }
        if (!touched.contains(name))
        {
            untouchedPagesChecked += tally.pages;
        }
    }

    private void tallyStats(final DamageFixture.Mounted mounted)
    {
        droppedPageMaps += mounted.usage("droppedPageMaps");
        quarantinedPages += mounted.usage("quarantinedPages");
        restoredBlocks += mounted.usage("restoredBlocks");
    }

    private static <T> T pick(final Random random, final java.util.Collection<T> from)
    {
        final List<T> list = new ArrayList<>(from);
        return list.get(random.nextInt(list.size()));
    }
}
