package org.cachefs.fscache;

/**
 * The netfs's verdict on an object found in the cache ({@code enum fscache_checkaux}).
 */
public enum CheckAux
{
    /** The object is valid as it is ({@code FSCACHE_CHECKAUX_OKAY}). */
    OKAY,
    /** The object is valid but its auxiliary data must be rewritten ({@code FSCACHE_CHECKAUX_NEEDS_UPDATE}). */
    NEEDS_UPDATE,
    /** The object is obsolete: it and its data are discarded and it is created afresh
     * ({@code FSCACHE_CHECKAUX_OBSOLETE}). */
    OBSOLETE
}
