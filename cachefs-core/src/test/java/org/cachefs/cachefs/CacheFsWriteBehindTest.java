package org.cachefs.cachefs;

import org.cachefs.fscache.spi.CacheBackend;

/**
 * The backend contract on CacheFS with write-behind runs on (the default mount): pages reach the device after
 * {@code writePage} returns, so the hooks that act on one page's device write (failing it, holding it in flight) do
 * not apply and their tests are skipped; everything else must hold as without write-behind.
 */
public class CacheFsWriteBehindTest extends CacheFsBackendTest
{
    @Override
    protected MountOptions mountOptions()
    {
        return MountOptions.defaults().withCommitIntervalSeconds(0);
    }

    @Override
    protected boolean failNextWrite(final CacheBackend backend)
    {
        return false;
    }

    @Override
    protected boolean holdWrites(final CacheBackend backend)
    {
        return false;
    }
}
