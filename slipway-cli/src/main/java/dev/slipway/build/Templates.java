package dev.slipway.build;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Map;

/** Loads text templates from the class path and fills {@code @KEY@} placeholders. */
final class Templates {
    private Templates() {}

    static String load(String resource) {
        try (InputStream in = Templates.class.getResourceAsStream(resource)) {
            if (in == null) {
                throw new IllegalStateException("missing resource " + resource);
            }
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    private static final java.util.regex.Pattern PLACEHOLDER = java.util.regex.Pattern.compile("@([A-Z_]+)@");

    /**
     * Fills the template's {@code @KEY@} placeholders in one pass over the template: a value is
     * never searched for placeholders itself, so user text in a value (a program argument that
     * reads {@code @NAME@}) stays as written. A placeholder without a value stays too.
     *
     * @param template the template text
     * @param values   the values by key (without the {@code @})
     * @return the filled text
     */
    static String fill(String template, Map<String, String> values) {
        java.util.regex.Matcher m = PLACEHOLDER.matcher(template);
        StringBuilder out = new StringBuilder(template.length());
        while (m.find()) {
            String v = values.get(m.group(1));
            m.appendReplacement(out, java.util.regex.Matcher.quoteReplacement(v == null ? m.group() : v));
        }
        m.appendTail(out);
        return out.toString();
    }
}
