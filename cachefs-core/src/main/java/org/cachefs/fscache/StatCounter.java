package org.cachefs.fscache;

/**
 * The FS-Cache statistics counters, those of {@code /proc/fs/fscache/stats} in the 2.6.30 kernel. Each counter
 * belongs to one line of {@link FsCacheStats#toProcText()} and has the label it shows there.
 */
public enum StatCounter
{
    /** Index cookies acquired. */
    COOKIES_INDEX(0, "idx"),
    /** Data file cookies acquired. */
    COOKIES_DATA(0, "dat"),
    /** Cookies of other types (2..255) acquired. */
    COOKIES_SPECIAL(0, "spc"),

    /** Objects allocated by backends. */
    OBJECTS_ALLOC(1, "alc"),
    /** Object allocations that failed. */
    OBJECTS_NO_ALLOC(1, "nal"),
    /** Objects that reached the available state. */
    OBJECTS_AVAILABLE(1, "avl"),
    /** Objects that reached the dead state. */
    OBJECTS_DEAD(1, "ded"),

    /** Objects found without a coherency check (the definition has none). */
    CHECKAUX_NONE(2, "non"),
    /** Objects that passed the coherency check. */
    CHECKAUX_OKAY(2, "ok"),
    /** Objects whose coherency data needed an update. */
    CHECKAUX_UPDATE(2, "upd"),
    /** Objects declared obsolete. */
    CHECKAUX_OBSOLETE(2, "obs"),

    /** Pages marked as cached. */
    PAGES_MARKED(3, "mrk"),
    /** Uncache page requests. */
    PAGES_UNCACHED(3, "unc"),

    /** Acquire cookie requests. */
    ACQUIRES(4, "n"),
    /** Acquire requests given a no-op parent. */
    ACQUIRES_NULL(4, "nul"),
    /** Acquire requests rejected because no cache was available. */
    ACQUIRES_NO_CACHE(4, "noc"),
    /** Acquire requests that succeeded. */
    ACQUIRES_OK(4, "ok"),
    /** Acquire requests rejected because of an error. */
    ACQUIRES_NO_BUFS(4, "nbf"),
    /** Acquire requests that failed for lack of memory. */
    ACQUIRES_OOM(4, "oom"),
    /** Acquire requests for a key already acquired under the same parent and not relinquished: given the no-op
     * cookie. */
    ACQUIRES_DUPLICATE(4, "dup"),

    /** Lookup calls made on backends. */
    LOOKUPS(5, "n"),
    /** Negative lookups. */
    LOOKUPS_NEGATIVE(5, "neg"),
    /** Positive lookups. */
    LOOKUPS_POSITIVE(5, "pos"),
    /** Objects created by lookups. */
    LOOKUPS_CREATED(5, "crt"),

    /** Update cookie requests. */
    UPDATES(6, "n"),
    /** Update requests on a no-op cookie. */
    UPDATES_NULL(6, "nul"),
    /** Updates given CPU time. */
    UPDATES_RUN(6, "run"),

    /** Relinquish cookie requests. */
    RELINQUISHES(7, "n"),
    /** Relinquish requests on a no-op cookie. */
    RELINQUISHES_NULL(7, "nul"),
    /** Relinquish requests that waited for creation to complete. */
    RELINQUISHES_WAIT_CREATE(7, "wcr"),

    /** Attribute changed requests. */
    ATTR_CHANGED(8, "n"),
    /** Attribute changed requests queued. */
    ATTR_CHANGED_OK(8, "ok"),
    /** Attribute changed requests rejected with NO_BUFS. */
    ATTR_CHANGED_NO_BUFS(8, "nbf"),
    /** Attribute changed requests failed with NO_MEM. */
    ATTR_CHANGED_NO_MEM(8, "oom"),
    /** Attribute changed operations given CPU time. */
    ATTR_CHANGED_CALLS(8, "run"),

    /** Allocation requests. */
    ALLOCS(9, "n"),
    /** Successful allocation requests. */
    ALLOCS_OK(9, "ok"),
    /** Allocation requests that waited for lookup completion. */
    ALLOCS_WAIT(9, "wt"),
    /** Allocation requests rejected with NO_BUFS (or another error). */
    ALLOCS_NO_BUFS(9, "nbf"),
    /** Allocation operations submitted. */
    ALLOC_OPS(10, "ops"),
    /** Allocation operations that waited for CPU time (behind an exclusive operation). */
    ALLOC_OP_WAITS(10, "owt"),

    /** Retrieval (read) requests. */
    RETRIEVALS(11, "n"),
    /** Successful retrieval requests. */
    RETRIEVALS_OK(11, "ok"),
    /** Retrieval requests that waited for lookup completion. */
    RETRIEVALS_WAIT(11, "wt"),
    /** Retrieval requests that returned NO_DATA. */
    RETRIEVALS_NO_DATA(11, "nod"),
    /** Retrieval requests rejected with NO_BUFS. */
    RETRIEVALS_NO_BUFS(11, "nbf"),
    /** Retrieval requests interrupted. */
    RETRIEVALS_INTERRUPTED(11, "int"),
    /** Retrieval requests that failed with NO_MEM. */
    RETRIEVALS_NO_MEM(11, "oom"),
    /** Retrieval operations submitted. */
    RETRIEVAL_OPS(12, "ops"),
    /** Retrieval operations that waited for CPU time (behind an exclusive operation). */
    RETRIEVAL_OP_WAITS(12, "owt"),

    /** Storage (write) requests. */
    STORES(13, "n"),
    /** Successful storage requests. */
    STORES_OK(13, "ok"),
    /** Storage requests on a page already pending storage. */
    STORES_AGAIN(13, "agn"),
    /** Storage requests rejected with NO_BUFS. */
    STORES_NO_BUFS(13, "nbf"),
    /** Storage requests that failed with NO_MEM. */
    STORES_NO_MEM(13, "oom"),
    /** Storage operations submitted. */
    STORE_OPS(14, "ops"),
    /** Storage operations given CPU time. */
    STORE_CALLS(14, "run"),

    /** Times operations were added to an object's pending queue. */
    OPS_PENDING(15, "pend"),
    /** Times operations were started. */
    OPS_RUN(15, "run"),
    /** Times operations were queued on the thread pool. */
    OPS_ENQUEUED(15, "enq");

    static final String[] LINE_LABELS =
    {
        "Cookies", "Objects", "ChkAux", "Pages", "Acquire", "Lookups", "Updates", "Relinqs", "AttrChg",
        "Allocs", "Allocs", "Retrvls", "Retrvls", "Stores", "Stores", "Ops"
    };

    static final StatCounter[] VALUES = values();

    private final int line;
    private final String label;

    StatCounter(final int line, final String label)
    {
        this.line = line;
        this.label = label;
    }

    /**
     * The label of the counter's line, for example {@code "Retrvls"}.
     *
     * @return the line label.
     */
    public String lineLabel()
    {
        return LINE_LABELS[line];
    }

    /**
     * The counter's label within its line, for example {@code "nod"}.
     *
     * @return the label.
     */
    public String label()
    {
        return label;
    }

    int line()
    {
        return line;
    }
}
