/**
 * The FS-Cache core's netfs-facing API: {@link org.cachefs.fscache.FsCache} (the entry point),
 * {@link org.cachefs.fscache.FsCacheOptions}, {@link org.cachefs.fscache.Netfs}, {@link org.cachefs.fscache.Cookie},
 * {@link org.cachefs.fscache.CookieDefinition}, {@link org.cachefs.fscache.CookieType},
 * {@link org.cachefs.fscache.CheckAux}, {@link org.cachefs.fscache.CachePage},
 * {@link org.cachefs.fscache.ReadCompletion}, {@link org.cachefs.fscache.Result},
 * {@link org.cachefs.fscache.CacheTag}, {@link org.cachefs.fscache.CacheTagInUseException},
 * {@link org.cachefs.fscache.StatCounter} and {@link org.cachefs.fscache.FsCacheStats}, over the cache-backend SPI of
 * {@code org.cachefs.fscache.spi}, independent of any on-disk format. The engine behind {@code FsCache} is in
 * {@code org.cachefs.fscache.engine}, which is internal.
 */
package org.cachefs.fscache;
