package dev.slipway.artifact;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ArrayNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * The one reader and writer of {@code dist/artifacts.json}, the manifest of the last build (or
 * release) that {@code image}, {@code release} and every deploy target read instead of guessing
 * file names:
 *
 * <pre>
 * { "name", "version", "commit", "date" (ISO-8601 build time),
 *   "tag", "previousTag", "snapshot"                 (a release only; tag null for a snapshot),
 *   "artifacts": [ {"path", "kind", "platform" (absent when none), "size", "sha256"} ],
 *   "launch": { "linux-amd64": {"mainClass", "classpath", "jvmOptions", "args"} }   (a build only),
 *   "image": {"path", "format", "index", "manifests": {"linux-amd64": {"digest", "compressedSize",
 *             "uncompressedSize"}}, "tags", "pushed"}                               (after an image) }
 * </pre>
 *
 * Paths are relative to the service directory, with {@code /}. The file does not list itself.
 * A {@code kind} this Slipway does not know is an error, so nothing is dropped on a rewrite; an
 * entry of kind {@code image} with {@code reference} (or {@code image}, {@code repository},
 * {@code name}) and {@code digest} (the form before the
 * {@code image} section) is read as a pushed reference of the image.
 */
public final class ArtifactsFile {
    /** The file's path relative to the service directory, in the default output directory {@code dist/}. */
    public static final String PATH = "dist/artifacts.json";
    /** The file's name in the output directory. */
    public static final String FILE_NAME = "artifacts.json";
    /**
     * The Maven plugin's default output directory relative to the service directory
     * ({@code ${project.build.directory}/slipway/dist}), where the CLI also looks for the last build
     * when {@code dist/} has none (so that {@code mvn package slipway:build} then {@code slipway deploy} works).
     */
    public static final String MAVEN_DIST = "target/slipway/dist";
    private static final String LEGACY_IMAGE = "image";

    private ArtifactsFile() {}

    /**
     * @param serviceDir the service directory
     * @return {@code <serviceDir>/dist/artifacts.json}
     */
    public static Path path(Path serviceDir) {
        return serviceDir.resolve(PATH);
    }

    /**
     * The manifest of a service's last build: {@code artifacts.json} in its output directory
     * ({@link SlipwayConfig#dist()}); when that is the default {@code dist/} and holds none, the
     * one in the Maven plugin's default output directory ({@link #MAVEN_DIST}) if there is one.
     *
     * @param config the service configuration
     * @return the file (which may not exist)
     */
    public static Path path(SlipwayConfig config) {
        Path file = config.dist().resolve(FILE_NAME);
        if (!Files.exists(file) && config.dist().equals(config.serviceDir().resolve(SlipwayConfig.DIST))) {
            Path maven = config.serviceDir().resolve(MAVEN_DIST).resolve(FILE_NAME);
            if (Files.isRegularFile(maven)) {
                return maven;
            }
        }
        return file;
    }

    /**
     * Reads the file if there is one.
     *
     * @param serviceDir the service directory
     * @return the registry, or empty when the file does not exist
     * @throws IOException when it cannot be read, is not JSON, or lists a kind this Slipway does not know
     */
    public static Optional<Artifacts> read(Path serviceDir) throws IOException {
        return readFile(path(serviceDir));
    }

    /**
     * Reads the service's manifest ({@link #path(SlipwayConfig)}) if there is one.
     *
     * @param config the service configuration
     * @return the registry, or empty when the file does not exist
     * @throws IOException when it cannot be read, is not JSON, or lists a kind this Slipway does not know
     */
    public static Optional<Artifacts> read(SlipwayConfig config) throws IOException {
        return readFile(path(config));
    }

    private static Optional<Artifacts> readFile(Path file) throws IOException {
        if (!Files.isRegularFile(file)) {
            return Optional.empty();
        }
        return Optional.of(parse(Json.MAPPER.readTree(file.toFile())));
    }

