package dev.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.artifact.Artifacts;
import dev.slipway.build.Launcher;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/**
 * The image's entrypoint and environment: {@code ${APP_HOME}} is the image's fixed root and expands
 * when it is built; {@code ${PORT}} and {@code ${ADDR}} stay as written for slipway-start, which
 * expands them from the container's own variables when it starts.
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
