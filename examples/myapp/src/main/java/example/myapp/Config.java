package example.myapp;

import java.nio.file.Path;
import java.util.Map;

/**
 * Runtime configuration, read from environment variables and optionally overridden by the
 * command-line flags {@code --port N} and {@code --addr A} (also {@code --port=N}, {@code --addr=A}).
 *
 * <table>
 *   <caption>Environment variables</caption>
 *   <tr><th>Variable</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>PORT</td><td>8080</td><td>TCP port to listen on (0 = any free port)</td></tr>
 *   <tr><td>ADDR</td><td>0.0.0.0</td><td>bind address</td></tr>
 *   <tr><td>DRAIN_TIMEOUT</td><td>30</td><td>max seconds to wait for in-flight requests on shutdown</td></tr>
 *   <tr><td>DATA_DIR</td><td>./data</td><td>data directory (created at start if missing)</td></tr>
 *   <tr><td>SHUTDOWN_DELAY_MS</td><td>0</td><td>min milliseconds to keep serving, already unready, after a stop signal</td></tr>
 * </table>
 *
 * @param addr            bind address (host name or IP literal)
 * @param port            TCP port, 0..65535
 * @param drainTimeoutSec maximum drain time on shutdown, in seconds (&ge; 0)
 * @param dataDir         data directory
 * @param shutdownDelayMs minimum pre-stop delay, in milliseconds (&ge; 0)
 */
public record Config(String addr, int port, long drainTimeoutSec, Path dataDir, long shutdownDelayMs) {

    /** Default TCP port. */
    public static final int DEFAULT_PORT = 8080;
    /** Default bind address (all IPv4 interfaces). */
    public static final String DEFAULT_ADDR = "0.0.0.0";
    /** Default drain timeout, in seconds. */
    public static final long DEFAULT_DRAIN_TIMEOUT_SEC = 30;
    /** Default data directory. */
    public static final String DEFAULT_DATA_DIR = "./data";

    /** Usage text for {@code --help}. */
    public static final String USAGE = String.join("\n",
            "Usage: myapp [--port N] [--addr A]",
            "       myapp version",
            "",
            "Environment:",
            "  PORT               TCP port (default 8080)",
            "  ADDR               bind address (default 0.0.0.0)",
            "  DRAIN_TIMEOUT      max seconds to drain in-flight requests on SIGTERM/SIGINT (default 30)",
            "  DATA_DIR           data directory, created if missing (default ./data)",
            "  SHUTDOWN_DELAY_MS  min ms to keep serving while unready after SIGTERM (default 0)",
            "");

    /**
     * Parses configuration from an environment map and command-line arguments. Flags win over
     * environment variables; empty environment values count as unset.
     *
     * @param env  environment variables (e.g. {@link System#getenv()})
     * @param args command-line arguments
     * @return the configuration
     * @throws IllegalArgumentException on an unknown flag, a missing flag value, or an invalid
     *                                  number (the message is suitable for the user)
     */
    public static Config parse(Map<String, String> env, String[] args) {
        String addr = nonEmpty(env.get("ADDR"), DEFAULT_ADDR);
        String portText = nonEmpty(env.get("PORT"), String.valueOf(DEFAULT_PORT));
        String portSource = env.get("PORT") == null || env.get("PORT").isBlank() ? "default" : "PORT";

        for (int i = 0; i < args.length; i++) {
            String a = args[i];
            String name;
            String value;
            int eq = a.indexOf('=');
            if (a.startsWith("--") && eq > 0) {
                name = a.substring(0, eq);
                value = a.substring(eq + 1);
            } else {
                name = a;
                value = null;
            }
            if (!name.equals("--port") && !name.equals("--addr")) {
                throw new IllegalArgumentException("unknown argument: " + a + " (try --help)");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + name);
                }
                value = args[++i];
            }
            if (name.equals("--port")) {
                portText = value;
                portSource = "--port";
            } else {
                if (value.isBlank()) {
                    throw new IllegalArgumentException("--addr must not be empty");
                }
                addr = value.trim();
            }
        }

        int port = (int) parseLong(portSource, portText, 0, 65535);
        long drain = parseLong("DRAIN_TIMEOUT",
                nonEmpty(env.get("DRAIN_TIMEOUT"), String.valueOf(DEFAULT_DRAIN_TIMEOUT_SEC)), 0, 86_400);
        long delay = parseLong("SHUTDOWN_DELAY_MS", nonEmpty(env.get("SHUTDOWN_DELAY_MS"), "0"), 0, 86_400_000);
        Path dataDir = Path.of(nonEmpty(env.get("DATA_DIR"), DEFAULT_DATA_DIR));
        return new Config(addr, port, drain, dataDir, delay);
    }

    private static String nonEmpty(String v, String fallback) {
        return v == null || v.isBlank() ? fallback : v.trim();
    }

    private static long parseLong(String name, String text, long min, long max) {
        long v;
        try {
            v = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name + ": not an integer: \"" + text + "\"");
        }
        if (v < min || v > max) {
            throw new IllegalArgumentException(name + ": " + v + " out of range [" + min + ", " + max + "]");
        }
        return v;
    }
}
