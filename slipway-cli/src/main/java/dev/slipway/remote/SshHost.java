package dev.slipway.remote;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.ConnectException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.DigestInputStream;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.security.PublicKey;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.EnumSet;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.sshd.client.SshClient;
import org.apache.sshd.client.channel.ChannelExec;
import org.apache.sshd.client.channel.ClientChannelEvent;
import org.apache.sshd.client.config.hosts.HostConfigEntryResolver;
import org.apache.sshd.client.keyverifier.ServerKeyVerifier;
import org.apache.sshd.client.session.ClientSession;
import org.apache.sshd.common.NamedFactory;
import org.apache.sshd.common.NamedResource;
import org.apache.sshd.common.cipher.Cipher;
import org.apache.sshd.common.config.keys.FilePasswordProvider;
import org.apache.sshd.common.keyprovider.KeyIdentityProvider;
import org.apache.sshd.common.signature.Signature;
import org.apache.sshd.common.util.security.SecurityUtils;
import org.apache.sshd.core.CoreModuleProperties;

/**
 * A Linux server reached over SSH (RFC 4251-4254) with Apache MINA SSHD, as a {@link Host}.
 *
 * <p>Connecting:
 * <ul>
 *   <li>public-key authentication with the configured key files (OpenSSH or PEM format, without
 *       passphrase), then with the keys of an ssh-agent ({@link UnixAgent}); no passwords;</li>
 *   <li>strict host-key checking against a known_hosts file ({@link KnownHosts}; hashed entries
 *       work). An unknown, changed or revoked key refuses the connection with the presented
 *       fingerprint and the command that fixes it. The host-key algorithms of the keys the file
 *       knows for the host are offered first, as OpenSSH's {@code ssh} does;</li>
 *   <li>each attempt (TCP connect, key exchange, authentication) is bounded by
 *       {@link Options#connectTimeout()}; failed attempts are retried up to
 *       {@link Options#attempts()} times in all, {@link Options#retryDelay()} times the attempt
 *       number apart. A refused host key or refused authentication is not retried;</li>
 *   <li>a keepalive request goes out every {@link Options#heartbeat()}; three without reply close
 *       the connection, so a dead link ends a command or an upload with a {@link HostException}
 *       within about four heartbeats instead of hanging. The next call connects again.</li>
 * </ul>
 * Commands run under the login shell of the user as {@code timeout -k 5 SECONDS sh -c COMMAND}
 * (GNU coreutils), so the host kills them when their time is up. Uploads stream the bytes
 * through {@code cat} into a temporary name in the target's directory, check them with
 * {@code sha256sum -c} on the host, then {@code chmod} and {@code mv -T} them into place.
 */
public final class SshHost implements Host {
    private static final int CHUNK = 64 * 1024;

    private final Options options;
    private final SshClient client;
    private final List<NamedFactory<Signature>> signatures;
    private volatile ClientSession session;

    private SshHost(Options options) {
        this.options = options;
        this.client = SshClient.setUpDefaultClient();
        // Nothing from ~/.ssh/config or default key files: only what the options say.
        client.setHostConfigEntryResolver(HostConfigEntryResolver.EMPTY);
        client.setKeyIdentityProvider(KeyIdentityProvider.EMPTY_KEYS_PROVIDER);
        CoreModuleProperties.IO_CONNECT_TIMEOUT.set(client, options.connectTimeout());
        CoreModuleProperties.AUTH_TIMEOUT.set(client, options.connectTimeout());
        CoreModuleProperties.CHANNEL_OPEN_TIMEOUT.set(client, options.connectTimeout());
        CoreModuleProperties.HEARTBEAT_INTERVAL.set(client, options.heartbeat());
        CoreModuleProperties.HEARTBEAT_REPLY_WAIT.set(client, options.heartbeat());
        CoreModuleProperties.HEARTBEAT_NO_REPLY_MAX.set(client, 3);
        // AES-GCM first: the JDK runs it on AES-NI and CLMUL, while MINA's default first choice,
        // chacha20-poly1305, is plain Java (bench/ssh.sh measures the difference on uploads).
        List<NamedFactory<Cipher>> ciphers = new ArrayList<>(client.getCipherFactories());
        ciphers.sort(Comparator.comparingInt(c -> c.getName().startsWith("aes128-gcm") ? 0
                : c.getName().startsWith("aes256-gcm") ? 1 : c.getName().startsWith("chacha20") ? 3 : 2));
        client.setCipherFactories(ciphers);
        if (options.agent() != null) {
            client.setAgentFactory(new UnixAgent.Factory(options.agent()));
        }
        signatures = List.copyOf(client.getSignatureFactories());
        client.start();
    }

