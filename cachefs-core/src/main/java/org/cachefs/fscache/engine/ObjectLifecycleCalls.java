package org.cachefs.fscache.engine;

import org.cachefs.fscache.Result;
import org.cachefs.fscache.spi.CacheBackend;
import org.cachefs.fscache.spi.CacheObject;

/**
 * The calls into the backend that the steps of an object's state machine make ({@code lookup_object},
 * {@code lookup_complete}, {@code update_object}, {@code drop_object}, {@code put_object}), each with its failure
 * policy: a failed lookup or update puts the cache in I/O error; a failed drop or put is only reported, as the
 * object dies anyway.
 * <p>
 * Threading: the pool thread running the object's state machine, without the object's lock. No state of its own.
 */
final class ObjectLifecycleCalls
{
    private final FsObject object;
    private final CacheImpl cache;
    private final CacheEngine engine;

    ObjectLifecycleCalls(final FsObject object)
    {
        this.object = object;
        this.cache = object.cache;
        this.engine = object.engine;
    }

    /**
     * @return false if the backend failed (the cache is then in I/O error).
     */
    boolean lookup()
    {
        try
        {
            cache.backend.lookupObject(object.backendObject);
            return true;
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.backendFailed(cache, ex);
            return false;
        }
    }

    void lookupComplete()
    {
        try
        {
            cache.backend.lookupComplete(object.backendObject);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.backendFailed(cache, ex);
        }
    }

    /**
     * Update the backend's copy of the cookie's auxiliary data, with the backend object locked.
     *
     * @return the backend's result, {@link Result#IO_ERROR} if it failed.
     */
    Result update()
    {
        final CacheBackend backend = cache.backend;
        final CacheObject backendObject = object.backendObject;
        try
        {
            backend.lockObject(backendObject);
            try
            {
                return backend.updateObject(backendObject);
            }
            finally
            {
                backend.unlockObject(backendObject);
            }
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.backendFailed(cache, ex);
            return Result.IO_ERROR;
        }
    }

    void drop(final CacheObject backendObject)
    {
        try
        {
            cache.backend.dropObject(backendObject);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.reportError(ex);
        }
    }

    /**
     * Put the state machine's reference of a dropped object.
     */
    void putDropped(final CacheObject backendObject)
    {
        try
        {
            cache.backend.putObject(backendObject);
        }
        catch (final RuntimeException | LinkageError | AssertionError ex)
        {
            engine.reportError(ex);
        }
    }
}
