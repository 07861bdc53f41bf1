/**
 * Micrometer meters for cachefs: {@link org.cachefs.micrometer.CacheFsMetrics} binds a mounted cache's figures and
 * its FS-Cache's counters to a {@code MeterRegistry}. Micrometer is an optional dependency of cachefs-core: only this
 * package uses it, and nothing outside this package loads it, so a program that does not bind the meters needs no
 * Micrometer on its class path.
 */
package org.cachefs.micrometer;
