package org.cachefs.fscache.engine;

import org.cachefs.fscache.CachePage;

/**
 * The engine's flags in a {@link CachePage}'s flag word, and the access to them and to the page's links. Bits 0 and 1
 * are PG_fscache and PG_fscache_write, the page's own; the engine's flags take the bits above, so that a page with
 * any flag set, or a read in flight, counts as in use by the cache.
 * <p>
 * Threading: the flags are atomic and may be changed from any thread; the links are guarded by the lock of the
 * cookie tracking the page; the reader is written before {@link #READ_PENDING} is set.
 */
final class PageState
{
    /** A read of the page is in flight. */
    static final int READ_PENDING = 1 << 2;
    /** The page is being handed to the backend by a storage operation. */
    static final int STORING = 1 << 3;
    /** The page is queued for storage and not yet handed over. */
    static final int NOT_DISPATCHED = 1 << 4;
    /** Set while a page list is being taken in, to find an index listed twice. */
    static final int LISTED = 1 << 5;

    /** The access to a page's engine state, one implementation: every call through it inlines. */
    static final ApiAccess.Pages PAGES = ApiAccess.pages();

    private PageState()
    {
    }
}
