package org.cachefs.fscache;

/**
 * The outcome of a netfs API call or backend operation: the kernel's return codes ({@code 0} and the negative
 * errnos of the FS-Cache API). Expected outcomes are values, never exceptions.
 * <p>
 * The read and allocate calls return, in the order of preference of the data I/O contract: {@link #NO_MEM},
 * {@link #INTERRUPTED}, then the per-page outcomes. For the multi-page read the per-page outcomes combine as in the
 * backend contract and the netfs API digest: {@link #NO_BUFS} if some page was neither read nor allocated, else
 * {@link #NO_DATA} if some page was allocated but not read, else {@link #OK} (every page dispatched).
 */
public enum Result
{
    /** Success ({@code 0}). */
    OK(0, "0"),
    /** No data in the cache for the page, a block is reserved and the page marked ({@code -ENODATA}). */
    NO_DATA(-61, "-ENODATA"),
    /** Not cached: no backing object, no space, over the store limit, or the cache is in error ({@code -ENOBUFS}). */
    NO_BUFS(-105, "-ENOBUFS"),
    /** Out of memory ({@code -ENOMEM}). */
    NO_MEM(-12, "-ENOMEM"),
    /** The calling thread was interrupted while waiting; the interrupt status is kept ({@code -ERESTARTSYS}). */
    INTERRUPTED(-512, "-ERESTARTSYS"),
    /** Not enough space in the cache ({@code -ENOSPC}). */
    NO_SPACE(-28, "-ENOSPC"),
    /** The backend does not support the operation ({@code -EOPNOTSUPP}). */
    NOT_SUPPORTED(-95, "-EOPNOTSUPP"),
    /** An I/O error ({@code -EIO}). */
    IO_ERROR(-5, "-EIO");

    private final int errno;
    private final String kernelName;

    Result(final int errno, final String kernelName)
    {
        this.errno = errno;
        this.kernelName = kernelName;
    }

    /**
     * The kernel's value of the code.
     *
     * @return 0 or a negative errno.
     */
    public int errno()
    {
        return errno;
    }

    /**
     * The kernel's name of the code.
     *
     * @return for example {@code "-ENOBUFS"}.
     */
    public String kernelName()
    {
        return kernelName;
    }
}
