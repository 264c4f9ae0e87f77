package dev.slipway.image;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.build.Builder;
import dev.slipway.build.Launcher;
import dev.slipway.build.Platform;
import dev.slipway.config.ImageConfig;
import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;

/**
 * {@code slipway image}: from the layouts {@code slipway build} made to a multi-platform OCI image
 * from scratch, with no container engine. Per linux platform the image holds, in four layers ordered
 * for cache reuse: (1) the glibc libraries the runtime's ELF files need ({@link SharedLibraries}),
 * CA certificates, zoneinfo, {@code /etc/passwd}, {@code /tmp} and {@code /data}; (2) the runtime;
 * (3) the dependency jars; (4) the app jar, build info, profile jar and AOT/CDS cache. An image index
 * ties the platforms together. The output is an OCI layout directory or an {@code oci-archive}, and
 * optionally a push to a registry ({@link RegistryPush}). Same commit, same digests.
 */
public final class ImageBuilder {
    /** Format of an OCI layout directory. */
    public static final String OCI = "oci";
    /** Format of a tar of an OCI layout (containers-transports(5) {@code oci-archive}). */
    public static final String OCI_ARCHIVE = "oci-archive";
    /** The readiness probe in every image ({@code probe.c}): the image's health check runs it. */
    public static final String PROBE = "/usr/bin/slipway-probe";
    private static final String PASSWD = "root:x:0:0:root:/root:/sbin/nologin\n"
            + "nobody:x:65534:65534:nobody:/nonexistent:/sbin/nologin\n";
    private static final String GROUP = "root:x:0:\nnogroup:x:65534:\n";
    /**
     * The file time of layers that do not change with the commit (system, runtime, and dependencies
     * unless a trained cache checks their mtimes): 1970-01-01T00:00:01Z, as Jib uses, not 0, which
     * some tools take for "no time".
     */
    static final Instant FIXED_TIME = Instant.ofEpochSecond(1);

    private ImageBuilder() {}

    /**
     * Options of one image build.
     *
     * @param output    the output path, or {@code null} for {@code dist/<name>_<version>_image[.tar]}
     * @param format    {@link #OCI} or {@link #OCI_ARCHIVE}
     * @param push      where to push ({@code registry/repository[:tag]}), {@code ""} for
     *                  {@code image.repository}, or {@code null} not to push
     * @param platforms a subset of the built platforms, or empty for all linux platforms built
     * @param rootfs    also write the host platform's root file system into this directory, plus
     *                  {@code opt/<name>/app/java.args} (the entrypoint as a java {@code @file}), for
     *                  the Dockerfile of {@code slipway render dockerfile}; or {@code null}
     */
    public record Options(Path output, String format, String push, List<String> platforms, Path rootfs) {}

    /**
     * What the launcher of one platform starts, from {@code dist/artifacts.json}'s {@code launch}.
     *
     * @param mainClass  the main class
     * @param classpath  class path entries relative to the layout root
     * @param jvmOptions JVM options; {@link Launcher#HOME} stands for the layout root; may hold the
     *                   references of {@link References}
     * @param args       program arguments after the main class ({@code service.args}); may hold the
     *                   references of {@link References}
     */
    public record Launch(String mainClass, List<String> classpath, List<String> jvmOptions, List<String> args) {}

    /**
     * One platform's build output.
     *
     * @param platform the platform
     * @param archive  the build's {@code .tar.gz} of the layout (top directory, then runtime/ app/ bin/)
     * @param launch   what to start
     */
    public record Source(Platform platform, Path archive, Launch launch) {}

    /**
     * The release facts the image records.
     *
     * @param name    the service name
     * @param version the release version
     * @param commit  the full commit id
     * @param time    the build time (the commit time), used for every file and {@code created}
     */
    public record Facts(String name, String version, String commit, Instant time) {}

