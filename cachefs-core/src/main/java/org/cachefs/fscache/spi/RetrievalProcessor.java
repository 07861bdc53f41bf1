package org.cachefs.fscache.spi;

/**
 * The processing routine of a retrieval record that a backend enqueues on the FS-Cache thread pool
 * ({@code retrieval->op.processor}). Backends supply one instance (typically a static, non-capturing one) rather
 * than a lambda per page.
 */
@FunctionalInterface
public interface RetrievalProcessor
{
    /**
     * Give the retrieval CPU time on a pool thread.
     *
     * @param retrieval the enqueued retrieval.
     */
    void process(Retrieval retrieval);
}
