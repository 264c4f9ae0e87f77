package dev.slipway.config;

import dev.slipway.SlipwayException;
import java.nio.file.Path;

/**
 * A configuration error, reported as {@code file:line:col: message} with exit code 2.
 * Line and column are 1-based; either may be 0 when unknown (then it is left out).
 */
public final class ConfigException extends SlipwayException {
    private final Path file;
    private final int line;
    private final int column;
    private final String detail;

    /**
     * @param file   the configuration file
     * @param line   1-based line, or 0 when unknown
     * @param column 1-based column, or 0 when unknown
     * @param detail what is wrong and how to fix it
     */
    public ConfigException(Path file, int line, int column, String detail) {
        super(USAGE, format(file, line, column, detail));
        this.file = file;
        this.line = line;
        this.column = column;
        this.detail = detail;
    }

    private static String format(Path file, int line, int column, String detail) {
        StringBuilder sb = new StringBuilder(String.valueOf(file));
        if (line > 0) {
            sb.append(':').append(line);
            if (column > 0) {
                sb.append(':').append(column);
            }
        }
        return sb.append(": ").append(detail).toString();
    }

    /** @return the configuration file */
    public Path file() { return file; }

    /** @return the 1-based line, or 0 when unknown */
    public int line() { return line; }

    /** @return the 1-based column, or 0 when unknown */
    public int column() { return column; }

    /** @return the message without the location prefix */
    public String detail() { return detail; }
}
