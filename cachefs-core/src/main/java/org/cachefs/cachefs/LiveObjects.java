package org.cachefs.cachefs;

import java.util.Arrays;
import java.util.Collection;
import java.util.HashMap;
import java.util.Map;

import org.agrona.collections.Long2ObjectHashMap;

/**
 * The live objects of a mount: the records in use or changed since the last commit, by id and by key, so that every
 * user of an object shares one record and the next commit finds every change.
 * <p>
 * Threading: guarded by the store lock (held exclusively).
 */
final class LiveObjects
{
    private final StoreState state;
    private final Map<ObjectKey, ObjectRecord> liveByKey = new HashMap<>();
    private final Long2ObjectHashMap<ObjectRecord> liveById = new Long2ObjectHashMap<>();

    LiveObjects(final StoreState state)
    {
        this.state = state;
    }

    /**
     * @return the live record of the object with this key, or null.
     */
    ObjectRecord byKey(final long parentId, final byte[] key)
    {
        return liveByKey.get(new ObjectKey(parentId, key));
    }

    /**
     * @return the live record of the object, or null.
     */
    ObjectRecord byId(final long objectId)
    {
        return liveById.get(objectId);
    }

    /**
     * @return the live record of the object {@code found} in the index, or {@code found} if it is not live.
     */
    ObjectRecord resolve(final ObjectRecord found)
    {
        final ObjectRecord live = liveById.get(found.objectId);
        return live != null ? live : found;
    }

    /**
     * @return the live records (a view).
     */
    Collection<ObjectRecord> records()
    {
        return liveById.values();
    }

    void makeLive(final ObjectRecord record)
    {
        liveById.put(record.objectId, record);
        liveByKey.put(new ObjectKey(record.parentId, record.key), record);
    }

    /**
     * Notes that the record changed: it stays live until the next commit writes it.
     */
    void markDirty(final ObjectRecord record)
    {
        record.dirty = true;
        state.changed = true;
        if (!liveById.containsKey(record.objectId) && !record.retired)
        {
            makeLive(record);
        }
    }

    /**
     * Forgets the record if nothing uses it and nothing of it waits for a commit.
     */
    void dropIfIdle(final ObjectRecord record)
    {
        if (record.users == 0 && !record.dirty)
        {
            remove(record);
        }
    }

    /**
     * Forgets the record; the RAM tier's copies of its pages, which belong to this instance, are reused first.
     */
    void remove(final ObjectRecord record)
    {
        RamTier.invalidateObject(record);
        liveById.remove(record.objectId);
        liveByKey.remove(new ObjectKey(record.parentId, record.key));
    }

    /**
     * Key of a live object.
     */
    private record ObjectKey(long parentId, byte[] key)
    {
        @Override
        public boolean equals(final Object o)
        {
            return o instanceof ObjectKey other && parentId == other.parentId && Arrays.equals(key, other.key);
        }

        @Override
        public int hashCode()
        {
            return Long.hashCode(parentId) * 31 + Arrays.hashCode(key);
        }
    }
}