    /**
     * Loads the SSH library's classes on a background (daemon) thread: its client set-up, security
     * providers and key parsers, which a first connection otherwise loads on its own path (over a
     * second on a loaded machine). For a command that will connect, called as soon as it is known
     * to, so the loading overlaps the command line's and configuration's. Nothing is connected
     * or started; a failure here is left to the real connection to report.
     */
    public static void warmUp() {
        Thread t = new Thread(() -> {
            try {
                SshClient c = SshClient.setUpDefaultClient();
                c.getCipherFactories();
                SecurityUtils.isEDDSACurveSupported();
                SecurityUtils.getKeyPairResourceParser();
                dev.slipway.Trace.mark("SSH classes warmed up");
            } catch (Throwable e) {
                // the connection itself reports what is wrong
            }
        }, "slipway-ssh-warm-up");
        t.setDaemon(true);
        t.start();
    }

    /**
     * Connects now, with bounded retries.
     *
     * @param options where and how to connect
     * @return a connected host; {@link #close()} it
     * @throws HostException when the host cannot be reached within the attempts, its host key is
     *                       not trusted, or authentication fails; the message names the host
     */
    public static SshHost connect(Options options) {
        dev.slipway.Trace.mark(options.displayName() + ": connecting");
        SshHost host = new SshHost(options);
        try {
            host.session();
            dev.slipway.Trace.mark(options.displayName() + ": connected (key exchange, authentication)");
            return host;
        } catch (RuntimeException e) {
            host.close();
            throw e;
        }
    }

    @Override
    public String name() {
        return options.displayName();
    }

    /** @return the options this host was connected with */
    public Options options() {
        return options;
    }

    @Override
    public CommandResult run(String command, Duration timeout) {
        long seconds = Math.max(1, (timeout.toMillis() + 999) / 1000);
        String wrapped = "exec timeout -k 5 " + seconds + " sh -c " + Shell.quote(command);
        long start = System.nanoTime();
        CommandResult r = exec(wrapped, null, 0, null, timeout.plusSeconds(10), "running `" + command + "`");
        long elapsedMs = (System.nanoTime() - start) / 1_000_000;
        if ((r.exitCode() == 124 || r.exitCode() == 137) && elapsedMs >= seconds * 1000) {
            throw new HostException(name() + ": command ran longer than " + timeout.toMillis() + " ms and was killed: " + command, null);
        }
        return r;
    }

