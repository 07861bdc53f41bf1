/**
 * JMH benchmarks of cachefs against the raw device: {@link org.cachefs.benchmarks.RawDeviceBenchmark} (the O_DIRECT
 * baseline), {@link org.cachefs.benchmarks.PageReadBenchmark} (cache hits), {@link org.cachefs.benchmarks.PageWriteBenchmark}
 * (cache fill) and {@link org.cachefs.benchmarks.MetadataBenchmark} (cookie acquisition among many objects, mount).
 * Every benchmark works on files in the directory named by the system property {@value
 * org.cachefs.benchmarks.BenchFiles#DIR_PROPERTY} (default: {@code cachefs-bench} under {@code java.io.tmpdir}),
 * which must be on a filesystem that supports O_DIRECT.
 */
package org.cachefs.benchmarks;
