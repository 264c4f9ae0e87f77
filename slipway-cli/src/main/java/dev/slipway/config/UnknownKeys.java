package dev.slipway.config;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.util.ArrayList;
import java.util.Iterator;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * Every key of a {@code slipway.yaml} that no record of the binding knows, in document order.
 *
 * <p>Jackson binds records through their canonical constructor (a property-based creator), and
 * such a creator buffers the keys it does not know until its object is complete; the first unknown
 * key it reports is therefore the one of the innermost object that ends first, not the first in
 * the file. This walk reads the tree once and names them all, so a file with typos on lines 3 and
 * 38 gets line 3 first and line 38 beside it.
 *
 * <p>A node whose type is not a record, a {@code Map} or a {@code List} (a scalar, a duration, a
 * listen address with its own deserializer) is not looked into; databind's own checks still apply.
 */
final class UnknownKeys {
    private UnknownKeys() {}

    /**
     * One key no record knows.
     *
     * @param parent the dotted path of the mapping that holds it ({@code ""} at the top level), in
     *               {@link YamlFrame#path}'s form, e.g. {@code deploy.hosts.servers[0]}
     * @param key    the key as written
     * @param known  the keys that mapping accepts, sorted
     */
    record Unknown(String parent, String key, List<String> known) {
        /** @return the dotted path of the key itself */
        String path() {
            return parent.isEmpty() ? key : parent + "." + key;
        }
    }

    /**
     * @param text the YAML text
     * @param root the record type the whole document binds to
     * @return the unknown keys in document order; empty when there is none or the text does not
     *         parse as one YAML document (databind then reports what is wrong)
     */
    static List<Unknown> find(String text, Class<?> root) {
        JsonNode tree;
        try {
            tree = new ObjectMapper(new YAMLFactory()).readTree(text);
        } catch (java.io.IOException | RuntimeException e) {
            return List.of();
        }
        List<Unknown> found = new ArrayList<>();
        walk(tree, root, "", found);
        return found;
    }

    private static void walk(JsonNode node, Type type, String path, List<Unknown> found) {
        if (node == null || node.isNull()) {
            return;
        }
        Class<?> raw = rawClass(type);
        if (raw == Listen.class) { // a record written as a scalar, bound by its own deserializer
            return;
        }
        if (raw != null && raw.isRecord() && node.isObject()) {
            Set<String> names = new LinkedHashSet<>();
            Map<String, RecordComponent> byName = new java.util.HashMap<>();
            for (RecordComponent rc : raw.getRecordComponents()) {
                String name = ConfigSchema.keyName(rc);
                names.add(name);
                byName.put(name, rc);
            }
            List<String> known = names.stream().sorted().toList();
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                RecordComponent rc = byName.get(e.getKey());
                if (rc == null) {
                    found.add(new Unknown(path, e.getKey(), known));
                } else {
                    walk(e.getValue(), rc.getGenericType(), join(path, e.getKey()), found);
                }
            }
        } else if (raw != null && Map.class.isAssignableFrom(raw) && node.isObject()
                && type instanceof ParameterizedType p) {
            Type value = p.getActualTypeArguments()[1];
            for (Iterator<Map.Entry<String, JsonNode>> it = node.fields(); it.hasNext();) {
                Map.Entry<String, JsonNode> e = it.next();
                walk(e.getValue(), value, join(path, e.getKey()), found);
            }
        } else if (raw != null && List.class.isAssignableFrom(raw) && node.isArray()
                && type instanceof ParameterizedType p) {
            Type element = p.getActualTypeArguments()[0];
            for (int i = 0; i < node.size(); i++) {
                walk(node.get(i), element, path + "[" + i + "]", found);
            }
        }
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    private static Class<?> rawClass(Type type) {
        if (type instanceof Class<?> c) {
            return c;
        }
        if (type instanceof ParameterizedType p && p.getRawType() instanceof Class<?> c) {
            return c;
        }
        return null;
    }
}
