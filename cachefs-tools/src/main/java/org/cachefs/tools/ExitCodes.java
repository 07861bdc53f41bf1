package org.cachefs.tools;

/**
 * Exit codes shared by the command-line tools, after e2fsprogs: 0 for success, 1 for a command line that cannot be
 * acted on (unknown option, missing or invalid operand, an option that does not fit the target), 8 for an
 * operational error (I/O error, a refusal to overwrite, a device in use, an image that is not formatted or corrupt).
 */
public final class ExitCodes
{
    /**
     * The command did what was asked.
     */
    public static final int OK = 0;

    /**
     * The command line was wrong: nothing was changed.
     */
    public static final int USAGE = 1;

    /**
     * The command could not be carried out on the device or image.
     */
    public static final int OPERATIONAL = 8;

    private ExitCodes()
    {
    }
}
