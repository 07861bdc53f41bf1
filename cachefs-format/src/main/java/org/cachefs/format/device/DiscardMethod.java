package org.cachefs.format.device;

/**
 * How a range of a device was made to read back as zeros (mkfs's discard of the blocks it does not write).
 */
public enum DiscardMethod
{
    /**
     * {@code fallocate(FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE)} on an image file: the old blocks are freed.
     */
    PUNCH_HOLE("discarded", "punched holes"),

    /**
     * {@code ioctl(BLKZEROOUT)} on a block device: the device writes zeroes or unmaps where it can, else the kernel
     * writes zeros.
     */
    ZEROOUT("zeroed", "BLKZEROOUT"),

    /**
     * {@code ioctl(BLKDISCARD)} on a block device that refused {@code BLKZEROOUT}, then zeros written: a discard
     * alone promises nothing about what the range reads back as.
     */
    DISCARD_AND_WRITE_ZEROS("discarded and zeroed", "BLKDISCARD, then wrote zeros"),

    /**
     * Zeros written in large aligned chunks: the device offers no cheaper way.
     */
    WRITE_ZEROS("zeroed", "wrote zeros");

    private final String verb;
    private final String how;

    DiscardMethod(final String verb, final String how)
    {
        this.verb = verb;
        this.how = how;
    }

    /**
     * @return what was done to the range, e.g. "discarded".
     */
    public String verb()
    {
        return verb;
    }

    /**
     * @return how, e.g. "punched holes".
     */
    public String how()
    {
        return how;
    }
}
