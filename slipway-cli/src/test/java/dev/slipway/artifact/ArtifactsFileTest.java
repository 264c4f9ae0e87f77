package dev.slipway.artifact;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Hashing;
import dev.slipway.util.Json;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The one reader and writer of dist/artifacts.json: round trip, the format on disk, refusals. */
class ArtifactsFileTest {
    @TempDir
    Path dir;

    private static final String HEX = "a".repeat(64);

    private Artifacts build() {
        return new Artifacts("svc", "1.2.0", "c0ffee" + "0".repeat(34), "2026-12-05T14:00:00Z", null,
                List.of(new Artifact(Artifact.Kind.SINGLE_FILE, "linux-amd64", Path.of("dist/svc_1.2.0_linux_amd64/svc"), HEX, 17),
                        new Artifact(Artifact.Kind.ARCHIVE, "linux-amd64", Path.of("dist/svc_1.2.0_linux_amd64.tar.gz"), HEX, 13)),
                Map.of("linux-amd64", new Artifacts.Launch("app.Main", List.of("app/app.jar", "app/build-info.jar"),
                        List.of("-Xshare:auto", "-Dport=${PORT}"), List.of("serve"))),
                null);
    }

    @Test
    void aBuildRoundTripsAndKeepsTheFormatOtherToolsRead() throws Exception {
        Artifacts written = build();
        ArtifactsFile.write(dir, written);
        assertEquals(written, ArtifactsFile.read(dir).orElseThrow());

        String text = Files.readString(dir.resolve("dist/artifacts.json"));
        assertTrue(text.endsWith("}\n"), text);
        JsonNode doc = Json.MAPPER.readTree(text);
        assertEquals(List.of("name", "version", "commit", "date", "artifacts", "launch"), fieldNames(doc));
        assertEquals(List.of("path", "kind", "platform", "size", "sha256"), fieldNames(doc.path("artifacts").get(0)));
        assertEquals("single-file", doc.path("artifacts").get(0).path("kind").asText());
        assertEquals("dist/svc_1.2.0_linux_amd64/svc", doc.path("artifacts").get(0).path("path").asText());
        assertEquals("-Dport=${PORT}", doc.path("launch").path("linux-amd64").path("jvmOptions").get(1).asText());
    }

    @Test
    void aReleaseWithAnImageRoundTrips() throws Exception {
        Artifacts release = new Artifacts("svc", "0.0.1-SNAPSHOT", "", null, new Artifacts.ReleaseFacts(null, "v0.9.0", true),
                List.of(new Artifact(Artifact.Kind.CHECKSUMS, null, Path.of("dist/checksums.txt"), HEX, 35),
                        new Artifact(Artifact.Kind.CHANGELOG, null, Path.of("dist/CHANGELOG.md"), HEX, 9)),
                Map.of(), new Artifacts.Image("dist/svc_image.tar", "oci-archive", "sha256:" + HEX,
                        Map.of("linux-amd64", new Artifacts.Manifest("sha256:" + "b".repeat(64), 10, 20)), List.of("1.0"),
                        List.of("registry.test/svc:1.0@sha256:" + HEX)));
        ArtifactsFile.write(dir, release);
        assertEquals(release, ArtifactsFile.read(dir).orElseThrow());
        JsonNode doc = Json.MAPPER.readTree(dir.resolve("dist/artifacts.json").toFile());
        assertEquals(List.of("name", "version", "commit", "date", "tag", "previousTag", "snapshot", "artifacts", "image"),
                fieldNames(doc));
        assertTrue(doc.path("tag").isNull(), "a snapshot has no tag");
        assertEquals(List.of("path", "kind", "size", "sha256"), fieldNames(doc.path("artifacts").get(0)),
                "no platform for platform-free artifacts");
        assertEquals(10, doc.path("image").path("manifests").path("linux-amd64").path("compressedSize").asLong());
    }

    @Test
    void anUnknownKindIsAnErrorNotASilentDrop() throws Exception {
        Files.createDirectories(dir.resolve("dist"));
        Files.writeString(dir.resolve("dist/artifacts.json"), """
                {"name": "svc", "version": "1.0.0", "commit": "",
                 "artifacts": [{"kind": "flatpak", "path": "dist/svc.flatpak"}]}
                """);
        IOException e = assertThrows(IOException.class, () -> ArtifactsFile.read(dir));
        assertEquals("artifact dist/svc.flatpak has the kind 'flatpak', which this Slipway does not know (known:"
                + " single-file, archive, sbom, checksums, changelog, manifest)", e.getMessage());

        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        SlipwayConfig config = ConfigLoader.loadFromDir(dir);
        SlipwayException usage = assertThrows(SlipwayException.class, () -> ArtifactsFile.require(config, ""));
        assertEquals(2, usage.exitCode());
        assertTrue(usage.getMessage().startsWith("cannot read " + dir.resolve("dist/artifacts.json") + ": artifact"
                + " dist/svc.flatpak has the kind 'flatpak'"), usage.getMessage());
        assertTrue(usage.getMessage().endsWith("; run 'slipway build' again"), usage.getMessage());
    }

