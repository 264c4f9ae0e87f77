package dev.slipway.util;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.ObjectWriter;

/**
 * The one Jackson {@link ObjectMapper} of Slipway, with Jackson's defaults (no custom modules,
 * fields in declaration or insertion order). A mapper is thread-safe once configured, and this one
 * is never reconfigured: a caller that needs other settings takes {@code MAPPER.copy()}.
 */
public final class Json {
    /** The shared mapper: reads trees and values, writes compact JSON. */
    public static final ObjectMapper MAPPER = new ObjectMapper();
    /** Writes indented JSON (Jackson's default pretty printer, two spaces, {@code " : "}). */
    public static final ObjectWriter PRETTY = MAPPER.writerWithDefaultPrettyPrinter();

    private Json() {}
}
