package org.cachefs.cachefs;

import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.TreeSet;

import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class BlockSetTest
{
    private static final long BLOCKS = 3L * BlockSet.CHUNK_BLOCKS + 100;

    private static List<Long> contents(final BlockSet set)
    {
        final List<Long> blocks = new ArrayList<>();
        set.forEach(blocks::add);
        return blocks;
    }

    @Test
    void addRemoveAndContainsAcrossChunkBoundaries()
    {
        final BlockSet set = new BlockSet(BLOCKS);
        final long last = BLOCKS - 1;
        final long edge = BlockSet.CHUNK_BLOCKS;
        assertThat(set.size()).isZero();
        assertThat(set.add(0)).isTrue();
        assertThat(set.add(edge - 1)).isTrue();
        assertThat(set.add(edge)).isTrue();
        assertThat(set.add(last)).isTrue();
        assertThat(set.add(edge)).as("already there").isFalse();
        assertThat(set.size()).isEqualTo(4);
        assertThat(set.contains(edge - 1)).isTrue();
        assertThat(set.contains(edge + 1)).isFalse();
        assertThat(set.contains(2L * edge)).as("a chunk never touched").isFalse();
        assertThat(contents(set)).containsExactly(0L, edge - 1, edge, last);

        assertThat(set.remove(edge)).isTrue();
        assertThat(set.remove(edge)).as("already gone").isFalse();
        assertThat(set.remove(2L * edge)).as("a chunk never touched").isFalse();
        assertThat(set.size()).isEqualTo(3);
        assertThat(contents(set)).containsExactly(0L, edge - 1, last);
    }

    @Test
    void followsASortedSetThroughRandomOperations()
    {
        final BlockSet set = new BlockSet(BLOCKS);
        final BlockSet other = new BlockSet(BLOCKS);
        final TreeSet<Long> model = new TreeSet<>();
        final TreeSet<Long> otherModel = new TreeSet<>();
        final Random random = new Random(7);
        for (int i = 0; i < 20_000; i++)
        {
            // Clustered around a few spots, as allocations are, and sometimes anywhere.
            final long block = random.nextInt(4) == 0 ? (long)(random.nextDouble() * BLOCKS) :
                Math.min(BLOCKS - 1, random.nextInt(4) * (long)BlockSet.CHUNK_BLOCKS + random.nextInt(3000));
            switch (random.nextInt(3))
            {
                case 0 -> assertThat(set.add(block)).isEqualTo(model.add(block));
                case 1 -> assertThat(set.remove(block)).isEqualTo(model.remove(block));
                default -> assertThat(other.add(block)).isEqualTo(otherModel.add(block));
            }
        }
        assertThat(set.size()).isEqualTo(model.size());
        assertThat(contents(set)).containsExactlyElementsOf(model);

        final long[] words = new long[(int)((BLOCKS + 63) >>> 6)];
        set.orInto(words);
        other.orInto(words);
        final TreeSet<Long> union = new TreeSet<>(model);
        union.addAll(otherModel);
        final TreeSet<Long> fromWords = new TreeSet<>();
        for (long block = 0; block < BLOCKS; block++)
        {
            if ((words[(int)(block >>> 6)] & (1L << block)) != 0)
            {
                fromWords.add(block);
            }
        }
        assertThat(fromWords).isEqualTo(union);

        set.retainAll(other);
        model.retainAll(otherModel);
        assertThat(set.size()).isEqualTo(model.size());
        assertThat(contents(set)).containsExactlyElementsOf(model);
    }

    @Test
    void clearAndTrimEmptyTheSetAndItFillsAgain()
    {
        final BlockSet set = new BlockSet(BLOCKS);
        set.add(5);
        set.add(BlockSet.CHUNK_BLOCKS + 5L);
        set.remove(BlockSet.CHUNK_BLOCKS + 5L);
        set.trim();
        assertThat(contents(set)).containsExactly(5L);
        set.clear();
        assertThat(set.size()).isZero();
        assertThat(contents(set)).isEmpty();
        set.trim();
        assertThat(set.contains(5)).isFalse();
        assertThat(set.add(BlockSet.CHUNK_BLOCKS + 5L)).isTrue();
        assertThat(contents(set)).containsExactly(BlockSet.CHUNK_BLOCKS + 5L);
    }

    @Test
    void aNegativeBlockCountIsRefused()
    {
        assertThatThrownBy(() -> new BlockSet(-1)).isInstanceOf(IllegalArgumentException.class)
            .hasMessage("blockCount must be >= 0: -1");
    }
}
