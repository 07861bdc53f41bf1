package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.util.ArrayList;
import java.util.List;

import com.code_intelligence.jazzer.api.FuzzedDataProvider;
import com.code_intelligence.jazzer.junit.FuzzTest;
import org.cachefs.format.CacheFsException;
import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.format.testing.CrashSimulatingDevice;

/**
 * Untrusted images: mutations of the metadata of valid images (several states: objects with one- and two-level page
 * maps, a retired object, an unclean shutdown) are mounted and read, retired from and committed. Only typed errors
 * ({@link CacheFsException} and its subclasses, {@link IOException}) or clean results are allowed: never another
 * exception, an endless loop or a hang (every run is bounded). A second target damages only block ownership (page-map
 * pointers rewritten, everything above re-sealed) and allows no error at all: damaged objects cost their own pages,
 * never wrong bytes, never another object's.
 * <p>
 * In a plain build the inputs under {@code src/test/resources/org/cachefs/cachefs/ImageFuzzTestInputs} run as
 * regression cases; {@code JAZZER_FUZZ=1 mvn test -Dtest=ImageFuzzTest} fuzzes.
 */
class ImageFuzzTest
{
    private static final int BLOCK = 4096;
    private static final MountOptions OPTIONS = MountOptions.defaults().withCommitIntervalSeconds(0)
        .withBackgroundCulling(false).withNodeCacheSize(16);
    private static final int OBJECTS = 4;
    private static final byte[][] TEMPLATES = new byte[3][];
    private static final int[][] METADATA = new int[3][];

    static
    {
        try
        {
            for (int state = 0; state < TEMPLATES.length; state++)
            {
                TEMPLATES[state] = template(state);
                METADATA[state] = metadataBlocks(TEMPLATES[state]);
            }
        }
        catch (final IOException ex)
        {
            throw new ExceptionInInitializerError(ex);
        }
    }

    /**
     * A valid image in one of several states.
     */
    private static byte[] template(final int state) throws IOException
    {
        final CrashSimulatingDevice device = new CrashSimulatingDevice("fuzz.img", new byte[1 << 20], 512);
        Mkfs.format(device, MkfsOptions.defaults().withLabel("fuzz"), null);
        device.flush();
        final CacheStore store = CacheStore.mount(device, OPTIONS);
        final ByteBuffer page = AlignedBuffers.allocate(BLOCK);
        final ObjectRecord index = store.create(0, "index".getBytes(), 0, new byte[]{ 1, 2 }, CacheStore.UNLIMITED);
        for (int n = 0; n < OBJECTS; n++)
        {
            final ObjectRecord record = store.create(index.objectId, ("object-" + n).getBytes(), 1,
                new byte[]{ (byte)n }, CacheStore.UNLIMITED);
            for (final long p : new long[]{ 0, 1, 2, 300 + n })
            {
                page.clear().putLong(0, n * 1000L + p).clear();
                store.write(record, p, page);
            }
            if (state >= 1 && n == 1)
            {
                store.retire(record);
            }
            store.release(record);
        }
        store.release(index);
        if (state == 2)
        {
            store.commit();
            store.abandon();
        }
        else
        {
            store.close();
        }
        return device.contents();
    }

