/**
 * The FS-Cache core: the netfs-facing API ({@link org.cachefs.fscache.FsCache}, {@link org.cachefs.fscache.Netfs},
 * {@link org.cachefs.fscache.Cookie}, {@link org.cachefs.fscache.CookieDefinition},
 * {@link org.cachefs.fscache.CachePage}, {@link org.cachefs.fscache.Result}) over the cache-backend SPI of
 * {@code org.cachefs.fscache.spi}, independent of any on-disk format.
 */
package org.cachefs.fscache;
