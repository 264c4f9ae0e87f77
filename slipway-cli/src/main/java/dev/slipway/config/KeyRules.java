package dev.slipway.config;

import com.fasterxml.jackson.core.JsonLocation;
import java.lang.reflect.RecordComponent;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * Applies the {@link Key} rules of the raw config model to a parsed file, generically: a value
 * outside {@link Key#values()} or longer than {@link Key#maxLength()} is an error; a deprecated key ({@link Key#replacedBy()}) is a
 * warning, and so is a near miss of a reference ({@link References#nearMisses}) in a value where references expand. Walks records, lists and maps of records, so a rule added to any raw record works at once.
 */
final class KeyRules {
    private KeyRules() {}

    /**
     * @param raw  the raw config as Jackson read it
     * @param v    reports errors at value locations
     * @param keys locations of keys by dotted path, for warnings
     * @return warnings, each {@code file:line:col: warning: message}
     * @throws ConfigException (exit 2) for a value outside its allowed set
     */
    /**
     * The values where {@code ${PORT}}, {@code ${ADDR}} and {@code ${APP_HOME}} expand (see
     * {@link References}), by dotted path: their near misses get a warning.
     */
    private static final java.util.regex.Pattern REFERENCES = java.util.regex.Pattern.compile(
            "(service\\.env\\..+|service\\.args\\[\\d+]|build\\.jvmOptions\\[\\d+]|train\\.env\\..+|train\\.args\\[\\d+]"
                    + "|deploy\\.hosts\\.service\\.env\\..+|deploy\\.hosts\\.servers\\[\\d+]\\.env\\..+"
                    + "|deploy\\.kubernetes\\.env\\..+|image\\.env\\..+)");

    static List<String> apply(Object raw, ConfigLoader.Validator v, Map<String, JsonLocation> keys) {
        List<String> warnings = new ArrayList<>();
        walk(raw, "", v, keys, warnings);
        return List.copyOf(warnings);
    }

    private static void walk(Object node, String path, ConfigLoader.Validator v, Map<String, JsonLocation> keys,
                             List<String> warnings) {
        if (node == null) {
            return;
        }
        if (node instanceof String text && REFERENCES.matcher(path).matches()) {
            References.nearMisses(text).forEach(m -> warnings.add(v.warning(path, m)));
            return;
        }
        if (node instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                walk(list.get(i), path + "[" + i + "]", v, keys, warnings);
            }
            return;
        }
        if (node instanceof Map<?, ?> map) {
            map.forEach((k, value) -> walk(value, path + "." + k, v, keys, warnings));
            return;
        }
        if (!node.getClass().isRecord()) {
            return;
        }
        for (RecordComponent c : node.getClass().getRecordComponents()) {
            Object value;
            try {
                c.getAccessor().setAccessible(true);
                value = c.getAccessor().invoke(node);
            } catch (ReflectiveOperationException e) {
                throw new IllegalStateException(e);
            }
            if (value == null) {
                continue;
            }
            String at = path.isEmpty() ? ConfigSchema.keyName(c) : path + "." + ConfigSchema.keyName(c);
            Key rule = c.getAnnotation(Key.class);
            if (rule != null && rule.values().length > 0 && value instanceof String s) {
                v.check(Arrays.asList(rule.values()).contains(s), at,
                        at + ": '" + s + "' is not one of " + String.join(", ", rule.values()));
            }
            if (rule != null && rule.maxLength() > 0 && value instanceof String s) {
                v.check(s.length() <= rule.maxLength(), at, at + " is " + s.length() + " characters long; it may be at most "
                        + rule.maxLength() + " (it becomes part of file and directory names)");
            }
            if (rule != null && !rule.replacedBy().isEmpty()) {
                JsonLocation l = keys.get(at);
                StringBuilder w = new StringBuilder(String.valueOf(v.file()));
                if (l != null && l.getLineNr() > 0) {
                    w.append(':').append(l.getLineNr()).append(':').append(l.getColumnNr());
                }
                warnings.add(w.append(": warning: '").append(at).append("' is deprecated; use '")
                        .append(rule.replacedBy()).append("' instead").toString());
            }
            walk(value, at, v, keys, warnings);
        }
    }
}
