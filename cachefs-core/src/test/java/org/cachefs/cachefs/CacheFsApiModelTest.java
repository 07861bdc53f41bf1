package org.cachefs.cachefs;

import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Collections;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;

import org.cachefs.format.Mkfs;
import org.cachefs.format.MkfsOptions;
import org.cachefs.format.PageMapNode;
import org.cachefs.format.device.AlignedBuffers;
import org.cachefs.fscache.Await;
import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.CheckAux;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.FsCache;
import org.cachefs.fscache.FsCacheOptions;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.ReadRecorder;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.TestFile;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * Random netfs operations on CacheFS through the public FS-Cache API, checked against a {@link TreeMap} model of
 * each file's pages: acquisition (with the coherency verdicts OKAY, NEEDS_UPDATE and OBSOLETE), single and
 * multi-page reads, allocations, writes and rewrites, uncaching, size changes that truncate, reservations, updates of
 * the aux data, relinquishing with and without retirement (of files and of a whole volume), commits, and remounts
 * (withdraw, unmount, mount, add, re-register, re-acquire).
 * <p>
 * A page read back must be byte-identical to the last completed write of it; a page is reported missing only where
 * the model has none (never written, or dropped by a truncation, a retirement or an obsolete verdict); pages past the
 * store limit are refused. At every remount the object and page counts must equal the model's. The seed comes from
 * {@code -Dcachefs.test.seed} and is printed with any failure.
 */
class CacheFsApiModelTest
{
    private static final long SEED = Long.getLong("cachefs.test.seed", 0xA91C0DEL);
    private static final int OPERATIONS = Integer.getInteger("cachefs.test.operations", 4000);
    private static final int PAGE_SIZE = ApiSession.PAGE_SIZE;
    private static final int FILES = 12;
    private static final int VOLUMES = 2;
    private static final String TAG = "model";

    @TempDir
    Path dir;

    @Test
    void randomApiOperationsMatchTheModel() throws Exception
    {
        final Run run = new Run(new Random(SEED), dir.resolve("cache.img"));
        try
        {
            run.run(OPERATIONS);
        }
        catch (final AssertionError | Exception ex)
        {
            run.abandon();
            throw new AssertionError("failed with seed " + SEED + " (replay with -Dcachefs.test.seed=" + SEED +
                ") at operation " + run.operation + ": " + run.description, ex);
        }
        System.out.printf("api model test seed=%d: %d operations, %d reads checked (%d hits), %d remounts, " +
                "%d syncs, %d objects, %d pages%n", SEED, run.operation, run.readsChecked, run.hits, run.remounts,
            run.syncs, run.expectedObjects(), run.expectedPages());
    }

    /**
     * The model of one data file.
     */
    private static final class FileModel
    {
        final String key;
        final int volume;
        final TreeMap<Long, byte[]> pages = new TreeMap<>();
        /** Pages marked for this file and not uncached yet (read or allocated, maybe written). */
        final TreeMap<Long, CachePage> held = new TreeMap<>();
        /** The store limit in pages. */
        long limit = Long.MAX_VALUE;
        /** A size change may still be queued: a write past the limit may then be accepted, and dropped when it runs. */
        boolean sizeChangeQueued;
        long reservedBytes;
        String aux = "a0";
        int auxVersion;
        /** Whether the cache holds an object for the file. */
        boolean exists;
        TestFile file;
        Cookie cookie;

        FileModel(final String key, final int volume)
        {
            this.key = key;
            this.volume = volume;
        }

        /**
         * The object is gone or replaced: no pages, no limit, no reservation.
         */
        void forget()
        {
            pages.clear();
            limit = Long.MAX_VALUE;
            reservedBytes = 0;
        }
    }

    private static final class Run
    {
        final Random random;
        final Path image;
        final List<FileModel> files = new ArrayList<>();
        final boolean[] volumeExists = new boolean[VOLUMES];
        final Cookie[] volumes = new Cookie[VOLUMES];
        final List<Throwable> errors = new CopyOnWriteArrayList<>();
        final ReadRecorder recorder = new ReadRecorder();
        boolean netfsExists;
        CacheFsBackend backend;
        FsCache fsCache;
        Netfs netfs;
        int operation;
        String description = "mount";
        long readsChecked;
        long hits;
        int remounts;
        int syncs;

