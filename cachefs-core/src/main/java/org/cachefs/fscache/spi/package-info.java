/**
 * The cache-backend SPI of FS-Cache ({@code <linux/fscache-cache.h>}): the operations table a backend implements
 * ({@link org.cachefs.fscache.spi.CacheBackend}), the object base class backends extend
 * ({@link org.cachefs.fscache.spi.CacheObject}), the operation records passed to them
 * ({@link org.cachefs.fscache.spi.Retrieval}, {@link org.cachefs.fscache.spi.Storage}), the core's handles offering
 * the utilities ({@link org.cachefs.fscache.spi.CacheContext}, {@link org.cachefs.fscache.spi.ObjectContext}) and
 * the object states ({@link org.cachefs.fscache.spi.ObjectState}).
 */
package org.cachefs.fscache.spi;
