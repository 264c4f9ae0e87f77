package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: Slipway's own single file runs on a linked runtime without jlink, so {@code build}
 * finds its JDK through {@code java} on PATH (after build.jdk and JAVA_HOME), following links as
 * Debian's {@code /usr/bin/java} to {@code /usr/lib/jvm/...} needs.
 */
class JdkOnPathTest {
    @Test
    void javaOnPathLeadsToTheHomeOfItsRealFile(@TempDir Path tmp) throws Exception {
        Path jdk = tmp.resolve("jvm/jdk-17");
        Path java = Files.createDirectories(jdk.resolve("bin")).resolve("java");
        Files.writeString(java, "#!/bin/sh\n");
        Files.setPosixFilePermissions(java, PosixFilePermissions.fromString("rwxr-xr-x"));
        Path alternatives = Files.createDirectories(tmp.resolve("etc/alternatives"));
        Files.createSymbolicLink(alternatives.resolve("java"), java);
        Path bin = Files.createDirectories(tmp.resolve("usr/bin"));
        Files.createSymbolicLink(bin.resolve("java"), alternatives.resolve("java"));
        Path empty = Files.createDirectories(tmp.resolve("empty"));

        assertEquals(Optional.of(jdk.toRealPath()), Jdk.onPath(empty + "::" + tmp.resolve("missing") + ":" + bin));
        assertEquals(Optional.empty(), Jdk.onPath(empty.toString()));
        assertEquals(Optional.empty(), Jdk.onPath(null));
        // A dangling link is passed over.
        Path dangling = Files.createDirectories(tmp.resolve("dangling"));
        Files.createSymbolicLink(dangling.resolve("java"), tmp.resolve("nowhere/java"));
        assertEquals(Optional.of(jdk.toRealPath()), Jdk.onPath(dangling + ":" + bin));
    }
}
