package dev.slipway.init;

import dev.slipway.init.Project.Framework;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Whether a service serves HTTPS only on its port, read from its configuration and sources the way
 * {@code slipway init} reads the rest: Slipway's probes speak plain HTTP, so such a service gets tcp
 * probes (an http probe on a TLS port gets no answer; the gate says so and stops). The shapes, each
 * framework's own keys in its profile-less configuration files in {@code src/main/resources}
 * ({@code application.properties}, {@code application.yml}/{@code .yaml}; Helidon MP also
 * {@code META-INF/microprofile-config.properties}):
 * <ul>
 *   <li>Spring Boot: {@code server.ssl.key-store}, {@code server.ssl.certificate} or
 *       {@code server.ssl.bundle} set, or {@code server.ssl.enabled=true}, unless
 *       {@code server.ssl.enabled=false} (Spring Boot's {@code Ssl}: one connector on
 *       {@code server.port}, TLS when SSL is configured and enabled).</li>
 *   <li>Quarkus: {@code quarkus.http.insecure-requests=disabled} with a certificate
 *       ({@code quarkus.http.ssl.certificate.*}, or a key store of the TLS registry,
 *       {@code quarkus.tls.*key-store*}); Quarkus then serves HTTPS on {@code quarkus.http.ssl-port}
 *       (default 8443) and opens no HTTP port.</li>
 *   <li>Micronaut: {@code micronaut.server.ssl.enabled=true} or {@code micronaut.ssl.enabled=true}
 *       with {@code build-self-signed: true} or a {@code key-store.path} (under either prefix), and no
 *       {@code micronaut.server.dual-protocol=true}; Micronaut then serves HTTPS on
 *       {@code micronaut.server.ssl.port} (default 8443) only.</li>
 *   <li>Helidon SE and MP: a {@code server.tls} section (its keys), unless
 *       {@code server.tls.enabled=false}: the server's socket speaks TLS.</li>
 *   <li>A plain app: {@code HttpsServer.create(...)} (the JDK's {@code com.sun.net.httpserver}) in
 *       its sources and no {@code HttpServer.create(...)}.</li>
 * </ul>
 * Keys match with Spring's and Micronaut's relaxed names: case, {@code -} and {@code _} aside
 * ({@code keyStore} is {@code key-store}). Like the rest of init, a reading of the text: a
 * profile's file or a variable that turns TLS on at run time is not seen.
 */
public final class HttpsOnly {
    private HttpsOnly() {}

    /** The HTTPS port Quarkus ({@code quarkus.http.ssl-port}) and Micronaut ({@code micronaut.server.ssl.port}) default to. */
    public static final int DEFAULT_OWN_PORT = 8443;

    /**
     * A framework whose HTTPS connector has a port of its own, apart from the HTTP port.
     *
     * @param key its configuration key, e.g. {@code quarkus.http.ssl-port}
     * @param env the environment variable the framework maps to that key, e.g. {@code QUARKUS_HTTP_SSL_PORT}
     */
    public record OwnPort(String key, String env) {}

    private static final Pattern HTTPS_SERVER = Pattern.compile("\\bHttpsServer\\s*\\.\\s*create\\s*\\(");
    private static final Pattern HTTP_SERVER = Pattern.compile("\\bHttpServer\\s*\\.\\s*create\\s*\\(");

    /**
     * @param fw the framework
     * @return where its HTTPS port is configured when that is not its HTTP port (Quarkus, Micronaut),
     *         else {@code null} (the one port speaks TLS)
     */
    public static OwnPort ownPort(Framework fw) {
        return switch (fw) {
            case QUARKUS -> new OwnPort("quarkus.http.ssl-port", "QUARKUS_HTTP_SSL_PORT");
            case MICRONAUT -> new OwnPort("micronaut.server.ssl.port", "MICRONAUT_SERVER_SSL_PORT");
            default -> null;
        };
    }

    /**
     * Finds what makes the service HTTPS-only (the shapes in the class comment).
     *
     * @param p the project
     * @return the evidence for init's output, e.g. {@code server.ssl.key-store=classpath:app.p12 in
     *         src/main/resources/application.properties} or {@code HttpsServer.create in
     *         src/main/java/com/example/Hello.java}, or {@code null} when the service serves plain HTTP
     */
    public static String find(Project p) {
        return switch (p.framework()) {
            case SPRING_BOOT, QUARKUS, MICRONAUT, HELIDON_SE, HELIDON_MP -> fromConfig(p.framework(), Config.read(p));
            case PLAIN -> fromSources(p.sources());
            default -> null;
        };
    }

    static String fromConfig(Framework fw, Config c) {
        switch (fw) {
            case SPRING_BOOT -> {
                if ("false".equalsIgnoreCase(c.get("server.ssl.enabled"))) {
                    return null;
                }
                for (String k : List.of("server.ssl.key-store", "server.ssl.certificate", "server.ssl.bundle")) {
                    if (c.get(k) != null) {
                        return c.where(k);
                    }
                }
                return "true".equalsIgnoreCase(c.get("server.ssl.enabled")) ? c.where("server.ssl.enabled") : null;
            }
            case QUARKUS -> {
                if (!"disabled".equalsIgnoreCase(c.get("quarkus.http.insecure-requests"))) {
                    return null;
                }
                String cert = c.firstKey(k -> k.startsWith("quarkus.http.ssl.certificate.")
                        || k.startsWith("quarkus.tls.") && k.contains("keystore"));
                return cert == null ? null : c.where("quarkus.http.insecure-requests") + ", with " + cert;
            }
            case MICRONAUT -> {
                if ("true".equalsIgnoreCase(c.get("micronaut.server.dual-protocol"))) {
                    return null;
                }
                String on = "true".equalsIgnoreCase(c.get("micronaut.server.ssl.enabled")) ? "micronaut.server.ssl.enabled"
                        : "true".equalsIgnoreCase(c.get("micronaut.ssl.enabled")) ? "micronaut.ssl.enabled" : null;
                if (on == null) {
                    return null;
                }
                for (String prefix : List.of("micronaut.server.ssl.", "micronaut.ssl.")) {
                    if ("true".equalsIgnoreCase(c.get(prefix + "build-self-signed"))) {
                        return c.where(on) + ", with " + prefix + "build-self-signed";
                    }
                    if (c.get(prefix + "key-store.path") != null) {
                        return c.where(on) + ", with " + prefix + "key-store.path";
                    }
                }
                return null;
            }
            case HELIDON_SE, HELIDON_MP -> {
                if ("false".equalsIgnoreCase(c.get("server.tls.enabled"))) {
                    return null;
                }
                String tls = c.firstKey(k -> k.startsWith("server.tls."));
                return tls == null ? null : "server.tls in " + c.file(tls);
            }
            default -> {
                return null;
            }
        }
    }

    /**
     * @param sources source file (relative to the service directory) to its text
     * @return {@code HttpsServer.create in FILE} when a source creates the JDK's HTTPS server and none
     *         its plain HTTP server, else {@code null}
     */
    static String fromSources(Map<String, String> sources) {
        String https = null;
        for (Map.Entry<String, String> e : sources.entrySet()) {
            if (HTTP_SERVER.matcher(e.getValue()).find()) {
                return null;
            }
            if (https == null && HTTPS_SERVER.matcher(e.getValue()).find()) {
                https = "HttpsServer.create in " + e.getKey();
            }
        }
        return https;
    }

    /**
     * The app's configuration, flattened to dotted keys in relaxed form (lower case, no {@code -} or
     * {@code _}), each with the value and the file that set it first.
     */
    static final class Config {
        private final Map<String, String> values = new LinkedHashMap<>();
        private final Map<String, String> names = new LinkedHashMap<>();
        private final Map<String, String> files = new LinkedHashMap<>();

        static Config read(Project p) {
            Config c = new Config();
            Proposal.configFiles(p).forEach((name, flat) -> c.add(flat, "src/main/resources/" + name));
            return c;
        }

        void add(Map<String, String> flat, String file) {
            flat.forEach((k, v) -> {
                String key = relaxed(k);
                if (!values.containsKey(key)) {
                    values.put(key, v.strip());
                    names.put(key, k);
                    files.put(key, file);
                }
            });
        }

        static String relaxed(String key) {
            return key.toLowerCase(Locale.ROOT).replace("-", "").replace("_", "");
        }

        /** @return the value of {@code key} (any relaxed spelling), or {@code null} */
        String get(String key) {
            return values.get(relaxed(key));
        }

        /** @return {@code key=value in FILE}, as the file spells the key */
        String where(String key) {
            String k = relaxed(key);
            return names.get(k) + "=" + values.get(k) + " in " + files.get(k);
        }

        /** @return the file that sets {@code key} */
        String file(String key) {
            return files.get(relaxed(key));
        }

        /** @return the first key (as the file spells it) whose relaxed form passes {@code test}, or {@code null} */
        String firstKey(java.util.function.Predicate<String> test) {
            return values.keySet().stream().filter(test).findFirst().map(names::get).orElse(null);
        }
    }
}