    /**
     * What was made.
     *
     * @param output    the layout directory or archive
     * @param format    {@link #OCI} or {@link #OCI_ARCHIVE}
     * @param index     the image index
     * @param manifests per platform, the image manifest
     * @param sizes     per platform, {compressed, uncompressed} bytes of all layers
     * @param tags      the tags in the layout
     * @param pushed    the push result, or {@code null}
     */
    public record Result(Path output, String format, OciImage.Descriptor index, Map<Platform, OciImage.Descriptor> manifests,
                         Map<Platform, long[]> sizes, List<String> tags, RegistryPush.Result pushed) {}

    /**
     * Builds the image from the last build's {@code dist/artifacts.json} and records it there.
     *
     * @param config  the service configuration
     * @param options output, format, push, platforms
     * @param console progress and results
     * @param env     reads environment variables (registry credentials)
     * @return what was made
     * @throws SlipwayException exit 2 when nothing was built, the build is of another service or lacks
     *                          a platform, a library is missing; exit 1 when writing or pushing fails
     */
    public static Result fromDist(SlipwayConfig config, Options options, Console console, Function<String, String> env) {
        Path dir = config.serviceDir();
        Path manifest = dir.resolve(Builder.ARTIFACTS);
        if (!Files.isRegularFile(manifest)) {
            throw SlipwayException.usage("nothing built for " + config.name() + ": " + manifest
                    + " is missing; run 'slipway build' first");
        }
        try {
            JsonNode doc = new ObjectMapper().readTree(manifest.toFile());
            if (!config.name().equals(doc.path("name").asText())) {
                throw SlipwayException.usage(manifest + " is a build of '" + doc.path("name").asText() + "', not of '"
                        + config.name() + "'; run 'slipway build' first");
            }
            Facts facts = new Facts(config.name(), doc.path("version").asText(), doc.path("commit").asText(),
                    Instant.parse(doc.path("date").asText()));
            JsonNode launch = doc.path("launch");
            List<Source> sources = new ArrayList<>();
            for (JsonNode a : doc.path("artifacts")) {
                if (!"archive".equals(a.path("kind").asText())) {
                    continue;
                }
                Platform p = Platform.parse(a.path("platform").asText());
                if (!p.os().equals("linux") || !options.platforms().isEmpty() && !options.platforms().contains(p.toString())) {
                    continue;
                }
                JsonNode l = launch.path(p.toString());
                Path archive = dir.resolve(a.path("path").asText());
                if (l.isMissingNode() || !Files.isRegularFile(archive)) {
                    throw SlipwayException.usage("the " + p + " build in " + Builder.ARTIFACTS + " has no "
                            + (l.isMissingNode() ? "launch entry" : "archive " + archive)
                            + " (a release replaces the build's archives); run 'slipway build' first");
                }
                sources.add(new Source(p, archive, new Launch(l.path("mainClass").asText(), strings(l.path("classpath")),
                        strings(l.path("jvmOptions")), strings(l.path("args")))));
            }
            for (String wanted : options.platforms()) {
                if (sources.stream().noneMatch(s -> s.platform().toString().equals(wanted))) {
                    throw SlipwayException.usage("no linux build for " + wanted + " in " + Builder.ARTIFACTS
                            + (config.platforms().contains(wanted) ? "; run 'slipway build --platform " + wanted + "' first"
                                    : "; add it to 'platforms' in " + config.file() + ", then run 'slipway build'"));
                }
            }
            if (sources.isEmpty()) {
                throw SlipwayException.usage("no linux build in " + Builder.ARTIFACTS + "; images are linux only");
            }
            Result r = build(config, facts, sources, options, console, env);
            record(manifest, dir, r);
            return r;
        } catch (IOException e) {
            throw SlipwayException.failed("image failed: " + e.getMessage(), e);
        }
    }

