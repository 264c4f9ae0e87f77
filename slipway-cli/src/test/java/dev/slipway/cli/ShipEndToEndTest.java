package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.artifact.ArtifactsFile;
import dev.slipway.util.Hashing;
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
import java.nio.file.attribute.BasicFileAttributes;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.eclipse.jgit.api.Git;
import org.eclipse.jgit.lib.PersonIdent;
import org.eclipse.jgit.revwalk.RevCommit;
import dev.slipway.cli.Example.Proc;
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
    private static Proc exec(List<String> cmd, List<String> env) throws Exception {
        return Example.exec(cmd, env);
    }

    private static final HttpClient HTTP = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

    Path work;

    Path service;
    int port;
    String commit;
    Path singleFile;

    @BeforeAll
    void copyExampleIntoAFreshRepository(@TempDir Path tmp) throws Exception {
        work = tmp;
        service = work.resolve("myapp");
        Example.copy(service);
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        writeConfig("{}", "60s");
        commit = Example.commit(service);
    }

    /**
     * slipway.yaml for the test: its own port, short gates, and {@code env} (YAML flow mapping).
     * Releases meant to pass get 60 s: the first start of a new JDK 17 release unpacks and dumps its
     * AppCDS archive before the app starts (about 3 s idle, over 20 s on a 2-core machine under
     * heavy load); a passing gate ends at the first 200, so the margin costs nothing.
     */
    private void writeConfig(String env, String readinessTimeout) throws IOException {
        writeConfig(env, readinessTimeout, "0s");
    }

    private void writeConfig(String env, String readinessTimeout, String startupGrace) throws IOException {
        writeConfig(env, readinessTimeout, startupGrace, true);
    }

    /**
     * {@code train} false for releases meant to fail their gate: a first run then starts the app at
     * once instead of dumping the JDK 17 AppCDS archive first (seconds on a busy machine), so the gate
     * sees the app's own 503 within its short timeout.
     */
    private void writeConfig(String env, String readinessTimeout, String startupGrace, boolean train) throws IOException {
        Files.writeString(service.resolve("slipway.yaml"), """
                name: myapp
                train: {enabled: %s}
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
                    startupGrace: %s
                """.formatted(train, port, env, readinessTimeout, startupGrace));
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
        // The training cache is keyed by what training reads, which is the same in every run of this
        // test (a fixed commit): a machine that ran it before takes the class list from there.
        assertTrue(r.err().contains("training an AppCDS class list on the JDK 17 runtime done")
                || r.err().contains("linux-amd64 startup cache from the training cache"), r.toString());
        assertTrue(r.err().contains("linux-amd64 startup: the AppCDS archive is made at build time and checked on the first run"),
                r.toString());
        assertTrue(Files.isExecutable(singleFile), r.toString());
        assertTrue(Files.isRegularFile(service.resolve("dist/myapp_1.0.0_linux_amd64.tar.gz")));
        assertTrue(r.out().contains("linux-amd64  single file dist/myapp_1.0.0_linux_amd64/myapp"), r.toString());
        String json = Files.readString(service.resolve(ArtifactsFile.PATH));
        assertTrue(json.contains("\"commit\" : \"" + commit + "\""), json);
        assertTrue(json.contains("\"sha256\" : \"" + Hashing.sha256(singleFile) + "\""), json);

        Proc v = exec(List.of(singleFile.toString(), "version"), List.of("SLIPWAY_CACHE_DIR=" + work.resolve("cache1")));
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("Version:    1.0.0\n"), v.toString());
        assertTrue(v.out().contains("Git Commit: " + commit + "\n"), v.toString());
        assertTrue(v.out().contains("Build Time: 2026-01-01T00:00:00Z\n"), v.toString());
        assertEquals("", v.err(), "the first run is silent");
    }

    @Test
    @Order(2)
    void aJdk17SingleFileUsesTheArchiveMadeAtBuildTimeFromTheFirstRunOn() throws Exception {
        // The first run of test 1 (cache1) unpacked and checked the archive the build made (no
        // dump: app.jsa is the shipped app.built.jsa); it printed nothing.
        Path home;
        try (var s = Files.list(work.resolve("cache1/run"))) {
            home = s.filter(Files::isDirectory).findFirst().orElseThrow();
        }
        assertTrue(Files.size(home.resolve("app/app.jsa")) > 1_000_000, "a static AppCDS archive in " + home);
        assertTrue(Files.isSameFile(home.resolve("app/app.jsa"), home.resolve("app/app.built.jsa")),
                "the first run took the archive made at build time instead of dumping one");
        assertFalse(Files.exists(home.resolve("runtime/lib/server/classes.jsa")),
                "the default CDS archive, which the app's archive replaces, is not shipped");
        try (var s = Files.list(home.resolve("app"))) {
            assertEquals(List.of(), s.map(p -> p.getFileName().toString()).filter(n -> n.contains(".tmp")).toList());
        }
        List<String> env = List.of("SLIPWAY_CACHE_DIR=" + work.resolve("cache1"), "JAVA_OPTS=-Xlog:class+load=info");
        Proc v = exec(List.of(singleFile.toString(), "version"), env);
        assertEquals(0, v.code(), v.toString());
        assertTrue(v.out().contains("Git Commit: " + commit), v.toString());
        // The archive covers the dependency jars, which come first on the class path (DependenciesFirst).
        assertTrue(v.out().lines().anyMatch(l -> l.endsWith("java.lang.Object source: shared objects file")),
                "the JDK's classes come from the archive:\n" + v.out());
        String dep = Example.dependencyClassLoad(singleFile, List.of("SLIPWAY_CACHE_DIR=" + work.resolve("cache1")));
        assertTrue(dep.endsWith("source: shared objects file"), "and the dependencies', from the same archive: " + dep);

        // A jar that changed after the dump: the JVM rejects the archive, quietly, and the app starts.
        // (A change of its time sends the run to the unpacker, which unpacks the tree again, see
        // LauncherTest; this one keeps the time and changes the size, which only the JVM checks
        // on a run.)
        Path jar = home.resolve("app/build-info.jar");
        java.nio.file.attribute.FileTime time = Files.getLastModifiedTime(jar);
        byte[] original = Files.readAllBytes(jar);
        try (var in = new java.util.zip.ZipInputStream(new java.io.ByteArrayInputStream(original));
             var out = new java.util.zip.ZipOutputStream(Files.newOutputStream(jar))) {
            for (var e = in.getNextEntry(); e != null; e = in.getNextEntry()) {
                out.putNextEntry(new java.util.zip.ZipEntry(e.getName()));
                in.transferTo(out);
                out.closeEntry();
            }
            out.putNextEntry(new java.util.zip.ZipEntry("changed.txt"));
            out.write("changed after the dump".getBytes(StandardCharsets.UTF_8));
            out.closeEntry();
        }
        Files.setLastModifiedTime(jar, time);
        assertTrue(Files.size(jar) != original.length);
        try {
            Proc rejected = exec(List.of(singleFile.toString(), "version"), List.of("SLIPWAY_CACHE_DIR=" + work.resolve("cache1")));
            assertEquals(0, rejected.code(), rejected.toString());
            assertEquals("", rejected.err(), "no CDS log leaks to the user");
            assertTrue(rejected.out().contains("Git Commit: " + commit), rejected.toString());
        } finally {
            Files.write(jar, original);
            Files.setLastModifiedTime(jar, time);
        }
    }

    @Test
    @Order(3)
    void twoFirstRunsAtOnceUnpackOnceAndBothSucceed() throws Exception {
        Path cache = work.resolve("cache-concurrent");
        List<String> env = List.of("SLIPWAY_CACHE_DIR=" + cache, "SLIPWAY_VERBOSE=1");
        List<Process> procs = new ArrayList<>();
        for (int i = 0; i < 2; i++) {
            procs.add(Example.start(List.of(singleFile.toString(), "version"), env));
        }
        int unpacked = 0;
        for (Process p : procs) {
            Proc r = Example.finish(p);
            assertEquals(0, r.code(), r.toString());
            assertTrue(r.out().contains("Git Commit: " + commit), r.toString());
            unpacked += Example.count(r.err(), "slipway: unpacked into ");
        }
        assertEquals(1, unpacked, "exactly one of the two runs unpacks");
        try (var s = Files.list(cache.resolve("run"))) {
            List<String> names = s.map(p -> p.getFileName().toString()).sorted().toList();
            assertEquals(2, names.size(), names.toString());
            assertTrue(names.get(0).matches("myapp-[0-9a-f]{16}") && names.get(1).equals(names.get(0) + ".lock"), names.toString());
        }
        Proc warm = exec(List.of(singleFile.toString(), "version"), env);
        assertEquals(0, Example.count(warm.err(), "unpacked"), "a warm run does not unpack again");
    }

    @Test
    @Order(4)
    void withoutHomeASharedPlantedCacheIsNeverUsed() throws Exception {
        String stub = new String(Files.readAllBytes(singleFile), 0, 2048, StandardCharsets.ISO_8859_1);
        Matcher m = Pattern.compile("slipway_key='([^']+)'").matcher(stub);
        assertTrue(m.find(), stub);
        Path tmp = Files.createDirectories(work.resolve("tmpdir"));
        // What another user could plant in a shared temp directory.
        Path planted = Files.createDirectories(tmp.resolve("slipway-cache/run/" + m.group(1) + "/runtime/bin"));
        Files.writeString(planted.resolve("java"), "#!/bin/sh\necho HIJACKED\n");
        Files.setPosixFilePermissions(planted.resolve("java"), java.nio.file.attribute.PosixFilePermissions.fromString("rwxr-xr-x"));
        Files.createFile(planted.getParent().getParent().resolve(".slipway-complete"));
        Proc r = Example.execClean(List.of("/usr/bin/env", "TMPDIR=" + tmp, singleFile.toString(), "version"));
        assertEquals(0, r.code(), r.toString());
        assertFalse(r.out().contains("HIJACKED"), r.toString());
        assertTrue(r.out().contains("Git Commit: " + commit), r.toString());
        try (var s = Files.list(tmp)) {
            assertTrue(s.anyMatch(p -> p.getFileName().toString().matches("slipway-\\d+")), "a private per-user directory");
        }
    }

    @Test
    @Order(5)
    void runsInAnEmptyRootWithNoJdk() throws Exception {
        Tools.requireThat(Tools.root(), "the chroot test needs root");
        Tools.require("unshare");
        Tools.require("ldd");
        // Unpack on the host once to learn which shared libraries the runtime needs (its ELF closure).
        Path cache = work.resolve("cache-ldd");
        assertEquals(0, exec(List.of(singleFile.toString(), "version"), List.of("SLIPWAY_CACHE_DIR=" + cache)).code());
        Path root = work.resolve("root");
        Set<String> libs = Example.bareRoot(root, cache.resolve("run"));
        Files.copy(singleFile, root.resolve("myapp"));
        // Nothing else: no JDK, no coreutils, no tar or gzip.
        try (var s = Files.walk(root)) {
            List<String> names = s.map(p -> p.getFileName().toString()).toList();
            assertFalse(names.contains("java") || names.contains("tar") || names.contains("gzip") || names.contains("mkdir"), names.toString());
        }
        Proc r = Example.execClean(List.of("unshare", "--mount", "--fork", "/bin/sh", "-c",
                "mount -t proc proc \"$0/proc\" && exec chroot \"$0\" /myapp version", root.toString()));
        assertEquals(0, r.code(), "libraries copied: " + libs + "\n" + r);
        assertTrue(r.out().contains("Git Commit: " + commit), r.toString());
        assertTrue(r.out().contains("Version:    1.0.0"), r.toString());
    }

    @Test
    @Order(6)
    void shipServesShipAgainMakesRevisionTwoAndRollbackRestoresRevisionOne() throws Exception {
        // An unpack cache of this test's own (through service.env, as the service and its prepare
        // get it), so that 2.0.0's first run is surely made by this deploy.
        Path cache = work.resolve("cache6");
        writeConfig("{SLIPWAY_CACHE_DIR: \"" + cache + "\"}", "60s");
        try {
            shipTwiceAndRollBack(cache);
        } finally {
            writeConfig("{}", "60s");
        }
    }

    private void shipTwiceAndRollBack(Path cache) throws Exception {
        var first = CliRunner.run("ship", service.toString(), "--version", "1.0.0", "--no-compile");
        assertEquals(0, first.code(), first.toString());
        assertTrue(first.out().contains("myapp 1.0.0 (commit " + commit.substring(0, 7) + ") is ready at http://127.0.0.1:"
                + port + "/ (revision 1, pid "), first.toString());
        assertEquals(200, get("/health/ready").statusCode());
        assertTrue(get("/").body().contains(">1.0.0<"));

        var second = CliRunner.run("ship", service.toString(), "--version", "2.0.0", "--no-compile");
        assertEquals(0, second.code(), second.toString());
        assertTrue(get("/").body().contains(">2.0.0<"));
        assertTrue(second.err().contains("linux-amd64 startup cache from the training cache"),
                "the same jars with another version and build-info.jar do not train again:\n" + second);

        // 2.0.0 was prepared (unpacked, the JDK 17 archive made at build time checked) while 1.0.0
        // still served: the progress says so in that order, and the archive is older than 1.0.0's
        // SIGTERM in its log.
        String err = second.err();
        int prepared = err.indexOf("  prepared 2.0.0 in ");
        int stopping = err.indexOf("  stopping myapp 1.0.0 (pid ");
        assertTrue(err.contains("    preparing myapp 2.0.0 (unpack, class-data archive); the app is not started\n"), err);
        assertTrue(err.contains("    the class-data archive made at build time is used here without a check ("), err);
        assertTrue(prepared > 0 && stopping > prepared, "prepare, then stop:\n" + err);
        Path home = cache.resolve("run").resolve(stubKey(service.resolve(".slipway/local/releases/2.0.0/myapp")));
        Path archive = home.resolve("app/app.jsa");
        assertTrue(Files.size(archive) > 1_000_000, archive.toString());
        List<String> log = Files.readAllLines(service.resolve(".slipway/local/myapp.log"));
        int start2 = -1;
        for (int i = 0; i < log.size(); i++) {
            if (log.get(i).contains(" slipway starts releases/2.0.0")) {
                start2 = i;
            }
        }
        java.time.Instant sigterm = null;
        for (int i = start2 - 1; i >= 0 && sigterm == null; i--) {
            if (log.get(i).contains("received SIGTERM, draining")) {
                sigterm = java.time.Instant.parse(log.get(i).substring(0, log.get(i).indexOf(' ')));
            }
        }
        assertTrue(sigterm != null, "1.0.0 logged its SIGTERM before 2.0.0 started:\n" + String.join("\n", log));
        assertTrue(Files.getLastModifiedTime(archive).toInstant().isBefore(sigterm),
                "the archive (" + Files.getLastModifiedTime(archive) + ") was made before 1.0.0 was stopped (" + sigterm + ")");
        var history = CliRunner.run("history", service.toString());
        assertTrue(history.out().lines().anyMatch(l -> l.matches("2\\s+2\\.0\\.0\\s+" + commit.substring(0, 7) + "\\s+\\S+\\s+deployed\\s+\\S+@\\S+\\s+previous 1\\.0\\.0")),
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
    @Order(7)
    void aReleaseThatFailsReadinessIsRolledBackAutomatically() throws Exception {
        // DATA_DIR pointing at a regular file makes myapp's storage readiness check fail.
        // 10 s, not less: the gate also times the rollback's restart of 1.0.0, and myapp (HikariCP,
        // H2, Micrometer, Logback; no AppCDS yet) takes 1 to 3 s to become ready on a busy 2-core machine.
        writeConfig("{DATA_DIR: /proc/version}", "10s", "0s", false);
        try {
            // 3.0.0 as an older Slipway would have built it: a stub without the prepare mode, so
            // its first run happens inside the gate, and the failure says so.
            var built = CliRunner.run("build", service.toString(), "--version", "3.0.0", "--no-compile");
            assertEquals(0, built.code(), built.toString());
            withoutPrepareMode(service.resolve("dist/myapp_3.0.0_linux_amd64/myapp"));
            var r = CliRunner.run("deploy", service.toString());
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().contains("3.0.0 cannot be prepared (its single file predates the prepare mode): its first run"
                    + " happens inside the readiness gate"), r.toString());
            assertTrue(r.err().contains("slipway: deploy of myapp 3.0.0 failed: readiness http://127.0.0.1:" + port
                    + "/health/ready did not pass within 10.0 s: HTTP 503"), r.toString());
            // The note is part of the gate's one-line failure, as on hosts (and so in the history).
            assertTrue(r.err().contains("; note: 3.0.0 was not prepared before its start (its single file predates the prepare"
                    + " mode), so its first run unpacked the payload and, on JDK 17-19, dumped the class-data archive inside the"
                    + " gate; allow for that with service.readiness.timeout (now 10.0 s) or service.readiness.startupGrace"
                    + " (now 0.0 s), or rebuild it with this Slipway\n"), r.toString());
            assertTrue(r.err().contains("rolled back: 1.0.0 serves again"), r.toString());
            assertTrue(r.err().contains("slipway starts releases/3.0.0"), "the report shows the failing release's log:\n" + r);
            assertTrue(r.err().contains("data dir /proc/version is not a directory"), r.toString());
        } finally {
            writeConfig("{}", "60s");
        }
        assertTrue(get("/").body().contains(">1.0.0<"), "the previous release keeps serving");
        assertEquals(200, get("/health/ready").statusCode());
        List<String> lines = Files.readAllLines(service.resolve(".slipway/local/history.tsv"));
        assertTrue(lines.get(lines.size() - 1).matches("4\t3\\.0\\.0\t" + commit + "\t\\S+\trolled-back\t.*"), lines.toString());
    }

    @Test
    @Order(8)
    void aRedeployOfTheCurrentVersionWithNewSettingsNeverOverwritesIt() throws Exception {
        writeConfig("{DATA_DIR: /proc/version}", "10s", "0s", false);
        CliRunner.Run r;
        try {
            r = CliRunner.run("ship", service.toString(), "--version", "1.0.0", "--no-compile");
            assertEquals(1, r.code(), r.toString());
            assertTrue(r.err().contains("rolled back: 1.0.0 serves again"), r.toString());
            assertFalse(r.err().contains("note: "), "a prepared release's gate timed no first run:\n" + r);
        } finally {
            writeConfig("{}", "60s");
        }
        assertTrue(get("/").body().contains(">1.0.0<"));
        List<String> lines = Files.readAllLines(service.resolve(".slipway/local/history.tsv"));
        assertTrue(lines.get(lines.size() - 1).matches("5\t1\\.0\\.0\\+[0-9a-f]{8}\t" + commit + "\t\\S+\trolled-back\t.*"),
                lines.toString());
        // The rebuilt 1.0.0 is told apart once, by the ship that recorded it; status names what serves.
        assertTrue(r.err().contains("(1.0.0+") && r.err().contains(": version 1.0.0 built again with other bytes"), r.toString());
        var status = CliRunner.run("status", service.toString());
        assertTrue(status.out().contains("version    1.0.0\n") && status.out().contains("revision   3\n"),
                "the serving revision, not the newest (5, rolled back):\n" + status);
        var history = CliRunner.run("history", service.toString());
        assertFalse(history.toString().contains("built again"), "history does not repeat the note:\n" + history);
        var same = CliRunner.run("rollback", service.toString(), "--to", "1.0.0");
        assertEquals(2, same.code(), same.toString());
        assertTrue(same.err().contains("slipway: 1.0.0 is already the current release; nothing to roll back; nothing was changed"), same.toString());
    }

    /**
     * Runs the CLI in a child JVM, sends it SIGINT (Ctrl-C) once its output has a line containing
     * {@code marker} (asserted, within 60 s), and waits for it to exit (60 s).
     *
     * @param seen receives the child's whole output (stdout and stderr)
     * @return the child's exit status
     */
    private static int interruptWhen(String marker, StringBuilder seen, String... args) throws Exception {
        Tools.requireSigint();
        List<String> cmd = dev.slipway.LauncherJvm.command(SlipwayCli.class.getName(), args);
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        var reader = new java.io.BufferedReader(new java.io.InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8));
        long deadline = System.nanoTime() + 60_000_000_000L;
        String line;
        while (System.nanoTime() < deadline && (line = reader.readLine()) != null) {
            seen.append(line).append('\n');
            if (line.contains(marker)) {
                break;
            }
        }
        assertTrue(seen.toString().contains(marker), seen.toString());
        new ProcessBuilder("kill", "-INT", String.valueOf(p.pid())).start().waitFor();
        assertTrue(p.waitFor(60, TimeUnit.SECONDS), "slipway exits after Ctrl-C");
        seen.append(new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8));
        return p.exitValue();
    }

    @Test
    @Order(9)
    void ctrlCDuringTheGateRestoresThePreviousRelease() throws Exception {
        var build = CliRunner.run("build", service.toString(), "--version", "4.0.0", "--no-compile");
        assertEquals(0, build.code(), build.toString());
        // Ctrl-C before anything changed (here: while waiting for another run's lock) says so in one line.
        var localHost = new dev.slipway.remote.LocalHost("local");
        String stateDir = service.resolve(".slipway/local").toString();
        var holder = dev.slipway.remote.Lock.me("9.9.9", "deploy");
        assertTrue(dev.slipway.remote.Lock.tryAcquire(localHost, stateDir, holder).isEmpty(), "the test takes the lock");
        try {
            StringBuilder out = new StringBuilder();
            int code = interruptWhen("; waiting", out, "deploy", service.toString(), "--lock-wait", "120s");
            assertEquals(130, code, out.toString());
            assertTrue(out.toString().contains("slipway: deploy interrupted; nothing was changed; 1.0.0 still serves\n"),
                    out.toString());
            assertEquals(Path.of("releases/1.0.0"), Files.readSymbolicLink(service.resolve(".slipway/local/current")));
        } finally {
            dev.slipway.remote.Lock.release(localHost, stateDir, holder.id());
        }
        writeConfig("{}", "60s", "8s");
        try {
            StringBuilder seen = new StringBuilder();
            int code = interruptWhen("waiting for readiness of 4.0.0", seen, "deploy", service.toString());
            assertTrue(code != 0, seen.toString());
            assertTrue(seen.toString().contains("deploy interrupted; interrupted during the readiness gate, before it passed; 1.0.0 restarted"), seen.toString());
        } finally {
            writeConfig("{}", "60s");
        }
        assertEquals(Path.of("releases/1.0.0"), Files.readSymbolicLink(service.resolve(".slipway/local/current")));
        List<String> lines = Files.readAllLines(service.resolve(".slipway/local/history.tsv"));
        assertTrue(lines.get(lines.size() - 1).matches("\\d+\t4\\.0\\.0\t" + commit + "\t\\S+\tinterrupted\t.*"), lines.toString());
        long end = System.nanoTime() + 30_000_000_000L;
        while (System.nanoTime() < end) {
            try {
                if (get("/health/ready").statusCode() == 200) {
                    break;
                }
            } catch (IOException e) {
                Thread.sleep(200);
            }
        }
        assertTrue(get("/").body().contains(">1.0.0<"));
    }

    @Test
    @Order(10)
    void aTamperedBuildIsRefused() throws Exception {
        Path file = service.resolve("dist/myapp_4.0.0_linux_amd64/myapp");
        byte[] original = Files.readAllBytes(file);
        try {
            Files.write(file, new byte[] {'x'}, java.nio.file.StandardOpenOption.APPEND);
            var r = CliRunner.run("deploy", service.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains("does not match dist/artifacts.json"), r.toString());
        } finally {
            Files.write(file, original);
        }
    }

    @Test
    @Order(11)
    void dryRunPrintsThePlanAndChangesNothing() throws Exception {
        List<String> before = Files.readAllLines(service.resolve(".slipway/local/history.tsv"));
        var r = CliRunner.run("deploy", service.toString(), "--dry-run");
        assertEquals(0, r.code(), r.toString());
        assertTrue(r.out().startsWith("deploy myapp 4.0.0 to local\n"), r.toString());
        assertTrue(Pattern.compile(" 3\\. write releases/4\\.0\\.0(\\+[0-9a-f]{8})?/service\\.env \\(mode 0600, \\d+ variables\\)\n")
                .matcher(r.out()).find(), "the env file is a step of its own: " + r);
        assertTrue(Pattern.compile(" 4\\. prepare releases/4\\.0\\.0(\\+[0-9a-f]{8})?/myapp while the old one serves: its first"
                + " run without the app \\(SLIPWAY_PREPARE=1: unpack, class-data archive on JDK 17-19\\)\n").matcher(r.out()).find(),
                r.toString());
        assertTrue(r.out().contains(" 6. restart, by a detached helper: stop myapp 1.0.0 (pid "), r.toString());
        assertTrue(r.out().contains(" 5. switch current -> releases/4.0.0"), r.toString());
        assertEquals(before, Files.readAllLines(service.resolve(".slipway/local/history.tsv")));
        assertTrue(get("/").body().contains(">1.0.0<"));
    }

    @Test
    @Order(12)
    void aPortInUseIsAUsageErrorAndChangesNothing() throws Exception {
        assertEquals(0, CliRunner.run("stop", service.toString()).code());
        List<String> before = Files.readAllLines(service.resolve(".slipway/local/history.tsv"));
        try (ServerSocket squatter = new ServerSocket(port, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            var r = CliRunner.run("deploy", service.toString());
            assertEquals(2, r.code(), r.toString());
            assertTrue(r.err().contains("slipway: port " + port + " on 127.0.0.1 is already in use by another process;"
                    + " it is pid " + ProcessHandle.current().pid() + " ("), "names the holder (this JVM): " + r);
            assertTrue(r.err().contains("; stop it or set service.port in slipway.yaml"), r.toString());
        }
        assertEquals(before, Files.readAllLines(service.resolve(".slipway/local/history.tsv")));
        assertEquals(Path.of("releases/1.0.0"), Files.readSymbolicLink(service.resolve(".slipway/local/current")));
        assertFalse(Files.exists(service.resolve(".slipway/local/releases/4.0.0/.myapp.tmp")));
        var missing = CliRunner.run("rollback", service.toString(), "--to", "9.9.9");
        assertEquals(2, missing.code(), missing.toString());
        assertTrue(missing.err().matches("(?s).*slipway: local does not hold release 9\\.9\\.9 \\(it has 1\\.0\\.0, 1\\.0\\.0\\+[0-9a-f]{8},"
                + " 2\\.0\\.0, 3\\.0\\.0, 4\\.0\\.0\\); nothing was changed\n.*"), missing.toString());
        // A path is not a release: refused before anything is stopped or switched.
        for (String bad : List.of("..", "/etc")) {
            var outside = CliRunner.run("rollback", service.toString(), "--to", bad);
            assertEquals(2, outside.code(), outside.toString());
            assertTrue(outside.err().contains("slipway: local does not hold release " + bad + " (it has 1.0.0, "), outside.toString());
        }
        assertEquals(before, Files.readAllLines(service.resolve(".slipway/local/history.tsv")));
        assertEquals(Path.of("releases/1.0.0"), Files.readSymbolicLink(service.resolve(".slipway/local/current")));
        var start = CliRunner.run("start", service.toString());
        assertEquals(0, start.code(), start.toString());
        assertTrue(get("/").body().contains(">1.0.0<"));
    }

    // ---- helpers ----------------------------------------------------------------------------------

    /**
     * Makes a built single file look like one from a Slipway without the prepare mode: the stub's
     * test of SLIPWAY_PREPARE reads another name (same length, so the payload offset holds), and
     * dist/artifacts.json gets the new sha256.
     */
    private void withoutPrepareMode(Path singleFile) throws IOException {
        byte[] bytes = Files.readAllBytes(singleFile);
        String head = new String(bytes, 0, 4096, StandardCharsets.ISO_8859_1);
        int at = head.indexOf(dev.slipway.build.Launcher.PREPARE_MARK);
        assertTrue(at > 0, head);
        String before = Hashing.sha256(singleFile);
        byte[] other = "\"${SLIPWAY_PREPAXE:-}\"".getBytes(StandardCharsets.ISO_8859_1);
        System.arraycopy(other, 0, bytes, at, other.length);
        Files.write(singleFile, bytes);
        assertFalse(dev.slipway.build.Launcher.preparable(singleFile));
        Path manifest = service.resolve(ArtifactsFile.PATH);
        Files.writeString(manifest, Files.readString(manifest).replace(before, Hashing.sha256(singleFile)));
    }

    /** @return the unpack cache key in a single file's stub ({@code slipway_key='...'}) */
    static String stubKey(Path singleFile) throws IOException {
        String head = new String(Files.readAllBytes(singleFile), 0, 4096, StandardCharsets.ISO_8859_1);
        int at = head.indexOf("slipway_key='") + 13;
        return head.substring(at, head.indexOf('\'', at));
    }

    private HttpResponse<String> get(String path) throws Exception {
        return HTTP.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + port + path)).timeout(Duration.ofSeconds(5)).build(),
                HttpResponse.BodyHandlers.ofString());
    }
}
