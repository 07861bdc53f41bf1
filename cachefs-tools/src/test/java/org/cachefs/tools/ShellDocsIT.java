package org.cachefs.tools;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

/**
 * The completion scripts and man pages the package phase made ({@link ShellDocs}, then AsciiDoc to man): a script
 * per command that completes every subcommand when bash runs it, and a man page per command and subcommand.
 */
class ShellDocsIT
{
    private static final long TIMEOUT_SECONDS = 60;
    private static final Path COMPLETION = Path.of("target", "completion");
    private static final Path MAN = Path.of("target", "man", "man1");

    @TempDir
    Path dir;

    @Test
    void writesACompletionScriptPerCommand() throws IOException
    {
        try (Stream<Path> files = Files.list(COMPLETION))
        {
            assertThat(files.map(file -> file.getFileName().toString()).sorted().toList())
                .containsExactly("cachefs", "fsck.cachefs", "mkfs.cachefs");
        }
        for (final String command : List.of("cachefs", "fsck.cachefs", "mkfs.cachefs"))
        {
            assertThat(Files.readAllLines(COMPLETION.resolve(command), StandardCharsets.UTF_8))
                .contains("complete -F _complete_" + command + " -o default " + command + " " + command + ".sh " +
                    command + ".bash");
        }
    }

    @Test
    void theCachefsScriptNamesEverySubcommand() throws IOException
    {
        final Set<String> subcommands = CachefsCommand.commandLine(System.out).getSubcommands().keySet();
        assertThat(subcommands).containsExactly("demo", "stat", "ls", "mkfs", "fsck", "help");

        final String script = Files.readString(COMPLETION.resolve("cachefs"), StandardCharsets.UTF_8);
        assertThat(script).contains("  local commands=\"" + String.join(" ", subcommands) + "\"\n");
        for (final String subcommand : subcommands)
        {
            assertThat(script).contains("function _picocli_cachefs_" + subcommand + "() {\n");
        }
    }

    @Test
    void bashCompletesTheSubcommandsAndTheirOptions() throws IOException
    {
        assertThat(complete("cachefs", "")).containsExactly("demo", "stat", "ls", "mkfs", "fsck", "help");
        assertThat(complete("cachefs", "s")).containsExactly("stat");
        assertThat(complete("cachefs", "stat", "--j")).containsExactly("--json");
        assertThat(complete("mkfs.cachefs", "--bl")).containsExactly("--block-size");
        assertThat(complete("fsck.cachefs", "--hel")).containsExactly("--help");
    }

    @Test
    void writesAManPagePerCommandAndSubcommand() throws IOException
    {
        final Set<String> expected = new TreeSet<>(List.of("cachefs.1", "mkfs.cachefs.1", "fsck.cachefs.1"));
        for (final String subcommand : CachefsCommand.commandLine(System.out).getSubcommands().keySet())
        {
            expected.add("cachefs-" + subcommand + ".1");
        }
        try (Stream<Path> files = Files.list(MAN))
        {
            assertThat(files.map(file -> file.getFileName().toString()).sorted().toList())
                .containsExactlyElementsOf(expected);
        }

        for (final CommandLine command : ShellDocs.commands(System.out))
        {
            checkPage(command, "");
            for (final CommandLine subcommand : command.getSubcommands().values())
            {
                checkPage(subcommand, command.getCommandName() + " ");
            }
        }
    }

    /**
     * Checks that the man page of {@code command} is titled with its name, and that its NAME section gives the name
     * with the first line of the command's header or else of its description, as {@code man} and {@code apropos}
     * show it.
     */
    private static void checkPage(final CommandLine command, final String parent) throws IOException
    {
        final String page = (parent.isEmpty() ? "" : parent.trim() + "-") + command.getCommandName();
        final List<String> lines = Files.readAllLines(MAN.resolve(page + ".1"), StandardCharsets.UTF_8);
        final String roffName = page.toUpperCase().replace("-", "\\-");
        assertThat(lines).as(page).anyMatch(line -> line.startsWith(".TH \"" + roffName + "\" \"1\" "));
        final int name = lines.indexOf(".SH \"NAME\"");
        assertThat(name).as(page + ": NAME section").isGreaterThanOrEqualTo(0);
        final String[] header = command.getCommandSpec().usageMessage().header();
        final String description = header.length > 0 ? header[0] :
            command.getCommandSpec().usageMessage().description()[0];
        assertThat(lines.get(name + 1)).as(page).startsWith(page + " \\- " +
            description.substring(0, Math.min(20, description.length())).replace("-", "\\-"));
        assertThat(lines).as(page).anyMatch(line -> line.contains(parent + command.getCommandName()));
    }

    /**
     * Runs the completion script of {@code command} in bash for the command line {@code command words...}, the
     * cursor at the end of the last word.
     *
     * @return the completions bash offers, in its order.
     */
    private List<String> complete(final String command, final String... words) throws IOException
    {
        final StringBuilder line = new StringBuilder(command);
        final StringBuilder array = new StringBuilder("COMP_WORDS=(" + command);
        for (final String word : words)
        {
            line.append(' ').append(word);
            array.append(" '").append(word).append('\'');
        }
        array.append(')');
        // compopt, which the scripts call for options that take a value, works only inside a completion bash runs
        final String script = "source '" + COMPLETION.resolve(command).toAbsolutePath() + "'\n" +
            "compopt() { :; }\n" +
            array + "\n" +
            "COMP_CWORD=" + words.length + "\n" +
            "COMP_LINE='" + line + "'\n" +
            "COMP_POINT=" + line.length() + "\n" +
            "_complete_" + command + " " + command + " '" + words[words.length - 1] + "' '" +
            (words.length > 1 ? words[words.length - 2] : command) + "'\n" +
            "printf '%s\\n' \"${COMPREPLY[@]}\"\n";
        final Path out = dir.resolve("complete.out");
        final Path err = dir.resolve("complete.err");
        final Process process = new ProcessBuilder("bash", "--norc", "--noprofile", "-c", script)
            .redirectOutput(out.toFile()).redirectError(err.toFile()).start();
        try
        {
            if (!process.waitFor(TIMEOUT_SECONDS, TimeUnit.SECONDS))
            {
                process.destroyForcibly();
                fail("bash did not finish completing '%s' within %d s", line, TIMEOUT_SECONDS);
            }
        }
        catch (final InterruptedException ex)
        {
            process.destroyForcibly();
            Thread.currentThread().interrupt();
            throw new IllegalStateException("interrupted while completing " + line, ex);
        }
        assertThat(Files.readString(err, StandardCharsets.UTF_8)).as("bash's stderr").isEmpty();
        assertThat(process.exitValue()).as("bash's exit code").isZero();
        final List<String> completions = new ArrayList<>();
        for (final String completion : Files.readAllLines(out, StandardCharsets.UTF_8))
        {
            if (!completion.isEmpty())
            {
                completions.add(completion.trim());
            }
        }
        return completions;
    }
}