        Run(final Random random, final Path image)
        {
            this.random = random;
            this.image = image;
            for (int i = 0; i < FILES; i++)
            {
                files.add(new FileModel("file-" + i, i % VOLUMES));
            }
        }

        void run(final int operations) throws Exception
        {
            Mkfs.format(image, MkfsOptions.defaults().withSize(32L << 20), null);
            mount(false);
            for (operation = 1; operation <= operations; operation++)
            {
                step();
            }
            operation = operations;
            description = "final remount and full read-back";
            remount();
            for (final FileModel model : files)
            {
                if (!model.exists)
                {
                    continue;
                }
                if (model.cookie == null)
                {
                    acquire(model, CheckAux.OKAY);
                }
                for (final long index : List.copyOf(model.pages.keySet()))
                {
                    readOne(model, index, false);
                }
                for (int i = 0; i < 8; i++)
                {
                    final long index = random.nextInt(128);
                    if (!model.held.containsKey(index))
                    {
                        readOne(model, index, false);
                    }
                }
            }
            unmount(true);
            assertThat(errors).isEmpty();
            assertThat(recorder.duplicates()).isEmpty();
        }

        private void step() throws Exception
        {
            final int op = random.nextInt(1000);
            if (op < 60)
            {
                final FileModel model = files.get(random.nextInt(FILES));
                if (model.cookie == null)
                {
                    acquireVariant(model);
                }
                else
                {
                    relinquish(model, random.nextInt(8) == 0);
                }
                return;
            }
            final FileModel model = openFile();
            if (model == null)
            {
                description = "acquire (no file open)";
                acquireVariant(files.get(random.nextInt(FILES)));
                return;
            }
            if (op < 360)
            {
                readOne(model, pickIndex(model), random.nextInt(3) != 0);
            }
            else if (op < 500)
            {
                readMany(model);
            }
            else if (op < 580)
            {
                allocate(model);
            }
            else if (op < 720)
            {
                writeHeld(model);
            }
            else if (op < 770)
            {
                uncacheHeld(model);
            }
            else if (op < 830)
            {
                attrChanged(model);
            }
            else if (op < 860)
            {
                reserve(model);
            }
            else if (op < 880)
            {
                update(model);
            }
            else if (op < 950)
            {
                description = "sync";
                backend.commit();
                syncs++;
            }
            else if (op < 951)
            {
                retireVolume(random.nextInt(VOLUMES));
            }
            else if (op < 975)
            {
                remount();
            }
            else
            {
                relinquish(model, false);
            }
        }

        private FileModel openFile()
        {
            final List<FileModel> open = new ArrayList<>();
            for (final FileModel model : files)
            {
                if (model.cookie != null)
                {
                    open.add(model);
                }
            }
            return open.isEmpty() ? null : open.get(random.nextInt(open.size()));
        }

        /**
         * A page whose buffer is, at random, aligned for direct I/O, direct but aligned only to 512 bytes, or on the
         * heap (the last two go through the store's aligned buffers).
         */
        private CachePage newPage(final long index)
        {
            final int kind = random.nextInt(4);
            if (kind == 0)
            {
                return new CachePage(index, AlignedBuffers.allocate(2 * PAGE_SIZE).position(512)
                    .limit(512 + PAGE_SIZE).slice());
            }
            if (kind == 1)
            {
                return new CachePage(index, ByteBuffer.allocate(PAGE_SIZE));
            }
            return ApiSession.newPage(index);
        }

        private long pickIndex(final FileModel model)
        {
            for (int attempt = 0; attempt < 8; attempt++)
            {
                final long index;
                final int choice = random.nextInt(10);
                if (choice < 5 && !model.pages.isEmpty())
                {
                    final Long[] present = model.pages.keySet().toArray(new Long[0]);
                    index = present[random.nextInt(present.length)];
                }
                else if (choice == 9)
                {
                    // past one page-map leaf, or two levels up
                    index = random.nextBoolean() ? 252 + random.nextInt(300) : 63_504 + random.nextInt(100);
                }
                else
                {
                    index = random.nextInt(96);
                }
                if (!model.held.containsKey(index))
                {
                    return index;
                }
            }
            return -1;
        }

