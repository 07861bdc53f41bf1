package org.cachefs.tools;

import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import org.junit.jupiter.api.Test;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

class JsonWriterTest
{
    @Test
    void writesNestedObjectsAndArraysIndented()
    {
        final String json = new JsonWriter().beginObject()
            .field("name", "cache")
            .field("count", 42)
            .field("negative", Long.MIN_VALUE)
            .field("clean", true)
            .name("none").nullValue()
            .name("list").beginArray().value(1).value("two").value(false).endArray()
            .name("empty_object").beginObject().endObject()
            .name("empty_array").beginArray().endArray()
            .name("nested").beginObject().field("inner", 7).endObject()
            .endObject()
            .toJson();

        assertThat(json).isEqualTo(
            "{\n" +
            "  \"name\": \"cache\",\n" +
            "  \"count\": 42,\n" +
            "  \"negative\": -9223372036854775808,\n" +
            "  \"clean\": true,\n" +
            "  \"none\": null,\n" +
            "  \"list\": [\n" +
            "    1,\n" +
            "    \"two\",\n" +
            "    false\n" +
            "  ],\n" +
            "  \"empty_object\": {},\n" +
            "  \"empty_array\": [],\n" +
            "  \"nested\": {\n" +
            "    \"inner\": 7\n" +
            "  }\n" +
            "}\n");
    }

    @Test
    void readsBackWhatItWrites() throws IOException
    {
        final String json = new JsonWriter().beginObject()
            .field("name", "cache")
            .name("list").beginArray().value(1).value("two").endArray()
            .name("none").value((String)null)
            .endObject()
            .toJson();

        final Map<String, Object> expected = new LinkedHashMap<>();
        expected.put("name", "cache");
        expected.put("list", Arrays.asList(1L, "two"));
        expected.put("none", null);
        assertThat(StrictJson.parseObject(json)).isEqualTo(expected);
    }

    @Test
    void escapesQuotesBackslashesAndControlCharacters()
    {
        assertThat(JsonWriter.quoted("a\"b\\c/d")).isEqualTo("\"a\\\"b\\\\c/d\"");
        assertThat(JsonWriter.quoted("\b\f\n\r\t")).isEqualTo("\"\\b\\f\\n\\r\\t\"");
        assertThat(JsonWriter.quoted("\u0000\u0001\u001f\u007f")).isEqualTo("\"\\u0000\\u0001\\u001f\\u007f\"");
        assertThat(JsonWriter.quoted("")).isEqualTo("\"\"");
    }

    @Test
    void writesNonAsciiAsUnicodeEscapes()
    {
        assertThat(JsonWriter.quoted("é€\u2028")).isEqualTo("\"\\u00e9\\u20ac\\u2028\"");
        assertThat(JsonWriter.quoted("\uD83D\uDE00")).isEqualTo("\"\\ud83d\\ude00\"");
    }

    @Test
    void escapedStringsRoundTrip() throws IOException
    {
        final String tricky = "q\"b\\s\n\t\u0000é\uD83D\uDE00 end";
        final String json = new JsonWriter().beginArray().value(tricky).endArray().toJson();

        assertThat(json).isEqualTo("[\n  \"q\\\"b\\\\s\\n\\t\\u0000\\u00e9\\ud83d\\ude00 end\"\n]\n");
        assertThat(StrictJson.parse(json)).isEqualTo(List.of(tricky));
    }

    @Test
    void refusesMisuse()
    {
        assertThatThrownBy(() -> new JsonWriter().beginObject().value(1))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("a value inside an object needs a name first");
        assertThatThrownBy(() -> new JsonWriter().beginArray().name("x"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("a name is only allowed inside an object, before each value: x");
        assertThatThrownBy(() -> new JsonWriter().beginObject().name("a").name("b"))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("a name is only allowed inside an object, before each value: b");
        assertThatThrownBy(() -> new JsonWriter().beginObject().endArray())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("unbalanced ]");
        assertThatThrownBy(() -> new JsonWriter().beginObject().name("a").endObject())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("unbalanced }");
        assertThatThrownBy(() -> new JsonWriter().beginObject().toJson())
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("incomplete JSON document: 1 open object(s) or array(s)");
        assertThatThrownBy(() -> new JsonWriter().value(1).value(2))
            .isInstanceOf(IllegalStateException.class)
            .hasMessage("the document already has its top-level value");
    }

    @Test
    void writesATopLevelScalar()
    {
        assertThat(new JsonWriter().value("x").toJson()).isEqualTo("\"x\"\n");
        assertThat(new JsonWriter().value(-1).toJson()).isEqualTo("-1\n");
    }

    @Test
    void readerRejectsInvalidDocuments()
    {
        assertThatThrownBy(() -> StrictJson.parse("{\"a\": 1,}"))
            .isInstanceOf(JsonParseException.class)
            .hasMessageStartingWith("Unexpected character ('}' (code 125)): was expecting double-quote");
        assertThatThrownBy(() -> StrictJson.parse("{\"a\": 1, \"a\": 2}"))
            .isInstanceOf(JsonParseException.class).hasMessageStartingWith("Duplicate field 'a'");
        assertThatThrownBy(() -> StrictJson.parse("[1] x"))
            .isInstanceOf(JsonParseException.class).hasMessageStartingWith("Unrecognized token 'x'");
        assertThatThrownBy(() -> StrictJson.parse("[1] [2]"))
            .isInstanceOf(MismatchedInputException.class).hasMessageStartingWith("Trailing token");
        assertThatThrownBy(() -> StrictJson.parse("[\"a\nb\"]"))
            .isInstanceOf(JsonParseException.class)
            .hasMessageStartingWith("Illegal unquoted character ((CTRL-CHAR, code 10))");
        assertThatThrownBy(() -> StrictJson.parse("[01]"))
            .isInstanceOf(JsonParseException.class)
            .hasMessageStartingWith("Invalid numeric value: Leading zeroes not allowed");
    }
}
