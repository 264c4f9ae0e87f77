package dev.slipway;

import static org.junit.jupiter.api.Assertions.fail;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.StringJoiner;
import java.util.concurrent.TimeUnit;

/**
 * Real Debian test hosts (systemd + OpenSSH sshd, no Java) booted with {@code testbed/hosts.sh}.
 *
 * <p>Boot once per test class ({@code @BeforeAll}) and {@link #close()} in {@code @AfterAll}. Each
 * class uses its own {@code prefix} and address range, and each run (JVM) its own
 * {@link TestbedSlot} of names, addresses and namespaces, so classes and parallel runs don't
 * collide. Needs root, systemd-nspawn and debootstrap (or a prepared rootfs): under
 * {@code CI=true} a missing prerequisite fails the test, elsewhere it skips.
 */
public final class Testbed implements AutoCloseable {
    /** Where hosts.sh keeps its cache (rootfs, client keys). */
    public static final Path CACHE = Path.of(System.getenv().getOrDefault("SLIPWAY_HOSTS_CACHE", "/var/cache/slipway-testbed/hosts"));
    /** Where hosts.sh writes the state of booted hosts, one directory per prefix. */
    public static final Path RUN = Path.of(System.getenv().getOrDefault("SLIPWAY_HOSTS_RUN", "/run/slipway-testbed"));

    /**
     * One booted host.
     *
     * @param name    machine name, e.g. {@code web1}
     * @param address the address its sshd listens on
     * @param port    sshd's port
     * @param pid     pid of its systemd-nspawn on this machine
     */
    public record Node(String name, String address, int port, long pid) { }

    private final String prefix;
    private final List<Node> nodes;

    private Testbed(String prefix, List<Node> nodes) {
        this.prefix = prefix;
        this.nodes = nodes;
    }

    /** @return the repository's root (system property {@code slipway.repo}, else the parent of the module) */
    public static Path repo() {
        return Path.of(System.getProperty("slipway.repo", "..")).toAbsolutePath().normalize();
    }

    /**
     * Boots {@code count} hosts {@code prefix1..prefixN} at {@code base}K... ({@code hosts.sh up}).
     *
     * @param count   number of hosts
     * @param classPrefix machine name prefix, unique per test class; the hosts' names add this
     *                run's slot ({@link TestbedSlot#prefix})
     * @param classBase   first address as the test is written, e.g. {@code 127.0.1.1}; this run
     *                uses the same last octet in its own range ({@link TestbedSlot#address})
     * @param netns   numbers (1-based) of the hosts that get their own network namespace
     * @return the booted hosts; close it to stop them
     */
    public static Testbed up(int count, String classPrefix, String classBase, int... netns) {
        // This run's own names, addresses and namespaces (issue 20, item 18): another run's hosts,
        // or another user of hosts.sh, never share them.
        TestbedSlot slot = TestbedSlot.current();
        String prefix = slot.prefix(classPrefix);
        String base = slot.address(classBase);
        Tools.requireThat(Tools.root(), "root, to boot test hosts with systemd-nspawn");
        Tools.require("systemd-nspawn");
        Tools.require("ssh-keygen");
        Tools.requireThat(Files.isDirectory(CACHE.resolve("rootfs")) || Tools.onPath("debootstrap"),
                "the hosts testbed (testbed/hosts.sh prepare, run by .ci/run)");
        sh(600, "prepare");
        List<String> args = new ArrayList<>(List.of("up", String.valueOf(count), "--prefix", prefix, "--base", base));
        if (netns.length > 0) {
            StringJoiner j = new StringJoiner(",");
            for (int n : netns) {
                j.add(String.valueOf(n));
            }
            args.add("--netns");
            args.add(j.toString());
            args.add("--netns-first");
            args.add(String.valueOf(slot.netnsOctet(Integer.parseInt(classBase.substring(classBase.lastIndexOf('.') + 1)))));
        }
        try {
            sh(120, args.toArray(String[]::new));
        } catch (AssertionError e) {
            // Stop whatever booted before the failure; no host outlives its test class.
            try {
                sh(60, "down", "--prefix", prefix);
            } catch (AssertionError ignored) {
                e.addSuppressed(ignored);
            }
            throw e;
        }
        List<Node> nodes = new ArrayList<>();
        try {
            for (String line : Files.readAllLines(RUN.resolve(prefix).resolve("hosts"))) {
                String[] f = line.trim().split("\\s+");
                nodes.add(new Node(f[0], f[1], Integer.parseInt(f[2]), Long.parseLong(f[3])));
            }
        } catch (IOException e) {
            throw new AssertionError("hosts.sh up wrote no state file", e);
        }
        return new Testbed(prefix, nodes);
    }

