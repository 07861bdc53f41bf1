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
import org.apache.parquet.hadoop.util.HadoopOutputFile;
import org.apache.parquet.schema.MessageType;
import org.apache.parquet.schema.MessageTypeParser;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

/**
 * A real client: parquet-hadoop writes a file and reads it back twice through {@link CachingFileSystem}, configured
 * as the file system of the {@code file} scheme (found through {@code FileSystem.get}, as Spark finds it; under a
 * user of its own, so that the JVM's cached local file system is not this one), with and without Parquet's vectored
 * reads. Both reads return the rows written; the second is served from the cache.
 */
@Timeout(120)
class ParquetReadTest
{
    static final MessageType SCHEMA = MessageTypeParser.parseMessageType(
        "message row { required int64 id; required binary name (UTF8); required double score; }");
    static final int ROWS = 30_000;

    @TempDir
    java.nio.file.Path dir;

    @Test
    void parquetRowsReadBackFromTheCacheWithoutVectoredReads() throws Exception
    {
        readTwice(false);
    }

    @Test
    void parquetRowsReadBackFromTheCacheWithVectoredReads() throws Exception
    {
        readTwice(true);
    }

    private void readTwice(final boolean vectored) throws Exception
    {
        final Configuration conf = new Configuration();
        conf.set("fs.file.impl", CachingFileSystem.class.getName());
        conf.set("fs.cachefs.wrapped.file.impl", LocalFileSystem.class.getName());
        conf.set(CacheSettings.DIRS, Files.createDirectories(dir.resolve("cache")).toString());
        conf.set(CacheSettings.SIZE, "64m");
        conf.setBoolean(CacheSettings.JMX, false);
        conf.setBoolean(ParquetInputFormat.HADOOP_VECTORED_IO_ENABLED, vectored);
        final UserGroupInformation user = UserGroupInformation.createRemoteUser("cachefs-parquet-" + vectored);
        try
        {
            user.doAs((PrivilegedExceptionAction<Void>)() ->
            {
                final FileSystem fs = FileSystem.get(URI.create("file:///"), conf);
                assertThat(fs).isInstanceOf(CachingFileSystem.class);
                final CachingFileSystem cachingFs = (CachingFileSystem)fs;
                final Path file = new Path(dir.resolve("rows.parquet").toUri());
                write(file, conf);

                assertThat(read(file, conf)).isEqualTo(expected());
                assertThat(cachingFs.awaitStored(20, TimeUnit.SECONDS)).isTrue();
                final long misses = counter(cachingFs, "cache_miss_bytes");
                final long hits = counter(cachingFs, "cache_hit_bytes");
                final long vectoredReads = counter(cachingFs, "stream_read_vectored_operations");
                assertThat(misses).isPositive();
                assertThat(vectoredReads > 0).as("vectored reads made: " + vectoredReads).isEqualTo(vectored);

                assertThat(read(file, conf)).isEqualTo(expected());
                assertThat(counter(cachingFs, "cache_miss_bytes")).isEqualTo(misses);
                assertThat(counter(cachingFs, "cache_hit_bytes")).isGreaterThan(hits);
                assertThat(counter(cachingFs, "cache_fallbacks")).isZero();
                assertThat(counter(cachingFs, "stream_read_vectored_operations") > vectoredReads)
                    .isEqualTo(vectored);
                return null;
            });
        }
        finally
        {
            FileSystem.closeAllForUGI(user);
        }
    }

    private static long counter(final CachingFileSystem fs, final String name)
    {
        return fs.getIOStatistics().counters().get(name);
    }

    private static void write(final Path file, final Configuration conf) throws IOException
    {
        final SimpleGroupFactory groups = new SimpleGroupFactory(SCHEMA);
        try (ParquetWriter<Group> writer = ExampleParquetWriter.builder(HadoopOutputFile.fromPath(file, conf))
            .withConf(conf).withType(SCHEMA).withRowGroupSize(128L << 10).withPageSize(16 << 10).build())
        {
            for (int i = 0; i < ROWS; i++)
            {
                writer.write(groups.newGroup().append("id", (long)i).append("name", name(i))
                    .append("score", i * 0.25));
            }
        }
    }

    private static List<String> read(final Path file, final Configuration conf) throws IOException
    {
        final List<String> rows = new ArrayList<>(ROWS);
        try (ParquetReader<Group> reader = ParquetReader.builder(new GroupReadSupport(), file).withConf(conf)
            .build())
        {
            for (Group group = reader.read(); null != group; group = reader.read())
            {
                rows.add(group.getLong("id", 0) + "," + group.getString("name", 0) + "," +
                    group.getDouble("score", 0));
            }
        }
        return rows;
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
