package org.cachefs.format;

/**
 * A metadata structure read from the device failed validation. The message names the structure, the device, the
 * block, the field and the expected and actual values, e.g.
 * {@code corrupt index node: device=cache.img block=1234 crc expected=0x1a2b actual=0x9f00}.
 */
public class CorruptCacheException extends CacheFsException
{
    /** The kind of structure that failed. */
    private final String structure;
    /** The block number the structure was read from. */
    private final long block;
    /** The field whose value was wrong. */
    private final String field;

    /**
     * A field that does not hold what it should; the message reads {@code corrupt STRUCTURE: device=DEVICE block=BLOCK
     * FIELD expected=EXPECTED actual=ACTUAL}.
     *
     * @param structure the kind of structure, e.g. "index node".
     * @param device    the name of the device or image file, for messages.
     * @param block     the block number it was read from.
     * @param field     the field whose value was wrong.
     * @param expected  what it should hold.
     * @param actual    what it holds.
     */
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

    /**
     * A field that is wrong in a way {@code detail} tells; the message reads {@code corrupt STRUCTURE: device=DEVICE
     * block=BLOCK FIELD DETAIL}.
     *
     * @param structure the kind of structure, e.g. "index node".
     * @param device    the name of the device or image file, for messages.
     * @param block     the block number it was read from.
     * @param field     the field whose value was wrong.
     * @param detail    what is wrong with it.
     */
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
