package org.cachefs.benchmarks.report;

import java.awt.BasicStroke;
import java.awt.Color;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.TreeMap;
import java.util.TreeSet;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;
import org.knowm.xchart.BitmapEncoder;
import org.knowm.xchart.CategoryChart;
import org.knowm.xchart.CategoryChartBuilder;
import org.knowm.xchart.CategorySeries;
import org.knowm.xchart.style.Styler;
import org.knowm.xchart.style.markers.SeriesMarkers;

/**
 * Turns a results directory into {@code report.md} (the engine/raw ratios) and {@code throughput.png} (throughput
 * versus threads).
 * <p>
 * Reads every {@code jmh*.json} (JMH's {@code -rf json} output), {@code mount-memory.json} (written by
 * {@code MetadataBenchmark}), {@code fio-randread.json} (fio's JSON output) and {@code machine.txt} (free text)
 * found in the directory, with Jackson's tree model. Figures that are missing are shown as "—".
 * <p>
 * Usage: {@code java -Djava.awt.headless=true -cp benchmarks.jar org.cachefs.benchmarks.report.Report RESULTS_DIR
 * [TITLE]}
 */
public final class Report
{
    static final String RAW_RANDOM_READ = "RawDeviceBenchmark.randomRead4k";
    static final String RAW_SEQ_READ = "RawDeviceBenchmark.sequentialRead128k";
    static final String RAW_RANDOM_READ_128K = "RawDeviceBenchmark.randomRead128k";
    static final String RAW_RANDOM_WRITE = "RawDeviceBenchmark.randomWrite4k";
    static final String RAW_SEQ_WRITE = "RawDeviceBenchmark.sequentialWrite128k";
    static final String HIT = "PageReadBenchmark.readPage";
    static final String HIT_32 = "PageReadBenchmark.readPages32";
    static final String HIT_256 = "PageReadBenchmark.readPages256";
    static final String BUFFERED_4K = "RawDeviceBenchmark.bufferedRandomRead4k";
    static final String BUFFERED_1M = "RawDeviceBenchmark.bufferedRandomRead1m";
    /** Results of runs with the RAM tier on ({@code ramTierMiB} above 0) are named with this prefix. */
    static final String RAM = "RAM:";
    static final String RAM_HIT = RAM + HIT;
    static final String RAM_HIT_256 = RAM + HIT_256;
    static final String RAM_READ_THROUGH_4K = RAM + "ReadThroughBenchmark.readThrough4k";
    static final String RAM_READ_THROUGH_1M = RAM + "ReadThroughBenchmark.readThrough1m";
    static final String FILL_RANDOM = "PageWriteBenchmark.fillRandom";
    static final String FILL_SEQ = "PageWriteBenchmark.fillSequential";
    static final String ACQUIRE = "MetadataBenchmark.acquireRelinquish";
    static final String MOUNT = "MetadataBenchmark.mount";

