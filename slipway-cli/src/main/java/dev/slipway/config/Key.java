package dev.slipway.config;

import java.lang.annotation.ElementType;
import java.lang.annotation.Retention;
import java.lang.annotation.RetentionPolicy;
import java.lang.annotation.Target;

/**
 * Facts about one key of {@code slipway.yaml} that its Java type cannot say, put on a component
 * of a raw config record. {@link ConfigSchema} turns them into the JSON Schema and
 * {@link ConfigLoader} into warnings, so the schema, the checks and the model cannot drift apart.
 */
@Retention(RetentionPolicy.RUNTIME)
@Target(ElementType.RECORD_COMPONENT)
public @interface Key {
    /** @return a one-line description for the schema (editors show it on hover) */
    String doc() default "";

    /** @return the allowed values of a string key, or empty for any */
    String[] values() default {};

    /**
     * @return for a deprecated key, the key that replaces it (a sibling's name); empty when the
     *         key is not deprecated. A deprecated key still works and gets a warning.
     */
    String replacedBy() default "";

    /**
     * @return the longest a string key may be, in characters, or 0 for no bound (a name that
     *         becomes part of file names must stay well below the file system's 255 bytes)
     */
    int maxLength() default 0;
}
