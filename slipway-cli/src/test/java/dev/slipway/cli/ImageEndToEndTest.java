package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.Console;
import dev.slipway.LocalRegistry;
import dev.slipway.SlipwayException;
import dev.slipway.Tools;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.cli.Example.Proc;
import dev.slipway.config.ConfigLoader;
import dev.slipway.image.ImageBuilder;
import dev.slipway.image.RegistryPush;
import dev.slipway.util.Hashing;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway image} checked with independent tools: skopeo parses the oci-archive and the
 * layout; umoci unpacks the amd64 image, whose entrypoint then runs in a read-only chroot as UID
 * 65534 (version, then the service's readiness); the arm64 rootfs runs under qemu-user; a real
 * Docker registry (Debian's docker-registry, htpasswd basic auth, on 127.0.3.1) receives the image
 * twice and the second push uploads nothing; a second build of the same commit gives the same
 * digests. Needs root and the arm64 testbed ({@code testbed/arm64.sh}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ImageEndToEndTest {
    private static final Path TESTBED = Path.of(System.getenv().getOrDefault("SLIPWAY_ARM64_ROOT",
            "/var/cache/slipway-testbed/arm64"));
    private static final String USER = "ci-pusher";
    private static final String PASSWORD = "pw-" + Long.toHexString(System.nanoTime());

    Path work;
    Path first;
    Path second;
    String commit;
    Path archive;
    Path layout;
    JsonNode artifacts;
    LocalRegistry registry;
    Path registryLog;
    String registryAddress;

    @BeforeAll
    void buildAndImageOneCommit(@TempDir Path tmp) throws Exception {
        for (String tool : List.of("skopeo", "umoci", "docker-registry", "htpasswd", "unshare")) {
            Tools.require(tool);
        }
        Tools.requireThat(Files.isDirectory(TESTBED.resolve("jdk/jmods")), "the arm64 testbed (testbed/arm64.sh)");
        work = tmp;
        first = work.resolve("a/myapp");
        Example.copy(first);
        String yaml = Files.readString(first.resolve("slipway.yaml"))
                .replace("  defaultsResource: myapp-defaults.properties", "  defaultsResource: myapp-defaults.properties\n"
                        + "  targetJdks: {linux-arm64: " + TESTBED.resolve("jdk") + "}")
                + """
                platforms: [linux-amd64, linux-arm64]
                image:
                  source: https://example.invalid/acme/myapp
                  tags: ["{version}", "{short commit}"]
                  sysroots: {linux-arm64: %s}
                """.formatted(TESTBED.resolve("sysroot"));
        Files.writeString(first.resolve("slipway.yaml"), yaml);
        commit = Example.commit(first);
        second = work.resolve("b/myapp");
        Example.copyTree(first, second, java.util.Set.of());

        var b = CliRunner.run("build", first.toString(), "--version", "1.0.0");
        assertEquals(0, b.code(), b.toString());
        var i = CliRunner.run("image", first.toString());
        assertEquals(0, i.code(), i.toString());
        archive = first.resolve("dist/myapp_1.0.0_image.tar");
        assertTrue(Files.isRegularFile(archive), i.toString());
        layout = work.resolve("layout");
        var l = CliRunner.run("image", first.toString(), "--format", "oci", "--output", layout.toString());
        assertEquals(0, l.code(), l.toString());
        artifacts = new ObjectMapper().readTree(first.resolve(ArtifactsFile.PATH).toFile());
    }

    @AfterAll
    void stopRegistry() throws Exception {
        if (registry != null) {
            registry.close();
        }
    }

    @Test
    @Order(1)
    void skopeoReadsTheIndexAndEachPlatformsConfig() throws Exception {
        String index = artifacts.path("image").path("index").asText();
        assertTrue(index.startsWith("sha256:"), artifacts.toString());
        for (String ref : List.of("oci-archive:" + archive + ":1.0.0", "oci:" + layout + ":1.0.0",
                "oci:" + layout + ":" + commit.substring(0, 7))) {
            JsonNode raw = json(skopeo("inspect", "--raw", ref));
            assertEquals("application/vnd.oci.image.index.v1+json", raw.path("mediaType").asText(), ref);
            List<String> platforms = new ArrayList<>();
            raw.path("manifests").forEach(m -> platforms.add(m.path("platform").path("os").asText() + "-"
                    + m.path("platform").path("architecture").asText()));
            assertEquals(List.of("linux-amd64", "linux-arm64"), platforms, ref);
            JsonNode a = raw.path("annotations");
            assertEquals("1.0.0", a.path("org.opencontainers.image.version").asText());
            assertEquals(commit, a.path("org.opencontainers.image.revision").asText());
            assertEquals("2026-01-01T00:00:00Z", a.path("org.opencontainers.image.created").asText());
            assertEquals("https://example.invalid/acme/myapp", a.path("org.opencontainers.image.source").asText());
            assertEquals("myapp", a.path("org.opencontainers.image.title").asText());
            assertEquals(index, json(skopeo("inspect", ref)).path("Digest").asText(), "the recorded index digest");
            for (String arch : List.of("amd64", "arm64")) {
                JsonNode cfg = json(skopeo("--override-arch", arch, "inspect", "--config", ref));
                assertEquals(arch, cfg.path("architecture").asText(), ref);
                assertEquals("65534:65534", cfg.path("config").path("User").asText());
                assertTrue(cfg.path("config").path("ExposedPorts").has("8080/tcp"), cfg.toString());
                assertEquals("/usr/bin/slipway-start", cfg.path("config").path("Entrypoint").path(0).asText());
                assertEquals("/opt/myapp/runtime/bin/java", cfg.path("config").path("Entrypoint").path(2).asText(),
                        "slipway-start -- java (myapp's env has no reference)");
                assertEquals(commit, cfg.path("config").path("Labels").path("org.opencontainers.image.revision").asText());
                List<String> history = new ArrayList<>();
                cfg.path("history").forEach(h -> history.add(h.path("created_by").asText()));
                assertEquals(List.of("slipway image: glibc libraries, CA certificates, zoneinfo", "slipway image: runtime",
                        "slipway image: dependencies", "slipway image: app"), history, "layers ordered for cache reuse");
                String manifestDigest = artifacts.path("image").path("manifests").path("linux-" + arch).path("digest").asText();
                assertTrue(raw.toString().contains(manifestDigest), "artifacts.json records the " + arch + " manifest");
            }
        }
    }

    @Test
    @Order(2)
    void theAmd64ImageRunsAsNobodyInAReadOnlyRoot() throws Exception {
        Tools.requireThat(Tools.root(), "chroot and mounts need root");
        Path bundle = unpack("amd64");
        JsonNode process = json(Files.readString(bundle.resolve("config.json"))).path("process");
        assertEquals(65534, process.path("user").path("uid").asInt());
        assertEquals(65534, process.path("user").path("gid").asInt());
        List<String> args = new ArrayList<>();
        process.path("args").forEach(a -> args.add(a.asText()));
        Path rootfs = bundle.resolve("rootfs");
        assertTrue(Files.isExecutable(rootfs.resolve("opt/myapp/runtime/bin/java")), "exec bits kept");
        assertFalse(Files.exists(rootfs.resolve("bin/sh")), "no shell in the image");

        List<String> version = new ArrayList<>(args);
        version.add("version");
        Proc v = Example.finish(sandbox(rootfs, version, Map.of()).start());
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("Git Commit: " + commit), v.toString());

        int port;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            port = s.getLocalPort();
        }
        Process service = sandbox(rootfs, args, Map.of("PORT", String.valueOf(port), "ADDR", "127.0.0.1"))
                .redirectOutput(ProcessBuilder.Redirect.DISCARD).redirectError(ProcessBuilder.Redirect.DISCARD).start();
        try {
            int status = 0;
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
            while (status != 200 && System.nanoTime() < deadline && service.isAlive()) {
                Thread.sleep(250);
                status = LocalRegistry.status("http://127.0.0.1:" + port + "/health/ready");
            }
            assertEquals(200, status, "the service in the image answers /health/ready (alive: " + service.isAlive() + ")");
            ProcessHandle java = service.descendants().filter(h -> h.info().command().orElse("").endsWith("/bin/java"))
                    .findFirst().orElseThrow();
            String nsPid = Files.readAllLines(Path.of("/proc/" + java.pid() + "/status")).stream()
                    .filter(l -> l.startsWith("NSpid:")).findFirst().orElseThrow();
            assertTrue(nsPid.matches("NSpid:\\s+" + java.pid() + "\\s+1"), "java is PID 1 in its namespace: " + nsPid);
            java.destroy(); // SIGTERM: PID 1 handles it (graceful shutdown) and exits
            assertTrue(java.onExit().completeOnTimeout(null, 40, TimeUnit.SECONDS).get() != null || !java.isAlive(),
                    "java exits on SIGTERM");
            assertFalse(java.isAlive(), "java exits on SIGTERM");
        } finally {
            // unshare ignores SIGTERM while it waits; chroot's setuid cleared --kill-child, so kill what is left.
            service.descendants().forEach(ProcessHandle::destroyForcibly);
            service.destroyForcibly();
            service.waitFor(20, TimeUnit.SECONDS);
        }
    }

    @Test
    @Order(3)
    void theArm64RootfsRunsVersionUnderQemu() throws Exception {
        Tools.requireThat(Tools.root(), "chroot needs root");
        Tools.requireThat(Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-aarch64")),
                "qemu-aarch64 registered with binfmt_misc (testbed/arm64.sh)");
        Path bundle = unpack("arm64");
        List<String> args = new ArrayList<>();
        json(Files.readString(bundle.resolve("config.json"))).path("process").path("args").forEach(a -> args.add(a.asText()));
        Path lib = bundle.resolve("rootfs/lib/aarch64-linux-gnu/libc.so.6");
        assertTrue(Files.isRegularFile(lib), "arm64 glibc from the sysroot");
        args.add("version");
        ProcessBuilder pb = sandbox(bundle.resolve("rootfs"), args, Map.of());
        Process p = pb.start();
        Proc v = Example.finish(p);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("Git Commit: " + commit), v.toString());
    }

    @Test
    @Order(4)
    void pushesToARegistryWithBasicAuthAndTheSecondPushUploadsNothing() throws Exception {
        String address = startRegistry();
        String repo = address + "/acme/myapp";
        var config = ConfigLoader.loadFromDir(first);
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        Console console = new Console(new PrintWriter(out), new PrintWriter(err), false);
        var options = new ImageBuilder.Options(null, ImageBuilder.OCI_ARCHIVE, repo, List.of(), null);

        // A wrong password fails (exit 1) and the message does not show it.
        var target = RegistryPush.Ref.parse(repo);
        SlipwayException denied = assertThrows(SlipwayException.class, () -> ImageBuilder.pushLayout(layout, "1.0.0",
                target, List.of(), k -> Map.of("SLIPWAY_REGISTRY_USERNAME", USER, "SLIPWAY_REGISTRY_PASSWORD",
                        "wrong-" + PASSWORD).get(k), console));
        assertEquals(1, denied.exitCode(), denied.getMessage());
        assertFalse(denied.getMessage().contains(PASSWORD), denied.getMessage());
        assertEquals(0, blobUploads(), "nothing was uploaded without the right password");

        var r1 = ImageBuilder.fromDist(config, options, console,
                k -> Map.of("SLIPWAY_REGISTRY_USERNAME", USER, "SLIPWAY_REGISTRY_PASSWORD", PASSWORD).get(k));
        assertTrue(r1.pushed().uploaded() > 0, r1.toString());
        assertEquals(List.of(repo + ":1.0.0@" + r1.index().digest(), repo + ":" + commit.substring(0, 7) + "@"
                + r1.index().digest()), r1.pushed().refs());
        int uploads = blobUploads();
        assertEquals(r1.pushed().uploaded(), uploads, "the registry's log counts the same uploads");

        JsonNode remote = json(skopeo("inspect", "--raw", "--tls-verify=false", "--creds", USER + ":" + PASSWORD,
                "docker://" + repo + ":1.0.0"));
        List<String> archs = new ArrayList<>();
        remote.path("manifests").forEach(m -> archs.add(m.path("platform").path("architecture").asText()));
        assertEquals(List.of("amd64", "arm64"), archs);
        JsonNode cfg = json(skopeo("--override-arch", "arm64", "inspect", "--config", "--tls-verify=false", "--creds",
                USER + ":" + PASSWORD, "docker://" + repo + ":" + commit.substring(0, 7)));
        assertEquals("arm64", cfg.path("architecture").asText());

        // The second push reads docker's config.json, as a CI job after 'docker login' would.
        Path dockerConfig = Files.createDirectories(work.resolve("docker-config"));
        Files.writeString(dockerConfig.resolve("config.json"), "{\"auths\":{\"" + address + "\":{\"auth\":\""
                + Base64.getEncoder().encodeToString((USER + ":" + PASSWORD).getBytes(StandardCharsets.UTF_8)) + "\"}}}");
        // The layout written by BeforeAll holds the same index (same commit, same digests).
        var r2 = ImageBuilder.pushLayout(layout, "1.0.0", target, List.of("1.0.0", "again"),
                k -> k.equals("DOCKER_CONFIG") ? dockerConfig.toString() : null, console);
        assertEquals(List.of(repo + ":1.0.0@" + r1.index().digest(), repo + ":again@" + r1.index().digest()), r2.refs());
        assertEquals(0, r2.uploaded(), r2.toString());
        assertEquals(r1.pushed().uploaded() + r1.pushed().existing(), r2.existing());
        assertEquals(uploads, blobUploads(), "no blob was uploaded twice");
        assertFalse((out + "" + err).contains(PASSWORD), "the password is never printed");
        JsonNode recorded = new ObjectMapper().readTree(first.resolve(ArtifactsFile.PATH).toFile());
        assertEquals(repo + ":1.0.0@" + r1.index().digest(), recorded.path("image").path("pushed").path(0).asText());
    }

    @Test
    @Order(5)
    void twoBuildsOfOneCommitGiveTheSameDigests() throws Exception {
        var b = CliRunner.run("build", second.toString(), "--version", "1.0.0");
        assertEquals(0, b.code(), b.toString());
        var i = CliRunner.run("image", second.toString());
        assertEquals(0, i.code(), i.toString());
        JsonNode again = new ObjectMapper().readTree(second.resolve(ArtifactsFile.PATH).toFile());
        assertEquals(artifacts.path("image").path("index").asText(), again.path("image").path("index").asText(), i.toString());
        assertEquals(artifacts.path("image").path("manifests"), again.path("image").path("manifests"));
        assertEquals(Hashing.sha256(archive), Hashing.sha256(second.resolve("dist/myapp_1.0.0_image.tar")),
                "the oci-archive is byte-identical");
    }

    @Test
    @Order(6)
    void aTaggedReleaseBuildsAndPushesTheImageWhenARepositoryIsSet() throws Exception {
        String address = registryAddress != null ? registryAddress : startRegistry();
        Files.writeString(second.resolve("slipway.yaml"), Files.readString(second.resolve("slipway.yaml"))
                + "  repository: " + address + "/acme/released\n");
        try (var git = org.eclipse.jgit.api.Git.open(second.toFile())) {
            git.add().addFilepattern("slipway.yaml").call();
            var who = new org.eclipse.jgit.lib.PersonIdent("Test", "test@slipway.invalid",
                    java.time.Instant.parse("2026-01-02T00:00:00Z"), java.time.ZoneOffset.UTC);
            git.commit().setMessage("feat: push images").setAuthor(who).setCommitter(who).setSign(false).call();
            git.tag().setName("v1.2.0").setAnnotated(false).call();
        }
        StringWriter err = new StringWriter();
        var result = dev.slipway.release.ReleasePipeline.run(ConfigLoader.loadFromDir(second),
                new dev.slipway.release.ReleasePipeline.Options(false, false, false, true),
                new Console(new PrintWriter(new StringWriter()), new PrintWriter(err), false),
                k -> Map.of("SLIPWAY_REGISTRY_USERNAME", USER, "SLIPWAY_REGISTRY_PASSWORD", PASSWORD).get(k));
        assertEquals("1.2.0", result.version());
        String log = err.toString();
        assertTrue(log.indexOf("• image (OCI, from scratch)") < log.indexOf("• push image to " + address + "/acme/released"),
                log);
        JsonNode manifest = new ObjectMapper().readTree(second.resolve(ArtifactsFile.PATH).toFile());
        String index = manifest.path("image").path("index").asText();
        assertTrue(index.startsWith("sha256:"), manifest.toString());
        assertTrue(result.artifacts().stream().noneMatch(a -> a.path().endsWith("_image.tar")),
                "the image is pushed, not uploaded as a release asset");
        JsonNode remote = json(skopeo("inspect", "--tls-verify=false", "--creds", USER + ":" + PASSWORD,
                "docker://" + address + "/acme/released:1.2.0"));
        assertEquals(index, remote.path("Digest").asText());
        assertEquals("1.2.0", remote.path("Labels").path("org.opencontainers.image.version").asText());
        // A new commit reuses the layers that do not depend on it: system, runtime, dependencies.
        JsonNode before = json(skopeo("inspect", "oci-archive:" + archive + ":1.0.0")).path("Layers");
        JsonNode after = remote.path("Layers");
        assertEquals(4, after.size(), remote.toString());
        for (int i = 0; i < 3; i++) {
            assertEquals(before.path(i).asText(), after.path(i).asText(), "layer " + i + " is reused by the new commit");
        }
        assertFalse(before.path(3).asText().equals(after.path(3).asText()), "the app layer changes with the commit");
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** skopeo copy (picking one platform from the index) to a single-image layout, then umoci unpack. */
    private Path unpack(String arch) throws Exception {
        Path oci = work.resolve("oci-" + arch);
        Path bundle = work.resolve("bundle-" + arch);
        skopeo("--override-arch", arch, "copy", "-q", "oci-archive:" + archive + ":1.0.0", "oci:" + oci + ":one");
        Proc u = Example.exec(List.of("umoci", "unpack", "--image", oci + ":one", bundle.toString()), List.of());
        assertEquals(0, u.code(), u.toString());
        return bundle;
    }

    /**
     * The image's argv in a new mount and PID namespace: the rootfs bound read-only, /proc, tmpfs on
     * /tmp and /data, then chroot as 65534:65534 with only the given environment.
     */
    private static ProcessBuilder sandbox(Path rootfs, List<String> argv, Map<String, String> env) throws Exception {
        Files.createDirectories(rootfs.resolve("proc"));
        String r = rootfs.toString();
        StringBuilder cmd = new StringBuilder("set -e; mount --bind " + r + " " + r + "; mount -o remount,bind,ro " + r
                + "; mount -t proc proc " + r + "/proc; mount -t tmpfs tmpfs " + r + "/tmp; mount -t tmpfs -o mode=0777 tmpfs "
                + r + "/data; exec /usr/bin/env -i");
        env.forEach((k, v) -> cmd.append(' ').append(k).append('=').append(v));
        cmd.append(" /usr/sbin/chroot --userspec=65534:65534 ").append(r);
        for (String a : argv) {
            cmd.append(" '").append(a.replace("'", "'\\''")).append('\'');
        }
        ProcessBuilder pb = new ProcessBuilder("unshare", "--mount", "--pid", "--fork", "--kill-child", "sh", "-c",
                cmd.toString());
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb;
    }

    private String startRegistry() throws Exception {
        Proc h = Example.exec(List.of("htpasswd", "-Bbn", USER, PASSWORD), List.of());
        assertEquals(0, h.code(), h.toString());
        registry = LocalRegistry.start(work.resolve("registry"), "127.0.3.1", h.out());
        registryLog = registry.log();
        registryAddress = registry.address();
        return registryAddress;
    }

    /** Completed blob uploads in the registry's access log (the final PUT of each upload). */
    private int blobUploads() throws Exception {
        return (int) Files.readAllLines(registryLog).stream()
                .filter(l -> l.contains("\"PUT /v2/acme/myapp/blobs/uploads/")).count();
    }

    private static String skopeo(String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("skopeo"));
        cmd.addAll(List.of(args));
        Proc p = Example.exec(cmd, List.of());
        assertEquals(0, p.code(), String.join(" ", cmd) + "\n" + p);
        return p.out();
    }

    private static JsonNode json(String text) throws Exception {
        JsonNode n = new ObjectMapper().readTree(text);
        assertNotNull(n);
        return n;
    }
}
