package dev.slipway.config;

import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * A name template such as {@code {name}_{version}_{os}_{arch}}: literal text with fields in braces.
 *
 * <p>A field is a name from a fixed set (which set depends on the template: see
 * {@code docs/config.md}, section {@code release}). The conditional form
 * {@code {snapshot:TEXT}} expands to {@code TEXT} in a snapshot release and to nothing otherwise.
 * There is no escape for braces: names that need them are not valid file names anyway.
 *
 * @param source the template text as written
 * @param parts  literal strings and fields, in order
 */
public record NameTemplate(String source, List<Part> parts) {

    /**
     * One piece of a template.
     *
     * @param literal the text, for a literal part; {@code null} for a field
     * @param field   the field name, for a field part ({@code snapshot} for the conditional form)
     * @param text    the conditional text of {@code {snapshot:TEXT}}, else {@code null}
     */
    public record Part(String literal, String field, String text) {}

    /**
     * Parses a template.
     *
     * @param source the template text
     * @param fields the field names allowed in this template
     * @return the parsed template
     * @throws IllegalArgumentException with a user-facing message for an unclosed brace or an
     *                                  unknown field (with a "did you mean" suggestion)
     */
    public static NameTemplate parse(String source, Set<String> fields) {
        List<Part> parts = new ArrayList<>();
        int i = 0;
        while (i < source.length()) {
            int open = source.indexOf('{', i);
            int stray = source.indexOf('}', i);
            if (stray >= 0 && (open < 0 || stray < open)) {
                throw new IllegalArgumentException("'}' without '{' in template '" + source + "'");
            }
            if (open < 0) {
                parts.add(new Part(source.substring(i), null, null));
                break;
            }
            if (open > i) {
                parts.add(new Part(source.substring(i, open), null, null));
            }
            int close = source.indexOf('}', open);
            if (close < 0) {
                throw new IllegalArgumentException("unclosed '{' in template '" + source + "'");
            }
            String inner = source.substring(open + 1, close);
            if (inner.startsWith("snapshot:") && fields.contains("snapshot")) {
                parts.add(new Part(null, "snapshot", inner.substring("snapshot:".length())));
            } else if (fields.contains(inner) && !inner.equals("snapshot")) {
                parts.add(new Part(null, inner, null));
            } else {
                List<String> known = fields.stream().map(f -> f.equals("snapshot") ? "snapshot:TEXT" : f)
                        .sorted().toList();
                String near = Suggest.closest(inner, known);
                throw new IllegalArgumentException("unknown template field '{" + inner + "}'"
                        + (near != null ? "; did you mean '{" + near + "}'?" : "")
                        + " (fields: " + String.join(", ", known.stream().map(f -> "{" + f + "}").toList()) + ")");
            }
            i = close + 1;
        }
        return new NameTemplate(source, List.copyOf(parts));
    }

    /**
     * Expands the template.
     *
     * @param values   a value for every plain field used
     * @param snapshot whether {@code {snapshot:TEXT}} expands to its text
     * @return the expanded text
     * @throws IllegalStateException when a field has no value (a bug: parse checks the names)
     */
    public String expand(Map<String, String> values, boolean snapshot) {
        StringBuilder sb = new StringBuilder();
        for (Part p : parts) {
            if (p.literal() != null) {
                sb.append(p.literal());
            } else if (p.text() != null) {
                sb.append(snapshot ? p.text() : "");
            } else {
                String v = values.get(p.field());
                if (v == null) {
                    throw new IllegalStateException("no value for template field {" + p.field() + "}");
                }
                sb.append(v);
            }
        }
        return sb.toString();
    }

    /** @return whether the template uses {@code field} */
    public boolean uses(String field) {
        return parts.stream().anyMatch(p -> field.equals(p.field()));
    }

    @Override
    public String toString() {
        return source;
    }
}
