package dev.slipway.deploy.hosts;

import dev.slipway.config.HostsConfig;
import dev.slipway.remote.Host;
import dev.slipway.remote.HostException;
import dev.slipway.remote.Shell;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * A {@link Host} reached with the OpenSSH client ({@code ssh}, see ssh(1)): strict host-key
 * checking against the configured known_hosts file, batch mode (no prompts), bounded connect
 * timeout. Every call is one {@code ssh} process. Used when the MINA SSHD transport
 * ({@code dev.slipway.remote.SshHost}) is not on the class path, and selectable with
 * {@code SLIPWAY_SSH=openssh}.
 */
public final class OpenSshHost implements Host {
    private final HostsConfig.Server server;
    private final Path knownHosts;
    private final Path control;

    /**
     * @param server     the host
     * @param knownHosts the known_hosts file host keys are checked against
     */
    public OpenSshHost(HostsConfig.Server server, Path knownHosts) {
        this.server = server;
        this.knownHosts = knownHosts;
        // One SSH connection per host, shared by the commands (ssh_config(5) ControlMaster); it ends
        // in close(), or by itself 20 s after the last command if this process dies.
        this.control = Path.of(System.getProperty("java.io.tmpdir"), "slipway-ssh-" + ProcessHandle.current().pid() + "-"
                + Integer.toHexString(System.identityHashCode(this)));
    }

    @Override
    public String name() {
        return server.name() + " (" + server.address() + ")";
    }

    private List<String> ssh() {
        List<String> cmd = new ArrayList<>(List.of("ssh", "-o", "BatchMode=yes", "-o", "StrictHostKeyChecking=yes",
                "-o", "UserKnownHostsFile=" + knownHosts, "-o", "ConnectTimeout=10", "-o", "ServerAliveInterval=5",
                "-o", "ServerAliveCountMax=3", "-o", "LogLevel=ERROR", "-o", "ControlMaster=auto",
                "-o", "ControlPath=" + control, "-o", "ControlPersist=20s", "-p", Integer.toString(server.port())));
        if (server.identityFile() != null) {
            cmd.addAll(List.of("-o", "IdentitiesOnly=yes", "-i", server.identityFile().toString()));
        }
        cmd.add(server.user() + "@" + server.address());
        return cmd;
    }

    @Override
    public CommandResult run(String command, Duration timeout) {
        return exec(command, null, timeout);
    }

    private CommandResult exec(String command, Path stdin, Duration timeout) {
        List<String> cmd = ssh();
        cmd.add("sh -c " + Shell.quote(command));
        ProcessBuilder pb = new ProcessBuilder(cmd);
        pb.redirectInput(stdin == null ? ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))
                : ProcessBuilder.Redirect.from(stdin.toFile()));
        try {
            Process p = pb.start();
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            ByteArrayOutputStream err = new ByteArrayOutputStream();
            Thread o = pump(p.getInputStream(), out);
            Thread e = pump(p.getErrorStream(), err);
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw new HostException(name() + ": command ran longer than " + timeout.toMillis() + " ms", null);
            }
            o.join(5000);
            e.join(5000);
            String errText = err.toString(StandardCharsets.UTF_8);
            if (p.exitValue() == 255) {
                throw new HostException(name() + ": ssh failed: " + errText.strip(), null);
            }
            return new CommandResult(p.exitValue(), out.toString(StandardCharsets.UTF_8), errText);
        } catch (IOException ex) {
            throw new HostException(name() + ": cannot run ssh: " + ex.getMessage(), ex);
        } catch (InterruptedException ex) {
            Thread.currentThread().interrupt();
            throw new HostException(name() + ": interrupted", ex);
        }
    }

    @Override
    public void upload(Path local, String remotePath, int mode, Progress progress) {
        String sha;
        long size;
        try (InputStream in = Files.newInputStream(local)) {
            MessageDigest md = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            for (int n; (n = in.read(buf)) > 0; ) {
                md.update(buf, 0, n);
            }
            sha = HexFormat.of().formatHex(md.digest());
            size = Files.size(local);
        } catch (IOException | java.security.NoSuchAlgorithmException e) {
            throw new HostException(name() + ": cannot read " + local + ": " + e.getMessage(), e);
        }
        String target = Shell.quote(remotePath);
        int slash = remotePath.lastIndexOf('/');
        String tmp = Shell.quote(remotePath.substring(0, slash + 1) + "." + remotePath.substring(slash + 1) + ".upload-"
                + ProcessHandle.current().pid());
        CommandResult r = exec("umask 077 && cat > " + tmp + " && s=$(sha256sum < " + tmp + " | cut -d' ' -f1) && if [ \"$s\" = " + sha
                + " ]; then chmod " + Integer.toOctalString(mode) + " " + tmp + " && mv -f " + tmp + " " + target
                + "; else rm -f " + tmp + "; echo \"sha256 mismatch: $s\" >&2; exit 1; fi", local,
                Duration.ofSeconds(60 + size / 1_000_000));
        if (!r.ok()) {
            exec("rm -f " + tmp, null, Duration.ofSeconds(20));
            throw new HostException(name() + ": upload to " + remotePath + " failed: " + r.stderr().strip(), null);
        }
        progress.update(size, size);
    }

    @Override
    public void write(byte[] content, String remotePath, int mode) {
        try {
            Path tmp = Files.createTempFile("slipway-write", ".tmp");
            try {
                Files.write(tmp, content);
                upload(tmp, remotePath, mode, Progress.NONE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            throw new HostException(name() + ": cannot write " + remotePath + ": " + e.getMessage(), e);
        }
    }

    @Override
    public void close() {
        if (!Files.exists(control)) {
            return;
        }
        List<String> cmd = ssh();
        cmd.add(cmd.size() - 1, "-O");
        cmd.add(cmd.size() - 1, "exit");
        try {
            Process p = new ProcessBuilder(cmd).redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD)
                    .redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null"))).start();
            if (!p.waitFor(5, TimeUnit.SECONDS)) {
                p.destroyForcibly();
            }
        } catch (IOException e) {
            // the master ends by itself (ControlPersist)
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
        }
    }

    private static Thread pump(InputStream in, OutputStream out) {
        Thread t = new Thread(() -> {
            try {
                in.transferTo(out);
            } catch (IOException ignored) {
                // the process ended
            }
        }, "ssh-output");
        t.setDaemon(true);
        t.start();
        return t;
    }
}
