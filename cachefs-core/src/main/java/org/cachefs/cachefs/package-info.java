/**
 * The CacheFS backend: a persistent cache on an image file or raw block device in the cachefs on-disk format,
 * mounted with {@link org.cachefs.cachefs.CacheFs#mount} and added to an {@link org.cachefs.fscache.FsCache}.
 */
package org.cachefs.cachefs;