    /**
     * Reads the last build of a service for a step or target that needs one.
     *
     * @param config the service configuration
     * @param hint   what else the user may run, appended to the "nothing built" message (e.g.
     *               {@code " (or 'slipway ship', which builds and deploys)"}), or {@code ""}
     * @return the registry
     * @throws SlipwayException (exit 2, nothing changed) when nothing was built ("nothing built for
     *                          NAME: PATH does not exist; run 'slipway build DIR' first"), the file
     *                          cannot be read, or it is a build of another service
     */
    public static Artifacts require(SlipwayConfig config, String hint) {
        Path dir = config.serviceDir();
        Path file = path(config);
        Optional<Artifacts> read;
        try {
            read = readFile(file);
        } catch (IOException e) {
            throw SlipwayException.usage("cannot read " + file + ": " + e.getMessage() + "; run 'slipway build' again");
        }
        if (read.isEmpty()) {
            throw SlipwayException.usage("nothing built for " + config.name() + ": " + file
                    + " does not exist; run " + command("slipway build " + dev.slipway.remote.Shell.quote(dir.toString()))
                    + " first" + hint);
        }
        Artifacts a = read.get();
        if (!config.name().equals(a.name())) {
            throw SlipwayException.usage(file + " is a build of '" + a.name() + "', not '" + config.name()
                    + "'; run 'slipway build' again");
        }
        return a;
    }

    /**
     * Writes the file (replacing it), indented, ending with a newline.
     *
     * @param serviceDir the service directory
     * @param artifacts  what to write
     * @return the file written
     * @throws IOException when it cannot be written
     */
    public static Path write(Path serviceDir, Artifacts artifacts) throws IOException {
        return writeFile(path(serviceDir), artifacts);
    }

    /**
     * Writes the manifest into the service's output directory ({@link SlipwayConfig#dist()}),
     * replacing it, indented, ending with a newline.
     *
     * @param config    the service configuration
     * @param artifacts what to write
     * @return the file written
     * @throws IOException when it cannot be written
     */
    public static Path write(SlipwayConfig config, Artifacts artifacts) throws IOException {
        return writeFile(config.dist().resolve(FILE_NAME), artifacts);
    }

    private static Path writeFile(Path file, Artifacts artifacts) throws IOException {
        Files.createDirectories(file.getParent());
        Files.writeString(file, Json.PRETTY.writeValueAsString(toJson(artifacts)) + "\n");
        return file;
    }

    /**
     * @param artifacts a registry
     * @return its JSON document, keys in the order of the class comment
     */
    static ObjectNode toJson(Artifacts artifacts) {
        ObjectNode doc = Json.MAPPER.createObjectNode();
        doc.put("name", artifacts.name());
        doc.put("version", artifacts.version());
        doc.put("commit", artifacts.commit());
        doc.put("date", artifacts.date());
        if (artifacts.release() != null) {
            doc.put("tag", artifacts.release().tag());
            doc.put("previousTag", artifacts.release().previousTag());
            doc.put("snapshot", artifacts.release().snapshot());
        }
        ArrayNode list = doc.putArray("artifacts");
        for (Artifact a : artifacts.artifacts()) {
            ObjectNode n = list.addObject();
            n.put("path", a.pathText());
            n.put("kind", a.kind().key());
            if (a.platform() != null) {
                n.put("platform", a.platform());
            }
            n.put("size", a.size());
            n.put("sha256", a.sha256());
        }
        if (!artifacts.launch().isEmpty()) {
            ObjectNode launch = doc.putObject("launch");
            artifacts.launch().forEach((platform, l) -> {
                ObjectNode n = launch.putObject(platform);
                n.put("mainClass", l.mainClass());
                strings(n.putArray("classpath"), l.classpath());
                strings(n.putArray("jvmOptions"), l.jvmOptions());
                strings(n.putArray("args"), l.args());
            });
        }
        Artifacts.Image image = artifacts.image();
        if (image != null) {
            ObjectNode n = doc.putObject("image");
            n.put("path", image.path());
            n.put("format", image.format());
            n.put("index", image.index());
            ObjectNode m = n.putObject("manifests");
            image.manifests().forEach((platform, d) -> {
                ObjectNode p = m.putObject(platform);
                p.put("digest", d.digest());
                p.put("compressedSize", d.compressedSize());
                p.put("uncompressedSize", d.uncompressedSize());
            });
            strings(n.putArray("tags"), image.tags());
            strings(n.putArray("pushed"), image.pushed());
        }
        return doc;
    }

