package org.cachefs.cachefs;

import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.device.AlignedBuffers;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random operations on a store checked against a {@link TreeMap} model: objects with keys of every length, pages
 * written, rewritten and removed at sparse indexes, sizes shrunk, objects retired, commits and remounts in between.
 * Every page read back must equal the last write of it, or be reported missing only where the model says so.
 */
class CacheStoreModelTest
{
    private static final long SEED = Long.getLong("cachefs.test.seed", 0x5EEDL);

    @TempDir
    Path dir;

    private record Key(long parent, String key)
    {
    }

    private static final class ModelObject
    {
        final long parent;
        final byte[] key;
        final TreeMap<Long, byte[]> pages = new TreeMap<>();
        long size;

        ModelObject(final long parent, final byte[] key, final long size)
        {
            this.parent = parent;
            this.key = key;
            this.size = size;
        }
    }

    @Test
    void randomOperationsMatchTheModel() throws Exception
    {
        final long seed = SEED;
        try
        {
            run(seed, 4000);
        }
        catch (final AssertionError | Exception ex)
        {
            throw new AssertionError("failed with seed " + seed + " (replay with -Dcachefs.test.seed=" + seed + ")",
                ex);
        }
    }

    private void run(final long seed, final int steps) throws Exception
    {
        final Random random = new Random(seed);
        final Path image = dir.resolve("cache.img");
        Mkfs.format(image, MkfsOptions.defaults().withSize(32L << 20), null);
        final Map<Key, ModelObject> model = new HashMap<>();
        final List<Key> keys = new ArrayList<>();
        final ByteBuffer buffer = AlignedBuffers.allocate(4096);
        final MountOptions options = MountOptions.defaults().withCommitIntervalSeconds(0).withNodeCacheSize(16)
            .withMaxDirtyNodes(64);
        CacheStore store = CacheStore.mount(image, options);
        int reads = 0;
        int remounts = 0;
        try
        {
            for (int step = 0; step < steps; step++)
            {
                if (Boolean.getBoolean("cachefs.test.paranoid"))
                {
                    try
                    {
                        store.checkIndex();
                    }
                    catch (final IllegalStateException ex)
                    {
                        throw new AssertionError("step " + step, ex);
                    }
                }
                final int op = random.nextInt(100);
                if (op < 8 || keys.isEmpty())
                {
                    final long parent = (1L << 40) + random.nextInt(4);
                    final byte[] key = new byte[random.nextInt(5) == 0 ? 300 + random.nextInt(100) :
                        random.nextInt(24)];
                    random.nextBytes(key);
                    final Key k = new Key(parent, Arrays.toString(key));
                    if (model.containsKey(k))
                    {
                        continue;
                    }
                    final long size = (1 + random.nextInt(2000)) * 4096L;
                    final ObjectRecord record = store.create(parent, key, 1, new byte[random.nextInt(400 - key.length)],
                        size);
                    store.release(record);
                    model.put(k, new ModelObject(parent, key, size));
                    keys.add(k);
                }
                else if (op < 50)
                {
                    final ModelObject object = model.get(keys.get(random.nextInt(keys.size())));
                    final long page = random.nextInt(3) == 0 ? random.nextInt(2000) : random.nextInt(40);
                    final byte[] data = new byte[4096];
                    random.nextBytes(data);
                    final ObjectRecord record = store.lookup(object.parent, object.key);
                    buffer.clear().put(data).flip();
                    final boolean stored = store.write(record, page, buffer);
                    store.release(record);
                    assertThat(stored).as("write of page %d within size %d", page, object.size)
                        .isEqualTo(page < object.size / 4096);
                    if (stored)
                    {
                        object.pages.put(page, data);
                    }
                }
                else if (op < 80)
                {
                    final ModelObject object = model.get(keys.get(random.nextInt(keys.size())));
                    final long page = !object.pages.isEmpty() && random.nextBoolean() ?
                        object.pages.keySet().toArray(new Long[0])[random.nextInt(object.pages.size())] :
                        random.nextInt(2000);
                    final ObjectRecord record = store.lookup(object.parent, object.key);
                    buffer.clear();
                    final int result = store.read(record, page, buffer);
                    store.release(record);
                    final byte[] expected = object.pages.get(page);
                    if (expected == null)
                    {
                        assertThat(result).as("read of absent page %d", page).isEqualTo(CacheStore.READ_MISS);
                    }
                    else
                    {
                        assertThat(result).as("read of page %d", page).isEqualTo(CacheStore.READ_HIT);
                        final byte[] actual = new byte[4096];
                        buffer.clear().get(actual);
                        assertThat(actual).isEqualTo(expected);
                        reads++;
                    }
                }
                else if (op < 85)
                {
                    final ModelObject object = model.get(keys.get(random.nextInt(keys.size())));
                    final ObjectRecord record = store.lookup(object.parent, object.key);
                    final long size = random.nextInt(60) * 4096L;
                    store.setSize(record, size);
                    store.release(record);
                    object.size = size;
                    object.pages.tailMap(size / 4096, true).clear();
                }
                else if (op < 90)
                {
                    final Key k = keys.remove(random.nextInt(keys.size()));
                    final ModelObject object = model.remove(k);
                    final ObjectRecord record = store.lookup(object.parent, object.key);
                    store.retire(record);
                    store.release(record);
                    assertThat(store.lookup(object.parent, object.key)).isNull();
                }
                else if (op < 95)
                {
                    final ModelObject object = model.get(keys.get(random.nextInt(keys.size())));
                    final ObjectRecord record = store.lookup(object.parent, object.key);
                    final long page = random.nextInt(40);
                    store.removePage(record, page);
                    store.release(record);
                    object.pages.remove(page);
                }
                else if (op < 98)
                {
                    store.commit();
                }
                else
                {
                    store.close();
                    store = CacheStore.mount(image, options);
                    remounts++;
                    assertThat(store.wasClean()).isTrue();
                }
            }
            store.close();
            store = CacheStore.mount(image, options);
            long pages = 0;
            for (final ModelObject object : model.values())
            {
                final ObjectRecord record = store.lookup(object.parent, object.key);
                assertThat(record).isNotNull();
                assertThat(record.pageCount).isEqualTo(object.pages.size());
                for (final Map.Entry<Long, byte[]> page : object.pages.entrySet())
                {
                    buffer.clear();
                    assertThat(store.read(record, page.getKey(), buffer)).isEqualTo(CacheStore.READ_HIT);
                    final byte[] actual = new byte[4096];
                    buffer.clear().get(actual);
                    assertThat(actual).isEqualTo(page.getValue());
                    pages++;
                }
                store.release(record);
            }
            final StoreSnapshot snapshot = store.snapshot();
            assertThat(snapshot.objects()).isEqualTo(model.size());
            assertThat(snapshot.pages()).isEqualTo(pages);
            System.out.printf("model test seed=%d: %d steps, %d reads checked, %d remounts, %d objects, %d pages%n",
                seed, steps, reads, remounts, model.size(), pages);
        }
        finally
        {
            store.close();
        }
    }
}
