package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.testing.CrashSimulatingDevice;
import org.cachefs.format.device.AlignedBuffers;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Power cuts at every I/O of a short seeded workload and at thousands of random I/Os of a longer one. After each cut
 * the disk keeps what was flushed plus an arbitrary, reordered subset of the writes that were not, one of them torn;
 * the image must mount, and every page it serves must be byte-identical to a version of that page that was written
 * (or be missing). Culling, retirement, truncation and commits are part of the workload.
 * <p>
 * {@code -Dcachefs.crash.random=N} sets the number of random crash points of the long run (default 2,000).
 */
class CrashRecoveryTest
{
    private static final int BLOCK = 4096;
    private static final long SEED = Long.getLong("cachefs.test.seed", 1234L);
    private static final int RANDOM_POINTS = Integer.getInteger("cachefs.crash.random", 2000);
    private static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0)
        .withBackgroundCulling(false).withNodeCacheSize(32).withMaxDirtyNodes(64)
        .withThresholds(new CullingThresholds(40, 30, 5));
    private static final int PAGES_PER_OBJECT = 24;

    private static byte[] template;

    @BeforeAll
    static void formatTemplate() throws IOException
    {
        final CrashSimulatingDevice device = new CrashSimulatingDevice("cache.img", new byte[2 << 20], 512);
        Mkfs.format(device, MkfsOptions.defaults().withLabel("crash"), null);
        device.flush();
        template = device.contents();
    }

    /**
     * The versions written of each page, by object key and page index.
     */
    private static final class Model
    {
        final Map<String, Map<Long, Set<Long>>> written = new HashMap<>();
        final List<String> live = new ArrayList<>();
        int created;

        void wrote(final String key, final long page, final long version)
        {
            written.computeIfAbsent(key, k -> new HashMap<>()).computeIfAbsent(page, p -> new HashSet<>())
                .add(version);
        }
    }

    private record Outcome(long ios, boolean crashed)
    {
    }

    private static void fill(final ByteBuffer page, final String key, final long pageIndex, final long version)
    {
        final Random random = new Random(key.hashCode() * 1_000_003L + pageIndex * 7919L + version);
        page.clear();
        page.putInt(0, key.hashCode());
        page.putLong(4, pageIndex);
        page.putLong(12, version);
        for (int i = 20; i < BLOCK; i++)
        {
            page.put(i, (byte)random.nextInt());
        }
        page.clear();
    }

    /**
     * Runs the seeded workload on {@code device} until it ends or the power is cut.
     */
    private static Outcome run(final CrashSimulatingDevice device, final long seed, final int steps, final Model model)
    {
        final Random random = new Random(seed);
        final ByteBuffer page = AlignedBuffers.allocate(BLOCK);
        long version = 0;
        CacheStore store = null;
        try
        {
            store = CacheStore.mount(device, OPTIONS);
            for (int step = 0; step < steps; step++)
            {
                final int op = random.nextInt(100);
                if (op < 12 || model.live.isEmpty())
                {
                    final String key = "object-" + model.created++;
                    store.release(store.create(0, key.getBytes(), 1, new byte[]{ (byte)step }, CacheStore.UNLIMITED));
                    model.live.add(key);
                    continue;
                }
                final String key = model.live.get(random.nextInt(model.live.size()));
                final ObjectRecord record = store.lookup(0, key.getBytes());
                if (record == null)
                {
                    // culled
                    model.live.remove(key);
                    continue;
                }
                boolean remount = false;
                try
                {
                    if (op < 65)
                    {
                        final long pageIndex = random.nextInt(PAGES_PER_OBJECT);
                        fill(page, key, pageIndex, ++version);
                        model.wrote(key, pageIndex, version);
                        store.write(record, pageIndex, page);
                    }
                    else if (op < 75)
                    {
                        store.read(record, random.nextInt(PAGES_PER_OBJECT), page.clear());
                    }
                    else if (op < 80)
                    {
                        store.setSize(record, random.nextInt(PAGES_PER_OBJECT) * (long)BLOCK);
                    }
                    else if (op < 84)
                    {
                        store.removePage(record, random.nextInt(PAGES_PER_OBJECT));
                    }
                    else if (op < 88)
                    {
                        store.retire(record);
                        model.live.remove(key);
                    }
                    else if (op < 94)
                    {
                        store.commit();
                    }
                    else if (op < 97)
                    {
                        store.cull();
                    }
                    else
                    {
                        remount = true;
                    }
                }
                finally
                {
                    if (!store.isClosed())
                    {
                        store.release(record);
                    }
                }
                if (remount)
                {
                    store.close();
                    store = CacheStore.mount(device, OPTIONS);
                }
            }
            store.close();
            return new Outcome(device.ios(), false);
        }
        catch (final IOException ex)
        {
            if (!device.poweredOff())
            {
                throw new AssertionError("I/O error without a power cut (seed " + seed + ")", ex);
            }
            if (store != null)
            {
                try
                {
                    store.abandon();
                }
                catch (final IOException ignored)
                {
                    // the device is gone: nothing more to release
                }
            }
            return new Outcome(device.ios(), true);
        }
    }

    private static final class Tally
    {
        long points;
        long pagesChecked;
        long wrongPages;
        long failedMounts;
        final List<String> failures = new ArrayList<>();
    }

    /**
     * Mounts the crash image and checks every page of every object ever created.
     */
    private static void verify(final byte[] image, final Model model, final Tally tally, final String point)
    {
        tally.points++;
        final CrashSimulatingDevice device = new CrashSimulatingDevice("cache.img", image, 512);
        final ByteBuffer page = AlignedBuffers.allocate(BLOCK);
        final ByteBuffer expected = AlignedBuffers.allocate(BLOCK);
        try (CacheStore store = CacheStore.mount(device, OPTIONS))
        {
            for (int n = 0; n < model.created; n++)
            {
                final String key = "object-" + n;
                final ObjectRecord record = store.lookup(0, key.getBytes());
                if (record == null)
                {
                    continue;
                }
                for (long p = 0; p < PAGES_PER_OBJECT; p++)
                {
                    if (store.read(record, p, page.clear()) != CacheStore.READ_HIT)
                    {
                        continue;
                    }
                    tally.pagesChecked++;
                    final long version = page.getLong(12);
                    final Set<Long> versions = model.written.getOrDefault(key, Map.of()).getOrDefault(p, Set.of());
                    fill(expected, key, p, version);
                    if (!versions.contains(version) || !expected.equals(page.clear()))
                    {
                        tally.wrongPages++;
                        tally.failures.add(point + ": " + key + " page " + p + " is not a version written");
                    }
                }
                store.release(record);
            }
            store.checkIndex();
        }
        catch (final IOException | RuntimeException ex)
        {
            tally.failedMounts++;
            tally.failures.add(point + ": " + ex);
        }
    }

    private static void crashAt(final long seed, final int steps, final long point, final Tally tally)
    {
        final CrashSimulatingDevice device = new CrashSimulatingDevice("cache.img", template, 512);
        device.cutPowerAt(point);
        final Model model = new Model();
        run(device, seed, steps, model);
        verify(device.crashImage(new Random(seed * 31 + point)), model, tally, "seed " + seed + " cut at I/O " +
            point);
    }

    private static long totalIos(final long seed, final int steps)
    {
        final CrashSimulatingDevice device = new CrashSimulatingDevice("cache.img", template, 512);
        final Outcome outcome = run(device, seed, steps, new Model());
        assertThat(outcome.crashed()).isFalse();
        return outcome.ios();
    }

    private static void report(final String name, final Tally tally)
    {
        System.out.printf("%s: %d crash points, %d pages checked, %d wrong pages, %d failed mounts%n", name,
            tally.points, tally.pagesChecked, tally.wrongPages, tally.failedMounts);
        assertThat(tally.failures).as("failures (first of %d)", tally.failures.size()).isEmpty();
        assertThat(tally.wrongPages).isZero();
        assertThat(tally.failedMounts).isZero();
    }

    @Test
    void aPowerCutAtEveryIoOfAShortRunLosesRecentPagesButNeverServesWrongOnes()
    {
        final int steps = 120;
        final long total = totalIos(SEED, steps);
        final Tally tally = new Tally();
        for (long point = 1; point <= total; point++)
        {
            crashAt(SEED, steps, point, tally);
        }
        report("every I/O of a short run (" + total + " I/Os)", tally);
        assertThat(tally.points).isEqualTo(total);
        assertThat(tally.pagesChecked).isGreaterThan(0);
    }

    @Test
    void powerCutsAtRandomIosOfALongerRun()
    {
        final int steps = 600;
        final long seed = SEED + 1;
        final long total = totalIos(seed, steps);
        final Random random = new Random(seed);
        final Tally tally = new Tally();
        for (int i = 0; i < RANDOM_POINTS; i++)
        {
            crashAt(seed, steps, 1 + (long)(random.nextDouble() * total), tally);
        }
        report(RANDOM_POINTS + " random I/Os of a longer run (" + total + " I/Os)", tally);
        assertThat(tally.pagesChecked).isGreaterThan(0);
    }
}
