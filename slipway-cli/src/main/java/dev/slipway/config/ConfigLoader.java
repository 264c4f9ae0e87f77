package dev.slipway.config;

import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.core.JsonLocation;
import com.fasterxml.jackson.core.JsonParseException;
import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.core.JsonToken;
import com.fasterxml.jackson.core.exc.InputCoercionException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.exc.InvalidFormatException;
import com.fasterxml.jackson.databind.exc.MismatchedInputException;
import com.fasterxml.jackson.databind.exc.UnrecognizedPropertyException;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLParser;
import dev.slipway.util.Versions;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Deque;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import dev.slipway.build.Platform;

/**
 * Reads {@code slipway.yaml} strictly and resolves defaults.
 *
 * <p>Every error is a {@link ConfigException} with {@code file:line:col}: YAML syntax errors
 * (tabs included), duplicate keys, an empty file, unknown keys (with a "did you mean"), wrong
 * types, bad durations and out-of-range values.
 */
public final class ConfigLoader {
    /** The file name Slipway looks for in a service directory. */
    public static final String FILE_NAME = "slipway.yaml";

    /** {@code train.timeout} when unset (docs/config.md, {@code train}): how long the training run may take to become ready. */
    public static final Duration DEFAULT_TRAIN_TIMEOUT = Duration.ofSeconds(60);

    /**
     * The default build command: package without tests, copy the runtime dependencies to
     * {@code target/slipway/lib}, and list them in class path order, with optional ones marked, in
     * {@code target/slipway/dependencies.txt} (the dependency plugin cannot leave optional
     * dependencies out of the copy, MDEP-588; Slipway leaves them out using the list).
     */
    public static final List<String> DEFAULT_BUILD_COMMAND = List.of(
            "mvn", "-q", "-B", "-DskipTests", "package",
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:copy-dependencies",
            "org.apache.maven.plugins:maven-dependency-plugin:3.8.1:list",
            "-DincludeScope=runtime", "-DoutputDirectory=target/slipway/lib",
            "-DoutputFile=target/slipway/dependencies.txt");

    /** The longest service name: a DNS label's 63 (RFC 1123), as Kubernetes object names need. */
    public static final int NAME_MAX = 63;
    /** The longest version: it goes into file names with the name, os and arch. */
    public static final int VERSION_MAX = 128;
    private static final Pattern NAME = Pattern.compile("[a-z0-9][a-z0-9._-]*");
    private static final Pattern DURATION = Pattern.compile("(\\d+)(ms|s|m|h)");
    private static final Pattern PLATFORM_GLOB = Pattern.compile("\\*|(linux|darwin|windows)-(amd64|arm64|\\*)");
    private static final Pattern RESOURCE = Pattern.compile("[A-Za-z0-9_.-]+(/[A-Za-z0-9_.-]+)*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    static final Pattern ADDRESS = Pattern.compile("[A-Za-z0-9][A-Za-z0-9.-]*|[0-9A-Fa-f:.]*:[0-9A-Fa-f:.]*");
    private static final Pattern DOTTED_NUMBERS = Pattern.compile("[0-9]+(\\.[0-9]+){2}\\.[^.]*");

    /**
     * Whether {@code text} can name a machine: an IPv6 literal, an IPv4 address (four numbers of at
     * most 255), or a host name of letters, digits, '.' and '-'. Four dot-separated labels whose first
     * three are numbers must be an IPv4 address: {@code 127.0.0.l} (a letter l for the digit 1) is a
     * typo, not a host name (RFC 1123, 2.1: a host name is not to look like a dotted-decimal number).
     *
     * @param text the value from slipway.yaml
     * @return whether it is accepted
     */
    static boolean isAddress(String text) {
        if (text == null || !ADDRESS.matcher(text).matches()) {
            return false;
        }
        if (DOTTED_NUMBERS.matcher(text).matches()) {
            String[] parts = text.split("\\.");
            for (String part : parts) {
                if (!part.matches("[0-9]{1,3}") || Integer.parseInt(part) > 255) {
                    return false;
                }
            }
        }
        return true;
    }

    /**
     * Whether {@code text} is a Java class's binary name ({@code com.example.App}, {@code a.B$C}):
     * dot-separated Java identifiers (JLS 13.1, 3.8).
     *
     * @param text the value of {@code main}
     * @return whether it is one
     */
    static boolean isClassName(String text) {
        for (String part : text.split("\\.", -1)) {
            if (part.isEmpty() || !Character.isJavaIdentifierStart(part.codePointAt(0))
                    || !part.codePoints().allMatch(Character::isJavaIdentifierPart)) {
                return false;
            }
        }
        return true;
    }
    private static final java.util.Set<String> RESERVED_ENV = java.util.Set.of("PORT", "ADDR", "DRAIN_TIMEOUT");
    private static final java.util.Set<String> TRAIN_RESERVED_ENV = java.util.Set.of("PORT", "ADDR", "DATA_DIR");

    private ConfigLoader() {}

    /**
     * Loads {@code slipway.yaml} from a service directory.
     *
     * @param serviceDir the service directory
     * @return the resolved configuration
     * @throws ConfigException (exit 2) when the file is missing or invalid
     */
    public static SlipwayConfig loadFromDir(Path serviceDir) {
        Path file = serviceDir.resolve(FILE_NAME);
        if (!Files.isDirectory(serviceDir)) {
            throw new ConfigException(serviceDir, 0, 0, "no such service directory" + nearbyService(serviceDir));
        }
        if (!Files.isRegularFile(file)) {
            throw new ConfigException(file, 0, 0, notAFile(file, serviceDir));
        }
        return load(file);
    }

    /**
     * @param missing a service directory that does not exist
     * @return {@code "; did you mean PATH?"} naming (as the user wrote the path) the sibling directory holding a
     *         {@value #FILE_NAME} whose name is closest to the mistyped one ({@link Suggest}), or
     *         {@code ""} when none is close or the parent cannot be listed
     */
    private static String nearbyService(Path missing) {
        Path name = missing.toAbsolutePath().normalize().getFileName();
        Path parent = missing.toAbsolutePath().normalize().getParent();
        if (name == null || parent == null || !Files.isDirectory(parent)) {
            return "";
        }
        String closest = Suggest.closest(name.toString(), servicesBelow(parent));
        return closest == null ? "" : "; did you mean " + missing.resolveSibling(closest) + "?";
    }

    /**
     * The subdirectories of {@code dir} that hold a {@code slipway.yaml}: the services beside a
     * mistyped one, or the modules of a multi-module build, where {@code slipway init} at the root
     * writes the service module's file.
     *
     * @param dir a directory
     * @return their names, sorted (of the first 10 000 entries); empty when none or when {@code dir}
     *         cannot be listed
     */
    private static List<String> servicesBelow(Path dir) {
        try (Stream<Path> s = Files.list(dir)) {
            return s.limit(10_000).filter(d -> Files.isRegularFile(d.resolve(FILE_NAME)))
                    .map(d -> d.getFileName().toString()).sorted().toList();
        } catch (IOException | RuntimeException e) {
            return List.of();
        }
    }

    /** @return what {@code file}, which is not a regular file (links followed), is instead */
    private static String notAFile(Path file, Path serviceDir) {
        if (Files.isSymbolicLink(file) && !Files.exists(file)) {
            String target;
            try {
                target = Files.readSymbolicLink(file).toString();
            } catch (IOException e) {
                target = "?";
            }
            return FILE_NAME + " is a symbolic link to " + target + ", which does not exist";
        }
        if (Files.isDirectory(file)) {
            return FILE_NAME + " is a directory; it must be a file (see docs/config.md)";
        }
        if (Files.exists(file)) {
            return FILE_NAME + " is not a regular file (a named pipe, socket or device?); it must be a file";
        }
        List<String> below = servicesBelow(serviceDir).stream().limit(5).toList();
        if (!below.isEmpty()) {
            return "no " + FILE_NAME + " in " + serviceDir + "; the service " + (below.size() == 1 ? "directory" : "directories")
                    + " below it: " + String.join(", ", below) + " (name one to the command, e.g. "
                    + serviceDir.resolve(below.get(0)) + ")";
        }
        return "no " + FILE_NAME + " in " + serviceDir + " (a service directory needs one: 'slipway init' writes it; see docs/config.md)";
    }

    /**
     * Loads and validates one configuration file.
     *
     * @param file the YAML file
     * @return the resolved configuration
     * @throws ConfigException (exit 2) when the file cannot be read or is invalid
     */
    public static SlipwayConfig load(Path file) {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(file);
        } catch (NoSuchFileException e) {
            throw new ConfigException(file, 0, 0, "no such file");
        } catch (IOException e) {
            throw new ConfigException(file, 0, 0, "cannot read: " + e.getMessage());
        }
        return parse(file, bytes);
    }

