package org.cachefs.format;

/**
 * The image uses incompatible (or, for writing, read-only-compatible) features this software does not know.
 */
public class UnsupportedFeatureException extends CacheFsException
{
    /**
     * The image needs features this software does not know.
     *
     * @param device       the name of the device or image file, for messages.
     * @param kind         "incompat", "ro-compat" or "compat".
     * @param unknownFlags the feature flags this software does not know.
     */
    public UnsupportedFeatureException(final String device, final String kind, final long unknownFlags)
    {
        super(device, device + ": unsupported " + kind + " features 0x" + Long.toHexString(unknownFlags) +
            " (this software knows 0x" + Long.toHexString(known(kind)) + ")");
    }

    private static long known(final String kind)
    {
        switch (kind)
        {
            case "incompat":
                return FormatVersion.INCOMPAT_SUPPORTED;
            case "ro-compat":
                return FormatVersion.RO_COMPAT_SUPPORTED;
            default:
                return FormatVersion.COMPAT_SUPPORTED;
        }
    }
}