    /**
     * @param doc a parsed {@code artifacts.json}
     * @return the registry
     * @throws IOException when an artifact has a kind this Slipway does not know
     */
    static Artifacts parse(JsonNode doc) throws IOException {
        List<Artifact> artifacts = new ArrayList<>();
        List<String> legacyImages = new ArrayList<>();
        for (JsonNode a : doc.path("artifacts")) {
            String kind = a.path("kind").asText("");
            if (kind.equals(LEGACY_IMAGE)) {
                String ref = text(a.path("reference"));
                for (String field : List.of("image", "repository", "name")) {
                    ref = ref != null ? ref : text(a.path(field));
                }
                String digest = a.path("digest").asText("");
                if (ref != null && digest.startsWith("sha256:")) {
                    legacyImages.add(ref.contains("@") ? ref : stripTag(ref) + "@" + digest);
                }
                continue;
            }
            Artifact.Kind k = Artifact.Kind.of(kind).orElseThrow(() -> new IOException("artifact "
                    + a.path("path").asText("?") + " has the kind '" + kind + "', which this Slipway does not know (known: "
                    + String.join(", ", Arrays.stream(Artifact.Kind.values()).map(Artifact.Kind::key).toList()) + ")"));
            artifacts.add(new Artifact(k, text(a.path("platform")), Path.of(a.path("path").asText("")),
                    a.path("sha256").asText(""), a.path("size").asLong(0)));
        }
        Map<String, Artifacts.Launch> launch = new LinkedHashMap<>();
        doc.path("launch").fields().forEachRemaining(e -> launch.put(e.getKey(), new Artifacts.Launch(
                e.getValue().path("mainClass").asText(), strings(e.getValue().path("classpath")),
                strings(e.getValue().path("jvmOptions")), strings(e.getValue().path("args")))));
        JsonNode img = doc.path("image");
        Artifacts.Image image = null;
        if (img.isObject() || !legacyImages.isEmpty()) {
            Map<String, Artifacts.Manifest> manifests = new LinkedHashMap<>();
            img.path("manifests").fields().forEachRemaining(e -> manifests.put(e.getKey(), e.getValue().isTextual()
                    ? new Artifacts.Manifest(e.getValue().asText(), 0, 0)
                    : new Artifacts.Manifest(e.getValue().path("digest").asText(), e.getValue().path("compressedSize").asLong(),
                            e.getValue().path("uncompressedSize").asLong())));
            List<String> pushed = new ArrayList<>(strings(img.path("pushed")));
            pushed.addAll(legacyImages);
            image = new Artifacts.Image(text(img.path("path")), text(img.path("format")), text(img.path("index")),
                    manifests, strings(img.path("tags")), pushed);
        }
        Artifacts.ReleaseFacts release = doc.has("snapshot") || doc.has("tag")
                ? new Artifacts.ReleaseFacts(text(doc.path("tag")), text(doc.path("previousTag")),
                        doc.path("snapshot").asBoolean(false))
                : null;
        return new Artifacts(doc.path("name").asText(), doc.path("version").asText(), doc.path("commit").asText(),
                text(doc.path("date")), release, artifacts, launch, image);
    }

    /** {@code host:5000/app:1.2} to {@code host:5000/app}: the tag is the part after the last '/'s ':'. */
    static String stripTag(String ref) {
        int slash = ref.lastIndexOf('/');
        int colon = ref.lastIndexOf(':');
        return colon > slash ? ref.substring(0, colon) : ref;
    }

    private static String text(JsonNode n) {
        return n.isValueNode() && !n.isNull() && !n.asText().isBlank() ? n.asText() : null;
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }

    private static void strings(ArrayNode into, List<String> values) {
        values.forEach(into::add);
    }

    /**
     * A command named in a message: in single quotes, or in double quotes when it holds a quoted
     * path (a directory with a space or a quote), so that what is inside pastes as it is.
     */
    private static String command(String line) {
        return line.contains("'") ? "\"" + line + "\"" : "'" + line + "'";
    }
}
