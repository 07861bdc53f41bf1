package org.cachefs.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.io.PrintWriter;
import java.io.UncheckedIOException;
import java.nio.file.AccessDeniedException;
import java.nio.file.DirectoryNotEmptyException;
import java.nio.file.FileAlreadyExistsException;
import java.nio.file.FileSystemException;
import java.nio.file.NoSuchFileException;
import java.nio.file.NotDirectoryException;
import java.util.List;

import org.cachefs.format.CacheFsException;
import picocli.CommandLine;

/**
 * Runs a picocli command line the way every cachefs tool does: help and version text on the output stream, and each
 * error as one line on the error stream, prefixed with the program's name, with the exit codes of {@link ExitCodes}.
 * <ul>
 *     <li>a command line picocli cannot parse, or a {@link UsageException} from the command: the line, then
 *     {@code Try 'NAME --help' for more information.}, exit {@link ExitCodes#USAGE};</li>
 *     <li>anything else the command throws (a {@link CacheFsException}, an I/O error, a refusal): the line, exit
 *     {@link ExitCodes#OPERATIONAL}.</li>
 * </ul>
 * No stack trace is ever printed.
 */
public final class ToolRunner
{
    private ToolRunner()
    {
    }

    /**
     * Parses {@code args} with {@code commandLine} and runs the chosen command.
     *
     * @param commandLine the command, with its subcommands if any.
     * @param program     the prefix of error lines, e.g. "mkfs.cachefs".
     * @param out         where help, version and the command's normal output go.
     * @param err         where errors go.
     * @param args        the arguments, without the program name.
     * @return the exit code.
     */
    public static int execute(
        final CommandLine commandLine,
        final String program,
        final PrintStream out,
        final PrintStream err,
        final String... args)
    {
        final PrintWriter outWriter = new PrintWriter(out, true);
        final PrintWriter errWriter = new PrintWriter(err, true);
        commandLine.setOut(outWriter);
        commandLine.setErr(errWriter);
        commandLine.setParameterExceptionHandler((ex, arguments) ->
            usageError(err, program, ex.getCommandLine(), parseErrorMessage(ex)));
        commandLine.setExecutionExceptionHandler((ex, failed, parseResult) ->
        {
            if (ex instanceof UsageException)
            {
                return usageError(err, program, failed, ex.getMessage());
            }
            if (ex instanceof CommandLine.ParameterException)
            {
                return usageError(err, program, ((CommandLine.ParameterException)ex).getCommandLine(),
                    lowerFirst(ex.getMessage()));
            }
            err.println(program + ": " + describe(ex));
            err.flush();
            return ExitCodes.OPERATIONAL;
        });
        try
        {
            return commandLine.execute(args);
        }
        finally
        {
            outWriter.flush();
            errWriter.flush();
            out.flush();
            err.flush();
        }
    }

    private static int usageError(
        final PrintStream err, final String program, final CommandLine failed, final String message)
    {
        err.println(program + ": " + oneLine(message));
        err.println("Try '" + failed.getCommandSpec().qualifiedName() + " --help' for more information.");
        err.flush();
        return ExitCodes.USAGE;
    }

    /**
     * The message for a command line picocli could not parse. picocli checks for missing operands before it reports
     * unknown options, unknown subcommands and extra operands; the first unknown thing on the line is the more useful
     * message.
     */
    private static String parseErrorMessage(final CommandLine.ParameterException ex)
    {
        final CommandLine failed = ex.getCommandLine();
        final List<String> unmatched = failed.getUnmatchedArguments();
        if (!unmatched.isEmpty())
        {
            final String first = unmatched.get(0);
            if (first.startsWith("-") && first.length() > 1)
            {
                return "unknown option: '" + first + "'";
            }
            if (!failed.getSubcommands().isEmpty())
            {
                return "unknown command '" + first + "': one of " + String.join(", ", failed.getSubcommands().keySet());
            }
            return "extra operand '" + first + "'";
        }
        return lowerFirst(ex.getMessage());
    }

    /**
     * Describes an error in one line, without the exception's class name where the message says enough.
     *
     * @param error what went wrong.
     * @return the line, e.g. "cache.img: permission denied".
     */
    public static String describe(final Throwable error)
    {
        Throwable ex = error;
        while (ex instanceof UncheckedIOException && ex.getCause() != null)
        {
            ex = ex.getCause();
        }
        if (ex instanceof FileSystemException)
        {
            return oneLine(describeFileSystem((FileSystemException)ex));
        }
        if (ex instanceof CacheFsException || ex instanceof IOException || ex instanceof IllegalArgumentException ||
            ex instanceof IllegalStateException)
        {
            final String message = ex.getMessage();
            return oneLine(message == null || message.isBlank() ? ex.getClass().getSimpleName() : message);
        }
        final String message = ex.getMessage();
        return oneLine("unexpected " + ex.getClass().getName() + (message == null ? "" : ": " + message));
    }

    private static String describeFileSystem(final FileSystemException ex)
    {
        final String file = ex.getFile();
        final String reason;
        if (ex instanceof NoSuchFileException)
        {
            reason = "no such file or directory";
        }
        else if (ex instanceof AccessDeniedException)
        {
            reason = "permission denied";
        }
        else if (ex instanceof FileAlreadyExistsException)
        {
            reason = "file exists";
        }
        else if (ex instanceof NotDirectoryException)
        {
            reason = "not a directory";
        }
        else if (ex instanceof DirectoryNotEmptyException)
        {
            reason = "directory not empty";
        }
        else
        {
            final String given = ex.getReason();
            reason = given == null ? ex.getClass().getSimpleName() : given;
        }
        if (file == null)
        {
            return reason;
        }
        return file + (ex.getOtherFile() == null ? "" : " -> " + ex.getOtherFile()) + ": " + reason;
    }

    /**
     * Makes sure an I/O error names the device or image it happened on: a bare "File too large" from the JDK becomes
     * "cache.img: File too large". Errors that name a file already are returned as they are.
     *
     * @param name  the name of the device or image, as the user gave it or as the library shortens it.
     * @param error the error.
     * @return {@code error}, or an {@link IOException} with the name in front of its message and {@code error} as
     * the cause.
     */
    public static IOException naming(final String name, final IOException error)
    {
        final String message = error.getMessage();
        if (error instanceof FileSystemException || (message != null && message.contains(name)))
        {
            return error;
        }
        return new IOException(name + ": " + (message == null || message.isBlank() ?
            error.getClass().getSimpleName() : message), error);
    }

    /**
     * @return {@code text} with line breaks turned into spaces, so an error stays on one line.
     */
    static String oneLine(final String text)
    {
        return text.strip().replaceAll("\\s*\\R\\s*", " ");
    }

    /**
     * picocli writes its messages as sentences ("Unknown option: '-x'"); the tools start theirs in lower case after the
     * program's name, like the library's messages.
     */
    private static String lowerFirst(final String message)
    {
        if (message == null || message.isEmpty())
        {
            return "invalid command line";
        }
        if (message.length() > 1 && Character.isUpperCase(message.charAt(0)) &&
            Character.isLowerCase(message.charAt(1)))
        {
            return Character.toLowerCase(message.charAt(0)) + message.substring(1);
        }
        return message;
    }
}
