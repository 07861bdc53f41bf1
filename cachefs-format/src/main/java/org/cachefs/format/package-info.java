/**
 * The cachefs on-disk format, version 1: superblock slots, allocation bitmap, index and page-map nodes,
 * the commit record, and O_DIRECT device I/O. See DESIGN.md, "On-disk layout".
 */
package org.cachefs.format;