    /**
     * Builds the image from given build outputs (used by {@code slipway release} too).
     *
     * @param config  the service configuration
     * @param facts   name, version, commit, time
     * @param sources one per platform
     * @param options output, format, push
     * @param console progress and results
     * @param env     reads environment variables
     * @return what was made
     * @throws IOException on a read or write failure
     */
    public static Result build(SlipwayConfig config, Facts facts, List<Source> sources, Options options, Console console,
                               Function<String, String> env) throws IOException {
        ImageConfig ic = config.image();
        String format = options.format() == null ? OCI_ARCHIVE : options.format();
        Path dist = config.serviceDir().resolve("dist");
        String base = facts.name() + "_" + facts.version() + "_image";
        Path output = options.output() != null ? options.output().toAbsolutePath()
                : dist.resolve(format.equals(OCI) ? base : base + ".tar");
        RegistryPush.Ref ref = null;
        if (options.push() != null) {
            String target = options.push().isEmpty() ? ic.repository() : options.push();
            if (target == null) {
                throw SlipwayException.usage("--push without a reference needs image.repository in "
                        + config.file().getFileName());
            }
            ref = RegistryPush.Ref.parse(target);
        }
        Map<String, String> fields = Map.of("version", facts.version(), "commit", facts.commit(),
                "short commit", facts.commit().length() > 7 ? facts.commit().substring(0, 7) : facts.commit());
        List<String> tags = ic.tags().stream().map(t -> t.expand(fields, false)).distinct().toList();
        Map<String, String> annotations = annotations(config, facts);

        Path work = dist.resolve(".image");
        Builder.deleteTree(work);
        Path layout = format.equals(OCI) ? output : work.resolve("layout");
        if (format.equals(OCI)) {
            if (Files.isDirectory(layout) && !Files.exists(layout.resolve("oci-layout"))) {
                try (var s = Files.list(layout)) {
                    if (s.findAny().isPresent()) {
                        throw SlipwayException.usage(layout + " exists and is not an OCI layout; choose an empty or"
                                + " new directory for --output");
                    }
                }
            }
            Builder.deleteTree(layout);
        }
        Path blobs = layout.resolve("blobs/sha256");
        Files.createDirectories(blobs);
        try {
            Map<Platform, OciImage.Descriptor> manifests = new LinkedHashMap<>();
            Map<Platform, long[]> sizes = new LinkedHashMap<>();
            List<Source> resolved = new ArrayList<>();
            for (Source built : sources) {
                console.progress("  " + built.platform() + " image layers");
                Path tree = work.resolve(built.platform().toString());
                extract(built.archive(), tree);
                // An option for a file the first run of the single file makes (JDK 17's AppCDS archive)
                // is kept only when the file is in the image: the entrypoint is fixed at build time.
                Source s = new Source(built.platform(), built.archive(), new Launch(built.launch().mainClass(),
                        built.launch().classpath(), Launcher.resolveWhenPresent(built.launch().jvmOptions(),
                                f -> Files.exists(tree.resolve(f))), built.launch().args()));
                resolved.add(s);
                List<Layer> layers = layers(config, facts, s.platform(), tree, blobs);
                OciImage.Descriptor cfg = OciImage.writeConfig(blobs, imageConfig(config, facts, s, annotations), layers);
                manifests.put(s.platform(), OciImage.writeManifest(blobs, cfg, layers, annotations));
                sizes.put(s.platform(), new long[] {layers.stream().mapToLong(Layer::size).sum(),
                        layers.stream().mapToLong(Layer::uncompressedSize).sum()});
            }
            OciImage.Descriptor index = OciImage.writeIndex(blobs, manifests, annotations);
            OciImage.writeLayout(layout, index, tags);
            if (format.equals(OCI_ARCHIVE)) {
                Files.createDirectories(output.getParent());
                OciImage.writeArchive(layout, facts.time(), output);
            }
            if (options.rootfs() != null) {
                writeRootfs(config, blobs, manifests, resolved, facts, options.rootfs());
            }
            RegistryPush.Result pushed = null;
            if (ref != null) {
                List<String> pushTags = ref.tag() != null ? List.of(ref.tag()) : tags;
                pushed = RegistryPush.push(layout, index, List.copyOf(manifests.values()), ref, pushTags, env, console);
            }
            Result r = new Result(output, format, index, manifests, sizes, tags, pushed);
            report(config, facts, r, console);
            return r;
        } finally {
            Builder.deleteTree(work);
        }
    }

