package org.cachefs.tools;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import org.cachefs.cachefs.MountOptions;
import org.cachefs.tools.demo.Demo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.entry;

/**
 * {@code cachefs ls}: the tree and the JSON listing of an image's objects.
 */
class LsCommandTest
{
    @TempDir
    Path dir;
    Path image;

    @BeforeEach
    void populate() throws Exception
    {
        image = dir.resolve("cache.img");
        Demo.run(new Demo.Options(image, 8L << 20, false, false, 2, 10_000, 0, 1, MountOptions.defaults()),
            new PrintStream(new ByteArrayOutputStream(), true, StandardCharsets.UTF_8));
    }

    private ToolOutput ls(final String... args)
    {
        final ByteArrayOutputStream out = new ByteArrayOutputStream();
        final ByteArrayOutputStream err = new ByteArrayOutputStream();
        final String[] all = new String[args.length + 1];
        all[0] = "ls";
        System.arraycopy(args, 0, all, 1, args.length);
        final int status = CachefsCommand.run(new PrintStream(out, true, StandardCharsets.UTF_8),
            new PrintStream(err, true, StandardCharsets.UTF_8), all);
        return new ToolOutput(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
    }

    @Test
    void listsTheIndexTree()
    {
        final ToolOutput result = ls(image.toString());
        assertThat(result.exitCode()).isZero();
        final List<String> lines = result.out().lines().map(l -> l.replaceAll(" atime=\\S+", "")).toList();
        assertThat(lines).hasSize(5);
        assertThat(lines.get(0)).isEqualTo("cache.img: 4 objects");
        assertThat(lines.get(1)).isEqualTo("cachefs-readthrough  [index #1] aux=0x00000001");
        assertThat(lines.get(2)).isEqualTo("  demo-origin  [index #2]");
        assertThat(lines.get(3)).matches("    file-0  \\[data #\\d+\\] size=10000 pages=3 aux=0x[0-9a-f]+");
        assertThat(lines.get(4)).matches("    file-1  \\[data #\\d+\\] size=10000 pages=3 aux=0x[0-9a-f]+");
    }

    @Test
    void listsOnePathAsJson()
    {
        final ToolOutput result = ls("--json", image.toString(), "cachefs-readthrough/demo-origin/file-1");
        assertThat(result.exitCode()).isZero();
        assertThat(result.out()).startsWith("[\n  {\n    \"path\": \"cachefs-readthrough/demo-origin/file-1\",\n")
            .contains("    \"type\": \"data\",\n", "    \"key_hex\": \"66696c652d31\",\n",
                "    \"key_text\": \"file-1\",\n", "    \"size\": 10000,\n", "    \"pages\": 3\n");
    }

    @Test
    void jsonGivesKeysAndAuxAsHexAlwaysAndAsTextWhenPrintable() throws Exception
    {
        final Path raw = dir.resolve("raw.img");
        TestImages.formatFixed(raw, 10L << 20, 4096, "ls");
        try (FsckEngineTest.Cache cache = FsckEngineTest.Cache.mount(raw))
        {
            cache.write(cache.raw("binary", new byte[]{ 0x00, (byte)0xff, '/', 'A' }, "v=\"1\"".getBytes(
                StandardCharsets.UTF_8), 2 * 4096), 0, 2);
            cache.raw("text", "caf\u00e9/x".getBytes(StandardCharsets.UTF_8), new byte[0], 100);
            cache.raw("bad utf-8", new byte[]{ 'k', (byte)0xc3, '(' }, new byte[]{ 'a', '\n' }, 5);
        }

        final ToolOutput result = ls("--json", raw.toString());

        assertThat(result.err()).isEmpty();
        assertThat(result.exitCode()).isZero();
        final List<?> objects = (List<?>)StrictJson.parse(result.out());
        assertThat(objects).hasSize(4);
        final List<Map<String, Object>> withoutTimes = new ArrayList<>();
        for (final Object object : objects)
        {
            @SuppressWarnings("unchecked")
            final Map<String, Object> fields = new LinkedHashMap<>((Map<String, Object>)object);
            assertThat((String)fields.remove("last_access")).matches("\\d{4}-\\d\\d-\\d\\dT[0-9:.]+Z");
            withoutTimes.add(fields);
        }
        assertThat(withoutTimes.get(0)).containsExactly(
            entry("path", "fscktest"), entry("id", 1L), entry("parent", 0L), entry("type", "index"),
            entry("key_hex", "6673636b74657374"), entry("key_text", "fscktest"), entry("aux_hex", "00000001"),
            entry("pinned", false));
        // the README's example entries have the fields, in the order, of an index with a text key and binary aux
        // and of a data file with a binary key and text aux
        final List<?> readme = (List<?>)StrictJson.parse(readmeJsonExample());
        assertThat(names(readme.get(0))).isEqualTo(names(objects.get(0)));
        assertThat(names(readme.get(1))).isEqualTo(names(objects.stream()
            .filter(o -> ((Map<?, ?>)o).get("key_hex").equals("00ff2f41")).findFirst().orElseThrow()));
        // the data objects' ids follow the order of their asynchronous lookups
        final List<Object> ids = new ArrayList<>();
        for (final Map<String, Object> data : withoutTimes.subList(1, 4))
        {
            ids.add(data.remove("id"));
        }
        assertThat(ids).containsExactlyInAnyOrder(2L, 3L, 4L);
        assertThat(withoutTimes.subList(1, 4)).containsExactlyInAnyOrder(
            fields("fscktest/0x00ff2f41", "00ff2f41", null, "763d223122", "v=\"1\"", 2),
            fields("fscktest/0x636166c3a92f78", "636166c3a92f78", "caf\u00e9/x", "", "", 0),
            fields("fscktest/0x6bc328", "6bc328", null, "610a", null, 0));
    }

    private static List<Object> names(final Object object)
    {
        return new ArrayList<>(((Map<?, ?>)object).keySet());
    }

    /**
     * @return the JSON example of the README's "cachefs ls --json" section.
     */
    private static String readmeJsonExample() throws IOException
    {
        final String readme = Files.readString(Path.of("..", "README.md"));
        final int section = readme.indexOf("\n### cachefs ls --json\n");
        assertThat(section).as("README.md has the section").isGreaterThanOrEqualTo(0);
        final int start = readme.indexOf("```json\n", section) + "```json\n".length();
        return readme.substring(start, readme.indexOf("```\n", start));
    }

    private static Map<String, Object> fields(
        final String path, final String keyHex, final String keyText, final String auxHex,
        final String auxText, final long pages)
    {
        final Map<String, Object> fields = new LinkedHashMap<>();
        fields.put("path", path);
        fields.put("parent", 1L);
        fields.put("type", "data");
        fields.put("key_hex", keyHex);
        if (keyText != null)
        {
            fields.put("key_text", keyText);
        }
        fields.put("aux_hex", auxHex);
        if (auxText != null)
        {
            fields.put("aux_text", auxText);
        }
        fields.put("pinned", false);
        // the engine records an object's size when the netfs changes it (attr_changed), not at creation
        fields.put("size", null);
        fields.put("pages", pages);
        return fields;
    }

    @Test
    void anUnknownPathIsAnOperationalError()
    {
        assertThat(ls(image.toString(), "cachefs-readthrough/nothing")).isEqualTo(new ToolOutput(8, "",
            "cachefs: cache.img: no object at cachefs-readthrough/nothing\n"));
    }
}
