package dev.slipway.config;

import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.io.IOException;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.Deque;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Plain scalars that YAML 1.1 (what the parser implements) and YAML 1.2 read differently, or that
 * silently become a default, refused at their {@code slipway.yaml:LINE:COL}:
 * <ul>
 *   <li>whole numbers not in plain decimal digits: {@code 0x9470}, {@code 0o17}, {@code 0b1010},
 *       {@code 017} (octal 15 in YAML 1.1, 17 in YAML 1.2), {@code 1_000}, {@code 1:20};</li>
 *   <li>booleans other than {@code true} and {@code false} (any case): {@code yes}, {@code no},
 *       {@code on}, {@code off}, {@code y}, {@code n} are booleans in YAML 1.1 and strings in YAML 1.2
 *       (YAML 1.2.2, section 10.3.2, the core schema);</li>
 *   <li>an explicit null ({@code ~}, {@code null}, or no value) for a key that takes a single value
 *       ({@code port: ~}), which would otherwise be the same as leaving the key out. An empty
 *       section ({@code service:}) stays allowed.</li>
 * </ul>
 * Types come from the raw config records by reflection, like {@link ConfigSchema}.
 */
final class ScalarRules {
    private static final Pattern DECIMAL = Pattern.compile("[-+]?(0|[1-9][0-9]*)");
    private static final Pattern FLOAT = Pattern.compile("[-+]?([0-9]+(\\.[0-9]*)?|\\.[0-9]+)([eE][-+]?[0-9]+)?");
    private static final Pattern BOOLEAN = Pattern.compile("true|True|TRUE|false|False|FALSE");

    private ScalarRules() {}

    /** One open mapping or list, with the Java type of its values. */
    private static final class Frame extends YamlFrame {
        final Type type;
        Type valueType;

        Frame(Type type, boolean list) {
            super(list);
            this.type = type;
        }
    }

    /**
     * @param file the file name for messages
     * @param text the YAML text, already bound without error to {@link ConfigLoader.RawConfig}
     * @throws ConfigException (exit 2) at the first scalar that breaks a rule above
     */
    static void check(Path file, String text) {
        Deque<Frame> frames = new ArrayDeque<>();
        try (YAMLParser p = new YAMLFactory().createParser(text)) {
            JsonToken t;
            while ((t = p.nextToken()) != null) {
                Frame top = frames.peek();
                if (t == JsonToken.FIELD_NAME) {
                    top.key = p.currentName();
                    top.valueType = memberType(top.type, top.key);
                    continue;
                }
                if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    frames.pop();
                    continue;
                }
                Type type;
                if (top == null) {
                    type = ConfigLoader.RawConfig.class;
                } else if (top.list) {
                    top.index++;
                    type = top.valueType;
                } else {
                    type = top.valueType;
                }
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    Frame f = new Frame(type, t == JsonToken.START_ARRAY);
                    if (f.list) {
                        f.valueType = elementType(type);
                    }
                    frames.push(f);
                    continue;
                }
                String where = YamlFrame.path(frames);
                String raw = p.getText();
                var at = p.currentTokenLocation();
                String problem = switch (t) {
                    case VALUE_NUMBER_INT -> DECIMAL.matcher(raw).matches() ? null : "'" + raw
                            + "' is a YAML 1.1 number form (hex, octal, binary or '_'), read as " + p.getNumberValue()
                            + " here but differently by YAML 1.2 tools; write the number in plain decimal digits";
                    case VALUE_NUMBER_FLOAT -> FLOAT.matcher(raw).matches() ? null : "'" + raw
                            + "' is a YAML 1.1 number form ('_' or ':'), read as " + p.getNumberValue()
                            + " here but differently by YAML 1.2 tools; write the number in plain decimal digits";
                    case VALUE_TRUE, VALUE_FALSE -> BOOLEAN.matcher(raw).matches() ? null : "'" + raw
                            + "' is not true or false: YAML 1.1 reads it as " + (t == JsonToken.VALUE_TRUE)
                            + ", YAML 1.2 as a string; write " + (t == JsonToken.VALUE_TRUE);
                    case VALUE_NULL -> top == null || !(top.type instanceof Class<?> c && c.isRecord()) || !isScalar(type) ? null
                            : (raw.isEmpty() ? "has no value" : "'" + raw + "' is YAML's null, not a value")
                            + "; write a value, or delete the line to get the default";
                    default -> null;
                };
                if (problem != null) {
                    throw new ConfigException(file, Math.max(at.getLineNr(), 0), Math.max(at.getColumnNr(), 0),
                            where + (problem.startsWith("has ") ? " " : ": ") + problem);
                }
            }
        } catch (IOException | RuntimeException e) {
            if (e instanceof ConfigException c) {
                throw c;
            }
            // The text was bound without error; a failure here only skips these rules.
        }
    }

    private static boolean isScalar(Type type) {
        return type == String.class || type == Integer.class || type == Boolean.class || type == Double.class
                || type == Long.class || type == Duration.class;
    }

    /** @return the type of {@code key}'s value in a record or map type, or {@code null} when unknown */
    private static Type memberType(Type container, String key) {
        if (container instanceof ParameterizedType p && Map.class.isAssignableFrom((Class<?>) p.getRawType())) {
            return p.getActualTypeArguments()[1];
        }
        if (container instanceof Class<?> c && c.isRecord()) {
            for (RecordComponent rc : c.getRecordComponents()) {
                if (ConfigSchema.keyName(rc).equals(key)) {
                    return rc.getGenericType();
                }
            }
        }
        return null;
    }

    private static Type elementType(Type list) {
        if (list instanceof ParameterizedType p && List.class.isAssignableFrom((Class<?>) p.getRawType())) {
            return p.getActualTypeArguments()[0];
        }
        return null;
    }
}
