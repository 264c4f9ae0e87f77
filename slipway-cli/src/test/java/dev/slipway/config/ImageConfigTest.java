package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The image section: defaults, templates, sysroots relative to the file, and errors at their location. */
class ImageConfigTest {
    @Test
    void defaults() {
        ImageConfig i = ConfigLoader.parse(Path.of("svc/slipway.yaml"), "name: app\n").image();
        assertTrue(i.certificates());
        assertTrue(i.zoneinfo());
        assertEquals("65534:65534", i.user());
        assertEquals(List.of("{version}"), i.tags().stream().map(NameTemplate::source).toList());
        assertNull(i.repository());
        assertNull(i.source());
        assertEquals(Map.of(), i.sysroots());
    }

    @Test
    void everyKey(@TempDir Path dir) throws Exception {
        java.nio.file.Files.createDirectories(dir.resolve("roots/arm64"));
        ImageConfig i = ConfigLoader.parse(dir.resolve("slipway.yaml"), """
                name: app
                image:
                  certificates: false
                  zoneinfo: false
                  repository: 127.0.0.1:5000/acme/app
                  tags: ["{version}", "sha-{short commit}"]
                  user: "1000:1000"
                  env: {JDK_JAVA_OPTIONS: "-Xmx64m"}
                  source: https://example.invalid/app
                  annotations: {org.opencontainers.image.vendor: Acme}
                  sysroots: {linux-arm64: roots/arm64}
                """).image();
        assertEquals(false, i.certificates());
        assertEquals(false, i.zoneinfo());
        assertEquals("127.0.0.1:5000/acme/app", i.repository());
        assertEquals("sha-abc1234", i.tags().get(1).expand(Map.of("version", "1", "short commit", "abc1234", "commit", "x"),
                false));
        assertEquals("1000:1000", i.user());
        assertEquals(Map.of("JDK_JAVA_OPTIONS", "-Xmx64m"), i.env());
        assertEquals(Map.of("org.opencontainers.image.vendor", "Acme"), i.annotations());
        assertEquals(Map.of("linux-arm64", dir.resolve("roots/arm64")), i.sysroots());
    }

    @Test
    void aMissingSysrootIsReportedAtItsValue() {
        ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(Path.of("svc/slipway.yaml"),
                "name: app\nimage:\n  sysroots:\n    linux-arm64: /nonexistent/sysroot\n"));
        assertTrue(e.getMessage().startsWith("svc/slipway.yaml:4:18: no such directory: /nonexistent/sysroot"), e.getMessage());
    }

    /** Issue 20, security 3: a root container needs a key that names the risk, and gets a warning. */
    @Test
    void rootUserIsRefusedUnlessAllowedAndThenWarned() {
        for (String user : List.of("0:0", "0:1000", "000:0")) {
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(Path.of("svc/slipway.yaml"),
                    "name: app\nimage:\n  user: '" + user + "'\n"));
            assertEquals("svc/slipway.yaml:3:9: user " + user + " is root (uid 0): a process that escapes the"
                    + " application runs as root in the container; use a non-root uid such as 65534:65534, or set"
                    + " 'allowRoot: true' in image if the service must run as root", e.getMessage());
            assertEquals(2, e.exitCode());
        }
        SlipwayConfig c = ConfigLoader.parse(Path.of("svc/slipway.yaml"), "name: app\nimage:\n  user: '0:0'\n  allowRoot: true\n");
        assertEquals("0:0", c.image().user());
        assertEquals(List.of("svc/slipway.yaml:3:9: warning: the image runs as root (image.user 0:0, allowed by"
                + " image.allowRoot)"), c.warnings());
        assertEquals(List.of(), ConfigLoader.parse(Path.of("svc/slipway.yaml"),
                "name: app\nimage:\n  user: '10:0'\n").warnings());
    }
}
