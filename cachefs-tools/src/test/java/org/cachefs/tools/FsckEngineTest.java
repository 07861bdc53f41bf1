package org.cachefs.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

import org.cachefs.cachefs.CacheFs;
import org.cachefs.cachefs.CacheFsBackend;
import org.cachefs.cachefs.MountOptions;
import org.cachefs.format.BitmapBlock;
import org.cachefs.format.BlockPointer;
import org.cachefs.format.CommitRecord;
import org.cachefs.format.Fsck;
import org.cachefs.format.FsckFinding;
import org.cachefs.format.FsckOptions;
import org.cachefs.format.FsckResult;
import org.cachefs.format.ImageHeader;
import org.cachefs.format.IndexNode;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.Superblock;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.ReadCompletion;
import org.cachefs.fscache.Result;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * fsck on images the CacheFS engine wrote through the FS-Cache API: they check clean, whatever the engine did
 * (multi-level index and page maps, retired objects, rewritten pages, reservations, several mounts); and after each
 * kind of damage, a repair leaves an image that checks clean, mounts, keeps exactly the pages expected byte for byte,
 * and that the engine goes on using cleanly.
 */
class FsckEngineTest
{
    static final int PAGE = 4096;
    private static final long TIMEOUT_SECONDS = 30;

    @TempDir
    Path dir;

    // ------------------------------------------------------------------------------------------- clean images

