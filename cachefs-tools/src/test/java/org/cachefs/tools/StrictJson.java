package org.cachefs.tools;

import java.util.Map;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.StreamReadFeature;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.json.JsonMapper;

/**
 * The tools' JSON output read back with Jackson, for assertions, strictly: objects become
 * {@link java.util.LinkedHashMap}s (duplicate keys rejected), arrays {@link java.util.ArrayList}s, integers
 * {@link Long}s, numbers with a fraction or exponent {@link Double}s, plus strings, booleans and null. Anything
 * RFC 8259 does not allow is refused, trailing text included.
 * <p>
 * Stateless past its configuration: any thread.
 */
final class StrictJson
{
    private static final ObjectMapper MAPPER = JsonMapper.builder()
        .enable(StreamReadFeature.STRICT_DUPLICATE_DETECTION)
        .enable(DeserializationFeature.USE_LONG_FOR_INTS, DeserializationFeature.FAIL_ON_TRAILING_TOKENS)
        .build();
    private static final TypeReference<Map<String, Object>> OBJECT = new TypeReference<>()
    {
    };

    private StrictJson()
    {
    }

    static Object parse(final String text) throws JsonProcessingException
    {
        return MAPPER.readValue(text, Object.class);
    }

    static Map<String, Object> parseObject(final String text) throws JsonProcessingException
    {
        return MAPPER.readValue(text, OBJECT);
    }
}
