package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.TestFile;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * What CacheFS keeps across unmount and mount, driven through the public FS-Cache API only: pages byte for byte,
 * object and page counts, coherency data and its verdicts, in the same JVM and across JVMs, after a clean unmount
 * and after a JVM halted without one. The pages and their contents derive from one seed
 * ({@code -Dcachefs.test.seed}), printed with any failure.
 */
class CacheFsPersistenceTest
{
    private static final long SEED = Long.getLong("cachefs.test.seed", 0x5EEDCAFEL);

    /** The netfs primary index and the volume index, besides the data files. */
    private static final int INDEX_OBJECTS = 2;

    @TempDir
    Path dir;
    private Path image;

    @BeforeEach
    void format() throws IOException
    {
        image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(16L << 20), null);
    }

    private interface Body
    {
        void run() throws Exception;
    }

    private static void seeded(final Body body) throws Exception
    {
        try
        {
            body.run();
        }
        catch (final AssertionError | Exception ex)
        {
            throw new AssertionError("failed with seed " + SEED + " (replay with -Dcachefs.test.seed=" + SEED + ")",
                ex);
        }
    }

    private static int count(final TreeMap<String, TreeSet<Long>> plan)
    {
        return plan.values().stream().mapToInt(TreeSet::size).sum();
    }

    @Test
    void pagesAndObjectsSurviveACleanUnmountByteForByte() throws Exception
    {
        seeded(() ->
        {
            final TreeMap<String, TreeSet<Long>> plan = CacheFsChild.plan(SEED);
            final TreeMap<String, TreeMap<Long, byte[]>> expected = new TreeMap<>();
            try (ApiSession session = ApiSession.mount(image))
            {
                assertThat(session.backend.wasClean()).isTrue();
                for (final Map.Entry<String, TreeSet<Long>> file : plan.entrySet())
                {
                    final TreeMap<Long, byte[]> pages = new TreeMap<>();
                    final Cookie cookie = session.acquire(new TestFile(file.getKey()).aux("v1"));
                    for (final long index : file.getValue())
                    {
                        final byte[] data = ApiSession.content(SEED, file.getKey(), index, 1);
                        session.storeNew(cookie, index, data);
                        pages.put(index, data);
                    }
                    // Rewrites: the last write of a page is what stays.
                    for (final long index : List.of(pages.firstKey(), pages.lastKey()))
                    {
                        final byte[] data = ApiSession.content(SEED, file.getKey(), index, 2);
                        session.store(cookie, index, data);
                        pages.put(index, data);
                    }
                    session.relinquish(cookie, false);
                    expected.put(file.getKey(), pages);
                }
                final StoreSnapshot snapshot = session.backend.snapshot();
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + plan.size());
                assertThat(snapshot.pages()).isEqualTo(count(plan));
            }

            try (ApiSession session = ApiSession.mount(image))
            {
                assertThat(session.backend.wasClean()).isTrue();
                StoreSnapshot snapshot = session.backend.snapshot();
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + plan.size());
                assertThat(snapshot.pages()).isEqualTo(count(plan));
                assertThat(snapshot.mountCount()).isEqualTo(2);
                assertThat(snapshot.mountedClean()).isTrue();
                for (final Map.Entry<String, TreeMap<Long, byte[]>> file : expected.entrySet())
                {
                    final TestFile netfsFile = new TestFile(file.getKey()).aux("v1");
                    final Cookie cookie = session.acquire(netfsFile);
                    for (final Map.Entry<Long, byte[]> page : file.getValue().entrySet())
                    {
                        assertThat(ApiSession.difference(page.getValue(), session.load(cookie, page.getKey())))
                            .as("%s page %d", file.getKey(), page.getKey()).isNull();
                    }
                    for (final long absent : new long[]{ 600, 601, 63_999, 65_000, 1L << 20 })
                    {
                        assertThat(session.load(cookie, absent)).as("%s page %d", file.getKey(), absent).isNull();
                    }
                    assertThat(netfsFile.verdicts()).containsExactly(CheckAux.OKAY);
                    assertThat(netfsFile.seenAux()).containsExactly("v1");
                    session.relinquish(cookie, false);
                }
                snapshot = session.backend.snapshot();
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + plan.size());
                assertThat(snapshot.pages()).as("misses allocate nothing that stays").isEqualTo(count(plan));
            }
        });
    }

    @Test
    void obsoleteAuxDiscardsThePagesAndNeedsUpdateKeepsThemWithTheNewAux() throws Exception
    {
        seeded(() ->
        {
            try (ApiSession session = ApiSession.mount(image))
            {
                final Cookie keep = session.acquire(new TestFile("keep").aux("v1"));
                final Cookie stale = session.acquire(new TestFile("stale").aux("v1"));
                for (int i = 0; i < 5; i++)
                {
                    session.storeNew(keep, i, ApiSession.content(SEED, "keep", i, 1));
                }
                for (int i = 0; i < 7; i++)
                {
                    session.storeNew(stale, i, ApiSession.content(SEED, "stale", i, 1));
                }
                assertThat(session.backend.snapshot().pages()).isEqualTo(12);
            }

            try (ApiSession session = ApiSession.mount(image))
            {
                assertThat(session.backend.snapshot().pages()).isEqualTo(12);
                final TestFile obsolete = new TestFile("stale").aux("v1").verdict(CheckAux.OBSOLETE);
                final Cookie stale = session.acquire(obsolete);
                for (int i = 0; i < 7; i++)
                {
                    assertThat(session.load(stale, i)).as("obsolete page %d", i).isNull();
                }
                assertThat(obsolete.verdicts()).containsExactly(CheckAux.OBSOLETE);
                StoreSnapshot snapshot = session.backend.snapshot();
                assertThat(snapshot.pages()).isEqualTo(5);
                assertThat(snapshot.objects()).as("the obsolete object is replaced").isEqualTo(INDEX_OBJECTS + 2);

                final TestFile updated = new TestFile("keep").aux("v2").verdict(CheckAux.NEEDS_UPDATE);
                final Cookie keep = session.acquire(updated);
                for (int i = 0; i < 5; i++)
                {
                    assertThat(ApiSession.difference(ApiSession.content(SEED, "keep", i, 1), session.load(keep, i)))
                        .as("kept page %d", i).isNull();
                }
                assertThat(updated.verdicts()).containsExactly(CheckAux.NEEDS_UPDATE);
                assertThat(updated.seenAux()).containsExactly("v1");
                snapshot = session.backend.snapshot();
                assertThat(snapshot.pages()).isEqualTo(5);
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + 2);
            }

            try (ApiSession session = ApiSession.mount(image))
            {
                final TestFile checked = new TestFile("keep").aux("v2");
                final Cookie keep = session.acquire(checked);
                for (int i = 0; i < 5; i++)
                {
                    assertThat(ApiSession.difference(ApiSession.content(SEED, "keep", i, 1), session.load(keep, i)))
                        .as("page %d after the update", i).isNull();
                }
                assertThat(checked.seenAux()).containsExactly("v2");
                assertThat(checked.verdicts()).containsExactly(CheckAux.OKAY);

                final TestFile recreated = new TestFile("stale").aux("v1");
                final Cookie stale = session.acquire(recreated);
                for (int i = 0; i < 7; i++)
                {
                    assertThat(session.load(stale, i)).as("recreated page %d", i).isNull();
                }
                assertThat(recreated.verdicts()).containsExactly(CheckAux.OKAY);
                final StoreSnapshot snapshot = session.backend.snapshot();
                assertThat(snapshot.pages()).isEqualTo(5);
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + 2);
            }
        });
    }

    @Test
    void aNewNetfsVersionDiscardsTheNetfsSubtree() throws Exception
    {
        seeded(() ->
        {
            try (ApiSession session = ApiSession.mount(image, 1))
            {
                final Cookie first = session.acquire(new TestFile("first"));
                final Cookie second = session.acquire(new TestFile("second"));
                for (int i = 0; i < 6; i++)
                {
                    session.storeNew(first, i, ApiSession.content(SEED, "first", i, 1));
                    session.storeNew(second, i, ApiSession.content(SEED, "second", i, 1));
                }
            }
            try (ApiSession session = ApiSession.mount(image, 1))
            {
                assertThat(session.backend.snapshot().pages()).isEqualTo(12);
                final Cookie first = session.acquire(new TestFile("first"));
                assertThat(ApiSession.difference(ApiSession.content(SEED, "first", 5, 1), session.load(first, 5)))
                    .as("same version").isNull();
            }
            try (ApiSession session = ApiSession.mount(image, 2))
            {
                final TestFile netfsFile = new TestFile("first");
                final Cookie first = session.acquire(netfsFile);
                final Cookie second = session.acquire(new TestFile("second"));
                for (int i = 0; i < 6; i++)
                {
                    assertThat(session.load(first, i)).as("first page %d under the new version", i).isNull();
                    assertThat(session.load(second, i)).as("second page %d under the new version", i).isNull();
                }
                assertThat(netfsFile.verdicts()).as("the file is created afresh, not checked").isEmpty();
                final StoreSnapshot snapshot = session.backend.snapshot();
                assertThat(snapshot.pages()).isZero();
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + 2);
            }
        });
    }

    @Test
    void aFileWithTheLongestKeyAndAuxPersists() throws Exception
    {
        seeded(() ->
        {
            final String key = "k".repeat(300);
            final String aux = "a".repeat(100);
            try (ApiSession session = ApiSession.mount(image))
            {
                final Cookie cookie = session.acquire(new TestFile(key).aux(aux));
                for (final long index : new long[]{ 0, 251, 252, 63_504 })
                {
                    session.storeNew(cookie, index, ApiSession.content(SEED, key, index, 1));
                }
            }
            try (ApiSession session = ApiSession.mount(image))
            {
                final TestFile file = new TestFile(key).aux(aux);
                final Cookie cookie = session.acquire(file);
                for (final long index : new long[]{ 0, 251, 252, 63_504 })
                {
                    assertThat(ApiSession.difference(ApiSession.content(SEED, key, index, 1),
                        session.load(cookie, index))).as("page %d", index).isNull();
                }
                assertThat(session.load(cookie, 1)).isNull();
                assertThat(file.verdicts()).containsExactly(CheckAux.OKAY);
                assertThat(file.seenAux()).containsExactly(aux);
                assertThat(session.backend.snapshot().pages()).isEqualTo(4);
            }
        });
    }

    @Test
    void pagesWrittenByAnotherJvmReadBackByteForByte() throws Exception
    {
        seeded(() ->
        {
            final TreeMap<String, TreeSet<Long>> plan = CacheFsChild.plan(SEED);
            try (ChildJvm writer = ChildJvm.start(dir, CacheFsChild.class, "write", image.toString(),
                Long.toString(SEED)))
            {
                writer.expectExit(0);
                assertThat(writer.stdoutLines()).as(writer.output()).containsExactly("unmounted pages=" + count(plan));
            }
            try (ApiSession session = ApiSession.mount(image))
            {
                assertThat(session.backend.wasClean()).isTrue();
                final StoreSnapshot snapshot = session.backend.snapshot();
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + plan.size());
                assertThat(snapshot.pages()).isEqualTo(count(plan));
                assertThat(snapshot.mountCount()).isEqualTo(2);
                for (final Map.Entry<String, TreeSet<Long>> file : plan.entrySet())
                {
                    final Cookie cookie = session.acquire(new TestFile(file.getKey()).aux(CacheFsChild.AUX));
                    for (final long index : file.getValue())
                    {
                        assertThat(ApiSession.difference(ApiSession.content(SEED, file.getKey(), index, 1),
                            session.load(cookie, index))).as("%s page %d", file.getKey(), index).isNull();
                    }
                    session.relinquish(cookie, false);
                }
            }
        });
    }

    @Test
    void aJvmHaltedWithoutUnmountLeavesItsLastCommitAndNothingWrong() throws Exception
    {
        seeded(() ->
        {
            final TreeMap<String, TreeSet<Long>> plan = CacheFsChild.plan(SEED);
            final long committed;
            try (ChildJvm writer = ChildJvm.start(dir, CacheFsChild.class, "crash", image.toString(),
                Long.toString(SEED)))
            {
                writer.expectExit(CacheFsChild.CRASH_EXIT);
                final List<String> lines = writer.stdoutLines();
                assertThat(lines).as(writer.output()).hasSize(2);
                assertThat(lines.get(0)).as(writer.output()).startsWith("committed generation=");
                committed = Long.parseLong(lines.get(0).substring("committed generation=".length()));
                // Commits come only from sync, unmount, space pressure and the dirty-node bound: none of them
                // happened after the explicit one, so every later write must be lost, not just allowed to be.
                assertThat(lines.get(1)).as(writer.output()).isEqualTo("halting generation=" + committed);
            }

            try (ApiSession session = ApiSession.mount(image))
            {
                assertThat(session.backend.wasClean()).isFalse();
                StoreSnapshot snapshot = session.backend.snapshot();
                assertThat(snapshot.mountedClean()).isFalse();
                assertThat(snapshot.generation()).as("the mount's own commit follows the last one")
                    .isEqualTo(committed + 1);
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + plan.size());
                assertThat(snapshot.pages()).isEqualTo(count(plan));

                final TreeMap<String, TreeSet<Long>> later = CacheFsChild.laterPlan(SEED);
                for (final Map.Entry<String, TreeSet<Long>> file : plan.entrySet())
                {
                    final Cookie cookie = session.acquire(new TestFile(file.getKey()).aux(CacheFsChild.AUX));
                    for (final long index : file.getValue())
                    {
                        // Committed pages, including those rewritten after the commit: the committed version.
                        assertThat(ApiSession.difference(ApiSession.content(SEED, file.getKey(), index, 1),
                            session.load(cookie, index))).as("committed %s page %d", file.getKey(), index).isNull();
                    }
                    for (final long index : later.get(file.getKey()))
                    {
                        assertThat(session.load(cookie, index)).as("uncommitted %s page %d", file.getKey(), index)
                            .isNull();
                    }
                    session.relinquish(cookie, false);
                }
                final TestFile late = new TestFile(CacheFsChild.LATE_FILE).aux(CacheFsChild.AUX);
                final Cookie cookie = session.acquire(late);
                for (final long index : later.get(CacheFsChild.LATE_FILE))
                {
                    assertThat(session.load(cookie, index)).as("page %d of the uncommitted file", index).isNull();
                }
                assertThat(late.verdicts()).as("the uncommitted file is created afresh").isEmpty();
                snapshot = session.backend.snapshot();
                assertThat(snapshot.objects()).isEqualTo(INDEX_OBJECTS + plan.size() + 1);
                assertThat(snapshot.pages()).isEqualTo(count(plan));
            }

            try (ApiSession session = ApiSession.mount(image))
            {
                assertThat(session.backend.wasClean()).as("the recovery mount was unmounted cleanly").isTrue();
            }
        });
    }
}
