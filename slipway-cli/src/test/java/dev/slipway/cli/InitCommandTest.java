package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.init.Projects;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code slipway init} on generated projects; each written file is validated by the real {@code slipway check}. */
class InitCommandTest {
    @TempDir
    Path tmp;

    private static JsonNode yaml(Path file) throws Exception {
        return new ObjectMapper(new YAMLFactory()).readTree(file.toFile());
    }

    private static void assertChecks(Path serviceDir) {
        CliRunner.Run check = CliRunner.run("check", serviceDir.toString());
        assertEquals(0, check.code(), check.toString());
        assertTrue(check.out().contains(": ok (service "), check.toString());
    }

    @Test
    void plainProjectGetsAFileThatPassesCheck() throws Exception {
        Projects.plain(tmp);
        CliRunner.Run r = CliRunner.run("init", tmp.toString());
        assertEquals(0, r.code(), r.toString());
        Path file = tmp.resolve("slipway.yaml");
        assertChecks(tmp);
        JsonNode y = yaml(file);
        assertEquals("billing-service", y.get("name").asText());
        assertEquals("com.acme.billing.Server", y.get("main").asText());
        assertEquals("/health/ready", y.at("/service/readiness/path").asText());
        String text = Files.readString(file);
        assertTrue(text.contains("# Main class: from the only main method in src/main/java."), text);
        assertTrue(text.contains("compiles for Java 21 (maven.compiler.release)"), text);
    }

    @Test
    void springBootGetsActuatorProbesAndPassesCheck() throws Exception {
        Projects.springBoot(tmp);
        CliRunner.Run r = CliRunner.run("init", tmp.toString());
        assertEquals(0, r.code(), r.toString());
        assertChecks(tmp);
        JsonNode y = yaml(tmp.resolve("slipway.yaml"));
        assertEquals("com.acme.orders.OrdersApplication", y.get("main").asText());
        assertEquals("/actuator/health/readiness", y.at("/service/readiness/path").asText());
        assertEquals("/actuator/health/liveness", y.at("/service/liveness/path").asText());
        assertEquals("8080", y.at("/service/env/SERVER_PORT").asText());
        assertEquals("true", y.at("/service/env/MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED").asText());
        assertTrue(y.at("/build/command").toString().contains("-Dspring-boot.repackage.skip=true"));
    }

    @Test
    void multiModuleWritesIntoTheAppModuleAndPassesCheck() throws Exception {
        Projects.multiModule(tmp);
        CliRunner.Run r = CliRunner.run("init", tmp.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.notExists(tmp.resolve("slipway.yaml")));
        assertChecks(tmp.resolve("shop-api"));
        JsonNode y = yaml(tmp.resolve("shop-api/slipway.yaml"));
        assertEquals("shop-api", y.get("name").asText());
        assertEquals("../pom.xml", y.at("/build/command/4").asText());
        // The next command names the module from the directory the user is in, not from the one given.
        String fromHere = Path.of("").toAbsolutePath().relativize(tmp.resolve("shop-api").toAbsolutePath()).toString();
        assertTrue(r.out().contains("next: slipway build " + fromHere + " "), r.toString());
    }

    @Test
    void neverOverwritesWithoutForce() throws Exception {
        Projects.plain(tmp);
        Files.writeString(tmp.resolve("slipway.yaml"), "name: mine\n");
        CliRunner.Run r = CliRunner.run("init", tmp.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("does not overwrite it without --force"), r.toString());
        assertEquals("name: mine\n", Files.readString(tmp.resolve("slipway.yaml")));
        CliRunner.Run forced = CliRunner.run("init", tmp.toString(), "--force");
        assertEquals(0, forced.code(), forced.toString());
        assertEquals("billing-service", yaml(tmp.resolve("slipway.yaml")).get("name").asText());
    }

    @Test
    void noPomAndAmbiguousMainsAreUsageErrors() throws Exception {
        CliRunner.Run none = CliRunner.run("init", tmp.toString());
        assertEquals(2, none.code(), none.toString());
        assertTrue(none.err().contains("no pom.xml"), none.toString());
        Projects.springBoot(tmp);
        Projects.write(tmp, "src/main/java/com/acme/orders/Second.java",
                "package com.acme.orders;\n@SpringBootApplication\nclass Second { public static void main(String[] a) {} }\n");
        CliRunner.Run two = CliRunner.run("init", tmp.toString());
        assertEquals(2, two.code(), two.toString());
        assertTrue(two.err().contains("choose one with --main"), two.toString());
        assertTrue(Files.notExists(tmp.resolve("slipway.yaml")));
    }
}
