package dev.slipway.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Testbed;
import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@link SshHost} against real Debian hosts with OpenSSH's sshd (testbed/hosts.sh): host 1 on
 * 127.0.1.1, host 2 in its own network namespace so its link can be cut.
 */
class SshHostTest {
    private static Testbed bed;

    @TempDir
    Path tmp;

    @BeforeAll
    static void boot() {
        bed = Testbed.up(2, "sshtest", "127.0.1.1", 2);
    }

    @AfterAll
    static void stop() {
        if (bed != null) {
            bed.close();
        }
    }

    /** @return host 1's address in this run (see {@code TestbedSlot}) */
    private static String addr1() {
        return bed.node(1).address();
    }

    /** @return how SshHost names host 1: {@code NAME (ADDRESS)} */
    private static String label1() {
        return bed.node(1).name() + " (" + addr1() + ")";
    }

    private static SshHost.Options options(Testbed.Node node) {
        return SshHost.Options.of(node.address()).withPort(node.port()).withLabel(node.name())
                .withIdentities(List.of(Testbed.clientKey())).withAgent(null).withKnownHosts(bed.knownHosts())
                .withConnect(Duration.ofSeconds(5), 2, Duration.ofMillis(300));
    }

    /** The fingerprint ssh-keygen prints for one of the host's keys. */
    private static String fingerprint(Testbed.Node node, String type) throws Exception {
        Path pub = bed.stateDir().resolve(node.name()).resolve("keys/ssh_host_" + type + "_key.pub");
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", pub.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.split(" ")[1];
    }

