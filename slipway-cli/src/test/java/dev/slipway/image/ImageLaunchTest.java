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

/** The image's entrypoint and environment: fixed at build time, so references are expanded there. */
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
    void optionsAndArgumentsGetTheImagesPortAddressAndHome() {
        var launch = new Artifacts.Launch("io.dw.Main", List.of("app/a.jar", "app/lib/b.jar"),
                List.of("-Xmx64m", "-XX:AOTCache=" + Launcher.HOME + "/app/app.aot", "-Dport=${PORT}", "-Dh=${APP_HOME}"),
                List.of("server", "${APP_HOME}/config.yml", "--bind=${ADDR}", "${HOME} $X"));
        assertEquals(List.of("-Xmx64m", "-XX:AOTCache=/opt/dw/app/app.aot", "-Dport=9000", "-Dh=/opt/dw", "-cp",
                "/opt/dw/app/a.jar:/opt/dw/app/lib/b.jar", "io.dw.Main", "server", "/opt/dw/config.yml", "--bind=0.0.0.0",
                "${HOME} $X"), ImageBuilder.javaCommand(CONFIG, "/opt/dw", launch));
    }

    @Test
    void theEnvironmentIsSlipwaysThenServiceEnvThenImageEnvExpanded() {
        Map<String, String> env = ImageBuilder.imageEnv(CONFIG, "/opt/dw");
        assertEquals(List.of("PATH", "PORT", "ADDR", "DRAIN_TIMEOUT", "DATA_DIR", "RAW", "SERVER_PORT", "SELF"),
                List.copyOf(env.keySet()));
        assertEquals("9000", env.get("SERVER_PORT"));
        assertEquals("$X ${HOME}", env.get("RAW"));
        assertEquals("http://0.0.0.0:9000", env.get("SELF"));
    }
}
