package io.github.alphadrop.cli;

import com.fasterxml.jackson.core.JsonGenerator;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonSerializer;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.SerializerProvider;
import com.fasterxml.jackson.databind.module.SimpleModule;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.math.BigDecimal;
import java.math.MathContext;
import java.nio.file.Path;

/**
 * The command line's {@code --json} output, through Jackson. Commands build ordered maps whose snake_case
 * keys are listed in {@code docs/cli-json.md} (and pinned by {@code JsonFieldsTest}). Floating-point values
 * are written with 7 significant digits, the precision of a float; NaN and infinities, which JSON lacks,
 * are written as null. Paths are strings.
 */
final class Json {

    private static final ObjectMapper MAPPER = new ObjectMapper()
            .disable(SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .registerModule(new SimpleModule("alphadrop-cli")
                    .addSerializer(Double.class, new Decimal<>())
                    .addSerializer(Float.class, new Decimal<>())
                    .addSerializer(Path.class, new ToStringSerializer<>()));

    private Json() {
    }

    /** One line of JSON: maps (in their iteration order), lists, strings, numbers, booleans and null. */
    static String write(Object value) {
        try {
            return MAPPER.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new UncheckedIOException("cannot write JSON: " + e.getOriginalMessage(), e);
        }
    }

    /** Parses what {@link #write} wrote (for tests and tools that read metrics.json back). */
    static Object read(String json) {
        try {
            return MAPPER.readValue(json, Object.class);
        } catch (JsonProcessingException e) {
            throw new IllegalArgumentException("not JSON: " + e.getOriginalMessage(), e);
        }
    }

    private static final class Decimal<T extends Number> extends JsonSerializer<T> {
        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            double d = value.doubleValue();
            if (!Double.isFinite(d)) {
                gen.writeNull();
            } else {
                gen.writeNumber(new BigDecimal(d).round(new MathContext(7)).stripTrailingZeros());
            }
        }
    }

    private static final class ToStringSerializer<T> extends JsonSerializer<T> {
        @Override
        public void serialize(T value, JsonGenerator gen, SerializerProvider serializers) throws IOException {
            gen.writeString(value.toString());
        }
    }
}
