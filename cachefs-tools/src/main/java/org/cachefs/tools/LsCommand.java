package org.cachefs.tools;

import java.io.IOException;
import java.io.PrintStream;
import java.nio.ByteBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;

import org.cachefs.format.device.DirectBlockDevice;
import org.cachefs.format.fsck.ImageListing;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.Parameters;

/**
 * {@code cachefs ls}: the index tree of an image — netfs, indices and objects with their keys (printable, or hex),
 * aux data, size, pages cached, pin flag and last access — read-only, so it may run beside a mounted cache (it shows
 * the last commit).
 */
@Command(
    name = "ls",
    mixinStandardHelpOptions = true,
    versionProvider = VersionProvider.class,
    sortOptions = false,
    usageHelpWidth = 100,
    descriptionHeading = "%n",
    parameterListHeading = "%nArguments:%n",
    optionListHeading = "%nOptions:%n",
    description = "Lists the objects of a cachefs device or image as a tree. Opens it read-only: safe beside a " +
        "mounted cache, whose last commit it shows.",
    footerHeading = "%n",
    footer = "Exit status: 0 listed, 1 usage error, 8 not formatted, corrupt, no such path, or I/O error.")
public final class LsCommand implements Callable<Integer>
{
    private static final String[] TYPES = { "index", "data" };

    private final PrintStream out;

    @Option(names = "--json", description = "Print one JSON array of objects instead of a tree: keys and aux " +
        "data as hex (key_hex, aux_hex), and as text too (key_text, aux_text) when they are printable UTF-8.")
    private boolean json;

    @Option(names = ConfigFile.OPTION, paramLabel = "FILE", description = ConfigFile.DESCRIPTION +
        "without DEVICE|IMAGE, the image is the first entry of its dirs (a PATH then needs DEVICE|IMAGE before it).")
    private Path config;

    @Parameters(index = "0", arity = "0..1", paramLabel = "DEVICE|IMAGE",
        description = "The block device or image file (required without --config).")
    private Path target;

    @Parameters(index = "1", arity = "0..1", paramLabel = "PATH",
        description = "Only this object and what is below it: keys from the top, separated by '/', e.g. " +
            "cachefs-readthrough/demo-origin.")
    private String path;

    /**
     * @param out where the listing goes.
     */
    public LsCommand(final PrintStream out)
    {
        this.out = out;
    }

    @Override
    public Integer call() throws IOException
    {
        final Path image = ConfigFile.image(target, ConfigFile.read(config), "DEVICE|IMAGE");
        final String name = image.getFileName() == null ? image.toString() : image.getFileName().toString();
        final ImageListing listing;
        try (DirectBlockDevice device = DirectBlockDevice.openReadOnly(image))
        {
            listing = ImageListing.read(device);
        }
        catch (final IOException ex)
        {
            throw ToolRunner.naming(name, ex);
        }
        final Map<Long, List<ImageListing.Entry>> children = new HashMap<>();
        for (final ImageListing.Entry entry : listing.entries())
        {
            children.computeIfAbsent(entry.parentId(), k -> new ArrayList<>()).add(entry);
        }
        final List<ImageListing.Entry> roots = new ArrayList<>();
        String prefix = "";
        if (path == null || path.isEmpty() || path.equals("/"))
        {
            roots.addAll(children.getOrDefault(0L, List.of()));
        }
        else
        {
            long parent = 0;
            ImageListing.Entry found = null;
            for (final String component : path.replaceAll("^/+|/+$", "").split("/+"))
            {
                found = null;
                for (final ImageListing.Entry entry : children.getOrDefault(parent, List.of()))
                {
                    if (keyText(entry.key()).equals(component))
                    {
                        found = entry;
                        break;
                    }
                }
                if (found == null)
                {
                    throw new org.cachefs.format.CacheFsException(name, name + ": no object at " + path);
                }
                parent = found.objectId();
            }
            roots.add(found);
            final int cut = path.replaceAll("/+$", "").lastIndexOf('/');
            prefix = cut > 0 ? path.substring(0, cut).replaceAll("^/+", "") + "/" : "";
        }
        if (json)
        {
            final JsonWriter writer = new JsonWriter().beginArray();
            for (final ImageListing.Entry root : roots)
            {
                writeJson(writer, root, prefix + keyText(root.key()), children);
            }
            out.println(writer.endArray().toJson());
        }
        else
        {
            out.printf("%s: %d objects%s%n", name, listing.entries().size(),
                listing.problems().isEmpty() ? "" : ", " + listing.problems().size() + " problems");
            for (final ImageListing.Entry root : roots)
            {
                print(root, 0, children);
            }
            for (final String problem : listing.problems())
            {
                out.println("problem: " + problem);
            }
        }
        out.flush();
        return ExitCodes.OK;
    }