    @Test
    void whatTheEngineWritesChecksClean() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 32L << 20, PAGE, "engine");
        final Map<String, long[]> files = new TreeMap<>();
        try (Cache cache = Cache.mount(image))
        {
            for (int i = 0; i < 200; i++)
            {
                final String name = longName(i);
                cache.write(cache.file(name, 3L * PAGE), 0, 1 + i % 3);
                files.put(name, new long[]{ 1 + i % 3 });
            }
            cache.write(cache.file("large", 700L * PAGE), 0, 600);
            final Cookie reserved = cache.file("reserved", 100L * PAGE);
            assertThat(reserved.reserveSpace(40L * PAGE)).isEqualTo(Result.OK);
            cache.write(reserved, 0, 5);
        }
        assertClean(image);
        assertThat(Layout.read(image).height()).isEqualTo(3);

        try (Cache cache = Cache.mount(image))
        {
            for (int i = 0; i < 200; i += 3)
            {
                cache.retire(longName(i), 3L * PAGE);
            }
            cache.write(cache.file("large", 700L * PAGE), 100, 400);
            cache.write(cache.file(longName(1), 3L * PAGE), 0, 2);
        }
        assertClean(image);

        try (Cache cache = Cache.mount(image))
        {
            cache.retire("large", 700L * PAGE);
            for (int i = 1; i < 200; i += 3)
            {
                cache.retire(longName(i), 3L * PAGE);
            }
        }
        assertClean(image);
    }

    /**
     * Checks {@code image} read-only with {@code -f}: clean, and the counts are the commit record's.
     */
    private static FsckResult assertClean(final Path image) throws IOException
    {
        final ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        final FsckResult result;
        try (PrintStream out = new PrintStream(bytes, true, StandardCharsets.UTF_8))
        {
            result = Fsck.check(image, FsckOptions.defaults().withForce(true).withVerbose(true), out);
        }
        assertThat(result.findings()).as(bytes.toString(StandardCharsets.UTF_8)).isEmpty();
        assertThat(result.exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);
        final CommitRecord commit = TestImages.header(image).commit();
        assertThat(result.objects()).isEqualTo(commit.objectCount());
        assertThat(result.pages()).isEqualTo(commit.pageCount());
        assertThat(result.usedBlocks()).isEqualTo(commit.usedBlocks());
        return result;
    }

    // ------------------------------------------------------------------------------------------- repairs

    /**
     * One repairable class of damage done to an engine image: what it does to the image and to the pages expected
     * to survive, the kind of finding, the least mode that repairs it, and whether the check needs {@code -f}.
     */
    enum Damage
    {
        DAMAGED_OTHER_SLOT(FsckFinding.Kind.SLOT_DAMAGED, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                TestImages.flipByte(image.path, (1L - TestImages.header(image.path).slot()) * PAGE);
            }
        },
        DAMAGED_CURRENT_SLOT(FsckFinding.Kind.SLOT_DAMAGED, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                TestImages.flipByte(image.path, TestImages.header(image.path).slot() * (long)PAGE +
                    Superblock.LABEL_OFFSET);
            }
        },
        BOTH_SLOTS_DAMAGED(FsckFinding.Kind.NO_VALID_SLOT, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                TestImages.flipByte(image.path, 0);
                TestImages.flipByte(image.path, PAGE);
                image.expected.clear();
            }
        },
        STALE_SLOT(FsckFinding.Kind.SLOT_STALE, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                final int other = 1 - TestImages.header(image.path).slot();
                editSlot(image.path, other, commit -> commit.generation(commit.generation() - 2));
            }
        },
        DAMAGED_BACKUP(FsckFinding.Kind.BACKUP_DAMAGED, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                TestImages.flipByte(image.path, (4096L - 1) * PAGE + Superblock.LABEL_OFFSET);
            }
        },
        WRONG_OBJECT_COUNT(FsckFinding.Kind.COUNTER_OBJECTS, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                editCommit(image.path, commit -> commit.objectCount(commit.objectCount() - 1));
            }
        },
        WRONG_PAGE_COUNT(FsckFinding.Kind.COUNTER_PAGES, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                editCommit(image.path, commit -> commit.pageCount(commit.pageCount() + 1));
            }
        },
        WRONG_USED_BLOCKS(FsckFinding.Kind.COUNTER_USED_BLOCKS, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                editCommit(image.path, commit -> commit.usedBlocks(commit.usedBlocks() - 1));
            }
        },
        WRONG_RESERVED_BLOCKS(FsckFinding.Kind.COUNTER_RESERVED, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                editCommit(image.path, commit -> commit.reservedBlocks(commit.reservedBlocks() + 5));
            }
        },
        CORRUPT_BITMAP_BLOCK(FsckFinding.Kind.BITMAP_CORRUPT, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                final ImageHeader header = TestImages.header(image.path);
                TestImages.flipByte(image.path, header.layout().bitmapStart(header.commit().bitmapCopy()) * PAGE +
                    1000);
            }
        },
        LEAKED_BLOCK(FsckFinding.Kind.LEAKED_BLOCK, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                setBitmapBit(image.path, 4000, true);
                editCommit(image.path, commit -> commit.usedBlocks(commit.usedBlocks() + 1));
            }
        },
        REFERENCED_FREE_BLOCK(FsckFinding.Kind.REFERENCED_FREE_BLOCK, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                setBitmapBit(image.path, BlockPointer.block(image.layout.page(longName(2), 0)), false);
                editCommit(image.path, commit -> commit.usedBlocks(commit.usedBlocks() - 1));
            }
        },
        CORRUPT_INDEX_LEAF(FsckFinding.Kind.INDEX_LEAF_CORRUPT, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                final long leaf = image.layout.leaves().get(image.layout.leaves().size() - 1);
                image.layout.keysIn(leaf).forEach(image.expected::remove);
                assertThat(image.expected).hasSizeGreaterThan(10);
                TestImages.flipByte(image.path, leaf * PAGE);
            }
        },
        CORRUPT_INDEX_BRANCH(FsckFinding.Kind.INDEX_BRANCH_CORRUPT, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                assertThat(image.layout.height()).isEqualTo(2);
                TestImages.flipByte(image.path, image.layout.root() * PAGE + 100);
                image.expected.clear();
            }
        },
        SEPARATOR_OUT_OF_RANGE(FsckFinding.Kind.SEPARATOR, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                // raise the separator of the second leaf above the leaf's first key ("file-00NN-" gets a larger N)
                image.layout.edit(List.of(image.layout.root()), (node, buffer) ->
                {
                    final int at = node.entryOffset(1) + IndexNode.BRANCH_FIXED_LENGTH + 8;
                    buffer.put(at, (byte)(buffer.get(at) + 1));
                });
            }
        },
        KEY_OUT_OF_ORDER(FsckFinding.Kind.KEY_ORDER, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                final String first = image.layout.keysIn(image.layout.leaves().get(1)).get(0);
                image.layout.editRecord(first, (node, buffer, at) ->
                    buffer.put(at + IndexNode.LEAF_FIXED_LENGTH, (byte)'0'));
                image.expected.remove(first);
            }
        },
        DUPLICATE_OBJECT_ID(FsckFinding.Kind.DUPLICATE_OBJECT_ID, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                final long id = image.layout.objectId(longName(0));
                image.layout.editRecord(longName(59), (node, buffer, at) ->
                    buffer.putLong(at + IndexNode.LEAF_OBJECT_ID_OFFSET, id));
                image.expected.remove(longName(0));
                image.expected.remove(longName(59));
            }
        },
        ORPHAN_OBJECT(FsckFinding.Kind.ORPHAN_OBJECT, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                image.layout.editRecord(longName(59), (node, buffer, at) ->
                    buffer.putLong(at + IndexNode.LEAF_PARENT_OFFSET, 999_999));
                image.expected.remove(longName(59));
            }
        },
        PARENT_CYCLE(FsckFinding.Kind.PARENT_CYCLE, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                final long id = image.layout.objectId(longName(59));
                image.layout.editRecord(longName(59), (node, buffer, at) ->
                    buffer.putLong(at + IndexNode.LEAF_PARENT_OFFSET, id));
                image.expected.remove(longName(59));
            }
        },
        CORRUPT_PAGE_MAP(FsckFinding.Kind.PAGEMAP_CORRUPT, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                TestImages.flipByte(image.path, image.layout.pageMapRoot(longName(3)) * PAGE);
                image.expected.remove(longName(3));
            }
        },
        PAGE_COUNT_MISMATCH(FsckFinding.Kind.PAGEMAP_COUNT, FsckOptions.Mode.PREEN)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                image.layout.editRecord(longName(4), (node, buffer, at) ->
                    buffer.putLong(at + IndexNode.LEAF_PAGE_COUNT_OFFSET, 40));
            }
        },
        PAGE_PAST_THE_STORE_LIMIT(FsckFinding.Kind.PAGE_PAST_LIMIT, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                image.layout.editRecord(longName(5), (node, buffer, at) ->
                    buffer.putLong(at + IndexNode.LEAF_OBJECT_SIZE_OFFSET, PAGE));
                image.expected.put(longName(5), new ArrayList<>(List.of(0L)));
            }
        },
        BAD_PAGE_CHECKSUM(FsckFinding.Kind.PAGE_CRC, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                TestImages.flipByte(image.path, BlockPointer.block(image.layout.page(longName(7), 1)) * PAGE + 123);
                image.expected.get(longName(7)).remove(1L);
            }

            @Override
            boolean force()
            {
                return true;
            }
        },
        DOUBLY_REFERENCED_BLOCK(FsckFinding.Kind.DOUBLY_REFERENCED, FsckOptions.Mode.YES)
        {
            @Override
            void apply(final Damaged image) throws IOException
            {
                // page 0 of file 9 points at the block of page 0 of file 8, keeping its own check value
                final long leaf = image.layout.pageMapRoot(longName(9));
                final ByteBuffer buffer = ByteBuffer.wrap(TestImages.readBytes(image.path, leaf * PAGE, PAGE));
                final PageMapNode node = new PageMapNode().wrap(buffer, PAGE);
                node.entry(0, image.layout.page(longName(8), 0), node.entryCrc(0));
                final int crc = node.seal();
                TestImages.writeBytes(image.path, leaf * PAGE, buffer.array());
                image.layout.editRecord(longName(9), (record, bytes, at) ->
                    bytes.putInt(at + IndexNode.LEAF_PAGEMAP_CRC_OFFSET, crc));
                image.expected.get(longName(9)).remove(0L);
            }
        };

        final FsckFinding.Kind kind;
        final FsckOptions.Mode mode;

        Damage(final FsckFinding.Kind kind, final FsckOptions.Mode mode)
        {
            this.kind = kind;
            this.mode = mode;
        }

        abstract void apply(Damaged image) throws IOException;

        boolean force()
        {
            return false;
        }
    }

    /**
     * An engine image about to be damaged: where it is, where its structures are, and the pages of each file
     * expected to survive the repair.
     */
    record Damaged(Path path, Layout layout, Map<String, List<Long>> expected)
    {
    }

    @ParameterizedTest
    @EnumSource(Damage.class)
    void repairedImagesMountWithTheSurvivingPagesIntact(final Damage damage) throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 16L << 20, PAGE, "repair");
        final Map<String, Long> files = new LinkedHashMap<>();
        try (Cache cache = Cache.mount(image))
        {
            for (int i = 0; i < 60; i++)
            {
                files.put(longName(i), 2L + i % 3);
                final Cookie cookie = cache.file(longName(i), 8L * PAGE);
                if (i % 10 == 0)
                {
                    assertThat(cookie.reserveSpace(6L * PAGE)).isEqualTo(Result.OK);
                }
                cache.write(cookie, 0, 2 + i % 3);
            }
        }
        assertClean(image);
        final Map<String, List<Long>> expected = new LinkedHashMap<>();
        files.forEach((name, pages) ->
        {
            final List<Long> indexes = new ArrayList<>();
            for (long p = 0; p < pages; p++)
            {
                indexes.add(p);
            }
            expected.put(name, indexes);
        });

        damage.apply(new Damaged(image, Layout.read(image), expected));

        final byte[] damaged = Files.readAllBytes(image);
        final FsckResult check = Fsck.check(image, FsckOptions.defaults().withForce(damage.force()), null);
        assertThat(check.exitCode()).isEqualTo(FsckResult.EXIT_UNCORRECTED);
        assertThat(check.count(damage.kind)).as("%s", check.findings()).isGreaterThan(0);
        assertThat(Files.readAllBytes(image)).isEqualTo(damaged);

        final FsckResult repair = Fsck.check(image, new FsckOptions(damage.mode, damage.force(), false), null);
        assertThat(repair.exitCode()).as("%s", repair.findings()).isEqualTo(FsckResult.EXIT_CORRECTED);
        assertClean(image);

        try (Cache cache = Cache.mount(image))
        {
            for (final Map.Entry<String, Long> file : files.entrySet())
            {
                final Cookie cookie = cache.file(file.getKey(), 8L * PAGE);
                final List<Long> kept = expected.getOrDefault(file.getKey(), List.of());
                for (long p = 0; p < file.getValue(); p++)
                {
                    final byte[] read = cache.read(cookie, p);
                    if (kept.contains(p))
                    {
                        assertThat(read).as("page %d of %s", p, file.getKey()).isEqualTo(content(file.getKey(), p));
                    }
                    else
                    {
                        assertThat(read).as("page %d of %s", p, file.getKey()).isNull();
                    }
                }
            }
            // the engine goes on: new pages for a dropped or damaged file
            cache.write(cache.file(longName(3), 8L * PAGE), 0, 2);
        }
        assertClean(image);
    }

    @Test
    void aCheckBesideAMountedCacheChangesNothing() throws IOException
    {
        final Path image = TestImages.formatFixed(dir.resolve("cache.img"), 16L << 20, PAGE, "mounted");
        try (Cache cache = Cache.mount(image))
        {
            cache.write(cache.file("a", 4L * PAGE), 0, 4);
            cache.backend.commit();
            final byte[] before = Files.readAllBytes(image);

            final FsckResult result = Fsck.check(image, FsckOptions.defaults().withForce(true), null);

            assertThat(result.exitCode()).isEqualTo(FsckResult.EXIT_CLEAN);
            assertThat(result.pages()).isEqualTo(4);
            assertThat(Files.readAllBytes(image)).isEqualTo(before);
        }
    }

    // ------------------------------------------------------------------------------------------- helpers

    /**
     * A 200-byte file name that sorts by {@code i}: the index of a few hundred files has three levels.
     */
    static String longName(final int i)
    {
        return String.format("file-%04d-", i) + "x".repeat(190);
    }

    /**
     * The bytes of page {@code index} of the file {@code name}.
     */
    static byte[] content(final String name, final long index)
    {
        final byte[] bytes = new byte[PAGE];
        long state = (name.hashCode() * 31L + index) * 0x9E3779B97F4A7C15L + 7;
        for (int i = 0; i < PAGE; i++)
        {
            state ^= state << 13;
            state ^= state >>> 7;
            state ^= state << 17;
            bytes[i] = (byte)state;
        }
        return bytes;
    }

    static void editCommit(final Path image, final java.util.function.Consumer<CommitRecord> edit)
        throws IOException
    {
        editSlot(image, TestImages.header(image).slot(), edit);
    }

    private static void editSlot(final Path image, final int slot,
        final java.util.function.Consumer<CommitRecord> edit) throws IOException
    {
        final ByteBuffer block = ByteBuffer.wrap(TestImages.readBytes(image, (long)slot * PAGE, PAGE));
        final CommitRecord commit = new CommitRecord().wrap(block);
        edit.accept(commit);
        commit.seal(slot);
        TestImages.writeBytes(image, (long)slot * PAGE, block.array());
    }

    static void setBitmapBit(final Path image, final long block, final boolean used) throws IOException
    {
        final ImageHeader header = TestImages.header(image);
        final long bits = BitmapBlock.bitsPerBlock(PAGE);
        final long at = header.layout().bitmapStart(header.commit().bitmapCopy()) + block / bits;
        final ByteBuffer buffer = ByteBuffer.wrap(TestImages.readBytes(image, at * PAGE, PAGE));
        final BitmapBlock bitmap = new BitmapBlock().wrap(buffer, PAGE);
        if (used)
        {
            bitmap.set(block % bits);
        }
        else
        {
            bitmap.clear(block % bits);
        }
        bitmap.seal();
        TestImages.writeBytes(image, at * PAGE, buffer.array());
    }

    /**
     * A netfs of data files directly under its primary index, each keyed by name, over a CacheFS mount.
     */
    static final class Cache implements AutoCloseable
    {
        record File(String name, long size)
        {
        }

        static final CookieDefinition<File> DATA = new CookieDefinition<>()
        {
            @Override
            public String name()
            {
                return "fsck.file";
            }

            @Override
            public CookieType type()
            {
                return CookieType.DATAFILE;
            }

            @Override
            public byte[] key(final File file)
            {
                return file.name().getBytes(StandardCharsets.UTF_8);
            }

            @Override
            public long size(final File file)
            {
                return file.size();
            }
        };

        /**
         * A data file under the primary index with raw key and aux bytes.
         */
        record RawFile(byte[] key, byte[] aux, long size)
        {
        }

        static final CookieDefinition<RawFile> RAW = new CookieDefinition<>()
        {
            @Override
            public String name()
            {
                return "fsck.raw";
            }

            @Override
            public CookieType type()
            {
                return CookieType.DATAFILE;
            }

            @Override
            public byte[] key(final RawFile file)
            {
                return file.key();
            }

            @Override
            public long size(final RawFile file)
            {
                return file.size();
            }

            @Override
            public byte[] aux(final RawFile file)
            {
                return file.aux();
            }
        };

        private static final ReadCompletion<Object[]> COMPLETION = (page, context, result) ->
        {
            context[0] = result;
            ((CountDownLatch)context[1]).countDown();
        };

        final CacheFsBackend backend;
        private final FsCache fsCache;
        private final Netfs netfs;
        private final List<Throwable> errors = new CopyOnWriteArrayList<>();
        private final Map<Cookie, String> names = new java.util.IdentityHashMap<>();

        private Cache(final CacheFsBackend backend)
        {
            this.backend = backend;
            this.fsCache = FsCache.create(FsCacheOptions.builder().threadCount(2).pageSize(PAGE)
                .errorHandler(errors::add).build());
            fsCache.addCache(backend, "fsck");
            this.netfs = fsCache.registerNetfs("fscktest", 1);
        }

        static Cache mount(final Path image) throws IOException
        {
            return new Cache(CacheFs.mount(image, MountOptions.defaults().withCommitIntervalSeconds(0)));
        }

        /**
         * @return the cookie of the file {@code name}, acquired at the first call.
         */
        Cookie file(final String name, final long size)
        {
            for (final Map.Entry<Cookie, String> acquired : names.entrySet())
            {
                if (acquired.getValue().equals(name))
                {
                    return acquired.getKey();
                }
            }
            final Cookie cookie = netfs.primaryIndex().acquire(DATA, new File(name, size));
            assertThat(cookie.isNoop()).isFalse();
            names.put(cookie, name);
            return cookie;
        }

        /**
         * @return the cookie of a data file with raw {@code key} and {@code aux} bytes, named {@code name} for
         * {@link #write} and {@link #read}.
         */
        Cookie raw(final String name, final byte[] key, final byte[] aux, final long size)
        {
            final Cookie cookie = netfs.primaryIndex().acquire(RAW, new RawFile(key, aux, size));
            assertThat(cookie.isNoop()).isFalse();
            names.put(cookie, name);
            return cookie;
        }

        /**
         * Removes the file and its pages from the cache.
         */
        void retire(final String name, final long size)
        {
            final Cookie cookie = file(name, size);
            names.remove(cookie);
            cookie.relinquish(true);
        }

        /**
         * Writes pages {@code [from, to)} of a file with their {@link #content}.
         */
        void write(final Cookie cookie, final long from, final long to)
        {
            final String name = nameOf(cookie);
            for (long index = from; index < to; index++)
            {
                final CachePage page = new CachePage(index, AlignedBuffers.allocate(PAGE));
                assertThat(cookie.allocPage(page)).as("alloc of page %d", index).isEqualTo(Result.OK);
                page.buffer().put(0, content(name, index));
                assertThat(cookie.writePage(page)).as("write of page %d", index).isEqualTo(Result.OK);
                assertThat(cookie.waitOnPageWrite(page, TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                cookie.uncachePage(page);
            }
        }

        /**
         * @return the cached bytes of page {@code index}, or null if the cache has none.
         */
        byte[] read(final Cookie cookie, final long index)
        {
            final CachePage page = new CachePage(index, AlignedBuffers.allocate(PAGE));
            final Object[] context = { null, new CountDownLatch(1) };
            final Result result = cookie.readOrAllocPage(page, COMPLETION, context);
            try
            {
                if (result != Result.OK)
                {
                    // not cached; NO_BUFS for a page past the object's size, which the cache may not store
                    assertThat(result).isIn(Result.NO_DATA, Result.NO_BUFS);
                    return null;
                }
                try
                {
                    assertThat(((CountDownLatch)context[1]).await(TIMEOUT_SECONDS, TimeUnit.SECONDS)).isTrue();
                }
                catch (final InterruptedException ex)
                {
                    Thread.currentThread().interrupt();
                    throw new IllegalStateException(ex);
                }
                if (context[0] != Result.OK)
                {
                    return null;
                }
                final byte[] bytes = new byte[PAGE];
                page.buffer().get(0, bytes);
                return bytes;
            }
            finally
            {
                if (page.isFsCache())
                {
                    cookie.uncachePage(page);
                }
            }
        }

        private String nameOf(final Cookie cookie)
        {
            return names.get(cookie);
        }

        @Override
        public void close() throws IOException
        {
            try
            {
                for (final Cookie cookie : names.keySet())
                {
                    cookie.relinquish(false);
                }
                fsCache.close();
            }
            finally
            {
                backend.close();
            }
            assertThat(errors).isEmpty();
        }
    }

    /**
     * Where the current commit of an image keeps its objects: index leaves and their keys, page maps, data blocks.
     */
    static final class Layout
    {
        /**
         * A change to an index node's bytes.
         */
        interface NodeEdit
        {
            void apply(IndexNode node, ByteBuffer buffer);
        }

        /**
         * A change to an index record: the leaf, its bytes and the offset of the record's entry.
         */
        interface RecordEdit
        {
            void apply(IndexNode leaf, ByteBuffer buffer, int entry);
        }

        private final Path image;
        private final int height;
        private final long root;
        private final List<Long> leaves = new ArrayList<>();
        private final Map<Long, List<String>> keys = new TreeMap<>();
        private final Map<String, long[]> records = new TreeMap<>();
        private final Map<String, List<long[]>> paths = new TreeMap<>();

        private Layout(final Path image, final int height, final long root)
        {
            this.image = image;
            this.height = height;
            this.root = root;
        }

        static Layout read(final Path image) throws IOException
        {
            final CommitRecord commit = TestImages.header(image).commit();
            final Layout layout = new Layout(image, commit.indexHeight(), BlockPointer.block(commit.indexRoot()));
            if (commit.indexRoot() != BlockPointer.NULL)
            {
                layout.walk(layout.root, new ArrayList<>());
            }
            return layout;
        }

        private void walk(final long block, final List<long[]> path) throws IOException
        {
            final IndexNode node = new IndexNode().wrap(ByteBuffer.wrap(TestImages.readBytes(image, block * PAGE,
                PAGE)), PAGE);
            if (node.isLeaf())
            {
                leaves.add(block);
                final List<String> in = new ArrayList<>();
                for (int i = 0; i < node.count(); i++)
                {
                    final String key = new String(node.key(i), StandardCharsets.UTF_8);
                    in.add(key);
                    records.put(key, new long[]{ node.objectId(i), node.pageMapRoot(i), node.pageMapHeight(i) });
                    final List<long[]> to = new ArrayList<>(path);
                    to.add(new long[]{ block, i });
                    paths.put(key, to);
                }
                keys.put(block, in);
                return;
            }
            for (int i = 0; i < node.count(); i++)
            {
                path.add(new long[]{ block, i });
                walk(BlockPointer.block(node.child(i)), path);
                path.remove(path.size() - 1);
            }
        }

        int height()
        {
            return height;
        }

        long root()
        {
            return root;
        }

        List<Long> leaves()
        {
            return leaves;
        }

        List<String> keysIn(final long leaf)
        {
            return keys.get(leaf);
        }

        long objectId(final String key)
        {
            return records.get(key)[0];
        }

        long pageMapRoot(final String key)
        {
            return BlockPointer.block(records.get(key)[1]);
        }

        /**
         * @return the data block pointer of page {@code index} of the object {@code key}.
         */
        long page(final String key, final long index) throws IOException
        {
            final long[] record = records.get(key);
            long block = BlockPointer.block(record[1]);
            for (int level = (int)record[2] - 1; ; level--)
            {
                final PageMapNode node = new PageMapNode().wrap(ByteBuffer.wrap(TestImages.readBytes(image,
                    block * PAGE, PAGE)), PAGE);
                final long cover = level == 0 ? 1 : PageMapNode.coverage(PAGE, level - 1);
                final long pointer = node.pointer((int)((index - node.firstPage()) / cover));
                if (level == 0)
                {
                    return pointer;
                }
                block = BlockPointer.block(pointer);
            }
        }

        /**
         * Changes the record of {@code key} and re-seals its leaf and every node above it, and the commit record.
         */
        void editRecord(final String key, final RecordEdit edit) throws IOException
        {
            final List<long[]> path = paths.get(key);
            final int entry = (int)path.get(path.size() - 1)[1];
            final List<Long> blocks = new ArrayList<>();
            path.forEach(step -> blocks.add(step[0]));
            edit(blocks, (node, buffer) -> edit.apply(node, buffer, node.entryOffset(entry)));
        }

        /**
         * Changes the last node of {@code path} (blocks from the root down), re-seals it, records its new check value
         * in its parent, and so on up to the commit record.
         */
        void edit(final List<Long> path, final NodeEdit edit) throws IOException
        {
            long child = path.get(path.size() - 1);
            ByteBuffer buffer = ByteBuffer.wrap(TestImages.readBytes(image, child * PAGE, PAGE));
            IndexNode node = new IndexNode().wrap(buffer, PAGE);
            edit.apply(node, node.buffer());
            int crc = node.seal();
            TestImages.writeBytes(image, child * PAGE, buffer.array());
            for (int at = path.size() - 2; at >= 0; at--)
            {
                final long parent = path.get(at);
                buffer = ByteBuffer.wrap(TestImages.readBytes(image, parent * PAGE, PAGE));
                node = new IndexNode().wrap(buffer, PAGE);
                for (int i = 0; i < node.count(); i++)
                {
                    if (BlockPointer.block(node.child(i)) == child)
                    {
                        node.buffer().putInt(node.entryOffset(i) + IndexNode.BRANCH_CHILD_CRC_OFFSET, crc);
                    }
                }
                crc = node.seal();
                TestImages.writeBytes(image, parent * PAGE, buffer.array());
                child = parent;
            }
            final int rootCrc = crc;
            editCommit(image, commit -> commit.indexRoot(commit.indexRoot(), rootCrc, commit.indexHeight()));
        }
    }
}
