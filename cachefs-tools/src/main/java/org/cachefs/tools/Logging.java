package org.cachefs.tools;

import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The tools log through {@link System.Logger} (java.util.logging underneath) and are quiet by default: their output
 * is their report. {@code -Dcachefs.log.level=INFO} (for example through {@code JAVA_TOOL_OPTIONS}) turns logging on;
 * a {@code java.util.logging.config.file} is left in charge.
 */
final class Logging
{
    /** The system property naming the level. */
    static final String LEVEL_PROPERTY = "cachefs.log.level";

    private Logging()
    {
    }

    static void configure()
    {
        if (System.getProperty("java.util.logging.config.file") != null)
        {
            return;
        }
        final String name = System.getProperty(LEVEL_PROPERTY, "OFF");
        Level level;
        try
        {
            level = Level.parse(name.trim().toUpperCase(java.util.Locale.ROOT));
        }
        catch (final IllegalArgumentException ex)
        {
            level = Level.OFF;
        }
        final Logger root = Logger.getLogger("");
        root.setLevel(level);
        for (final java.util.logging.Handler handler : root.getHandlers())
        {
            handler.setLevel(level);
        }
    }
}
