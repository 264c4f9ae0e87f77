package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class ConfigLoaderTest {
    private static final Path FILE = Path.of("svc/slipway.yaml");

    private static ConfigException error(String yaml) {
        return assertThrows(ConfigException.class, () -> ConfigLoader.parse(FILE, yaml));
    }

    @Test
    void minimalConfigGetsDefaults() {
        SlipwayConfig c = ConfigLoader.parse(FILE, "name: myapp\n");
        assertEquals("myapp", c.name());
        assertEquals(8080, c.service().port());
        assertEquals("/health/ready", c.service().readiness().path());
        assertEquals(Duration.ofSeconds(1), c.service().readiness().interval());
        assertEquals(Duration.ofSeconds(30), c.service().readiness().timeout());
        assertEquals(Duration.ZERO, c.service().readiness().startupGrace());
        assertEquals(Duration.ofSeconds(30), c.service().drainTimeout());
        assertEquals("/", c.service().path());
        assertEquals(ConfigLoader.DEFAULT_BUILD_COMMAND, c.build().command());
        assertEquals("127.0.0.1", c.local().address());
        assertEquals(5, c.local().retain());
    }

    @Test
    void fullConfigIsRead() {
        SlipwayConfig c = ConfigLoader.parse(FILE, """
                name: api
                version: 1.2.3
                main: example.Main
                build:
                  command: [make, jar]
                  modules: [jdk.crypto.ec]
                  jvmOptions: ["-Xmx64m"]
                service:
                  port: 9000
                  path: /api//
                  env: {GREETING: hello}
                  drainTimeout: 500ms
                  readiness: {path: /ready, interval: 250ms, timeout: 2m, startupGrace: 3s}
                deploy:
                  local: {address: 127.0.0.2, retain: 3}
                """);
        assertEquals("1.2.3", c.version());
        assertEquals("example.Main", c.main());
        assertEquals(9000, c.service().port());
        assertEquals("/api/", c.service().path(), "one trailing slash, so URLs resolve below it");
        assertEquals("http", c.service().scheme(), "the default scheme");
        assertEquals("hello", c.service().env().get("GREETING"));
        assertEquals(Duration.ofMillis(500), c.service().drainTimeout());
        assertEquals(Duration.ofMinutes(2), c.service().readiness().timeout());
        assertEquals(Duration.ofSeconds(3), c.service().readiness().startupGrace());
        assertEquals("127.0.0.2", c.local().address());
        assertEquals(3, c.local().retain());
        assertEquals(java.util.List.of("make", "jar"), c.build().command());
    }

    @Test
    void detectModulesDefaultsToTrueAndFalseKeepsTheModulesAsTheWholeSet() {
        assertTrue(ConfigLoader.parse(FILE, "name: myapp\n").build().detectModules());
        SlipwayConfig c = ConfigLoader.parse(FILE, "name: myapp\nbuild:\n  detectModules: false\n"
                + "  modules: [java.base, java.logging, jdk.zipfs]\n");
        assertFalse(c.build().detectModules());
        assertEquals(java.util.List.of("java.base", "java.logging", "jdk.zipfs"), c.build().modules());
    }

    @Test
    void kubernetesIsConfiguredOnlyWhenTheSectionIsThere() {
        assertFalse(ConfigLoader.parse(FILE, "name: myapp\n").kubernetes().configured());
        assertFalse(ConfigLoader.parse(FILE, "name: myapp\ndeploy:\n  local: {retain: 3}\n").kubernetes().configured());
        SlipwayConfig c = ConfigLoader.parse(FILE, "name: myapp\ndeploy:\n  kubernetes: {}\n");
        assertTrue(c.kubernetes().configured(), "an empty section configures the target with its defaults");
        assertEquals("default", c.kubernetes().namespace());
    }

    @Test
    void unknownKeyNamesLineColumnAndSuggestion() {
        ConfigException e = error("name: myapp\nservice:\n  prot: 8080\n");
        assertEquals("svc/slipway.yaml:3:3: unknown key 'prot' in 'service'; did you mean 'port'?"
                + " (known keys: args, drainTimeout, env, liveness, path, port, readiness, scheme)", e.getMessage());
        assertEquals(3, e.line());
        assertEquals(3, e.column());
    }

    @Test
    void unknownTopLevelKey() {
        ConfigException e = error("name: myapp\nservce: {}\n");
        assertEquals("svc/slipway.yaml:2:1: unknown key 'servce' at the top level; did you mean 'service'?"
                + " (known keys: build, canary, deploy, ignore, image, main, name, platforms, profiles, release, service, train, version)",
                e.getMessage());
    }

    /**
     * Jackson's record binding reports a mapping's unknown keys only when that mapping ends, so
     * with typos at the top level and deeper it named the deeper one, further down the file.
     */
    @Test
    void everyUnknownKeyInDocumentOrder() {
        ConfigException e = error("name: myapp\nprofilez: {}\nbuild:\n  jvmOptionz: []\nservice:\n  readiness:\n"
                + "    intervall: 1s\n    tmeout: 3s\n");
        assertEquals(2, e.line());
        assertEquals(1, e.column());
        assertEquals("unknown key 'profilez' at the top level; did you mean 'profiles'?"
                + " (known keys: build, canary, deploy, ignore, image, main, name, platforms, profiles, release, service, train, version);"
                + " also unknown: 'jvmOptionz' in 'build' at 4:3 (did you mean 'jvmOptions'?),"
                + " 'intervall' in 'service.readiness' at 7:5 (did you mean 'interval'?),"
                + " 'tmeout' in 'service.readiness' at 8:5 (did you mean 'timeout'?)", e.detail());
    }

    @ParameterizedTest
    @CsvSource(delimiter = '|', value = {
        "name: myapp\\nservice:\\n  port: abc\\n|svc/slipway.yaml:3:9: service.port: expected a whole number",
        "name: myapp\\nservice:\\n  drainTimeout: 30\\n|svc/slipway.yaml:3:17: service.drainTimeout: expected a duration such as 500ms, 30s or 5m",
        "name: myapp\\nservice:\\n  drainTimeout: 30x\\n|svc/slipway.yaml:3:17: service.drainTimeout: '30x' is not a duration; write a whole number with a unit: 500ms, 30s, 5m, 1h",
        "name: myapp\\nbuild: [a]\\n|svc/slipway.yaml:2:8: build: expected a mapping of keys",
        "name: myapp\\nservice:\\n  port: 70000\\n|svc/slipway.yaml:3:9: port 70000 is out of range 1-65535",
        "name: myapp\\nservice:\\n  path: api\\n|svc/slipway.yaml:3:9: 'api' is not a URL path such as /api: it starts with '/' and has no spaces, '?' or '#'",
        "name: myapp\\nservice:\\n  scheme: tls\\n|svc/slipway.yaml:3:11: service.scheme: 'tls' is not one of http, https",
        "name: myapp\\nservice:\\n  scheme: https\\n|svc/slipway.yaml:3:11: an https service cannot pass an http readiness probe (the probes speak plain HTTP): set service.readiness.type: tcp",
        "name: myapp\\nservice:\\n  scheme: https\\n  readiness: {type: tcp}\\n  liveness: {path: /live}\\n|svc/slipway.yaml:3:11: an https service cannot pass an http liveness probe (the probes speak plain HTTP): set service.liveness.type: tcp",
        "name: My App\\n|svc/slipway.yaml:1:7: 'My App' is not a valid name: use lower-case letters, digits, '.', '_' and '-'",
        "service: {}\\n|svc/slipway.yaml:1:1: missing required key 'name' (the service name)",
        "name: myapp\\nservice:\\n  readiness: {path: ready}\\n|svc/slipway.yaml:3:21: a probe path must start with '/'",
        "name: myapp\\ndeploy:\\n  local: {retain: 1}\\n|svc/slipway.yaml:3:19: retain must be at least 2, so that the previous release stays for rollback",
        "name: myapp\\nname: other\\n|svc/slipway.yaml:2:5: invalid YAML: duplicate key 'name'",
        "name: myapp\\nservice:\\n  port: 80.5\\n|svc/slipway.yaml:3:9: service.port: expected a whole number",
        "name: myapp\\nbuild:\\n  jvmOptions: [1, true]\\n|svc/slipway.yaml:3:16: build.jvmOptions[0]: expected a string (quote numbers and booleans, e.g. \"8080\")",
        "name: myapp\\nservice:\\n  env: {\"A B\": x}\\n|svc/slipway.yaml:3:9: 'A B' is not an environment variable name: use letters, digits and '_', not starting with a digit",
        "name: myapp\\nservice:\\n  env: {PORT: \"1\"}\\n|svc/slipway.yaml:3:9: PORT is set by Slipway (from service.port, deploy.local.address and service.drainTimeout); set those instead",
        "name: myapp\\nservice:\\n  drainTimeout: 9999999999999h\\n|svc/slipway.yaml:3:17: service.drainTimeout: '9999999999999h' is too long; a duration is at most 24h",
        "name: myapp\\ndeploy:\\n  local: {address: not an ip}\\n|svc/slipway.yaml:3:20: 'not an ip' is not an IP address or host name",
        "name: myapp\\n---\\nname: other\\n|svc/slipway.yaml:3:1: a second YAML document; slipway.yaml holds exactly one (remove the '---' line)",
        "name: myapp\\nservice:\\n|svc/slipway.yaml:2:9: service: expected a mapping of keys",
    })
    void badInputGivesExactMessage(String yaml, String expected) {
        assertEquals(expected, error(yaml.replace("\\n", "\n")).getMessage());
    }

    @Test
    void tabsAreReportedPlainly() {
        ConfigException e = error("name: myapp\nservice:\n\tport: 8080\n");
        assertEquals("svc/slipway.yaml:3:1: invalid YAML: a tab character; YAML indents with spaces only", e.getMessage());
    }

    @Test
    void emptyFile() {
        assertEquals("svc/slipway.yaml:1:1: the file is empty; it needs at least 'name:'", error("  \n").getMessage());
        assertEquals("svc/slipway.yaml:1:1: the file is empty; it needs at least 'name:'", error("# only a comment\n").getMessage());
    }

    @Test
    void missingFileIsAUsageError(@org.junit.jupiter.api.io.TempDir Path dir) {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(dir));
        assertEquals(dir.resolve("slipway.yaml") + ": no slipway.yaml in " + dir
                + " (a service directory needs one: 'slipway init' writes it; see docs/config.md)", e.getMessage());
        assertEquals(2, e.exitCode());
    }

    /**
     * New-user finding: {@code slipway init} at the root of a multi-module build writes the service
     * module's file; {@code slipway status} at the root then names that module instead of
     * sending the user to {@code slipway init} again.
     */
    @Test
    void aParentOfServiceDirectoriesNamesThem(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        for (String module : java.util.List.of("service", "admin", "common")) {
            java.nio.file.Files.createDirectories(dir.resolve(module));
        }
        java.nio.file.Files.writeString(dir.resolve("service/slipway.yaml"), "name: orders\n");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(dir));
        assertEquals(dir.resolve("slipway.yaml") + ": no slipway.yaml in " + dir + "; the service directory below it: service"
                + " (name one to the command, e.g. " + dir.resolve("service") + ")", e.getMessage());
        assertEquals(2, e.exitCode());
        java.nio.file.Files.writeString(dir.resolve("admin/slipway.yaml"), "name: admin\n");
        e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(dir));
        assertEquals(dir.resolve("slipway.yaml") + ": no slipway.yaml in " + dir + "; the service directories below it: admin, service"
                + " (name one to the command, e.g. " + dir.resolve("admin") + ")", e.getMessage());
    }

    /**
     * New-user finding: {@code slipway ship orders-servr} in a reactor whose service module is
     * {@code orders-server}: the service directories beside the mistyped one are offered, only
     * those holding a slipway.yaml, and nothing when none is close.
     */
    @Test
    void aMistypedServiceDirectoryGetsADidYouMean(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("orders-server"));
        java.nio.file.Files.writeString(dir.resolve("orders-server/slipway.yaml"), "name: orders\n");
        java.nio.file.Files.createDirectories(dir.resolve("orders-serve")); // no slipway.yaml: not a service
        Path typo = dir.resolve("orders-servr");
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(typo));
        assertEquals(typo + ": no such service directory; did you mean " + dir.resolve("orders-server") + "?", e.getMessage());
        assertEquals(2, e.exitCode());
        Path far = dir.resolve("billing");
        e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(far));
        assertEquals(far + ": no such service directory", e.getMessage());
    }

    /** Issue 20, item 14: say what the slipway.yaml that is not a file is. */
    @Test
    void aSlipwayYamlThatIsNotAFileIsNamedForWhatItIs(@org.junit.jupiter.api.io.TempDir Path dir) throws Exception {
        Path yaml = dir.resolve("slipway.yaml");
        java.nio.file.Files.createSymbolicLink(yaml, Path.of("config/slipway.yaml"));
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(dir));
        assertEquals(yaml + ": slipway.yaml is a symbolic link to config/slipway.yaml, which does not exist", e.getMessage());
        assertEquals(2, e.exitCode());
        java.nio.file.Files.delete(yaml);
        java.nio.file.Files.createDirectory(yaml);
        e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(dir));
        assertEquals(yaml + ": slipway.yaml is a directory; it must be a file (see docs/config.md)", e.getMessage());
        java.nio.file.Files.delete(yaml);
        new ProcessBuilder("mkfifo", yaml.toString()).start().waitFor();
        e = assertThrows(ConfigException.class, () -> ConfigLoader.loadFromDir(dir));
        assertEquals(yaml + ": slipway.yaml is not a regular file (a named pipe, socket or device?); it must be a file",
                e.getMessage());
    }

    @Test
    void durations() {
        assertEquals(Duration.ofMillis(250), ConfigLoader.parseDuration("250ms"));
        assertEquals(Duration.ofHours(1), ConfigLoader.parseDuration("1h"));
        assertThrows(IllegalArgumentException.class, () -> ConfigLoader.parseDuration("1.5s"));
        assertThrows(IllegalArgumentException.class, () -> ConfigLoader.parseDuration("-1s"));
    }
}
