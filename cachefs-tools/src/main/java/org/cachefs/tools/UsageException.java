package org.cachefs.tools;

/**
 * A command line that names something the tool cannot act on, found after parsing (an option value the target does
 * not accept, an operand that does not exist and cannot be created). Reported as one line and exit code
 * {@link ExitCodes#USAGE}.
 */
public final class UsageException extends RuntimeException
{
    private static final long serialVersionUID = 1L;

    public UsageException(final String message)
    {
        super(message);
    }

    public UsageException(final String message, final Throwable cause)
    {
        super(message, cause);
    }
}
