/**
 * Internal, not API: the FS-Cache engine behind {@link org.cachefs.fscache.FsCache}. Its root
 * ({@link org.cachefs.fscache.engine.CacheEngine}) holds the caches and tags, the netfs registrations, the operation
 * pool and the statistics; the cookies, the objects with their state machines, and the operations live here too.
 * <p>
 * Netfs code uses {@code org.cachefs.fscache}, backends {@code org.cachefs.fscache.spi}; nothing outside
 * {@code org.cachefs.fscache} imports this package. The few types here that are public are so only because the API
 * classes name them: the root behind {@code FsCache}, the internal access of
 * {@link org.cachefs.fscache.engine.ApiAccess} with the types its interfaces carry
 * ({@link org.cachefs.fscache.engine.TagBinding}, {@link org.cachefs.fscache.engine.RetrievalOp}). They may change
 * in any release.
 */
package org.cachefs.fscache.engine;
