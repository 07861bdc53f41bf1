/**
 * JMH benchmarks of page I/O.
 */
package org.cachefs.benchmarks;
