package example.myapp;

import java.io.IOException;
import java.io.InputStream;
import java.io.Reader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Properties;

/**
 * Runtime configuration, merged from four layers; a later layer wins over an earlier one:
 * <ol>
 *   <li>defaults in this class;</li>
 *   <li>the optional classpath resource {@value #DEFAULTS_RESOURCE}. <b>Contract with Slipway's
 *       build profiles (issue 3):</b> a profile bakes its defaults into that resource, in
 *       {@link Properties} format with the keys below (e.g. {@code log.format=json},
 *       {@code debug.endpoints=false} for production). Slipway writes it; myapp only reads it;</li>
 *   <li>the file given with {@code --config FILE} (Java properties format, same keys);</li>
 *   <li>environment variables: each key upper-cased with {@code .} as {@code _}
 *       ({@code log.level} is {@code LOG_LEVEL}). Empty values count as unset.</li>
 * </ol>
 * The flags {@code --port N} and {@code --addr A} win over everything.
 *
 * <table>
 *   <caption>Keys</caption>
 *   <tr><th>Key / variable</th><th>Default</th><th>Meaning</th></tr>
 *   <tr><td>port / PORT</td><td>8080</td><td>TCP port (0 = any free port)</td></tr>
 *   <tr><td>addr / ADDR</td><td>0.0.0.0</td><td>bind address</td></tr>
 *   <tr><td>drain.timeout / DRAIN_TIMEOUT</td><td>30</td><td>max seconds to wait for in-flight requests on shutdown</td></tr>
 *   <tr><td>data.dir / DATA_DIR</td><td>./data</td><td>data directory (created at start; holds the H2 database)</td></tr>
 *   <tr><td>shutdown.delay.ms / SHUTDOWN_DELAY_MS</td><td>0</td><td>min ms to keep serving, already unready, after a stop signal</td></tr>
 *   <tr><td>database.url / DATABASE_URL</td><td>(H2 file in data dir)</td><td>{@code postgres://user:pass@host:port/db} or a {@code jdbc:} URL</td></tr>
 *   <tr><td>redis.url / REDIS_URL</td><td>(no cache)</td><td>{@code redis://[:password@]host:port[/db]}</td></tr>
 *   <tr><td>track / TRACK</td><td>stable</td><td>{@code stable} or {@code canary}; a constant label on every metric</td></tr>
 *   <tr><td>cache.ttl / CACHE_TTL</td><td>60</td><td>seconds a cached note lives in Redis (reloadable)</td></tr>
 *   <tr><td>log.level / LOG_LEVEL</td><td>info</td><td>trace, debug, info, warn or error (reloadable)</td></tr>
 *   <tr><td>log.format / LOG_FORMAT</td><td>human</td><td>{@code human} or {@code json} (JSON lines)</td></tr>
 *   <tr><td>debug.endpoints / DEBUG_ENDPOINTS</td><td>true</td><td>serve {@code /debug/*} (reloadable)</td></tr>
 *   <tr><td>max.body.bytes / MAX_BODY_BYTES</td><td>65536</td><td>largest accepted request body, bytes; larger gets 413</td></tr>
 *   <tr><td>trusted.proxies / TRUSTED_PROXIES</td><td>(none)</td><td>comma-separated IPs or CIDRs whose X-Forwarded-For/-Proto are believed</td></tr>
 *   <tr><td>fault.percent / FAULT_PERCENT</td><td>0</td><td>percent of requests (not probes, not /metrics) answered 500 on purpose; only the tests' {@code canary-fault-test} build profile sets it</td></tr>
 * </table>
 *
 * <p>Reloadable keys take effect on SIGHUP (see {@link Main}); the others need a restart.
 *
 * @param addr            bind address (host name or IP literal)
 * @param port            TCP port, 0..65535
 * @param drainTimeoutSec maximum drain time on shutdown, in seconds (&ge; 0)
 * @param dataDir         data directory
 * @param shutdownDelayMs minimum pre-stop delay, in milliseconds (&ge; 0)
 * @param databaseUrl     database URL, or {@code null} for H2 in {@code dataDir}
 * @param redisUrl        Redis URL, or {@code null} for no cache
 * @param track           {@code stable} or {@code canary}
 * @param cacheTtlSec     Redis cache TTL, seconds (1..86400)
 * @param logLevel        log level name, lower case
 * @param logFormat       {@code human} or {@code json}
 * @param debugEndpoints  whether {@code /debug/*} is served
 * @param maxBodyBytes    largest accepted request body, bytes
 * @param trustedProxies  proxies whose X-Forwarded-* headers are honoured
 * @param configFile      the {@code --config} file, or {@code null}; re-read on SIGHUP
 * @param faultPercent    percent of requests answered 500 on purpose (0-100), for canary tests
 */