    /**
     * Pushes an image index that an OCI layout already holds (written by {@link #build}), without
     * building anything.
     *
     * @param layout  the OCI layout directory
     * @param tag     the layout's tag naming the index ({@value OciImage#REF_NAME})
     * @param ref     where to push
     * @param tags    the tags to set; empty for the reference's tag
     * @param env     reads environment variables (credentials)
     * @param console progress
     * @return what was pushed
     * @throws SlipwayException exit 2 when the layout has no such tag, exit 1 when the push fails
     * @throws IOException when the layout cannot be read
     */
    public static RegistryPush.Result pushLayout(Path layout, String tag, RegistryPush.Ref ref, List<String> tags,
                                                 Function<String, String> env, Console console) throws IOException {
        ObjectMapper json = new ObjectMapper();
        JsonNode top = json.readTree(layout.resolve("index.json").toFile());
        OciImage.Descriptor index = null;
        for (JsonNode d : top.path("manifests")) {
            if (tag.equals(d.path("annotations").path(OciImage.REF_NAME).asText())) {
                index = new OciImage.Descriptor(d.path("mediaType").asText(), d.path("digest").asText(), d.path("size").asLong());
            }
        }
        if (index == null) {
            throw SlipwayException.usage("no tag '" + tag + "' in " + layout.resolve("index.json"));
        }
        List<OciImage.Descriptor> manifests = new ArrayList<>();
        for (JsonNode d : json.readTree(layout.resolve("blobs/sha256/" + index.digest().substring(7)).toFile()).path("manifests")) {
            manifests.add(new OciImage.Descriptor(d.path("mediaType").asText(), d.path("digest").asText(), d.path("size").asLong()));
        }
        return RegistryPush.push(layout, index, manifests, ref, tags, env, console);
    }

    private static void report(SlipwayConfig config, Facts facts, Result r, Console console) {
        Path dir = config.serviceDir();
        console.println("image " + facts.name() + " " + facts.version() + " (commit "
                + facts.commit().substring(0, Math.min(7, facts.commit().length())) + ")");
        console.println("  index        " + r.index().digest());
        for (var e : r.manifests().entrySet()) {
            long[] s = r.sizes().get(e.getKey());
            console.println("  " + e.getKey() + "  " + e.getValue().digest() + "  " + Console.megabytes(s[0])
                    + " compressed, " + Console.megabytes(s[1]) + " uncompressed");
        }
        Path shown = r.output().startsWith(dir) ? dir.relativize(r.output()) : r.output();
        console.println("  " + r.format() + "  " + shown + " (tags " + String.join(", ", r.tags()) + ")");
        if (r.pushed() != null) {
            r.pushed().refs().forEach(ref -> console.println("  pushed " + ref));
        }
    }

