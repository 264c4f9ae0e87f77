package dev.slipway.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.SilentServer;
import java.net.ServerSocket;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The one readiness gate through both of its probers against real sockets: from this JVM
 * ({@link Gate#here}) and on a host ({@link Gate#onHost}, its bash script run on this machine over
 * {@link LocalHost}; no unit of that name runs here, so a failing attempt ends that gate as "down" at once).
 */
class GateTest {
    /**
     * The gate's HTTP client is made by the first probe from here, not when the class loads: its
     * selector thread waits in native code, and the JVM's exit then waits about 0.3 s for it, on
     * every hosts command (whose gates run on the host). A fresh JVM shows it: after the class is
     * used without a probe from here there is no such thread; after one probe there is.
     */
    @Test
    void theHttpClientStartsWithTheFirstProbeFromHere() throws Exception {
        Process p = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "java").toString(),
                "-cp", System.getProperty("java.class.path"), SelectorThreads.class.getName())
                .redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), java.nio.charset.StandardCharsets.UTF_8).strip();
        assertTrue(p.waitFor(60, java.util.concurrent.TimeUnit.SECONDS));
        assertEquals("after the class: false\nafter a probe: true", out);
    }

    /** The child JVM of {@link #theHttpClientStartsWithTheFirstProbeFromHere}. */
    static final class SelectorThreads {
        public static void main(String[] args) {
            Gate.url("127.0.0.1", 1, "/"); // the class is loaded and initialized
            System.out.println("after the class: " + selector());
            try (ServerSocket closed = new ServerSocket(0)) {
                int port = closed.getLocalPort();
                closed.close();
                Gate.probeOnce(Gate.url("127.0.0.1", port, "/"), Duration.ofMillis(500));
            } catch (java.io.IOException e) {
                throw new java.io.UncheckedIOException(e);
            }
            System.out.println("after a probe: " + selector());
            System.exit(0);
        }

        private static boolean selector() {
            return Thread.getAllStackTraces().keySet().stream().anyMatch(t -> t.getName().contains("SelectorManager"));
        }
    }

    static final SlipwayConfig.Probe TCP = new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.TCP, null,
            Duration.ofMillis(200), Duration.ofSeconds(1), Duration.ZERO);
    static final SlipwayConfig.Probe HTTP = new SlipwayConfig.Probe("/health/ready", Duration.ofMillis(200),
            Duration.ofSeconds(1), Duration.ZERO);
    static final SlipwayConfig.Probe HOST_TCP = new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.TCP, null,
            Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ZERO);
    /** Probes whose timeout no passing or final attempt waits for: a gate that reaches it did not end by itself. */
    static final SlipwayConfig.Probe LONG_TCP = new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.TCP, null,
            Duration.ofMillis(200), Duration.ofSeconds(300), Duration.ZERO);
    static final SlipwayConfig.Probe LONG_HTTP = new SlipwayConfig.Probe("/health/ready", Duration.ofMillis(200),
            Duration.ofSeconds(300), Duration.ZERO);
    /** systemd's state of a unit that does not exist here (as hosts/Systemd asks it). */
    static final String NO_UNIT = "systemctl is-active 'slipway-test-none.service'";

    // ---- from here -------------------------------------------------------------------------------

    @Test
    void aPortThatAcceptsButNeverAnswersPassesTcpAndFailsHttp() throws Exception {
        try (SilentServer server = new SilentServer()) {
            Gate.Verdict tcp = Gate.await("127.0.0.1", server.port(), TCP, () -> true);
            assertTrue(tcp.ready(), tcp.toString());
            assertEquals(0, tcp.status());
            assertEquals("TCP connection accepted", tcp.describe());
            assertTrue(server.accepted() >= 1 || waitForAccept(server), "the probe really connected");

            Gate.Verdict http = Gate.await("127.0.0.1", server.port(), HTTP, () -> true);
            assertFalse(http.ready(), http.toString());
            assertEquals(0, http.status(), "no HTTP status ever came");
            assertTrue(http.describe().startsWith("no answer ("), http.describe());
            assertFalse(http.exited(), "it timed out; the process runs");
        }
    }

    @Test
    void aSlowAnswerIsWaitedForAndShownNotCalledNoAnswer() throws Exception {
        // Quarkus's readiness with a wrong database password: 503 and the driver's cause in the body,
        // after 1.03-1.2 s. The local gate's attempts lasted one interval (here 200 ms), so every one
        // timed out and the deploy failed with "no answer (HttpTimeoutException)"; on a host the
        // same gate waits 5 s per attempt.
        com.sun.net.httpserver.HttpServer server = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.createContext("/health/ready", ex -> {
            Gate.sleep(Duration.ofMillis(1200));
            // Quarkus 3.33's document, pretty-printed as it sends it.
            byte[] body = ("{\n    \"status\": \"DOWN\",\n    \"checks\": [\n        {\n            \"name\": \"Database connections"
                    + " health check\",\n            \"status\": \"DOWN\",\n            \"data\": {\n                \"<default>\":"
                    + " \"Unable to execute the validation check for the default DataSource: FATAL: password authentication"
                    + " failed for user \\\"postgres\\\"\"\n            }\n        }\n    ]\n}").getBytes(java.nio.charset.StandardCharsets.UTF_8);
            ex.sendResponseHeaders(503, body.length);
            ex.getResponseBody().write(body);
            ex.close();
        });
        server.setExecutor(java.util.concurrent.Executors.newFixedThreadPool(4));
        server.start();
        try {
            SlipwayConfig.Probe probe = new SlipwayConfig.Probe("/health/ready", Duration.ofMillis(200),
                    Duration.ofSeconds(4), Duration.ZERO);
            Gate.Verdict v = Gate.await("127.0.0.1", server.getAddress().getPort(), probe, () -> true);
            assertFalse(v.ready(), v.toString());
            assertEquals(503, v.status(), v.describe());
            assertTrue(v.describe().startsWith("HTTP 503: { \"status\": \"DOWN\", \"checks\": [ {"), v.describe());
            assertTrue(v.describe().contains("FATAL: password authentication failed for user \\\"postgres\\\"\" } } ] }"),
                    "the whole document on one line, the driver's cause in it: " + v.describe());
        } finally {
            server.stop(0);
        }
    }

    @Test
    void aClosedPortFailsTcpWithTheConnectError() throws Exception {
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        long t0 = System.nanoTime();
        Gate.Verdict v = Gate.await("127.0.0.1", port, TCP, () -> true);
        assertFalse(v.ready());
        assertTrue(v.describe().contains("Connection refused"), v.describe());
        assertTrue(System.nanoTime() - t0 >= Duration.ofMillis(800).toNanos(), "it kept trying until the timeout");
        assertFalse(Gate.probeOnce("127.0.0.1", port, TCP, Duration.ofSeconds(1)).ready());
    }

    @Test
    void aProcessThatExitedEndsTheTcpWaitAtOnce() {
        Gate.Verdict v = Gate.await("127.0.0.1", 9, TCP, () -> false);
        assertFalse(v.ready());
        assertEquals("the process exited", v.detail());
        assertTrue(v.exited());
    }

    @Test
    void aPortThatAnotherProcessHoldsDoesNotPassForTheService() throws Exception {
        // The service (here: a sleep that listens on nothing, as an app that failed to bind) and a
        // port that another process (this JVM) took first: the probe connects, but not to the service.
        Process service = new ProcessBuilder("sleep", "30").start();
        try (ServerSocket other = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"))) {
            Gate.Verdict v = Gate.here("127.0.0.1", other.getLocalPort(), service::isAlive, service::pid).await(LONG_TCP);
            assertFalse(v.ready(), v.toString());
            assertTrue(v.describe().startsWith("another process answers on port " + other.getLocalPort()
                    + ": pid " + ProcessHandle.current().pid() + " ("), v.describe());
            assertTrue(v.describe().contains("not the service's process (pid " + service.pid() + ")"), v.describe());
            assertFalse(v.exited(), "the service still runs");
            assertTrue(v.elapsed().compareTo(LONG_TCP.timeout()) < 0, "it ended there, not at the timeout: " + v);

            // The same port, with the listener's own process as the service's: it passes.
            Gate.Verdict own = Gate.here("127.0.0.1", other.getLocalPort(), () -> true,
                    () -> ProcessHandle.current().pid()).await(TCP);
            assertTrue(own.ready(), own.toString());
        } finally {
            service.destroy();
        }
    }

    @Test
    void anHttpProbeOnAnHttpsOnlyPortEndsAtOnceAndSaysSo(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp)
            throws Exception {
        // An HTTPS-only service (the JDK's HttpsServer with a self-signed key, as keytool makes it):
        // the plain HTTP probe never passes; the gate used to wait out its timeout with "no answer".
        java.nio.file.Path store = tmp.resolve("server.p12");
        Process keytool = new ProcessBuilder(java.nio.file.Path.of(System.getProperty("java.home"), "bin", "keytool").toString(),
                "-genkeypair", "-alias", "s", "-keyalg", "EC", "-dname", "CN=localhost", "-validity", "2",
                "-storetype", "PKCS12", "-keystore", store.toString(), "-storepass", "changeit", "-keypass", "changeit")
                .redirectErrorStream(true).start();
        keytool.getInputStream().readAllBytes();
        assertEquals(0, keytool.waitFor(), "keytool made the key");
        java.security.KeyStore ks = java.security.KeyStore.getInstance("PKCS12");
        try (java.io.InputStream in = java.nio.file.Files.newInputStream(store)) {
            ks.load(in, "changeit".toCharArray());
        }
        javax.net.ssl.KeyManagerFactory kmf = javax.net.ssl.KeyManagerFactory.getInstance(
                javax.net.ssl.KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(ks, "changeit".toCharArray());
        javax.net.ssl.SSLContext tls = javax.net.ssl.SSLContext.getInstance("TLS");
        tls.init(kmf.getKeyManagers(), null, null);
        com.sun.net.httpserver.HttpsServer server = com.sun.net.httpserver.HttpsServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        server.setHttpsConfigurator(new com.sun.net.httpserver.HttpsConfigurator(tls));
        server.createContext("/health/ready", ex -> {
            ex.sendResponseHeaders(200, -1);
            ex.close();
        });
        server.start();
        try {
            int port = server.getAddress().getPort();
            Gate.Verdict v = Gate.await("127.0.0.1", port, LONG_HTTP, () -> true);
            assertFalse(v.ready(), v.toString());
            assertTrue(v.describe().startsWith("the port speaks TLS (HTTPS) only and the readiness probe speaks plain HTTP ("),
                    v.describe());
            assertTrue(v.describe().contains("set service.scheme: https and service.readiness.type: tcp"), v.describe());
            assertTrue(v.elapsed().compareTo(LONG_HTTP.timeout()) < 0, "it ended there, not at the timeout: " + v);
            assertTrue(Gate.await("127.0.0.1", port, TCP, () -> true).ready(), "a tcp probe passes there");
        } finally {
            server.stop(0);
        }
        try (SilentServer silent = new SilentServer()) {
            Gate.Verdict v = Gate.await("127.0.0.1", silent.port(), HTTP, () -> true);
            assertTrue(v.describe().startsWith("no answer ("), "no TLS there: " + v.describe());
        }
    }

    // ---- on a host -------------------------------------------------------------------------------

    @Test
    void onAHostATcpGatePassesOnAPortThatAcceptsAndAnHttpGateDoesNot() throws Exception {
        Tools.require("bash");
        Tools.require("timeout");
        try (SilentServer server = new SilentServer(); LocalHost host = new LocalHost("local")) {
            Gate.Verdict tcp = Gate.onHost(host, NO_UNIT, "127.0.0.1", server.port()).await(HOST_TCP);
            assertTrue(tcp.ready(), tcp.toString());
            assertEquals(0, tcp.status());
            assertTrue(tcp.describe().startsWith("TCP connection accepted"), tcp.describe());

            Gate.Verdict http = Gate.onHost(host, NO_UNIT, "127.0.0.1", server.port())
                    .await(new SlipwayConfig.Probe("/health/ready", Duration.ofMillis(200), Duration.ofSeconds(2), Duration.ZERO));
            assertFalse(http.ready(), http.toString());
            assertEquals(0, http.status(), "no HTTP status line came");
            assertTrue(http.exited(), "the unit does not run: " + http);
        }
    }

    @Test
    void onAHostATcpGateFailsOnAClosedPortWithTheConnectError() throws Exception {
        Tools.require("bash");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LocalHost host = new LocalHost("local")) {
            Gate.Verdict v = Gate.onHost(host, NO_UNIT, "127.0.0.1", port).await(HOST_TCP);
            assertFalse(v.ready(), v.toString());
            assertTrue(v.describe().startsWith("no answer (") && v.describe().contains("refused"), v.describe());
        }
    }

    @Test
    void onAHostTheServiceStateComesFromItsManager() throws Exception {
        Tools.require("bash");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        try (LocalHost host = new LocalHost("local")) {
            // A manager that says the service runs: the gate keeps trying until its timeout.
            Gate.Verdict v = Gate.onHost(host, "echo active", "127.0.0.1", port).await(HOST_TCP);
            assertFalse(v.ready(), v.toString());
            assertEquals("active", v.state());
            assertFalse(v.exited(), v.toString());
            assertTrue(v.elapsed().toMillis() >= 1900, "it tried until the timeout: " + v);
            // One that says it stopped: the gate ends at the first failing attempt.
            Gate.Verdict down = Gate.onHost(host, "echo failed", "127.0.0.1", port).await(HOST_TCP);
            assertTrue(down.exited(), down.toString());
            assertTrue(down.elapsed().toMillis() < 1900, "it did not wait for the timeout: " + down);
        }
    }

    @Test
    void onAHostAnAutomaticRestartEndsTheGateWithTheExit(@org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        Tools.require("bash");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // A manager that says "active" but counts one more automatic restart at each look (a crash loop).
        String counter = tmp.resolve("n").toString();
        String looping = "n=$(cat '" + counter + "' 2>/dev/null || echo 0); echo $((n + 1)) > '" + counter + "'; echo \"active $n 0\"";
        try (LocalHost host = new LocalHost("local")) {
            Gate.Verdict v = Gate.onHost(host, looping, "127.0.0.1", port).await(HOST_TCP);
            assertTrue(v.exited(), v.toString());
            assertEquals("restarted", v.state());
            assertEquals("the process exited; systemd restarted it once", v.detail());
            assertTrue(v.elapsed().toMillis() < 1900, "it did not wait for the timeout: " + v);
            // Between two tries (RestartSec), systemd's state: the exit status is the failed run's.
            Gate.Verdict waiting = Gate.onHost(host, "echo 'auto-restart 0 1'", "127.0.0.1", port).await(HOST_TCP);
            assertTrue(waiting.exited(), waiting.toString());
            assertEquals("the process exited with exit code 1; systemd is about to restart it", waiting.detail());
            assertEquals(waiting.detail(), waiting.describe(), "the detail says what the state auto-restart says");
        }
    }

    /** Probes whose startup grace no crash must wait out: a gate that ends before it ended on the crash. */
    static final SlipwayConfig.Probe GRACE_TCP = new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.TCP, null,
            Duration.ofMillis(200), Duration.ofSeconds(300), Duration.ofSeconds(120));

    @Test
    void onAHostACrashLoopInTheStartupGraceEndsTheGateThereWithTheRestartsAndSystemdGivingUp(
            @org.junit.jupiter.api.io.TempDir java.nio.file.Path tmp) throws Exception {
        Tools.require("bash");
        int port;
        try (ServerSocket s = new ServerSocket(0)) {
            port = s.getLocalPort();
        }
        // systemd's account of a unit that crash-loops (exit status 1) until its start limit: "activating"
        // with one more restart at each look, then "failed" with Result=start-limit-hit after 4 restarts.
        String counter = tmp.resolve("n").toString();
        String looping = "n=$(cat '" + counter + "' 2>/dev/null || echo 0); echo $((n + 1)) > '" + counter + "';"
                + " if [ $n -lt 4 ]; then echo \"activating $n 1 0 exit-code\"; else echo \"failed 4 1 0 start-limit-hit\"; fi";
        try (LocalHost host = new LocalHost("local")) {
            Gate.Verdict v = Gate.onHost(host, looping, "127.0.0.1", port).await(GRACE_TCP);
            assertTrue(v.exited(), v.toString());
            assertEquals("restarted", v.state(), "the first restart in the grace ends it: " + v);
            assertEquals("the process exited with exit code 1; systemd restarted it once", v.describe());
            assertTrue(v.elapsed().compareTo(GRACE_TCP.startupGrace()) < 0, "it ended in the startup grace: " + v);
            // Where the gate began after the loop: systemd gave up on the unit; no attempt is made in the grace.
            Gate.Verdict gaveUp = Gate.onHost(host, "echo 'failed 4 1 0 start-limit-hit'", "127.0.0.1", port).await(GRACE_TCP);
            assertTrue(gaveUp.exited(), gaveUp.toString());
            assertEquals("failed", gaveUp.state());
            assertEquals("the process exited with exit code 1; systemd gave up (start limit hit)", gaveUp.describe());
            assertTrue(gaveUp.elapsed().compareTo(GRACE_TCP.startupGrace()) < 0, "it ended in the startup grace: " + gaveUp);
        }
    }

    @Test
    void aProcessThatExitsInTheStartupGraceEndsTheGateFromHereThere() {
        java.util.concurrent.atomic.AtomicInteger looks = new java.util.concurrent.atomic.AtomicInteger();
        java.util.concurrent.atomic.AtomicInteger attempts = new java.util.concurrent.atomic.AtomicInteger();
        Gate.Verdict v = Gate.poll(GRACE_TCP, () -> looks.incrementAndGet() < 3, t -> {
            attempts.incrementAndGet();
            return new Gate.Verdict(false, 0, "Connection refused", t);
        });
        assertTrue(v.exited(), v.toString());
        assertEquals(Gate.EXITED, v.detail());
        assertEquals(3, looks.get(), "the process was looked at in the grace until it was gone");
        assertEquals(0, attempts.get(), "no attempt in the grace");
        assertTrue(v.elapsed().compareTo(GRACE_TCP.startupGrace()) < 0, "it ended in the startup grace: " + v);
    }

    @Test
    void theCrashOfAUnitReadsAsSystemdTellsIt() {
        assertEquals("the process exited with exit code 1; systemd restarted it 4 times, then gave up (start limit hit)",
                Gate.crashed(1, 4, "failed", true));
        assertEquals("the process exited; systemd gave up (start limit hit)", Gate.crashed(0, 0, "failed", true));
        assertEquals("the process exited with exit code 3; systemd restarted it once", Gate.crashed(3, 1, "restarted", false));
        assertEquals("the process exited with exit code 1; systemd is about to restart it", Gate.crashed(1, 0, "auto-restart", false));
        assertEquals("the process exited with exit code 1", Gate.crashed(1, 0, "failed", false));
        // The on-host gate's line with the unit's Result: systemd's word decides, the unit's state is not repeated.
        Gate.Verdict v = Gate.parse("bash: line 1: connect: Connection refused\n\n@@gate result=down code=0 state=failed"
                + " elapsed=6200 restarts=4 status=1 port=8080 pid=0 unit=start-limit-hit\n", "");
        assertTrue(v.exited(), v.toString());
        assertEquals(6200, v.elapsed().toMillis());
        assertEquals("the process exited with exit code 1; systemd restarted it 4 times, then gave up (start limit hit)", v.describe());
        // A unit that failed without being restarted (no Restart=) keeps its state in the account.
        Gate.Verdict failed = Gate.parse("\n@@gate result=down code=0 state=failed elapsed=900 restarts=0 status=1 port=8080 pid=0 unit=exit-code\n", "");
        assertEquals("the process exited with exit code 1; unit failed", failed.describe());
        // A state command without the fifth field (an older form): no account of giving up.
        Gate.Verdict old = Gate.parse("\n@@gate result=down code=0 state=auto-restart elapsed=900 restarts=2 status=1 port=8080 pid=\n", "");
        assertEquals("the process exited with exit code 1; systemd restarted it 2 times", old.describe());
    }

    /**
     * A listener the gate cannot see: the script runs in a PID namespace of its own that shares this
     * machine's network (as a test host on a loopback address, or a container with the host's network),
     * and this JVM, outside it, holds the port. The unit's main process is seen and listens on nothing,
     * so the attempt reached another process: not ready (found when a test host's unit crash-looped on a
     * port a service of the machine held, and its tcp gate passed).
     */
    @Test
    void onAHostAListenerOutsideItsPidNamespaceIsAnotherProcess() throws Exception {
        Tools.require("bash");
        Tools.require("unshare");
        Tools.requireThat(Tools.root(), "a PID namespace needs root");
        try (ServerSocket other = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
             LocalHost local = new LocalHost("local")) {
            int port = other.getLocalPort();
            Host hidden = (Host) java.lang.reflect.Proxy.newProxyInstance(Host.class.getClassLoader(), new Class<?>[] {Host.class},
                    (proxy, method, args) -> {
                        Object[] a = args;
                        if (method.getName().equals("run") && a != null && a.length > 0 && a[0] instanceof String c) {
                            a = a.clone();
                            a[0] = "unshare --pid --fork --mount-proc sh -c " + Shell.quote(c);
                        }
                        try {
                            return method.invoke(local, a);
                        } catch (java.lang.reflect.InvocationTargetException e) {
                            throw e.getCause();
                        }
                    });
            // The unit's main process: a sleep of the namespace, started by the state command, bound to nothing.
            String state = "sleep 30 > /dev/null 2>&1 & echo active 0 0 $!";
            Gate.Verdict v = Gate.onHost(hidden, state, "127.0.0.1", port).await(LONG_TCP);
            assertFalse(v.ready(), v.toString());
            assertTrue(v.describe().startsWith("another process answers on port " + port
                    + ": a process this host cannot see (another PID namespace on its network), not the service's process (pid "),
                    v.describe());
            assertTrue(v.elapsed().compareTo(LONG_TCP.timeout()) < 0, "it ended there, not at the timeout: " + v);

            // The same script outside the namespace sees the holder (this JVM) and names it.
            Process unit = new ProcessBuilder("sleep", "30").start();
            try {
                Gate.Verdict seen = Gate.onHost(local, "echo active 0 0 " + unit.pid(), "127.0.0.1", port).await(LONG_TCP);
                assertTrue(seen.describe().startsWith("another process answers on port " + port + ": pid "
                        + ProcessHandle.current().pid() + " ("), seen.describe());
            } finally {
                unit.destroy();
            }
        }
    }

    @Test
    void onAHostAPortThatAnotherProcessHoldsDoesNotPassForTheUnit() throws Exception {
        Tools.require("bash");
        Tools.require("timeout");
        // The unit's main process (a sleep that listens on nothing, as an app that failed to bind), told
        // as systemd's state command tells it, and a port that another process (this JVM) took first.
        Process service = new ProcessBuilder("sleep", "30").start();
        try (ServerSocket other = new ServerSocket(0, 50, java.net.InetAddress.getByName("127.0.0.1"));
             LocalHost host = new LocalHost("local")) {
            int port = other.getLocalPort();
            Gate.Verdict v = Gate.onHost(host, "echo active 0 0 " + service.pid(), "127.0.0.1", port).await(LONG_TCP);
            assertFalse(v.ready(), v.toString());
            assertTrue(v.describe().startsWith("another process answers on port " + port + ": pid "
                    + ProcessHandle.current().pid() + " ("), v.describe());
            assertTrue(v.describe().endsWith("), not the service's process (pid " + service.pid()
                    + "), which does not listen there"), v.describe());
            assertFalse(v.exited(), "the unit still runs");
            assertTrue(v.elapsed().compareTo(LONG_TCP.timeout()) < 0, "it ended there, not at the timeout: " + v);

            // A unit that runs no process (MainPID 0): any listener is another's.
            Gate.Verdict none = Gate.onHost(host, "echo activating 0 0 0", "127.0.0.1", port).await(LONG_TCP);
            assertTrue(none.describe().endsWith("not the service's process: its unit runs no process; unit activating"),
                    none.describe());

            // The listener's own process, or its parent, as the unit's main process: it passes.
            Gate.Verdict own = Gate.onHost(host, "echo active 0 0 " + ProcessHandle.current().pid(), "127.0.0.1", port)
                    .await(HOST_TCP);
            assertTrue(own.ready(), own.toString());
            long parent = ProcessHandle.current().parent().map(ProcessHandle::pid).orElseThrow();
            Gate.Verdict tree = Gate.onHost(host, "echo active 0 0 " + parent, "127.0.0.1", port).await(HOST_TCP);
            assertTrue(tree.ready(), "a descendant of the main process is the unit's: " + tree);

            // A state command that names no main process (three fields): no check, as before.
            Gate.Verdict untold = Gate.onHost(host, "echo active 0 0", "127.0.0.1", port).await(HOST_TCP);
            assertTrue(untold.ready(), untold.toString());
        } finally {
            service.destroy();
        }
    }

    @Test
    void anOtherListenerLineReadsAsItsVerdictWithTheCommandLineCut() {
        String cmd = "perl -MIO::Socket::INET -e " + "x".repeat(100);
        Gate.Verdict v = Gate.parse("pid 4242 (" + cmd + " )\n@@gate result=other code=0 state=active elapsed=7 restarts=0"
                + " status=0 port=18080 pid=4100\n", "");
        assertFalse(v.ready());
        assertEquals("another process answers on port 18080: pid 4242 (" + cmd.substring(0, 79) + "…), not the"
                + " service's process (pid 4100), which does not listen there", v.describe());
        assertFalse(v.exited());
    }

    /** @return a started HTTP/1.1 server on 127.0.0.1 (a free port) that answers every path with {@code status}, no body */
    private static com.sun.net.httpserver.HttpServer answering(int status) throws java.io.IOException {
        com.sun.net.httpserver.HttpServer http = com.sun.net.httpserver.HttpServer.create(
                new java.net.InetSocketAddress("127.0.0.1", 0), 0);
        http.createContext("/", x -> {
            x.sendResponseHeaders(status, -1);
            x.close();
        });
        http.start();
        return http;
    }

    @Test
    void onAHostAnotherProcessAnswering404OnThePortEndsTheGateNamingIt() throws Exception {
        Tools.require("bash");
        Tools.require("timeout");
        // Another app (this JVM's HTTP server) answers 404 on the port; the unit's process (a sleep)
        // failed to bind it. Before, only a passing attempt was checked: the 404 read as this app's.
        com.sun.net.httpserver.HttpServer other = answering(404);
        Process service = new ProcessBuilder("sleep", "30").start();
        try (LocalHost host = new LocalHost("local")) {
            int port = other.getAddress().getPort();
            Gate.Verdict v = Gate.onHost(host, "echo active 0 0 " + service.pid(), "127.0.0.1", port).await(LONG_HTTP);
            assertFalse(v.ready(), v.toString());
            assertTrue(v.describe().startsWith("another process answers on port " + port + ": pid "
                    + ProcessHandle.current().pid() + " ("), v.describe());
            assertEquals("", v.pathHint(), v.toString());
            assertTrue(v.elapsed().compareTo(LONG_HTTP.timeout()) < 0, "it ended there, not at the timeout: " + v);
            // The same from this JVM (the local target's gate).
            Gate.Verdict here = Gate.here("127.0.0.1", port, () -> true, service::pid).await(LONG_HTTP);
            assertTrue(here.describe().startsWith("another process answers on port " + port + ": pid "
                    + ProcessHandle.current().pid() + " "), here.describe());
            assertEquals("", here.pathHint(), here.toString());
            // The answering process as the unit's own: its 404 is the app's, and the advice stays.
            Gate.Verdict own = Gate.onHost(host, "echo active 0 0 " + ProcessHandle.current().pid(), "127.0.0.1", port)
                    .await(HTTP);
            assertEquals(404, own.status(), own.toString());
            assertFalse(own.pathHint().isEmpty(), own.toString());
        } finally {
            service.destroy();
            other.stop(0);
        }
    }

    @Test
    void anOtherListenerOfAnotherUnitIsNamedWithItsUnitAndGetsNoReadinessPathAdvice() {
        // The script's line for a holder under systemd ends with "of <unit>"; the gate ended on another app's 404 answer.
        Gate.Verdict v = Gate.parse("pid 4242 (java -jar quarkus-run.jar ) of qsvc.service\n@@gate result=other code= state=active"
                + " elapsed=7 restarts=0 status=0 port=8080 pid=4100\n", "");
        assertFalse(v.ready());
        assertEquals("another process answers on port 8080: pid 4242 (java -jar quarkus-run.jar) of qsvc.service, not the"
                + " service's process (pid 4100), which does not listen there", v.describe());
        assertEquals("", new Gate.Verdict(false, 404, v.detail(), Duration.ZERO).pathHint(),
                "the 404 was the other process's: no advice about this app's readiness path");
        assertFalse(new Gate.Verdict(false, 404, "Not Found", Duration.ZERO).pathHint().isEmpty());
    }

    @Test
    void aChunkedAnswerOnAHostReadsAsItsBody() {
        // Spring Boot's actuator answers HTTP/1.1 with Transfer-Encoding: chunked.
        String out = "HTTP/1.1 200 \r\nContent-Type: application/vnd.spring-boot.actuator.v3+json\r\n"
                + "Transfer-Encoding: chunked\r\nDate: Sun, 06 Dec 2026 02:00:00 GMT\r\nConnection: close\r\n\r\n"
                + "f\r\n{\"status\":\"UP\"}\r\n0\r\n\r\n\n@@gate result=ready code=200 state=active elapsed=12 restarts=0 status=0\n";
        Gate.Verdict v = Gate.parse(out, "");
        assertTrue(v.ready(), v.toString());
        assertEquals("{\"status\":\"UP\"}", v.detail());
        assertEquals("HTTP 200: {\"status\":\"UP\"}", v.brief());
        assertEquals("ab;cd", Gate.dechunk("2;ext=1\r\nab\r\n3\r\n;cd\r\n0\r\nTrailer: x\r\n\r\n"));
        // Not chunked: the body as it came.
        assertEquals("{\"status\":\"UP\"}", Gate.parse("HTTP/1.1 200 OK\r\nContent-Length: 15\r\n\r\n{\"status\":\"UP\"}\n"
                + "@@gate result=ready code=200 state=active elapsed=1\n", "").detail());
    }

    @Test
    void onlyAnHttp2ServerAnswersAGrpcHealthCheck() throws Exception {
        // The JDK's HTTP/1.1 server reads the HTTP/2 preface as a bad request: no answer. (A gRPC
        // server's answer is checked in GrpcProbeTest, against grpc-java in this JVM.)
        com.sun.net.httpserver.HttpServer http = answering(200);
        try {
            assertFalse(Gate.answersGrpc("127.0.0.1", http.getAddress().getPort(), Duration.ofSeconds(5)));
        } finally {
            http.stop(0);
        }
        int closed;
        try (ServerSocket s = new ServerSocket(0)) {
            closed = s.getLocalPort();
        }
        assertFalse(Gate.answersGrpc("127.0.0.1", closed, Duration.ofSeconds(5)), "a closed port");
    }

    /** A settle window of one second, checked every 100 ms. */
    static final SlipwayConfig.Probe PROCESS = new SlipwayConfig.Probe(SlipwayConfig.Probe.Type.PROCESS, null,
            Duration.ofMillis(100), Duration.ofSeconds(1), Duration.ZERO);

    @Test
    void aProcessProbePassesOnlyWhenTheProcessRunsThroughTheSettleWindow() {
        Gate.Verdict ok = Gate.await("127.0.0.1", 1, PROCESS, () -> true);
        assertTrue(ok.ready(), ok.toString());
        assertEquals(Gate.PROCESS_RUNNING, ok.detail());
        assertTrue(ok.elapsed().toMillis() >= 1000, "it waited the whole window: " + ok);
        long dies = System.nanoTime() + 300_000_000L;
        Gate.Verdict exited = Gate.await("127.0.0.1", 1, PROCESS, () -> System.nanoTime() < dies);
        assertFalse(exited.ready(), exited.toString());
        assertTrue(exited.exited(), exited.toString());
        assertTrue(exited.elapsed().toMillis() < 1000, "it failed when the process exited, not at the window's end: " + exited);
    }

    @Test
    void onAHostAProcessProbePassesWhileTheUnitRunsAndFailsWhenSystemdRestartsIt() throws Exception {
        java.nio.file.Path state = java.nio.file.Files.createTempFile("slipway-gate", ".state");
        try (LocalHost host = new LocalHost("local")) {
            java.nio.file.Files.writeString(state, "active 0 0\n");
            String command = "cat '" + state + "'";
            Gate.Verdict ok = Gate.onHost(host, command, "127.0.0.1", 1).await(PROCESS);
            assertTrue(ok.ready(), ok.toString());
            assertEquals(Gate.PROCESS_RUNNING, ok.detail());
            assertTrue(ok.elapsed().toMillis() >= 1000, ok.toString());
            Thread restart = new Thread(() -> {
                Gate.sleep(Duration.ofMillis(300));
                try {
                    java.nio.file.Files.writeString(state, "active 1 3\n"); // restarted once; the last exit status 3
                } catch (java.io.IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            java.nio.file.Files.writeString(state, "active 0 0\n");
            restart.start();
            Gate.Verdict restarted = Gate.onHost(host, command, "127.0.0.1", 1).await(PROCESS);
            restart.join();
            assertFalse(restarted.ready(), restarted.toString());
            assertEquals("the process exited with exit code 3; systemd restarted it once", restarted.detail());
            Gate.Verdict once = Gate.onHost(host, "echo failed 0 3", "127.0.0.1", 1).await(PROCESS.with(Duration.ZERO, Duration.ZERO));
            assertFalse(once.ready(), once.toString());
            assertTrue(Gate.onHost(host, "echo active", "127.0.0.1", 1).await(PROCESS.with(Duration.ZERO, Duration.ZERO)).ready(),
                    "one attempt passes while the unit runs");
        } finally {
            java.nio.file.Files.deleteIfExists(state);
        }
    }

    @Test
    void aTcpScriptSendsNoPathAndNoRequest() {
        String script = Gate.script(NO_UNIT, "127.0.0.1", 8080, TCP);
        assertFalse(script.contains("GET"), script);
        assertFalse(script.contains("q="), script);
        assertTrue(script.contains("exec 3<>\"/dev/tcp/$0/$1\"' \"$a\" \"$p\""), script);
    }

    @Test
    void gateOutputIsParsedIntoAVerdict() {
        Gate.Verdict ok = Gate.parse("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\n\r\n{\"status\":\"ok\"}\n"
                + "@@gate result=ready code=200 state=active elapsed=840\n", "");
        assertTrue(ok.ready());
        assertEquals(840, ok.elapsed().toMillis());
        assertEquals("{\"status\":\"ok\"}", ok.detail());
        Gate.Verdict down = Gate.parse("bash: line 1: connect: Connection refused\n\n@@gate result=down code=0 state=failed elapsed=3\n", "");
        assertFalse(down.ready());
        assertEquals("no answer (Connection refused); unit failed", down.describe());
        assertTrue(down.exited());
    }

    private static boolean waitForAccept(SilentServer server) throws InterruptedException {
        for (int i = 0; i < 50 && server.accepted() == 0; i++) {
            Thread.sleep(20);
        }
        return server.accepted() > 0;
    }
}
