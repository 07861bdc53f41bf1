/**
 * The FS-Cache core: the netfs-facing API and the cache-backend SPI.
 */
package org.cachefs.fscache;
