package dev.slipway.image;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.build.Platform;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the image's app and dependency layers hold of a build's layout: {@code app/lib} and a shipped
 * tree's {@code lib/} in the dependency layer; the rest of {@code app/} and the {@code build.files}
 * in the layout root in the app layer; every file of every layer with the fixed file time.
 */
class ImageLayersTest {
    @Test
    void buildFilesInTheLayoutRootGoToTheAppLayer(@TempDir Path dir) throws Exception {
        Path tree = dir.resolve("tree");
        Files.createDirectories(tree.resolve("runtime/bin"));
        // A real launcher: the system layer reads the glibc libraries it needs.
        Files.copy(Path.of(System.getProperty("java.home"), "bin", "java"), tree.resolve("runtime/bin/java"));
        Files.createDirectories(tree.resolve("runtime/lib"));
        Files.copy(Path.of(System.getProperty("java.home"), "lib", "libjli.so"), tree.resolve("runtime/lib/libjli.so"));
        Files.createDirectories(tree.resolve("app/lib"));
        Files.createDirectories(tree.resolve("bin"));
        Files.createDirectories(tree.resolve("conf"));
        Files.writeString(tree.resolve("app/svc.jar"), "jar");
        Files.writeString(tree.resolve("app/lib/dep.jar"), "dep");
        Files.writeString(tree.resolve("bin/svc"), "#!/bin/sh\n");
        Files.writeString(tree.resolve("config.yml"), "server: {}\n");
        Files.writeString(tree.resolve("conf/a.properties"), "a=1\n");
        Files.createDirectories(tree.resolve("app/quarkus-app/lib/main"));
        Files.writeString(tree.resolve("app/quarkus-app/quarkus-run.jar"), "run");
        Files.writeString(tree.resolve("app/quarkus-app/lib/main/vertx.jar"), "vertx");
        SlipwayConfig config = ConfigLoader.parse(dir.resolve("slipway.yaml"),
                "name: svc\nimage: {certificates: false, zoneinfo: false}\n");
        Path blobs = Files.createDirectories(dir.resolve("blobs"));

        List<Layer> layers = PlatformImages.layers(config, new ImageBuilder.Facts("svc", "1.0", "abc",
                Instant.parse("2026-01-02T03:04:05Z")), Platform.host(), tree, blobs);
        // Every layer's files have the build's fixed file time, which a trained cache recorded of the
        // jars, not the build time (that is the config's "created").
        for (Layer l : layers) {
            assertEquals(List.of(dev.slipway.build.BuildInfo.FILE_TIME), entries(l.file()).stream()
                    .map(e -> e.getModTime().toInstant()).distinct().toList(), l.toString());
        }

        List<String> app = names(layers.get(layers.size() - 1).file());
        assertTrue(app.containsAll(List.of("opt/svc/app/svc.jar", "opt/svc/config.yml", "opt/svc/conf/a.properties",
                "opt/svc/app/quarkus-app/quarkus-run.jar")), app.toString());
        assertTrue(app.stream().noneMatch(n -> n.startsWith("opt/svc/bin") || n.startsWith("opt/svc/app/lib")
                || n.startsWith("opt/svc/runtime") || n.startsWith("opt/svc/app/quarkus-app/lib")), app.toString());
        List<String> deps = names(layers.get(layers.size() - 2).file());
        assertTrue(deps.containsAll(List.of("opt/svc/app/lib/dep.jar", "opt/svc/app/quarkus-app/lib/main/vertx.jar")),
                deps.toString());
    }

    private static List<String> names(Path blob) throws Exception {
        return entries(blob).stream().map(e -> e.getName().replaceFirst("^\\./", "").replaceFirst("/$", "")).toList();
    }

    private static List<TarArchiveEntry> entries(Path blob) throws Exception {
        List<TarArchiveEntry> entries = new ArrayList<>();
        try (InputStream in = Files.newInputStream(blob);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                entries.add(e);
            }
        }
        return entries;
    }
}
