package org.cachefs.hadoop;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;
import java.security.PrivilegedExceptionAction;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.security.UserGroupInformation;
import org.apache.parquet.example.data.Group;
import org.apache.parquet.example.data.simple.SimpleGroupFactory;
import org.apache.parquet.hadoop.ParquetInputFormat;
import org.apache.parquet.hadoop.ParquetReader;
import org.apache.parquet.hadoop.ParquetWriter;
import org.apache.parquet.hadoop.example.ExampleParquetWriter;
import org.apache.parquet.hadoop.example.GroupReadSupport;
import org.apache.parquet.hadoop.api.ReadSupport;
import org.apache.parquet.hadoop.util.HadoopInputFile;
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.hadoop.util.HadoopStreams;
import org.apache.parquet.io.InputFile;
import org.apache.parquet.io.OutputFile;
import org.apache.parquet.io.PositionOutputStream;
import org.apache.parquet.io.SeekableInputStream;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real client: parquet-hadoop writes a file and reads it back twice through {@link CachingFileSystem}, with and
 * without Parquet's vectored reads: both reads return the rows written, and the second is served from the cache
 * ({@code cache_miss_bytes} unchanged). Parquet reaches the file system through its own adapters
 * ({@code HadoopStreams}, what its {@code HadoopInputFile} and {@code HadoopOutputFile} use) over an instance, and, as
 * Spark does, through {@code FileSystem.get} with {@code fs.file.impl} naming {@code CachingFileSystem} (under a user
 * of its own, so that the JVM's cached local file system is not this one).
 */
@Timeout(120)
class ParquetReadTest
{
    static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
        "message row { required int64 id; required binary name (UTF8); required double score; }");
    static final int ROWS = 30_000;

    @TempDir
    java.nio.file.Path dir;

    Configuration conf(final boolean vectored) throws IOException
    {
        final Configuration conf = new Configuration();
        conf.set("fs.cachefs.wrapped.file.impl", LocalFileSystem.class.getName());
        conf.set(CacheSettings.DIRS, Files.createDirectories(dir.resolve("cache")).toString());
        conf.set(CacheSettings.SIZE, "64m");
        conf.setBoolean(CacheSettings.JMX, false);
        conf.setBoolean(ParquetInputFormat.HADOOP_VECTORED_IO_ENABLED, vectored);
        return conf;
    }

    @Test
    void parquetRowsReadBackFromTheCacheWithoutVectoredReads() throws Exception
    {
        final Configuration conf = conf(false);
        try (CachingFileSystem fs = new CachingFileSystem())
        {
            fs.initialize(URI.create("file:///"), conf);
            readTwice(fs, conf, false, file -> new ParquetFiles(fs, file));
        }
    }

    @Test
    void parquetRowsReadBackFromTheCacheWithVectoredReads() throws Exception
    {
        final Configuration conf = conf(true);
        try (CachingFileSystem fs = new CachingFileSystem())
        {
            fs.initialize(URI.create("file:///"), conf);
            readTwice(fs, conf, true, file -> new ParquetFiles(fs, file));
        }
    }

    @Test
    void parquetFindsTheCacheThroughFileSystemGet() throws Exception
    {
        Assumptions.assumeTrue(Runtime.version().feature() < 23, "Hadoop 3.4.1's UserGroupInformation, which " +
            "FileSystem.get needs, calls Subject.getSubject, which JDK 23 and later refuse");
        final Configuration conf = conf(true);
        conf.set("fs.file.impl", CachingFileSystem.class.getName());
        final UserGroupInformation user = UserGroupInformation.createRemoteUser("cachefs-parquet");
        try
        {
            user.doAs((PrivilegedExceptionAction<Void>)() ->
            {
                final FileSystem fs = FileSystem.get(URI.create("file:///"), conf);
                assertThat(fs).isInstanceOf(CachingFileSystem.class);
                readTwice((CachingFileSystem)fs, conf, true, file -> new ParquetFiles(null, file)
                {
                    @Override
                    InputFile input() throws IOException
                    {
                        return HadoopInputFile.fromPath(file, conf);
                    }

                    @Override
                    OutputFile output() throws IOException
                    {
                        return HadoopOutputFile.fromPath(file, conf);
                    }
                });
                return null;
            });
        }
        finally
        {
            FileSystem.closeAllForUGI(user);
        }
    }

    /** How Parquet reaches a file: its own Hadoop adapters over a given file system, or its Hadoop input files. */
    static class ParquetFiles
    {
        final FileSystem fs;
        final Path file;

        ParquetFiles(final FileSystem fs, final Path file)
        {
            this.fs = fs;
            this.file = file;
        }

        InputFile input() throws IOException
        {
            final long length = fs.getFileStatus(file).getLen();
            return new InputFile()
            {
                @Override
                public long getLength()
                {
                    return length;
                }

                @Override
                public SeekableInputStream newStream() throws IOException
                {
                    return HadoopStreams.wrap(fs.open(file));
                }
            };
        }

        OutputFile output() throws IOException
        {
            return new OutputFile()
            {
                @Override
                public PositionOutputStream create(final long blockSizeHint) throws IOException
                {
                    return HadoopStreams.wrap(fs.create(file, false));
                }

                @Override
                public PositionOutputStream createOrOverwrite(final long blockSizeHint) throws IOException
                {
                    return HadoopStreams.wrap(fs.create(file, true));
                }

                @Override
                public boolean supportsBlockSize()
                {
                    return false;
                }

                @Override
                public long defaultBlockSize()
                {
                    return 0;
                }
            };
        }
    }

    private void readTwice(final CachingFileSystem fs, final Configuration conf, final boolean vectored,
        final java.util.function.Function<Path, ParquetFiles> files) throws Exception
    {
        final ParquetFiles file = files.apply(new Path(dir.resolve("rows.parquet").toUri()));
        write(file.output(), conf);

        assertThat(read(file.input(), conf)).isEqualTo(expected());
        assertThat(fs.awaitStored(20, TimeUnit.SECONDS)).isTrue();
        final long misses = counter(fs, "cache_miss_bytes");
        final long hits = counter(fs, "cache_hit_bytes");
        final long vectoredReads = counter(fs, "stream_read_vectored_operations");
        assertThat(misses).isPositive();
        assertThat(vectoredReads > 0).as("vectored reads made: " + vectoredReads).isEqualTo(vectored);

        assertThat(read(file.input(), conf)).isEqualTo(expected());
        assertThat(counter(fs, "cache_miss_bytes")).isEqualTo(misses);
        assertThat(counter(fs, "cache_hit_bytes")).isGreaterThan(hits);
        assertThat(counter(fs, "cache_fallbacks")).isZero();
        assertThat(counter(fs, "stream_read_vectored_operations") > vectoredReads).isEqualTo(vectored);
    }

    private static long counter(final CachingFileSystem fs, final String name)
    {
        return fs.getIOStatistics().counters().get(name);
    }

    private static void write(final OutputFile file, final Configuration conf) throws IOException
    {
        final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(file)
            .withConf(conf).withType(SCHEMA).withRowGroupSize(128L << 10).withPageSize(16 << 10).build())
        {
            for (int i = 0; i < ROWS; i++)
            {
                writer.write(groups.newGroup().append("id", (long)i).append("name", name(i))
                    .append("score", i * 0.25));
            }
        }
    }

    private static List<String> read(final InputFile file, final Configuration conf) throws IOException
    {
        final List<String> rows = new ArrayList<>(ROWS);
        try (ParquetReader<Group> reader = new GroupReader(file).withConf(conf).build())
        {
            for (Group group = reader.read(); null != group; group = reader.read())
            {
                rows.add(group.getLong("id", 0) + "," + group.getString("name", 0) + "," +
                    group.getDouble("score", 0));
            }
        }
        return rows;
    }

    /** A reader of {@link Group}s from an {@link InputFile}. */
    static final class GroupReader extends ParquetReader.Builder<Group>
    {
        GroupReader(final InputFile file)
        {
            super(file);
        }

        @Override
        protected ReadSupport<Group> getReadSupport()
        {
            return new GroupReadSupport();
        }
    }

    private static List<String> expected()
    {
        final List<String> rows = new ArrayList<>(ROWS);
        for (int i = 0; i < ROWS; i++)
        {
            rows.add(i + "," + name(i) + "," + i * 0.25);
        }
        return rows;
    }

    private static String name(final int i)
    {
        return "row-" + Integer.toHexString(i * 31);
    }
}
