package dev.slipway.config;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code build.lib} and {@code build.files}: read as written, and refused at their line when they
 * leave the service directory through a symbolic link that exists when the file is read (the
 * {@code ..} and absolute cases are in the bad-configs suite, which cannot hold links).
 */
class BuildInputsConfigTest {
    @TempDir
    Path dir;

    @Test
    void libAndFilesAreReadAndDefaultToNothing() {
        SlipwayConfig none = ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: a\n");
        assertNull(none.build().lib());
        assertEquals(List.of(), none.build().files());

        SlipwayConfig c = ConfigLoader.parse(dir.resolve("slipway.yaml"), """
                name: a
                build:
                  lib: build/deps
                  files: [config.yml, conf/]
                """);
        assertEquals("build/deps", c.build().lib());
        assertEquals(List.of("config.yml", "conf/"), c.build().files());
    }

    @Test
    void aFileThatLeadsOutThroughALinkIsAnErrorAtItsLine() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        try {
            Files.writeString(outside.resolve("secret.env"), "TOKEN=x\n");
            Files.createSymbolicLink(dir.resolve("conf"), outside);
            Files.writeString(dir.resolve("config.yml"), "server: {}\n");
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(dir.resolve("slipway.yaml"), """
                    name: a
                    build:
                      files:
                        - config.yml
                        - conf/secret.env
                    """));
            assertEquals(2, e.exitCode());
            assertEquals(dir.resolve("slipway.yaml") + ":5:7: 'conf/secret.env' resolves through a symbolic link to "
                    + outside.toRealPath().resolve("secret.env") + ", outside the service directory; copy the file into"
                    + " the service directory instead", e.getMessage());
        } finally {
            Files.delete(outside.resolve("secret.env"));
            Files.delete(outside);
        }
    }

    @Test
    void aLibThatIsALinkOutIsAnErrorAndALinkInsideIsFine() throws IOException {
        Path outside = Files.createTempDirectory("outside");
        try {
            Files.createDirectories(dir.resolve("target/real-lib"));
            Files.createSymbolicLink(dir.resolve("target/lib-out"), outside);
            Files.createSymbolicLink(dir.resolve("target/lib-in"), dir.resolve("target/real-lib"));
            ConfigException e = assertThrows(ConfigException.class, () -> ConfigLoader.parse(dir.resolve("slipway.yaml"),
                    "name: a\nbuild:\n  lib: target/lib-out\n"));
            assertEquals(dir.resolve("slipway.yaml") + ":3:8: 'target/lib-out' resolves through a symbolic link to "
                    + outside.toRealPath() + ", outside the service directory; copy the file into the service directory"
                    + " instead", e.getMessage());
            assertEquals("target/lib-in", ConfigLoader.parse(dir.resolve("slipway.yaml"),
                    "name: a\nbuild:\n  lib: target/lib-in\n").build().lib());
        } finally {
            Files.delete(outside);
        }
    }
}
