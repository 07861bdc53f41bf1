package org.cachefs.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class MkfsOptionsTest
{
    @Test
    void defaults()
    {
        final MkfsOptions options = MkfsOptions.defaults();
        assertThat(options.blockSize()).isEqualTo(4096);
        assertThat(options.label()).isEmpty();
        assertThat(options.size()).isEqualTo(-1);
        assertThat(options.force()).isFalse();
        assertThat(options.uuid()).isNull();
        assertThat(options.createdMillis()).isEqualTo(-1);
        assertThat(options.discard()).isTrue();
    }

    @ParameterizedTest
    @ValueSource(ints = { 0, 2048, 4095, 6144, 65535, 131072, -4096 })
    void refusesBlockSizes(final int blockSize)
    {
        assertThatThrownBy(() -> MkfsOptions.defaults().withBlockSize(blockSize))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("invalid block size " + blockSize + ": must be a power of two from 4096 to 65536");
    }

    @ParameterizedTest
    @ValueSource(ints = { 4096, 8192, 16384, 32768, 65536 })
    void acceptsBlockSizes(final int blockSize)
    {
        assertThat(MkfsOptions.defaults().withBlockSize(blockSize).blockSize()).isEqualTo(blockSize);
    }

    @Test
    void refusesBadLabels()
    {
        assertThatThrownBy(() -> MkfsOptions.defaults().withLabel(null))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("label must not be null (use \"\" for none)");
        assertThatThrownBy(() -> MkfsOptions.defaults().withLabel("x".repeat(33)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("label too long: 33 bytes in UTF-8, at most 32");
        assertThatThrownBy(() -> MkfsOptions.defaults().withLabel("\u00e9".repeat(17)))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("label too long: 34 bytes in UTF-8, at most 32");
        assertThatThrownBy(() -> MkfsOptions.defaults().withLabel("a\0"))
            .isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage("label must not contain a NUL character");
        assertThat(MkfsOptions.defaults().withLabel("x".repeat(32)).label()).hasSize(32);
    }

    @Test
    void refusesSizesThatAreNotPositive()
    {
        assertThatThrownBy(() -> MkfsOptions.defaults().withSize(0))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("invalid size 0: must be positive");
        assertThatThrownBy(() -> MkfsOptions.defaults().withSize(-2))
            .isExactlyInstanceOf(IllegalArgumentException.class).hasMessage("invalid size -2: must be positive");
        assertThat(MkfsOptions.defaults().withSize(1).size()).isEqualTo(1);
        assertThat(MkfsOptions.defaults().withSize(5).withSize(-1).size()).isEqualTo(-1);
    }

    @Test
    void withersChangeOneField()
    {
        final MkfsOptions base = new MkfsOptions(8192, "a", 100, true, Fixtures.UUID_A, 7, true);
        assertThat(base.withBlockSize(4096)).isEqualTo(new MkfsOptions(4096, "a", 100, true, Fixtures.UUID_A, 7, true));
        assertThat(base.withLabel("b")).isEqualTo(new MkfsOptions(8192, "b", 100, true, Fixtures.UUID_A, 7, true));
        assertThat(base.withSize(200)).isEqualTo(new MkfsOptions(8192, "a", 200, true, Fixtures.UUID_A, 7, true));
        assertThat(base.withForce(false)).isEqualTo(new MkfsOptions(8192, "a", 100, false, Fixtures.UUID_A, 7, true));
        assertThat(base.withUuid(null)).isEqualTo(new MkfsOptions(8192, "a", 100, true, null, 7, true));
        assertThat(base.withCreatedMillis(-1)).isEqualTo(new MkfsOptions(8192, "a", 100, true, Fixtures.UUID_A, -1,
            true));
        assertThat(base.withDiscard(false)).isEqualTo(new MkfsOptions(8192, "a", 100, true, Fixtures.UUID_A, 7, false));
        assertThat(base.withDiscard(false).withDiscard(true)).isEqualTo(base);
    }
}
