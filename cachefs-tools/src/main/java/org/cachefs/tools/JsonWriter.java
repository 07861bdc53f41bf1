package org.cachefs.tools;

import java.util.ArrayDeque;
import java.util.Deque;

/**
 * A small streaming JSON writer for the tools' {@code --json} output: objects, arrays, strings, integers, booleans
 * and null, indented by two spaces per level. Strings are escaped per RFC 8259, and every character outside printable
 * ASCII is written as a {@code \}{@code uXXXX} escape, so the output is plain ASCII whatever the terminal's encoding.
 * <p>
 * Calls must form a valid document (a name before each value inside an object, none inside an array); a misuse throws
 * {@link IllegalStateException}. Not thread-safe.
 */
public final class JsonWriter
{
    private static final String INDENT = "  ";
    private static final char[] HEX = "0123456789abcdef".toCharArray();

    private final StringBuilder text = new StringBuilder();
    private final Deque<Scope> scopes = new ArrayDeque<>();
    private boolean done;

    /**
     * A writer of an empty document.
     */
    public JsonWriter()
    {
    }

    private static final class Scope
    {
        private final boolean object;
        private boolean empty = true;
        private boolean nameWritten;

        private Scope(final boolean object)
        {
            this.object = object;
        }
    }

    /**
     * Opens an object, as the document, a member's value or an array element.
     *
     * @return this writer.
     */
    public JsonWriter beginObject()
    {
        beforeValue();
        text.append('{');
        scopes.push(new Scope(true));
        return this;
    }

    /**
     * Closes the innermost open object.
     *
     * @return this writer.
     * @throws IllegalStateException if that is not an object, or a member name waits for its value.
     */
    public JsonWriter endObject()
    {
        return end(true, '}');
    }

    /**
     * Opens an array, as the document, a member's value or an array element.
     *
     * @return this writer.
     */
    public JsonWriter beginArray()
    {
        beforeValue();
        text.append('[');
        scopes.push(new Scope(false));
        return this;
    }

    /**
     * Closes the innermost open array.
     *
     * @return this writer.
     * @throws IllegalStateException if that is not an array.
     */
    public JsonWriter endArray()
    {
        return end(false, ']');
    }

    /**
     * Writes the name of the next member of the current object.
     *
     * @param name the member's name, escaped as a JSON string.
     * @return this writer.
     * @throws IllegalStateException outside an object, or after a name still waiting for its value.
     */
    public JsonWriter name(final String name)
    {
        final Scope scope = scopes.peek();
        if (scope == null || !scope.object || scope.nameWritten)
        {
            throw new IllegalStateException("a name is only allowed inside an object, before each value: " + name);
        }
        if (!scope.empty)
        {
            text.append(',');
        }
        newline(scopes.size());
        quote(name);
        text.append(": ");
        scope.nameWritten = true;
        scope.empty = false;
        return this;
    }

    /**
     * Writes a string, or null.
     *
     * @param value the string, escaped as JSON requires, or null.
     * @return this writer.
     */
    public JsonWriter value(final String value)
    {
        beforeValue();
        if (value == null)
        {
            text.append("null");
        }
        else
        {
            quote(value);
        }
        return afterScalar();
    }

    /**
     * Writes a number.
     *
     * @param value the number.
     * @return this writer.
     */
    public JsonWriter value(final long value)
    {
        beforeValue();
        text.append(value);
        return afterScalar();
    }

    /**
     * Writes {@code true} or {@code false}.
     *
     * @param value the boolean.
     * @return this writer.
     */
    public JsonWriter value(final boolean value)
    {
        beforeValue();
        text.append(value);
        return afterScalar();
    }

    /**
     * Writes {@code null}.
     *
     * @return this writer.
     */
    public JsonWriter nullValue()
    {
        beforeValue();
        text.append("null");
        return afterScalar();
    }

    /**
     * Shorthand for {@code name(name).value(value)}.
     *
     * @param name  the member's name.
     * @param value its value, a string or null.
     * @return this writer.
     */
    public JsonWriter field(final String name, final String value)
    {
        return name(name).value(value);
    }

    /**
     * Shorthand for {@code name(name).value(value)}.
     *
     * @param name  the member's name.
     * @param value its value, a number.
     * @return this writer.
     */
    public JsonWriter field(final String name, final long value)
    {
        return name(name).value(value);
    }

    /**
     * Shorthand for {@code name(name).value(value)}.
     *
     * @param name  the member's name.
     * @param value its value, a boolean.
     * @return this writer.
     */
    public JsonWriter field(final String name, final boolean value)
    {
        return name(name).value(value);
    }

    /**
     * @return the document, with a final newline.
     * @throws IllegalStateException if it is not complete.
     */
    public String toJson()
    {
        if (!done)
        {
            throw new IllegalStateException("incomplete JSON document: " + scopes.size() + " open object(s) or " +
                "array(s)");
        }
        return text + "\n";
    }

    /**
     * @param value the string.
     * @return {@code value} as a JSON string literal, quotes included.
     */
    public static String quoted(final String value)
    {
        final JsonWriter writer = new JsonWriter();
        writer.quote(value);
        return writer.text.toString();
    }

    private JsonWriter end(final boolean object, final char bracket)
    {
        final Scope scope = scopes.peek();
        if (scope == null || scope.object != object || scope.nameWritten)
        {
            throw new IllegalStateException("unbalanced " + bracket);
        }
        scopes.pop();
        if (!scope.empty)
        {
            newline(scopes.size());
        }
        text.append(bracket);
        if (scopes.isEmpty())
        {
            done = true;
        }
        return this;
    }

    private JsonWriter afterScalar()
    {
        if (scopes.isEmpty())
        {
            done = true;
        }
        return this;
    }

    private void beforeValue()
    {
        final Scope scope = scopes.peek();
        if (scope == null)
        {
            if (done)
            {
                throw new IllegalStateException("the document already has its top-level value");
            }
            return;
        }
        if (scope.object)
        {
            if (!scope.nameWritten)
            {
                throw new IllegalStateException("a value inside an object needs a name first");
            }
            scope.nameWritten = false;
            return;
        }
        if (!scope.empty)
        {
            text.append(',');
        }
        newline(scopes.size());
        scope.empty = false;
    }

    private void newline(final int depth)
    {
        text.append('\n');
        for (int i = 0; i < depth; i++)
        {
            text.append(INDENT);
        }
    }

    private void quote(final String value)
    {
        text.append('"');
        for (int i = 0; i < value.length(); i++)
        {
            final char c = value.charAt(i);
            switch (c)
            {
                case '"':
                    text.append("\\\"");
                    break;
                case '\\':
                    text.append("\\\\");
                    break;
                case '\b':
                    text.append("\\b");
                    break;
                case '\f':
                    text.append("\\f");
                    break;
                case '\n':
                    text.append("\\n");
                    break;
                case '\r':
                    text.append("\\r");
                    break;
                case '\t':
                    text.append("\\t");
                    break;
                default:
                    if (c < 0x20 || c > 0x7e)
                    {
                        text.append("\\u").append(HEX[(c >> 12) & 0xF]).append(HEX[(c >> 8) & 0xF])
                            .append(HEX[(c >> 4) & 0xF]).append(HEX[c & 0xF]);
                    }
                    else
                    {
                        text.append(c);
                    }
            }
        }
        text.append('"');
    }
}
