package org.cachefs.cachefs;

/**
 * The latency of one kind of store operation since mount, in nanoseconds: how many were timed and the percentiles of
 * their times, each within 1 % of the time measured (two significant digits), times above 10 minutes counted as 10
 * minutes. All zero when none was timed. For any summary {@code p50Nanos <= p99Nanos <= p999Nanos <= maxNanos}.
 *
 * @param count     operations timed (for RAM-tier hits an estimate: see {@link CacheFsLatencies#hits()}).
 * @param p50Nanos  the median.
 * @param p99Nanos  the 99th percentile.
 * @param p999Nanos the 99.9th percentile.
 * @param maxNanos  the longest.
 */
public record LatencySummary(long count, long p50Nanos, long p99Nanos, long p999Nanos, long maxNanos)
{
}
