package org.cachefs.fscache.engine;

import java.util.List;

import org.agrona.collections.Long2ObjectHashMap;

import org.cachefs.fscache.CachePage;

import static org.cachefs.fscache.engine.PageState.PAGES;

/**
 * Pages of one cookie by index, several pages per index: two netfs threads may each hold their own {@link CachePage}
 * of the same file position. The pages of an index are chained through a link field of the page itself, one field
 * per kind of set ({@link #TRACKED} or {@link #READING}), so adding and removing allocate nothing.
 * <p>
 * Threading: guarded by the owning cookie's lock; a page is in at most one set of each kind at a time (it belongs to
 * one cookie).
 */
final class PageSet
{
    /** The kind of set whose link is {@link ApiAccess.Pages#next} with {@code reading} false. */
    static final boolean TRACKED = false;
    /** The kind of set whose link is {@link ApiAccess.Pages#next} with {@code reading} true. */
    static final boolean READING = true;

    private final Long2ObjectHashMap<CachePage> heads = new Long2ObjectHashMap<>();
    private final boolean reading;
    private int size;

    PageSet(final boolean kind)
    {
        this.reading = kind;
    }

    private CachePage next(final CachePage page)
    {
        return PAGES.next(page, reading);
    }

    private void link(final CachePage page, final CachePage next)
    {
        PAGES.next(page, reading, next);
    }

    /**
     * @return the first page of {@code index} in the set (the others follow through the set's link), or null.
     */
    CachePage first(final long index)
    {
        return heads.get(index);
    }

    boolean contains(final CachePage page)
    {
        for (CachePage p = heads.get(page.index()); null != p; p = next(p))
        {
            if (p == page)
            {
                return true;
            }
        }
        return false;
    }

    /**
     * Adds a page that is not in the set.
     */
    void add(final CachePage page)
    {
        link(page, heads.get(page.index()));
        heads.put(page.index(), page);
        size++;
    }

    /**
     * @return true if the page was in the set.
     */
    boolean remove(final CachePage page)
    {
        final long index = page.index();
        CachePage previous = null;
        for (CachePage p = heads.get(index); null != p; previous = p, p = next(p))
        {
            if (p == page)
            {
                final CachePage following = next(p);
                if (null == previous)
                {
                    if (null == following)
                    {
                        heads.remove(index);
                    }
                    else
                    {
                        heads.put(index, following);
                    }
                }
                else
                {
                    link(previous, following);
                }
                link(page, null);
                size--;
                return true;
            }
        }
        return false;
    }

    int size()
    {
        return size;
    }

    boolean isEmpty()
    {
        return 0 == size;
    }

    /**
     * Appends every page of the set to {@code out}.
     */
    void copyTo(final List<CachePage> out)
    {
        for (final CachePage head : heads.values())
        {
            for (CachePage p = head; null != p; p = next(p))
            {
                out.add(p);
            }
        }
    }

    /**
     * Empties the set.
     */
    void clear()
    {
        for (final CachePage head : heads.values())
        {
            CachePage p = head;
            while (null != p)
            {
                final CachePage following = next(p);
                link(p, null);
                p = following;
            }
        }
        heads.clear();
        size = 0;
    }
}
