package org.cachefs.hadoop;

import java.net.URI;

import org.apache.hadoop.conf.Configuration;
import org.apache.hadoop.fs.LocalFileSystem;

/**
 * A child JVM that stands for another executor on the node: opens a {@link CachingFileSystem} over the entries named
 * by its first argument (formatted at the size of the second), prints the images it uses, and keeps them until its
 * standard input ends.
 */
public final class ImageHolder
{
    private ImageHolder()
    {
    }

    public static void main(final String[] args) throws Exception
    {
        final Configuration conf = new Configuration();
        conf.set(CacheSettings.DIRS, args[0]);
        conf.set(CacheSettings.SIZE, args[1]);
        conf.setBoolean(CacheSettings.JMX, false);
        try (CachingFileSystem fs = new CachingFileSystem(new LocalFileSystem()))
        {
            fs.initialize(URI.create("file:///"), conf);
            System.out.println("images " + fs.cacheImages());
            System.out.flush();
            while (System.in.read() >= 0)
            {
                // held until the parent closes our standard input
            }
        }
        System.out.println("closed");
    }
}