    private static final double MIB = 1024.0 * 1024.0;
    private static final String NONE = "—";
    private static final ObjectMapper JSON = JsonMapper.builder()
        .enable(DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();

    /** One JMH result. */
    record Score(String benchmark, int threads, double score, double error, String unit, String mode,
                 JsonNode params, List<Double> samples)
    {
        /** Half the spread between the fastest and slowest iteration, relative to the score; NaN if unknown. */
        double halfSpread()
        {
            if (samples.size() < 2 || score == 0)
            {
                return Double.NaN;
            }
            double min = Double.POSITIVE_INFINITY;
            double max = Double.NEGATIVE_INFINITY;
            for (final double v : samples)
            {
                min = Math.min(min, v);
                max = Math.max(max, v);
            }
            return (max - min) / 2 / score;
        }

        double min()
        {
            return samples.stream().mapToDouble(Double::doubleValue).min().orElse(Double.NaN);
        }

        double max()
        {
            return samples.stream().mapToDouble(Double::doubleValue).max().orElse(Double.NaN);
        }
    }

    private final Map<String, TreeMap<Integer, Score>> scores = new TreeMap<>();
    private JsonNode memory;
    private JsonNode fio;
    private String machine;

    public static void main(final String[] args) throws IOException
    {
        if (args.length < 1 || args.length > 2)
        {
            System.err.println("usage: Report RESULTS_DIR [TITLE]");
            System.exit(2);
        }
        final Path dir = Path.of(args[0]);
        final String title = args.length > 1 ? args[1] : "cachefs benchmarks";
        final Report report = load(dir);
        final String markdown = report.markdown(title);
        Files.writeString(dir.resolve("report.md"), markdown, StandardCharsets.UTF_8);
        report.chart(dir.resolve("throughput.png"), title);
        System.out.print(markdown);
        System.out.println();
        System.out.println("wrote " + dir.resolve("report.md") + " and " + dir.resolve("throughput.png"));
    }

    /**
     * Reads the results in {@code dir}.
     */
    static Report load(final Path dir) throws IOException
    {
        final Report report = new Report();
        final List<Path> files = new ArrayList<>();
        try (DirectoryStream<Path> stream = Files.newDirectoryStream(dir, "jmh*.json"))
        {
            stream.forEach(files::add);
        }
        files.sort(null);
        for (final Path file : files)
        {
            final String text = Files.readString(file, StandardCharsets.UTF_8).trim();
            if (text.isEmpty())
            {
                continue;
            }
            final JsonNode parsed = parse(text);
            if (!parsed.isArray())
            {
                throw new IOException(file + ": not a JMH result array");
            }
            for (final JsonNode entry : parsed)
            {
                report.add(entry);
            }
        }
        final Path memory = dir.resolve("mount-memory.json");
        if (Files.isRegularFile(memory))
        {
            report.memory = parse(Files.readString(memory, StandardCharsets.UTF_8));
        }
        final Path fio = dir.resolve("fio-randread.json");
        if (Files.isRegularFile(fio))
        {
            final String text = Files.readString(fio, StandardCharsets.UTF_8);
            // fio may print notes before its JSON.
            final int start = text.indexOf('{');
            if (start >= 0)
            {
                report.fio = parse(text.substring(start).trim());
            }
        }
        final Path machine = dir.resolve("machine.txt");
        if (Files.isRegularFile(machine))
        {
            report.machine = Files.readString(machine, StandardCharsets.UTF_8).trim();
        }
        return report;
    }

    /**
     * Reads a JSON document; trailing text is refused.
     */
    static JsonNode parse(final String text) throws JsonProcessingException
    {
        return JSON.readTree(text);
    }

    /**
     * A number, or NaN for a missing value or a string that is not one (JMH writes NaN as the string "NaN").
     */
    static double number(final JsonNode value)
    {
        if (value == null)
        {
            return Double.NaN;
        }
        if (value.isNumber())
        {
            return value.doubleValue();
        }
        if (value.isTextual())
        {
            try
            {
                return Double.parseDouble(value.textValue());
            }
            catch (final NumberFormatException ex)
            {
                return Double.NaN;
            }
        }
        return Double.NaN;
    }

    /**
     * The text of a member that is present and not null, else "null".
     */
    private static String text(final JsonNode value)
    {
        return value == null || value.isNull() ? "null" : value.asText();
    }

    private void add(final JsonNode entry)
    {
        final String full = text(entry.get("benchmark"));
        final String[] parts = full.split("\\.");
        final String method = parts.length >= 2 ? parts[parts.length - 2] + "." + parts[parts.length - 1] : full;
        final JsonNode ramTier = entry.path("params").get("ramTierMiB");
        final String name = ramTier != null && number(ramTier) > 0 ? RAM + method : method;
        final int threads = (int)number(entry.get("threads"));
        final JsonNode metric = entry.path("primaryMetric");
        final List<Double> samples = new ArrayList<>();
        final JsonNode raw = metric.path("rawData");
        if (raw.isArray())
        {
            for (final JsonNode fork : raw)
            {
                if (fork.isArray())
                {
                    for (final JsonNode v : fork)
                    {
                        samples.add(number(v));
                    }
                }
            }
        }
        final Score score = new Score(name, threads, number(metric.get("score")), number(metric.get("scoreError")),
            text(metric.get("scoreUnit")), text(entry.get("mode")), entry.path("params"), samples);
        // The first result of a benchmark at a thread count wins (later files may repeat it with other params).
        scores.computeIfAbsent(name, k -> new TreeMap<>()).putIfAbsent(threads, score);
    }

    Score score(final String benchmark, final int threads)
    {
        final TreeMap<Integer, Score> byThreads = scores.get(benchmark);
        return byThreads == null ? null : byThreads.get(threads);
    }

    TreeSet<Integer> threadCounts(final String... benchmarks)
    {
        final TreeSet<Integer> threads = new TreeSet<>();
        for (final String benchmark : benchmarks)
        {
            final TreeMap<Integer, Score> byThreads = scores.get(benchmark);
            if (byThreads != null)
            {
                threads.addAll(byThreads.keySet());
            }
        }
        return threads;
    }

    /** Operations per second, or NaN. */
    double opsPerSecond(final String benchmark, final int threads)
    {
        final Score s = score(benchmark, threads);
        if (s == null || !"thrpt".equals(s.mode()))
        {
            return Double.NaN;
        }
        switch (s.unit())
        {
            case "ops/s":
                return s.score();
            case "ops/ms":
                return s.score() * 1e3;
            case "ops/us":
                return s.score() * 1e6;
            case "ops/min":
                return s.score() / 60;
            default:
                return Double.NaN;
        }
    }

    static int bytesPerOp(final String benchmark)
    {
        switch (benchmark)
        {
            case RAW_SEQ_READ:
            case RAW_RANDOM_READ_128K:
            case RAW_SEQ_WRITE:
            case HIT_32:
                return 128 * 1024;
            case HIT_256:
            case RAM_HIT_256:
            case RAM_READ_THROUGH_1M:
            case BUFFERED_1M:
                return 1024 * 1024;
            default:
                return 4096;
        }
    }

    double mibPerSecond(final String benchmark, final int threads)
    {
        return opsPerSecond(benchmark, threads) * bytesPerOp(benchmark) / MIB;
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Markdown.
    // ---------------------------------------------------------------------------------------------------------------

    String markdown(final String title)
    {
        final StringBuilder md = new StringBuilder();
        md.append("# ").append(title).append("\n\n");
        if (machine != null)
        {
            md.append("```\n").append(machine).append("\n```\n\n");
        }
        md.append("Throughput in operations per second, the mean of the measurement iterations; ±N% is half the ")
            .append("spread between the slowest and the fastest iteration (JMH's confidence intervals, in the JSON, ")
            .append("are wide with few iterations). MiB/s = operations/s × bytes per operation / 2^20. Ratios are ")
            .append("cache ÷ raw, measured in the same run.\n\n");

        md.append("## 4 KiB random reads: cache hit vs raw O_DIRECT pread\n\n");
        md.append("| threads | raw 4 KiB random pread (IOPS) | cache 4 KiB random hit (reads/s) | cache / raw |\n");
        md.append("|---:|---:|---:|---:|\n");
        for (final int t : threadCounts(RAW_RANDOM_READ, HIT))
        {
            md.append(row(t, ops(RAW_RANDOM_READ, t), ops(HIT, t),
                ratio(opsPerSecond(HIT, t), opsPerSecond(RAW_RANDOM_READ, t))));
        }
        md.append('\n');
        fio(md);

        md.append("## 128 KiB reads: 32 contiguous cached pages vs raw 128 KiB pread\n\n");
        md.append("Each 32-page read takes a run of 32 cached pages at random, so its peer is a 128 KiB pread at a " +
            "random offset; the sequential pread, which a device's read-ahead may help, is shown beside it.\n\n");
        md.append("| threads | raw 128 KiB random pread (MiB/s) | raw 128 KiB sequential pread (MiB/s) | " +
            "cache 32-page hit read (MiB/s) | cache / random raw | cache / sequential raw |\n");
        md.append("|---:|---:|---:|---:|---:|---:|\n");
        for (final int t : threadCounts(RAW_SEQ_READ, HIT_32))
        {
            md.append(row(t, mib(RAW_RANDOM_READ_128K, t), mib(RAW_SEQ_READ, t), mib(HIT_32, t),
                ratio(mibPerSecond(HIT_32, t), mibPerSecond(RAW_RANDOM_READ_128K, t)),
                ratio(mibPerSecond(HIT_32, t), mibPerSecond(RAW_SEQ_READ, t))));
        }
        md.append('\n');

        md.append("## RAM tier: cache hit vs buffered pread from the OS page cache\n\n");
        md.append("The RAM tier holding all the cached data (`-p ramTierMiB=256`), against a `FileChannel` pread " +
            "without O_DIRECT of a file the OS page cache holds (the path of a cache built on files).\n\n");
        md.append("| threads | buffered 4 KiB pread (reads/s) | RAM 4 KiB hit (reads/s) | RAM / buffered | " +
            "buffered 1 MiB pread (MiB/s) | RAM 256-page hit (MiB/s) | RAM / buffered |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final int t : threadCounts(RAM_HIT, RAM_HIT_256))
        {
            md.append(row(t, ops(BUFFERED_4K, t), ops(RAM_HIT, t),
                ratio(opsPerSecond(RAM_HIT, t), opsPerSecond(BUFFERED_4K, t)), mib(BUFFERED_1M, t),
                mib(RAM_HIT_256, t), ratio(mibPerSecond(RAM_HIT_256, t), mibPerSecond(BUFFERED_1M, t))));
        }
        md.append('\n');

        md.append("Through the read-through API (`ReadThroughBenchmark`, `CachedFile.read` of 4 KiB and `readFully` of " +
            "an aligned 1 MiB at random, `-p ramTierMiB=256`), which copies pages held in the RAM tier straight into " +
            "the caller's buffer (`Cookie.readResident`):\n\n");
        md.append("| threads | buffered 4 KiB pread (reads/s) | read-through 4 KiB hit (reads/s) | RAM / buffered | " +
            "buffered 1 MiB pread (MiB/s) | read-through 1 MiB hit (MiB/s) | RAM / buffered |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final int t : threadCounts(RAM_READ_THROUGH_4K, RAM_READ_THROUGH_1M))
        {
            md.append(row(t, ops(BUFFERED_4K, t), ops(RAM_READ_THROUGH_4K, t),
                ratio(opsPerSecond(RAM_READ_THROUGH_4K, t), opsPerSecond(BUFFERED_4K, t)), mib(BUFFERED_1M, t),
                mib(RAM_READ_THROUGH_1M, t),
                ratio(mibPerSecond(RAM_READ_THROUGH_1M, t), mibPerSecond(BUFFERED_1M, t))));
        }
        md.append('\n');

        md.append("## Cache fill vs raw 128 KiB sequential pwrite\n\n");
        final Score fill = firstScore(FILL_RANDOM);
        final String window = fill == null || !fill.params().hasNonNull("window") ? null :
            fill.params().get("window").asText();
        md.append("One fill operation stores one 4 KiB page: read_or_alloc (a miss) and write_page, then " +
            "wait_on_page_write and uncache_page of the page written ")
            .append(window == null ? "in an earlier operation" : window + " operations earlier (" + window +
                " writes in flight per thread)")
            .append(".\n\n");
        md.append("| threads | raw 128 KiB sequential pwrite (MiB/s) | random-order fill (pages/s) | (MiB/s) | " +
            "fill / raw | sequential fill (pages/s) | (MiB/s) | fill / raw | raw 4 KiB random pwrite (IOPS) |\n");
        md.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
        for (final int t : threadCounts(RAW_SEQ_WRITE, FILL_RANDOM, FILL_SEQ, RAW_RANDOM_WRITE))
        {
            md.append(row(t, mib(RAW_SEQ_WRITE, t), ops(FILL_RANDOM, t), mib(FILL_RANDOM, t),
                ratio(mibPerSecond(FILL_RANDOM, t), mibPerSecond(RAW_SEQ_WRITE, t)), ops(FILL_SEQ, t),
                mib(FILL_SEQ, t), ratio(mibPerSecond(FILL_SEQ, t), mibPerSecond(RAW_SEQ_WRITE, t)),
                ops(RAW_RANDOM_WRITE, t)));
        }
        md.append('\n');

        md.append("## Metadata\n\n");
        final Score first = firstScore(ACQUIRE);
        md.append("acquire + relinquish(false) of the data cookie of a random existing object");
        if (first != null && first.params().hasNonNull("objects"))
        {
            md.append(" among ").append(String.format(Locale.ROOT, "%,d", (long)number(first.params()
                .get("objects")))).append(" objects");
        }
        md.append(":\n\n| threads | acquire + relinquish (ops/s) |\n|---:|---:|\n");
        for (final int t : threadCounts(ACQUIRE))
        {
            md.append(row(t, ops(ACQUIRE, t)));
        }
        md.append('\n');
        mount(md);
        return md.toString();
    }

    private void fio(final StringBuilder md)
    {
        if (fio == null)
        {
            md.append("fio: not run (not installed, or skipped).\n\n");
            return;
        }
        final JsonNode job = fio.path("jobs").path(0);
        final double iops = number(job.path("read").get("iops"));
        final JsonNode options = job.path("job options");
        final JsonNode global = fio.path("global options");
        final String depth = option(options, global, "iodepth");
        final String engine = option(options, global, "ioengine");
        final String size = option(options, global, "size");
        int bestThreads = -1;
        double best = Double.NaN;
        for (final int t : threadCounts(HIT))
        {
            final double v = opsPerSecond(HIT, t);
            if (Double.isNaN(best) || v > best)
            {
                best = v;
                bestThreads = t;
            }
        }
        md.append(String.format(Locale.ROOT, "fio 4 KiB random read (%s, iodepth %s, direct=1, 1 job, %s file): " +
                "**%,.0f IOPS**; best cache 4 KiB hit figure above: %s reads/s with %d benchmark thread(s) (%s of fio).%n%n",
            engine, depth, size, iops, Double.isNaN(best) ? NONE : String.format(Locale.ROOT, "%,.0f", best),
            bestThreads, ratio(best, iops)));
    }

    /**
     * A fio option: the job's, else the global one.
     */
    private static String option(final JsonNode options, final JsonNode global, final String name)
    {
        return text(options.hasNonNull(name) ? options.get(name) : global.get(name));
    }

    private void mount(final StringBuilder md)
    {
        final Score mount = firstScore(MOUNT);
        if (mount == null)
        {
            md.append("Mount: not measured.\n");
        }
        else
        {
            double ms = mount.score();
            switch (mount.unit())
            {
                case "s/op":
                    ms *= 1e3;
                    break;
                case "us/op":
                    ms /= 1e3;
                    break;
                default:
                    break;
            }
            final double scale = ms / mount.score();
            md.append(String.format(Locale.ROOT, "CacheFs.mount of an image holding %s pages: **%.1f ms** mean, " +
                    "%.1f to %.1f ms (single-shot, %d mounts measured).%n%n",
                !mount.params().hasNonNull("pages") ? "?" :
                    String.format(Locale.ROOT, "%,d", (long)number(mount.params().get("pages"))),
                ms, mount.min() * scale, mount.max() * scale, mount.samples().size()));
        }
        if (memory != null)
        {
            final double heapBefore = number(memory.get("heapUsedBefore"));
            final double heapAfter = number(memory.get("heapUsedAfter"));
            final double directBefore = number(memory.get("directUsedBefore"));
            final double directAfter = number(memory.get("directUsedAfter"));
            md.append(String.format(Locale.ROOT, "Memory with that image mounted (after System.gc()): heap used " +
                    "**%.1f MiB** (%+.1f MiB for the mount), direct buffers **%.1f MiB** (%+.1f MiB); image %.2f GiB, " +
                    "%,d pages, %,d objects, %,d data blocks.%n",
                heapAfter / MIB, (heapAfter - heapBefore) / MIB, directAfter / MIB, (directAfter - directBefore) / MIB,
                number(memory.get("imageBytes")) / (MIB * 1024),
                (long)number(memory.get("pages")), (long)number(memory.get("objects")),
                (long)number(memory.get("dataBlocks"))));
        }
    }

    private Score firstScore(final String benchmark)
    {
        final TreeMap<Integer, Score> byThreads = scores.get(benchmark);
        return byThreads == null || byThreads.isEmpty() ? null : byThreads.firstEntry().getValue();
    }

    private static String row(final int threads, final String... cells)
    {
        final StringBuilder row = new StringBuilder("| ").append(threads);
        for (final String cell : cells)
        {
            row.append(" | ").append(cell);
        }
        return row.append(" |\n").toString();
    }

    private String ops(final String benchmark, final int threads)
    {
        final double v = opsPerSecond(benchmark, threads);
        if (Double.isNaN(v))
        {
            return NONE;
        }
        final double spread = score(benchmark, threads).halfSpread();
        return Double.isFinite(spread) ?
            String.format(Locale.ROOT, "%,.0f ±%.0f%%", v, spread * 100) :
            String.format(Locale.ROOT, "%,.0f", v);
    }

    private String mib(final String benchmark, final int threads)
    {
        final double v = mibPerSecond(benchmark, threads);
        return Double.isNaN(v) ? NONE : String.format(Locale.ROOT, "%,.1f", v);
    }

    private static String ratio(final double engine, final double raw)
    {
        if (Double.isNaN(engine) || Double.isNaN(raw) || raw == 0)
        {
            return NONE;
        }
        return String.format(Locale.ROOT, "%.2f", engine / raw);
    }

    // ---------------------------------------------------------------------------------------------------------------
    // Chart.
    // ---------------------------------------------------------------------------------------------------------------

    void chart(final Path file, final String title) throws IOException
    {
        final TreeSet<Integer> threads = threadCounts(RAW_RANDOM_READ, RAW_SEQ_READ, RAW_RANDOM_WRITE, RAW_SEQ_WRITE,
            HIT, HIT_32, FILL_RANDOM, FILL_SEQ);
        final CategoryChart chart = new CategoryChartBuilder().width(900).height(540).title(title)
            .xAxisTitle("benchmark threads").yAxisTitle("MiB/s (log scale)").build();
        chart.getStyler()
            .setDefaultSeriesRenderStyle(CategorySeries.CategorySeriesRenderStyle.Line)
            .setYAxisLogarithmic(true)
            .setLegendPosition(Styler.LegendPosition.OutsideE)
            .setChartBackgroundColor(Color.WHITE)
            .setPlotBackgroundColor(Color.WHITE)
            .setLegendBorderColor(Color.LIGHT_GRAY)
            .setMarkerSize(7);
        chart.getStyler().setPlotGridLinesColor(new Color(225, 225, 225));
        chart.getStyler().setOverlapped(true);
        if (threads.isEmpty())
        {
            chart.addSeries("no results", List.of("1"), List.of(1.0));
        }
        final Color blue = new Color(31, 119, 180);
        final Color orange = new Color(230, 120, 20);
        final Color green = new Color(44, 160, 44);
        final Color red = new Color(214, 39, 40);
        series(chart, threads, RAW_RANDOM_READ, "raw 4 KiB random pread", blue, true);
        series(chart, threads, HIT, "cache 4 KiB random hit", blue, false);
        series(chart, threads, RAW_SEQ_READ, "raw 128 KiB sequential pread", orange, true);
        series(chart, threads, HIT_32, "cache 32-page hit read", orange, false);
        series(chart, threads, RAW_SEQ_WRITE, "raw 128 KiB sequential pwrite", green, true);
        series(chart, threads, FILL_RANDOM, "cache fill, random order", green, false);
        series(chart, threads, FILL_SEQ, "cache fill, sequential", red, false);
        series(chart, threads, RAW_RANDOM_WRITE, "raw 4 KiB random pwrite", red, true);
        BitmapEncoder.saveBitmap(chart, file.toString(), BitmapEncoder.BitmapFormat.PNG);
    }

    private void series(final CategoryChart chart, final TreeSet<Integer> threads, final String benchmark,
                        final String label, final Color color, final boolean raw)
    {
        final List<String> x = new ArrayList<>();
        final List<Double> y = new ArrayList<>();
        for (final int t : threads)
        {
            final double v = mibPerSecond(benchmark, t);
            x.add(Integer.toString(t));
            // A category chart needs a value per category; null leaves a gap.
            y.add(Double.isNaN(v) || v <= 0 ? null : v);
        }
        if (y.stream().allMatch(v -> v == null))
        {
            return;
        }
        final CategorySeries series = chart.addSeries(label, x, y);
        series.setLineColor(color);
        series.setMarkerColor(color);
        series.setMarker(raw ? SeriesMarkers.SQUARE : SeriesMarkers.CIRCLE);
        series.setLineStyle(raw ? new BasicStroke(2f, BasicStroke.CAP_BUTT, BasicStroke.JOIN_ROUND, 10f,
            new float[] {6f, 4f}, 0f) : new BasicStroke(2.5f));
    }
}