    /** @return hosts.sh's state directory of these hosts ({@code RUN/<prefix>}) */
    public Path stateDir() {
        return RUN.resolve(prefix);
    }

    /** @return the booted hosts, in order */
    public List<Node> nodes() {
        return nodes;
    }

    /** @param i the host's number, 1-based @return that host */
    public Node node(int i) {
        return nodes.get(i - 1);
    }

    /** @return a known_hosts file with plain entries for every host key of every host */
    public Path knownHosts() {
        return RUN.resolve(prefix).resolve("known_hosts");
    }

    /** @return the same entries hashed ({@code |1|salt|hash}) */
    public Path knownHostsHashed() {
        return RUN.resolve(prefix).resolve("known_hosts.hashed");
    }

    /** @return the test client's private key (ed25519, no passphrase), authorized for root on every host */
    public static Path clientKey() {
        return CACHE.resolve("id_ed25519");
    }

    /** @return the test client's ECDSA private key, also authorized */
    public static Path clientKeyEcdsa() {
        return CACHE.resolve("id_ecdsa");
    }

    /**
     * Runs a command on a host as root, over a new SSH connection.
     *
     * @param i       the host's number, 1-based
     * @param command the shell command
     * @return its standard output, stripped (60 s at most)
     */
    public String run(int i, String command) {
        Node n = node(i);
        try (dev.slipway.remote.Host h = dev.slipway.remote.SshHost.connect(dev.slipway.remote.SshHost.Options.of(n.address())
                .withLabel(n.name()).withIdentities(List.of(clientKey())).withKnownHosts(knownHosts()))) {
            return h.run(command, java.time.Duration.ofSeconds(60)).stdout().strip();
        }
    }

    /** Sets a netns host's link up or down ({@code hosts.sh link}). */
    public void link(Node node, boolean up) {
        sh(30, "link", node.name(), up ? "up" : "down", "--prefix", prefix);
    }

    /** Stops the hosts ({@code hosts.sh down}); bounded. */
    @Override
    public void close() {
        sh(60, "down", "--prefix", prefix);
    }

    private static void sh(int timeoutSeconds, String... args) {
        List<String> cmd = new ArrayList<>(List.of("bash", repo().resolve("testbed/hosts.sh").toString()));
        cmd.addAll(List.of(args));
        try {
            Path log = Files.createTempFile("hosts-sh", ".log");
            try {
                Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(log.toFile())
                        .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
                if (!p.waitFor(timeoutSeconds, TimeUnit.SECONDS)) {
                    p.destroyForcibly();
                    fail("testbed/hosts.sh " + String.join(" ", args) + " ran longer than " + timeoutSeconds + " s:\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
                if (p.exitValue() != 0) {
                    fail("testbed/hosts.sh " + String.join(" ", args) + " failed (exit " + p.exitValue() + "):\n"
                            + Files.readString(log, StandardCharsets.UTF_8));
                }
            } finally {
                Files.deleteIfExists(log);
            }
        } catch (IOException e) {
            throw new AssertionError("cannot run testbed/hosts.sh", e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new AssertionError("interrupted", e);
        }
    }
}
