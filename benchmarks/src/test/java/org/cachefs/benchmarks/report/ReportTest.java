package org.cachefs.benchmarks.report;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The report tool on a small results directory in JMH's and fio's formats.
 */
class ReportTest
{
    private static String result(final String benchmark, final int threads, final String mode, final String unit,
                                 final double... samples)
    {
        return result(benchmark, threads, mode, unit,
            "\"objects\": \"1000\", \"pages\": \"4096\", \"window\": \"32\"", samples);
    }

    private static String result(final String benchmark, final int threads, final String mode, final String unit,
                                 final String params, final double... samples)
    {
        double sum = 0;
        final StringBuilder raw = new StringBuilder();
        for (final double s : samples)
        {
            sum += s;
            raw.append(raw.length() == 0 ? "" : ", ").append(s);
        }
        return "{\"jmhVersion\": \"1.37\", \"benchmark\": \"org.cachefs.benchmarks." + benchmark + "\", " +
            "\"mode\": \"" + mode + "\", \"threads\": " + threads + ", \"forks\": 1, " +
            "\"params\": {" + params + "}, " +
            "\"primaryMetric\": {\"score\": " + sum / samples.length + ", \"scoreError\": \"NaN\", " +
            "\"scoreConfidence\": [\"NaN\", \"NaN\"], \"scoreUnit\": \"" + unit + "\", \"rawData\": [[" + raw +
            "]]}, \"secondaryMetrics\": {}}";
    }

    @Test
    void writesTableAndChart(@TempDir final Path dir) throws IOException
    {
        final String json = "[" + String.join(",\n", List.of(
            result("RawDeviceBenchmark.randomRead4k", 1, "thrpt", "ops/s", 10000, 12000),
            result("PageReadBenchmark.readPage", 1, "thrpt", "ops/s", 9000, 9000),
            result("RawDeviceBenchmark.sequentialRead128k", 1, "thrpt", "ops/s", 4000),
            result("RawDeviceBenchmark.randomRead128k", 1, "thrpt", "ops/s", 2500),
            result("PageReadBenchmark.readPages32", 1, "thrpt", "ops/s", 2000),
            result("RawDeviceBenchmark.bufferedRandomRead4k", 1, "thrpt", "ops/s", 1_000_000),
            result("RawDeviceBenchmark.bufferedRandomRead1m", 1, "thrpt", "ops/s", 12_000),
            result("PageReadBenchmark.readPage", 1, "thrpt", "ops/s", "\"ramTierMiB\": \"256\"", 750_000),
            result("PageReadBenchmark.readPages256", 1, "thrpt", "ops/s", "\"ramTierMiB\": \"256\"", 3_000),
            result("ReadThroughBenchmark.readThrough4k", 1, "thrpt", "ops/s", "\"ramTierMiB\": \"256\"", 1_100_000),
            result("ReadThroughBenchmark.readThrough1m", 1, "thrpt", "ops/s", "\"ramTierMiB\": \"256\"", 10_800),
            result("RawDeviceBenchmark.sequentialWrite128k", 4, "thrpt", "ops/s", 8000),
            result("PageWriteBenchmark.fillRandom", 4, "thrpt", "ops/s", 16000),
            result("MetadataBenchmark.acquireRelinquish", 4, "thrpt", "ops/s", 5000),
            result("MetadataBenchmark.mount", 1, "ss", "ms/op", 10, 30))) + "]";
        Files.writeString(dir.resolve("jmh-t1.json"), json, StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("fio-randread.json"), "note: a line fio prints first\n{\"jobs\": [{" +
            "\"job options\": {\"ioengine\": \"io_uring\", \"iodepth\": \"32\", \"size\": \"128M\"}, " +
            "\"read\": {\"iops\": 50000.4}}]}", StandardCharsets.UTF_8);
        Files.writeString(dir.resolve("mount-memory.json"), "{\"imageBytes\": 1073741824, \"pages\": 4096, " +
            "\"objects\": 3, \"dataBlocks\": 262000, \"heapUsedBefore\": 1048576, \"heapUsedAfter\": 2097152, " +
            "\"directUsedBefore\": 0, \"directUsedAfter\": 131072}", StandardCharsets.UTF_8);

        Report.main(new String[] {dir.toString(), "test run"});

        final String md = Files.readString(dir.resolve("report.md"), StandardCharsets.UTF_8);
        assertThat(md)
            .contains("| 1 | 11,000 ±9% | 9,000 ±0% | 0.82 |")
            .contains("| 1 | 312.5 | 500.0 | 250.0 | 0.80 | 0.50 |")
            .contains("| 1 | 1,000,000 | 750,000 | 0.75 | 12,000.0 | 3,000.0 | 0.25 |")
            .contains("| 1 | 1,000,000 | 1,100,000 | 1.10 | 12,000.0 | 10,800.0 | 0.90 |")
            .contains("| 4 | 1,000.0 | 16,000 | 62.5 | 0.06 |")
            .contains("uncache_page of the page written 32 operations earlier (32 writes in flight per thread).")
            .contains("**50,000 IOPS**")
            .contains("among 1,000 objects")
            .contains("| 4 | 5,000 |")
            .contains("**20.0 ms** mean, 10.0 to 30.0 ms")
            .contains("heap used **2.0 MiB** (+1.0 MiB for the mount), direct buffers **0.1 MiB**");
        final byte[] png = Files.readAllBytes(dir.resolve("throughput.png"));
        assertThat(png).startsWith(0x89, 'P', 'N', 'G');
    }

    @Test
    void readsJson() throws IOException
    {
        final JsonNode value = Report.parse("{\"a\": [1, -2.5e3, \"x\\\"\\u0041\", true, null, {}], \"b\": \"NaN\"}");
        final JsonNode a = value.get("a");
        assertThat(a.isArray()).isTrue();
        assertThat(a.size()).isEqualTo(6);
        assertThat(Report.number(a.get(0))).isEqualTo(1.0);
        assertThat(Report.number(a.get(1))).isEqualTo(-2500.0);
        assertThat(a.get(2).textValue()).isEqualTo("x\"A");
        assertThat(a.get(3).booleanValue()).isEqualTo(true);
        assertThat(a.get(4).isNull()).isTrue();
        assertThat(a.get(5).isObject()).isTrue();
        assertThat(a.get(5).isEmpty()).isTrue();
        assertThat(Report.number(value.get("b"))).isNaN();
        assertThat(Report.number(value.get("missing"))).isNaN();
    }

    @Test
    void refusesTrailingText()
    {
        assertThatThrownBy(() -> Report.parse("[1] x")).isInstanceOf(JsonProcessingException.class);
    }
}
