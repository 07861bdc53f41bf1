package org.cachefs.format.device;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

import static org.assertj.core.api.Assertions.assertThat;

class DiscardExceptionTest
{
    /**
     * EOPNOTSUPP (a file system without hole punching, a device without discard), ENOTTY (a driver without the
     * ioctl), EINVAL (a mode or request the kernel does not take), ENOSYS (no fallocate at all).
     */
    @ParameterizedTest
    @ValueSource(ints = { LibC.EOPNOTSUPP, LibC.ENOTTY, LibC.EINVAL, LibC.ENOSYS })
    void errnosThatMeanNotOfferedAreRefusals(final int errno)
    {
        final DiscardException ex = DiscardException.of("sdb", "BLKZEROOUT", 4096, 8192, errno, "why");
        assertThat(ex.refused()).isTrue();
        assertThat(ex).hasMessage("sdb: BLKZEROOUT refused: why");
        assertThat(ex.withoutDevice()).isEqualTo("BLKZEROOUT refused: why");
        assertThat(ex.device()).isEqualTo("sdb");
        assertThat(ex.operation()).isEqualTo("BLKZEROOUT");
    }

    /**
     * EPERM, EIO, EBADF, ENOSPC, EROFS, EBUSY: failures, not refusals.
     */
    @ParameterizedTest
    @ValueSource(ints = { 1, 5, 9, 28, 30, 16 })
    void otherErrnosAreFailures(final int errno)
    {
        final DiscardException ex = DiscardException.of("cache.img", "punching a hole", 69632, 16703488, errno,
            "Input/output error");
        assertThat(ex.refused()).isFalse();
        assertThat(DiscardException.isRefusal(errno)).isFalse();
        assertThat(ex).hasMessage("cache.img: punching a hole of 16703488 bytes at 69632 failed: Input/output error");
    }

    @Test
    void aRefusalWithoutAnErrno()
    {
        final DiscardException ex = DiscardException.refused("sdz", "zeroing without writing", "not offered");
        assertThat(ex.refused()).isTrue();
        assertThat(ex).hasMessage("sdz: zeroing without writing refused: not offered");
    }
}
