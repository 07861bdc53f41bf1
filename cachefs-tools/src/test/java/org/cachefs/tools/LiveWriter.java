package org.cachefs.tools;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicBoolean;

/**
 * The main of a child JVM that keeps a cache busy for {@link FsckLiveMountTest}: mounts the image given, prints
 * {@code pid N} and {@code mounted}, then rewrites the pages of a few files and retires and recreates them (so that
 * blocks are freed and reused), committing after every {@link #PAGES_PER_COMMIT} pages, until its standard input
 * ends; then unmounts and prints {@code commits N} and {@code unmounted}. Runs on its main thread, plus one thread
 * that waits for the end of standard input.
 */
public final class LiveWriter
{
    /** Pages written between two commits. */
    static final int PAGES_PER_COMMIT = 48;
    private static final int FILES = 12;
    private static final int PAGES_PER_FILE = 8;

    private LiveWriter()
    {
    }

    public static void main(final String[] args) throws IOException
    {
        final AtomicBoolean stop = new AtomicBoolean();
        final Thread stdin = new Thread(() ->
        {
            try
            {
                while (System.in.read() >= 0)
                {
                    continue;
                }
            }
            catch (final IOException ex)
            {
                // standard input is gone: stop all the same
            }
            stop.set(true);
        }, "live-writer-stdin");
        stdin.setDaemon(true);
        long commits = 0;
        try (FsckEngineTest.Cache cache = FsckEngineTest.Cache.mount(Path.of(args[0])))
        {
            cache.backend.commit();
            System.out.println("pid " + ProcessHandle.current().pid());
            System.out.println("mounted");
            System.out.flush();
            stdin.start();
            long pages = 0;
            for (long round = 0; !stop.get(); round++)
            {
                final String name = "file-" + round % FILES;
                final long size = PAGES_PER_FILE * 4096L;
                if (round % (3 * FILES) == FILES - 1)
                {
                    cache.retire(name, size);
                }
                cache.write(cache.file(name, size), 0, PAGES_PER_FILE);
                pages += PAGES_PER_FILE;
                if (pages >= PAGES_PER_COMMIT)
                {
                    cache.backend.commit();
                    commits++;
                    pages = 0;
                }
            }
        }
        System.out.println("commits " + commits);
        System.out.println("unmounted");
        System.out.flush();
    }
}
