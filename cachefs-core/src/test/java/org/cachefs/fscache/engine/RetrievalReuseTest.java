package org.cachefs.fscache.engine;

import java.util.ArrayList;
import java.util.List;

import org.junit.jupiter.api.Test;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.Cookie;
import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;
import org.cachefs.fscache.FsCacheTestSupport;
import org.cachefs.fscache.Netfs;
import org.cachefs.fscache.Pages;
import org.cachefs.fscache.Result;
import org.cachefs.fscache.StatCounter;
import org.cachefs.fscache.TestFile;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A retrieval that every holder released is reused for the cookie's next read of the same object, so that a cache hit
 * allocates nothing: each reuse starts afresh, with its own completion context taken and put once.
 */
class RetrievalReuseTest extends FsCacheTestSupport
{
    private static final int PAGES = 8;

    /** A data file definition that records get_context and put_context. */
    private static final class CountingFile implements CookieDefinition<TestFile>
    {
        final List<Object> got = new ArrayList<>();
        final List<Object> put = new ArrayList<>();

        public String name()
        {
            return "counting.file";
        }

        public CookieType type()
        {
            return CookieType.DATAFILE;
        }

        public byte[] key(final TestFile file)
        {
            return TestFile.DATA.key(file);
        }

        public byte[] aux(final TestFile file)
        {
            return TestFile.DATA.aux(file);
        }

        public long size(final TestFile file)
        {
            return TestFile.DATA.size(file);
        }

        public synchronized void getContext(final TestFile file, final Object context)
        {
            got.add(context);
        }

        public synchronized void putContext(final TestFile file, final Object context)
        {
            put.add(context);
        }
    }

    @Test
    void hitsReuseOneRetrievalAndEachCompletesWithItsOwnContext() throws InterruptedException
    {
        fsCache.addCache(memory(64, "reuse"), "reuse");
        final Netfs netfs = fsCache.registerNetfs("reusefs", 1);
        final CountingFile def = new CountingFile();
        final Cookie cookie = netfs.primaryIndex().acquire(def, new TestFile("file").size(PAGES * PAGE_SIZE));
        for (int p = 0; p < PAGES; p++)
        {
            final CachePage page = page(p);
            assertThat(cookie.readOrAllocPage(page, recorder, "fill-" + p)).isEqualTo(Result.NO_DATA);
            Pages.fill(page, p);
            assertThat(cookie.writePage(page)).isEqualTo(Result.OK);
            cookie.waitOnPageWrite(page);
            cookie.uncachePage(page);
        }
        assertThat(def.put).containsExactlyElementsOf(def.got).hasSize(PAGES);
        def.got.clear();
        def.put.clear();
        final CookieImpl impl = (CookieImpl)cookie;
        final RetrievalOp spare = impl.spareRetrieval();
        assertThat(spare).as("the last allocation's retrieval, kept").isNotNull();

        final List<Object> contexts = new ArrayList<>();
        for (int round = 0; round < 3; round++)
        {
            for (int p = 0; p < PAGES; p++)
            {
                final CachePage page = page(p);
                final String context = "read-" + round + "-" + p;
                contexts.add(context);
                assertThat(cookie.readOrAllocPage(page, recorder, context)).isEqualTo(Result.OK);
                assertThat(recorder.await(page)).isEqualTo(Result.OK);
                assertThat(page.buffer()).isEqualTo(filled(p));
                cookie.uncachePage(page);
                assertThat(impl.spareRetrieval()).as("read %s reused the same retrieval", context).isSameAs(spare);
            }
        }

        assertThat(recorder.contexts()).containsExactlyElementsOf(contexts);
        assertThat(def.got).containsExactlyElementsOf(contexts);
        assertThat(def.put).containsExactlyElementsOf(contexts);
        assertThat(stat(StatCounter.RETRIEVAL_OPS)).isEqualTo(PAGES + 3 * PAGES);
        cookie.relinquish(false);
        fsCache.unregisterNetfs(netfs);
    }

    private static java.nio.ByteBuffer filled(final long index)
    {
        final CachePage page = page(index);
        Pages.fill(page, index);
        return page.buffer();
    }
}
