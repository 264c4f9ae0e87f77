package dev.slipway.render;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Json;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * {@code slipway render dockerfile}: a multi-stage Dockerfile (Dockerfile reference, "Multi-stage
 * builds") that builds the image {@code slipway image} builds, for users who build with Docker:
 *
 * <ol>
 *   <li>{@code jdk}: Debian with a JDK, Maven, git, CA certificates and zoneinfo (no C compiler:
 *       Slipway carries the single file's unpacker prebuilt, {@code build.NativeHelpers});</li>
 *   <li>{@code maven}: {@code pom.xml} first and {@code mvn dependency:go-offline} in its own layer,
 *       then the sources and the service's build command, offline;</li>
 *   <li>{@code rootfs}: {@code slipway build} for the build's own platform, then
 *       {@code slipway image --rootfs /rootfs};</li>
 *   <li>the final stage: {@code FROM scratch}, that root file system, non-root user, exposed port,
 *       environment, and an exec-form entrypoint, {@code slipway-start}, that expands {@code ${PORT}} and
 *       {@code ${ADDR}} and then executes java as PID 1.</li>
 * </ol>
 *
 * <p>Two build arguments: {@code BASE}, the image the build stages start from (default
 * {@code debian:bookworm-slim}), and {@code SLIPWAY}, where Slipway's distribution (the directory
 * that holds {@code slipway.jar} and {@code lib/}) comes from: by default the BuildKit named context
 * {@code slipway} (docker buildx build {@code --build-context}), else an image that holds that
 * directory (the classic builder has no named contexts). The stage that reads it is called
 * {@code distribution}, not {@code slipway}, because a named context replaces a stage of the same
 * name. {@code DockerfileBuildTest} builds the file with a real engine.
 */
public final class Dockerfile {
    private static final ObjectMapper JSON = Json.MAPPER;

    private Dockerfile() {}

    /**
     * Renders the Dockerfile of a service.
     *
     * @param config the service configuration
     * @return the Dockerfile text
     */
    public static String render(SlipwayConfig config) {
        String name = config.name();
        String home = "/opt/" + name;
        String slipway = "java -cp '/opt/slipway/slipway.jar:/opt/slipway/lib/*' dev.slipway.cli.SlipwayCli";
        List<String> buildCommand = new ArrayList<>(config.build().command());
        // The dependency layer runs the build command itself once on the POM alone (no sources: an
        // empty package), online: dependency:go-offline resolves the dependencies and declared plugins
        // but not every plugin the package phase binds (maven-surefire-plugin, whose mojo is loaded
        // even with -DskipTests, failed the offline build), and the command's own goals.
        String resolveAll = "RUN mvn -q -B dependency:go-offline";
        if (!buildCommand.isEmpty() && buildCommand.get(0).equals("mvn")) {
            resolveAll = "RUN mvn -q -B dependency:go-offline \\\n    && " + shell(buildCommand) + " \\\n    && rm -rf target";
            buildCommand.add(1, "-o");
        }
        dev.slipway.image.OciImage.Healthcheck health = dev.slipway.image.ImageBuilder.healthcheck(config.service().readiness());
        // The image's environment as 'slipway image' writes it (${PORT} and ${ADDR} as written, for
        // slipway-start); a Dockerfile expands $VAR and ${VAR} in ENV itself (Dockerfile reference,
        // "Environment replacement"), so every $ is escaped and the container sees the value as written.
        Map<String, String> env = new TreeMap<>(dev.slipway.image.ImageBuilder.imageEnv(config, home));
        List.of("PATH", "PORT", "ADDR", "DRAIN_TIMEOUT", "DATA_DIR").forEach(env::remove);
        StringBuilder envLine = new StringBuilder("ENV PATH=" + home + "/runtime/bin PORT=" + config.service().port()
                + " ADDR=0.0.0.0 DRAIN_TIMEOUT=" + config.service().drainTimeout().toSeconds() + " DATA_DIR=/data");
        env.forEach((k, v) -> envLine.append(" \\\n    ").append(k).append('=').append(json(v).replace("$", "\\$")));
        return String.join("\n",
                "# syntax=docker/dockerfile:1",
                "# " + name + ": the scratch image 'slipway image' builds, as a multi-stage Docker build.",
                "# Rendered by 'slipway render dockerfile'. Build with BuildKit, passing Slipway's distribution",
                "# (the directory that holds slipway.jar and lib/) as the named context 'slipway':",
                "#   docker buildx build --build-context slipway=PATH/TO/slipway-cli/target -t " + name + " .",
                "# or with the classic builder, which has no named contexts, from an image of that directory:",
                "#   tar -C PATH/TO/slipway-cli/target -c slipway.jar lib | docker import - slipway-dist",
                "#   docker build --network host --build-arg SLIPWAY=slipway-dist -t " + name + " .",
                "# BASE is the image the build stages start from (Debian 12 with apt sources).",
                "ARG BASE=debian:bookworm-slim",
                "ARG SLIPWAY=slipway",
                "",
                "# Slipway's distribution: the named context 'slipway', or the image SLIPWAY names.",
                "FROM ${SLIPWAY} AS distribution",
                "",
                "# 1. A JDK and Maven (no C compiler: Slipway carries the single file's unpacker prebuilt);",
                "#    binutils: Debian's jlink --strip-debug runs objcopy; CA certificates and zoneinfo for the image.",
                "FROM ${BASE} AS jdk",
                "RUN apt-get update \\",
                "    && apt-get install -y --no-install-recommends openjdk-17-jdk-headless maven \\",
                "       binutils git ca-certificates tzdata \\",
                "    && rm -rf /var/lib/apt/lists/*",
                "",
                "# 2. Dependencies resolve in their own layer, before the sources are copied: a change to the",
                "#    sources reuses it.",
                "FROM jdk AS maven",
                "WORKDIR /src",
                "COPY pom.xml ./",
                resolveAll,
                "COPY . ./",
                "RUN " + json(buildCommand),
                "",
                "# 3. slipway build for this build's platform, then the image's root file system.",
                "FROM maven AS rootfs",
                "COPY --from=distribution / /opt/slipway/",
                "RUN " + slipway + " build --no-compile --platform \"linux-$(dpkg --print-architecture)\" . \\",
                "    && " + slipway + " image --rootfs /rootfs .",
                "",
                "# 4. From scratch: glibc libraries, CA certificates, zoneinfo, the runtime and the jars; no shell.",
                "FROM scratch",
                "COPY --from=rootfs /rootfs/ /",
                "# COPY makes files root's; the data directory belongs to the user the service runs as.",
                "COPY --from=rootfs --chown=" + config.image().user() + " /rootfs/data /data",
                "USER " + config.image().user(),
                config.service().readiness().process() ? "# No EXPOSE: the service listens on no port."
                        : "EXPOSE " + config.service().port() + "/tcp",
                envLine.toString(),
                "WORKDIR /data",
                "VOLUME [\"/data\"]",
                "STOPSIGNAL SIGTERM",
                health == null ? "# No HEALTHCHECK: readiness type process (the service listens on no port)."
                        : "# Readiness, with the probe the image carries (no shell or curl in it), as 'slipway image' sets it.\n"
                        + "HEALTHCHECK --interval=" + health.interval().toSeconds() + "s --timeout=" + health.timeout().toSeconds()
                        + "s --start-period=" + health.startPeriod().toSeconds() + "s --retries=" + health.retries()
                        + " CMD " + json(health.test().subList(1, health.test().size())),
                "# slipway-start expands ${PORT} and ${ADDR} from the container's PORT and ADDR, in the variables",
                "# it names and in java's arguments (from the file 'slipway image' wrote, NUL-separated), then",
                "# executes java, which runs as PID 1 and receives SIGTERM itself.",
                "ENTRYPOINT " + json(entrypoint(config, home)),
                "");
    }

    /**
     * @param config the service configuration
     * @param home   the layout root in the image
     * @return the exec-form entrypoint: {@code slipway-start}, its {@code -e NAME} options, {@code -a}
     *         the java arguments' file, {@code -d} the layout root (descriptor 9, which a class-data
     *         archive or AOT cache made at build time names its class path by; the runtime is not
     *         known when this is rendered, and an unused descriptor costs nothing), {@code --} and java
     */
    static List<String> entrypoint(SlipwayConfig config, String home) {
        List<String> argv = new ArrayList<>(dev.slipway.image.ImageBuilder.startOptions(config));
        argv.addAll(List.of("-a", home + "/" + dev.slipway.image.ImageBuilder.JAVA_ARGV, dev.slipway.image.ImageBuilder.OPEN_HOME, home,
                "--", home + "/runtime/bin/java"));
        return argv;
    }

    /** @return argv as one POSIX sh command line, each word single-quoted when it needs quoting */
    private static String shell(List<String> argv) {
        return String.join(" ", argv.stream().map(a -> a.matches("[A-Za-z0-9_./:=@,+-]+") ? a
                : "'" + a.replace("'", "'\\''") + "'").toList());
    }

    private static String json(Object value) {
        try {
            return JSON.writeValueAsString(value);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }
}
