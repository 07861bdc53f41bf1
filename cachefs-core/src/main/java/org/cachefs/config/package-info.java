/**
 * The cache's configuration file, {@code cachefs.conf}, and the one set of setting names it shares with the Hadoop
 * file system's {@code fs.cachefs.*} keys: {@link org.cachefs.config.CacheFsConfig} parses and checks the settings
 * and turns them into {@link org.cachefs.cachefs.MountOptions} and
 * {@link org.cachefs.readthrough.ReadThroughOptions}.
 */
package org.cachefs.config;