        // -----------------------------------------------------------------------------------------------------------
        // Operations.
        // -----------------------------------------------------------------------------------------------------------

        private void acquireVariant(final FileModel model)
        {
            final int variant = random.nextInt(10);
            if (!model.exists || variant < 8)
            {
                acquire(model, CheckAux.OKAY);
            }
            else if (variant < 9)
            {
                model.aux = "a" + ++model.auxVersion;
                acquire(model, CheckAux.OBSOLETE);
            }
            else
            {
                model.aux = "a" + ++model.auxVersion;
                acquire(model, CheckAux.NEEDS_UPDATE);
            }
        }

        /**
         * Acquires the file with the model's aux; {@code expected} is the verdict an existing object must get
         * (NEEDS_UPDATE is forced, OBSOLETE follows from an aux that differs from the stored one).
         */
        private void acquire(final FileModel model, final CheckAux expected)
        {
            description = "acquire " + model.key + " aux " + model.aux + " expecting " +
                (model.exists ? expected : "creation");
            final TestFile file = new TestFile(model.key).aux(model.aux);
            if (expected == CheckAux.NEEDS_UPDATE)
            {
                file.verdict(CheckAux.NEEDS_UPDATE);
            }
            if (volumes[model.volume] == null)
            {
                volumes[model.volume] = netfs.primaryIndex().acquire(TestFile.INDEX, new TestFile("vol-" +
                    model.volume));
            }
            final Cookie cookie = volumes[model.volume].acquire(TestFile.DATA, file);
            assertThat(cookie.isNoop()).as("no-op cookie for %s", model.key).isFalse();
            awaitIdle();
            assertThat(file.verdicts()).as("verdicts of %s", model.key)
                .isEqualTo(model.exists ? List.of(expected) : List.of());
            if (expected == CheckAux.OBSOLETE)
            {
                model.forget();
            }
            model.exists = true;
            model.file = file;
            model.cookie = cookie;
            volumeExists[model.volume] = true;
            netfsExists = true;
        }

        private void relinquish(final FileModel model, final boolean retire)
        {
            description = (retire ? "retire " : "relinquish ") + model.key;
            releaseHeld(model);
            model.cookie.relinquish(retire);
            model.cookie = null;
            model.file = null;
            if (retire)
            {
                model.forget();
                model.exists = false;
            }
        }

        /**
         * Writes some of the file's held pages and uncaches all of them.
         */
        private void releaseHeld(final FileModel model)
        {
            for (final CachePage page : List.copyOf(model.held.values()))
            {
                if (random.nextBoolean())
                {
                    write(model, page);
                }
                model.cookie.uncachePage(page);
                assertThat(page.isFsCache()).isFalse();
            }
            model.held.clear();
        }

        private void retireVolume(final int volume)
        {
            description = "retire volume " + volume;
            for (final FileModel model : files)
            {
                if (model.volume == volume && model.cookie != null)
                {
                    relinquish(model, false);
                }
            }
            // An index cookie not acquired since the last remount has no object to retire: its object is
            // instantiated only for a data file below it.
            if (volumes[volume] == null)
            {
                return;
            }
            volumes[volume].relinquish(true);
            volumes[volume] = null;
            awaitIdle();
            for (final FileModel model : files)
            {
                if (model.volume == volume)
                {
                    model.forget();
                    model.exists = false;
                }
            }
            volumeExists[volume] = false;
        }

        /**
         * Reads one page and checks the outcome against the model; a missed page is then written, kept marked or
         * uncached, at random if {@code mayKeep}.
         */
        private void readOne(final FileModel model, final long index, final boolean mayKeep)
        {
            if (index < 0)
            {
                return;
            }
            description = "read " + model.key + " page " + index;
            final CachePage page = newPage(index);
            final Result result = model.cookie.readOrAllocPage(page, recorder, model.key);
            final byte[] expected = model.pages.get(index);
            if (index >= model.limit)
            {
                assertThat(result).as("read of %s page %d past the limit %d", model.key, index, model.limit)
                    .isEqualTo(Result.NO_BUFS);
                assertThat(page.isFsCache()).isFalse();
                readsChecked++;
                return;
            }
            if (expected == null)
            {
                assertThat(result).as("read of absent %s page %d", model.key, index).isEqualTo(Result.NO_DATA);
                assertThat(page.isFsCache()).isTrue();
            }
            else
            {
                assertThat(result).as("read of stored %s page %d", model.key, index).isEqualTo(Result.OK);
                checkContent(model, page, expected);
                hits++;
            }
            readsChecked++;
            afterRead(model, page, mayKeep);
        }