    /**
     * Parses the bytes of a configuration file, which must be UTF-8 (YAML 1.2, section 5.2).
     *
     * @param file  the file name used in messages and to resolve relative paths
     * @param bytes the file's contents
     * @return the resolved configuration
     * @throws ConfigException (exit 2) at the line and column of the first byte that is not UTF-8,
     *                         or when the text is invalid
     */
    public static SlipwayConfig parse(Path file, byte[] bytes) {
        var decoder = StandardCharsets.UTF_8.newDecoder(); // reports malformed input, never replaces it
        java.nio.ByteBuffer in = java.nio.ByteBuffer.wrap(bytes);
        java.nio.CharBuffer out = java.nio.CharBuffer.allocate(bytes.length); // UTF-8 never has more chars than bytes
        var result = decoder.decode(in, out, true);
        if (!result.isError()) {
            result = decoder.flush(out);
        }
        String text = out.flip().toString();
        if (result.isError()) {
            int lineStart = text.lastIndexOf('\n') + 1;
            throw new ConfigException(file, (int) text.chars().filter(c -> c == '\n').count() + 1,
                    text.length() - lineStart + 1, String.format("byte 0x%02X is not UTF-8 (a file saved as Latin-1"
                            + " or Windows-1252?); save %s as UTF-8", bytes[in.position()] & 0xff, file.getFileName()));
        }
        return parse(file, text);
    }

    /**
     * Parses configuration text.
     *
     * @param file the file name used in messages and to resolve relative paths
     * @param text the YAML text
     * @return the resolved configuration
     * @throws ConfigException (exit 2) when the text is invalid
     */
    public static SlipwayConfig parse(Path file, String text) {
        if (text.isBlank()) {
            throw new ConfigException(file, 1, 1, "the file is empty; it needs at least 'name:'");
        }
        RawConfig raw = QuickBinder.bind(text, RawConfig.class);
        if (raw == null) {
            raw = bind(file, text);
        } else if (CROSSCHECK) {
            RawConfig bound = bind(file, text);
            if (!bound.equals(raw)) {
                throw new IllegalStateException("QuickBinder bound " + file + " otherwise than databind:\n" + raw + "\n" + bound);
            }
        }
        ScalarRules.check(file, text);
        return resolve(file, raw, Locations.index(text), Locations.keys(text));
    }

    /**
     * With the system property {@code slipway.config.crosscheck=true} (the tests set it), a file
     * {@link QuickBinder} binds is bound by databind too, and a difference is an internal error.
     */
    private static final boolean CROSSCHECK = Boolean.getBoolean("slipway.config.crosscheck");

