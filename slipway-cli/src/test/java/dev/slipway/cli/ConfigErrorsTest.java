package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.jar.JarOutputStream;
import java.util.jar.Manifest;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Bad input: a clear one-line message, exit code 2, no stack trace, nothing changed. */
class ConfigErrorsTest {
    @TempDir
    Path dir;

    private void assertUsageError(CliRunner.Run r, String expectedErr) {
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("slipway: " + expectedErr + "\n"), r.toString());
        assertFalse(r.err().contains("\tat "), "no stack trace:\n" + r.err());
        assertFalse(Files.exists(dir.resolve(".slipway")), "nothing changed");
        assertFalse(Files.exists(dir.resolve("dist")), "nothing changed");
    }

    @Test
    void noSlipwayYaml() {
        assertUsageError(CliRunner.run("build", dir.toString()), dir.resolve("slipway.yaml") + ": no slipway.yaml in "
                + dir + " (a service directory needs one: 'slipway init' writes it; see docs/config.md)");
    }

    @Test
    void unknownKeyGivesFileLineColumn() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nservice:\n  port: 8080\n  readyness: {}\n");
        assertUsageError(CliRunner.run("ship", dir.toString()), dir.resolve("slipway.yaml")
                + ":4:3: unknown key 'readyness' in 'service'; did you mean 'readiness'?"
                + " (known keys: args, drainTimeout, env, liveness, path, port, readiness, scheme)");
        assertUsageError(CliRunner.run("check", dir.toString()), dir.resolve("slipway.yaml")
                + ":4:3: unknown key 'readyness' in 'service'; did you mean 'readiness'?"
                + " (known keys: args, drainTimeout, env, liveness, path, port, readiness, scheme)");
    }

    @Test
    void noJdkWithJlink() throws Exception {
        Path jre = Files.createDirectories(dir.resolve("jre/bin"));
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nbuild:\n  jdk: " + jre.getParent() + "\n");
        assertUsageError(CliRunner.run("build", dir.toString()), "no JDK with jlink at " + jre.getParent()
                + " (from build.jdk in slipway.yaml): a JRE or a JDK without jlink cannot link a runtime."
                + " Install a full JDK 17+ (Debian: apt-get install openjdk-17-jdk-headless)"
                + " and set JAVA_HOME or build.jdk to it");
    }

    @Test
    void noRunnableJar() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        assertUsageError(CliRunner.run("build", dir.toString(), "--no-compile"), "no runnable jar: the build left no jar in "
                + dir.resolve("target") + " (nor a Spring Boot jar, a Quarkus quarkus-app/, or Gradle's build/install or"
                + " build/libs); is the packaging 'jar'? did the build run? Or set build.jar (and build.lib) in slipway.yaml");
    }

    @Test
    void noMainClass() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        Files.createDirectories(dir.resolve("target"));
        try (var jar = new JarOutputStream(Files.newOutputStream(dir.resolve("target/svc-1.0.jar")), new Manifest())) {
            jar.putNextEntry(new java.util.jar.JarEntry("a/A.class"));
            jar.write(new byte[] {(byte) 0xca, (byte) 0xfe});
        }
        var r = CliRunner.run("build", dir.toString(), "--no-compile");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("slipway: no main class: target/svc-1.0.jar has no Main-Class in its manifest;"
                + " set 'main:' in slipway.yaml or configure the jar plugin's mainClass\n"), r.toString());
        assertFalse(Files.exists(dir.resolve("dist")), "nothing changed");
    }

    @Test
    void deployingWhenNothingWasBuilt() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        assertUsageError(CliRunner.run("deploy", dir.toString()), "nothing built for svc: " + dir.resolve("dist/artifacts.json")
                + " does not exist; run 'slipway build " + dir + "' first (or 'slipway ship', which builds and deploys)");
    }

    @Test
    void aRoleNoServerHasOrARoleOffTheHostsTargetIsAUsageErrorBeforeAnyConnection() throws Exception {
        // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): nothing answers there, so reaching the hosts would fail differently
        Files.writeString(dir.resolve("slipway.yaml"), """
                name: svc
                deploy:
                  hosts:
                    servers:
                      - {name: web1, address: 192.0.2.11, roles: [web]}
                      - {name: db1, address: 192.0.2.21, roles: [db, backup]}
                """);
        assertUsageError(CliRunner.run("status", dir.toString(), "--to", "hosts", "--role", "cache"),
                "no server in deploy.hosts has the role cache (roles: backup, db, web); nothing was changed");
        assertUsageError(CliRunner.run("rollback", dir.toString(), "--target", "hosts", "--role", "cache,queue"),
                "no server in deploy.hosts has the role cache or queue (roles: backup, db, web); nothing was changed");
        assertUsageError(CliRunner.run("status", dir.toString(), "--to", "hosts", "--role", "web,cache"),
                "no server in deploy.hosts has the role cache (roles: backup, db, web); nothing was changed");
        assertUsageError(CliRunner.run("status", dir.toString(), "--role", "web"), "--role works with --to hosts only");
        assertUsageError(CliRunner.run("rollback", dir.toString(), "--role", "web"), "--role works with --to hosts only");
    }

    @Test
    void unknownTargetAndBadFlags() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        assertUsageError(CliRunner.run("deploy", dir.toString(), "--to", "mars"), "unknown target 'mars' (available targets: local, hosts, kubernetes, swarm)");
        var r = CliRunner.run("deploy", "--bogus");
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("slipway: Unknown option: '--bogus'"), r.toString());
    }

    @Test
    void unknownSubcommandNamesTheOnesThatExist() {
        assertUsageError(CliRunner.run("render", "helm", dir.toString()), "unknown kind 'helm' for 'slipway render'"
                + " (kinds: ci, dockerfile, systemd, nginx, kubernetes)");
        assertUsageError(CliRunner.run("render", "kubernets"), "unknown kind 'kubernets' for 'slipway render';"
                + " did you mean 'kubernetes'? (kinds: ci, dockerfile, systemd, nginx, kubernetes)");
        assertUsageError(CliRunner.run("cache", "prun"), "unknown command 'prun' for 'slipway cache';"
                + " did you mean 'prune'? (commands: prune)");
        // 'logs' is no misspelt 'lock': say where each target keeps the service's output
        var logs = CliRunner.run("logs", dir.toString());
        assertEquals(2, logs.code(), logs.toString());
        assertTrue(logs.err().startsWith("slipway: slipway has no 'logs' command: a local deploy appends the service's"
                + " stdout and stderr to .slipway/local/NAME.log"), logs.toString());
        assertTrue(logs.err().contains("ssh HOST journalctl -u 'NAME*' -f;"), logs.toString());
        assertFalse(logs.err().contains("did you mean 'lock'"), logs.toString());
        var r = CliRunner.run("stats", dir.toString());
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().startsWith("slipway: unknown command 'stats' for 'slipway'; did you mean 'status'?"
                + " (commands: init, render, "), r.toString());
        assertTrue(r.err().contains(", help)\nRun 'slipway --help' for usage.\n"), r.toString());
        // an extra argument to a command without subcommands keeps picocli's own message
        r = CliRunner.run("render", "ci", dir.toString(), "extra");
        assertTrue(r.err().startsWith("slipway: Unmatched argument at index 3: 'extra'"), r.toString());
    }

    @Test
    void badVersionFlag() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        assertUsageError(CliRunner.run("build", dir.toString(), "--version", "1.0/evil"),
                "'1.0/evil' is not a valid version: use letters, digits, '.', '_', '+' and '-'");
    }

    @org.junit.jupiter.params.ParameterizedTest
    @org.junit.jupiter.params.provider.ValueSource(strings = {"check", "build", "deploy", "ship", "rollback", "status",
        "history", "start", "stop", "version"})
    void everyCommandHasHelp(String command) {
        var r = CliRunner.run(command, "--help");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("Usage: slipway " + command), r.toString());
    }

    @Test
    void debugShowsTheStackTrace() throws Exception {
        var r = CliRunner.run("build", dir.toString(), "--debug");
        assertEquals(2, r.code());
        assertTrue(r.err().contains("\tat dev.slipway."), r.toString());
    }
}