        private void afterRead(final FileModel model, final CachePage page, final boolean mayKeep)
        {
            final int choice = mayKeep ? random.nextInt(4) : 3;
            if (choice == 0)
            {
                write(model, page);
            }
            if (choice <= 1)
            {
                model.held.put(page.index(), page);
            }
            else
            {
                if (choice == 2)
                {
                    write(model, page);
                }
                model.cookie.uncachePage(page);
            }
        }

        private void checkContent(final FileModel model, final CachePage page, final byte[] expected)
        {
            assertThat(recorder.resultOf(page)).as("completion of %s page %d", model.key, page.index())
                .isEqualTo(Result.OK);
            final byte[] actual = new byte[PAGE_SIZE];
            page.buffer().duplicate().clear().get(actual);
            assertThat(ApiSession.difference(expected, actual)).as("content of %s page %d", model.key, page.index())
                .isNull();
        }

        private void readMany(final FileModel model)
        {
            final List<Long> indexes = new ArrayList<>();
            final int count = 2 + random.nextInt(11);
            if (random.nextInt(3) != 0)
            {
                final long first = random.nextInt(96);
                for (long i = first; i < first + count; i++)
                {
                    indexes.add(i);
                }
            }
            else
            {
                while (indexes.size() < count)
                {
                    final long index = random.nextInt(128);
                    if (!indexes.contains(index))
                    {
                        indexes.add(index);
                    }
                }
            }
            indexes.removeIf(model.held::containsKey);
            if (indexes.isEmpty())
            {
                return;
            }
            if (random.nextInt(4) == 0)
            {
                Collections.shuffle(indexes, random);
            }
            description = "read " + model.key + " pages " + indexes;
            final List<CachePage> pages = new ArrayList<>();
            for (final long index : indexes)
            {
                pages.add(newPage(index));
            }
            final List<CachePage> list = new ArrayList<>(pages);
            final Result result = model.cookie.readOrAllocPages(list, recorder, model.key);
            final Map<CachePage, Boolean> left = new IdentityHashMap<>();
            list.forEach(page -> left.put(page, true));
            boolean pastLimit = false;
            boolean absent = false;
            for (final CachePage page : pages)
            {
                final long index = page.index();
                if (index >= model.limit)
                {
                    pastLimit = true;
                    assertThat(left).as("%s page %d past the limit stays in the list", model.key, index)
                        .containsKey(page);
                    assertThat(page.isFsCache()).isFalse();
                }
                else if (model.pages.containsKey(index))
                {
                    assertThat(left).as("stored %s page %d is read", model.key, index).doesNotContainKey(page);
                    checkContent(model, page, model.pages.get(index));
                    hits++;
                }
                else
                {
                    absent = true;
                    assertThat(left).as("absent %s page %d stays in the list", model.key, index).containsKey(page);
                    assertThat(page.isFsCache()).as("absent %s page %d is marked", model.key, index).isTrue();
                    assertThat(recorder.resultOf(page)).isNull();
                }
                readsChecked++;
            }
            assertThat(result).as("result of the multi-page read")
                .isEqualTo(pastLimit ? Result.NO_BUFS : absent ? Result.NO_DATA : Result.OK);
            for (final CachePage page : pages)
            {
                if (page.index() < model.limit)
                {
                    afterRead(model, page, true);
                }
            }
        }

        private void allocate(final FileModel model)
        {
            final long index = pickIndex(model);
            if (index < 0)
            {
                return;
            }
            description = "allocate " + model.key + " page " + index;
            final CachePage page = newPage(index);
            final Result result = model.cookie.allocPage(page);
            if (index >= model.limit)
            {
                assertThat(result).as("allocation past the limit").isEqualTo(Result.NO_BUFS);
                assertThat(page.isFsCache()).isFalse();
                return;
            }
            assertThat(result).as("allocation of %s page %d", model.key, index).isEqualTo(Result.OK);
            assertThat(page.isFsCache()).isTrue();
            model.held.put(index, page);
        }

