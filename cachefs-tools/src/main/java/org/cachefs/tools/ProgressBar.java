package org.cachefs.tools;

import java.io.PrintStream;
import java.util.Locale;

import org.cachefs.format.Progress;

/**
 * A progress bar on standard error for long tool operations, drawn only when the tool runs on a terminal (and not
 * asked to be quiet): {@code writing bitmaps [##########..........]  50%}, redrawn at most ten times a second and
 * ended with a newline when done.
 */
final class ProgressBar implements Progress
{
    private static final int WIDTH = 30;
    private static final long REDRAW_NANOS = 100_000_000L;

    private final PrintStream err;
    private long lastDraw;
    private boolean drawn;
    private String lastPhase;

    private ProgressBar(final PrintStream err)
    {
        this.err = err;
    }

    /**
     * @return a bar on {@code err} if the process has a terminal and {@code quiet} is off, else {@link Progress#NONE}.
     */
    static Progress onTerminal(final PrintStream err, final boolean quiet)
    {
        return !quiet && System.console() != null ? new ProgressBar(err) : Progress.NONE;
    }

    @Override
    public void update(final String phase, final long done, final long total)
    {
        final long now = System.nanoTime();
        final boolean finished = done >= total;
        if (!finished && drawn && phase.equals(lastPhase) && now - lastDraw < REDRAW_NANOS)
        {
            return;
        }
        lastDraw = now;
        lastPhase = phase;
        err.print(line(phase, done, total));
        drawn = true;
        if (finished)
        {
            err.println();
            drawn = false;
        }
        err.flush();
    }

    /**
     * @return the bar's text, starting with a carriage return.
     */
    static String line(final String phase, final long done, final long total)
    {
        final double fraction = total <= 0 ? 1.0 : Math.min(1.0, (double)done / total);
        final int filled = (int)Math.round(fraction * WIDTH);
        return String.format(Locale.ROOT, "\r%s [%s%s] %3d%%", phase, "#".repeat(filled), ".".repeat(WIDTH - filled),
            Math.round(fraction * 100));
    }
}
