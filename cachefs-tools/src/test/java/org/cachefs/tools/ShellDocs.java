package org.cachefs.tools;

import java.io.File;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import picocli.AutoComplete;
import picocli.CommandLine;
import picocli.codegen.docgen.manpage.ManPageGenerator;

/**
 * Writes the tools' shell completion scripts and the AsciiDoc sources of their man pages, from the same picocli
 * command lines the tools run: run by the build in the package phase (cachefs-tools/pom.xml), on the build's thread.
 * <p>
 * Usage: {@code ShellDocs COMPLETION_DIR MAN_SOURCE_DIR}. The completion directory gets one bash script per command
 * ({@code cachefs}, {@code mkfs.cachefs}, {@code fsck.cachefs}), named after it as bash-completion looks them up;
 * zsh reads them through {@code bashcompinit}. The man source directory gets one AsciiDoc page per command and per
 * subcommand ({@code cachefs.adoc}, {@code cachefs-stat.adoc}, ..., {@code mkfs.cachefs.adoc}), which the build turns
 * into man pages.
 */
public final class ShellDocs
{
    private ShellDocs()
    {
    }

    /**
     * @param args the completion directory and the man source directory, created if missing.
     * @throws IOException if a file cannot be written.
     */
    public static void main(final String[] args) throws IOException
    {
        if (args.length != 2)
        {
            throw new IllegalArgumentException("usage: ShellDocs COMPLETION_DIR MAN_SOURCE_DIR");
        }
        final Path completionDir = Files.createDirectories(Path.of(args[0]));
        final Path manDir = Files.createDirectories(Path.of(args[1]));
        final List<CommandLine> commands = commands(System.out);
        for (final CommandLine command : commands)
        {
            final String name = command.getCommandName();
            Files.writeString(completionDir.resolve(name), AutoComplete.bash(name, command), StandardCharsets.UTF_8);
        }
        final int status = ManPageGenerator.generateManPage(manDir.toFile(), (File)null, new boolean[0], true,
            commands.stream().map(CommandLine::getCommandSpec).toArray(CommandLine.Model.CommandSpec[]::new));
        if (status != 0)
        {
            throw new IOException("man page generation into " + manDir + " failed with status " + status);
        }
    }

    /**
     * @param out where the commands would print.
     * @return the tools' top-level commands as their launchers run them: {@code cachefs} with its subcommands,
     * {@code mkfs.cachefs} and {@code fsck.cachefs}.
     */
    static List<CommandLine> commands(final PrintStream out)
    {
        return List.of(CachefsCommand.commandLine(out), MkfsCommand.commandLine(out), FsckCommand.commandLine(out));
    }
}
