package io.github.alphadrop.benchmarks;

import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;

/**
 * One flat JSON object, keys in insertion order, written on one line: what the harnesses print for
 * {@code benchmarks/perf-table} to read. Values are strings, booleans, numbers or double arrays; a
 * non-finite number is written as {@code null} (JSON has no NaN).
 */
final class JsonLine {

    private final Map<String, Object> fields = new LinkedHashMap<>();

    JsonLine put(String key, Object value) {
        fields.put(key, value);
        return this;
    }

    @Override
    public String toString() {
        StringBuilder s = new StringBuilder("{");
        boolean first = true;
        for (Map.Entry<String, Object> e : fields.entrySet()) {
            if (!first) {
                s.append(", ");
            }
            first = false;
            string(s, e.getKey());
            s.append(": ");
            value(s, e.getValue());
        }
        return s.append('}').toString();
    }

    private static void value(StringBuilder s, Object v) {
        if (v == null) {
            s.append("null");
        } else if (v instanceof Boolean) {
            s.append(v);
        } else if (v instanceof Integer || v instanceof Long) {
            s.append(v);
        } else if (v instanceof Number n) {
            double d = n.doubleValue();
            // Double.toString round-trips exactly, so losses can be compared bit for bit across runs.
            s.append(Double.isFinite(d) ? Double.toString(d) : "null");
        } else if (v instanceof double[] a) {
            s.append('[');
            for (int i = 0; i < a.length; i++) {
                s.append(i == 0 ? "" : ", ");
                value(s, a[i]);
            }
            s.append(']');
        } else {
            string(s, v.toString());
        }
    }

    private static void string(StringBuilder s, String text) {
        s.append('"');
        for (int i = 0; i < text.length(); i++) {
            char c = text.charAt(i);
            switch (c) {
                case '"' -> s.append("\\\"");
                case '\\' -> s.append("\\\\");
                case '\n' -> s.append("\\n");
                case '\r' -> s.append("\\r");
                case '\t' -> s.append("\\t");
                default -> {
                    if (c < 0x20) {
                        s.append(String.format(Locale.ROOT, "\\u%04x", (int) c));
                    } else {
                        s.append(c);
                    }
                }
            }
        }
        s.append('"');
    }
}
