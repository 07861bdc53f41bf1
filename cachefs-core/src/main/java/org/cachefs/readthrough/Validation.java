package org.cachefs.readthrough;

/**
 * When {@link ReadThroughCache#open(String)} asks the origin for a file's version.
 */
public enum Validation
{
    /** On every open: a file changed at the origin is read afresh from the next open on. */
    ALWAYS,
    /** At most once per {@link ReadThroughOptions#statTtl()} per file: opens in between trust the version seen. */
    TTL,
    /**
     * Once per file while the cache is open: for immutable data (data lakes whose files are never rewritten in
     * place). A version given to {@link ReadThroughCache#open(String, FileVersion)} still wins.
     */
    NONE
}
