package dev.slipway.render;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The rendered Dockerfile's structure ({@code DockerfileBuildTest} builds it with a real engine): the
 * stages in order, bases as build arguments with the public defaults, dependency resolution before the sources, a scratch final stage that runs as a
 * non-root user with an exec-form entrypoint.
 */
class DockerfileTest {
    @Test
    void multiStageWithDependenciesFirstAndAScratchNonRootFinalStage() throws Exception {
        SlipwayConfig c = ConfigLoader.parse(Path.of("svc/slipway.yaml"), """
                name: shop
                service:
                  port: 9090
                  env: {LOG_FORMAT: json}
                image:
                  env: {GREETING: "hello \\"you\\""}
                """);
        String text = Dockerfile.render(c);
        List<String> lines = text.lines().toList();
        List<String> froms = lines.stream().filter(l -> l.startsWith("FROM ")).toList();
        assertEquals(List.of("FROM ${SLIPWAY} AS distribution", "FROM ${BASE} AS jdk", "FROM jdk AS maven",
                "FROM maven AS rootfs", "FROM scratch"), froms);
        assertTrue(lines.indexOf("ARG BASE=debian:bookworm-slim") < lines.indexOf(froms.get(0)), text);
        assertTrue(lines.indexOf("ARG SLIPWAY=slipway") < lines.indexOf(froms.get(0)), text);
        // The named build context 'slipway' (Slipway's jars) must not share a stage's name: a named
        // context replaces the stage of the same name, and the final COPY would read the jars.
        assertTrue(lines.contains("COPY --from=distribution / /opt/slipway/"), text);
        assertTrue(froms.stream().noneMatch(f -> f.endsWith(" AS slipway")), text);
        int pom = lines.indexOf("COPY pom.xml ./");
        int offline = lines.indexOf("RUN mvn -q -B dependency:go-offline \\");
        int sources = lines.indexOf("COPY . ./");
        assertTrue(pom > 0 && pom < offline && offline < sources, "dependencies resolve before the sources are copied");
        // Every plugin the package phase binds (surefire too, even with -DskipTests) resolves online in
        // that layer: the build command itself runs once on the POM alone, then its output is removed.
        assertTrue(lines.get(offline + 1).startsWith("    && mvn -q -B ") && !lines.get(offline + 1).contains(" -o ")
                && lines.get(offline + 1).contains(" package "), text);
        assertEquals("    && rm -rf target", lines.get(offline + 2), text);
        String build = lines.get(sources + 1);
        assertTrue(build.startsWith("RUN [\"mvn\",\"-o\","), "the build command runs offline in exec form: " + build);
        int scratch = lines.indexOf("FROM scratch");
        List<String> last = lines.subList(scratch, lines.size());
        assertTrue(last.contains("COPY --from=rootfs /rootfs/ /"), text);
        assertTrue(last.contains("USER 65534:65534"), text);
        assertTrue(last.stream().anyMatch(l -> l.startsWith("HEALTHCHECK --interval=") && l.endsWith(
                " CMD [\"/usr/bin/slipway-probe\",\"http\",\"/health/ready\",\"1\"]")), "the image's probe: " + text);
        assertTrue(last.contains("COPY --from=rootfs --chown=65534:65534 /rootfs/data /data"), "/data is the user's: " + text);
        assertTrue(last.contains("EXPOSE 9090/tcp"), text);
        assertTrue(last.stream().anyMatch(l -> l.contains("LOG_FORMAT=\"json\"")), text);
        assertTrue(last.stream().anyMatch(l -> l.contains("GREETING=\"hello \\\"you\\\"\"")), text);
        assertTrue(last.stream().noneMatch(l -> l.startsWith("RUN ")), "no shell in the final stage");
        String entrypoint = last.stream().filter(l -> l.startsWith("ENTRYPOINT ")).findFirst().orElseThrow();
        List<?> argv = new ObjectMapper().readValue(entrypoint.substring("ENTRYPOINT ".length()), List.class);
        assertEquals(List.of("/usr/bin/slipway-start", "-a", "/opt/shop/app/java.argv", "-d", "/opt/shop", "--",
                "/opt/shop/runtime/bin/java"),
                argv, "exec form: slipway-start opens descriptor 9 on the layout root and executes java, which is PID 1");
        assertTrue(lines.stream().anyMatch(l -> l.contains(" image --rootfs /rootfs .")), text);
    }

    @Test
    void referencesAreLeftForSlipwayStartAndEveryDollarIsEscapedFromDockersOwnSubstitution() {
        SlipwayConfig c = ConfigLoader.parse(Path.of("svc/slipway.yaml"), """
                name: shop
                service:
                  port: 9090
                  env: {SERVER_PORT: "${PORT}", PRICE: "$5 ${HOME}"}
                image:
                  env: {BIND: "${ADDR}:${PORT}"}
                """);
        String text = Dockerfile.render(c);
        assertTrue(text.contains("\n    SERVER_PORT=\"\\${PORT}\""), text);
        assertTrue(text.contains("\n    BIND=\"\\${ADDR}:\\${PORT}\""), text);
        assertTrue(text.contains("ENTRYPOINT [\"/usr/bin/slipway-start\",\"-e\",\"BIND\",\"-e\",\"SERVER_PORT\",\"-a\","),
                "slipway-start expands them from the container's PORT and ADDR: " + text);
        // The Dockerfile reference: "\\$" keeps a literal $ in ENV (environment replacement).
        assertTrue(text.contains("\n    PRICE=\"\\$5 \\${HOME}\""), text);
    }

    /** A service with no port (readiness type process): the image has no HEALTHCHECK and exposes no port. */
    @Test
    void aServiceWithNoPortHasNoHealthcheckAndExposesNothing() throws Exception {
        SlipwayConfig c = ConfigLoader.parse(Path.of("svc/slipway.yaml"), """
                name: consumer
                service:
                  readiness: {type: process}
                """);
        String text = Dockerfile.render(c);
        assertTrue(text.lines().noneMatch(l -> l.startsWith("HEALTHCHECK") || l.startsWith("EXPOSE")), text);
        assertTrue(text.contains("# No HEALTHCHECK: readiness type process"), text);
        assertEquals(null, dev.slipway.image.ImageBuilder.healthcheck(c.service().readiness()));
    }
}
