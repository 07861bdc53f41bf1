package org.cachefs.format;

import java.nio.file.Path;
import java.util.UUID;

import org.cachefs.format.device.DirectBlockDevice;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class MkfsSmokeTest
{
    @TempDir
    Path dir;

    @Test
    void formatsAndReadsBack() throws Exception
    {
        final Path image = dir.resolve("cache.img");
        final UUID uuid = UUID.fromString("00000000-0000-0000-0000-000000000001");
        final MkfsResult result = Mkfs.format(image,
            MkfsOptions.defaults().withSize(16L << 20).withLabel("test").withUuid(uuid), System.out);
        assertThat(result.layout().blockCount()).isEqualTo(4096);
        try (DirectBlockDevice device = DirectBlockDevice.open(image))
        {
            final ImageHeader header = ImageHeader.read(device);
            assertThat(header.slot()).isEqualTo(0);
            assertThat(header.commit().generation()).isEqualTo(2);
            assertThat(header.superblock().label()).isEqualTo("test");
            assertThat(header.superblock().uuid()).isEqualTo(uuid);
            assertThat(header.problems()).isEmpty();
        }
    }
}
