package org.cachefs.hadoop;

import java.io.File;
import java.net.URI;
import java.nio.ByteBuffer;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.zip.CRC32;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FSDataInputStream;
import org.apache.hadoop.fs.FSDataOutputStream;
import org.apache.hadoop.fs.FileRange;
import org.apache.hadoop.fs.FileStatus;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.statistics.IOStatisticsSource;
import org.apache.hadoop.util.VersionInfo;

/**
 * Run by {@code HadoopLoadingIT} in a child JVM whose class path is the shaded cachefs-hadoop jar and a Hadoop
 * client runtime of another version (3.3.x): loads {@link CachingFileSystem} through {@code fs.file.impl}, as an
 * engine would, writes a file and reads it back through every read call the runtime has, twice, and prints what it
 * read. Uses only calls Hadoop 3.3.0 has; vectored reads only when the stream says it has them. The file system is
 * not cached by Hadoop ({@code fs.file.impl.disable.cache}): its cache needs {@code UserGroupInformation}, which calls
 * {@code Subject.getSubject}, refused from JDK 23 on.
 */
public final class LoadingCheck
{
    static final int LENGTH = 5 * (1 << 19) + 77;

    private LoadingCheck()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final File work = new File(args[0]);
        final Configuration conf = new Configuration();
        conf.set("fs.file.impl", CachingFileSystem.class.getName());
        conf.set("fs.cachefs.wrapped.file.impl", "org.apache.hadoop.fs.LocalFileSystem");
        conf.set("fs.cachefs.dirs", Files.createDirectories(work.toPath().resolve("cache")).toString());
        conf.set("fs.cachefs.size", "64m");
        conf.setBoolean("fs.file.impl.disable.cache", true);
        System.out.println("hadoop " + VersionInfo.getVersion());
        final byte[] bytes = new byte[LENGTH];
        for (int i = 0; i < LENGTH; i++)
        {
            bytes[i] = (byte)(i * 31 + (i >>> 11));
        }
        System.out.println("file crc32 " + crc(bytes, 0, LENGTH));

        try (FileSystem fs = FileSystem.get(URI.create("file:///"), conf))
        {
            System.out.println("file system " + fs.getClass().getSimpleName());
            final Path file = new Path(new File(work, "data.bin").toURI());
            try (FSDataOutputStream out = fs.create(file, true))
            {
                out.write(bytes);
            }
            for (int pass = 1; pass <= 2; pass++)
            {
                System.out.println("pass " + pass + ": " + readEverything(fs, file, bytes, pass == 2));
                ((CachingFileSystem)fs).awaitStored(30, TimeUnit.SECONDS);
            }
            final java.util.Map<String, Long> counters = ((IOStatisticsSource)fs).getIOStatistics().counters();
            System.out.println("fallbacks " + counters.get("cache_fallbacks"));
        }
        System.out.println("closed");
    }

    /**
     * @param warm whether every byte is cached: the stream's hit and miss bytes are then printed too (before, they
     *             depend on how far the stores of the first chunks got).
     */
    private static String readEverything(final FileSystem fs, final Path file, final byte[] bytes, final boolean warm)
        throws Exception
    {
        final StringBuilder result = new StringBuilder();
        try (FSDataInputStream in = fs.open(file))
        {
            final byte[] all = new byte[LENGTH];
            in.readFully(all);
            result.append("sequential ").append(Arrays.equals(all, bytes));
            in.seek(1000);
            result.append(", seek+read ").append(in.read() == (bytes[1000] & 0xff));
            final byte[] some = new byte[70_000];
            in.readFully(2 * (1 << 20) - 10, some);
            result.append(", positioned ").append(Arrays.equals(some, 0, some.length, bytes, 2 * (1 << 20) - 10,
                2 * (1 << 20) - 10 + some.length));
            final ByteBuffer direct = ByteBuffer.allocateDirect(4096);
            in.readFully(LENGTH - 4096, direct);
            direct.flip();
            final byte[] tail = new byte[4096];
            direct.get(tail);
            result.append(", byte buffer ").append(Arrays.equals(tail, 0, 4096, bytes, LENGTH - 4096, LENGTH));
            if (in.hasCapability("in:readvectored"))
            {
                result.append(", vectored ").append(Vectored.check(in, bytes));
            }
            else
            {
                result.append(", no vectored reads");
            }
            if (warm)
            {
                final java.util.Map<String, Long> counters = ((IOStatisticsSource)in).getIOStatistics().counters();
                result.append(", hit bytes ").append(counters.get("cache_hit_bytes")).append(", miss bytes ")
                    .append(counters.get("cache_miss_bytes"));
            }
        }
        final FileStatus status = fs.getFileStatus(file);
        try (FSDataInputStream in = fs.openFile(file).withFileStatus(status).build().get())
        {
            final byte[] head = new byte[100];
            in.readFully(0, head);
            result.append(", openFile ").append(Arrays.equals(head, 0, 100, bytes, 0, 100));
        }
        return result.toString();
    }

    private static String crc(final byte[] bytes, final int offset, final int length)
    {
        final CRC32 crc = new CRC32();
        crc.update(bytes, offset, length);
        return Long.toHexString(crc.getValue());
    }

    /** The only class here naming {@link FileRange} (3.3.5 and later): loaded only where the stream has it. */
    private static final class Vectored
    {
        static boolean check(final FSDataInputStream in, final byte[] bytes) throws Exception
        {
            final List<FileRange> ranges = List.of(FileRange.createFileRange(2 * (1 << 20) + 1000, 5000),
                FileRange.createFileRange(10, 100), FileRange.createFileRange(300, 20));
            in.readVectored(ranges, ByteBuffer::allocate);
            for (final FileRange range : ranges)
            {
                final ByteBuffer data = range.getData().get(30, TimeUnit.SECONDS);
                final int from = (int)range.getOffset();
                if (data.remaining() != range.getLength() || !Arrays.equals(data.array(), data.arrayOffset() +
                    data.position(), data.arrayOffset() + data.limit(), bytes, from, from + range.getLength()))
                {
                    return false;
                }
            }
            return true;
        }
    }
}
