package example.myapp;

import java.util.Map;

/**
 * Tiny hand-written JSON encoder (no library). Supports strings, numbers, booleans,
 * {@code null} and nested {@link Map}s (rendered as objects, in the map's iteration order).
 */
public final class Json {
    private Json() {
    }

    /**
     * Escapes a string for use inside a JSON string literal (without the surrounding quotes).
     * Escapes {@code "} and {@code \}, all control characters below U+0020, DEL, and
     * U+2028/U+2029 (so the output is also safe to embed in JavaScript).
     *
     * @param s the raw string; must not be {@code null}
     * @return the escaped string
     * @throws NullPointerException if {@code s} is {@code null}
     */
    public static String escape(String s) {
        StringBuilder sb = new StringBuilder(s.length() + 8);
        appendEscaped(sb, s);
        return sb.toString();
    }

    /**
     * Returns a quoted JSON string literal for {@code s}, or {@code null} (the JSON literal)
     * if {@code s} is {@code null}.
     *
     * @param s the raw string, may be {@code null}
     * @return the JSON literal
     */
    public static String quote(String s) {
        if (s == null) {
            return "null";
        }
        StringBuilder sb = new StringBuilder(s.length() + 10);
        sb.append('"');
        appendEscaped(sb, s);
        return sb.append('"').toString();
    }

    /**
     * Renders a map as a compact JSON object. Values may be {@link String}, {@link Number},
     * {@link Boolean}, {@code null} or a nested {@link Map}; keys are converted with
     * {@link String#valueOf(Object)}.
     *
     * @param fields the object's fields, in output order
     * @return the JSON text, e.g. {@code {"status":"ok"}}
     * @throws IllegalArgumentException if a value has an unsupported type, or a number is NaN/infinite
     */
    public static String object(Map<?, ?> fields) {
        StringBuilder sb = new StringBuilder();
        appendValue(sb, fields);
        return sb.toString();
    }

    private static void appendValue(StringBuilder sb, Object value) {
        if (value == null) {
            sb.append("null");
        } else if (value instanceof String) {
            sb.append('"');
            appendEscaped(sb, (String) value);
            sb.append('"');
        } else if (value instanceof Boolean) {
            sb.append(value);
        } else if (value instanceof Number) {
            if (value instanceof Double && !Double.isFinite((Double) value)
                    || value instanceof Float && !Float.isFinite((Float) value)) {
                throw new IllegalArgumentException("JSON cannot represent " + value);
            }
            sb.append(value);
        } else if (value instanceof Map) {
            sb.append('{');
            boolean first = true;
            for (Map.Entry<?, ?> e : ((Map<?, ?>) value).entrySet()) {
                if (!first) {
                    sb.append(',');
                }
                first = false;
                sb.append('"');
                appendEscaped(sb, String.valueOf(e.getKey()));
                sb.append("\":");
                appendValue(sb, e.getValue());
            }
            sb.append('}');
        } else {
            throw new IllegalArgumentException("unsupported JSON value type: " + value.getClass().getName());
        }
    }

    private static void appendEscaped(StringBuilder sb, String s) {
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            switch (c) {
                case '"': sb.append("\\\""); break;
                case '\\': sb.append("\\\\"); break;
                case '\n': sb.append("\\n"); break;
                case '\r': sb.append("\\r"); break;
                case '\t': sb.append("\\t"); break;
                case '\b': sb.append("\\b"); break;
                case '\f': sb.append("\\f"); break;
                default:
                    if (c < 0x20 || c == 0x7f || c == '\u2028' || c == '\u2029') {
                        sb.append(String.format("\\u%04x", (int) c));
                    } else {
                        sb.append(c);
                    }
            }
        }
    }
}