    @Override
    public void upload(Path local, String remotePath, int mode, Progress progress) {
        long size;
        String sha256;
        try {
            size = Files.size(local);
            sha256 = sha256(local);
        } catch (IOException e) {
            throw new HostException(name() + ": cannot read " + local + ": " + e.getMessage(), e);
        }
        try (InputStream in = Files.newInputStream(local)) {
            put(in, size, sha256, remotePath, mode, progress);
        } catch (IOException e) {
            throw new HostException(name() + ": cannot read " + local + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void write(byte[] content, String remotePath, int mode) {
        String sha256;
        try {
            sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(content));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        put(new ByteArrayInputStream(content), content.length, sha256, remotePath, mode, Progress.NONE);
    }

    /**
     * One exec channel for every file: their bytes follow each other on its stdin, each cut off by
     * its length ({@code head -c}, GNU coreutils, reads no further), verified by its sha256, and
     * renamed into place once all were verified.
     */
    @Override
    public void writeAll(java.util.Map<String, byte[]> files, int mode) {
        if (files.size() <= 1) {
            files.forEach((path, content) -> write(content, path, mode));
            return;
        }
        StringBuilder fill = new StringBuilder();
        StringBuilder rename = new StringBuilder();
        StringBuilder temps = new StringBuilder();
        ByteArrayOutputStream all = new ByteArrayOutputStream();
        int i = 0;
        for (var e : files.entrySet()) {
            String tmp = temporary(e.getKey());
            String sha256;
            try {
                sha256 = HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(e.getValue()));
            } catch (NoSuchAlgorithmException x) {
                throw new IllegalStateException(x);
            }
            all.writeBytes(e.getValue());
            String t = "\"$t" + i + "\"";
            temps.append(" t").append(i).append('=').append(Shell.quote(tmp)).append(';');
            fill.append("head -c ").append(e.getValue().length).append(" > ").append(t).append("; ")
                    .append("if ! echo '").append(sha256).append("  '").append(t).append(" | sha256sum -c --status -; then ")
                    .append("echo ").append(Shell.quote("sha256 of " + e.getKey() + " differs on the host")).append(" >&2; exit 65; fi; ")
                    .append("chmod ").append(Integer.toOctalString(mode)).append(' ').append(t).append("; ");
            rename.append("mv -fT ").append(t).append(' ').append(Shell.quote(e.getKey())).append("; ");
            i++;
        }
        StringBuilder rm = new StringBuilder("rm -f");
        for (int k = 0; k < i; k++) {
            rm.append(" \"$t").append(k).append('"');
        }
        String script = "set -e; umask 077;" + temps + " trap '" + rm + "' EXIT; trap 'exit 129' HUP INT TERM PIPE; "
                + fill + rename + "trap - EXIT";
        byte[] bytes = all.toByteArray();
        CommandResult r = exec(script, new ByteArrayInputStream(bytes), bytes.length, Progress.NONE, Duration.ofMinutes(5),
                "writing " + String.join(", ", files.keySet()));
        if (!r.ok()) {
            throw new HostException(name() + ": writing " + String.join(", ", files.keySet()) + " failed (exit " + r.exitCode()
                    + "): " + r.stderr().strip() + "; they are unchanged", null);
        }
    }

    /** @return a temporary name beside {@code remotePath} (an absolute file path), for a write renamed into place */
    private static String temporary(String remotePath) {
        int slash = remotePath.lastIndexOf('/');
        if (!remotePath.startsWith("/") || slash == remotePath.length() - 1) {
            throw new IllegalArgumentException("not an absolute file path: " + remotePath);
        }
        String dir = slash == 0 ? "/" : remotePath.substring(0, slash);
        return dir + (dir.endsWith("/") ? "" : "/") + "." + remotePath.substring(slash + 1)
                + ".slipway-" + HexFormat.of().formatHex(new SecureRandom().generateSeed(4));
    }

    private void put(InputStream in, long size, String sha256, String remotePath, int mode, Progress progress) {
        String tmp = temporary(remotePath);
        // The EXIT trap removes the temporary file on every path but the successful mv; sshd closes
        // stdin when the connection goes, so a cut link also ends here. mv -T (GNU) renames onto
        // the target itself, even when it is a symlink to a directory, instead of moving into it.
        String script = "set -e; umask 077; t=" + Shell.quote(tmp) + "; trap 'rm -f \"$t\"' EXIT; "
                + "trap 'exit 129' HUP INT TERM PIPE; cat > \"$t\"; "
                + "if ! echo '" + sha256 + "  '\"$t\" | sha256sum -c --status -; then "
                + "echo \"sha256 differs on the host: $(sha256sum < \"$t\" | cut -c1-64) instead of " + sha256 + "\" >&2; exit 65; fi; "
                + "chmod " + Integer.toOctalString(mode) + " \"$t\"; mv -fT \"$t\" " + Shell.quote(remotePath) + "; trap - EXIT";
        CommandResult r = exec(script, in, size, progress, Duration.ofMinutes(5), "uploading to " + remotePath);
        if (!r.ok()) {
            throw new HostException(name() + ": upload to " + remotePath + " failed (exit " + r.exitCode() + "): "
                    + r.stderr().strip() + "; " + remotePath + " is unchanged", null);
        }
    }

    /**
     * Runs one exec channel: optionally streams {@code in} to its stdin, waits until it closes.
     * {@code waitLimit} bounds the wait after stdin is sent.
     */
    private CommandResult exec(String command, InputStream in, long size, Progress progress, Duration waitLimit, String what) {
        ClientSession s = session();
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        ByteArrayOutputStream err = new ByteArrayOutputStream();
        try (ChannelExec ch = s.createExecChannel(command)) {
            ch.setOut(out);
            ch.setErr(err);
            if (in == null) {
                ch.setIn(new ByteArrayInputStream(new byte[0]));
            }
            ch.open().verify(options.connectTimeout());
            if (in != null) {
                OutputStream stdin = ch.getInvertedIn();
                byte[] buf = new byte[CHUNK];
                long sent = 0;
                progress.update(0, size);
                for (int n; (n = readLocal(in, buf)) > 0; ) {
                    stdin.write(buf, 0, n);
                    sent += n;
                    progress.update(sent, size);
                }
                stdin.flush();
                stdin.close();
            }
            Set<ClientChannelEvent> ev = ch.waitFor(EnumSet.of(ClientChannelEvent.CLOSED), waitLimit);
            Integer status = ch.getExitStatus();
            if (status == null) {
                if (!s.isOpen()) {
                    throw lost(what, null);
                }
                if (!ev.contains(ClientChannelEvent.CLOSED)) {
                    throw new HostException(name() + ": no answer within " + waitLimit.toMillis() + " ms while " + what, null);
                }
                String signal = ch.getExitSignal();
                throw new HostException(name() + ": " + what + " ended without an exit status"
                        + (signal == null ? "" : " (signal " + signal + ")") + ": " + err.toString(StandardCharsets.UTF_8).strip(), null);
            }
            return new CommandResult(status, out.toString(StandardCharsets.UTF_8), err.toString(StandardCharsets.UTF_8));
        } catch (IOException e) {
            throw lost(what, e);
        }
    }

    private int readLocal(InputStream in, byte[] buf) {
        try {
            return in.read(buf);
        } catch (IOException e) {
            throw new HostException(name() + ": cannot read the local file: " + e.getMessage(), e);
        }
    }

    private HostException lost(String what, Exception cause) {
        closeSession();
        return new HostException(name() + ": connection lost while " + what
                + (cause == null || cause.getMessage() == null ? "" : " (" + cause.getMessage() + ")"), cause);
    }

    /** The open session, connecting (with retries) if there is none or it dropped. */
    private ClientSession session() {
        if (session != null && session.isOpen() && session.isAuthenticated()) {
            return session;
        }
        closeSession();
        Exception last = null;
        for (int attempt = 1; attempt <= options.attempts(); attempt++) {
            if (attempt > 1) {
                sleep(options.retryDelay().multipliedBy(attempt - 1));
            }
            try {
                session = attempt();
                return session;
            } catch (HostException e) {
                throw e;
            } catch (Exception e) {
                last = e;
                closeSession();
            }
        }
        throw new HostException(name() + ": cannot connect to " + options.endpoint() + " after " + options.attempts()
                + " attempt" + (options.attempts() == 1 ? "" : "s") + " (each at most " + options.connectTimeout().toMillis()
                + " ms): " + describe(last), last);
    }

    private ClientSession attempt() throws IOException {
        KnownHosts knownHosts;
        try {
            knownHosts = KnownHosts.read(options.knownHosts());
        } catch (IOException e) {
            throw new HostException(name() + ": cannot read " + options.knownHosts() + ": " + e.getMessage(), e);
        }
        client.setSignatureFactories(preferred(knownHosts.keyTypes(options.address(), options.port())));
        AtomicReference<String> refusal = new AtomicReference<>();
        client.setServerKeyVerifier(verifier(knownHosts, refusal));
        List<KeyPair> keys = identities();
        dev.slipway.Trace.mark(name() + ": known hosts and keys read, client started");
        ClientSession s = client.connect(options.user(), options.address(), options.port())
                .verify(options.connectTimeout()).getSession();
        dev.slipway.Trace.mark(name() + ": TCP connected");
        try {
            keys.forEach(s::addPublicKeyIdentity);
            s.auth().verify(options.connectTimeout());
            return s;
        } catch (IOException | RuntimeException e) {
            s.close(true);
            if (refusal.get() != null) {
                throw new HostException(refusal.get(), e);
            }
            if (authRefused(e)) {
                List<String> tried = new ArrayList<>(options.identities().stream().map(Path::toString).toList());
                if (options.agent() != null) {
                    tried.add("the keys of the ssh-agent at " + options.agent());
                }
                throw new HostException(name() + ": " + options.user() + "@" + options.endpoint() + " refused the key"
                        + (tried.size() == 1 && options.agent() == null ? " " : "s ") + String.join(", ", tried)
                        + " (publickey authentication); add the public key to ~" + options.user() + "/.ssh/authorized_keys on the host", e);
            }
            throw e;
        }
    }

    private static boolean authRefused(Throwable e) {
        for (Throwable t = e; t != null; t = t.getCause()) {
            String m = String.valueOf(t.getMessage());
            if (m.contains("No more authentication methods available")) {
                return true;
            }
        }
        return false;
    }

    private ServerKeyVerifier verifier(KnownHosts knownHosts, AtomicReference<String> refusal) {
        return (clientSession, remote, key) -> {
            KnownHosts.Check c = knownHosts.check(options.address(), options.port(), key);
            if (c.verdict() == KnownHosts.Verdict.TRUSTED) {
                return true;
            }
            refusal.set(refusalMessage(c, key));
            return false;
        };
    }

    private String refusalMessage(KnownHosts.Check c, PublicKey key) {
        String presented = KnownHosts.keyLine(key);
        String type = presented.substring(0, presented.indexOf(' '));
        String fp = KnownHosts.fingerprint(key);
        String file = options.knownHosts().toString();
        String hostField = options.port() == 22 ? options.address() : "[" + options.address() + "]:" + options.port();
        String keyscan = "ssh-keyscan -p " + options.port() + " -t " + keyFileName(type) + " " + options.address() + " >> " + file;
        String verifyHint = "compare it with `ssh-keygen -lf /etc/ssh/ssh_host_" + keyFileName(type) + "_key.pub` run on the host";
        return switch (c.verdict()) {
            case UNKNOWN -> name() + ": host key not known: " + file + " has no entry for " + hostField
                    + "; the host presented " + type + " " + fp + ". If that is the host's key (" + verifyHint + "), trust it with: "
                    + keyscan;
            case CHANGED -> name() + ": HOST KEY CHANGED: the host presented " + type + " " + fp + " but " + file
                    + " holds " + String.join(", ", c.known()) + " for " + hostField
                    + ". Someone may be intercepting the connection, or the host was reinstalled. If the change is expected ("
                    + verifyHint + "), remove the old entry with `ssh-keygen -R " + shellWord(hostField) + " -f " + file + "`, then: " + keyscan;
            case OTHER_TYPE -> name() + ": host key not known: the host presented " + type + " " + fp + " but " + file
                    + " holds only " + String.join(", ", c.known()) + " for " + hostField + ". If that is the host's key ("
                    + verifyHint + "), add it with: " + keyscan;
            case REVOKED -> name() + ": the host presented " + type + " " + fp + ", which " + file + " marks @revoked; refusing";
            case TRUSTED -> throw new IllegalStateException("trusted keys are not refused");
        };
    }

    private static String shellWord(String s) {
        return Shell.quote(s);
    }

    private static String keyFileName(String type) {
        if (type.startsWith("ecdsa")) {
            return "ecdsa";
        }
        if (type.contains("ed25519")) {
            return "ed25519";
        }
        return type.contains("rsa") ? "rsa" : "*";
    }

    /**
     * The client's signature algorithms with those for {@code knownTypes} first, then ssh-ed25519
     * (OpenSSH's first choice, so an unknown host shows the key {@code ssh} would show), then the rest.
     */
    private List<NamedFactory<Signature>> preferred(Set<String> knownTypes) {
        List<NamedFactory<Signature>> first = new ArrayList<>();
        List<NamedFactory<Signature>> second = new ArrayList<>();
        List<NamedFactory<Signature>> rest = new ArrayList<>();
        for (NamedFactory<Signature> f : signatures) {
            String alg = f.getName();
            boolean known = knownTypes.contains(alg)
                    || (knownTypes.contains("ssh-rsa") && (alg.equals("rsa-sha2-512") || alg.equals("rsa-sha2-256")));
            (known ? first : alg.equals("ssh-ed25519") ? second : rest).add(f);
        }
        first.addAll(second);
        first.addAll(rest);
        return first;
    }

    private List<KeyPair> identities() {
        List<KeyPair> keys = new ArrayList<>();
        for (Path file : options.identities()) {
            try (InputStream in = Files.newInputStream(file)) {
                Iterable<KeyPair> pairs = SecurityUtils.loadKeyPairIdentities(null, NamedResource.ofName(file.toString()), in,
                        FilePasswordProvider.EMPTY);
                if (pairs != null) {
                    pairs.forEach(keys::add);
                }
            } catch (IOException | GeneralSecurityException | RuntimeException e) {
                throw new HostException(name() + ": cannot load the SSH key " + file + ": " + describe(e)
                        + " (keys with a passphrase are not supported; use a deploy key without one)", e);
            }
        }
        if (keys.isEmpty() && options.agent() == null) {
            throw new HostException(name() + ": no SSH key to log in with (set the host's key file, or start an ssh-agent)", null);
        }
        return keys;
    }

    /**
     * @param e why the last connection attempt failed, or {@code null}
     * @return the reason in words, as the end of "cannot connect to ... after N attempts: ..."
     *         ("connection refused", "no answer in time ...", "unknown host ..."), without class names
     */
    static String describe(Throwable e) {
        if (e == null) {
            return "unknown error";
        }
        Throwable root = e;
        while (root.getCause() != null && root.getCause() != root) {
            root = root.getCause();
        }
        if (root instanceof ConnectException) {
            return "connection refused";
        }
        Optional<String> unreachable = dev.slipway.util.NetworkCause.unreachable(e);
        if (unreachable.isPresent()) {
            return unreachable.get();
        }
        String m = e.getMessage() == null ? e.getClass().getSimpleName() : e.getMessage();
        // MINA SSHD's wait for the TCP connect or the key exchange: "DefaultConnectFuture[root@/10.0.0.1:22]:
        // Failed to get operation result within specified timeout: 10000 msec" (a host down, or packets dropped).
        if (m.contains("within specified timeout")) {
            return "no answer in time (the host is down, or something drops its SSH packets)";
        }
        String rm = root.getMessage();
        return root == e || rm == null || m.contains(rm) ? m : m + ": " + rm;
    }

    private static String sha256(Path file) throws IOException {
        try (InputStream in = new DigestInputStream(Files.newInputStream(file), MessageDigest.getInstance("SHA-256"))) {
            in.transferTo(OutputStream.nullOutputStream());
            return HexFormat.of().formatHex(((DigestInputStream) in).getMessageDigest().digest());
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    private static void sleep(Duration d) {
        try {
            Thread.sleep(d.toMillis());
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new HostException("interrupted", e);
        }
    }

    /** Closes the session the running commands use (they fail as a lost connection); the next command connects anew. */
    @Override
    public void cancelRunning() {
        ClientSession s = session;
        if (s != null) {
            try {
                s.close(true);
            } catch (RuntimeException ignored) {
                // closing never fails the caller
            }
        }
    }

    private void closeSession() {
        if (session != null) {
            session.close(true);
            session = null;
        }
    }

    @Override
    public void close() {
        try {
            closeSession();
            client.stop();
        } catch (RuntimeException ignored) {
            // close never throws
        }
    }

    /**
     * How to reach one host.
     *
     * @param label          how reports name the host, e.g. {@code web2}; {@code null} for the address
     * @param address        IP address or DNS name sshd listens on
     * @param port           sshd's TCP port, usually 22
     * @param user           the user to log in as
     * @param identities     private key files (OpenSSH or PEM, no passphrase), tried first
     * @param agent          an ssh-agent's UNIX socket whose keys are tried next, or {@code null}
     * @param knownHosts     the known_hosts file to check host keys against
     * @param connectTimeout bound of one connection attempt (TCP, key exchange, authentication)
     * @param attempts       connection attempts in all, at least 1
     * @param retryDelay     pause before the second attempt; the n-th waits n-1 times this
     * @param heartbeat      keepalive interval; a link is declared dead after 3 missed replies
     */
    public record Options(String label, String address, int port, String user, List<Path> identities, Path agent,
                          Path knownHosts, Duration connectTimeout, int attempts, Duration retryDelay, Duration heartbeat) {
        /** Validates the values. */
        public Options {
            Objects.requireNonNull(address, "address");
            Objects.requireNonNull(user, "user");
            identities = List.copyOf(identities);
            Objects.requireNonNull(knownHosts, "knownHosts");
            if (port < 1 || port > 65535) {
                throw new IllegalArgumentException("port out of range: " + port);
            }
            if (attempts < 1) {
                throw new IllegalArgumentException("attempts must be at least 1");
            }
        }

        /**
         * Defaults: port 22, user root, key {@code ~/.ssh/id_ed25519} (else id_ecdsa, id_rsa, the
         * first that exists), the ssh-agent of {@code SSH_AUTH_SOCK} if set, {@code ~/.ssh/known_hosts},
         * connect timeout 10 s, 3 attempts 1 s apart, heartbeat 2 s.
         *
         * @param address IP address or DNS name
         * @return options to refine with the {@code with...} methods
         */
        public static Options of(String address) {
            Path ssh = Path.of(System.getProperty("user.home"), ".ssh");
            List<Path> keys = new ArrayList<>();
            for (String k : List.of("id_ed25519", "id_ecdsa", "id_rsa")) {
                if (Files.isRegularFile(ssh.resolve(k))) {
                    keys.add(ssh.resolve(k));
                    break;
                }
            }
            String sock = System.getenv("SSH_AUTH_SOCK");
            Path agent = sock == null || sock.isEmpty() || !Files.exists(Path.of(sock)) ? null : Path.of(sock);
            return new Options(null, address, 22, "root", keys, agent, ssh.resolve("known_hosts"), Duration.ofSeconds(10), 3,
                    Duration.ofSeconds(1), Duration.ofSeconds(2));
        }

        /** @return a copy with this label */
        public Options withLabel(String v) {
            return new Options(v, address, port, user, identities, agent, knownHosts, connectTimeout, attempts, retryDelay, heartbeat);
        }

        /** @return a copy with this address */
        public Options withAddress(String v) {
            return new Options(label, v, port, user, identities, agent, knownHosts, connectTimeout, attempts, retryDelay, heartbeat);
        }

        /** @return a copy with this port */
        public Options withPort(int v) {
            return new Options(label, address, v, user, identities, agent, knownHosts, connectTimeout, attempts, retryDelay, heartbeat);
        }

        /** @return a copy with this user */
        public Options withUser(String v) {
            return new Options(label, address, port, v, identities, agent, knownHosts, connectTimeout, attempts, retryDelay, heartbeat);
        }

        /** @return a copy with these key files */
        public Options withIdentities(List<Path> v) {
            return new Options(label, address, port, user, v, agent, knownHosts, connectTimeout, attempts, retryDelay, heartbeat);
        }

        /** @return a copy with this ssh-agent socket ({@code null}: none) */
        public Options withAgent(Path v) {
            return new Options(label, address, port, user, identities, v, knownHosts, connectTimeout, attempts, retryDelay, heartbeat);
        }

        /** @return a copy with this known_hosts file */
        public Options withKnownHosts(Path v) {
            return new Options(label, address, port, user, identities, agent, v, connectTimeout, attempts, retryDelay, heartbeat);
        }

        /** @return a copy with these connection bounds */
        public Options withConnect(Duration timeout, int attemptCount, Duration delay) {
            return new Options(label, address, port, user, identities, agent, knownHosts, timeout, attemptCount, delay, heartbeat);
        }

        /** @return a copy with this keepalive interval */
        public Options withHeartbeat(Duration v) {
            return new Options(label, address, port, user, identities, agent, knownHosts, connectTimeout, attempts, retryDelay, v);
        }

        /** @return {@code address} or {@code address:port} */
        public String endpoint() {
            return port == 22 ? address : address + ":" + port;
        }

        /** @return {@code label (endpoint)}, or the endpoint alone without a label */
        public String displayName() {
            return label == null || label.equals(address) ? endpoint() : label + " (" + endpoint() + ")";
        }
    }
}
