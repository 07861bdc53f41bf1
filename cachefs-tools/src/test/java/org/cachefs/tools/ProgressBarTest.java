package org.cachefs.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;

import org.cachefs.format.Progress;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ProgressBarTest
{
    @Test
    void drawsTheFractionDone()
    {
        assertThat(ProgressBar.line("writing bitmaps", 0, 10))
            .isEqualTo("\rwriting bitmaps [..............................]   0%");
        assertThat(ProgressBar.line("writing bitmaps", 5, 10))
            .isEqualTo("\rwriting bitmaps [###############...............]  50%");
        assertThat(ProgressBar.line("checking pages", 10, 10))
            .isEqualTo("\rchecking pages [##############################] 100%");
        assertThat(ProgressBar.line("checking pages", 0, 0))
            .isEqualTo("\rchecking pages [##############################] 100%");
    }

    @Test
    void isSilentWithoutATerminalOrWhenQuiet()
    {
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final PrintStream stream = new PrintStream(err, true, StandardCharsets.UTF_8);
        // Tests run without a terminal: no bar, quiet or not.
        assertThat(ProgressBar.onTerminal(stream, false)).isSameAs(Progress.NONE);
        assertThat(ProgressBar.onTerminal(stream, true)).isSameAs(Progress.NONE);
        assertThat(err.size()).isZero();
    }
}
