package org.cachefs.hadoop.contract;

import java.io.IOException;
import java.net.URI;
import java.nio.file.Files;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.FileSystem;
import org.apache.hadoop.fs.LocalFileSystem;
import org.apache.hadoop.fs.Path;
import org.apache.hadoop.fs.contract.AbstractFSContract;
import org.cachefs.hadoop.CacheSettings;
import org.cachefs.hadoop.CachingFileSystem;

/**
 * The contract of {@link CachingFileSystem} over the local file system, for Hadoop's file system contract suites:
 * the options in {@code contract/cachefs.xml}; every test gets a new instance (so every test mounts the image,
 * warm from the tests before it, and unmounts it), over one 64 MiB image under {@code target/}.
 */
public class CachingFSContract extends AbstractFSContract
{
    /** The directory holding the contract tests' cache image. */
    public static final java.nio.file.Path CACHE_DIR = java.nio.file.Path.of("target", "contract-cache")
        .toAbsolutePath();

    private CachingFileSystem fs;

    public CachingFSContract(final Configuration conf)
    {
        super(conf);
        addConfResource("contract/cachefs.xml");
    }

    @Override
    public void init() throws IOException
    {
        super.init();
        Files.createDirectories(CACHE_DIR);
        final Configuration conf = getConf();
        conf.set(CacheSettings.DIRS, CACHE_DIR.toString());
        conf.set(CacheSettings.SIZE, "64m");
        conf.setBoolean(CacheSettings.JMX, false);
        fs = new CachingFileSystem(new LocalFileSystem());
        fs.initialize(URI.create("file:///"), conf);
    }

    @Override
    public void teardown() throws IOException
    {
        if (null != fs)
        {
            fs.close();
        }
        super.teardown();
    }

    @Override
    public FileSystem getTestFileSystem()
    {
        return fs;
    }

    @Override
    public String getScheme()
    {
        return "file";
    }

    @Override
    public Path getTestPath()
    {
        return fs.makeQualified(new Path(java.nio.file.Path.of("target", "contract-data").toAbsolutePath()
            .toString()));
    }
}