    /**
     * Binds slipway.yaml with Jackson databind: what {@link QuickBinder} gives up on, which is every
     * file whose binding fails (the message comes from databind's exception) and a few valid ones.
     */
    static RawConfig bind(Path file, String text) {
        RawConfig raw;
        try (JsonParser parser = mapper().createParser(text)) {
            raw = parser.readValueAs(RawConfig.class);
            if (raw != null && parser.nextToken() != null) {
                throw at(file, parser.currentTokenLocation(),
                        "a second YAML document; slipway.yaml holds exactly one (remove the '---' line)");
            }
        } catch (UnrecognizedPropertyException e) {
            throw unknownKey(file, e, text);
        } catch (InvalidFormatException e) {
            throwSyntaxError(file, text);
            if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("Cannot coerce")) {
                throw mismatch(file, e, text);
            }
            throw at(file, e.getLocation(), pathOf(e) + ": " + e.getOriginalMessage());
        } catch (MismatchedInputException e) {
            throwSyntaxError(file, text);
            throw mismatch(file, e, text);
        } catch (JsonMappingException e) {
            if (e.getCause() instanceof com.fasterxml.jackson.core.exc.StreamConstraintsException) {
                throw tooDeep(file, text);
            }
            if (e.getCause() instanceof InputCoercionException c) {
                JsonLocation value = Locations.index(text).get(pathOf(e));
                throw outOfRange(file, text, pathOf(e) + ": ", value != null ? value : e.getLocation(), c);
            }
            // Syntax errors met while binding a nested value arrive wrapped; report them as syntax.
            if (e.getCause() instanceof JsonParseException p) {
                throw syntax(file, p);
            }
            String m = firstLine(e.getOriginalMessage());
            if (m.startsWith("Duplicate field")) {
                throw at(file, e.getLocation(), "invalid YAML: duplicate key "
                        + m.substring("Duplicate field ".length()).trim());
            }
            throw at(file, e.getLocation(), (e.getPath().isEmpty() ? "" : pathOf(e) + ": ") + m);
        } catch (JsonParseException e) {
            throw syntax(file, e);
        } catch (com.fasterxml.jackson.core.exc.StreamConstraintsException e) {
            throw tooDeep(file, text);
        } catch (JsonProcessingException e) {
            throw at(file, e.getLocation(), "invalid YAML: " + firstLine(e.getOriginalMessage()));
        } catch (java.io.IOException e) {
            throw new ConfigException(file, 0, 0, "cannot read: " + e.getMessage());
        }
        if (raw == null) {
            throw new ConfigException(file, 1, 1, "the file is empty; it needs at least 'name:'");
        }
        return raw;
    }

    /**
     * The configuration of a file that holds only {@code name:}: every other key at its default,
     * resolved by the same code as {@link #parse} without any text to parse. For a target that
     * rebuilds its settings from what it recorded (the local target's {@code status} and
     * {@code stop} when slipway.yaml is broken), which then replaces the values it recorded.
     *
     * @param file the file name used in messages and to resolve relative paths
     * @param name the service name
     * @return the resolved configuration
     * @throws ConfigException (exit 2) when the name is not a valid service name
     */
    public static SlipwayConfig defaults(Path file, String name) {
        RawConfig raw = new RawConfig(name, null, null, null, null, null, null, null, null, null, null, null, null);
        return resolve(file, raw, Map.of(), Map.of());
    }

    /**
     * Jackson stops at a nesting depth over {@code StreamReadConstraints.getMaxNestingDepth()}
     * (1000) without a location; this finds the line where the limit is passed by reading again
     * without the limit (SnakeYAML's event parser has none of its own).
     */
    private static ConfigException tooDeep(Path file, String text) {
        int limit = com.fasterxml.jackson.core.StreamReadConstraints.DEFAULT_MAX_DEPTH;
        YAMLFactory unbounded = YAMLFactory.builder().streamReadConstraints(com.fasterxml.jackson.core.StreamReadConstraints
                .builder().maxNestingDepth(Integer.MAX_VALUE).build()).build();
        JsonLocation where = null;
        try (JsonParser p = unbounded.createParser(text)) {
            int depth = 0;
            JsonToken t;
            while ((t = p.nextToken()) != null && where == null) {
                if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                    if (++depth > limit) {
                        where = p.currentTokenLocation();
                    }
                } else if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                    depth--;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no location then
        }
        return at(file, where, "mappings and lists nest more than " + limit + " levels deep here;"
                + " slipway.yaml's keys nest a few levels at most (a generated file gone wrong?)");
    }

    private static ObjectMapper mapper() {
        YAMLFactory yaml = YAMLFactory.builder().build();
        ObjectMapper mapper = new ObjectMapper(yaml);
        mapper.enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES);
        mapper.enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);
        mapper.disable(com.fasterxml.jackson.databind.MapperFeature.ALLOW_COERCION_OF_SCALARS);
        mapper.enable(JsonParser.Feature.STRICT_DUPLICATE_DETECTION);
        mapper.disable(DeserializationFeature.ACCEPT_FLOAT_AS_INT);
        // 'port: 80.5' or 'jvmOptions: [1, true]' are mistakes, not values to convert.
        mapper.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.Textual)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Integer,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Float,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.Boolean,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
        mapper.coercionConfigFor(com.fasterxml.jackson.databind.type.LogicalType.POJO)
                .setCoercion(com.fasterxml.jackson.databind.cfg.CoercionInputShape.EmptyString,
                        com.fasterxml.jackson.databind.cfg.CoercionAction.Fail);
        SimpleModule module = new SimpleModule("slipway-config");
        module.addDeserializer(Duration.class, new DurationDeserializer());
        module.addDeserializer(Listen.class, new ListenDeserializer());
        mapper.registerModule(module);
        return mapper;
    }

    /**
     * Parses a duration such as {@code 500ms}, {@code 1s}, {@code 2m} or {@code 1h}.
     *
     * @param text the duration text
     * @return the duration
     * @throws IllegalArgumentException when the text is not of that form
     */
    public static Duration parseDuration(String text) {
        var m = DURATION.matcher(text.trim());
        if (!m.matches()) {
            throw new IllegalArgumentException("'" + text
                    + "' is not a duration; write a whole number with a unit: 500ms, 30s, 5m, 1h");
        }
        long n;
        try {
            n = Long.parseLong(m.group(1));
        } catch (NumberFormatException e) {
            n = Long.MAX_VALUE;
        }
        if (n > 86_400_000L) {
            throw new IllegalArgumentException("'" + text + "' is too long; a duration is at most 24h");
        }
        Duration d = switch (m.group(2)) {
            case "ms" -> Duration.ofMillis(n);
            case "s" -> Duration.ofSeconds(n);
            case "m" -> Duration.ofMinutes(n);
            default -> Duration.ofHours(n);
        };
        if (d.compareTo(Duration.ofHours(24)) > 0) {
            throw new IllegalArgumentException("'" + text + "' is too long; a duration is at most 24h");
        }
        return d;
    }

    private static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING) {
                return (Duration) ctxt.handleUnexpectedToken(Duration.class, p);
            }
            try {
                return parseDuration(p.getText());
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), p.getText(), Duration.class);
            }
        }
    }

    /** {@code listen: 8080} (a YAML integer) or {@code listen: "127.0.1.5:8080"}, as {@link Listen#parse}. */
    private static final class ListenDeserializer extends JsonDeserializer<Listen> {
        @Override
        public Listen deserialize(JsonParser p, DeserializationContext ctxt) throws IOException {
            if (p.currentToken() != JsonToken.VALUE_STRING && p.currentToken() != JsonToken.VALUE_NUMBER_INT) {
                return (Listen) ctxt.handleUnexpectedToken(Listen.class, p);
            }
            try {
                return Listen.parse(p.getText());
            } catch (IllegalArgumentException e) {
                throw InvalidFormatException.from(p, e.getMessage(), p.getText(), Listen.class);
            }
        }
    }

    // ---- raw model: what the YAML may contain; every field optional -------------------------

    record RawConfig(@Key(maxLength = NAME_MAX, doc = "The service name: lower-case letters, digits, '.', '_', '-'")
                     String name,
                     @Key(maxLength = VERSION_MAX, doc = "A fixed version (default: from git describe)") String version,
                     String main, List<String> platforms,
                     List<RawIgnore> ignore, RawBuild build, Map<String, RawProfile> profiles, RawTrain train,
                     RawService service, RawDeploy deploy, ReleaseConfig.RawRelease release,
                     ImageConfig.RawImage image, CanaryConfig.RawCanary canary) {}

    record RawProfile(@JsonProperty("default") Boolean isDefault, Boolean always, List<String> platforms, Map<String, String> defaults,
                      List<String> classpath, String resources) {}

    record RawTrain(Boolean enabled, List<String> urls, List<String> args, Map<String, String> env, Duration timeout) {}

    record RawIgnore(String os, String arch) {}

    record RawBuild(List<String> command, String jar, List<String> modules, List<String> excludeModules,
                    @JsonProperty("jvmOptions") List<String> jvmOptions, String jdk,
                    Map<String, String> targetJdks, String defaultsResource,
                    @Key(doc = "false: build.modules is the whole module set and jdeps is not run (default true)")
                    Boolean detectModules,
                    @Key(doc = "Directory of the runtime dependency jars, relative to the service directory"
                            + " (default: found from the build output)") String lib,
                    @Key(doc = "Extra files or directories copied into the layout root keeping their relative"
                            + " path, e.g. config.yml -> ${APP_HOME}/config.yml") List<String> files) {}

    /** {@code service.path}: an absolute URL path (RFC 3986 path-absolute), without query or fragment. */
    private static final java.util.regex.Pattern SERVICE_PATH = java.util.regex.Pattern.compile("/[^\\s?#]*");

    record RawService(Integer port,
                      @Key(doc = "The path the service's routes are under (its context path), e.g. /api: the URL"
                              + " ship, deploy, rollback, start and status print ends in it (default /)") String path,
                      @Key(doc = "What the service port speaks: http, or https for a service that serves HTTPS only"
                              + " (the URLs Slipway prints start with it; the probes speak plain HTTP, so they must be"
                              + " tcp) (default http)", values = {"http", "https"}) String scheme,
                      Map<String, String> env,
                      @Key(doc = "Program arguments baked into the launcher after the main class; ${PORT}, ${ADDR}"
                              + " and ${APP_HOME} expand per instance") List<String> args,
                      RawProbe readiness, RawProbe liveness, Duration drainTimeout) {}

    record RawProbe(@Key(doc = "http: GET path, 2xx passes; tcp: the port accepts a TCP connection (no path);"
                            + " grpc: grpc.health.v1 Check over cleartext HTTP/2, SERVING passes (no path);"
                            + " process: for a service with no port, the process still runs after timeout (the settle window)",
                            values = {"http", "tcp", "grpc", "process"}) String type,
                    String path, Duration interval, Duration timeout, Duration startupGrace,
                    @Key(doc = "A grpc probe's grpc.health.v1 service name (default \"\": the whole server)")
                    String service) {}

    record RawDeploy(RawLocal local, HostsConfig.RawHosts hosts, KubernetesConfig.RawKubernetes kubernetes,
                     SwarmConfig.RawSwarm swarm) {}

    record RawLocal(String address, Integer retain, RawProxy proxy) {}

    record RawProxy(@Key(doc = "File the upstream block is rendered into; the site's nginx configuration includes it") String config,
                    @Key(doc = "Where nginx serves the service, ADDRESS:PORT or PORT (the URL status and the deploy give)") Listen listen,
                    @Key(doc = "The two ports the instances alternate between (default [service.port, service.port + 1])")
                    List<Integer> ports,
                    @Key(doc = "Upstream name (default the service name)") String upstream,
                    @Key(doc = "Reload command (default nginx -s reload)") String reload,
                    @Key(doc = "Config test command (default nginx -t -q)") String test) {}

    // ---- resolution and validation -------------------------------------------------------------

    private static SlipwayConfig resolve(Path file, RawConfig raw, Map<String, JsonLocation> loc,
                                         Map<String, JsonLocation> keys) {
        Validator v = new Validator(file, loc, keys);
        List<String> warnings = KeyRules.apply(raw, v, keys);
        if (raw.name() == null) {
            throw new ConfigException(file, 1, 1, "missing required key 'name' (the service name)");
        }
        v.check(NAME.matcher(raw.name()).matches(), "name",
                "'" + raw.name() + "' is not a valid name: use lower-case letters, digits, '.', '_' and '-'");
        if (raw.version() != null) {
            v.check(Versions.isValid(raw.version()), "version",
                    "'" + raw.version() + "' is not a valid version: use letters, digits, '.', '_', '+' and '-'");
        }
        if (raw.main() != null) {
            v.check(isClassName(raw.main()), "main", "'" + raw.main() + "' is not a Java class name (like com.example.App)");
        }
        List<String> platforms = platforms(v, raw);
        RawBuild b = raw.build() == null ? new RawBuild(null, null, null, null, null, null, null, null, null, null, null) : raw.build();
        if (b.command() != null) {
            v.check(!b.command().isEmpty(), "build.command", "the build command is empty");
        }
        Path jdk = b.jdk() == null ? null : jdkHome(v, "build.jdk", b.jdk());
        Map<String, Path> targetJdks = new java.util.TreeMap<>();
        if (b.targetJdks() != null) {
            for (var e : b.targetJdks().entrySet()) {
                String at = "build.targetJdks." + e.getKey();
                try {
                    Platform.parse(e.getKey());
                } catch (dev.slipway.SlipwayException ex) {
                    throw at(file, keyLocation(v, at), ex.getMessage());
                }
                v.check(e.getValue() != null && !e.getValue().isBlank(), at, "a target JDK path is empty");
                // Not checked for existence here: a JDK of another platform is often on the build
                // machine only (CI), and 'slipway build' says what is missing when it needs it.
                targetJdks.put(e.getKey(), resolvePath(file, e.getValue()));
            }
        }
        for (int i = 0; b.jvmOptions() != null && i < b.jvmOptions().size(); i++) {
            String o = b.jvmOptions().get(i);
            v.check(o != null, "build.jvmOptions[" + i + "]", "a JVM option is empty");
            // The first-run AppCDS dump reads its options one per line (app/app.jsa.args).
            v.check(o.indexOf('\n') < 0 && o.indexOf('\r') < 0, "build.jvmOptions[" + i + "]",
                    "a JVM option cannot hold a line break");
        }
        if (b.jar() != null) {
            ServicePaths.inside(v, "build.jar", b.jar());
        }
        SlipwayConfig.Build build = new SlipwayConfig.Build(
                b.command() == null ? DEFAULT_BUILD_COMMAND : List.copyOf(b.command()),
                b.jar(),
                b.modules() == null ? List.of() : List.copyOf(b.modules()),
                b.excludeModules() == null ? List.of() : List.copyOf(b.excludeModules()),
                b.jvmOptions() == null ? List.of() : List.copyOf(b.jvmOptions()),
                jdk, Map.copyOf(targetJdks),
                b.defaultsResource() == null ? "slipway-defaults.properties" : b.defaultsResource(),
                b.detectModules() == null || b.detectModules(),
                b.lib(), b.files() == null ? List.of() : List.copyOf(b.files()));
        if (!build.detectModules()) {
            v.check(!build.modules().isEmpty(), "build.detectModules", "with detectModules: false, build.modules is the"
                    + " whole module set; list the modules there (at least java.base), or remove detectModules: false");
            v.check(build.excludeModules().isEmpty(), "build.excludeModules", "excludeModules has no effect with"
                    + " detectModules: false (build.modules is then the whole set); remove it");
        }
        if (b.lib() != null) {
            inService(v, "build.lib", b.lib());
        }
        for (int i = 0; b.files() != null && i < b.files().size(); i++) {
            String at = "build.files[" + i + "]";
            String f = b.files().get(i);
            v.check(f != null && !f.isBlank(), at, "a file path is empty");
            Path rel = inService(v, at, f);
            String first = rel.getName(0).toString();
            v.check(!LAYOUT_DIRS.contains(first), at, "'" + f + "' would land in the layout's " + first
                    + "/, which Slipway writes; build.files go to the layout root beside runtime/, app/ and bin/");
            v.check(!first.startsWith(".slipway"), at, "'" + f + "': names starting with .slipway are Slipway's own");
            for (int j = 0; j < i; j++) {
                v.check(!Path.of(b.files().get(j)).normalize().equals(rel), at, "'" + f + "' is listed twice");
            }
        }
        v.check(RESOURCE.matcher(build.defaultsResource()).matches() // and no '.' or '..' step out of the jar
                && java.util.Arrays.stream(build.defaultsResource().split("/")).noneMatch(x -> x.equals(".") || x.equals("..")),
                "build.defaultsResource",
                "'" + build.defaultsResource() + "' is not a class path resource name such as app-defaults.properties");

        RawService s = raw.service() == null ? new RawService(null, null, null, null, null, null, null, null) : raw.service();
        int port = s.port() == null ? 8080 : s.port();
        v.check(port >= 1 && port <= 65535, "service.port", "port " + port + " is out of range 1-65535");
        SlipwayConfig.Probe readiness = probe(v, "service.readiness", s.readiness(), new SlipwayConfig.Probe(
                "/health/ready", Duration.ofSeconds(1), Duration.ofSeconds(30), Duration.ZERO));
        // An app checked by a TCP connect has no health path; its liveness is a TCP connect too unless set.
        SlipwayConfig.Probe liveness = probe(v, "service.liveness", s.liveness(), new SlipwayConfig.Probe(
                readiness.type(), readiness.http() ? "/health/live" : null, Duration.ofSeconds(1),
                Duration.ofSeconds(30), Duration.ZERO)); // a grpc liveness asks about the whole server ("")
        List<String> args = s.args() == null ? List.of() : s.args();
        for (int i = 0; i < args.size(); i++) {
            v.check(args.get(i) != null, "service.args[" + i + "]", "an argument is empty; write \"\" for an empty string");
        }
        Duration drain = s.drainTimeout() == null ? Duration.ofSeconds(30) : s.drainTimeout();
        String path = s.path() == null ? "/" : s.path();
        v.check(SERVICE_PATH.matcher(path).matches(), "service.path",
                "'" + path + "' is not a URL path such as /api: it starts with '/' and has no spaces, '?' or '#'");
        path = path.replaceAll("/+$", "") + "/";
        String scheme = s.scheme() == null ? "http" : s.scheme();
        processChecks(v, raw, readiness, liveness);
        // An HTTPS-only port never answers a plain HTTP request: the gate would stop at the first attempt.
        v.check(!scheme.equals("https") || readiness.tcp() || readiness.process(), "service.scheme", "an https service cannot pass "
                + (readiness.grpc() ? "a grpc readiness probe (it speaks cleartext HTTP/2)" : "an http readiness probe (the probes speak plain HTTP)")
                + ": set service.readiness.type: tcp");
        v.check(!scheme.equals("https") || liveness.tcp() || liveness.process(), "service.scheme", "an https service cannot pass "
                + (liveness.grpc() ? "a grpc liveness probe (it speaks cleartext HTTP/2)" : "an http liveness probe (the probes speak plain HTTP)")
                + ": set service.liveness.type: tcp");
        Map<String, String> env = s.env() == null ? Map.of() : new LinkedHashMap<>(s.env());
        env(v, "service.env", env, RESERVED_ENV,
                " is set by Slipway (from service.port, deploy.local.address and service.drainTimeout); set those instead");
        SlipwayConfig.Service service = new SlipwayConfig.Service(port, java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env)), List.copyOf(args), readiness,
                liveness, drain, path, scheme);

        RawLocal l = raw.deploy() == null || raw.deploy().local() == null
                ? new RawLocal(null, null, null) : raw.deploy().local();
        int retain = l.retain() == null ? 5 : l.retain();
        v.check(retain >= 2, "deploy.local.retain",
                "retain must be at least 2, so that the previous release stays for rollback");
        String address = l.address() == null ? "127.0.0.1" : l.address();
        v.check(isAddress(address), "deploy.local.address",
                "'" + address + "' is not an IP address or host name");
        SlipwayConfig.Local local = new SlipwayConfig.Local(address, retain, proxy(v, l.proxy(), port, raw.name()));
        RawTrain t = raw.train() == null ? new RawTrain(null, null, null, null, null) : raw.train();
        for (int i = 0; t.urls() != null && i < t.urls().size(); i++) {
            v.check(t.urls().get(i) != null && t.urls().get(i).startsWith("/"), "train.urls[" + i + "]",
                    "a training URL is a path starting with '/'");
        }
        v.check(t.urls() == null || t.urls().isEmpty() || !readiness.process(), "train.urls", "service.readiness.type"
                + " is process (a service with no port): there is nothing to request; remove train.urls (the training"
                + " run then runs the service for train.timeout, or until it exits)");
        env(v, "train.env", t.env() == null ? Map.of() : t.env(), TRAIN_RESERVED_ENV,
                " is set by Slipway for the training run (its own free port, 127.0.0.1, a temporary directory)");
        for (int i = 0; t.args() != null && i < t.args().size(); i++) {
            v.check(t.args().get(i) != null, "train.args[" + i + "]", "an argument is empty; write \"\" for an empty string");
        }
        SlipwayConfig.Train train = new SlipwayConfig.Train(t.enabled() == null || t.enabled(),
                // A TCP-checked app has no health path to train on; its root still exercises the HTTP stack.
                // A service with no port has nothing to request: it is trained by running for train.timeout.
                t.urls() == null ? (readiness.process() ? List.of() : List.of(readiness.http() ? readiness.path() : "/"))
                        : List.copyOf(t.urls()),
                t.args() == null ? List.of() : List.copyOf(t.args()),
                t.env() == null ? Map.of() : Map.copyOf(t.env()),
                t.timeout() == null ? DEFAULT_TRAIN_TIMEOUT : t.timeout());
        v.check(!train.timeout().isZero(), "train.timeout", "the timeout must be more than 0");
        Map<String, SlipwayConfig.Profile> profiles = new LinkedHashMap<>();
        if (raw.profiles() != null) {
            for (var e : raw.profiles().entrySet()) {
                String at = "profiles." + e.getKey();
                v.checkKey(NAME.matcher(e.getKey()).matches(), at, "'" + e.getKey()
                        + "' is not a valid profile name: use lower-case letters, digits, '.', '_' and '-'");
                RawProfile rp = e.getValue() == null ? new RawProfile(null, null, null, null, null, null) : e.getValue();
                List<String> globs = rp.platforms() == null ? List.of("*") : List.copyOf(rp.platforms());
                for (int i = 0; i < globs.size(); i++) {
                    v.check(PLATFORM_GLOB.matcher(globs.get(i)).matches(), at + ".platforms[" + i + "]",
                            "'" + globs.get(i) + "' is not a platform pattern such as linux-amd64, linux-* or *");
                }
                List<Path> cp = new ArrayList<>();
                for (int i = 0; rp.classpath() != null && i < rp.classpath().size(); i++) {
                    Path jar = ServicePaths.inside(v, at + ".classpath[" + i + "]", rp.classpath().get(i));
                    v.check(Files.isRegularFile(jar), at + ".classpath[" + i + "]", "no such jar: " + jar);
                    cp.add(jar);
                }
                Path res = rp.resources() == null ? null : ServicePaths.inside(v, at + ".resources", rp.resources());
                if (res != null) {
                    v.check(Files.isDirectory(res), at + ".resources", "no such directory: " + res);
                }
                profiles.put(e.getKey(), new SlipwayConfig.Profile(e.getKey(), rp.isDefault() != null && rp.isDefault(),
                        rp.always() != null && rp.always(),
                        globs, rp.defaults() == null ? Map.of() : Map.copyOf(rp.defaults()), List.copyOf(cp), res));
            }
        }
        ReleaseConfig release = ReleaseConfig.resolve(v, raw.release());
        HostsConfig hosts = HostsConfig.resolve(v, raw.deploy() == null ? null : raw.deploy().hosts(), raw.name(), service);
        CanaryConfig canary = CanaryConfig.resolve(v, raw.canary(), raw.name(), hosts,
                raw.deploy() == null ? null : raw.deploy().hosts());
        ImageConfig image = ImageConfig.resolve(v, raw.image());
        if (image.runsAsRoot()) {
            warnings = new ArrayList<>(warnings);
            warnings.add(v.warning("image.user", "the image runs as root (image.user " + image.user()
                    + ", allowed by image.allowRoot)"));
            warnings = List.copyOf(warnings);
        }
        return new SlipwayConfig(file, raw.name(), raw.version(), raw.main(), platforms, build, profiles, train, service,
                local, release, warnings, image, canary, hosts,
                KubernetesConfig.resolve(v, raw.deploy() == null ? null : raw.deploy().kubernetes(), service),
                SwarmConfig.resolve(v, raw.deploy() == null ? null : raw.deploy().swarm(), raw.name(), service),
                file.toAbsolutePath().getParent().resolve(SlipwayConfig.DIST));
    }

    /** The top-level directories of the layout, which {@code build.files} may not write into. */
    private static final java.util.Set<String> LAYOUT_DIRS = java.util.Set.of("runtime", "app", "bin");

    /**
     * {@link ServicePaths#inside}, as a path relative to the service directory.
     *
     * @return the normalized relative path
     */
    private static Path inService(Validator v, String at, String text) {
        return v.file().toAbsolutePath().getParent().relativize(ServicePaths.inside(v, at, text));
    }

    /**
     * A JDK home from the file: it may be anywhere (it is a tool, not a release input), but it must
     * exist, so that {@code check} finds a typo and not only {@code build}; whether it holds
     * {@code jlink} and {@code jmods/} is checked when a build uses it.
     */
    private static Path jdkHome(Validator v, String at, String text) {
        v.check(!text.isBlank(), at, "the JDK path is empty");
        Path p = resolvePath(v.file(), text);
        v.check(Files.isDirectory(p), at, "no such directory: " + p + " (" + at
                + " is the home directory of a JDK 17+ with jmods/, e.g. /usr/lib/jvm/java-17-openjdk-amd64)");
        return p;
    }

    private static Path resolvePath(Path file, String text) {
        Path p = Path.of(text);
        return p.isAbsolute() ? p : file.toAbsolutePath().getParent().resolve(p).normalize();
    }

    private static JsonLocation keyLocation(Validator v, String path) {
        return v.locations().get(path);
    }

    /** The target platforms: {@code platforms} (default: the host), less those {@code ignore} matches. */
    private static List<String> platforms(Validator v, RawConfig raw) {
        List<String> listed = raw.platforms() == null ? List.of(Platform.host().toString()) : raw.platforms();
        v.check(!listed.isEmpty(), "platforms", "platforms is empty; list at least one, e.g. [linux-amd64]");
        java.util.LinkedHashSet<String> out = new java.util.LinkedHashSet<>();
        for (int i = 0; i < listed.size(); i++) {
            String p = listed.get(i);
            try {
                out.add(Platform.parse(p).toString());
            } catch (dev.slipway.SlipwayException e) {
                throw at(v.file(), v.locations().get("platforms[" + i + "]"), e.getMessage());
            }
        }
        if (raw.ignore() != null) {
            for (int i = 0; i < raw.ignore().size(); i++) {
                RawIgnore rule = raw.ignore().get(i);
                v.check(rule != null && (rule.os() != null || rule.arch() != null), "ignore[" + i + "]",
                        "an ignore rule needs os, arch or both");
                out.removeIf(p -> {
                    Platform pl = Platform.parse(p);
                    return (rule.os() == null || rule.os().equals(pl.os()))
                            && (rule.arch() == null || rule.arch().equals(pl.arch()));
                });
            }
        }
        v.check(!out.isEmpty(), "ignore", "the ignore rules remove every platform");
        // A platform Slipway cannot build yet (darwin, windows) is an error here, at its line, not
        // only when 'slipway build' reaches it.
        for (int i = 0; i < listed.size(); i++) {
            Platform pl = Platform.parse(listed.get(i));
            if (out.contains(pl.toString())) {
                try {
                    pl.dynamicLoader();
                } catch (dev.slipway.SlipwayException e) {
                    throw at(v.file(), v.locations().get("platforms[" + i + "]"), e.getMessage());
                }
            }
        }
        return List.copyOf(out);
    }

    /**
     * Resolves a probe: every key not set comes from {@code base}; a {@code path} without a
     * {@code type} makes it {@code http}. A {@code tcp} probe has no path, so {@code path} with
     * {@code type: tcp} is an error rather than a setting silently unused; an {@code http} probe
     * over a {@code tcp} or {@code grpc} base must name its path. A {@code grpc} probe has no path
     * either; its {@code service} (default {@code ""}, or the base's when that is grpc) is a gRPC
     * service name (grpc.health.v1's {@code HealthCheckRequest.service}), and only it has one.
     *
     * @param v    reports errors
     * @param at   the probe's key path, e.g. {@code service.readiness}
     * @param p    the probe as written, or {@code null}
     * @param base the defaults (for an override such as {@code deploy.hosts.rollout.readiness}, the
     *             probe it overrides)
     * @return the probe
     * @throws ConfigException (exit 2) for a path with tcp or grpc, a missing or relative path with
     *                         http, a service without grpc or not a service name, or a zero interval
     *                         or timeout
     */
    static SlipwayConfig.Probe probe(Validator v, String at, RawProbe p, SlipwayConfig.Probe base) {
        RawProbe r = p == null ? new RawProbe(null, null, null, null, null, null) : p;
        // A path without a type means GET it; neither takes the type of the base.
        SlipwayConfig.Probe.Type type = r.type() != null
                ? SlipwayConfig.Probe.Type.valueOf(r.type().toUpperCase(java.util.Locale.ROOT))
                : r.path() != null ? SlipwayConfig.Probe.Type.HTTP : base.type();
        String path = null;
        String service = null;
        if (type == SlipwayConfig.Probe.Type.PROCESS) {
            v.checkKey(r.path() == null, at + ".path", "a process probe has no path (it passes when the process still"
                    + " runs after its timeout); remove 'path', or write 'type: http' to GET it");
        } else if (type == SlipwayConfig.Probe.Type.TCP) {
            v.checkKey(r.path() == null, at + ".path", "a tcp probe has no path (it passes when the port accepts a"
                    + " connection); remove 'path', or write 'type: http' to GET it");
        } else if (type == SlipwayConfig.Probe.Type.GRPC) {
            v.checkKey(r.path() == null, at + ".path", "a grpc probe has no path (it calls grpc.health.v1.Health/Check);"
                    + " name the health service with 'service', or write 'type: http' to GET the path");
        } else {
            path = r.path() != null ? r.path() : base.http() ? base.path() : null;
            v.checkKey(path != null, at + (r.type() != null ? ".type" : ""), "an http probe needs a 'path'"
                    + (base.http() ? "" : " (the probe it overrides is " + base.type().key() + ")"));
            v.check(path.startsWith("/"), at + ".path", "a probe path must start with '/'");
        }
        if (type == SlipwayConfig.Probe.Type.GRPC) {
            service = r.service() != null ? r.service() : base.grpc() ? base.service() : "";
            // grpc.health.v1 names a service by its fully qualified name (package.Service): printable, no spaces.
            v.check(GRPC_SERVICE.matcher(service).matches(), at + ".service", "'" + service + "' is not a gRPC"
                    + " service name such as helloworld.Greeter (letters, digits, '_' and '.'; \"\" for the whole server)");
        } else {
            v.checkKey(r.service() == null, at + ".service", "only a grpc probe has a 'service' (the grpc.health.v1"
                    + " service name); remove it, or write 'type: grpc'");
        }
        Duration interval = r.interval() == null ? base.interval() : r.interval();
        // A process probe's timeout is its settle window: how long the process must keep running.
        Duration timeout = r.timeout() != null ? r.timeout()
                : type == SlipwayConfig.Probe.Type.PROCESS && !base.process() ? PROCESS_SETTLE : base.timeout();
        Duration grace = r.startupGrace() == null ? base.startupGrace() : r.startupGrace();
        v.check(!interval.isZero(), at + ".interval", "the interval must be more than 0");
        v.check(!timeout.isZero(), at + ".timeout", "the timeout must be more than 0");
        return new SlipwayConfig.Probe(type, path, interval, timeout, grace, service);
    }

    /**
     * The combinations a service with no port ({@code service.readiness.type: process}) cannot have:
     * a liveness probe that asks a port, and the parts that send it traffic (the local target's
     * nginx, a canary's traffic split). The hosts target's own are in {@link HostsConfig}.
     *
     * @param v         reports errors at the offending key
     * @param raw       the file as written
     * @param readiness {@code service.readiness}, resolved
     * @param liveness  {@code service.liveness}, resolved
     * @throws ConfigException (exit 2) for any of them
     */
    private static void processChecks(Validator v, RawConfig raw, SlipwayConfig.Probe readiness, SlipwayConfig.Probe liveness) {
        if (!readiness.process()) {
            return;
        }
        v.checkKey(liveness.process(), "service.liveness" + (v.keys().containsKey("service.liveness.type") ? ".type" : ""),
                "a service with readiness type process listens on no port, so its liveness cannot be a "
                        + liveness.type().key() + " probe: write 'type: process' (systemd, Docker and Kubernetes restart"
                        + " it when it exits) or remove service.liveness");
        v.checkKey(raw.deploy() == null || raw.deploy().local() == null || raw.deploy().local().proxy() == null,
                "deploy.local.proxy", "a service with readiness type process listens on no port: nginx has nothing to"
                        + " proxy to; remove deploy.local.proxy (a deploy then stops the old process and starts the new)");
        v.checkKey(raw.canary() == null, "canary", "a service with readiness type process listens on no port: a"
                + " canary splits HTTP traffic between two releases, and it serves none; remove the canary section");
    }

    /**
     * The settle window of a {@code process} probe not given a timeout: how long a service with no
     * port must keep running before its release counts as started (Kubernetes'
     * {@code minReadySeconds} for such a Deployment; a JVM that fails on a bad setting or an
     * unreachable broker usually exits within a few seconds of its start).
     */
    static final Duration PROCESS_SETTLE = Duration.ofSeconds(10);

    /** A grpc.health.v1 service name: "" or a protobuf full name (dotted identifiers), as gRPC servers register them. */
    private static final java.util.regex.Pattern GRPC_SERVICE =
            java.util.regex.Pattern.compile("|[A-Za-z_][A-Za-z0-9_]*(\\.[A-Za-z_][A-Za-z0-9_]*)*");

    /**
     * Checks an environment section ({@code service.env}, {@code train.env}): every name is an
     * environment variable name (letters, digits and {@code _}, not starting with a digit) that
     * Slipway does not set itself, and every value is given and passes {@link #envValue}.
     *
     * @param v           reports errors at the offending key or value
     * @param section     the section's key path, e.g. {@code service.env}
     * @param env         the section, name to value (a value is {@code null} where YAML has none)
     * @param reserved    the names Slipway sets
     * @param reservedWhy what a reserved name is refused with, after the name
     * @throws ConfigException (exit 2) for the first problem
     */
    private static void env(Validator v, String section, Map<String, String> env, java.util.Set<String> reserved,
                            String reservedWhy) {
        for (var e : env.entrySet()) {
            String at = section + "." + e.getKey();
            v.checkKey(ENV_NAME.matcher(e.getKey()).matches(), at,
                    "'" + e.getKey() + "' is not an environment variable name: use letters, digits and '_', not starting with a digit");
            v.checkKey(!reserved.contains(e.getKey()), at, e.getKey() + reservedWhy);
            v.check(e.getValue() != null, at, "an environment value is empty; write \"\" for an empty string");
            envValue(v, at, e.getValue());
        }
    }

    /**
     * Checks an environment value for references that cannot be expanded there
     * ({@link References#checkEnvValue}).
     *
     * @param v     reports errors
     * @param at    the value's key path, e.g. {@code service.env.SERVER_PORT}
     * @param value the value as written
     * @throws ConfigException (exit 2) for {@code ${APP_HOME}} in the value
     */
    static void envValue(Validator v, String at, String value) {
        v.checkOneLine(at, value);
        String problem = References.checkEnvValue(value);
        v.check(problem == null, at, problem);
    }

    /**
     * Resolves {@code deploy.local.proxy}: nginx on this machine in front of two instances, so that
     * a deploy starts the new release beside the old one and switches nginx (docs/local-deploy.md).
     *
     * @param v       reports errors at the offending value
     * @param raw     the raw section, or {@code null} when absent (no proxy: stop, then start)
     * @param port    {@code service.port}, the first instance port by default
     * @param service the service name, the default upstream name
     * @return the proxy, or {@code null}
     * @throws ConfigException (exit 2) without {@code config} or {@code listen}, with ports that are
     *                         not two different ones in 1-65535, or a listen port among them
     */
    private static SlipwayConfig.Proxy proxy(Validator v, RawProxy raw, int port, String service) {
        if (raw == null) {
            return null;
        }
        v.check(raw.config() != null && !raw.config().isBlank(), "deploy.local.proxy",
                "deploy.local.proxy needs config: the upstream file the site's nginx configuration includes");
        Path file = Path.of(raw.config());
        String config = (file.isAbsolute() ? file : v.file().toAbsolutePath().getParent().resolve(file).normalize()).toString();
        v.check(raw.listen() != null, "deploy.local.proxy", "deploy.local.proxy needs listen: where nginx serves the"
                + " service, e.g. \"127.0.0.1:80\" (status and the deploy's messages name it)");
        // PORT or *:PORT: nginx listens on every address; the deploy and status reach it on 127.0.0.1.
        String listenHost = raw.listen().everyAddress() ? "127.0.0.1" : raw.listen().address();
        int listenPort = raw.listen().port();
        List<Integer> ports = raw.ports() == null ? List.of(port, port + 1) : List.copyOf(raw.ports());
        v.check(ports.size() == 2 && !ports.get(0).equals(ports.get(1)), "deploy.local.proxy.ports",
                "ports lists the two ports the old and the new instance use during a deploy: two different ports");
        for (int i = 0; i < 2; i++) {
            v.check(ports.get(i) >= 1 && ports.get(i) <= 65535, "deploy.local.proxy.ports[" + i + "]",
                    "port " + ports.get(i) + " is out of range 1-65535");
            v.check(ports.get(i) != listenPort, "deploy.local.proxy.ports[" + i + "]",
                    "port " + listenPort + " is nginx's (deploy.local.proxy.listen); the instances need two others");
        }
        String upstream = raw.upstream() == null ? CanaryConfig.defaultUpstream(service) : raw.upstream();
        v.check(upstream.matches("[A-Za-z_][A-Za-z0-9_.-]*"), "deploy.local.proxy.upstream",
                "'" + upstream + "' is not an nginx upstream name");
        return new SlipwayConfig.Proxy(config, listenHost, listenPort, ports, upstream,
                raw.reload() == null ? "nginx -s reload" : raw.reload(), raw.test() == null ? "nginx -t -q" : raw.test());
    }

    /**
     * Reports validation errors at the location of a value, by dotted path with list indices
     * ({@code release.changelog.groups[1].regex}); a path without a location falls back to its
     * parent's, then to no location.
     */
    record Validator(Path file, Map<String, JsonLocation> locations, Map<String, JsonLocation> keys) {
        void check(boolean ok, String path, String message) {
            if (!ok) {
                throw error(path, message);
            }
        }

        ConfigException error(String path, String message) {
            String p = path;
            JsonLocation l = locations.get(p);
            while (l == null && p.contains(".")) {
                p = p.substring(0, Math.max(p.lastIndexOf('.'), p.lastIndexOf('[')));
                l = locations.get(p);
            }
            return at(file, l, message);
        }

        /** @return a warning at the value of {@code path}: {@code file:line:col: warning: message} */
        String warning(String path, String message) {
            ConfigException e = error(path, message);
            return e.getMessage().substring(0, e.getMessage().length() - message.length()) + "warning: " + message;
        }

        /**
         * Checks that an environment value is one line. The hosts target's env file (systemd.exec(5),
         * {@code EnvironmentFile=}) cannot hold a line break, so no target takes one: {@code check}
         * refuses it for every target alike.
         */
        void checkOneLine(String path, String value) {
            check(value == null || value.indexOf('\n') < 0 && value.indexOf('\r') < 0, path, path
                    + " has a line break; environment values are one line for every target (the hosts target's"
                    + " env file, systemd's EnvironmentFile=, cannot hold one)");
        }

        /** Like {@link #check}, but points at the key rather than its value. */
        void checkKey(boolean ok, String path, String message) {
            if (!ok) {
                JsonLocation l = keys.get(path);
                throw at(file, l != null ? l : locations.get(path), message);
            }
        }
    }

    /**
     * An error about a loaded configuration that a command finds (not a check of the file itself):
     * at the line and column of a key, found by reading the file again, as {@link Validator#checkKey}
     * puts a check's error.
     *
     * @param file   the configuration file; when it cannot be read or parsed now, the error has no position
     * @param path   the key's dotted path ({@code service.readiness.type}); a path not written in the file
     *               falls back to its nearest written parent, then to no position
     * @param detail what is wrong and how to fix it
     * @return the error (exit 2): {@code file:line:col: detail}
     */
    public static ConfigException errorAtKey(Path file, String path, String detail) {
        Map<String, JsonLocation> keys;
        try {
            keys = Locations.keys(Files.readString(file, StandardCharsets.UTF_8));
        } catch (IOException | RuntimeException unreadable) {
            return new ConfigException(file, 0, 0, detail);
        }
        String p = path;
        JsonLocation l = keys.get(p);
        while (l == null && p.contains(".")) {
            p = p.substring(0, p.lastIndexOf('.'));
            l = keys.get(p);
        }
        return at(file, l, detail);
    }

    // ---- error formatting -----------------------------------------------------------------------

    private static ConfigException at(Path file, JsonLocation l, String message) {
        int line = l == null ? 0 : l.getLineNr();
        int col = l == null ? 0 : l.getColumnNr();
        return new ConfigException(file, Math.max(line, 0), Math.max(col, 0), message);
    }

    /**
     * The unknown-key error: the first unknown key of the file in document order ({@link UnknownKeys};
     * Jackson's own exception names the one whose object ended first), with a "did you mean", the
     * keys its mapping accepts, and every other unknown key of the file with its line and column.
     */
    /** How many unknown keys an error names beside the first, with their lines and columns. */
    private static final int OTHER_UNKNOWN_KEYS_SHOWN = 3;

    private static ConfigException unknownKey(Path file, UnrecognizedPropertyException e, String text) {
        Map<String, JsonLocation> keys = Locations.keys(text);
        List<UnknownKeys.Unknown> all = UnknownKeys.find(text, RawConfig.class);
        if (all.isEmpty()) { // the walk and databind disagree: report what databind found
            String key = e.getPropertyName();
            List<String> known = e.getKnownPropertyIds() == null ? List.of()
                    : e.getKnownPropertyIds().stream().map(String::valueOf).sorted().toList();
            all = List.of(new UnknownKeys.Unknown(parentPath(e), key, known));
        }
        UnknownKeys.Unknown first = all.get(0);
        StringBuilder msg = new StringBuilder("unknown key '").append(first.key()).append("'")
                .append(first.parent().isEmpty() ? " at the top level" : " in '" + first.parent() + "'");
        String closest = Suggest.closest(first.key(), first.known());
        if (closest != null) {
            msg.append("; did you mean '").append(closest).append("'?");
        }
        if (!first.known().isEmpty()) {
            msg.append(" (known keys: ").append(String.join(", ", first.known())).append(")");
        }
        int shown = Math.min(all.size(), 1 + OTHER_UNKNOWN_KEYS_SHOWN);
        for (UnknownKeys.Unknown other : all.subList(1, shown)) {
            JsonLocation l = keys.get(other.path());
            msg.append(other == all.get(1) ? "; also unknown: " : ", ").append('\'').append(other.key()).append('\'')
                    .append(other.parent().isEmpty() ? " at the top level" : " in '" + other.parent() + "'");
            if (l != null) {
                msg.append(" at ").append(l.getLineNr()).append(':').append(l.getColumnNr());
            }
            String suggestion = Suggest.closest(other.key(), other.known());
            if (suggestion != null) {
                msg.append(" (did you mean '").append(suggestion).append("'?)");
            }
        }
        if (all.size() > shown) {
            msg.append(" and ").append(all.size() - shown).append(" more");
        }
        JsonLocation where = keys.get(first.path());
        return at(file, where != null ? where : e.getLocation(), msg.toString());
    }

    private static ConfigException mismatch(Path file, MismatchedInputException e, String text) {
        if (e.getOriginalMessage() != null && e.getOriginalMessage().startsWith("No content to map")) {
            return new ConfigException(file, 1, 1, "the file is empty; it needs at least 'name:'");
        }
        String where = pathOf(e);
        String expected = describe(e.getTargetType());
        if (!where.isEmpty() && e.getLocation() != null) {
            ConfigException indent = misindented(file, text, e.getLocation().getLineNr(), where, e.getTargetType(), expected);
            if (indent != null) {
                return indent;
            }
        }
        String msg = where.isEmpty() ? "expected a mapping of keys at the top level"
                : where + ": expected " + expected;
        return at(file, e.getLocation(), msg);
    }

    /** A key, with its leading spaces (and list dash), its name and its value on the same line. */
    private static final Pattern KEY_LINE = Pattern.compile("^([ -]*)([A-Za-z0-9_.-]+):(?:\\s+(.*))?$");

    /**
     * A type error that is really an indentation mistake on the next line, reported there: the
     * line under {@code key:} is not indented, so the key's mapping is empty; or it is indented
     * deeper than the key, so YAML reads it as more of the key's plain (multi-line) value.
     *
     * @return the error at the real line, or {@code null} when the next line is not the cause
     */
    private static ConfigException misindented(Path file, String text, int line, String path, Class<?> type,
                                               String expected) {
        String[] lines = text.split("\n", -1);
        if (line < 1 || line > lines.length) {
            return null;
        }
        var key = KEY_LINE.matcher(lines[line - 1]);
        int next = line;
        while (next < lines.length && (lines[next].isBlank() || lines[next].trim().startsWith("#"))) {
            next++;
        }
        if (!key.matches() || next >= lines.length) {
            return null;
        }
        String name = key.group(2);
        String value = key.group(3) == null ? "" : key.group(3).trim();
        int keyColumn = key.group(1).length();
        int nextColumn = lines[next].length() - lines[next].stripLeading().length();
        var nextKey = KEY_LINE.matcher(lines[next]);
        if ((value.isEmpty() || value.startsWith("#")) && nextColumn <= keyColumn && nextKey.matches()
                && type != null && type.isRecord() && java.util.Arrays.stream(type.getRecordComponents())
                        .map(ConfigSchema::keyName).anyMatch(nextKey.group(2)::equals)) {
            return new ConfigException(file, next + 1, nextColumn + 1, "'" + nextKey.group(2) + "' is a key of '" + path
                    + "' (line " + line + ") but is not indented under it, so '" + path + "' is empty; indent the"
                    + " keys of '" + name + "' by two spaces");
        }
        if (!value.isEmpty() && "\"'|>[{&*!#".indexOf(value.charAt(0)) < 0 && nextColumn > keyColumn) {
            return new ConfigException(file, next + 1, nextColumn + 1, "this line is indented deeper than '" + name
                    + "' (line " + line + "), so YAML reads it as more of the value of '" + path + "', which is then"
                    + " not " + expected + "; start it in the column of '" + name + "'");
        }
        return null;
    }

    /** A number beyond its field's Java type (Jackson's input coercion error), in the user's words. */
    private static ConfigException outOfRange(Path file, String text, String where, JsonLocation location,
                                              InputCoercionException e) {
        String number = "the number";
        String[] lines = text.split("\n", -1);
        if (location != null && location.getLineNr() >= 1 && location.getLineNr() <= lines.length) {
            var m = NUMBER.matcher(lines[location.getLineNr() - 1]);
            if (m.find(Math.max(0, location.getColumnNr() - 1)) && m.start() == location.getColumnNr() - 1) {
                number = m.group();
            }
        }
        boolean negative = number.startsWith("-");
        boolean isLong = e.getTargetType() == Long.class || e.getTargetType() == long.class;
        String limit = negative ? "at least " + (isLong ? Long.MIN_VALUE : Integer.MIN_VALUE)
                : "at most " + (isLong ? Long.MAX_VALUE : Integer.MAX_VALUE);
        return at(file, location, where + number + " is too " + (negative ? "small" : "large")
                + " for a whole number here (" + limit + ")");
    }

    private static final Pattern NUMBER = Pattern.compile("[-+]?[0-9][0-9_]*");

    private static String describe(Class<?> type) {
        if (type == null) {
            return "another type";
        }
        if (type == Integer.class || type == int.class) {
            return "a whole number";
        }
        if (type == Boolean.class || type == boolean.class) {
            return "true or false";
        }
        if (type == String.class) {
            return "a string (quote numbers and booleans, e.g. \"8080\")";
        }
        if (type == Duration.class) {
            return "a duration such as 500ms, 30s or 5m";
        }
        if (type == Listen.class) {
            return Listen.SHAPES;
        }
        if (List.class.isAssignableFrom(type) || Collection.class.isAssignableFrom(type)) {
            return "a list";
        }
        if (Map.class.isAssignableFrom(type) || type.isRecord()) {
            return "a mapping of keys";
        }
        return "a " + type.getSimpleName();
    }

    private static String pathOf(JsonMappingException e) {
        return e.getPath().stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    private static String parentPath(JsonMappingException e) {
        var refs = e.getPath();
        return refs.subList(0, Math.max(0, refs.size() - 1)).stream()
                .map(r -> r.getFieldName() != null ? r.getFieldName() : "[" + r.getIndex() + "]")
                .collect(Collectors.joining(".")).replace(".[", "[");
    }

    /**
     * Reads the whole text as YAML tokens and reports an unclosed flow collection. Binding stops at
     * the first value of the wrong shape, so {@code name: [} with its flow sequence never closed
     * would otherwise read as "expected a string" at the {@code [}.
     *
     * @param file the file name used in messages
     * @param text the YAML text
     * @throws ConfigException (exit 2) {@code invalid YAML: ...} at the syntax error's line and column, naming
     *                         where the collection starts
     */
    private static void throwSyntaxError(Path file, String text) {
        try (JsonParser tokens = mapper().createParser(text)) {
            while (tokens.nextToken() != null) {
                // only the syntax matters
            }
        } catch (JsonParseException e) {
            // Only an unclosed flow collection: other syntax errors after a type error (a misindented
            // line) have a better message from the binding error.
            if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException y && y.getContext() != null
                    && y.getContext().startsWith("while parsing a flow ")) {
                throw syntax(file, e);
            }
        } catch (java.io.IOException | RuntimeException e) {
            // not a syntax error: the caller reports the binding error
        }
    }

    private static ConfigException syntax(Path file, JsonParseException e) {
        if (e.getCause() instanceof org.yaml.snakeyaml.error.MarkedYAMLException y && y.getProblemMark() != null) {
            return new ConfigException(file, y.getProblemMark().getLine() + 1, y.getProblemMark().getColumn() + 1,
                    "invalid YAML: " + yamlProblem(e));
        }
        return at(file, e.getLocation(), "invalid YAML: " + yamlProblem(e));
    }

    private static String yamlProblem(JsonParseException e) {
        String m = e.getOriginalMessage();
        if (m != null && m.startsWith("Duplicate field")) {
            return "duplicate key " + m.substring("Duplicate field ".length()).trim();
        }
        Throwable cause = e.getCause();
        if (cause instanceof org.yaml.snakeyaml.error.MarkedYAMLException y) {
            String problem = y.getProblem();
            if (problem != null && problem.contains("TAB")) {
                return "a tab character; YAML indents with spaces only";
            }
            if (problem == null) {
                return firstLine(m);
            }
            var mark = y.getContextMark();
            String hint = problem.contains("<block end>") || problem.contains("<block mapping start>")
                    ? "; check the indentation: keys of one mapping start in the same column" : "";
            return (y.getContext() == null ? problem : problem + " (" + y.getContext()
                    + (mark == null ? "" : " that starts at " + (mark.getLine() + 1) + ":" + (mark.getColumn() + 1))
                    + ")") + hint;
        }
        return firstLine(m);
    }

    private static String firstLine(String s) {
        if (s == null) {
            return "";
        }
        int nl = s.indexOf('\n');
        return (nl < 0 ? s : s.substring(0, nl)).trim();
    }

    /** Maps dotted key paths ({@code service.readiness.path}) to the location of their value. */
    static final class Locations {
        private Locations() {}

        static Map<String, JsonLocation> index(String text) {
            return scan(text, false);
        }

        /** @return the locations of the keys themselves, by dotted path */
        static Map<String, JsonLocation> keys(String text) {
            return scan(text, true);
        }

        private static Map<String, JsonLocation> scan(String text, boolean keys) {
            Map<String, JsonLocation> values = new HashMap<>();
            Map<String, JsonLocation> keyLocations = new HashMap<>();
            Deque<YamlFrame> frames = new ArrayDeque<>();
            try (YAMLParser p = new YAMLFactory().createParser(text)) {
                JsonToken t;
                while ((t = p.nextToken()) != null) {
                    if (t == JsonToken.FIELD_NAME) {
                        frames.peek().key = p.currentName();
                        keyLocations.putIfAbsent(YamlFrame.path(frames), p.currentTokenLocation());
                        continue;
                    }
                    if (t == JsonToken.END_OBJECT || t == JsonToken.END_ARRAY) {
                        frames.pop();
                        continue;
                    }
                    if (!frames.isEmpty() && frames.peek().list) {
                        frames.peek().index++;
                    }
                    if (!frames.isEmpty()) {
                        values.putIfAbsent(YamlFrame.path(frames), p.currentTokenLocation());
                    }
                    if (t == JsonToken.START_OBJECT || t == JsonToken.START_ARRAY) {
                        frames.push(new YamlFrame(t == JsonToken.START_ARRAY));
                    }
                }
            } catch (IOException | RuntimeException e) {
                // A failure here only loses locations; the caller falls back to Jackson's.
            }
            return keys ? keyLocations : values;
        }

    }
}
