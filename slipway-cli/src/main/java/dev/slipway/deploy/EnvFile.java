package dev.slipway.deploy;

import dev.slipway.SlipwayException;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The one format of a release's environment file on every machine target: a host's
 * {@code releases/<v>/env} (systemd reads it, systemd.exec(5) {@code EnvironmentFile=}) and the
 * local target's {@code releases/<v>/service.env} (the supervisor reads it). After the line
 * {@link #HEADER}, one {@code KEY="value"} per line, the value double-quoted with {@code \},
 * {@code "}, {@code $} and {@code `} escaped by a backslash, which systemd and a POSIX shell both
 * read back as written. A value cannot hold a line break (the configuration refuses one, and
 * {@link #render} too).
 *
 * <p>{@link #parse} also reads the local target's files written before this format, which have no
 * header: {@code KEY=value} unquoted, a backslash and a line break escaped as {@code \\} and
 * {@code \n}; the header tells the two apart.
 */
public final class EnvFile {
    /** The first line of a file in this format, with its newline. */
    public static final String HEADER = "# written by slipway deploy; mode 0600\n";

    private EnvFile() {}

    /**
     * @param env the variables, in the order they are written (a later key in a map cannot repeat
     *            an earlier one: the last setting wins where they are assembled)
     * @return the file's text: {@link #HEADER}, then one {@code KEY="value"} line each
     * @throws SlipwayException (exit 2) when a value has a line break; nothing was written
     */
    public static String render(Map<String, String> env) {
        StringBuilder sb = new StringBuilder(HEADER);
        env.forEach((k, v) -> {
            if (v.contains("\n") || v.contains("\r")) {
                throw SlipwayException.usage("the value of " + k + " has a line break; an env file cannot hold it");
            }
            sb.append(k).append("=\"").append(v.replace("\\", "\\\\").replace("\"", "\\\"").replace("$", "\\$")
                    .replace("`", "\\`")).append("\"\n");
        });
        return sb.toString();
    }

    /**
     * Reads a file {@link #render} wrote, or one in the local target's earlier format (no header).
     *
     * @param text the file's text
     * @return the variables in the file's order (a mutable map); comments and lines without
     *         {@code =} are skipped
     */
    public static Map<String, String> parse(String text) {
        boolean quoted = text.startsWith(HEADER.strip());
        Map<String, String> env = new LinkedHashMap<>();
        for (String line : text.split("\n", -1)) {
            int eq = line.indexOf('=');
            if (eq <= 0 || line.startsWith("#")) {
                continue;
            }
            String value = line.substring(eq + 1);
            if (quoted && value.length() >= 2 && value.startsWith("\"") && value.endsWith("\"")) {
                value = unescape(value.substring(1, value.length() - 1), false);
            } else if (!quoted) {
                value = unescape(value, true);
            }
            env.put(line.substring(0, eq), value);
        }
        return env;
    }

    /** Drops each escaping backslash; with {@code newlines} (the earlier format) {@code \n} is a line break. */
    private static String unescape(String s, boolean newlines) {
        StringBuilder sb = new StringBuilder(s.length());
        for (int i = 0; i < s.length(); i++) {
            char c = s.charAt(i);
            if (c == '\\' && i + 1 < s.length()) {
                char n = s.charAt(++i);
                sb.append(newlines && n == 'n' ? '\n' : n);
            } else {
                sb.append(c);
            }
        }
        return sb.toString();
    }
}
