package org.cachefs.format;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class SizesTest
{
    @ParameterizedTest(name = "{0}")
    @CsvSource(delimiter = '|', value = {
        "4096                | 4096",
        "1                   | 1",
        "9223372036854775807 | 9223372036854775807",
        "1K                  | 1024",
        "1k                  | 1024",
        "16M                 | 16777216",
        "16m                 | 16777216",
        "2G                  | 2147483648",
        "1T                  | 1099511627776",
        "1P                  | 1125899906842624",
        "8191P               | 9222246136947933184",
        "1GiB                | 1073741824",
        "1gib                | 1073741824",
        "1GB                 | 1073741824",
        "1gb                 | 1073741824",
        "512KiB              | 524288",
        "3MB                 | 3145728",
        "'  8M  '            | 8388608" })
    void parsesBytesAndBinarySuffixes(final String text, final long bytes)
    {
        assertThat(Sizes.parse(text)).isEqualTo(bytes);
    }

    @ParameterizedTest(name = "''{0}''")
    @CsvSource(delimiter = '|', value = {
        "''     | invalid size '': expected a number with an optional K, M, G, T or P suffix",
        "abc    | invalid size 'abc': expected a number with an optional K, M, G, T or P suffix",
        "1X     | invalid size '1X': expected a number with an optional K, M, G, T or P suffix",
        "1.5G   | invalid size '1.5G': expected a number with an optional K, M, G, T or P suffix",
        "G      | invalid size 'G': expected a number with an optional K, M, G, T or P suffix",
        "KiB    | invalid size 'KiB': expected a number with an optional K, M, G, T or P suffix",
        "B      | invalid size 'B': expected a number with an optional K, M, G, T or P suffix",
        "1 G    | invalid size '1 G': expected a number with an optional K, M, G, T or P suffix",
        "1KK    | invalid size '1KK': expected a number with an optional K, M, G, T or P suffix",
        "1iB    | invalid size '1iB': expected a number with an optional K, M, G, T or P suffix",
        "16iB   | invalid size '16iB': expected a number with an optional K, M, G, T or P suffix",
        "0      | invalid size '0': must be positive",
        "0K     | invalid size '0K': must be positive",
        "-1     | invalid size '-1': must be positive",
        "-4G    | invalid size '-4G': must be positive",
        "8192P  | invalid size '8192P': too large",
        "9007199254740992K | invalid size '9007199254740992K': too large",
        "99999999999999999999 | invalid size '99999999999999999999': expected a number with an optional K, M, G, T or P suffix" })
    void refusesInvalidSizes(final String text, final String message)
    {
        assertThatThrownBy(() -> Sizes.parse(text)).isExactlyInstanceOf(IllegalArgumentException.class)
            .hasMessage(message);
    }

    @Test
    void formatsInTheLargestBinaryUnit()
    {
        assertThat(Sizes.format(0)).isEqualTo("0 B");
        assertThat(Sizes.format(1023)).isEqualTo("1023 B");
        assertThat(Sizes.format(1024)).isEqualTo("1.0 KiB");
        assertThat(Sizes.format(1536)).isEqualTo("1.5 KiB");
        assertThat(Sizes.format(16L << 20)).isEqualTo("16.0 MiB");
        assertThat(Sizes.format((1L << 30) - (1L << 20))).isEqualTo("1023.0 MiB");
        assertThat(Sizes.format(1L << 30)).isEqualTo("1.0 GiB");
        assertThat(Sizes.format(5L << 40)).isEqualTo("5.0 TiB");
        assertThat(Sizes.format(1L << 50)).isEqualTo("1.0 PiB");
        assertThat(Sizes.format(1L << 60)).isEqualTo("1024.0 PiB");
        assertThat(Sizes.format(Long.MAX_VALUE)).isEqualTo("8192.0 PiB");
    }

    @Test
    void formatAndParseAgreeOnWholeUnits()
    {
        final String[][] pairs = { { "1K", "1.0 KiB" }, { "16M", "16.0 MiB" }, { "2G", "2.0 GiB" },
            { "3T", "3.0 TiB" }, { "4P", "4.0 PiB" } };
        for (final String[] pair : pairs)
        {
            assertThat(Sizes.format(Sizes.parse(pair[0]))).isEqualTo(pair[1]);
            assertThat(Sizes.parse(Sizes.format(Sizes.parse(pair[0])).replace(".0 ", ""))).isEqualTo(
                Sizes.parse(pair[0]));
        }
    }
}
