package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.cli.Example.Proc;
import dev.slipway.util.Hashing;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.zip.GZIPInputStream;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveInputStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Go's cross-compilation, the Java way: linux-amd64 and linux-arm64 from one build, the arm64
 * single file run under qemu-user in an arm64 root, byte-identical rebuilds, the runtime cache.
 * Needs the arm64 testbed ({@code testbed/arm64.sh}, run by {@code .ci/run}).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class CrossPlatformBuildTest {
    private static final Path TESTBED = Path.of(System.getenv().getOrDefault("SLIPWAY_ARM64_ROOT",
            "/var/cache/slipway-testbed/arm64"));

    Path work;
    Path first;
    Path second;
    String commit;

    @BeforeAll
    void twoCopiesOfOneCommit(@TempDir Path tmp) throws Exception {
        work = tmp;
        first = work.resolve("a/myapp");
        Example.copy(first);
        Files.writeString(first.resolve("slipway.yaml"), """
                name: myapp
                platforms: [linux-amd64, linux-arm64, windows-amd64]
                ignore:
                  - os: windows
                build:
                  defaultsResource: myapp-defaults.properties
                  targetJdks:
                    linux-arm64: %s
                profiles:
                  dev: {default: true, defaults: {log.format: human}}
                  production: {defaults: {log.format: json, debug.endpoints: "false"}}
                  arm-natives: {always: true, platforms: [linux-arm64], classpath: [extra/natives-arm64.jar]}
                """.formatted(TESTBED.resolve("jdk")));
        Files.createDirectories(first.resolve("extra"));
        try (var jar = new java.util.jar.JarOutputStream(Files.newOutputStream(first.resolve("extra/natives-arm64.jar")))) {
            jar.putNextEntry(new java.util.zip.ZipEntry("natives/arm64.txt"));
            jar.write("arm64".getBytes(StandardCharsets.UTF_8));
        }
        Files.setLastModifiedTime(first.resolve("extra/natives-arm64.jar"), java.nio.file.attribute.FileTime.fromMillis(0));
        commit = Example.commit(first);
        second = work.resolve("b/myapp");
        Example.copyTree(first, second, java.util.Set.of());
    }

    @Test
    @Order(1)
    void buildsBothPlatformsAndTheSecondBuildHitsTheRuntimeCache() throws Exception {
        Tools.requireThat(Files.isDirectory(TESTBED.resolve("jdk/jmods")), "the arm64 testbed (testbed/arm64.sh)");
        var a = CliRunner.run("build", first.toString(), "--version", "1.0.0");
        assertEquals(0, a.code(), a.toString());
        assertTrue(a.out().contains("linux-amd64  single file dist/myapp_1.0.0_linux_amd64/myapp"), a.toString());
        assertTrue(a.out().contains("linux-arm64  single file dist/myapp_1.0.0_linux_arm64/myapp"), a.toString());
        assertFalse(a.out().contains("windows"), "ignored by the ignore rule:\n" + a);
        var b = CliRunner.run("build", second.toString(), "--version", "1.0.0");
        assertEquals(0, b.code(), b.toString());
        assertTrue(b.err().contains("linux-amd64 runtime from the runtime cache"), b.toString());
        assertTrue(b.err().contains("linux-arm64 runtime from the runtime cache"), b.toString());
    }

    @Test
    @Order(2)
    void rebuildsOfOneCommitAreByteIdentical() throws Exception {
        Map<String, String> a = digests(first.resolve("dist"));
        Map<String, String> b = digests(second.resolve("dist"));
        assertEquals(4, a.size(), a.toString());
        assertEquals(a, b, "two builds of one commit in two folders");
        for (Path dir : List.of(first, second)) {
            for (String archive : List.of("myapp_1.0.0_linux_amd64.tar.gz", "myapp_1.0.0_linux_arm64.tar.gz")) {
                byte[] tar = gunzip(dir.resolve("dist").resolve(archive));
                for (String local : List.of(work.toString(), System.getProperty("user.home") + "/.cache", "/var/cache/slipway-testbed")) {
                    assertFalse(com.google.common.primitives.Bytes.indexOf(tar, local.getBytes(StandardCharsets.UTF_8)) >= 0, archive + " contains the local path " + local);
                }
            }
        }
    }

    @Test
    @Order(3)
    void withoutTheCacheOnlyTheHostCdsArchiveDiffers() throws Exception {
        var c = CliRunner.run("build", second.toString(), "--version", "1.0.0", "--no-cache", "--no-compile");
        assertEquals(0, c.code(), c.toString());
        assertTrue(c.err().contains("linux-arm64 runtime linked"), c.toString());
        Map<String, String> arm = digests(first.resolve("dist"));
        Map<String, String> armAgain = digests(second.resolve("dist"));
        assertEquals(arm.get("myapp_1.0.0_linux_arm64.tar.gz"), armAgain.get("myapp_1.0.0_linux_arm64.tar.gz"),
                "a fresh arm64 link is byte-identical");
        assertEquals(arm.get("myapp_1.0.0_linux_arm64/myapp"), armAgain.get("myapp_1.0.0_linux_arm64/myapp"));
        Map<String, String> x = entryDigests(first.resolve("dist/myapp_1.0.0_linux_amd64.tar.gz"));
        Map<String, String> y = entryDigests(second.resolve("dist/myapp_1.0.0_linux_amd64.tar.gz"));
        assertEquals(x.keySet(), y.keySet());
        List<String> differing = x.keySet().stream().filter(k -> !x.get(k).equals(y.get(k))).toList();
        // The JDK 17 AppCDS archive made at build time is dumped from the class list onto the
        // default archive, so it differs with them.
        List<String> mayDiffer = List.of("myapp_1.0.0_linux_amd64/app/app.classlist",
                "myapp_1.0.0_linux_amd64/app/app.built.jsa",
                "myapp_1.0.0_linux_amd64/runtime/lib/server/classes.jsa");
        assertTrue(mayDiffer.containsAll(differing),
                "only the JDK's default CDS archive, the trained class list and the AppCDS archive dumped from them may differ"
                + " (documented): " + differing);
    }

    @Test
    @Order(4)
    void theArm64SingleFileRunsUnderQemuInAnArm64Root() throws Exception {
        Tools.requireThat(Tools.root(), "the qemu chroot test needs root");
        Tools.requireThat(Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-aarch64")),
                "qemu-aarch64 registered with binfmt_misc (testbed/arm64.sh)");
        Path root = Example.arm64Root(TESTBED.resolve("sysroot"), work.resolve("arm64-root"));
        Files.copy(first.resolve("dist/myapp_1.0.0_linux_arm64/myapp"), root.resolve("myapp"), StandardCopyOption.COPY_ATTRIBUTES);
        assertFalse(Files.exists(root.resolve("usr/lib/jvm")), "no JDK in the arm64 root");
        Proc r = Example.inRoot(root, "/myapp version");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("Git Commit: " + commit), r.toString());
        assertTrue(r.out().contains("Version:    1.0.0"), r.toString());
    }

    @Test
    @Order(5)
    void aForeignPlatformNeedsItsOwnJdk() throws Exception {
        Path dir = work.resolve("c/myapp");
        Example.copyTree(first, dir, java.util.Set.of("dist"));
        Files.writeString(dir.resolve("slipway.yaml"), "name: myapp\nplatforms: [linux-arm64]\n");
        var none = CliRunner.run("build", dir.toString(), "--no-compile");
        assertEquals(2, none.code(), none.toString());
        assertTrue(none.err().contains("slipway: no JDK for linux-arm64: set build.targetJdks.linux-arm64 in slipway.yaml to a"
                + " linux-arm64 JDK 17 with jmods/ (Debian: apt-get download openjdk-17-jdk-headless:arm64, then dpkg-deb -x)."
                + " Slipway never links the host's JDK for another platform"), none.toString());

        String hostJdk = Path.of(System.getProperty("java.home")).toString();
        Files.writeString(dir.resolve("slipway.yaml"), "name: myapp\nplatforms: [linux-arm64]\nbuild:\n  targetJdks: {linux-arm64: "
                + hostJdk + "}\n");
        var wrongArch = CliRunner.run("build", dir.toString(), "--no-compile");
        assertEquals(2, wrongArch.code(), wrongArch.toString());
        assertTrue(wrongArch.err().contains("is for amd64, not linux-arm64") || wrongArch.err().contains("is for x86_64, not linux-arm64"),
                wrongArch.toString());

        Path jdk25 = Path.of("/usr/lib/jvm/temurin-25-jdk-amd64");
        Files.createDirectories(work.resolve("fake25/jmods"));
        Files.copy(jdk25.resolve("release"), work.resolve("fake25/release"));
        Files.writeString(dir.resolve("slipway.yaml"), "name: myapp\nplatforms: [linux-arm64]\nbuild:\n  targetJdks: {linux-arm64: "
                + work.resolve("fake25") + "}\n");
        var mismatch = CliRunner.run("build", dir.toString(), "--no-compile");
        assertEquals(2, mismatch.code(), mismatch.toString());
        assertTrue(mismatch.err().contains("is JDK 25 but jlink is JDK 17"), mismatch.toString());

        Files.writeString(dir.resolve("slipway.yaml"), "name: myapp\nplatforms: [linux-amd64, linux-sparc]\n");
        var unknown = CliRunner.run("check", dir.toString());
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("slipway.yaml:2:26: unknown platform 'linux-sparc'; known: linux-amd64, linux-arm64,"),
                unknown.toString());
        assertFalse(Files.exists(dir.resolve("dist")), "nothing changed");
    }

    @Test
    @Order(6)
    void profilesAddDefaultsAndPerPlatformJars() throws Exception {
        Map<String, String> amd = entryDigests(first.resolve("dist/myapp_1.0.0_linux_amd64.tar.gz"));
        Map<String, String> arm = entryDigests(first.resolve("dist/myapp_1.0.0_linux_arm64.tar.gz"));
        assertTrue(arm.containsKey("myapp_1.0.0_linux_arm64/app/lib/natives-arm64.jar"), arm.keySet().toString());
        assertFalse(amd.containsKey("myapp_1.0.0_linux_amd64/app/lib/natives-arm64.jar"), "only for linux-arm64");
        assertEquals("log.format=human", defaultsIn(first.resolve("dist/myapp_1.0.0_linux_amd64.tar.gz"), "myapp_1.0.0_linux_amd64"));

        var prod = CliRunner.run("build", first.toString(), "--version", "1.0.1", "--no-compile", "--profile", "production");
        assertEquals(0, prod.code(), prod.toString());
        assertTrue(prod.err().contains("linux-amd64 profiles: production"), prod.toString());
        assertTrue(prod.err().contains("linux-arm64 profiles: production, arm-natives"), prod.toString());
        assertEquals("debug.endpoints=false\nlog.format=json",
                defaultsIn(first.resolve("dist/myapp_1.0.1_linux_amd64.tar.gz"), "myapp_1.0.1_linux_amd64"));
        String stub = new String(Files.readAllBytes(first.resolve("dist/myapp_1.0.1_linux_arm64/myapp")), 0, 16384,
                StandardCharsets.ISO_8859_1);
        String cp = stub.substring(stub.indexOf("-cp \"") + 5, stub.indexOf('"', stub.indexOf("-cp \"") + 5));
        assertTrue(cp.startsWith("$slipway_home/app/profile.jar:$slipway_home/app/myapp-0.1.0.jar:"), cp);
        assertTrue(cp.endsWith(":$slipway_home/app/lib/natives-arm64.jar:$slipway_home/app/build-info.jar"),
                "profile jars come last but for build-info.jar, which training leaves out: " + cp);

        var unknown = CliRunner.run("build", first.toString(), "--no-compile", "--profile", "prod");
        assertEquals(2, unknown.code(), unknown.toString());
        assertTrue(unknown.err().contains("slipway: unknown profile 'prod'; profiles in slipway.yaml: dev, production, arm-natives"),
                unknown.toString());
    }

    /** The properties lines of myapp-defaults.properties inside app/profile.jar of an archive. */
    private static String defaultsIn(Path tarGz, String top) throws Exception {
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(tarGz)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                if (e.getName().equals(top + "/app/profile.jar")) {
                    try (var jar = new java.util.jar.JarInputStream(new java.io.ByteArrayInputStream(tar.readAllBytes()))) {
                        for (var je = jar.getNextJarEntry(); je != null; je = jar.getNextJarEntry()) {
                            if (je.getName().equals("myapp-defaults.properties")) {
                                return new String(jar.readAllBytes(), StandardCharsets.ISO_8859_1).lines()
                                        .filter(l -> !l.startsWith("#")).collect(java.util.stream.Collectors.joining("\n"));
                            }
                        }
                    }
                }
            }
        }
        return "(none)";
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private static Map<String, String> digests(Path dist) throws IOException {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(dist)) {
            for (Path p : s.filter(Files::isRegularFile).filter(p -> !p.getFileName().toString().equals("artifacts.json")).toList()) {
                out.put(dist.relativize(p).toString(), Hashing.sha256(p));
            }
        }
        return out;
    }

    private static Map<String, String> entryDigests(Path tarGz) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var tar = new TarArchiveInputStream(new GZIPInputStream(Files.newInputStream(tarGz)))) {
            TarArchiveEntry e;
            while ((e = tar.getNextEntry()) != null) {
                var sha = java.security.MessageDigest.getInstance("SHA-256");
                sha.update(tar.readAllBytes());
                out.put(e.getName(), java.util.HexFormat.of().formatHex(sha.digest()) + " " + e.getMode() + " " + e.getModTime().getTime());
            }
        }
        return out;
    }

    private static byte[] gunzip(Path file) throws IOException {
        try (InputStream in = new GZIPInputStream(Files.newInputStream(file))) {
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            in.transferTo(out);
            return out.toByteArray();
        }
    }
}
