package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import dev.slipway.init.Projects;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
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
    void dryRunPrintsTheFactsAndTheFileAndWritesNothing() throws Exception {
        Projects.dropwizard(tmp, "applicationName: hello\n");
        CliRunner.Run r = CliRunner.run("init", tmp.toString(), "--dry-run");
        assertEquals(0, r.code(), r.toString());
        assertTrue(Files.notExists(tmp.resolve("slipway.yaml")));
        for (String fact : List.of("  build: Maven (pom.xml)", "  framework: Dropwizard",
                "  main: com.example.HelloApplication", "  build command: mvn -q -B -DskipTests package",
                "  args: server ${APP_HOME}/config.yml", "  files: config.yml",
                "  readiness: http /admin/healthcheck (timeout 90s)", "  liveness: http /admin/ping")) {
            assertTrue(r.err().contains(fact + "\n"), fact + "\n" + r);
        }
        JsonNode y = new ObjectMapper(new YAMLFactory()).readTree(r.out());
        assertEquals("server", y.at("/service/args/0").asText());
    }

    @Test
    void aSpringBootWorkerWithNoWebServerGetsProcessProbesThatPassCheck() throws Exception {
        Projects.springBootWorker(tmp);
        CliRunner.Run r = CliRunner.run("init", tmp.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("  readiness: process (timeout 60s)\n"), r.toString());
        assertTrue(r.err().contains("  port: none (readiness type process)\n"), r.toString());
        assertTrue(r.out().contains("slipway check: ok"), r.toString());
        String yaml = Files.readString(tmp.resolve("slipway.yaml"));
        assertTrue(yaml.contains("  readiness:\n    type: process\n"), yaml);
        assertFalse(yaml.contains("  port: "), yaml);
        assertFalse(yaml.contains("SERVER_PORT") || yaml.contains("SERVER_ADDRESS"), "a worker listens nowhere: " + yaml);
    }

    @Test
    void aFixedPortIsWarnedAbout() throws Exception {
        Projects.javalin(tmp, 7070);
        CliRunner.Run r = CliRunner.run("init", tmp.toString(), "--dry-run");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("warning: src/main/java/com/example/App.java listens on the fixed port 7070"), r.toString());
        assertTrue(r.err().contains("  port: 7070\n"), r.toString());
    }

    @Test
    void aJdkOlderThanTheProjectsIsWarnedAbout() throws Exception {
        Projects.helidonMp(tmp);
        CliRunner.Run r = CliRunner.run("init", tmp.toString(), "--dry-run");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains("  jdk: 21\n"), r.toString());
        String home = System.getenv("JAVA_HOME");
        int here = Runtime.version().feature();
        if (home != null && Files.isRegularFile(Path.of(home, "release"))) {
            java.util.regex.Matcher m = java.util.regex.Pattern.compile("JAVA_VERSION=\"(?:1\\.)?(\\d+)")
                    .matcher(Files.readString(Path.of(home, "release")));
            here = m.find() ? Integer.parseInt(m.group(1)) : here;
        }
        assertEquals(here < 21, r.err().contains("warning: the project compiles for Java 21 but the JDK here"),
                "JDK here: " + here + "\n" + r);
        // New-user finding: the fix names a JDK that is installed, not a path that may not exist.
        Path temurin = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        if (here < 21 && Files.isExecutable(temurin.resolve("bin/jlink"))) {
            assertTrue(r.err().contains(": set build.jdk in slipway.yaml to /usr/lib/jvm/")
                    && r.err().contains(", installed here) before 'slipway build'"), r.toString());
        }
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
        assertEquals("${PORT}", y.at("/service/env/SERVER_PORT").asText());
        assertEquals("true", y.at("/service/env/MANAGEMENT_ENDPOINT_HEALTH_PROBES_ENABLED").asText());
        assertEquals("[\"mvn\",\"-q\",\"-B\",\"-DskipTests\",\"package\"]", y.at("/build/command").toString());
        String text = Files.readString(tmp.resolve("slipway.yaml"));
        assertTrue(text.contains("# Main class: from the @SpringBootApplication class."), text);
        assertTrue(text.contains("compiles for Java 21 (java.version (Spring Boot))"), text);
    }

    @Test
    void quarkusAndMicronautWithHealthPassCheck() throws Exception {
        Projects.quarkus(tmp.resolve("q"), true);
        Projects.micronaut(tmp.resolve("m"), true);
        for (String d : List.of("q", "m")) {
            CliRunner.Run r = CliRunner.run("init", tmp.resolve(d).toString());
            assertEquals(0, r.code(), r.toString());
            assertChecks(tmp.resolve(d));
        }
        assertEquals("/q/health/ready", yaml(tmp.resolve("q/slipway.yaml")).at("/service/readiness/path").asText());
        assertEquals("/health/readiness", yaml(tmp.resolve("m/slipway.yaml")).at("/service/readiness/path").asText());
    }

    /**
     * Every starter shape: init writes a file that 'slipway check' accepts. Needs the keys of the
     * other issue-15 branches (probe type tcp, service.args, build.files, build.lib): it passes once
     * they are merged.
     */
    @Test
    void everyStarterShapePassesCheck() throws Exception {
        Projects.springBoot3Jpa(tmp.resolve("boot3"));
        Projects.springBoot4WebFlux(tmp.resolve("boot4"));
        Projects.quarkus(tmp.resolve("quarkus"), false);
        Projects.micronaut(tmp.resolve("micronaut"), false);
        Projects.helidonSe(tmp.resolve("helidon-se"), true);
        Projects.helidonMp(tmp.resolve("helidon-mp"));
        Projects.javalin(tmp.resolve("javalin"), null);
        Projects.javalin(tmp.resolve("javalin-fixed"), 7070);
        Projects.dropwizard(tmp.resolve("dropwizard"), "applicationName: hello\n");
        Projects.jdkHttpServer(tmp.resolve("jdk"), true);
        Projects.plain(tmp.resolve("plain"));
        Projects.multiModule(tmp.resolve("reactor"));
        Projects.gradleSpringBoot(tmp.resolve("gradle-boot"));
        Projects.gradleApplication(tmp.resolve("gradle-app"));
        Projects.gradleMicronaut(tmp.resolve("gradle-micronaut"));
        Projects.vertx(tmp.resolve("vertx"), false);
        Projects.vertx(tmp.resolve("vertx-conf"), true);
        for (String d : List.of("vertx", "vertx-conf", "boot3", "boot4", "quarkus", "micronaut", "helidon-se", "helidon-mp", "javalin",
                "javalin-fixed", "dropwizard", "jdk", "plain", "reactor", "gradle-boot", "gradle-app", "gradle-micronaut")) {
            CliRunner.Run r = CliRunner.run("init", tmp.resolve(d).toString());
            assertEquals(0, r.code(), d + ": " + r);
            assertTrue(r.out().contains("slipway check: ok"), d + ": " + r);
        }
        assertChecks(tmp.resolve("reactor/shop-api"));
        assertChecks(tmp.resolve("gradle-app/app"));
        assertChecks(tmp.resolve("dropwizard"));
        assertChecks(tmp.resolve("vertx-conf"));
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
        String fromHere = InitCommand.asTyped(tmp.resolve("shop-api"), Path.of("").toAbsolutePath()).toString();
        assertTrue(r.out().contains("next: slipway ship " + fromHere + " "), r.toString());
        assertTrue(r.out().contains("(then: slipway build " + fromHere + " for a release file, slipway render ci"),
                r.toString());
    }

    @Test
    void theNextCommandNamesTheServiceAsTheUserWouldTypeIt() {
        Path cwd = Path.of("/home/ann/src/shop");
        assertEquals(Path.of("api"), InitCommand.asTyped(Path.of("/home/ann/src/shop/api"), cwd));
        assertEquals(Path.of(""), InitCommand.asTyped(cwd, cwd));
        assertEquals(Path.of("../billing"), InitCommand.asTyped(Path.of("/home/ann/src/billing"), cwd));
        // From another tree (a new user's finding: '../../../../tmp/x'), the absolute path is shorter.
        assertEquals(Path.of("/tmp/x"), InitCommand.asTyped(Path.of("/tmp/x"), cwd));
    }

    @Test
    void initIgnoresSlipwaysStateAndOutputInGitOnceAndSaysSo() throws Exception {
        Projects.springBoot(tmp.resolve("new"));
        CliRunner.Run r = CliRunner.run("init", tmp.resolve("new").toString());
        assertEquals(0, r.code(), r.toString());
        Path ignore = tmp.resolve("new/.gitignore");
        assertEquals("# Slipway: local deploy state and build output\n/.slipway/\n/dist/\n", Files.readString(ignore));
        assertTrue(r.out().contains("created " + ignore + " ignoring /.slipway/ and /dist/"), r.toString());
        assertFalse(r.out().contains("-dirty"), "not in git, nothing to commit: " + r);
        // Again (--force): nothing is missing, nothing is added or said.
        CliRunner.Run again = CliRunner.run("init", tmp.resolve("new").toString(), "--force");
        assertEquals(0, again.code(), again.toString());
        assertEquals("# Slipway: local deploy state and build output\n/.slipway/\n/dist/\n", Files.readString(ignore));
        assertTrue(!again.out().contains(".gitignore"), again.toString());

        // An existing file (no final newline) that already ignores dist/ gets only .slipway, appended.
        Projects.springBoot(tmp.resolve("old"));
        Files.writeString(tmp.resolve("old/.gitignore"), "target/\ndist/");
        CliRunner.Run old = CliRunner.run("init", tmp.resolve("old").toString());
        assertEquals(0, old.code(), old.toString());
        assertEquals("target/\ndist/\n\n# Slipway: local deploy state and build output\n/.slipway/\n",
                Files.readString(tmp.resolve("old/.gitignore")));
        assertTrue(old.out().contains("added /.slipway/ to " + tmp.resolve("old/.gitignore")), old.toString());

        // In a git work tree, init says to commit what it wrote (else the version is <v>-dirty).
        Projects.springBoot(tmp.resolve("repo/svc"));
        Files.createDirectories(tmp.resolve("repo/.git"));
        CliRunner.Run git = CliRunner.run("init", tmp.resolve("repo/svc").toString());
        assertEquals(0, git.code(), git.toString());
        // The paths are the ones to type from the directory the user is in (here: not the service's).
        Path svc = InitCommand.asTyped(tmp.resolve("repo/svc"), Path.of("").toAbsolutePath());
        assertTrue(git.out().contains("commit what init wrote (git add " + svc.resolve("slipway.yaml") + " "
                + svc.resolve(".gitignore") + " && git commit), or the first ship's version ends in -dirty"), git.toString());

        // --dry-run writes nothing.
        Projects.springBoot(tmp.resolve("dry"));
        assertEquals(0, CliRunner.run("init", tmp.resolve("dry").toString(), "--dry-run").code());
        assertTrue(Files.notExists(tmp.resolve("dry/.gitignore")));
    }

    @Test
    void theCommandsInitPrintsPasteAsOneArgumentWhenThePathHasASpaceOrAQuote() throws Exception {
        // A new user's finding: "next: slipway ship /tmp/my services/greeter app" split into three words.
        Path svc = tmp.resolve("repo/ann's services/greeter app");
        Projects.springBoot(svc);
        Files.createDirectories(tmp.resolve("repo/.git"));
        CliRunner.Run r = CliRunner.run("init", svc.toString());
        assertEquals(0, r.code(), r.toString());
        String typed = InitCommand.asTyped(svc, Path.of("").toAbsolutePath()).toString();
        String quoted = "'" + typed.replace("'", "'\\''") + "'";
        assertTrue(r.out().contains("next: slipway ship " + quoted + "   (then: slipway build " + quoted + " for"), r.toString());
        assertTrue(r.out().contains("(git add " + quoted.replaceFirst("'$", "/slipway.yaml'") + " "
                + quoted.replaceFirst("'$", "/.gitignore'") + " && git commit)"), r.toString());
        // sh reads the printed path back as the one directory that holds the file init wrote.
        Process sh = new ProcessBuilder("sh", "-c", "test -f " + quoted.replaceFirst("'$", "/slipway.yaml'")).start();
        assertEquals(0, sh.waitFor());
    }

    @Test
    void neverOverwritesWithoutForce() throws Exception {
        Projects.springBoot(tmp);
        Files.writeString(tmp.resolve("slipway.yaml"), "name: mine\n");
        CliRunner.Run r = CliRunner.run("init", tmp.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("does not overwrite it without --force"), r.toString());
        assertEquals("name: mine\n", Files.readString(tmp.resolve("slipway.yaml")));
        CliRunner.Run forced = CliRunner.run("init", tmp.toString(), "--force");
        assertEquals(0, forced.code(), forced.toString());
        assertEquals("orders", yaml(tmp.resolve("slipway.yaml")).get("name").asText());
        // Nothing is lost: the file it replaced is kept, and the output says where.
        assertEquals("name: mine\n", Files.readString(tmp.resolve("slipway.yaml.bak")));
        assertTrue(forced.out().contains("kept the slipway.yaml it replaces as " + tmp.resolve("slipway.yaml.bak")),
                forced.toString());
        // Again, with nothing edited: nothing to keep, the kept one stays.
        CliRunner.Run again = CliRunner.run("init", tmp.toString(), "--force");
        assertEquals(0, again.code(), again.toString());
        assertFalse(again.out().contains("kept the"), again.toString());
        assertEquals("name: mine\n", Files.readString(tmp.resolve("slipway.yaml.bak")));
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