    /**
     * @return the blocks holding metadata: both superblock slots, the bitmap copies and every index and page-map
     * node, found by their magic numbers.
     */
    private static int[] metadataBlocks(final byte[] image)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(image).order(java.nio.ByteOrder.LITTLE_ENDIAN);
        final List<Integer> blocks = new ArrayList<>();
        for (int block = 0; block < image.length / BLOCK; block++)
        {
            final int magic = bytes.getInt(block * BLOCK);
            if (block < 2 || magic == 0x42534643 || magic == 0x49534643 || magic == 0x50534643 ||
                bytes.getLong(block * BLOCK) == 0x0053464548434143L)
            {
                blocks.add(block);
            }
        }
        return blocks.stream().mapToInt(Integer::intValue).toArray();
    }

    @FuzzTest(maxDuration = "3m")
    void corruptMetadataGivesTypedErrorsOnly(final FuzzedDataProvider data)
    {
        final int state = data.consumeInt(0, TEMPLATES.length - 1);
        final byte[] image = TEMPLATES[state].clone();
        final int[] metadata = METADATA[state];
        final int mutations = data.consumeInt(1, 8);
        for (int m = 0; m < mutations && data.remainingBytes() > 0; m++)
        {
            final int block = metadata[data.consumeInt(0, metadata.length - 1)];
            final int offset = block * BLOCK + data.consumeInt(0, BLOCK - 1);
            switch (data.consumeInt(0, 3))
            {
                case 0 -> image[offset] ^= (byte)(1 << data.consumeInt(0, 7));
                case 1 -> image[offset] = data.consumeByte();
                case 2 ->
                {
                    final int length = Math.min(data.consumeInt(1, 64), image.length - offset);
                    java.util.Arrays.fill(image, offset, offset + length, (byte)0);
                }
                default ->
                {
                    // a stale or misdirected block: another metadata block's contents
                    final int from = metadata[data.consumeInt(0, metadata.length - 1)];
                    System.arraycopy(TEMPLATES[state], from * BLOCK, image, block * BLOCK, BLOCK);
                }
            }
        }
        if (data.remainingBytes() > 0 && data.consumeBoolean())
        {
            // Re-seal the superblock slots and bitmap blocks, so that their fields, not only their check values,
            // are put to the test (their check values are recorded by no parent).
            reseal(image, metadata);
        }
        exercise(image);
    }

    private static void reseal(final byte[] image, final int[] metadata)
    {
        final ByteBuffer bytes = ByteBuffer.wrap(image);
        for (final int block : metadata)
        {
            final ByteBuffer view = bytes.duplicate().position(block * BLOCK).limit((block + 1) * BLOCK).slice();
            final int magic = view.order(java.nio.ByteOrder.LITTLE_ENDIAN).getInt(0);
            if (block < 2 || view.getLong(0) == 0x0053464548434143L)
            {
                new org.cachefs.format.Superblock().wrap(view).seal(block);
                new org.cachefs.format.CommitRecord().wrap(view).seal(block);
            }
            else if (magic == 0x42534643)
            {
                new org.cachefs.format.BitmapBlock().wrap(view, BLOCK).seal();
            }
        }
    }

    /**
     * Block-ownership damage: one to four page-map pointers of the unclean-free template rewritten to a free block,
     * another object's page, another page of the same object, an index node, another object's page-map node or the
     * object's own, every node above re-sealed (see {@link ImageMap}). The image must then mount and serve with no
     * error at all: every page read is the bytes written or a miss, objects the damage did not touch serve every
     * page, before and after the damaged ones are discarded or written to and after a remount.
     */
    @FuzzTest(maxDuration = "3m")
    void ownershipDamageCostsOnlyTheDamagedObjects(final FuzzedDataProvider data) throws IOException
    {
        final ImageMap map = ImageMap.of(TEMPLATES[0].clone());
        final long indexId = map.object(0, "index").id();
        final List<ImageMap.Obj> objects = new ArrayList<>();
        for (int n = 0; n < OBJECTS; n++)
        {
            objects.add(map.object(indexId, "object-" + n));
        }
        final java.util.Set<Integer> damaged = new java.util.TreeSet<>();
        final java.util.Set<Integer> touched = new java.util.TreeSet<>();
        final int mutations = data.consumeInt(1, 4);
        for (int m = 0; m < mutations; m++)
        {
            final int victim = data.consumeInt(0, OBJECTS - 1);
            final ImageMap.Entry entry = pick(data, objects.get(victim).pages().values());
            final ImageMap.Obj other = objects.get(data.consumeInt(0, OBJECTS - 1));
            final long target = switch (data.consumeInt(0, 5))
            {
                case 0 -> pick(data, map.freeBlocks());
                case 1 -> pick(data, other.pages().values()).block();
                case 2 -> pick(data, objects.get(victim).pages().values()).block();
                case 3 -> pick(data, map.indexNodes());
                case 4 -> pick(data, other.nodes());
                default -> pick(data, objects.get(victim).nodes());
            };
            map.repoint(entry, target);
            damaged.add(victim);
            touched.add(victim);
            for (int n = 0; n < OBJECTS; n++)
            {
                final ImageMap.Obj owner = objects.get(n);
                if (owner.nodes().contains(target) ||
                    owner.pages().values().stream().anyMatch(e -> e.block() == target))
                {
                    touched.add(n);
                }
            }
        }
        final boolean discardFirst = data.consumeBoolean();
        final CrashSimulatingDevice device = new CrashSimulatingDevice("fuzz.img", map.image(), 512);
        try (DamageFixture.StoreLog expected = new DamageFixture.StoreLog();
            CacheStore store = CacheStore.mount(device, OPTIONS))
        {
            serve(store, damaged, touched, discardFirst, true);
        }
        try (DamageFixture.StoreLog expected = new DamageFixture.StoreLog();
            CacheStore store = CacheStore.mount(new CrashSimulatingDevice("fuzz.img", device.contents(), 512),
                OPTIONS))
        {
            serve(store, damaged, touched, false, false);
        }
    }

    /**
     * Reads pages 0, 1, 2, {@code 300 + n} and 7 of every object still there; in the first mount discards the
     * {@code damaged} ones, before or after reading them, and writes page 7 of the others (in the second, the
     * damaged ones are gone). Checks every page read and that the untouched objects serve every page.
     */
    private static void serve(
        final CacheStore store,
        final java.util.Set<Integer> damaged,
        final java.util.Set<Integer> touched,
        final boolean discardFirst,
        final boolean first) throws IOException
    {
        final ByteBuffer page = AlignedBuffers.allocate(BLOCK);
        final ObjectRecord index = store.lookup(0, "index".getBytes());
        check(index != null, "the index object is gone");
        for (int n = 0; n < OBJECTS; n++)
        {
            final ObjectRecord record = store.lookup(index.objectId, ("object-" + n).getBytes());
            if (record == null)
            {
                check(!first && damaged.contains(n), "object-" + n + " is gone");
                continue;
            }
            if (first && discardFirst && damaged.contains(n))
            {
                store.retire(record);
                store.release(record);
                continue;
            }
            for (final long p : new long[]{ 0, 1, 2, 300 + n, 7 })
            {
                final int outcome = store.read(record, p, page.clear());
                if (outcome == CacheStore.READ_HIT)
                {
                    final long expected = p == 7 ? 7_000_000L + n : n * 1000L + p;
                    check(page.getLong(0) == expected && isZeroFrom(page, Long.BYTES),
                        "object-" + n + " page " + p + " served wrong bytes");
                }
                else
                {
                    check(touched.contains(n) || p == 7 && first, "object-" + n + " page " + p +
                        ", untouched by the damage, missed");
                }
            }
            if (first)
            {
                if (damaged.contains(n))
                {
                    store.retire(record);
                }
                else
                {
                    page.clear().putLong(0, 7_000_000L + n).clear();
                    check(store.write(record, 7, page), "write of object-" + n + " page 7 refused");
                }
            }
            store.release(record);
        }
        store.release(index);
        store.commit();
        check(store.failure() == null, "the store stopped: " + store.failure());
    }

    private static boolean isZeroFrom(final ByteBuffer page, final int from)
    {
        for (int i = from; i < BLOCK; i++)
        {
            if (page.get(i) != 0)
            {
                return false;
            }
        }
        return true;
    }

    private static void check(final boolean condition, final String message)
    {
        if (!condition)
        {
            throw new AssertionError(message);
        }
    }

    private static <T> T pick(final FuzzedDataProvider data, final java.util.Collection<T> from)
    {
        final List<T> list = new ArrayList<>(from);
        return list.get(data.consumeInt(0, list.size() - 1));
    }

    /**
     * Mounts the image and uses it; returns normally or with a typed error only.
     */
    static void exercise(final byte[] image)
    {
        final CrashSimulatingDevice device = new CrashSimulatingDevice("fuzz.img", image, 512);
        final ByteBuffer page = AlignedBuffers.allocate(BLOCK);
        // Dropped page maps are logged: expected here, kept off the console.
        try (DamageFixture.StoreLog expected = new DamageFixture.StoreLog();
            CacheStore store = CacheStore.mount(device, OPTIONS))
        {
            final ObjectRecord index = store.lookup(0, "index".getBytes());
            if (index == null)
            {
                return;
            }
            for (int n = 0; n < OBJECTS; n++)
            {
                final ObjectRecord record = store.lookup(index.objectId, ("object-" + n).getBytes());
                if (record == null)
                {
                    continue;
                }
                for (final long p : new long[]{ 0, 1, 2, 300 + n, 5000 })
                {
                    store.read(record, p, page.clear());
                }
                page.clear().putLong(0, 42).clear();
                store.write(record, 7, page);
                if (n == 2)
                {
                    store.retire(record);
                }
                store.release(record);
            }
            store.children(index.objectId);
            store.release(index);
            store.commit();
            store.cull();
        }
        catch (final CacheFsException | IOException expected)
        {
            // a typed error naming the device: what a corrupt image must give
        }
    }
}
