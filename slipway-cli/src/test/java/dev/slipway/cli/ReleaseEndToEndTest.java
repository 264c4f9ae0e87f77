package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.sun.net.httpserver.HttpServer;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.Tools;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.release.ReleasePipeline;
import dev.slipway.release.TestRepo;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.apache.commons.compress.compressors.gzip.GzipCompressorInputStream;
import org.cyclonedx.model.Bom;
import org.cyclonedx.model.Component;
import org.cyclonedx.parsers.JsonParser;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway release} end to end on examples/myapp in a throwaway repository with tags and
 * conventional commits: a dirty or untagged tree is refused, a snapshot works, a tagged release
 * makes archives, checksums (verified with sha256sum -c), a grouped and filtered changelog, a
 * CycloneDX SBOM (parsed back by the CycloneDX library) and artifacts.json, publishes to a
 * directory and to a (loopback) GitHub, and a second release of the same commit is byte-identical.
 * Three builds in all (the first compiles, the others reuse the jars).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ReleaseEndToEndTest {
    Path work;
    Path service;
    Path published;
    TestRepo repo;
    String snapshotCommit;

    @BeforeAll
    void makeRepository(@TempDir Path tmp) throws Exception {
        work = tmp;
        Path example = Path.of(System.getProperty("slipway.repo", "..")).resolve("examples/myapp").toAbsolutePath().normalize();
        service = work.resolve("myapp");
        published = work.resolve("published");
        try (Stream<Path> s = Files.walk(example)) {
            for (Path p : s.toList()) {
                Path rel = example.relativize(p);
                if (rel.getNameCount() > 0 && List.of("target", "dist", ".slipway", "data").contains(rel.getName(0).toString())) {
                    continue;
                }
                if (Files.isDirectory(p)) {
                    Files.createDirectories(service.resolve(rel.toString()));
                } else {
                    Files.copy(p, service.resolve(rel.toString()), StandardCopyOption.COPY_ATTRIBUTES);
                }
            }
        }
        Files.writeString(service.resolve("LICENSE"), "Test licence\n");
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                release:
                  before:
                    - echo "generating sources"; mkdir -p target && date > target/hook-ran
                  archives:
                    files: [README.md, LICENSE]
                    systemdUnit: true
                  changelog:
                    sort: asc
                    exclude: ['^docs:']
                    groups:
                      - {title: Features, regex: '^feat'}
                      - {title: Fixes, regex: '^fix'}
                      - {title: Other}
                  publish:
                    directory: %s
                """.formatted(published));
        repo = new TestRepo(service);
        repo.git().add().addFilepattern(".").call();
        repo.commitStaged("feat: myapp serves hello");
        repo.tag("v1.0.0", true);
        repo.commit("feat: search endpoint");
        repo.commit("fix: empty query crashed");
        repo.commit("docs: search guide");
        snapshotCommit = repo.commit("chore: update docs: typo").getName();
    }

    private void assertRefused(CliRunner.Run r, String message) {
        assertEquals(2, r.code(), r.toString());
        assertTrue(r.err().contains("slipway: " + message), r.toString());
        assertFalse(r.err().contains("\tat "), r.toString());
    }

    @Test
    @Order(1)
    void dirtyTreeIsRefusedButSnapshotWorks() throws Exception {
        Files.writeString(service.resolve("README.md"), "\nlocal edit\n", java.nio.file.StandardOpenOption.APPEND);
        assertRefused(CliRunner.run("release", service.toString()), "the work tree has uncommitted changes; a release"
                + " is made from a clean, tagged commit: commit or stash them, or run 'slipway release --snapshot'");
        assertFalse(Files.exists(service.resolve("dist")), "nothing changed");

        var r = CliRunner.run("release", service.toString(), "--snapshot");
        assertEquals(0, r.code(), r.toString());
        String version = "1.0.1-SNAPSHOT-" + snapshotCommit.substring(0, 7);
        assertTrue(r.err().contains("release myapp " + version + " (snapshot, commit " + snapshotCommit.substring(0, 7)
                + ", dirty)"), r.toString());
        assertTrue(r.err().contains("publish to directory " + published + ": skipped (a snapshot is never published)"), r.toString());
        assertTrue(Files.isRegularFile(service.resolve("dist/myapp_" + version + "_linux_amd64.tar.gz")), r.toString());
        JsonNode manifest = new ObjectMapper().readTree(service.resolve("dist/artifacts.json").toFile());
        assertTrue(manifest.path("snapshot").asBoolean());
        assertEquals(version, manifest.path("version").asText());
        assertFalse(Files.exists(published), "a snapshot never publishes");
        repo.git().checkout().addPath("README.md").call();
    }

    @Test
    @Order(2)
    void untaggedHeadIsRefusedAndAFailingHookStopsTheRelease() throws Exception {
        byte[] before = Files.readAllBytes(service.resolve("dist/artifacts.json"));
        assertRefused(CliRunner.run("release", service.toString()), "HEAD (" + snapshotCommit.substring(0, 7)
                + ") has no tag; a release is made from a tagged commit: tag it (e.g. git tag v1.2.3),"
                + " or run 'slipway release --snapshot'");
        assertEquals(-1, java.util.Arrays.mismatch(before, Files.readAllBytes(service.resolve("dist/artifacts.json"))),
                "nothing changed");

        SlipwayConfig failing = ConfigLoader.parse(service.resolve("slipway.yaml"),
                "name: myapp\nrelease:\n  before: ['echo cannot generate >&2; exit 7']\n");
        StringWriter err = new StringWriter();
        SlipwayException e = assertThrows(SlipwayException.class, () -> ReleasePipeline.run(failing,
                new ReleasePipeline.Options(true, false, false, false),
                new Console(new PrintWriter(new StringWriter()), new PrintWriter(err), false), k -> null));
        assertEquals(1, e.exitCode());
        assertEquals("hook 'echo cannot generate >&2; exit 7' failed with exit code 7:\ncannot generate", e.getMessage());
        assertTrue(err.toString().contains("  | cannot generate"), "output shown: " + err);
        assertEquals(-1, java.util.Arrays.mismatch(before, Files.readAllBytes(service.resolve("dist/artifacts.json"))),
                "a failing hook stops before the build");
    }

    @Test
    @Order(3)
    void taggedReleasePublishesToADirectoryAndGitHub() throws Exception {
        repo.tag("v1.1.0", true);
        // The GitHub publisher is added in memory (the tree stays clean) and pointed at a loopback server.
        List<String> requests = new CopyOnWriteArrayList<>();
        HttpServer gh = HttpServer.create(new InetSocketAddress(InetAddress.getLoopbackAddress(), 0), 0);
        String base = "http://127.0.0.1:" + gh.getAddress().getPort();
        gh.createContext("/", ex -> {
            ex.getRequestBody().readAllBytes();
            requests.add(ex.getRequestMethod() + " " + ex.getRequestURI() + " " + ex.getRequestHeaders().getFirst("Authorization"));
            byte[] b = (ex.getRequestURI().getPath().endsWith("/releases")
                    ? "{\"id\":1,\"upload_url\":\"" + base + "/up/assets{?name,label}\"}" : "{}").getBytes(StandardCharsets.UTF_8);
            ex.sendResponseHeaders(201, b.length);
            ex.getResponseBody().write(b);
            ex.close();
        });
        gh.start();
        String yaml = Files.readString(service.resolve("slipway.yaml"))
                + "    github: {owner: acme, repo: myapp, apiUrl: '" + base + "'}\n";
        SlipwayConfig config = ConfigLoader.parse(service.resolve("slipway.yaml"), yaml);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        try {
            ReleasePipeline.run(config, new ReleasePipeline.Options(false, false, false, false),
                    new Console(new PrintWriter(out), new PrintWriter(err), false),
                    k -> k.equals("GITHUB_TOKEN") ? "token-for-test" : null);
        } finally {
            gh.stop(0);
        }
        String log = err.toString();
        assertTrue(log.contains("  | generating sources"), "hook output shown:\n" + log);
        assertFalse(log.contains("token-for-test") || out.toString().contains("token-for-test"));
        Path dist = service.resolve("dist");

        // checksums.txt verifies with the real sha256sum
        Tools.require("sha256sum");
        Process p = new ProcessBuilder("sha256sum", "-c", "--strict", "checksums.txt").directory(dist.toFile())
                .redirectErrorStream(true).start();
        String check = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(60, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), check);
        assertEquals(List.of("myapp_1.1.0_linux_amd64.cdx.json: OK", "myapp_1.1.0_linux_amd64.tar.gz: OK",
                "myapp_1.1.0_linux_amd64/myapp: OK"), check.lines().toList());

        // the changelog: since v1.0.0, grouped, docs: excluded (anchored), printed and written
        String changelog = Files.readString(dist.resolve("CHANGELOG.md"));
        assertEquals("# myapp 1.1.0\n\nChanges since v1.0.0.\n\n## Features\n\n- " + shortOf("feat: search endpoint")
                + " feat: search endpoint\n\n## Fixes\n\n- " + shortOf("fix: empty query crashed")
                + " fix: empty query crashed\n\n## Other\n\n- " + snapshotCommit.substring(0, 7)
                + " chore: update docs: typo\n", changelog);
        assertTrue(out.toString().contains(changelog), out.toString());

        // the archive: the layout plus the extra files, under the archive's name, times pinned
        Map<String, TarArchiveEntry> entries = tarEntries(dist.resolve("myapp_1.1.0_linux_amd64.tar.gz"));
        for (String name : List.of("bin/myapp", "app/build-info.jar", "runtime/bin/java", "README.md", "LICENSE",
                "myapp.service")) {
            assertTrue(entries.containsKey("myapp_1.1.0_linux_amd64/" + name), name + " in " + entries.keySet());
        }
        // Every entry has the build's fixed file time (what a trained cache recorded of the jars), not
        // the commit's; the commit time is the build time, which the SBOM records (below).
        long commitTime = repo.git().log().setMaxCount(1).call().iterator().next().getCommitTime();
        assertTrue(entries.values().stream().allMatch(e -> e.getModTime().toInstant().equals(dev.slipway.build.BuildInfo.FILE_TIME)),
                entries.values().stream().map(e -> e.getName() + " " + e.getModTime().toInstant()).toList().toString());

        // the SBOM parses back with the CycloneDX library, and is valid
        Path sbom = dist.resolve("myapp_1.1.0_linux_amd64.cdx.json");
        JsonParser parser = new JsonParser();
        assertTrue(parser.validate(sbom.toFile()).isEmpty(), parser.validate(sbom.toFile()).toString());
        Bom bom = parser.parse(sbom.toFile());
        assertEquals("myapp", bom.getMetadata().getComponent().getName());
        assertEquals("1.1.0", bom.getMetadata().getComponent().getVersion());
        assertEquals(commitTime * 1000L, bom.getMetadata().getTimestamp().getTime(), "the SBOM's time is the build time");
        Component runtime = bom.getComponents().stream().filter(c -> c.getType() == Component.Type.PLATFORM)
                .findFirst().orElseThrow();
        assertEquals("java-runtime", runtime.getName());
        assertEquals(Runtime.version().toString().replaceAll("[+-].*", ""), runtime.getVersion());
        assertTrue(bom.getComponents().stream().anyMatch(c -> "pkg:maven/dev.slipway.examples/myapp@0.1.0?type=jar"
                .equals(c.getPurl())), "the app jar with its purl");

        // the manifest lists every artifact with size and sha256
        JsonNode manifest = new ObjectMapper().readTree(dist.resolve("artifacts.json").toFile());
        assertEquals("1.1.0", manifest.path("version").asText());
        assertEquals("v1.1.0", manifest.path("tag").asText());
        assertEquals("v1.0.0", manifest.path("previousTag").asText());
        List<String> kinds = new ArrayList<>();
        for (JsonNode a : manifest.path("artifacts")) {
            kinds.add(a.path("kind").asText());
            Path file = service.resolve(a.path("path").asText());
            assertEquals(Files.size(file), a.path("size").asLong());
            assertEquals(Hashing.sha256(file), a.path("sha256").asText());
        }
        assertEquals(List.of("single-file", "sbom", "archive", "checksums", "changelog"), kinds);

        // published: a directory, and GitHub (create the release, then one upload per artifact)
        assertEquals(List.of("CHANGELOG.md", "artifacts.json", "checksums.txt", "myapp_1.1.0_linux_amd64.cdx.json",
                "myapp_1.1.0_linux_amd64.tar.gz", "myapp_1.1.0_linux_amd64/myapp"), listTree(published.resolve("myapp/1.1.0")));
        assertEquals("POST /repos/acme/myapp/releases Bearer token-for-test", requests.get(0));
        assertEquals(7, requests.size(), requests.toString());
        assertTrue(requests.contains("POST /up/assets?name=myapp_1.1.0_linux_amd64 Bearer token-for-test"), requests.toString());

        // the deploy side still reads the release's manifest
        assertEquals("1.1.0", dev.slipway.deploy.Release.fromDist(config).version());
    }

    @Test
    @Order(4)
    void aSecondReleaseOfTheSameCommitIsByteIdentical() throws Exception {
        Path first = work.resolve("first-dist");
        copy(service.resolve("dist"), first);
        var r = CliRunner.run("release", service.toString(), "--no-compile");
        assertEquals(0, r.code(), r.toString());
        Map<String, String> a = digests(first);
        Map<String, String> b = digests(service.resolve("dist"));
        assertEquals(a.keySet(), b.keySet());
        // docs/release.md: every file in dist/ is identical when the runtime comes from the runtime cache
        assertEquals(a, b);
        // so publishing it again finds the identical release and changes nothing
        assertTrue(r.err().contains("already holds this release (identical); nothing to do"), r.toString());
    }

    @Test
    @Order(5)
    void checkWarnsAboutDeprecatedKeys(@TempDir Path dir) throws Exception {
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\nrelease:\n  snapshot:\n    nameTemplate: '{next patch}-dev'\n");
        var r = CliRunner.run("check", dir.toString());
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.err().contains(dir.resolve("slipway.yaml") + ":4:5: warning: 'release.snapshot.nameTemplate' is"
                + " deprecated; use 'versionTemplate' instead"), r.toString());
    }

    @Test
    @Order(6)
    void schemaCommandPrintsTheSchema() {
        var r = CliRunner.run("schema");
        assertEquals(0, r.code(), r.toString());
        assertEquals(dev.slipway.config.ConfigSchema.json(), r.out());
    }

    private String shortOf(String subject) throws Exception {
        for (var c : repo.git().log().call()) {
            if (c.getShortMessage().equals(subject)) {
                return c.getName().substring(0, 7);
            }
        }
        throw new AssertionError(subject);
    }

    private static Map<String, TarArchiveEntry> tarEntries(Path tgz) throws IOException {
        Map<String, TarArchiveEntry> out = new TreeMap<>();
        try (InputStream in = Files.newInputStream(tgz);
             TarArchiveInputStream tar = new TarArchiveInputStream(new GzipCompressorInputStream(in))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                out.put(e.getName(), e);
            }
        }
        return out;
    }

    private static List<String> listTree(Path root) throws IOException {
        try (Stream<Path> s = Files.walk(root)) {
            return s.filter(Files::isRegularFile).map(p -> root.relativize(p).toString()).sorted().toList();
        }
    }

    private static Map<String, String> digests(Path root) throws IOException {
        Map<String, String> out = new TreeMap<>();
        for (String f : listTree(root)) {
            out.put(f, Hashing.sha256(root.resolve(f)));
        }
        return out;
    }

    private static void copy(Path from, Path to) throws IOException {
        for (String f : listTree(from)) {
            Files.createDirectories(to.resolve(f).getParent());
            Files.copy(from.resolve(f), to.resolve(f));
        }
    }
}