public record Config(String addr, int port, long drainTimeoutSec, Path dataDir, long shutdownDelayMs,
                     String databaseUrl, String redisUrl, String track, long cacheTtlSec, String logLevel,
                     String logFormat, boolean debugEndpoints, long maxBodyBytes, ProxyTrust trustedProxies,
                     Path configFile, int faultPercent) {

    /** Classpath resource with baked-in build-profile defaults (optional); see the class doc. */
    public static final String DEFAULTS_RESOURCE = "myapp-defaults.properties";
    /** Default TCP port. */
    public static final int DEFAULT_PORT = 8080;
    /** Default bind address (all IPv4 interfaces). */
    public static final String DEFAULT_ADDR = "0.0.0.0";
    /** Default drain timeout, in seconds. */
    public static final long DEFAULT_DRAIN_TIMEOUT_SEC = 30;
    /** Default data directory. */
    public static final String DEFAULT_DATA_DIR = "./data";

    private static final List<String> KEYS = List.of("port", "addr", "drain.timeout", "data.dir", "shutdown.delay.ms",
            "database.url", "redis.url", "track", "cache.ttl", "log.level", "log.format", "debug.endpoints",
            "max.body.bytes", "trusted.proxies", "fault.percent");
    private static final Map<String, String> DEFAULTS = Map.ofEntries(
            Map.entry("port", String.valueOf(DEFAULT_PORT)),
            Map.entry("addr", DEFAULT_ADDR),
            Map.entry("drain.timeout", String.valueOf(DEFAULT_DRAIN_TIMEOUT_SEC)),
            Map.entry("data.dir", DEFAULT_DATA_DIR),
            Map.entry("shutdown.delay.ms", "0"),
            Map.entry("track", "stable"),
            Map.entry("cache.ttl", "60"),
            Map.entry("log.level", "info"),
            Map.entry("log.format", "human"),
            Map.entry("debug.endpoints", "true"),
            Map.entry("max.body.bytes", "65536"),
            Map.entry("fault.percent", "0"));

    /** Usage text for {@code --help}. */
    public static final String USAGE = String.join("\n",
            "Usage: myapp [--config FILE] [--port N] [--addr A]",
            "       myapp version",
            "",
            "Settings (properties key in FILE / environment variable):",
            "  port / PORT                        TCP port (default 8080)",
            "  addr / ADDR                        bind address (default 0.0.0.0)",
            "  drain.timeout / DRAIN_TIMEOUT      max seconds to drain in-flight requests on SIGTERM/SIGINT (default 30)",
            "  data.dir / DATA_DIR                data directory, created if missing (default ./data)",
            "  shutdown.delay.ms / SHUTDOWN_DELAY_MS  min ms to keep serving while unready after SIGTERM (default 0)",
            "  database.url / DATABASE_URL        postgres://user:pass@host:port/db or jdbc:... (default: H2 in data dir)",
            "  redis.url / REDIS_URL              redis://host:port to cache note reads (default: no cache)",
            "  track / TRACK                      stable or canary, a label on every metric (default stable)",
            "  cache.ttl / CACHE_TTL              seconds a note stays cached (default 60)",
            "  log.level / LOG_LEVEL              trace, debug, info, warn, error (default info)",
            "  log.format / LOG_FORMAT            human or json (default human)",
            "  debug.endpoints / DEBUG_ENDPOINTS  true or false: serve /debug/* (default true)",
            "  max.body.bytes / MAX_BODY_BYTES    largest request body in bytes (default 65536)",
            "  trusted.proxies / TRUSTED_PROXIES  IPs or CIDRs whose X-Forwarded-For/-Proto are honoured (default none)",
            "  fault.percent / FAULT_PERCENT      percent of requests answered 500 on purpose, for canary tests (default 0)",
            "Precedence: defaults < " + DEFAULTS_RESOURCE + " on the classpath < --config FILE < environment < flags.",
            "SIGHUP re-reads FILE and the environment given at start; log.level, cache.ttl and",
            "debug.endpoints change at once, the rest at the next restart.",
            "");

    /**
     * Parses configuration from the layers described in the class documentation, reading the
     * defaults resource from this class's class loader.
     *
     * @param env  environment variables (e.g. {@link System#getenv()})
     * @param args command-line arguments
     * @return the configuration
     * @throws IllegalArgumentException on an unknown flag, a missing flag value, an unreadable
     *                                  or unknown-key config file, or an invalid value; the message
     *                                  is one line, suitable for the user
     */
    public static Config parse(Map<String, String> env, String[] args) {
        return parse(env, args, Config.class.getClassLoader());
    }

    /**
     * Like {@link #parse(Map, String[])}, reading {@value #DEFAULTS_RESOURCE} from {@code loader}
     * (none if {@code loader} is {@code null}).
     *
     * @param env    environment variables
     * @param args   command-line arguments
     * @param loader where to look for the defaults resource, or {@code null}
     * @return the configuration
     * @throws IllegalArgumentException as for {@link #parse(Map, String[])}
     */
    public static Config parse(Map<String, String> env, String[] args, ClassLoader loader) {
        Map<String, String> flags = new LinkedHashMap<>();
        Path configFile = null;
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
            if (!name.equals("--port") && !name.equals("--addr") && !name.equals("--config")) {
                throw new IllegalArgumentException("unknown argument: " + a + " (try --help)");
            }
            if (value == null) {
                if (i + 1 >= args.length) {
                    throw new IllegalArgumentException("missing value for " + name);
                }
                value = args[++i];
            }
            if (value.isBlank()) {
                throw new IllegalArgumentException(name + " must not be empty");
            }
            if (name.equals("--config")) {
                configFile = Path.of(value.trim());
            } else {
                flags.put(name.substring(2), value.trim());
            }
        }

        Map<String, String> values = new LinkedHashMap<>(DEFAULTS);
        Map<String, String> sources = new LinkedHashMap<>();
        if (loader != null) {
            try (InputStream in = loader.getResourceAsStream(DEFAULTS_RESOURCE)) {
                if (in != null) {
                    merge(values, sources, read(new java.io.InputStreamReader(in, StandardCharsets.UTF_8),
                            DEFAULTS_RESOURCE), DEFAULTS_RESOURCE);
                }
            } catch (IOException e) {
                throw new IllegalArgumentException(DEFAULTS_RESOURCE + ": " + e.getMessage());
            }
        }
        if (configFile != null) {
            try (Reader r = Files.newBufferedReader(configFile, StandardCharsets.UTF_8)) {
                merge(values, sources, read(r, configFile.toString()), configFile.toString());
            } catch (NoSuchFileException e) {
                throw new IllegalArgumentException(configFile + ": no such file");
            } catch (IOException e) {
                throw new IllegalArgumentException(configFile + ": cannot read: " + e.getMessage());
            }
        }
        for (String key : KEYS) {
            String var = envName(key);
            String v = env.get(var);
            if (v != null && !v.isBlank()) {
                values.put(key, v.trim());
                sources.put(key, var);
            }
        }
        for (Map.Entry<String, String> f : flags.entrySet()) {
            values.put(f.getKey(), f.getValue());
            sources.put(f.getKey(), "--" + f.getKey());
        }
        return build(values, sources, configFile);
    }

    /**
     * Returns the environment variable name for a key: upper case, dots as underscores.
     *
     * @param key a key such as {@code log.level}
     * @return the variable name, e.g. {@code LOG_LEVEL}
     */
    public static String envName(String key) {
        return key.toUpperCase(Locale.ROOT).replace('.', '_');
    }

    private static Map<String, String> read(Reader r, String where) throws IOException {
        Properties p = new Properties();
        try {
            p.load(r);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(where + ": " + e.getMessage());
        }
        Map<String, String> m = new LinkedHashMap<>();
        List<String> unknown = new ArrayList<>();
        for (String k : p.stringPropertyNames()) {
            if (!KEYS.contains(k)) {
                unknown.add(k);
            }
            m.put(k, p.getProperty(k).trim());
        }
        if (!unknown.isEmpty()) {
            unknown.sort(null);
            throw new IllegalArgumentException(where + ": unknown key " + String.join(", ", unknown)
                    + " (known: " + String.join(", ", KEYS) + ")");
        }
        return m;
    }

    private static void merge(Map<String, String> values, Map<String, String> sources, Map<String, String> layer,
                              String where) {
        for (Map.Entry<String, String> e : layer.entrySet()) {
            if (!e.getValue().isEmpty()) {
                values.put(e.getKey(), e.getValue());
                sources.put(e.getKey(), where + " " + e.getKey());
            }
        }
    }

    private static Config build(Map<String, String> v, Map<String, String> src, Path configFile) {
        int port = (int) parseLong(v, src, "port", 0, 65535);
        long drain = parseLong(v, src, "drain.timeout", 0, 86_400);
        long delay = parseLong(v, src, "shutdown.delay.ms", 0, 86_400_000);
        long ttl = parseLong(v, src, "cache.ttl", 1, 86_400);
        long maxBody = parseLong(v, src, "max.body.bytes", 1, 64L * 1024 * 1024);
        String track = oneOf(v, src, "track", List.of("stable", "canary"));
        String level = oneOf(v, src, "log.level", List.of("trace", "debug", "info", "warn", "error"));
        String format = oneOf(v, src, "log.format", List.of("human", "json"));
        boolean debug = Boolean.parseBoolean(oneOf(v, src, "debug.endpoints", List.of("true", "false")));
        String db = v.get("database.url");
        if (db != null && !db.startsWith("jdbc:") && !db.startsWith("postgres://") && !db.startsWith("postgresql://")) {
            throw new IllegalArgumentException(name(src, "database.url")
                    + ": must start with postgres://, postgresql:// or jdbc:");
        }
        String redis = v.get("redis.url");
        if (redis != null && !redis.startsWith("redis://")) {
            throw new IllegalArgumentException(name(src, "redis.url") + ": must start with redis://");
        }
        ProxyTrust proxies;
        try {
            proxies = ProxyTrust.parse(v.getOrDefault("trusted.proxies", ""));
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException(name(src, "trusted.proxies") + ": " + e.getMessage());
        }
        return new Config(v.get("addr"), port, drain, Path.of(v.get("data.dir")), delay, db, redis, track, ttl, level,
                format, debug, maxBody, proxies, configFile, (int) parseLong(v, src, "fault.percent", 0, 100));
    }

    private static String name(Map<String, String> src, String key) {
        return src.getOrDefault(key, key);
    }

    private static String oneOf(Map<String, String> v, Map<String, String> src, String key, List<String> allowed) {
        String s = v.get(key).toLowerCase(Locale.ROOT);
        if (!allowed.contains(s)) {
            throw new IllegalArgumentException(name(src, key) + ": \"" + v.get(key) + "\" is not one of "
                    + String.join(", ", allowed));
        }
        return s;
    }

    private static long parseLong(Map<String, String> v, Map<String, String> src, String key, long min, long max) {
        String text = v.get(key);
        long n;
        try {
            n = Long.parseLong(text.trim());
        } catch (NumberFormatException e) {
            throw new IllegalArgumentException(name(src, key) + ": not an integer: \"" + text + "\"");
        }
        if (n < min || n > max) {
            throw new IllegalArgumentException(name(src, key) + ": " + n + " out of range [" + min + ", " + max + "]");
        }
        return n;
    }
}