    /** Adds {@code image} to {@code dist/artifacts.json}: format, path, index and manifest digests, pushes. */
    private static void record(Path manifest, Path dir, Result r) throws IOException {
        ObjectMapper json = new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT);
        ObjectNode doc = (ObjectNode) json.readTree(manifest.toFile());
        ObjectNode image = doc.putObject("image");
        image.put("path", r.output().startsWith(dir) ? dir.relativize(r.output()).toString() : r.output().toString());
        image.put("format", r.format());
        image.put("index", r.index().digest());
        ObjectNode m = image.putObject("manifests");
        for (var e : r.manifests().entrySet()) {
            ObjectNode p = m.putObject(e.getKey().toString());
            p.put("digest", e.getValue().digest());
            p.put("compressedSize", r.sizes().get(e.getKey())[0]);
            p.put("uncompressedSize", r.sizes().get(e.getKey())[1]);
        }
        var tags = image.putArray("tags");
        r.tags().forEach(tags::add);
        var pushed = image.putArray("pushed");
        if (r.pushed() != null) {
            r.pushed().refs().forEach(pushed::add);
        }
        json.writeValue(manifest.toFile(), doc);
    }

    /**
     * The layers of one platform: system (glibc libraries, certificates, zoneinfo), runtime,
     * dependencies ({@code app/lib}, and the {@code lib/} of a tree shipped whole such as Quarkus'
     * {@code app/quarkus-app/}) when there are any, and app (the rest of {@code app/} and the
     * {@code build.files} in the layout root), under {@code /opt/<name>}.
     */
    /**
     * The image's health check: the readiness probe run by {@value #PROBE} (no shell, no curl in the
     * image). Mapped as the Kubernetes manifests map probes: interval rounded up to whole seconds (at
     * least 1) is both the interval and one check's deadline; the start period is the startup grace
     * plus the readiness timeout (failures before then do not count); 3 failures in a row make the
     * container unhealthy (Kubernetes' default failureThreshold).
     *
     * @param readiness {@code service.readiness}
     * @return the health check for the image config
     */
    public static OciImage.Healthcheck healthcheck(SlipwayConfig.Probe readiness) {
        long seconds = Math.max(1, -Math.floorDiv(-readiness.interval().toMillis(), 1000));
        List<String> test = new ArrayList<>(List.of("CMD", PROBE, readiness.type().key()));
        if (!readiness.tcp()) {
            test.add(readiness.path());
        }
        test.add(String.valueOf(seconds));
        return new OciImage.Healthcheck(test, java.time.Duration.ofSeconds(seconds), java.time.Duration.ofSeconds(seconds),
                readiness.startupGrace().plus(readiness.timeout()), 3);
    }

    static List<Layer> layers(SlipwayConfig config, Facts facts, Platform platform, Path tree, Path blobs)
            throws IOException {
        ImageConfig ic = config.image();
        String home = "opt/" + facts.name();
        Layer.Builder system = new Layer.Builder("glibc libraries, CA certificates, zoneinfo");
        system.add(Layer.Entry.data("etc/passwd", PASSWD.getBytes(StandardCharsets.UTF_8)));
        system.add(Layer.Entry.data("etc/group", GROUP.getBytes(StandardCharsets.UTF_8)));
        system.add(Layer.Entry.dir("tmp", 01777, 0, 0));
        byte[] probe = dev.slipway.build.Unpacker.compile(ImageBuilder.class, "probe.c", "the image's readiness probe",
                platform, Builder.cacheDir(), List.of(), "a C compiler");
        system.add(new Layer.Entry(PROBE.substring(1), 'f', null, probe, null, 0755, 0, 0));
        String[] user = ic.user().split(":");
        system.add(Layer.Entry.dir("data", 0700, Integer.parseInt(user[0]), Integer.parseInt(user[1])));
        Path root = ic.sysroots().containsKey(platform.toString()) ? ic.sysroots().get(platform.toString())
                : platform.equals(Platform.host()) ? Path.of("/") : null;
        if (root == null) {
            throw SlipwayException.usage("no root to take " + platform + " glibc libraries from: set image.sysroots."
                    + platform + " in " + config.file().getFileName() + " (Debian: apt-get download libc6:"
                    + platform.arch() + " libstdc++6:" + platform.arch() + " libgcc-s1:" + platform.arch() + " zlib1g:"
                    + platform.arch() + ", then dpkg-deb -x each into one directory)");
        }
        for (SharedLibraries.Library lib : SharedLibraries.of(tree.resolve("runtime"), root, platform)) {
            Layer.Entry e = Layer.Entry.file(lib.path(), lib.source());
            system.add(new Layer.Entry(e.path(), 'f', e.source(), null, null, 0755, 0, 0));
        }
        if (ic.certificates()) {
            Path certs = Path.of("/etc/ssl/certs/ca-certificates.crt");
            if (!Files.isRegularFile(certs)) {
                throw SlipwayException.usage(certs + " is missing: install the CA certificates (Debian: ca-certificates)"
                        + " or set image.certificates: false");
            }
            system.add(Layer.Entry.file("etc/ssl/certs/ca-certificates.crt", certs));
        }
        if (ic.zoneinfo()) {
            Path zoneinfo = Path.of("/usr/share/zoneinfo");
            if (!Files.isDirectory(zoneinfo)) {
                throw SlipwayException.usage(zoneinfo + " is missing: install the time zone database (Debian: tzdata)"
                        + " or set image.zoneinfo: false");
            }
            system.addTree(zoneinfo, "usr/share/zoneinfo");
        }
        Layer.Builder runtime = new Layer.Builder("runtime").addTree(tree.resolve("runtime"), home + "/runtime");
        Layer.Builder deps = new Layer.Builder("dependencies");
        if (Files.isDirectory(tree.resolve("app/lib"))) {
            deps.addTree(tree.resolve("app/lib"), home + "/app/lib");
        }
        Layer.Builder app = new Layer.Builder("app");
        try (var s = Files.list(tree.resolve("app"))) {
            for (Path p : s.sorted().toList()) {
                if (!p.getFileName().toString().equals("lib")) {
                    if (Files.isDirectory(p) && Files.isDirectory(p.resolve("lib"))) {
                        // A tree shipped whole (Quarkus' quarkus-app/): its lib/ changes as seldom as app/lib.
                        String at = home + "/app/" + p.getFileName();
                        try (var inner = Files.list(p)) {
                            for (Path q : inner.sorted().toList()) {
                                Layer.Builder into = q.getFileName().toString().equals("lib") ? deps : app;
                                if (Files.isDirectory(q)) {
                                    into.addTree(q, at + "/" + q.getFileName());
                                } else {
                                    into.add(Layer.Entry.file(at + "/" + q.getFileName(), q));
                                }
                            }
                        }
                    } else if (Files.isDirectory(p)) {
                        app.addTree(p, home + "/app/" + p.getFileName());
                    } else {
                        app.add(Layer.Entry.file(home + "/app/" + p.getFileName(), p));
                    }
                }
            }
        }
        // build.files: beside runtime/, app/ and bin/ in the layout root, so at <home>/<path> here too.
        try (var s = Files.list(tree)) {
            for (Path p : s.sorted().toList()) {
                String n = p.getFileName().toString();
                if (!List.of("runtime", "app", "bin").contains(n)) {
                    if (Files.isDirectory(p)) {
                        app.addTree(p, home + "/" + n);
                    } else {
                        app.add(Layer.Entry.file(home + "/" + n, p));
                    }
                }
            }
        }
        // Layers that do not depend on the commit get a fixed time, so a new commit reuses them. Class
        // path jars keep the build time when a trained cache (AOT, AppCDS) checks their mtimes.
        boolean trained = Files.exists(tree.resolve("app/app.aot")) || Files.exists(tree.resolve("app/app.jsa"));
        Path cache = Builder.cacheDir().resolve("layers");
        List<Layer> out = new ArrayList<>();
        out.add(system.write(blobs, FIXED_TIME, cache));
        out.add(runtime.write(blobs, FIXED_TIME, cache));
        if (!deps.isEmpty()) {
            out.add(deps.write(blobs, trained ? facts.time() : FIXED_TIME, cache));
        }
        out.add(app.write(blobs, facts.time()));
        return out;
    }

    /**
     * The java command line of the image: the entrypoint is fixed when the image is built, so the
     * references of {@link References} in the options and arguments are expanded here, to the
     * image's fixed port ({@code service.port}), {@code 0.0.0.0} and {@code /opt/<name>}.
     *
     * @param config the service configuration
     * @param home   the layout root in the image
     * @param launch what the build's launcher starts
     * @return java's arguments: options, {@code -cp}, the class path, the main class, the arguments
     */
    static List<String> javaCommand(SlipwayConfig config, String home, Launch launch) {
        References.Values values = References.Values.of(config.service().port(), "0.0.0.0", home);
        List<String> argv = new ArrayList<>();
        launch.jvmOptions().forEach(o -> argv.add(References.expand(o.replace(Launcher.HOME, home), values)));
        argv.add("-cp");
        argv.add(String.join(":", launch.classpath().stream().map(c -> home + "/" + c).toList()));
        argv.add(launch.mainClass());
        argv.addAll(References.expand(launch.args(), values));
        return argv;
    }

    /**
     * The image's environment: Slipway's variables, then {@code service.env}, then
     * {@code image.env}, their references expanded to the image's fixed port and {@code 0.0.0.0}.
     *
     * @param config the service configuration
     * @param home   the layout root in the image, {@code /opt/<name>}
     * @return the variables in order: PATH, PORT, ADDR, DRAIN_TIMEOUT, DATA_DIR, then by name
     */
    public static Map<String, String> imageEnv(SlipwayConfig config, String home) {
        References.Values values = References.Values.of(config.service().port(), "0.0.0.0", null);
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", home + "/runtime/bin");
        env.put("PORT", String.valueOf(config.service().port()));
        env.put("ADDR", "0.0.0.0");
        env.put("DRAIN_TIMEOUT", String.valueOf(config.service().drainTimeout().toSeconds()));
        env.put("DATA_DIR", "/data");
        References.expandEnv(new TreeMap<>(config.service().env()), values).forEach(env::put);
        References.expandEnv(new TreeMap<>(config.image().env()), values).forEach(env::put);
        return env;
    }

    private static OciImage.Config imageConfig(SlipwayConfig config, Facts facts, Source s, Map<String, String> annotations) {
        String home = "/opt/" + facts.name();
        List<String> entrypoint = new ArrayList<>();
        entrypoint.add(home + "/runtime/bin/java");
        entrypoint.addAll(javaCommand(config, home, s.launch()));
        Map<String, String> env = imageEnv(config, home);
        return new OciImage.Config(s.platform(), facts.time(), config.image().user(), config.service().port(),
                env.entrySet().stream().map(e -> e.getKey() + "=" + e.getValue()).toList(), entrypoint, "/data",
                List.of("/data"), annotations, healthcheck(config.service().readiness()));
    }

    /** The OCI annotations of the manifests and the index (annotations.md's pre-defined keys). */
    static Map<String, String> annotations(SlipwayConfig config, Facts facts) {
        Map<String, String> a = new TreeMap<>();
        a.put("org.opencontainers.image.created", facts.time().toString());
        a.put("org.opencontainers.image.revision", facts.commit());
        a.put("org.opencontainers.image.title", facts.name());
        a.put("org.opencontainers.image.version", facts.version());
        String source = config.image().source() != null ? config.image().source() : gitOrigin(config.serviceDir());
        if (source != null) {
            a.put("org.opencontainers.image.source", source);
        }
        a.putAll(config.image().annotations());
        return a;
    }

    /** The git remote {@code origin} URL without user info (never a credential), or {@code null}. */
    static String gitOrigin(Path dir) {
        try (var repo = new org.eclipse.jgit.storage.file.FileRepositoryBuilder().findGitDir(dir.toFile()).build()) {
            if (repo.getDirectory() == null) {
                return null;
            }
            String url = repo.getConfig().getString("remote", "origin", "url");
            if (url == null) {
                return null;
            }
            return url.replaceFirst("^(https?://)[^@/]*@", "$1");
        } catch (IOException | IllegalArgumentException e) {
            return null;
        }
    }

    /** Unpacks the host platform's layers in order into {@code rootfs}, and writes the java args file. */
    private static void writeRootfs(SlipwayConfig config, Path blobs, Map<Platform, OciImage.Descriptor> manifests,
                                    List<Source> sources, Facts facts, Path rootfs) throws IOException {
        Platform host = Platform.host();
        Source source = sources.stream().filter(s -> s.platform().equals(host)).findFirst().orElseThrow(
                () -> SlipwayException.usage("--rootfs needs a build for this machine's platform " + host));
        JsonNode manifest = new ObjectMapper().readTree(blobs.resolve(manifests.get(host).digest().substring(7)).toFile());
        Files.createDirectories(rootfs);
        for (JsonNode layer : manifest.path("layers")) {
            Path blob = blobs.resolve(layer.path("digest").asText().substring(7));
            try (InputStream in = Files.newInputStream(blob);
                 TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
                TarArchiveEntry e;
                while ((e = tar.getNextEntry()) != null) {
                    Path target = rootfs.resolve(e.getName()).normalize();
                    if (e.isDirectory()) {
                        Files.createDirectories(target);
                    } else if (e.isSymbolicLink()) {
                        Files.deleteIfExists(target);
                        Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                        continue;
                    } else {
                        Files.copy(tar, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                    }
                    Files.setPosixFilePermissions(target, permissions(e.getMode()));
                    if (e.getLongUserId() != 0 || e.getLongGroupId() != 0) {
                        try { // possible as root only, as in the Dockerfile's build stage
                            Files.setAttribute(target, "unix:uid", (int) e.getLongUserId());
                            Files.setAttribute(target, "unix:gid", (int) e.getLongGroupId());
                        } catch (IOException | UnsupportedOperationException | SecurityException ignored) {
                            // The Dockerfile's COPY --chown sets it anyway.
                        }
                    }
                }
            }
        }
        String home = "/opt/" + facts.name();
        StringBuilder args = new StringBuilder();
        // The java launcher's @file: one quoted argument per line; inside quotes \\, \", \n and \r are escapes.
        for (String a : javaCommand(config, home, source.launch())) {
            args.append('"').append(a.replace("\\", "\\\\").replace("\"", "\\\"").replace("\n", "\\n")
                    .replace("\r", "\\r")).append("\"\n");
        }
        Files.writeString(rootfs.resolve("opt/" + facts.name() + "/app/java.args"), args.toString());
    }

    private static java.util.Set<java.nio.file.attribute.PosixFilePermission> permissions(int mode) {
        java.util.Set<java.nio.file.attribute.PosixFilePermission> out = new java.util.HashSet<>();
        java.nio.file.attribute.PosixFilePermission[] all = java.nio.file.attribute.PosixFilePermission.values();
        for (int i = 0; i < 9; i++) {
            if ((mode & (0400 >> i)) != 0) {
                out.add(all[i]);
            }
        }
        return out;
    }

    /**
     * Unpacks a build's {@code .tar.gz} without its top directory, keeping exec bits and links. The
     * archive is several gzip members (app, then the cached runtime; RFC 1952 2.2), so all are read.
     */
    static void extract(Path archive, Path into) throws IOException {
        Files.createDirectories(into);
        try (InputStream in = Files.newInputStream(archive);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(
                     new java.io.BufferedInputStream(in, 1 << 16), true))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                String name = e.getName();
                int slash = name.indexOf('/');
                String rel = slash < 0 ? "" : name.substring(slash + 1);
                if (rel.isEmpty() || rel.equals("/")) {
                    continue;
                }
                Path target = into.resolve(rel).normalize();
                if (!target.startsWith(into)) {
                    throw new IOException(archive + ": entry " + name + " leaves the archive");
                }
                if (e.isDirectory()) {
                    Files.createDirectories(target);
                } else if (e.isSymbolicLink()) {
                    Files.createDirectories(target.getParent());
                    Files.createSymbolicLink(target, Path.of(e.getLinkName()));
                } else {
                    Files.createDirectories(target.getParent());
                    Files.copy(tar, target);
                    if ((e.getMode() & 0100) != 0) {
                        Files.setPosixFilePermissions(target, PosixFilePermissions.fromString("rwxr-xr-x"));
                    }
                }
            }
        }
    }

    private static List<String> strings(JsonNode array) {
        List<String> out = new ArrayList<>();
        array.forEach(n -> out.add(n.asText()));
        return List.copyOf(out);
    }
}
