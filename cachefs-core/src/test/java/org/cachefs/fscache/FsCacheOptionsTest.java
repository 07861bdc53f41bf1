package org.cachefs.fscache;

import org.junit.jupiter.api.Test;

import java.time.Duration;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class FsCacheOptionsTest
{
    @Test
    void defaults()
    {
        final FsCacheOptions options = FsCacheOptions.defaults();
        assertThat(options.pageSize()).isEqualTo(4096);
        assertThat(options.storeBatchPages()).isEqualTo(16);
        assertThat(options.withdrawTimeout()).isEqualTo(Duration.ofSeconds(30));
        assertThat(options.threadCount()).isBetween(2, 4);
        assertThat(options.errorHandler()).isNotNull();
    }

    @Test
    void validationMessagesNameTheOptionAndRange()
    {
        assertThatThrownBy(() -> FsCacheOptions.builder().threadCount(0).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("threadCount must be in [1, 256]: 0");
        assertThatThrownBy(() -> FsCacheOptions.builder().threadCount(257).build())
            .hasMessage("threadCount must be in [1, 256]: 257");
        assertThatThrownBy(() -> FsCacheOptions.builder().pageSize(1000).build())
            .isInstanceOf(IllegalArgumentException.class)
            .hasMessage("pageSize must be a power of two in [512, 1048576]: 1000");
        assertThatThrownBy(() -> FsCacheOptions.builder().pageSize(256).build())
            .hasMessage("pageSize must be a power of two in [512, 1048576]: 256");
        assertThatThrownBy(() -> FsCacheOptions.builder().storeBatchPages(0).build())
            .hasMessage("storeBatchPages must be in [1, 65536]: 0");
        assertThatThrownBy(() -> FsCacheOptions.builder().withdrawTimeout(Duration.ZERO).build())
            .hasMessage("withdrawTimeout must be in (0, PT1H]: PT0S");
        assertThatThrownBy(() -> FsCacheOptions.builder().withdrawTimeout(Duration.ofHours(2)).build())
            .hasMessage("withdrawTimeout must be in (0, PT1H]: PT2H");
        assertThatThrownBy(() -> FsCacheOptions.builder().withdrawTimeout(null).build())
            .hasMessage("withdrawTimeout must not be null");
        assertThatThrownBy(() -> FsCacheOptions.builder().errorHandler(null).build())
            .hasMessage("errorHandler must not be null");
    }

    @Test
    void acceptsBoundaryValues()
    {
        final FsCacheOptions options = FsCacheOptions.builder()
            .threadCount(1).pageSize(512).storeBatchPages(65536).withdrawTimeout(Duration.ofHours(1)).build();
        assertThat(options.threadCount()).isEqualTo(1);
        assertThat(options.pageSize()).isEqualTo(512);
        assertThat(options.storeBatchPages()).isEqualTo(65536);
        assertThat(options).hasToString(
            "FsCacheOptions{threadCount=1, pageSize=512, storeBatchPages=65536, withdrawTimeout=PT1H}");
    }
}
