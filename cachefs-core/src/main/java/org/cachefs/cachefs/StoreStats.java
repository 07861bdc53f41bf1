package org.cachefs.cachefs;

import java.util.concurrent.atomic.LongAdder;

/**
 * Event counters of a {@link CacheStore}. Thread-safe.
 */
final class StoreStats
{
    final LongAdder readHits = new LongAdder();
    final LongAdder readMisses = new LongAdder();
    final LongAdder checksumMismatches = new LongAdder();
    final LongAdder pageWrites = new LongAdder();
    final LongAdder runWrites = new LongAdder();
    final LongAdder writesRefused = new LongAdder();
    final LongAdder commits = new LongAdder();
    final LongAdder pressureCommits = new LongAdder();
    final LongAdder commitFailures = new LongAdder();
    final LongAdder cullRuns = new LongAdder();
    final LongAdder objectsCulled = new LongAdder();
    final LongAdder pagesCulled = new LongAdder();
    final LongAdder blocksCulled = new LongAdder();
    final LongAdder refusedBelowStop = new LongAdder();
    /** Pages forgotten after a check-value mismatch, their blocks left allocated. */
    final LongAdder quarantinedPages = new LongAdder();
    /** Objects whose page map was found corrupt and dropped, its blocks left allocated. */
    final LongAdder droppedPageMaps = new LongAdder();
    /** Pages those page maps held. */
    final LongAdder droppedPages = new LongAdder();
}
