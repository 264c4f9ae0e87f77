package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Testbed;
import dev.slipway.Tools;
import dev.slipway.cli.Example.Proc;
import dev.slipway.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16: Slipway releases itself with {@code slipway release}, from two clean clones of this
 * repository's HEAD (tagged {@code v0.1.0} there): single files and archives for linux-amd64 and
 * linux-arm64, checksums, SBOMs and changelog, byte-identical between the two; {@code install.sh}
 * installs the release into a prefix, and the installed {@code slipway} runs with no JDK on PATH
 * and no JAVA_HOME, and says in one line (exit 2) that building needs one.
 *
 * <p>The clones hold what is committed: uncommitted changes of a working copy are not released,
 * as in CI's clean clone. Needs git, the arm64 testbed ({@code testbed/arm64.sh}) and shellcheck.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class SelfReleaseTest {
    private static final Path REPO = Path.of(System.getProperty("slipway.repo", "..")).toAbsolutePath().normalize();
    private static final Path ARM64_JDK = Path.of(System.getenv().getOrDefault("SLIPWAY_ARM64_ROOT",
            "/var/cache/slipway-testbed/arm64")).resolve("jdk");
    private static final String VERSION = "0.1.0";

    Path work;
    Path first;
    Path second;
    String commit;

    @BeforeAll
    void twoClonesOfHead(@TempDir Path tmp) throws Exception {
        Tools.require("git");
        work = tmp;
        first = tmp.resolve("a/slipway");
        second = tmp.resolve("b/slipway");
        for (Path clone : List.of(first, second)) {
            Files.createDirectories(clone.getParent());
            git(tmp, "clone", "-q", REPO.toString(), clone.toString());
            git(clone, "tag", "v" + VERSION);
        }
        commit = git(first, "rev-parse", "HEAD").strip();
    }

    private static String git(Path dir, String... args) throws Exception {
        List<String> cmd = new ArrayList<>(List.of("git", "-C", dir.toString()));
        cmd.addAll(List.of(args));
        Proc p = Example.exec(cmd, List.of());
        assertEquals(0, p.code(), cmd + "\n" + p);
        return p.out();
    }

    private Path dist(Path clone) {
        return clone.resolve("dist");
    }

    private String singleFile(String arch) {
        return "slipway_" + VERSION + "_linux_" + arch + "/slipway";
    }

    @Test
    @Order(1)
    void releasesItselfForLinuxAmd64AndArm64() throws Exception {
        Tools.requireThat(Files.isDirectory(ARM64_JDK.resolve("jmods")), "the arm64 testbed (testbed/arm64.sh)");
        var r = CliRunner.run("release", first.toString(), "--skip-publish");
        assertEquals(0, r.code(), r.toString());
        Path dist = dist(first);
        for (String arch : List.of("amd64", "arm64")) {
            assertTrue(Files.isExecutable(dist.resolve(singleFile(arch))), arch + ": " + r);
            assertTrue(Files.isRegularFile(dist.resolve("slipway_" + VERSION + "_linux_" + arch + ".tar.gz")), r.toString());
            assertTrue(Files.isRegularFile(dist.resolve("slipway_" + VERSION + "_linux_" + arch + ".cdx.json")), r.toString());
        }
        assertTrue(Files.isRegularFile(dist.resolve("CHANGELOG.md")));
        assertTrue(Files.readString(dist.resolve("CHANGELOG.md")).startsWith("# slipway " + VERSION));
        String sums = Files.readString(dist.resolve("checksums.txt"));
        assertEquals(6, sums.lines().count(), sums);
        Proc check = Example.exec(List.of("sh", "-c", "cd \"$0\" && sha256sum -c --strict checksums.txt", dist.toString()),
                List.of());
        assertEquals(0, check.code(), check.toString());
        // The single file says what it is: the release's version, the commit and its time.
        Proc v = Example.exec(List.of(dist.resolve(singleFile("amd64")).toString(), "version"),
                List.of("SLIPWAY_CACHE_DIR=" + work.resolve("run-cache")));
        assertEquals(0, v.code(), v.toString());
        String time = git(first, "show", "-s", "--format=%cI", "HEAD").strip();
        assertTrue(v.out().startsWith("slipway " + VERSION + "\ncommit  " + commit + "\nbuilt   "), v.toString());
        assertTrue(v.out().contains("built   " + java.time.OffsetDateTime.parse(time).toInstant()), v + " vs " + time);
        // The archive carries install.sh, the licence and the README beside the layout.
        Proc list = Example.exec(List.of("tar", "-tzf", dist.resolve("slipway_" + VERSION + "_linux_amd64.tar.gz").toString()),
                List.of());
        for (String entry : List.of("install.sh", "LICENSE", "README.md", "bin/slipway", "runtime/bin/java",
                "app/app.classlist", "app/app.jsa.args")) {
            assertTrue(list.out().contains("slipway_" + VERSION + "_linux_amd64/" + entry + "\n"), entry + " in\n" + list.out());
        }
    }

    @Test
    @Order(2)
    void aSecondReleaseFromAnotherCloneIsByteIdentical() throws Exception {
        Tools.requireThat(Files.isDirectory(dist(first)), "the first release (test 1)");
        var r = CliRunner.run("release", second.toString(), "--skip-publish");
        assertEquals(0, r.code(), r.toString());
        Map<String, String> a = digests(dist(first));
        Map<String, String> b = digests(dist(second));
        assertEquals(a, b, "two releases of one commit in two clones");
        assertEquals(9, a.size(), a.toString()); // 2 single files, 2 archives, 2 SBOMs, checksums, changelog, manifest
    }

    @Test
    @Order(3)
    void installShInstallsTheReleaseAndItRunsWithNoJdk() throws Exception {
        Tools.requireThat(Files.isDirectory(dist(first)), "the first release (test 1)");
        Tools.require("shellcheck");
        Proc lint = Example.exec(List.of("shellcheck", "-s", "sh", REPO.resolve("install.sh").toString()), List.of());
        assertEquals(0, lint.code(), lint.toString());

        Path path = Tools.pathWithout(work.resolve("path"),
                n -> n.matches("java|javac|jlink|jdeps|jar|jshell|mvn|mvnDebug|gcc.*|cc"));
        assertFalse(Files.exists(path.resolve("java")));
        Path prefix = work.resolve("prefix");
        Path home = Files.createDirectories(work.resolve("home"));
        List<String> env = List.of("PATH=" + path, "HOME=" + home);

        Proc install = clean(List.of("sh", REPO.resolve("install.sh").toString(), "--from", dist(first).toString(),
                "--version", VERSION, "--prefix", prefix.toString()), env);
        assertEquals(0, install.code(), install.toString());
        assertTrue(install.err().contains("installed " + prefix.resolve("bin/slipway") + " (" + VERSION + ")"), install.toString());
        assertTrue(Files.isRegularFile(prefix.resolve("lib/slipway/" + VERSION + "/app/app.jsa")),
                "install.sh made the trained startup's class-data archive\n" + install);

        Path slipway = prefix.resolve("bin/slipway");
        Proc v = clean(List.of(slipway.toString(), "version"), env);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().startsWith("slipway " + VERSION + "\ncommit  " + commit + "\n"), v.toString());
        assertTrue(v.out().contains("java    17") && v.out().contains("(" + prefix.resolve("lib/slipway/" + VERSION + "/runtime")),
                "runs on its own runtime:\n" + v);
        Proc help = clean(List.of(slipway.toString(), "--help"), env);
        assertEquals(0, help.code(), help.toString());
        assertTrue(help.out().startsWith("Usage: slipway "), help.toString());
        Path myapp = first.resolve("examples/myapp");
        Proc check = clean(List.of(slipway.toString(), "check", myapp.toString()), env);
        assertEquals(0, check.code(), check.toString());
        assertEquals(myapp.resolve("slipway.yaml") + ": ok (service myapp)\n", check.out());
        // The trained startup covers check and status of a service as users write one (issue 16): a
        // class loaded from a jar instead of the archive makes the loader open every jar before its own.
        List<String> logged = new java.util.ArrayList<>(env);
        logged.add("JAVA_OPTS=-Xlog:class+load=info");
        for (String command : List.of("check", "status")) {
            Proc traced = clean(List.of(slipway.toString(), command, myapp.toString()), logged);
            List<String> fromJars = traced.out().lines().filter(l -> l.contains("[class,load]") && l.contains(" source: file:"))
                    .toList();
            assertTrue(traced.out().contains("[class,load] dev.slipway.cli.SlipwayCli source: shared objects file"), traced.toString());
            assertEquals(List.of(), fromJars, command + " loads classes from jars, not from the trained archive");
        }

        // Building needs a JDK: none on PATH, no JAVA_HOME, no build.jdk: one line, exit 2, nothing built.
        Proc build = clean(List.of(slipway.toString(), "build", myapp.toString()), env);
        assertEquals(2, build.code(), build.toString());
        assertEquals("slipway: no JDK to build with: build, release and image need a JDK 17+ with jlink; set build.jdk"
                + " in slipway.yaml or JAVA_HOME, or put its java on PATH (Debian: apt-get install openjdk-17-jdk-headless)\n",
                build.err());
        assertFalse(Files.exists(myapp.resolve("dist")));
        // With JAVA_HOME, the same single file builds (not run here: the build tests cover building).

        // A pinned version the release does not hold, and a damaged archive: refused, nothing installed.
        Proc other = clean(List.of("sh", REPO.resolve("install.sh").toString(), "--from", dist(first).toString(),
                "--version", "9.9.9", "--prefix", work.resolve("prefix2").toString()), env);
        assertEquals(2, other.code(), other.toString());
        assertTrue(other.err().contains("holds " + VERSION + " and not 9.9.9"), other.toString());
        Path damaged = Files.createDirectories(work.resolve("damaged"));
        Files.copy(dist(first).resolve("checksums.txt"), damaged.resolve("checksums.txt"));
        String archive = "slipway_" + VERSION + "_linux_amd64.tar.gz";
        byte[] bytes = Files.readAllBytes(dist(first).resolve(archive));
        bytes[bytes.length / 2] ^= 1;
        Files.write(damaged.resolve(archive), bytes);
        Proc bad = clean(List.of("sh", REPO.resolve("install.sh").toString(), "--from", damaged.toString(),
                "--prefix", work.resolve("prefix3").toString()), env);
        assertEquals(1, bad.code(), bad.toString());
        assertTrue(bad.err().contains(archive + " has sha256 ") && bad.err().contains("not installed"), bad.toString());
        assertFalse(Files.exists(work.resolve("prefix3/bin/slipway")));
    }

    @Test
    @Order(4)
    void theArm64SingleFileRunsUnderQemuInAnArm64RootWithNoJdk() throws Exception {
        Tools.requireThat(Files.isDirectory(dist(first)), "the first release (test 1)");
        Tools.requireThat(Tools.root(), "the qemu chroot test needs root");
        Tools.requireThat(Files.exists(Path.of("/proc/sys/fs/binfmt_misc/qemu-aarch64")),
                "qemu-aarch64 registered with binfmt_misc (testbed/arm64.sh)");
        Path root = Example.arm64Root(ARM64_JDK.resolveSibling("sysroot"), work.resolve("arm64-root"));
        Files.copy(dist(first).resolve(singleFile("arm64")), root.resolve("slipway"),
                java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
        assertFalse(Files.exists(root.resolve("usr/lib/jvm")), "no JDK in the arm64 root");
        Proc r = Example.inRoot(root, "/slipway version");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("slipway " + VERSION + "\ncommit  " + commit + "\n"), r.toString());
        assertTrue(r.out().contains("java    17") && r.out().contains("/run/slipway-"), "its own runtime:\n" + r);
    }

    /**
     * The installed copy in a root with no JDK (nothing but {@code /bin/sh} and the libraries the
     * runtime loads, as the no-JDK test of myapp makes it): {@code install.sh} installs the release
     * into a prefix, which is copied into the root at the same path (the class-data archive
     * install.sh made records its class path); inside it {@code slipway --help}, {@code slipway
     * check} on examples/myapp and {@code slipway deploy --to hosts --dry-run} against a test host
     * (this run's {@link dev.slipway.TestbedSlot}) over SSH, with myapp built outside the root.
     */
    @Test
    @Order(5)
    void theInstalledCopyChecksAndPlansADeployToTestHostsInARootWithNoJdk() throws Exception {
        Tools.requireThat(Files.isDirectory(dist(first)), "the first release (test 1)");
        Tools.requireThat(Tools.root(), "the chroot test needs root");
        Tools.require("unshare");
        Tools.require("ldd");
        Path prefix = work.resolve("prefix-root");
        Path home = Files.createDirectories(work.resolve("home-root"));
        List<String> env = List.of("PATH=/usr/bin:/bin", "HOME=" + home);
        Proc install = clean(List.of("sh", REPO.resolve("install.sh").toString(), "--from", dist(first).toString(),
                "--version", VERSION, "--prefix", prefix.toString()), env);
        assertEquals(0, install.code(), install.toString());
        assertTrue(Files.isRegularFile(prefix.resolve("lib/slipway/" + VERSION + "/app/app.jsa")), install.toString());

        // myapp, built with the JDK outside the root: the dry run plans the upload of its single file.
        try (Testbed hosts = Testbed.up(1, "sr", "127.0.1.51")) {
            Path myapp = work.resolve("myapp-root");
            Example.copy(myapp);
            Testbed.Node web = hosts.node(1);
            String yaml = Files.readString(myapp.resolve("slipway.yaml"));
            assertTrue(yaml.contains("\ndeploy:\n"), yaml);
            Files.writeString(myapp.resolve("slipway.yaml"), yaml.replace("\ndeploy:\n", """

                    deploy:
                      hosts:
                        identityFile: %s
                        knownHosts: %s
                        servers:
                          - {name: web1, address: %s}
                    """.formatted(Testbed.clientKey(), hosts.knownHosts(), web.address())));
            Example.commit(myapp);
            var built = CliRunner.run("build", myapp.toString(), "--version", "1.0.0");
            assertEquals(0, built.code(), built.toString());

            Path root = work.resolve("root");
            Set<String> libs = Example.bareRoot(root, prefix.resolve("lib"));
            for (Path p : List.of(prefix, myapp, home)) {
                Example.copyTree(p, inside(root, p), Set.of(".git"));
            }
            for (Path p : List.of(Testbed.clientKey(), hosts.knownHosts())) {
                Files.createDirectories(inside(root, p).getParent());
                Files.copy(p, inside(root, p), java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
            }
            try (var walk = Files.walk(root)) {
                List<String> names = walk.map(p -> p.getFileName().toString()).toList();
                assertFalse(names.contains("javac") || names.contains("jlink") || names.contains("mvn")
                        || names.contains("tar") || names.contains("mkdir"), "no JDK and no coreutils in the root: " + names);
            }
            assertFalse(Files.exists(root.resolve("usr/lib/jvm")), "no JDK in the root");

            String slipway = prefix.resolve("bin/slipway").toString();
            Proc help = inRoot(root, home, slipway + " --help");
            assertEquals(0, help.code(), "libraries copied: " + libs + "\n" + help);
            assertTrue(help.out().startsWith("Usage: slipway "), help.toString());
            Proc check = inRoot(root, home, slipway + " check " + myapp);
            assertEquals(0, check.code(), check.toString());
            assertEquals(myapp.resolve("slipway.yaml") + ": ok (service myapp)\n", check.out());
            Proc dry = inRoot(root, home, slipway + " deploy " + myapp + " --to hosts --dry-run");
            assertEquals(0, dry.code(), dry.toString());
            assertTrue(dry.out().contains("deploy myapp 1.0.0 to 1 host"), dry.toString());
            assertTrue(dry.out().contains("web1: upload myapp (linux-amd64, "), dry.toString());
            assertTrue(dry.out().contains("dry run: nothing was changed"), dry.toString());
        }
    }

    /** @return where the host path {@code p} is inside {@code root} (the same absolute path in the chroot) */
    private static Path inside(Path root, Path p) {
        return root.resolve(p.toAbsolutePath().toString().substring(1));
    }

    /**
     * Runs a shell command line chrooted into {@code root} in a mount namespace, with {@code /proc}
     * and the random and null devices (the SSH client's key exchange reads {@code /dev/urandom})
     * mounted, and only PATH and HOME set (needs root).
     */
    private static Proc inRoot(Path root, Path home, String command) throws Exception {
        Files.createDirectories(root.resolve("dev"));
        for (String d : List.of("null", "zero", "random", "urandom")) {
            if (!Files.exists(root.resolve("dev/" + d))) {
                Files.createFile(root.resolve("dev/" + d));
            }
        }
        return clean(List.of("unshare", "--mount", "--fork", "/bin/sh", "-c",
                "mount -t proc proc \"$0/proc\" && for d in null zero random urandom; do mount --bind /dev/$d \"$0/dev/$d\" || exit 1;"
                        + " done && exec chroot \"$0\" /bin/sh -c \"$1\"", root.toString(), command),
                List.of("PATH=/usr/sbin:/usr/bin:/sbin:/bin", "HOME=" + home));
    }

    /** Runs a command with only the given environment (no JAVA_HOME, no JDK on the PATH given). */
    private static Proc clean(List<String> cmd, List<String> env) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.environment().clear();
        for (String e : env) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p = pb.start();
        var out = new java.util.concurrent.CompletableFuture<String>();
        var err = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> out.complete(Example.read(p.getInputStream()))).start();
        new Thread(() -> err.complete(Example.read(p.getErrorStream()))).start();
        if (!p.waitFor(5, TimeUnit.MINUTES)) {
            p.destroyForcibly();
            throw new AssertionError(cmd + " ran over 5 min");
        }
        return new Proc(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static Map<String, String> digests(Path dir) throws Exception {
        Map<String, String> out = new TreeMap<>();
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                out.put(dir.relativize(p).toString(), Hashing.sha256(p));
            }
        }
        return out;
    }
}
