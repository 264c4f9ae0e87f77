package dev.slipway.deploy.swarm;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.image.ImageBuilder;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** The task environment of a Swarm service spec, against the environment the image keeps. */
class SwarmSpecEnvTest {
    static final String IMAGE = "127.0.0.1:5000/orders@sha256:" + "1".repeat(64);

    static final String CONFIG = """
            name: orders
            service:
              port: 8080
              env: {SERVER_PORT: "${PORT}", SERVER_ADDRESS: "${ADDR}", GREETING: "hi", CALLBACK: "http://${ADDR}:${PORT}/cb"}
            image:
              env: {MANAGEMENT_PORT: "${PORT}"}
            deploy:
              swarm:
                network: host
                portPrefixes: [1874, 1875]
                env: {CALLBACK: "https://orders.test/cb"}
            """;

    @SuppressWarnings("unchecked")
    static List<String> taskEnv(SlipwayConfig config, int portPrefix) {
        Map<String, Object> spec = SwarmSpec.of(config, IMAGE, "1.0.0", "abc1234", List.of(), "hostnet", portPrefix, Map.of());
        Map<String, Object> task = (Map<String, Object>) spec.get("TaskTemplate");
        return (List<String>) ((Map<String, Object>) task.get("ContainerSpec")).get("Env");
    }

    /**
     * With portPrefixes each task listens on its own PORT, so the variables made from ${PORT} must
     * follow it. A Spring Boot app on Swarm with portPrefixes bound 8080 in every task and failed
     * with "Port 8080 was already in use" while the image baked SERVER_PORT=8080. The image now
     * keeps ${PORT} as written and its entrypoint (slipway-start) expands it from the task's PORT, so
     * the spec sets PORT alone and repeats none of the image's variables (DockerImageReferencesTest
     * runs such an image with another PORT).
     */
    @Test
    void withPortPrefixesTheTaskGetsItsPortAndTheImageExpandsTheVariablesMadeFromIt() throws Exception {
        SlipwayConfig config = ConfigLoader.parse(Path.of("slipway.yaml"), CONFIG);
        assertEquals("${PORT}", ImageBuilder.imageEnv(config, "/opt/orders").get("SERVER_PORT"), "what the image keeps");
        assertEquals(List.of("CALLBACK", "MANAGEMENT_PORT", "SERVER_ADDRESS", "SERVER_PORT"), ImageBuilder.expandedEnv(config),
                "what slipway-start expands at the task's start");
        List<String> env = taskEnv(config, 1875);
        assertEquals(List.of("PORT=1875{{.Task.Slot}}", "ADDR=0.0.0.0", "DRAIN_TIMEOUT=30",
                "CALLBACK=https://orders.test/cb"), env,
                "the image's values hold (expanded at start); deploy.swarm.env's CALLBACK wins");
    }

    /** On the routing mesh the task listens on service.port, the image's own: nothing is repeated. */
    @Test
    void onServicePortTheImagesVariablesStand() throws Exception {
        SlipwayConfig config = ConfigLoader.parse(Path.of("slipway.yaml"), CONFIG.replace("    network: host\n", "")
                .replace("    portPrefixes: [1874, 1875]\n", ""));
        assertEquals(List.of("PORT=8080", "ADDR=0.0.0.0", "DRAIN_TIMEOUT=30", "CALLBACK=https://orders.test/cb"),
                taskEnv(config, 0));
    }
}