    private static String sha256(byte[] b) throws Exception {
        return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(b));
    }

    @Test
    void runsCommandsAndDetectsThePlatform() {
        try (SshHost h = SshHost.connect(options(bed.node(1)))) {
            assertEquals(label1(), h.name());
            Host.CommandResult r = h.run("hostname; id -u; echo oops >&2; exit 3", Duration.ofSeconds(10));
            assertEquals(3, r.exitCode());
            assertEquals(bed.node(1).name() + "\n0\n", r.stdout());
            assertEquals("oops\n", r.stderr());
            assertEquals("it's", h.run("printf %s " + Shell.quote("it's"), Duration.ofSeconds(10)).stdout());
            String arch = System.getProperty("os.arch");
            assertEquals(arch.equals("aarch64") ? "linux-arm64" : "linux-amd64", Hosts.detectPlatform(h));
            assertFalse(h.run("command -v java", Duration.ofSeconds(10)).ok(), "the test hosts have no Java");
        }
    }

    @Test
    void logsInWithAKeyHeldByAnSshAgent() throws Exception {
        Path sock = tmp.resolve("agent.sock");
        Process agent = new ProcessBuilder("ssh-agent", "-D", "-a", sock.toString()).redirectErrorStream(true)
                .redirectOutput(tmp.resolve("agent.log").toFile()).start();
        try {
            for (int i = 0; i < 50 && !Files.exists(sock); i++) {
                Thread.sleep(100);
            }
            ProcessBuilder add = new ProcessBuilder("ssh-add", Testbed.clientKey().toString()).redirectErrorStream(true);
            add.environment().put("SSH_AUTH_SOCK", sock.toString());
            Process p = add.start();
            String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
            assertTrue(p.waitFor(10, TimeUnit.SECONDS));
            assertEquals(0, p.exitValue(), out);
            try (SshHost h = SshHost.connect(options(bed.node(1)).withIdentities(List.of()).withAgent(sock))) {
                assertEquals("0\n", h.run("id -u", Duration.ofSeconds(10)).stdout());
            }
            // Without the agent there is nothing to log in with.
            HostException e = assertThrows(HostException.class,
                    () -> SshHost.connect(options(bed.node(1)).withIdentities(List.of()).withAgent(null)));
            assertTrue(e.getMessage().contains("no SSH key to log in with"), e.getMessage());
        } finally {
            agent.destroy();
            agent.waitFor(10, TimeUnit.SECONDS);
        }
    }

    @Test
    void aCommandPastItsTimeoutIsKilledOnTheHost() {
        try (SshHost h = SshHost.connect(options(bed.node(1)))) {
            long t0 = System.nanoTime();
            HostException e = assertThrows(HostException.class, () -> h.run("sleep 47", Duration.ofSeconds(1)));
            long ms = (System.nanoTime() - t0) / 1_000_000;
            assertTrue(e.getMessage().startsWith(label1() + ": command ran longer than 1000 ms"), e.getMessage());
            assertTrue(ms < 20_000, "took " + ms + " ms (sleep 47 was not cut short)");
            assertFalse(h.run("pgrep -x sleep", Duration.ofSeconds(10)).ok(), "sleep 47 still runs on the host");
        }
    }

    @Test
    void uploadIsVerifiedAtomicAndReportsProgress() throws Exception {
        byte[] old = "old release\n".getBytes(StandardCharsets.UTF_8);
        byte[] data = new byte[24 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Path local = tmp.resolve("app");
        Files.write(local, data);
        try (SshHost h = SshHost.connect(options(bed.node(1)));
             SshHost watcher = SshHost.connect(options(bed.node(1)))) {
            assertTrue(h.run("rm -rf /srv/up && mkdir -p /srv/up", Duration.ofSeconds(10)).ok());
            h.write(old, "/srv/up/app", 0600);
            assertEquals("600 " + sha256(old), h.run("stat -c %a /srv/up/app | tr -d '\\n'; echo \" $(sha256sum < /srv/up/app | cut -c1-64)\"",
                    Duration.ofSeconds(10)).stdout().strip());

            List<Long> seen = new ArrayList<>();
            AtomicReference<String> midway = new AtomicReference<>();
            h.upload(local, "/srv/up/app", 0750, (sent, total) -> {
                assertEquals(data.length, total);
                if (!seen.isEmpty()) {
                    assertTrue(sent >= seen.get(seen.size() - 1), "progress went back");
                }
                seen.add(sent);
                if (midway.get() == null && sent >= total / 2) {
                    // Halfway: the target still holds the old file, the bytes go to a temp name beside it.
                    midway.set(watcher.run("sha256sum < /srv/up/app | cut -c1-64; ls -A /srv/up", Duration.ofSeconds(10)).stdout());
                }
            });
            assertEquals(data.length, seen.get(seen.size() - 1));
            assertTrue(seen.size() > 10, "progress was reported " + seen.size() + " times");
            String[] mid = midway.get().split("\n");
            assertEquals(sha256(old), mid[0], "the target changed before the upload finished");
            assertEquals(3, mid.length, midway.get());
            assertTrue(mid[1].startsWith(".app.slipway-") || mid[2].startsWith(".app.slipway-"), midway.get());

            String after = h.run("stat -c %a /srv/up/app; sha256sum < /srv/up/app | cut -c1-64; ls -A /srv/up", Duration.ofSeconds(10)).stdout();
            assertEquals("750\n" + sha256(data) + "\napp\n", after);
            assertEquals(java.util.Optional.of(sha256(data)), Hosts.sha256(h, "/srv/up/app"));
            assertEquals(java.util.Optional.empty(), Hosts.sha256(h, "/srv/up/none"));
            assertEquals(java.util.Optional.empty(), Hosts.sha256(h, "/srv/up"), "a directory is not a release file");
            // A symlink at the target is replaced, not followed into the directory it names.
            assertTrue(h.run("mkdir -p /srv/up/d && ln -sfn /srv/up/d /srv/up/link", Duration.ofSeconds(10)).ok());
            h.write(old, "/srv/up/link", 0644);
            assertEquals("regular file\n0\n", h.run("stat -c %F /srv/up/link; ls -A /srv/up/d | wc -l",
                    Duration.ofSeconds(10)).stdout());
        }
    }

    @Test
    void anUploadIntoAMissingDirectoryFailsClearly() throws Exception {
        Path local = tmp.resolve("f");
        Files.writeString(local, "x");
        try (SshHost h = SshHost.connect(options(bed.node(1)))) {
            HostException e = assertThrows(HostException.class, () -> h.upload(local, "/nonexistent/dir/f", 0644, Host.Progress.NONE));
            assertTrue(e.getMessage().startsWith(label1() + ": upload to /nonexistent/dir/f failed"), e.getMessage());
            assertTrue(e.getMessage().contains("No such file or directory"), e.getMessage());
        }
    }

    @Test
    void hashedKnownHostsEntriesWork() throws Exception {
        assertTrue(Files.readString(bed.knownHostsHashed()).startsWith("|1|"), "ssh-keygen -H hashed the file");
        assertFalse(Files.readString(bed.knownHostsHashed()).contains(addr1()));
        try (SshHost h = SshHost.connect(options(bed.node(1)).withKnownHosts(bed.knownHostsHashed()))) {
            assertTrue(h.run("true", Duration.ofSeconds(10)).ok());
        }
    }

    @Test
    void onlyAnEcdsaEntryIsEnoughBecauseItsAlgorithmIsOfferedFirst() throws Exception {
        Path kh = tmp.resolve("known_hosts");
        List<String> ecdsaOnly = new ArrayList<>();
        for (String line : Files.readAllLines(bed.knownHosts())) {
            if (line.startsWith(addr1() + " ecdsa-")) {
                ecdsaOnly.add(line);
            }
        }
        assertEquals(1, ecdsaOnly.size());
        Files.write(kh, ecdsaOnly);
        try (SshHost h = SshHost.connect(options(bed.node(1)).withKnownHosts(kh))) {
            assertTrue(h.run("true", Duration.ofSeconds(10)).ok());
        }
    }

    @Test
    void anUnknownHostIsRefusedWithItsFingerprintAndTheFix() throws Exception {
        Path empty = tmp.resolve("known_hosts");
        Files.writeString(empty, "# nothing yet\n");
        HostException e = assertThrows(HostException.class, () -> SshHost.connect(options(bed.node(1)).withKnownHosts(empty)));
        String m = e.getMessage();
        assertTrue(m.startsWith(label1() + ": host key not known: " + empty + " has no entry for " + addr1()), m);
        assertTrue(m.contains("ssh-ed25519 " + fingerprint(bed.node(1), "ed25519")), m);
        assertTrue(m.contains("ssh-keyscan -p 22 -t ed25519 " + addr1() + " >> " + empty), m);
        assertEquals("# nothing yet\n", Files.readString(empty), "the file is never written");
        // The suggested fix works: run it and connect.
        String fix = m.substring(m.indexOf("ssh-keyscan"));
        run("sh", "-c", fix);
        try (SshHost h = SshHost.connect(options(bed.node(1)).withKnownHosts(empty))) {
            assertTrue(h.run("true", Duration.ofSeconds(10)).ok());
        }
    }

    @Test
    void aChangedHostKeyIsRefusedPlainOrHashed() throws Exception {
        Path other = tmp.resolve("other");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString());
        String otherKey = Files.readString(tmp.resolve("other.pub")).trim().split(" ")[1];
        Path kh = tmp.resolve("known_hosts");
        Files.writeString(kh, addr1() + " ssh-ed25519 " + otherKey + "\n");
        String fpOld = fingerprintOf(tmp.resolve("other.pub"));
        for (boolean hashed : new boolean[] {false, true}) {
            if (hashed) {
                run("ssh-keygen", "-q", "-H", "-f", kh.toString());
                assertTrue(Files.readString(kh).startsWith("|1|"));
            }
            HostException e = assertThrows(HostException.class, () -> SshHost.connect(options(bed.node(1)).withKnownHosts(kh)));
            String m = e.getMessage();
            assertTrue(m.startsWith(label1() + ": HOST KEY CHANGED: the host presented ssh-ed25519 "
                    + fingerprint(bed.node(1), "ed25519") + " but " + kh + " holds ssh-ed25519 " + fpOld + " for " + addr1()), m);
            assertTrue(m.contains("ssh-keygen -R " + addr1() + " -f " + kh), m);
        }
        // The suggested fix works: remove the old entry, scan the new key, connect.
        String m = assertThrows(HostException.class, () -> SshHost.connect(options(bed.node(1)).withKnownHosts(kh))).getMessage();
        run("sh", "-c", m.substring(m.indexOf("ssh-keygen -R")).replaceFirst("`, then: ", " && "));
        try (SshHost h = SshHost.connect(options(bed.node(1)).withKnownHosts(kh))) {
            assertTrue(h.run("true", Duration.ofSeconds(10)).ok());
        }
    }

    @Test
    void aRefusedKeyIsNotRetriedAndSaysSo() throws Exception {
        Path other = tmp.resolve("stranger");
        run("ssh-keygen", "-q", "-t", "ed25519", "-N", "", "-f", other.toString());
        long t0 = System.nanoTime();
        HostException e = assertThrows(HostException.class,
                () -> SshHost.connect(options(bed.node(1)).withIdentities(List.of(other))));
        assertTrue(e.getMessage().startsWith(label1() + ": root@" + addr1() + " refused the key " + other), e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 5_000);
    }

    @Test
    void connectingIsBoundedInTimeAndAttempts() throws Exception {
        // A closed port: refused at once, each attempt.
        int closed;
        try (ServerSocket s = new ServerSocket(0, 1, InetAddress.getByName("127.0.0.1"))) {
            closed = s.getLocalPort();
        }
        SshHost.Options refused = options(bed.node(1)).withLabel("nobody").withPort(closed)
                .withConnect(Duration.ofSeconds(2), 3, Duration.ofMillis(100));
        SshHost.Options r = refused.withAddress("127.0.0.1");
        long t0 = System.nanoTime();
        HostException e = assertThrows(HostException.class, () -> SshHost.connect(r));
        assertEquals("nobody (127.0.0.1:" + closed + "): cannot connect to 127.0.0.1:" + closed
                + " after 3 attempts (each at most 2000 ms): connection refused", e.getMessage());
        assertTrue((System.nanoTime() - t0) / 1_000_000 < 10_000, "3 refused attempts are quick");

        // A port that accepts but never speaks SSH: each attempt ends at the connect timeout.
        try (ServerSocket silent = new ServerSocket(0, 50, InetAddress.getByName("127.0.0.1"))) {
            List<Socket> held = new ArrayList<>();
            AtomicBoolean stop = new AtomicBoolean();
            Thread acceptor = new Thread(() -> {
                while (!stop.get()) {
                    try {
                        held.add(silent.accept());
                    } catch (IOException ex) {
                        return;
                    }
                }
            });
            acceptor.start();
            SshHost.Options mute = r.withLabel("mute").withPort(silent.getLocalPort())
                    .withConnect(Duration.ofMillis(800), 2, Duration.ofMillis(100));
            long t1 = System.nanoTime();
            HostException e2 = assertThrows(HostException.class, () -> SshHost.connect(mute));
            long ms = (System.nanoTime() - t1) / 1_000_000;
            assertTrue(e2.getMessage().startsWith("mute (127.0.0.1:" + silent.getLocalPort() + "): cannot connect to 127.0.0.1:"
                    + silent.getLocalPort() + " after 2 attempts (each at most 800 ms)"), e2.getMessage());
            // Said in words, not as MINA's "DefaultConnectFuture[...]: Failed to get operation result within ...".
            assertTrue(e2.getMessage().contains(" ms): no answer in time") && !e2.getMessage().contains("Future["),
                    e2.getMessage());
            // A host that drops the SYN: MINA's own wait ends first, with its future's text (seen on a cut link).
            assertEquals("no answer in time (the host is down, or something drops its SSH packets)", SshHost.describe(
                    new org.apache.sshd.common.SshException("DefaultConnectFuture[root@/127.0.25.2:22]: Failed to get operation"
                            + " result within specified timeout: 10000 msec")));
            assertTrue(ms >= 1_600 && ms < 10_000, "took " + ms + " ms");
            assertEquals(2, held.size(), "one TCP connection per attempt");
            stop.set(true);
            silent.close();
            acceptor.join(5_000);
            for (Socket s : held) {
                s.close();
            }
        }
    }

    @Test
    void aLinkCutMidUploadEndsWithAClearErrorAndTheTargetUnchanged() throws Exception {
        Testbed.Node node = bed.node(2);
        byte[] data = new byte[48 * 1024 * 1024];
        new Random(11).nextBytes(data);
        Path local = tmp.resolve("big");
        Files.write(local, data);
        byte[] old = "v1\n".getBytes(StandardCharsets.UTF_8);
        SshHost.Options o = options(node).withHeartbeat(Duration.ofSeconds(1));
        try (SshHost h = SshHost.connect(o)) {
            assertTrue(h.run("mkdir -p /srv/cut", Duration.ofSeconds(10)).ok());
            h.write(old, "/srv/cut/app", 0755);
            AtomicBoolean cut = new AtomicBoolean();
            long[] cutAt = new long[1];
            long t0 = System.nanoTime();
            HostException e = assertThrows(HostException.class, () -> h.upload(local, "/srv/cut/app", 0755, (sent, total) -> {
                if (!cut.get() && sent >= total / 4) {
                    cut.set(true);
                    bed.link(node, false);
                    cutAt[0] = System.nanoTime();
                }
            }));
            long afterCutMs = (System.nanoTime() - cutAt[0]) / 1_000_000;
            assertTrue(cut.get(), "the link was cut during the upload");
            assertTrue(e.getMessage().startsWith(node.name() + " (" + node.address() + "): connection lost while uploading to /srv/cut/app"),
                    e.getMessage());
            assertTrue(afterCutMs < 20_000, "noticed " + afterCutMs + " ms after the cut");
            assertTrue((System.nanoTime() - t0) / 1_000_000 < 30_000);
        } finally {
            bed.link(node, true);
        }
        try (SshHost again = SshHost.connect(o)) {
            assertEquals(sha256(old), again.run("sha256sum < /srv/cut/app | cut -c1-64", Duration.ofSeconds(10)).stdout().strip(),
                    "the target is unchanged");
            // The host's shell removes the temporary file once its sshd sees the old connection is
            // gone (here: its retransmissions meet a reset once the link is back).
            String left = "";
            for (int i = 0; i < 60; i++) {
                left = again.run("ls -A /srv/cut", Duration.ofSeconds(10)).stdout();
                if (left.equals("app\n")) {
                    break;
                }
                Thread.sleep(500);
            }
            assertEquals("app\n", left, "the temporary file was removed");
        }
    }

    /**
     * The hosts target's unit (one renderer, {@code render.SystemdUnit}) on a real systemd: a JVM
     * stopped by SIGTERM runs its shutdown hooks and exits 143, and a stop must leave the unit
     * {@code inactive}, not {@code failed} ({@code SuccessExitStatus=143}). The hosts have no
     * Java, so the service is a script that exits as java does on SIGTERM; the same unit without
     * the directive ends failed, so the check can fail.
     */
    @Test
    void theHostsUnitEndsInactiveAfterAStopOfAServiceThatExits143() throws Exception {
        String dir = "/srv/unitstop";
        dev.slipway.config.SlipwayConfig config = dev.slipway.config.ConfigLoader.parse(Path.of("slipway.yaml"), """
                name: stopper
                deploy:
                  hosts:
                    dir: %s
                    rollout: {drainTimeout: 5s}
                    servers:
                      - {name: a, address: 10.0.0.1}
                """.formatted(dir));
        String unit = dev.slipway.deploy.hosts.HostUnit.render(config);
        assertTrue(unit.contains("\nSuccessExitStatus=143\n"), unit);
        String jvmLike = "#!/bin/sh\n# exits as a JVM does on SIGTERM: 128 + 15\ntrap 'exit 143' TERM\n"
                + "while :; do sleep 1 & wait $!; done\n";
        try (SshHost h = SshHost.connect(options(bed.node(1)))) {
            Host.CommandResult setup = h.run("set -e; mkdir -p " + dir + "/current; chmod 755 " + dir + " " + dir + "/current\n"
                    + "printf %s " + Shell.quote(jvmLike) + " > " + dir + "/current/stopper; chmod 755 " + dir + "/current/stopper\n"
                    + ": > " + dir + "/current/env", Duration.ofSeconds(20));
            assertTrue(setup.ok(), setup.stderr());
            for (boolean fixed : List.of(true, false)) {
                String text = fixed ? unit : unit.replace("SuccessExitStatus=143\n", "");
                Host.CommandResult r = h.run("set -e; printf %s " + Shell.quote(text) + " > /etc/systemd/system/stopper.service\n"
                        // Enabled, so that the stopped unit stays loaded (no garbage collection) to be asked.
                        + "systemctl daemon-reload; systemctl reset-failed stopper 2>/dev/null || true; systemctl enable -q stopper\n"
                        + "systemctl start stopper; sleep 1; systemctl is-active stopper\n"
                        + "systemctl stop stopper || true\n"
                        + "systemctl show stopper -p ActiveState -p Result -p ExecMainStatus", Duration.ofSeconds(60));
                assertTrue(r.ok(), r.stdout() + r.stderr());
                assertTrue(r.stdout().startsWith("active\n"), r.stdout());
                assertTrue(r.stdout().contains("ExecMainStatus=143"), "the service exited as a JVM does: " + r.stdout());
                if (fixed) {
                    assertTrue(r.stdout().contains("ActiveState=inactive") && r.stdout().contains("Result=success"), r.stdout());
                } else {
                    assertTrue(r.stdout().contains("ActiveState=failed") && r.stdout().contains("Result=exit-code"),
                            "without the directive the stop fails the unit: " + r.stdout());
                }
            }
            h.run("systemctl disable -q stopper; rm -f /etc/systemd/system/stopper.service; systemctl reset-failed stopper;"
                    + " systemctl daemon-reload",
                    Duration.ofSeconds(20));
        }
    }

    /**
     * Issue 20 item 8: a host whose disk is full. An upload into a full file system ends with the
     * connection's error, not ENOSPC; the deploy's check before it, and its explanation after it,
     * say "no space left on HOST:DIR". A 2 MiB tmpfs on the host stands for the full disk.
     */
    @Test
    void aFullDiskOnAHostIsNamedBeforeAndAfterAnUpload() throws Exception {
        Path big = tmp.resolve("release");
        byte[] data = new byte[3 * 1024 * 1024];
        new Random(7).nextBytes(data);
        Files.write(big, data);
        String dir = "/srv/fulldisk";
        try (SshHost h = SshHost.connect(options(bed.node(1)))) {
            Host.CommandResult m = h.run("mkdir -p " + dir + " && mount -t tmpfs -o size=2m slipway-full " + dir
                    + " && mkdir " + dir + "/releases", Duration.ofSeconds(20));
            assertTrue(m.ok(), m.stderr());
            try {
                dev.slipway.SlipwayException before = assertThrows(dev.slipway.SlipwayException.class,
                        () -> dev.slipway.deploy.DiskSpace.require(h, dir + "/releases/2.0.0", data.length, "release 2.0.0"));
                assertEquals(1, before.exitCode());
                assertTrue(before.getMessage().matches("no space left on " + java.util.regex.Pattern.quote(label1() + ":" + dir)
                        + "/releases/2\\.0\\.0 \\(2\\.\\d MB free\\): release 2\\.0\\.0 needs 4\\.2 MB; nothing was switched"
                        + " on it: free some space and deploy again"), before.getMessage());
                // Room enough: no word.
                dev.slipway.deploy.DiskSpace.require(h, dir + "/releases/2.0.0", 100_000, "release 2.0.0");

                // Without the check, the upload fails; the explanation names the disk.
                RuntimeException upload = assertThrows(RuntimeException.class,
                        () -> h.upload(big, dir + "/releases/app", 0755, Host.Progress.NONE));
                RuntimeException said = dev.slipway.deploy.DiskSpace.explain(h, dir + "/releases", data.length, upload);
                assertTrue(said.getMessage().startsWith("no space left on " + label1() + ":" + dir + "/releases ("),
                        said.getMessage() + " (the upload said: " + upload.getMessage() + ")");
                assertTrue(said instanceof dev.slipway.SlipwayException x && x.exitCode() == 1, said.toString());
                // An error with room left is passed on as it is.
                assertTrue(dev.slipway.deploy.DiskSpace.explain(h, "/", 1000, upload) == upload);
            } finally {
                h.run("umount " + dir, Duration.ofSeconds(20));
            }
        }
    }

    private static String fingerprintOf(Path pub) throws Exception {
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", pub.toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        return out.split(" ")[1];
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), String.join(" ", cmd) + ": " + out);
        assertNotEquals(null, out);
    }
}
