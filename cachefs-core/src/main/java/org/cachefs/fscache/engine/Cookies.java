package org.cachefs.fscache.engine;

import org.cachefs.fscache.CookieDefinition;
import org.cachefs.fscache.CookieType;

import java.lang.reflect.Method;

/**
 * Static helpers shared by the cookie classes.
 */
final class Cookies
{
    static final byte[] EMPTY_BYTES = new byte[0];

    private static final ClassValue<Traits> TRAITS = new ClassValue<>()
    {
        protected Traits computeValue(final Class<?> type)
        {
            return new Traits(
                overrides(type, "checkAux", Object.class, byte[].class),
                overrides(type, "markPagesCached", Object.class, java.util.List.class));
        }
    };

    private Cookies()
    {
    }

    /**
     * Which optional operations a definition class implements.
     */
    static final class Traits
    {
        final boolean checksAux;
        final boolean marksPages;

        Traits(final boolean checksAux, final boolean marksPages)
        {
            this.checksAux = checksAux;
            this.marksPages = marksPages;
        }
    }

    static Traits traits(final CookieDefinition<?> def)
    {
        return TRAITS.get(def.getClass());
    }

    private static boolean overrides(final Class<?> type, final String name, final Class<?>... parameterTypes)
    {
        try
        {
            final Method method = type.getMethod(name, parameterTypes);
            return method.getDeclaringClass() != CookieDefinition.class;
        }
        catch (final NoSuchMethodException ex)
        {
            return false;
        }
    }

    static String displayName(final CookieDefinition<?> def, final String name)
    {
        return name.isEmpty() ? def.type().toString() : name;
    }

    /**
     * Validate a definition; return its name.
     */
    static String validateDefinition(final CookieDefinition<?> def)
    {
        if (null == def)
        {
            throw new IllegalArgumentException("cookie definition must not be null");
        }

        final CookieType type = def.type();
        if (null == type)
        {
            throw new IllegalArgumentException("cookie definition " + def.getClass().getName() + " has no type");
        }

        final String name = def.name() == null ? "" : def.name();
        if (name.length() > CookieDefinition.MAX_NAME_LENGTH)
        {
            throw new IllegalArgumentException("cookie definition name '" + name + "' is " + name.length() +
                " characters, more than the limit of " + CookieDefinition.MAX_NAME_LENGTH);
        }

        return name;
    }

    static void checkKeyAndAux(final String name, final int keyLength, final int auxLength)
    {
        if (keyLength + auxLength > CookieDefinition.MAX_KEY_AND_AUX_LENGTH)
        {
            throw new IllegalArgumentException("cookie '" + name + "': key (" + keyLength + " bytes) + aux (" +
                auxLength + " bytes) = " + (keyLength + auxLength) + " bytes exceeds the limit of " +
                CookieDefinition.MAX_KEY_AND_AUX_LENGTH + " bytes");
        }
    }
}
