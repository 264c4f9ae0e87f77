package dev.slipway;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * The Docker engine of {@code testbed/docker.sh} (started by {@code .ci/run}), found through
 * {@code DOCKER_HOST} ({@code unix://...}) as the CLI under test finds it; locally:
 * {@code export $(testbed/docker.sh up | tail -n 1)}. Runs the docker client (Debian's
 * {@code /usr/bin/docker}, whose API version is the engine's) with every call bounded in time.
 */
public final class DockerTestbed {
    private DockerTestbed() {}

    /** A finished docker command. */
    public record Run(int code, String out, String err) {
        @Override
        public String toString() {
            return "exit " + code + "\n--- out\n" + out + "--- err\n" + err;
        }

        /** @return this run, after asserting exit 0 */
        public Run ok() {
            if (code != 0) {
                fail("docker failed: " + this);
            }
            return this;
        }
    }

    /**
     * Requires the engine: {@code DOCKER_HOST} set to a UNIX socket that answers. Fails under
     * {@code CI=true}, skips elsewhere.
     */
    public static void require() {
        String host = System.getenv("DOCKER_HOST");
        Tools.requireThat(host != null && host.startsWith("unix://") && Files.exists(Path.of(host.substring(7))),
                "DOCKER_HOST=unix://... of a running engine (testbed/docker.sh up; .ci/run starts it)");
        Tools.requireThat(docker(30, "version").code() == 0, "the Docker engine at " + host + " answers");
    }

    /** @return the docker client: Debian's when installed, else the one on PATH */
    public static String client() {
        return Files.isExecutable(Path.of("/usr/bin/docker")) ? "/usr/bin/docker" : "docker";
    }

    /** Runs {@code docker ARGS} for at most {@code seconds}; a longer run is killed and fails the test. */
    public static Run docker(int seconds, String... args) {
        List<String> cmd = new ArrayList<>(List.of(client()));
        cmd.addAll(List.of(args));
        return run(seconds, cmd);
    }

    /** Runs a command for at most {@code seconds}, stdin from /dev/null. */
    public static Run run(int seconds, List<String> cmd) {
        try {
            Process p = new ProcessBuilder(cmd).redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")))
                    .start();
            CompletableFuture<String> out = CompletableFuture.supplyAsync(() -> read(p.getInputStream()));
            CompletableFuture<String> err = CompletableFuture.supplyAsync(() -> read(p.getErrorStream()));
            if (!p.waitFor(seconds, TimeUnit.SECONDS)) {
                p.descendants().forEach(ProcessHandle::destroyForcibly);
                p.destroyForcibly();
                fail(String.join(" ", cmd) + " ran longer than " + seconds + " s");
            }
            return new Run(p.exitValue(), out.get(10, TimeUnit.SECONDS), err.get(10, TimeUnit.SECONDS));
        } catch (IOException e) {
            throw new AssertionError("cannot run " + cmd, e);
        } catch (Exception e) {
            throw new AssertionError(String.join(" ", cmd) + ": " + e, e);
        }
    }

    /**
     * The base image the rendered Dockerfile's build stages start from ({@code docker.sh base}:
     * Debian bookworm from debootstrap, cached as a tarball, imported into this engine once).
     *
     * @return the image's name
     */
    public static String base() {
        String host = System.getenv("DOCKER_HOST");
        Path root = Path.of(host.substring("unix://".length())).getParent();
        Path script = Path.of(System.getProperty("slipway.repo", "..")).resolve("testbed/docker.sh");
        Run r = run(1200, List.of("env", "SLIPWAY_DOCKER_ROOT=" + root, "bash", script.toString(), "base")).ok();
        return r.out().strip().lines().reduce((a, b) -> b).orElseThrow();
    }

    /**
     * Imports a directory as an image of one layer ({@code docker import}), owned by root.
     *
     * @param dir  the directory, which becomes the image's root
     * @param name the image's name
     */
    public static void importDirectory(Path dir, String name) {
        Path tar = dir.resolveSibling(dir.getFileName() + ".tar");
        run(300, List.of("tar", "--owner=0", "--group=0", "-C", dir.toString(), "-cf", tar.toString(), ".")).ok();
        docker(300, "import", tar.toString(), name).ok();
    }

    /** Makes this engine a one-node swarm manager ({@code docker swarm init --advertise-addr 127.0.0.1}) unless it is one. */
    public static void swarm() {
        String state = docker(30, "info", "-f", "{{.Swarm.LocalNodeState}}").ok().out().strip();
        if (!state.equals("active")) {
            Run init = docker(60, "swarm", "init", "--advertise-addr", "127.0.0.1");
            if (init.code() != 0 && !init.err().contains("already part of a swarm")) {
                fail("docker swarm init: " + init);
            }
        }
    }

    /**
     * Two port prefixes for {@code deploy.swarm.portPrefixes} whose task ports (10 × prefix + slot,
     * slots 1 to {@code slots}) are free on 127.0.0.1: below the ephemeral range (32768-), where
     * client sockets of other tests could hold them, and spread by this JVM's pid.
     *
     * @param from   the lowest prefix to try
     * @param slots  the replicas each prefix serves
     * @return two prefixes
     */
    public static List<Integer> portPrefixes(int from, int slots) {
        List<Integer> prefixes = new ArrayList<>();
        for (int p = from + (int) (ProcessHandle.current().pid() % (3270 - from - 100)); prefixes.size() < 2 && p < 3270; p++) {
            boolean free = true;
            for (int slot = 1; slot <= slots && free; slot++) {
                try (java.net.ServerSocket s = new java.net.ServerSocket(10 * p + slot, 1,
                        java.net.InetAddress.getByName("127.0.0.1"))) {
                    free = s.isBound();
                } catch (IOException e) {
                    free = false;
                }
            }
            if (free) {
                prefixes.add(p);
            }
        }
        if (prefixes.size() < 2) {
            fail("no two free port prefixes from " + from);
        }
        return prefixes;
    }

    /**
     * Polls a URL every 250 ms until it answers {@code expected} or {@code seconds} pass, as a
     * started container becomes ready.
     *
     * @param url      the URL ({@link LocalRegistry#status}: -1 while nothing answers)
     * @param expected the HTTP status awaited
     * @param seconds  how long to wait at most
     * @return the last status seen: {@code expected}, or what it was when the time ran out
     * @throws InterruptedException when interrupted
     */
    public static int awaitStatus(String url, int expected, int seconds) throws InterruptedException {
        int status = -1;
        long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(seconds);
        while (status != expected && System.nanoTime() < deadline) {
            Thread.sleep(250);
            status = LocalRegistry.status(url);
        }
        return status;
    }

    /** A name unique to this run: {@code prefix-PID-NANOS}, for containers, services and repositories. */
    public static String unique(String prefix) {
        return prefix + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime() & 0xffffffL);
    }

    private static String read(InputStream in) {
        try (in) {
            return new String(in.readAllBytes(), StandardCharsets.UTF_8);
        } catch (IOException e) {
            return "(unreadable: " + e + ")";
        }
    }
}
