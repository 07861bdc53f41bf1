package org.cachefs.format;

/**
 * Told how far a long operation (mkfs initialising its regions, fsck reading every page) has come, so that a tool
 * can draw a progress bar. Called from the operation's thread; must be cheap.
 */
@FunctionalInterface
public interface Progress
{
    /**
     * Reports nothing.
     */
    Progress NONE = (phase, done, total) ->
    {
    };

    /**
     * @param phase what is being done, e.g. "writing bitmaps".
     * @param done  units done so far.
     * @param total units in all.
     */
    void update(String phase, long done, long total);
}
