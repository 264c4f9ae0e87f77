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

    static String fill(String template, Map<String, String> values) {
        String out = template;
        for (var e : values.entrySet()) {
            out = out.replace("@" + e.getKey() + "@", e.getValue());
        }
        return out;
    }
}
