package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@code build.files}: copied into the layout root, and so into the archive; never from outside the service directory. */
class BuildFilesTest {
    @TempDir
    Path dir;

    @Test
    void filesAndDirectoriesLandInTheLayoutRootAndTheArchive() throws Exception {
        Files.writeString(dir.resolve("config.yml"), "server: {}\n");
        Files.createDirectories(dir.resolve("conf/sub"));
        Files.writeString(dir.resolve("conf/sub/a.properties"), "a=1\n");
        Files.writeString(dir.resolve("conf/run.sh"), "#!/bin/sh\n");
        Files.setPosixFilePermissions(dir.resolve("conf/run.sh"), PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.writeString(dir.resolve("shared.txt"), "shared\n");
        Files.createSymbolicLink(dir.resolve("conf/link.txt"), Path.of("../shared.txt")); // inside: copied as its file
        SlipwayConfig config = ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: a\nbuild: {files: [config.yml, conf]}\n");
        Path layout = dir.resolve("dist/layout");
        Files.createDirectories(layout.resolve("app"));

        BuildFiles.copy(config, layout);

        assertEquals("server: {}\n", Files.readString(layout.resolve("config.yml")));
        assertEquals("a=1\n", Files.readString(layout.resolve("conf/sub/a.properties")));
        assertEquals("shared\n", Files.readString(layout.resolve("conf/link.txt")));
        assertTrue(!Files.isSymbolicLink(layout.resolve("conf/link.txt")));
        assertTrue(Files.isExecutable(layout.resolve("conf/run.sh")), "the mode is kept");

        // The training cache key covers them, and a shipped tree's files, beside the class path.
        Files.createDirectories(layout.resolve("app/quarkus-app/lib/main"));
        Files.createDirectories(layout.resolve("app/lib"));
        Files.createDirectories(layout.resolve("bin"));
        Files.writeString(layout.resolve("app/quarkus-app/lib/main/vertx.jar"), "v");
        Files.writeString(layout.resolve("app/lib/dep.jar"), "d");
        Files.writeString(layout.resolve("app/a.jar"), "a");
        Files.writeString(layout.resolve("app/app.classlist"), "c");
        Files.writeString(layout.resolve("bin/a"), "#!/bin/sh\n");
        assertEquals(List.of("app/quarkus-app/lib/main/vertx.jar", "conf/link.txt", "conf/run.sh", "conf/sub/a.properties",
                "config.yml"), TrainStartup.readBesideClasspath(layout));

        Path tarGz = dir.resolve("a.tar.gz");
        Path member = dir.resolve("runtime.gz");
        try (var os = Files.newOutputStream(member)) {
            Archive.writeRuntimeMember(layout.resolve("runtime"), "a_1", Instant.EPOCH, os);
        }
        Archive.writeTarGz(layout, "a_1", Instant.EPOCH, member, tarGz);
        List<String> names = new ArrayList<>();
        try (InputStream in = Files.newInputStream(tarGz);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in, true))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                names.add(e.getName());
            }
        }
        assertTrue(names.containsAll(List.of("a_1/config.yml", "a_1/conf/sub/a.properties", "a_1/conf/run.sh")), names.toString());
    }

    @Test
    void aMissingFileAndALinkOutMadeByTheBuildStopWithExitCode2() throws Exception {
        Path layout = dir.resolve("layout");
        Files.createDirectories(layout);
        SlipwayConfig missing = ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: a\nbuild: {files: [config.yml]}\n");
        SlipwayException e = assertThrows(SlipwayException.class, () -> BuildFiles.copy(missing, layout));
        assertEquals(2, e.exitCode());
        assertEquals("build.files: config.yml does not exist in " + dir, e.getMessage());

        Path outside = Files.createTempDirectory("outside");
        try {
            Files.writeString(outside.resolve("secret"), "s");
            Files.createDirectories(dir.resolve("conf"));
            SlipwayConfig config = ConfigLoader.parse(dir.resolve("slipway.yaml"), "name: a\nbuild: {files: [conf]}\n");
            Files.createSymbolicLink(dir.resolve("conf/secret"), outside.resolve("secret")); // after the file was read
            SlipwayException out = assertThrows(SlipwayException.class, () -> BuildFiles.copy(config, layout));
            assertEquals(2, out.exitCode());
            assertTrue(out.getMessage().startsWith("build.files entry conf/secret resolves through a symbolic link to "
                    + outside.toRealPath()), out.getMessage());
            assertTrue(!Files.exists(layout.resolve("conf/secret")));
        } finally {
            Files.deleteIfExists(outside.resolve("secret"));
            Files.delete(outside);
        }
    }
}
