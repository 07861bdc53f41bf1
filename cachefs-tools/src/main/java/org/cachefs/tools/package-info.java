/**
 * Command-line tools over the cachefs libraries.
 */
package org.cachefs.tools;