        private void writeHeld(final FileModel model)
        {
            if (model.held.isEmpty())
            {
                allocate(model);
                return;
            }
            final CachePage page = pickHeld(model);
            write(model, page);
            if (random.nextBoolean())
            {
                model.cookie.uncachePage(page);
                model.held.remove(page.index());
            }
        }

        private void uncacheHeld(final FileModel model)
        {
            if (model.held.isEmpty())
            {
                return;
            }
            final CachePage page = pickHeld(model);
            description = "uncache " + model.key + " page " + page.index() + " unwritten";
            model.cookie.uncachePage(page);
            assertThat(page.isFsCache()).isFalse();
            model.held.remove(page.index());
        }

        private CachePage pickHeld(final FileModel model)
        {
            final List<CachePage> held = List.copyOf(model.held.values());
            return held.get(random.nextInt(held.size()));
        }

        /**
         * Fills a marked page with new bytes and writes it; the model takes the bytes once the write has ended.
         */
        private void write(final FileModel model, final CachePage page)
        {
            description = "write " + model.key + " page " + page.index();
            final byte[] data = new byte[PAGE_SIZE];
            random.nextBytes(data);
            page.buffer().clear().put(data).clear();
            final Result result = model.cookie.writePage(page);
            if (page.index() >= model.limit)
            {
                // Submission checks the limit unless a size change is queued ahead; then the write is refused when
                // it runs, which the netfs is not told.
                if (model.sizeChangeQueued && result == Result.OK)
                {
                    assertThat(model.cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS))
                        .as("write of %s page %d ended", model.key, page.index()).isTrue();
                    return;
                }
                assertThat(result).as("write of %s page %d past the limit %d", model.key, page.index(), model.limit)
                    .isEqualTo(Result.NO_BUFS);
                return;
            }
            assertThat(result).as("write of %s page %d", model.key, page.index()).isEqualTo(Result.OK);
            assertThat(model.cookie.waitOnPageWrite(page, Await.TIMEOUT_SECONDS, TimeUnit.SECONDS))
                .as("write of %s page %d ended", model.key, page.index()).isTrue();
            model.pages.put(page.index(), data);
        }

        private void attrChanged(final FileModel model)
        {
            final int choice = random.nextInt(8);
            final long size = choice < 2 ? 1L << 30 : choice == 2 ? 0 :
                random.nextInt(110) * (long)PAGE_SIZE + (random.nextBoolean() ? 0 : 1 + random.nextInt(PAGE_SIZE - 1));
            description = "size of " + model.key + " to " + size;
            model.file.size(size);
            assertThat(model.cookie.attrChanged()).isEqualTo(Result.OK);
            model.sizeChangeQueued = true;
            model.limit = (size + PAGE_SIZE - 1) / PAGE_SIZE;
            model.pages.tailMap(model.limit, true).clear();
        }

        private void reserve(final FileModel model)
        {
            final long bytes = random.nextInt(4) == 0 ? 0 : random.nextInt(64 * PAGE_SIZE);
            description = "reserve " + bytes + " bytes for " + model.key;
            assertThat(model.cookie.reserveSpace(bytes)).isEqualTo(Result.OK);
            model.reservedBytes = bytes;
        }

        private void update(final FileModel model)
        {
            model.aux = "a" + ++model.auxVersion;
            description = "update " + model.key + " to aux " + model.aux;
            model.file.aux(model.aux);
            model.cookie.update();
            awaitIdle();
        }

        // -----------------------------------------------------------------------------------------------------------
        // Mounting.
        // -----------------------------------------------------------------------------------------------------------

        private void remount() throws IOException
        {
            description = "remount";
            final List<FileModel> reopen = new ArrayList<>();
            for (final FileModel model : files)
            {
                if (model.cookie != null)
                {
                    reopen.add(model);
                }
            }
            unmount(random.nextBoolean());
            mount(true);
            remounts++;
            for (final FileModel model : reopen)
            {
                acquire(model, CheckAux.OKAY);
            }
        }

