package dev.slipway.config;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import java.lang.reflect.Constructor;
import java.lang.reflect.ParameterizedType;
import java.lang.reflect.RecordComponent;
import java.lang.reflect.Type;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Binds the YAML text of a plain, valid {@code slipway.yaml} to the raw config records without
 * Jackson databind, whose start (an {@code ObjectMapper} and a deserializer built by introspection
 * for every raw record, present in the file or not) was most of {@code slipway check}'s own time
 * (issue 16, an instant CLI).
 *
 * <p>It reads the same token stream as the databind path (Jackson's YAML parser, duplicate keys
 * refused) and gives up, returning {@code null}, on anything it does not bind exactly as databind
 * with {@link ConfigLoader}'s settings does: an unknown key, a token of another type than the
 * component's (no coercion of any kind, an integer outside {@code int}, an integer for a
 * {@code Double}), a YAML null, an anchor, alias or tag, a value its parser ({@link Duration},
 * {@link Listen}) refuses, a second document, or any parser error. The caller then binds with
 * databind, so every error message stays the one databind's exception leads to. What it accepts,
 * databind accepts with an equal result ({@code QuickBinderTest} compares both on every
 * configuration of the repository and of the bad-config corpus).
 *
 * <p>Types bound: records (keys are the component names, or their {@code @JsonProperty} name,
 * {@link ConfigSchema#keyName}), {@code List<T>} as {@link ArrayList}, {@code Map<String, T>} as
 * {@link LinkedHashMap}, {@code String}, {@code Integer}, {@code Boolean}, {@code Double},
 * {@link Duration} ({@link ConfigLoader#parseDuration}) and {@link Listen} ({@link Listen#parse}).
 */
final class QuickBinder {
    /** Thrown to give up; carries no stack trace (it is control flow, not an error). */
    private static final class GiveUp extends Exception {
        GiveUp() {
            super(null, null, false, false);
        }
    }

    private static final GiveUp GIVE_UP = new GiveUp();

    /** A record type's components by YAML key, and its canonical constructor. */
    private record Shape(Map<String, Integer> index, Type[] types, Constructor<?> constructor) {}

    private static final Map<Class<?>, Shape> SHAPES = new java.util.concurrent.ConcurrentHashMap<>();

    private QuickBinder() {}

    /**
     * @param text the YAML text of slipway.yaml
     * @param type the record type of the document ({@link ConfigLoader.RawConfig})
     * @param <T>  that type
     * @return the bound record, or {@code null} when databind must bind it (see the class comment)
     */
    static <T> T bind(String text, Class<T> type) {
        YAMLFactory factory = YAMLFactory.builder().enable(com.fasterxml.jackson.core.StreamReadFeature.STRICT_DUPLICATE_DETECTION).build();
        try (YAMLParser p = factory.createParser(text)) {
            if (p.nextToken() != JsonToken.START_OBJECT) {
                return null;
            }
            Object value = value(p, type);
            if (p.nextToken() != null) {
                return null;
            }
            return type.cast(value);
        } catch (GiveUp | java.io.IOException | RuntimeException e) {
            return null;
        }
    }

    /** Binds the value at the parser's current token to {@code type}; leaves the parser on its last token. */
    private static Object value(YAMLParser p, Type type) throws java.io.IOException, GiveUp {
        JsonToken t = p.currentToken();
        if (t == null || t == JsonToken.VALUE_NULL || p.isCurrentAlias() || p.getCurrentAnchor() != null
                || p.getTypeId() != null) {
            throw GIVE_UP;
        }
        if (type instanceof ParameterizedType pt) {
            Class<?> raw = (Class<?>) pt.getRawType();
            Type element = pt.getActualTypeArguments()[pt.getActualTypeArguments().length - 1];
            if (raw == List.class && t == JsonToken.START_ARRAY) {
                List<Object> list = new ArrayList<>();
                while (p.nextToken() != JsonToken.END_ARRAY) {
                    list.add(value(p, element));
                }
                return list;
            }
            if (raw == Map.class && pt.getActualTypeArguments()[0] == String.class && t == JsonToken.START_OBJECT) {
                Map<String, Object> map = new LinkedHashMap<>();
                while (p.nextToken() == JsonToken.FIELD_NAME) {
                    String key = p.currentName();
                    p.nextToken();
                    map.put(key, value(p, element));
                }
                return map;
            }
            throw GIVE_UP;
        }
        if (type == String.class && t == JsonToken.VALUE_STRING) {
            return p.getText();
        }
        if (type == Integer.class && t == JsonToken.VALUE_NUMBER_INT && p.getNumberType() == JsonParser.NumberType.INT) {
            return p.getIntValue();
        }
        if (type == Boolean.class && (t == JsonToken.VALUE_TRUE || t == JsonToken.VALUE_FALSE)) {
            return t == JsonToken.VALUE_TRUE;
        }
        if (type == Double.class && t == JsonToken.VALUE_NUMBER_FLOAT) {
            return p.getDoubleValue();
        }
        if (type == Duration.class && t == JsonToken.VALUE_STRING) {
            try {
                return ConfigLoader.parseDuration(p.getText());
            } catch (IllegalArgumentException e) {
                throw GIVE_UP;
            }
        }
        if (type == Listen.class && (t == JsonToken.VALUE_STRING || t == JsonToken.VALUE_NUMBER_INT)) {
            try {
                return Listen.parse(p.getText());
            } catch (IllegalArgumentException e) {
                throw GIVE_UP;
            }
        }
        if (type instanceof Class<?> c && c.isRecord() && t == JsonToken.START_OBJECT) {
            return record(p, c);
        }
        throw GIVE_UP;
    }

    private static Object record(YAMLParser p, Class<?> type) throws java.io.IOException, GiveUp {
        Shape shape = SHAPES.computeIfAbsent(type, QuickBinder::shape);
        Object[] args = new Object[shape.types().length];
        while (p.nextToken() == JsonToken.FIELD_NAME) {
            Integer i = shape.index().get(p.currentName());
            if (i == null) {
                throw GIVE_UP;
            }
            p.nextToken();
            args[i] = value(p, shape.types()[i]);
        }
        try {
            return shape.constructor().newInstance(args);
        } catch (ReflectiveOperationException e) {
            throw GIVE_UP;
        }
    }

    private static Shape shape(Class<?> type) {
        RecordComponent[] components = type.getRecordComponents();
        Map<String, Integer> index = new HashMap<>();
        Type[] types = new Type[components.length];
        Class<?>[] classes = new Class<?>[components.length];
        boolean primitive = false;
        for (int i = 0; i < components.length; i++) {
            index.put(ConfigSchema.keyName(components[i]), i);
            types[i] = components[i].getGenericType();
            classes[i] = components[i].getType();
            primitive |= classes[i].isPrimitive();
        }
        if (primitive) {
            // A missing primitive is databind's to judge (FAIL_ON_NULL_FOR_PRIMITIVES): a record with
            // one knows no keys, so binding it gives up.
            index.clear();
        }
        try {
            Constructor<?> c = type.getDeclaredConstructor(classes);
            c.setAccessible(true);
            return new Shape(index, types, c);
        } catch (NoSuchMethodException e) {
            return new Shape(Map.of(), types, null);
        }
    }
}
