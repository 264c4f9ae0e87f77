package dev.slipway.cli;

import dev.slipway.remote.Host;
import dev.slipway.remote.SshHost;
import java.io.IOException;
import java.io.OutputStream;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyPair;
import java.util.ArrayList;
import java.util.List;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.writer.openssh.OpenSSHKeyPairResourceWriter;
import org.apache.sshd.common.keyprovider.KeyPairProvider;
import org.apache.sshd.server.SshServer;
import org.apache.sshd.server.shell.ProcessShellFactory;

/**
 * The hosts target's part of {@code slipway train-cli}: the SSH path a {@code deploy --to hosts}
 * takes before and during its first step (client set-up, TCP connect, key exchange, public-key
 * authentication, exec channels, an upload through stdin), run against an SSH server in this
 * process on the loopback address, so that the SSH library's classes (Apache MINA SSHD, the EdDSA
 * provider, the key exchange's) land in Slipway's trained class-data archive. Untrained, they are
 * loaded from their jars on every hosts command (660 classes; trained, a 3-host deploy on an idle
 * 2-core machine ends 0.3-0.5 s sooner, docs/benchmarks.md, issue 18).
 *
 * <p>The server is Apache MINA SSHD's own, with a host key and a user key made for the run (one
 * pair of each for ed25519, the OpenSSH default, and one for ECDSA P-256); the key exchange, cipher
 * and MAC are what the client negotiates with OpenSSH (the client's first choice both support). Its
 * exec channels run {@code sh -c COMMAND} as this user, so the commands the hosts target sends
 * (reading {@code deploy.hosts.dir}, which is a directory of the training run's own, a
 * {@code systemctl is-active}, an upload into that directory) run for real; nothing outside that
 * directory is written.
 */
final class TrainHosts {
    private TrainHosts() {}

    /** Key types trained: {@code ssh-ed25519} (OpenSSH's default) and {@code ecdsa-sha2-nistp256}, with their sizes in bits. */
    private static final List<Object[]> KEY_TYPES = List.of(new Object[] {KeyPairProvider.SSH_ED25519, 256},
            new Object[] {KeyPairProvider.ECDSA_SHA2_NISTP256, 256});

    /**
     * Runs the hosts commands against an in-process SSH server for each trained key type.
     *
     * @param dir a directory of the training run's own (deleted by the caller)
     * @return the exit codes of the commands run through the command line ({@code status} and
     *         {@code history} with {@code --to hosts}), in order; an exception of the direct
     *         connection's upload is left to the caller
     * @throws IOException              when a key, known_hosts or slipway.yaml cannot be written
     * @throws GeneralSecurityException when a key pair cannot be made
     */
    static List<Integer> train(Path dir) throws IOException, GeneralSecurityException {
        List<Integer> codes = new ArrayList<>();
        for (Object[] type : KEY_TYPES) {
            String name = ((String) type[0]).replaceAll("[^a-z0-9]", "");
            Path svc = Files.createDirectories(dir.resolve("hosts-" + name));
            Path remote = Files.createDirectories(svc.resolve("remote"));
            KeyPair hostKey = KeyUtils.generateKeyPair((String) type[0], (Integer) type[1]);
            KeyPair userKey = KeyUtils.generateKeyPair((String) type[0], (Integer) type[1]);
            SshServer server = SshServer.setUpDefaultServer();
            server.setHost("127.0.0.1");
            server.setPort(0);
            server.setKeyPairProvider(KeyPairProvider.wrap(hostKey));
            server.setPublickeyAuthenticator((user, key, session) -> KeyUtils.compareKeys(key, userKey.getPublic()));
            server.setCommandFactory((channel, command) -> new ProcessShellFactory(command, "sh", "-c", command)
                    .createShell(channel));
            server.start();
            try {
                int port = server.getPort();
                Path identity = svc.resolve("id");
                try (OutputStream out = Files.newOutputStream(identity)) {
                    OpenSSHKeyPairResourceWriter.INSTANCE.writePrivateKey(userKey, "slipway-train", null, out);
                }
                Path known = svc.resolve("known_hosts");
                Files.writeString(known, "[127.0.0.1]:" + port + " " + PublicKeyEntry.toString(hostKey.getPublic()) + "\n");
                Files.writeString(svc.resolve("slipway.yaml"), """
                        name: trained
                        service:
                          port: 18080
                          readiness: {path: /health/ready, timeout: 30s}
                        deploy:
                          hosts:
                            dir: %s
                            identityFile: %s
                            knownHosts: %s
                            servers:
                              - {name: trained1, address: 127.0.0.1, port: %d}
                        """.formatted(remote, identity, known, port));
                for (List<String> args : List.of(List.of("status", svc.toString(), "--to", "hosts"),
                        List.of("history", svc.toString(), "--to", "hosts"))) {
                    StringWriter sink = new StringWriter();
                    codes.add(SlipwayCli.run(new PrintWriter(sink), new PrintWriter(sink), args.toArray(String[]::new)));
                }
                // A deploy's upload and env file: bytes through an exec channel's stdin, checked and moved on the host.
                Path payload = svc.resolve("payload");
                Files.write(payload, new byte[256 * 1024]);
                try (Host h = SshHost.connect(SshHost.Options.of("127.0.0.1").withPort(port).withLabel("trained1")
                        .withIdentities(List.of(identity)).withKnownHosts(known))) {
                    h.upload(payload, remote + "/release", 0755, Host.Progress.NONE);
                    h.write("PORT=18080\n".getBytes(StandardCharsets.UTF_8), remote + "/env", 0600);
                    h.run("test -s " + remote + "/release && cat " + remote + "/env", java.time.Duration.ofSeconds(30));
                }
            } finally {
                server.stop(true);
            }
        }
        // What an OpenSSH server (and not this one) makes the client load: the parser of its
        // publickey-hostbound@openssh.com extension (OpenSSH 8.9 and later announce it in their
        // SSH_MSG_EXT_INFO, RFC 8308) and the handler of the messages it sends that the session
        // does not otherwise read. Found with -Xlog:class+load on a deploy to a Debian host.
        for (String name : List.of("org.apache.sshd.common.kex.extension.parser.HostBoundPubkeyAuthentication",
                "org.apache.sshd.common.session.helpers.ReservedSessionMessagesHandlerAdapter")) {
            try {
                Class.forName(name);
            } catch (ClassNotFoundException e) {
                // Another SSH library version: the archive misses one class, the run still works.
            }
        }
        return codes;
    }
}