        /**
         * Unmounts: relinquishes the cookies first ({@code relinquishFirst}), or withdraws the cache from under them,
         * with pages still marked, and relinquishes the unbacked cookies after.
         */
        private void unmount(final boolean relinquishFirst) throws IOException
        {
            for (final FileModel model : files)
            {
                if (model.cookie != null && (relinquishFirst || random.nextBoolean()))
                {
                    releaseHeld(model);
                }
            }
            awaitIdle();
            if (relinquishFirst)
            {
                relinquishAll();
                fsCache.withdrawCache(TAG);
            }
            fsCache.close();
            if (!relinquishFirst)
            {
                for (final FileModel model : files)
                {
                    for (final CachePage page : model.held.values())
                    {
                        assertThat(page.isFsCache()).as("mark of %s page %d after withdrawal", model.key,
                            page.index()).isFalse();
                        model.cookie.uncachePage(page);
                    }
                    model.held.clear();
                }
                relinquishAll();
            }
            backend.close();
            backend = null;
            assertThat(errors).as("errors reported to FS-Cache").isEmpty();
        }

        private void relinquishAll()
        {
            for (final FileModel model : files)
            {
                if (model.cookie != null)
                {
                    model.cookie.relinquish(false);
                    model.cookie = null;
                    model.file = null;
                }
            }
            for (int v = 0; v < VOLUMES; v++)
            {
                if (volumes[v] != null)
                {
                    volumes[v].relinquish(false);
                    volumes[v] = null;
                }
            }
        }

        private void mount(final boolean check) throws IOException
        {
            backend = CacheFs.mount(image, ApiSession.OPTIONS);
            if (check)
            {
                assertThat(backend.wasClean()).isTrue();
                final StoreSnapshot snapshot = backend.snapshot();
                assertThat(snapshot.objects()).as("objects after mount").isEqualTo(expectedObjects());
                assertThat(snapshot.pages()).as("pages after mount").isEqualTo(expectedPages());
                assertThat(snapshot.reservedBlocks()).as("unused reservations after mount")
                    .isEqualTo(expectedReservedBlocks());
            }
            fsCache = FsCache.create(FsCacheOptions.builder().threadCount(2).pageSize(PAGE_SIZE)
                .errorHandler(errors::add).build());
            fsCache.addCache(backend, TAG);
            netfs = fsCache.registerNetfs("modelfs", 1);
        }

        long expectedObjects()
        {
            long objects = netfsExists ? 1 : 0;
            for (final boolean exists : volumeExists)
            {
                objects += exists ? 1 : 0;
            }
            for (final FileModel model : files)
            {
                objects += model.exists ? 1 : 0;
            }
            return objects;
        }

        /**
         * Blocks set aside for reservations and not used by stored pages yet: a reservation of n bytes takes its
         * pages, their page-map leaves and 4 more blocks; stored pages use it up in the same measure.
         */
        long expectedReservedBlocks()
        {
            long blocks = 0;
            for (final FileModel model : files)
            {
                final long reservedPages = (model.reservedBytes + PAGE_SIZE - 1) / PAGE_SIZE;
                blocks += Math.max(0, reservationBlocks(reservedPages) - reservationBlocks(model.pages.size()));
            }
            return blocks;
        }

        private static long reservationBlocks(final long pages)
        {
            final int leafEntries = PageMapNode.fanout(PAGE_SIZE);
            return pages == 0 ? 0 : pages + (pages + leafEntries - 1) / leafEntries + 4;
        }

        long expectedPages()
        {
            long pages = 0;
            for (final FileModel model : files)
            {
                pages += model.pages.size();
            }
            return pages;
        }

        private void awaitIdle()
        {
            assertThat(fsCache.awaitIdle(Await.TIMEOUT_SECONDS, TimeUnit.SECONDS)).as("FS-Cache pool idle").isTrue();
            for (final FileModel model : files)
            {
                model.sizeChangeQueued = false;
            }
        }

        /**
         * After a failure: releases the image without checking anything more.
         */
        void abandon()
        {
            try
            {
                if (fsCache != null)
                {
                    fsCache.close();
                }
            }
            catch (final RuntimeException ex)
            {
                // the failure being reported matters more
            }
            try
            {
                if (backend != null)
                {
                    backend.close();
                }
            }
            catch (final IOException | RuntimeException ex)
            {
                // the failure being reported matters more
            }
        }
    }
}