    @Test
    void missingOtherServiceAndBrokenFilesSayWhatToRun() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        SlipwayConfig config = ConfigLoader.loadFromDir(dir);
        assertTrue(ArtifactsFile.read(dir).isEmpty());
        SlipwayException missing = assertThrows(SlipwayException.class, () -> ArtifactsFile.require(config, " (or ship)"));
        assertEquals(2, missing.exitCode());
        assertEquals("nothing built for svc: " + dir.resolve("dist/artifacts.json") + " does not exist; run 'slipway build "
                + dir + "' first (or ship)", missing.getMessage());
        // A directory with a space is quoted, so the command pastes as it is (a new user's finding).
        Path spaced = Files.createDirectories(dir.resolve("my svc"));
        Files.writeString(spaced.resolve("slipway.yaml"), "name: svc\n");
        SlipwayException quoted = assertThrows(SlipwayException.class,
                () -> ArtifactsFile.require(ConfigLoader.loadFromDir(spaced), ""));
        assertTrue(quoted.getMessage().endsWith("; run \"slipway build '" + spaced + "'\" first"), quoted.getMessage());

        ArtifactsFile.write(dir, new Artifacts("other", "1.0.0", "", List.of()));
        SlipwayException other = assertThrows(SlipwayException.class, () -> ArtifactsFile.require(config, ""));
        assertEquals(dir.resolve("dist/artifacts.json") + " is a build of 'other', not 'svc'; run 'slipway build' again",
                other.getMessage());

        Files.writeString(dir.resolve("dist/artifacts.json"), "{ not json");
        SlipwayException broken = assertThrows(SlipwayException.class, () -> ArtifactsFile.require(config, ""));
        assertEquals(2, broken.exitCode());
        assertTrue(broken.getMessage().startsWith("cannot read " + dir.resolve("dist/artifacts.json") + ": "),
                broken.getMessage());
    }

    @Test
    void theMavenPluginsOutputUnderTargetIsReadWhenDistHasNoBuildAndAnOutputDirectoryIsWrittenAndRead() throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        SlipwayConfig config = ConfigLoader.loadFromDir(dir);
        assertEquals(dir.toAbsolutePath().resolve("dist"), config.dist());
        // mvn package slipway:build wrote target/slipway/dist/artifacts.json; the CLI reads it.
        SlipwayConfig maven = config.withDist(dir.resolve(ArtifactsFile.MAVEN_DIST));
        Path written = ArtifactsFile.write(maven, new Artifacts("svc", "1.0.0", "", List.of()));
        assertEquals(dir.resolve("target/slipway/dist/artifacts.json"), written);
        assertEquals(written, ArtifactsFile.path(config));
        assertEquals("1.0.0", ArtifactsFile.require(config, "").version());
        // A build in dist/ (the CLI's) is the one read then.
        ArtifactsFile.write(config, new Artifacts("svc", "2.0.0", "", List.of()));
        assertEquals(config.dist().resolve("artifacts.json"), ArtifactsFile.path(config));
        assertEquals("2.0.0", ArtifactsFile.require(config, "").version());
        // A configured output directory is the only place read: no fallback.
        SlipwayConfig elsewhere = config.withDist(dir.resolve("out"));
        assertTrue(ArtifactsFile.read(elsewhere).isEmpty());
        assertEquals(dir.resolve("out/artifacts.json"), ArtifactsFile.path(elsewhere));
        // File names relative to the output directory, whichever it is.
        Artifact a = new Artifact(Artifact.Kind.ARCHIVE, "linux-amd64", Path.of("target/slipway/dist/svc_1.0.0_linux_amd64.tar.gz"),
                HEX, 1);
        assertEquals("svc_1.0.0_linux_amd64.tar.gz", a.distPath(Path.of(ArtifactsFile.MAVEN_DIST)));
        assertEquals("target/slipway/dist/svc_1.0.0_linux_amd64.tar.gz", a.distPath(Path.of("out")), "not in it: as written");
    }

    @Test
    void anImageEntryOfTheOldFormIsReadAsAPushedReference() throws Exception {
        Files.createDirectories(dir.resolve("dist"));
        Files.writeString(dir.resolve("dist/artifacts.json"), """
                {"name": "svc", "version": "2.0.0", "commit": "abc",
                 "artifacts": [{"kind": "single-file", "path": "dist/x"},
                               {"kind": "image", "reference": "registry.test:5000/svc:2.0.0", "digest": "sha256:%s"}]}
                """.formatted(HEX));
        Artifacts a = ArtifactsFile.read(dir).orElseThrow();
        assertEquals(List.of("registry.test:5000/svc@sha256:" + HEX), a.image().pushed());
        assertNull(a.image().index());
        assertEquals(1, a.artifacts().size());
        assertTrue(a.singleFile("linux-amd64").isEmpty(), "an entry without a platform matches no platform");
    }

    @Test
    void artifactOfReadsSizeAndDigestAndRegistryFiltersByKindAndPlatform() throws Exception {
        Path file = dir.resolve("dist/svc_1.0_linux_arm64/svc");
        Files.createDirectories(file.getParent());
        Files.writeString(file, "payload");
        Artifact a = Artifact.of(dir, file, Artifact.Kind.SINGLE_FILE, "linux-arm64");
        assertEquals(Hashing.sha256(file), a.sha256());
        assertEquals(7, a.size());
        assertEquals("svc_1.0_linux_arm64/svc", a.distPath());
        Artifacts r = new Artifacts("svc", "1.0", "", List.of()).with(a);
        assertEquals(a, r.singleFile("linux-arm64").orElseThrow());
        assertTrue(r.singleFile("linux-amd64").isEmpty());
        assertEquals(List.of(), r.ofKind(Artifact.Kind.ARCHIVE));
    }

    private static List<String> fieldNames(JsonNode n) {
        List<String> out = new java.util.ArrayList<>();
        n.fieldNames().forEachRemaining(out::add);
        return out;
    }
}
