package org.cachefs.fscache.engine;

import java.lang.reflect.Proxy;

import org.junit.jupiter.api.Test;

import org.cachefs.fscache.CachePage;
import org.cachefs.fscache.CacheTag;
import org.cachefs.fscache.Netfs;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

/**
 * The engine's internal access to the API classes is registered by each API class alone: an implementation declared
 * anywhere else is refused, and the registered one stays.
 */
class ApiAccessTest
{
    @Test
    void anAccessDeclaredOutsideItsApiClassIsRefusedAndTheRegisteredOneStays()
    {
        final ApiAccess.Pages pages = ApiAccess.pages();
        final ApiAccess.Tags tags = ApiAccess.tags();
        final ApiAccess.Netfses netfses = ApiAccess.netfses();
        assertThat(pages.getClass().getNestHost()).isSameAs(CachePage.class);
        assertThat(tags.getClass().getNestHost()).isSameAs(CacheTag.class);
        assertThat(netfses.getClass().getNestHost()).isSameAs(Netfs.class);

        final ApiAccess.Pages foreignPages = foreign(ApiAccess.Pages.class);
        assertThatThrownBy(() -> ApiAccess.registerPages(foreignPages))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("the engine's access to org.cachefs.fscache.CachePage is registered by that class alone, " +
                "not by " + foreignPages.getClass().getName());
        final ApiAccess.Tags foreignTags = foreign(ApiAccess.Tags.class);
        assertThatThrownBy(() -> ApiAccess.registerTags(foreignTags))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("the engine's access to org.cachefs.fscache.CacheTag is registered by that class alone, " +
                "not by " + foreignTags.getClass().getName());
        final ApiAccess.Netfses foreignNetfses = foreign(ApiAccess.Netfses.class);
        assertThatThrownBy(() -> ApiAccess.registerNetfses(foreignNetfses))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("the engine's access to org.cachefs.fscache.Netfs is registered by that class alone, " +
                "not by " + foreignNetfses.getClass().getName());

        assertThat(ApiAccess.pages()).isSameAs(pages).isSameAs(PageState.PAGES);
        assertThat(ApiAccess.tags()).isSameAs(tags);
        assertThat(ApiAccess.netfses()).isSameAs(netfses);
    }

    /**
     * An implementation of an access interface declared outside the API class; registering it must fail before any
     * of its methods could be called.
     */
    private static <T> T foreign(final Class<T> type)
    {
        return type.cast(Proxy.newProxyInstance(type.getClassLoader(), new Class<?>[] {type}, (proxy, method, args) ->
        {
            throw new AssertionError("a refused access was called: " + method.getName());
        }));
    }
}
