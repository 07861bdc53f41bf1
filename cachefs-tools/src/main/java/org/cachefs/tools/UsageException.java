package org.cachefs.tools;

/**
 * A command line that names something the tool cannot act on, found after parsing (an option value the target does
 * not accept, an operand that does not exist and cannot be created). Reported as one line and exit code
 * {@link ExitCodes#USAGE}.
 */
public final class UsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    /**
     * @param message the one line reported, without the program name.
     */
    public UsageException(final String message)
    {
        super(message);
    }

    /**
     * @param message the one line reported, without the program name.
     * @param cause   the exception that told the command line's mistake (a parse error of a value).
     */
    public UsageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
