/**
 * The in-memory reference cache backend, {@link org.cachefs.fscache.memory.MemoryCacheBackend}: for testing a netfs
 * against FS-Cache and as the model for other backends.
 */
package org.cachefs.fscache.memory;
