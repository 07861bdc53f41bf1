package org.cachefs.tools;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;

import org.cachefs.tools.demo.Demo;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import static org.assertj.core.api.Assertions.assertThat;

class LsCommandTest
{
    @TempDir
    Path dir;
    Path image;

    @BeforeEach
    void populate() throws Exception
    {
        image = dir.resolve("cache.img");
        Demo.run(new Demo.Options(image, 8L << 20, false, false, 2, 10_000, 0, 1),
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
            .contains("    \"type\": \"data\",\n", "    \"key\": \"file-1\",\n", "    \"size\": 10000,\n",
                "    \"pages\": 3\n");
    }

    @Test
    void anUnknownPathIsAnOperationalError()
    {
        assertThat(ls(image.toString(), "cachefs-readthrough/nothing")).isEqualTo(new ToolOutput(8, "",
            "cachefs: cache.img: no object at cachefs-readthrough/nothing\n"));
    }
}