    private void print(
        final ImageListing.Entry entry, final int depth, final Map<Long, List<ImageListing.Entry>> children)
    {
        final StringBuilder line = new StringBuilder();
        line.append("  ".repeat(depth)).append(keyText(entry.key()));
        line.append("  [").append(type(entry.type())).append(" #").append(entry.objectId()).append(']');
        if (entry.type() != 0)
        {
            line.append(" size=").append(entry.size() == Long.MAX_VALUE ? "-" : Long.toString(entry.size()));
            line.append(" pages=").append(entry.pages());
        }
        if (entry.pinned())
        {
            line.append(" pinned");
        }
        if (entry.aux().length > 0)
        {
            line.append(" aux=").append(auxText(entry.aux()));
        }
        line.append(" atime=").append(accessTime(entry.accessTime()));
        out.println(line);
        for (final ImageListing.Entry child : children.getOrDefault(entry.objectId(), List.of()))
        {
            print(child, depth + 1, children);
        }
    }

    private static void writeJson(
        final JsonWriter json, final ImageListing.Entry entry, final String path,
        final Map<Long, List<ImageListing.Entry>> children)
    {
        json.beginObject()
            .field("path", path)
            .field("id", entry.objectId())
            .field("parent", entry.parentId())
            .field("type", type(entry.type()))
            .field("key_hex", plainHex(entry.key()));
        final String keyText = printableUtf8(entry.key());
        if (keyText != null)
        {
            json.field("key_text", keyText);
        }
        json.field("aux_hex", plainHex(entry.aux()));
        final String auxText = printableUtf8(entry.aux());
        if (auxText != null)
        {
            json.field("aux_text", auxText);
        }
        json.field("pinned", entry.pinned())
            .field("last_access", accessTime(entry.accessTime()));
        if (entry.type() != 0)
        {
            json.name("size");
            if (entry.size() == Long.MAX_VALUE)
            {
                json.nullValue();
            }
            else
            {
                json.value(entry.size());
            }
            json.field("pages", entry.pages());
        }
        json.endObject();
        for (final ImageListing.Entry child : children.getOrDefault(entry.objectId(), List.of()))
        {
            writeJson(json, child, path + "/" + keyText(child.key()), children);
        }
    }

    private static String type(final int type)
    {
        return type < TYPES.length ? TYPES[type] : "type" + type;
    }

    /**
     * @return the key as text if every byte is printable ASCII other than '/', else {@code 0x} and hex.
     */
    static String keyText(final byte[] key)
    {
        for (final byte b : key)
        {
            if (b < 0x20 || b > 0x7e || b == '/')
            {
                return hex(key);
            }
        }
        return new String(key, StandardCharsets.US_ASCII);
    }

    private static String auxText(final byte[] aux)
    {
        for (final byte b : aux)
        {
            if (b < 0x20 || b > 0x7e)
            {
                return hex(aux);
            }
        }
        return JsonWriter.quoted(new String(aux, StandardCharsets.US_ASCII));
    }

    private static String hex(final byte[] bytes)
    {
        return "0x" + plainHex(bytes);
    }

    /**
     * @return the bytes as lowercase hex digits, two per byte, nothing else ("" for none): the JSON
     * {@code key_hex} and {@code aux_hex}.
     */
    static String plainHex(final byte[] bytes)
    {
        final StringBuilder text = new StringBuilder(bytes.length * 2);
        for (final byte b : bytes)
        {
            text.append(Character.forDigit((b >> 4) & 0xF, 16)).append(Character.forDigit(b & 0xF, 16));
        }
        return text.toString();
    }

    /**
     * @return the bytes as text if they are well-formed UTF-8 without control characters (U+0000 to U+001F,
     * U+007F to U+009F), else null: the JSON {@code key_text} and {@code aux_text}, given only when this is not null.
     */
    static String printableUtf8(final byte[] bytes)
    {
        final String text;
        try
        {
            text = StandardCharsets.UTF_8.newDecoder()
                .onMalformedInput(CodingErrorAction.REPORT)
                .onUnmappableCharacter(CodingErrorAction.REPORT)
                .decode(ByteBuffer.wrap(bytes))
                .toString();
        }
        catch (final CharacterCodingException ex)
        {
            return null;
        }
        for (int i = 0; i < text.length(); i++)
        {
            if (Character.isISOControl(text.charAt(i)))
            {
                return null;
            }
        }
        return text;
    }

    private static String accessTime(final long micros)
    {
        return micros <= 0 ? "-" : Instant.ofEpochSecond(micros / 1_000_000, (micros % 1_000_000) * 1000).toString();
    }
}
