package dev.slipway.image;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.artifact.Artifacts;
import dev.slipway.build.Launcher;
import dev.slipway.build.Platform;
import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Json;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.function.Function;

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
    /**
     * The entrypoint in every image ({@code start.c}): expands {@code ${PORT}} and {@code ${ADDR}}
     * from the container's environment, then executes java ({@link #entrypoint}).
     */
    public static final String START = "/usr/bin/slipway-start";
    /**
     * java's arguments in the root file system of {@code image --rootfs}, relative to the layout
     * root, each ended by a NUL byte: the file the Dockerfile's entrypoint gives {@value #START}'s {@code -a}.
     */
    public static final String JAVA_ARGV = "app/java.argv";
    /** The option of {@value #START} that opens a directory as file descriptor 9 for java ({@code start.c}). */
    public static final String OPEN_HOME = "-d";
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
     *                  {@code opt/<name>/app/java.argv} (java's arguments, each ended by a NUL byte, for
     *                  {@value #START}'s {@code -a}), for
     *                  the Dockerfile of {@code slipway render dockerfile}; or {@code null}
     */
    public record Options(Path output, String format, String push, List<String> platforms, Path rootfs) {}

    /**
     * One platform's build output.
     *
     * @param platform the platform
     * @param archive  the build's {@code .tar.gz} of the layout (top directory, then runtime/ app/ bin/)
     * @param launch   what to start
     */
    public record Source(Platform platform, Path archive, Artifacts.Launch launch) {}

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
        return run(new ImageContext(config, options, true, console, env));
    }

    /**
     * Builds the image from given build outputs (used by {@code slipway release} too), without
     * recording it in {@code dist/artifacts.json}.
     *
     * @param config  the service configuration
     * @param facts   name, version, commit, time
     * @param sources one per platform
     * @param options output, format, push
     * @param console progress and results
     * @param env     reads environment variables
     * @return what was made
     * @throws SlipwayException exit 2 for a bad output or a missing library, exit 1 when writing or pushing fails
     */
    public static Result build(SlipwayConfig config, Facts facts, List<Source> sources, Options options, Console console,
                               Function<String, String> env) {
        ImageContext c = new ImageContext(config, options, false, console, env);
        c.facts = facts;
        c.sources = List.copyOf(sources);
        return run(c);
    }

    private static Result run(ImageContext c) {
        try {
            ImagePipeline.pipeline().run(c);
            return c.result();
        } finally {
            try {
                if (c.work != null) {
                    Trees.deleteTree(c.work);
                }
            } catch (IOException ignored) {
                // dist/.image is emptied by the next image build.
            }
        }
    }

    /**
     * @param serviceDir the service directory
     * @param r          what an image build made
     * @return its record for the {@code image} section of {@code dist/artifacts.json}
     */
    public static Artifacts.Image recorded(Path serviceDir, Result r) {
        Map<String, Artifacts.Manifest> manifests = new LinkedHashMap<>();
        r.manifests().forEach((p, d) -> manifests.put(p.toString(), new Artifacts.Manifest(d.digest(),
                r.sizes().get(p)[0], r.sizes().get(p)[1])));
        return new Artifacts.Image(r.output().startsWith(serviceDir) ? serviceDir.relativize(r.output()).toString()
                : r.output().toString(), r.format(), r.index().digest(), manifests, r.tags(),
                r.pushed() == null ? List.of() : r.pushed().refs());
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
        JsonNode top = Json.MAPPER.readTree(layout.resolve("index.json").toFile());
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
        for (JsonNode d : Json.MAPPER.readTree(layout.resolve("blobs/sha256/" + index.digest().substring(7)).toFile()).path("manifests")) {
            manifests.add(new OciImage.Descriptor(d.path("mediaType").asText(), d.path("digest").asText(), d.path("size").asLong()));
        }
        return RegistryPush.push(layout, index, manifests, ref, tags, env, console);
    }

    /**
     * The java command line of the image. {@code ${APP_HOME}} is the image's fixed layout root and
     * is expanded here; {@code ${PORT}} and {@code ${ADDR}} are left as written, for
     * {@value #START} to expand from the container's {@code PORT} and {@code ADDR} when it starts
     * ({@link #entrypoint}).
     *
     * @param config the service configuration
     * @param home   the layout root in the image
     * @param launch what the build's launcher starts
     * @return java's arguments: options, {@code -cp}, the class path, the main class, the arguments
     */
    static List<String> javaCommand(SlipwayConfig config, String home, Artifacts.Launch launch) {
        References.Values values = new References.Values(References.PORT, References.ADDR, home);
        List<String> argv = new ArrayList<>();
        launch.jvmOptions().stream().filter(o -> !o.equals(Launcher.OPEN_HOME))
                .forEach(o -> argv.add(References.expand(o.replace(Launcher.HOME, home), values)));
        argv.add("-cp");
        argv.add(String.join(":", launch.classpath().stream().map(c -> home + "/" + c).toList()));
        argv.add(launch.mainClass());
        argv.addAll(References.expand(launch.args(), values));
        return argv;
    }

    /**
     * The image's entrypoint: {@value #START}, which expands {@code ${PORT}} and {@code ${ADDR}}
     * from the container's environment when it starts (in the variables {@link #expandedEnv}
     * names, the JVM options and the arguments) and then executes java in its place.
     *
     * @param config the service configuration
     * @param home   the layout root in the image
     * @param launch what the build's launcher starts
     * @return the argv: {@value #START}, {@code -e NAME} per variable, {@code -d HOME} when the
     *         options carry {@link Launcher#OPEN_HOME} (descriptor 9 on the layout root, which a
     *         class-data archive or AOT cache made at build time names its class path by),
     *         {@code --}, java, then {@link #javaCommand}
     */
    static List<String> entrypoint(SlipwayConfig config, String home, Artifacts.Launch launch) {
        List<String> argv = startOptions(config);
        if (launch.jvmOptions().contains(Launcher.OPEN_HOME)) {
            argv.add(OPEN_HOME);
            argv.add(home);
        }
        argv.add("--");
        argv.add(home + "/runtime/bin/java");
        argv.addAll(javaCommand(config, home, launch));
        return argv;
    }

    /**
     * @param config the service configuration
     * @return {@value #START} and its {@code -e NAME} options ({@link #expandedEnv}), without {@code --}
     */
    public static List<String> startOptions(SlipwayConfig config) {
        List<String> argv = new ArrayList<>(List.of(START));
        expandedEnv(config).forEach(name -> {
            argv.add("-e");
            argv.add(name);
        });
        return argv;
    }

    /**
     * The variables whose values {@value #START} expands: those that {@code service.env} or
     * {@code image.env} gives a {@code ${PORT}} or {@code ${ADDR}}. A target that sets such a
     * variable itself (a Kubernetes pod's env of {@code service.env}) gets it expanded too.
     *
     * @param config the service configuration
     * @return the names, sorted
     */
    public static List<String> expandedEnv(SlipwayConfig config) {
        java.util.SortedSet<String> names = new java.util.TreeSet<>();
        for (Map<String, String> env : List.of(config.service().env(), config.image().env())) {
            env.forEach((k, v) -> {
                if (References.any(v)) {
                    names.add(k);
                }
            });
        }
        return List.copyOf(names);
    }

    /**
     * The image's health check: the readiness probe run by {@value #PROBE} (no shell, no curl in the
     * image; {@code http PATH}, {@code tcp} or {@code grpc SERVICE}, the last its own gRPC health
     * check over cleartext HTTP/2). Mapped as the Kubernetes manifests map probes: interval rounded up to whole seconds (at
     * least 1) is both the interval and one check's deadline; the start period is the startup grace
     * plus the readiness timeout (failures before then do not count); 3 failures in a row make the
     * container unhealthy (Kubernetes' default failureThreshold).
     *
     * A service with no port ({@code process} readiness) gets none: Docker's own account of the
     * container (running or exited) is all there is to check, as Kamal runs such roles.
     *
     * @param readiness {@code service.readiness}
     * @return the health check for the image config, or {@code null} for a {@code process} probe
     */
    public static OciImage.Healthcheck healthcheck(SlipwayConfig.Probe readiness) {
        if (readiness.process()) {
            return null;
        }
        long seconds = Math.max(1, -Math.floorDiv(-readiness.interval().toMillis(), 1000));
        List<String> test = new ArrayList<>(List.of("CMD", PROBE, readiness.type().key()));
        if (readiness.http()) {
            test.add(readiness.path());
        } else if (readiness.grpc()) {
            test.add(readiness.service()); // "" for the whole server: an exec-form argument of its own
        }
        test.add(String.valueOf(seconds));
        return new OciImage.Healthcheck(test, java.time.Duration.ofSeconds(seconds), java.time.Duration.ofSeconds(seconds),
                readiness.startupGrace().plus(readiness.timeout()), 3);
    }

    /**
     * The image's environment: Slipway's variables, then {@code service.env}, then
     * {@code image.env}, as written: {@value #START} expands their {@code ${PORT}} and
     * {@code ${ADDR}} from the container's {@code PORT} and {@code ADDR} when it starts, so a
     * container given another port (a Swarm task's own, {@code docker run -e PORT=...}) gets it
     * in these values too.
     *
     * @param config the service configuration
     * @param home   the layout root in the image, {@code /opt/<name>}
     * @return the variables in order: PATH, PORT, ADDR, DRAIN_TIMEOUT, DATA_DIR, then by name
     */
    public static Map<String, String> imageEnv(SlipwayConfig config, String home) {
        Map<String, String> env = new LinkedHashMap<>();
        env.put("PATH", home + "/runtime/bin");
        env.put("PORT", String.valueOf(config.service().port()));
        env.put("ADDR", "0.0.0.0");
        env.put("DRAIN_TIMEOUT", String.valueOf(config.service().drainTimeout().toSeconds()));
        env.put("DATA_DIR", "/data");
        env.putAll(new TreeMap<>(config.service().env()));
        env.putAll(new TreeMap<>(config.image().env()));
        return env;
    }
}
