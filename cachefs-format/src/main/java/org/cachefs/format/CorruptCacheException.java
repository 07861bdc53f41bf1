package org.cachefs.format;

/**
 * A metadata structure read from the device failed validation. The message names the structure, the device, the
 * block, the field and the expected and actual values, e.g.
 * {@code corrupt index node: device=cache.img block=1234 crc expected=0x1a2b actual=0x9f00}.
 */
public class CorruptCacheException extends CacheFsException
{
    private final String structure;
    private final long block;
    private final String field;

    public CorruptCacheException(
        final String structure,
        final String device,
        final long block,
        final String field,
        final Object expected,
        final Object actual)
    {
        this(structure, device, block, field, "expected=" + expected + " actual=" + actual);
    }

    public CorruptCacheException(
        final String structure, final String device, final long block, final String field, final String detail)
    {
        super(device, "corrupt " + structure + ": device=" + device + " block=" + block + " " + field + " " + detail);
        this.structure = structure;
        this.block = block;
        this.field = field;
    }

    /**
     * @return the kind of structure that failed, e.g. "superblock" or "index node".
     */
    public String structure()
    {
        return structure;
    }

    /**
     * @return the block number the structure was read from.
     */
    public long block()
    {
        return block;
    }

    /**
     * @return the field whose value was wrong.
     */
    public String field()
    {
        return field;
    }
}
