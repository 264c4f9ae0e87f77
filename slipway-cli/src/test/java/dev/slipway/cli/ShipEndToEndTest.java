package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.build.Builder;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.io.TempDir;

/**
 * The walking skeleton end to end on examples/myapp: build, run with no JDK, concurrent first runs,
 * ship, ship again, rollback, automatic rollback of a release that fails readiness, port in use.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ShipEndToEndTest {
    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Path work;

    Path service;
    int port;
    String commit;
    Path singleFile;

    @BeforeAll
    void copyExampleIntoAFreshRepository(@TempDir Path tmp) throws Exception {
        work = tmp;
        Path example = Path.of(System.getProperty("slipway.repo", "..")).resolve("examples/myapp").toAbsolutePath().normalize();
        service = work.resolve("myapp");
        copyTree(example, service, Set.of("target", "dist", ".slipway", "data"));
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        writeConfig("{}", "20s");
        try (Git git = Git.init().setDirectory(service.toFile()).setInitialBranch("main").call()) {
            git.add().addFilepattern(".").call();
            PersonIdent who = new PersonIdent("Test", "test@slipway.invalid", java.time.Instant.parse("2026-01-01T00:00:00Z"),
                    java.time.ZoneOffset.UTC);
            RevCommit c = git.commit().setMessage("myapp for tests").setAuthor(who).setCommitter(who).setSign(false).call();
            commit = c.getName();
        }
    }

    /** slipway.yaml for the test: its own port, short gates, and {@code env} (YAML flow mapping). */
    private void writeConfig(String env, String readinessTimeout) throws IOException {
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                build:
                  jvmOptions: ["-XX:+ExitOnOutOfMemoryError"]
                service:
                  port: %d
                  drainTimeout: 5s
                  env: %s
                  readiness:
                    path: /health/ready
                    interval: 200ms
                    timeout: %s
                """.formatted(port, env, readinessTimeout));
    }

    @AfterAll
    void stopTheService() {
        if (service != null) {
            CliRunner.run("stop", service.toString());
        }
    }

    @Test
    @Order(1)
    void buildWritesASingleFileThatReportsTheCommit() throws Exception {
        var r = CliRunner.run("build", service.toString(), "--version", "1.0.0");
        assertEquals(0, r.code(), r.toString());
        singleFile = service.resolve("dist/myapp_1.0.0_linux_amd64/myapp");
        assertTrue(Files.isExecutable(singleFile), r.toString());
        assertTrue(Files.isRegularFile(service.resolve("dist/myapp_1.0.0_linux_amd64.tar.gz")));
        assertTrue(r.out().contains("single file  dist/myapp_1.0.0_linux_amd64/myapp"), r.toString());
        String json = Files.readString(service.resolve(Builder.ARTIFACTS));
        assertTrue(json.contains("\"commit\" : \"" + commit + "\""), json);
        assertTrue(json.contains("\"sha256\" : \"" + Builder.sha256(singleFile) + "\""), json);

        Proc v = exec(List.of(singleFile.toString(), "version"), List.of("SLIPWAY_CACHE_DIR=" + work.resolve("cache1")));
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("Version:    1.0.0\n"), v.toString());
        assertTrue(v.out().contains("Git Commit: " + commit + "\n"), v.toString());
        assertTrue(v.out().contains("Build Time: 2026-01-01T00:00:00Z\n"), v.toString());
        assertEquals("", v.err(), "the first run is silent");
    }

    @Test
    @Order(2)
    void twoFirstRunsAtOnceUnpackOnceAndBothSucceed() throws Exception {
        Path cache = work.resolve("cache-concurrent");
        List<String> env = List.of("SLIPWAY_CACHE_DIR=" + cache, "SLIPWAY_VERBOSE=1");
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            procs.add(start(List.of(singleFile.toString(), "version"), env));
        }
        int unpacked = 0;
        for (Process p : procs) {
            Proc r = finish(p);
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("Git Commit: " + commit), r.toString());
            unpacked += count(r.err(), "slipway: unpacked into ");
        }
        assertEquals(1, unpacked, "exactly one of the two runs unpacks");
        try (var s = Files.list(cache.resolve("run"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), names.toString());
            assertTrue(names.get(0).matches("myapp-[0-9a-f]{16}") && names.get(1).equals(names.get(0) + ".lock"), names.toString());
        }
        Proc warm = exec(List.of(singleFile.toString(), "version"), env);
        assertEquals(0, count(warm.err(), "unpacked"), "a warm run does not unpack again");
    }

    @Test
    @Order(3)
    void runsInAnEmptyRootWithNoJdk() throws Exception {
        Tools.requireThat(Tools.root(), "the chroot test needs root");
        Tools.require("unshare");
        Tools.require("ldd");
        // Unpack on the host once to learn which shared libraries the runtime needs (its ELF closure).
        Path cache = work.resolve("cache-ldd");
        assertEquals(0, exec(List.of(singleFile.toString(), "version"), List.of("SLIPWAY_CACHE_DIR=" + cache)).code());
        List<Path> elves = new ArrayList<>();
        try (var s = Files.walk(cache.resolve("run"))) {
            s.filter(Files::isRegularFile).filter(p -> p.toString().endsWith(".so") || p.endsWith("bin/java")).forEach(elves::add);
        }
        Path sh = Path.of("/bin/sh").toRealPath();
        elves.add(sh);
        Set<String> libs = new TreeSet<>();
        Pattern lib = Pattern.compile("(/\\S+\\.so[.\\d]*)");
        for (Path elf : elves) {
            Proc l = exec(List.of("ldd", elf.toString()), List.of());
            for (String line : l.out().lines().toList()) {
                if (line.contains("=> not found") || line.contains(cache.toString())) {
                    continue;
                }
                Matcher m = lib.matcher(line);
                if (m.find()) {
                    libs.add(m.group(1));
                }
            }
        }
        Path root = work.resolve("root");
        Files.createDirectories(root.resolve("bin"));
        Files.createDirectories(root.resolve("proc"));
        Files.createDirectories(root.resolve("tmp"));
        Files.setPosixFilePermissions(root.resolve("tmp"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxrwxrwx"));
        Files.copy(sh, root.resolve("bin/sh"));
        for (String l : libs) {
            Path dest = root.resolve(l.substring(1));
            Files.createDirectories(dest.getParent());
            Files.copy(Path.of(l).toRealPath(), dest, StandardCopyOption.REPLACE_EXISTING);
        }
        Files.copy(singleFile, root.resolve("myapp"));
        // Nothing else: no JDK, no coreutils, no tar or gzip.
        try (var s = Files.walk(root)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertFalse(names.contains("java") || names.contains("tar") || names.contains("gzip") || names.contains("mkdir"), names.toString());
        }
        Proc r = exec(List.of("unshare", "--mount", "--fork", "/bin/sh", "-c",
                "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" /myapp version", root.toString()), List.of(), true);
        assertEquals(0, r.code(), "libraries copied: " + libs + "\n" + r);
        assertTrue(r.out().contains("Git Commit: " + commit), r.toString());
        assertTrue(r.out().contains("Version:    1.0.0"), r.toString());
    }

    @Test
    @Order(4)
    void shipServesShipAgainMakesRevisionTwoAndRollbackRestoresRevisionOne() throws Exception {
        var first = CliRunner.run("ship", service.toString(), "--version", "1.0.0", "--no-compile");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().contains("myapp 1.0.0 (commit " + commit.substring(0, 7) + ") is ready at http://127.0.0.1:"
                + port + "/ (revision 1, pid "), first.toString());
        assertEquals(200, get("/health/ready").statusCode());
        assertTrue(get("/").body().contains(">1.0.0<"));

        var second = CliRunner.run("ship", service.toString(), "--version", "2.0.0", "--no-compile");
        assertEquals(0, second.code(), second.toString());
        assertTrue(get("/").body().contains(">2.0.0<"));
        var history = CliRunner.run("history", service.toString());
        assertTrue(history.out().lines().anyMatch(l -> l.matches("2\\s+2\\.0\\.0\\s+" + commit.substring(0, 7) + "\\s+\\S+\\s+deployed\\s+previous 1\\.0\\.0")),
                history.toString());
        assertTrue(Files.isSymbolicLink(service.resolve(".slipway/local/current")));
        assertEquals(Path.of("releases/2.0.0"), Files.readSymbolicLink(service.resolve(".slipway/local/current")));

        var back = CliRunner.run("rollback", service.toString());
        assertEquals(0, back.code(), back.toString());
        assertTrue(get("/").body().contains(">1.0.0<"), "revision 1's version serves again");
        assertTrue(back.out().contains("myapp 1.0.0 "), back.toString());
        var status = CliRunner.run("status", service.toString());
        assertTrue(status.out().contains("version    1.0.0\n"), status.toString());
        assertTrue(status.out().contains("revision   3\n"), status.toString());
        assertTrue(status.out().contains("readiness  ready (HTTP 200"), status.toString());
    }

    @Test
    @Order(5)
    void aReleaseThatFailsReadinessIsRolledBackAutomatically() throws Exception {
        // DATA_DIR pointing at a regular file makes myapp's storage readiness check fail.
        // 10 s, not less: the gate also times the rollback's restart of 1.0.0, and myapp (HikariCP,
        // H2, Micrometer, Logback; no AppCDS yet) takes 1 to 3 s to become ready on a busy 2-core machine.
        writeConfig("{DATA_DIR: /proc/version}", "10s");
        try {
            var r = CliRunner.run("ship", service.toString(), "--version", "3.0.0", "--no-compile");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().contains("slipway: deploy of myapp 3.0.0 failed: readiness http://127.0.0.1:" + port
                    + "/health/ready did not pass within 10.0 s: HTTP 503"), r.toString());
            assertTrue(r.err().contains("rolled back: 1.0.0 serves again"), r.toString());
            assertTrue(r.err().contains("slipway starts releases/3.0.0"), "the report shows the failing release's log:\n" + r);
            assertTrue(r.err().contains("data dir /proc/version is not a directory"), r.toString());
        } finally {
            writeConfig("{}", "20s");
        }
        assertTrue(get("/").body().contains(">1.0.0<"), "the previous release keeps serving");
        assertEquals(200, get("/health/ready").statusCode());
        List<String> lines = Files.readAllLines(service.resolve(".slipway/local/history.tsv"));
        assertTrue(lines.get(lines.size() - 1).matches("4\t3\\.0\\.0\t" + commit + "\t\\S+\trolled-back\t.*"), lines.toString());
    }

    @Test
    @Order(6)
    void dryRunPrintsThePlanAndChangesNothing() throws Exception {
        List<String> before = Files.readAllLines(service.resolve(".slipway/local/history.tsv"));
        var r = CliRunner.run("deploy", service.toString(), "--dry-run");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().contains("plan for deploying myapp 3.0.0 to local:"), r.toString());
        assertTrue(r.out().contains("3. switch current -> releases/3.0.0"), r.toString());
        assertEquals(before, Files.readAllLines(service.resolve(".slipway/local/history.tsv")));
        assertTrue(get("/").body().contains(">1.0.0<"));
    }

    @Test
    @Order(7)
    void aPortInUseIsAUsageErrorAndChangesNothing() throws Exception {
        assertEquals(0, CliRunner.run("stop", service.toString()).code());
        List<String> before = Files.readAllLines(service.resolve(".slipway/local/history.tsv"));
        try (ServerSocket squatter = new ServerSocket(port, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            var r = CliRunner.run("deploy", service.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains("slipway: port " + port + " on 127.0.0.1 is already in use by another process;"
                    + " stop it or set service.port in slipway.yaml"), r.toString());
        }
        assertEquals(before, Files.readAllLines(service.resolve(".slipway/local/history.tsv")));
        assertEquals(Path.of("releases/1.0.0"), Files.readSymbolicLink(service.resolve(".slipway/local/current")));
        assertFalse(Files.exists(service.resolve(".slipway/local/releases/3.0.0/.myapp.tmp")));
        var missing = CliRunner.run("rollback", service.toString(), "--to", "9.9.9");
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().contains("slipway: release 9.9.9 is not retained; retained: 1.0.0, 2.0.0, 3.0.0\n"), missing.toString());
        var start = CliRunner.run("start", service.toString());
        assertEquals(0, start.code(), start.toString());
        assertTrue(get("/").body().contains(">1.0.0<"));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }

    record Proc(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }
    }

    private static Process start(List<String> cmd, List<String> env) throws IOException {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        for (String e : env) {
            int eq = e.indexOf('=');
            pb.environment().put(e.substring(0, eq), e.substring(eq + 1));
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return pb.start();
    }

    private static Proc exec(List<String> cmd, List<String> env) throws Exception {
        return finish(start(cmd, env));
    }

    private static Proc exec(List<String> cmd, List<String> env, boolean clearEnv) throws Exception {
        ProcessBuilder pb = new ProcessBuilder(cmd);
        if (clearEnv) {
            pb.environment().clear();
            pb.environment().put("PATH", "/usr/sbin:/usr/bin:/sbin:/bin");
        }
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        return finish(pb.start());
    }

    private static Proc finish(Process p) throws Exception {
        var out = new java.util.concurrent.CompletableFuture<String>();
        var err = new java.util.concurrent.CompletableFuture<String>();
        new Thread(() -> out.complete(read(p.getInputStream()))).start();
        new Thread(() -> err.complete(read(p.getErrorStream()))).start();
        if (!p.waitFor(60, TimeUnit.SECONDS)) {
            p.destroyForcibly();
            throw new AssertionError("process ran over 60 s");
        }
        return new Proc(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
    }

    private static String read(java.io.InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "";
        }
    }

    private static int count(String text, String needle) {
        int n = 0;
        for (int i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + 1)) {
            n++;
        }
        return n;
    }

    private static void copyTree(Path from, Path to, Set<String> skipTopLevel) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path dir, BasicFileAttributes attrs) throws IOException {
                if (from.relativize(dir).getNameCount() == 1 && skipTopLevel.contains(dir.getFileName().toString())) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(dir).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.copy(file, to.resolve(from.relativize(file).toString()), StandardCopyOption.COPY_ATTRIBUTES);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
