package dev.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.artifact.Artifacts;
import dev.slipway.build.Launcher;
import dev.slipway.build.Training;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * The image's entrypoint and environment: {@code ${APP_HOME}} is the image's fixed root and expands
 * when it is built; {@code ${PORT}} and {@code ${ADDR}} stay as written for slipway-start, which
 * expands them from the container's own variables when it starts. A class-data archive or AOT cache
 * made at build time is used, with descriptor 9 opened on the image's root by slipway-start.
 */
class ImageLaunchTest {
    static final SlipwayConfig CONFIG = ConfigLoader.parse(Path.of("svc/slipway.yaml"), """
            name: dw
            service:
              port: 9000
              env: {SERVER_PORT: "${PORT}", RAW: "$X ${HOME}"}
            image:
              env: {SELF: "http://${ADDR}:${PORT}"}
            """);

    @Test
    void optionsAndArgumentsGetTheImagesHomeAndKeepPortAndAddressForStart() {
        var launch = new Artifacts.Launch("io.dw.Main", List.of("app/a.jar", "app/lib/b.jar"),
                List.of("-Xmx64m", "-XX:AOTCache=" + Launcher.HOME + "/app/app.aot", "-Dport=${PORT}", "-Dh=${APP_HOME}"),
                List.of("server", "${APP_HOME}/config.yml", "--bind=${ADDR}", "${HOME} $X"));
        List<String> java = List.of("-Xmx64m", "-XX:AOTCache=/opt/dw/app/app.aot", "-Dport=${PORT}", "-Dh=/opt/dw", "-cp",
                "/opt/dw/app/a.jar:/opt/dw/app/lib/b.jar", "io.dw.Main", "server", "/opt/dw/config.yml", "--bind=${ADDR}",
                "${HOME} $X");
        assertEquals(java, ImageBuilder.javaCommand(CONFIG, "/opt/dw", launch));
        List<String> entrypoint = new java.util.ArrayList<>(List.of(ImageBuilder.START, "-e", "SELF", "-e", "SERVER_PORT",
                "--", "/opt/dw/runtime/bin/java"));
        entrypoint.addAll(java);
        assertEquals(entrypoint, ImageBuilder.entrypoint(CONFIG, "/opt/dw", launch),
                "slipway-start expands the variables with a reference (RAW has none), then runs java");
    }

    @Test
    void jdk17UsesTheArchiveTheBuildMadeWithDescriptorNineOnTheImagesRoot() {
        List<String> options = new ArrayList<>(List.of("-Xmx64m"));
        options.addAll(Training.launcherOptions(17));
        var launch = new Artifacts.Launch("io.dw.Main", List.of("app/a.jar"),
                Training.imageOptions(options, Set.of(Training.BUILT_CDS_FILE, Training.CLASS_LIST)::contains), List.of());
        assertEquals(List.of(ImageBuilder.START, "-e", "SELF", "-e", "SERVER_PORT", "-d", "/opt/dw", "--",
                "/opt/dw/runtime/bin/java", "-Xmx64m", "-Xlog:cds=off", "-Xlog:class+path=off",
                "-XX:SharedArchiveFile=/opt/dw/app/app.built.jsa", "-cp", "/opt/dw/app/a.jar", "io.dw.Main"),
                ImageBuilder.entrypoint(CONFIG, "/opt/dw", launch), "no first run in an image: the build's archive is named");
        var none = new Artifacts.Launch("io.dw.Main", List.of("app/a.jar"), Training.imageOptions(options, f -> false),
                List.of());
        assertEquals(List.of("-Xmx64m", "-Xlog:cds=off", "-Xlog:class+path=off", "-cp", "/opt/dw/app/a.jar", "io.dw.Main"),
                ImageBuilder.javaCommand(CONFIG, "/opt/dw", none), "no archive in the image, no option for it");
    }

    @Test
    void jdk25UsesTheAotCacheWithDescriptorNineOnTheImagesRoot() {
        var launch = new Artifacts.Launch("io.dw.Main", List.of("app/a.jar"),
                Training.imageOptions(Training.launcherOptions(25), Set.of(Training.AOT_FILE)::contains), List.of());
        assertEquals(List.of(ImageBuilder.START, "-e", "SELF", "-e", "SERVER_PORT", "-d", "/opt/dw", "--",
                "/opt/dw/runtime/bin/java", "-Xlog:aot=off", "-Xlog:cds=off", "-XX:AOTCache=/opt/dw/app/app.aot", "-cp",
                "/opt/dw/app/a.jar", "io.dw.Main"), ImageBuilder.entrypoint(CONFIG, "/opt/dw", launch),
                "the cache's classes get their code source through /proc/self/fd/9");
    }

    @Test
    void theEnvironmentIsSlipwaysThenServiceEnvThenImageEnvAsWritten() {
        Map<String, String> env = ImageBuilder.imageEnv(CONFIG, "/opt/dw");
        assertEquals(List.of("PATH", "PORT", "ADDR", "DRAIN_TIMEOUT", "DATA_DIR", "RAW", "SERVER_PORT", "SELF"),
                List.copyOf(env.keySet()));
        assertEquals("9000", env.get("PORT"));
        assertEquals("${PORT}", env.get("SERVER_PORT"));
        assertEquals("$X ${HOME}", env.get("RAW"));
        assertEquals("http://${ADDR}:${PORT}", env.get("SELF"));
    }
}
