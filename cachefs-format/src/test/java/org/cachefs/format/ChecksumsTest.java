package org.cachefs.format;

import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.util.zip.CRC32C;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;

class ChecksumsTest
{
    private final Checksums checksums = new Checksums();

    private static ByteBuffer block()
    {
        final ByteBuffer block = ByteBuffer.allocate(4096);
        for (int i = 0; i < 4096; i++)
        {
            block.put(i, (byte)(i * 31));
        }
        return block;
    }

    @Test
    void metadataIsCrc32cOfBlockOwnerAndContentLessTheCheckField()
    {
        final ByteBuffer block = block();
        final CRC32C reference = new CRC32C();
        final ByteBuffer seed = ByteBuffer.allocate(16).order(FormatVersion.ORDER).putLong(77).putLong(5).flip();
        reference.update(seed);
        reference.update(block.duplicate().limit(60));
        reference.update(block.duplicate().position(64));
        assertThat(checksums.metadata(block, 0, 4096, 60, 77, 5)).isEqualTo((int)reference.getValue());
    }

    @Test
    void metadataIgnoresTheCheckFieldAndTheBuffersPosition()
    {
        final ByteBuffer block = block();
        final int crc = checksums.metadata(block, 0, 4096, 60, 77, 5);
        block.putInt(60, 0x12345678);
        block.position(100).limit(200);
        assertThat(checksums.metadata(block, 0, 4096, 60, 77, 5)).isEqualTo(crc);
        assertThat(block.position()).isEqualTo(100);
        assertThat(block.limit()).isEqualTo(200);
        block.put(59, (byte)(block.get(59) ^ 1));
        assertThat(checksums.metadata(block, 0, 4096, 60, 77, 5)).isNotEqualTo(crc);
    }

    @Test
    void metadataDependsOnBlockAndOwner()
    {
        final ByteBuffer block = block();
        final int crc = checksums.metadata(block, 0, 4096, 60, 77, 5);
        assertThat(checksums.metadata(block, 0, 4096, 60, 78, 5)).isNotEqualTo(crc);
        assertThat(checksums.metadata(block, 0, 4096, 60, 77, 6)).isNotEqualTo(crc);
    }

    @Test
    void metadataOfAStructureAtAnOffset()
    {
        final ByteBuffer block = block();
        final ByteBuffer shifted = ByteBuffer.allocate(4096 + 256);
        shifted.put(256, block, 0, 4096);
        assertThat(checksums.metadata(shifted, 256, 4096, 60, 77, 5))
            .isEqualTo(checksums.metadata(block, 0, 4096, 60, 77, 5));
    }

    @Test
    void pageIsSeededWithObjectAndPageIndex()
    {
        final ByteBuffer page = ByteBuffer.wrap("123456789".getBytes(StandardCharsets.US_ASCII));
        final CRC32C reference = new CRC32C();
        reference.update(ByteBuffer.allocate(16).order(FormatVersion.ORDER).putLong(5).putLong(9).flip());
        reference.update("123456789".getBytes(StandardCharsets.US_ASCII));
        final int crc = checksums.page(5, 9, page);
        assertThat(crc).isEqualTo((int)reference.getValue());
        assertThat(page.position()).isZero();
        assertThat(checksums.page(5, 10, page)).isNotEqualTo(crc);
        assertThat(checksums.page(6, 9, page)).isNotEqualTo(crc);
        assertThat(checksums.page(5, 9, page.position(1))).isNotEqualTo(crc);
        assertThat(page.position()).isEqualTo(1);
    }

    @Test
    void hexHasNoSignExtension()
    {
        assertThat(Checksums.hex(0x1a2b)).isEqualTo("0x1a2b");
        assertThat(Checksums.hex(-1)).isEqualTo("0xffffffff");
        assertThat(Checksums.hex(0)).isEqualTo("0x0");
    }
}
