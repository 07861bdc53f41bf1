package org.cachefs.fscache;

import org.junit.jupiter.api.Test;

import java.nio.ByteBuffer;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class CachePageTest
{
    @Test
    void fsCacheFlagOperations()
    {
        final CachePage page = new CachePage(3, ByteBuffer.allocate(4096));
        assertThat(page.isFsCache()).isFalse();
        assertThat(page.testAndSetFsCache()).isFalse();
        assertThat(page.isFsCache()).isTrue();
        assertThat(page.testAndSetFsCache()).isTrue();
        assertThat(page.testAndClearFsCache()).isTrue();
        assertThat(page.isFsCache()).isFalse();
        assertThat(page.testAndClearFsCache()).isFalse();
        page.setFsCache();
        assertThat(page.isFsCache()).isTrue();
        page.clearFsCache();
        assertThat(page.isFsCache()).isFalse();
    }

    @Test
    void fsCacheWriteFlagOperationsAreIndependent()
    {
        final CachePage page = new CachePage(0, ByteBuffer.allocate(4096));
        page.setFsCache();
        assertThat(page.testAndSetFsCacheWrite()).isFalse();
        assertThat(page.isFsCacheWrite()).isTrue();
        assertThat(page.isFsCache()).isTrue();
        assertThat(page.testAndSetFsCacheWrite()).isTrue();
        assertThat(page.testAndClearFsCacheWrite()).isTrue();
        assertThat(page.testAndClearFsCacheWrite()).isFalse();
        page.setFsCacheWrite();
        page.clearFsCache();
        assertThat(page.isFsCacheWrite()).isTrue();
        assertThat(page.isFsCache()).isFalse();
        page.clearFsCacheWrite();
        assertThat(page.isFsCacheWrite()).isFalse();
        assertThat(page).hasToString("CachePage{index=0, PG_fscache=false, PG_fscache_write=false}");
    }

    @Test
    void rejectsNegativeIndexAndNullBuffer()
    {
        assertThatThrownBy(() -> new CachePage(-1, ByteBuffer.allocate(1)))
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("page index must be >= 0: -1");
        assertThatThrownBy(() -> new CachePage(0, null))
            .isInstanceOf(NullPointerException.class)
            .hasMessage("buffer");
    }
}
