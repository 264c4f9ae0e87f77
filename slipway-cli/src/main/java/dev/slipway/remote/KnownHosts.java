package dev.slipway.remote;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.ArrayList;
import java.util.Base64;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;
import org.apache.sshd.client.config.hosts.KnownHostEntry;
import org.apache.sshd.common.config.keys.KeyUtils;
import org.apache.sshd.common.config.keys.PublicKeyEntry;

/**
 * Strict host-key checking against an OpenSSH {@code known_hosts} file, as {@code ssh} does with
 * {@code StrictHostKeyChecking=yes} (sshd(8), section SSH_KNOWN_HOSTS FILE FORMAT).
 *
 * <p>Plain, wildcard and hashed ({@code |1|salt|hash}, HMAC-SHA1) host names are matched by Apache
 * MINA SSHD's {@link KnownHostEntry}; a non-default port is written {@code [host]:port}. Entries
 * marked {@code @revoked} refuse their key; {@code @cert-authority} entries are ignored (host
 * certificates are not supported). The file is read once per connection attempt.
 */
public final class KnownHosts {
    private final Path file;
    private final List<KnownHostEntry> entries;

    private KnownHosts(Path file, List<KnownHostEntry> entries) {
        this.file = file;
        this.entries = entries;
    }

    /**
     * Reads a known_hosts file. A missing file reads as empty (every host is then unknown).
     *
     * @param file the file, e.g. {@code ~/.ssh/known_hosts}
     * @return its entries
     * @throws IOException when the file exists but cannot be read or parsed
     */
    public static KnownHosts read(Path file) throws IOException {
        if (!Files.exists(file)) {
            return new KnownHosts(file, List.of());
        }
        try {
            List<KnownHostEntry> list = KnownHostEntry.readKnownHostEntries(file);
            return new KnownHosts(file, list == null ? List.of() : list);
        } catch (NoSuchFileException e) {
            return new KnownHosts(file, List.of());
        } catch (IllegalArgumentException e) {
            throw new IOException(file + ": not a known_hosts file: " + e.getMessage(), e);
        }
    }

    /** @return the file the entries came from */
    public Path file() {
        return file;
    }

    /**
     * The key types known for a host, in file order, so the client can offer those host-key
     * algorithms first (as OpenSSH's {@code ssh} does).
     *
     * @param host the address or name the client connects to
     * @param port the sshd port
     * @return key types such as {@code ssh-ed25519}, {@code ecdsa-sha2-nistp256}, {@code ssh-rsa}
     */
    public Set<String> keyTypes(String host, int port) {
        Set<String> types = new LinkedHashSet<>();
        for (KnownHostEntry e : matching(host, port)) {
            if (e.getMarker() == null) {
                types.add(e.getKeyEntry().getKeyType());
            }
        }
        return types;
    }

    /**
     * Checks the key a host presented.
     *
     * @param host the address or name the client connects to
     * @param port the sshd port
     * @param key  the host key the server presented during key exchange
     * @return the verdict and the fingerprints of the keys the file holds for the host
     */
    public Check check(String host, int port, PublicKey key) {
        String type = KeyUtils.getKeyType(key);
        byte[] blob = blob(key);
        boolean sameType = false;
        List<String> known = new ArrayList<>();
        for (KnownHostEntry e : matching(host, port)) {
            String marker = e.getMarker();
            byte[] data = e.getKeyEntry().getKeyData();
            boolean equal = java.util.Arrays.equals(blob, data);
            if ("revoked".equals(marker)) {
                if (equal) {
                    return new Check(Verdict.REVOKED, List.of());
                }
                continue;
            }
            if (marker != null) {
                continue;
            }
            if (equal) {
                return new Check(Verdict.TRUSTED, List.of());
            }
            known.add(e.getKeyEntry().getKeyType() + " " + fingerprint(data));
            sameType |= e.getKeyEntry().getKeyType().equals(type);
        }
        if (known.isEmpty()) {
            return new Check(Verdict.UNKNOWN, known);
        }
        return new Check(sameType ? Verdict.CHANGED : Verdict.OTHER_TYPE, known);
    }

    /**
     * The outcome of {@link #check}.
     *
     * @param verdict whether the key is trusted, and if not why
     * @param known   the keys the file holds for that host, as {@code type SHA256:...}
     */
    public record Check(Verdict verdict, List<String> known) { }

    private List<KnownHostEntry> matching(String host, int port) {
        List<KnownHostEntry> out = new ArrayList<>();
        for (KnownHostEntry e : entries) {
            if (e.getKeyEntry() != null && e.isHostMatch(host, port)) {
                out.add(e);
            }
        }
        return out;
    }

    /**
     * @param key a public key
     * @return its fingerprint as OpenSSH prints it: {@code SHA256:} and unpadded base64
     */
    public static String fingerprint(PublicKey key) {
        return fingerprint(blob(key));
    }

    private static String fingerprint(byte[] blob) {
        try {
            byte[] digest = java.security.MessageDigest.getInstance("SHA-256").digest(blob);
            return "SHA256:" + Base64.getEncoder().withoutPadding().encodeToString(digest);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no SHA-256", e);
        }
    }

    /** @return the key as one known_hosts key field pair: {@code type base64} */
    static String keyLine(PublicKey key) {
        return PublicKeyEntry.toString(key);
    }

    private static byte[] blob(PublicKey key) {
        String line = PublicKeyEntry.toString(key);
        return Base64.getDecoder().decode(line.substring(line.indexOf(' ') + 1).trim());
    }

    /** The outcome of {@link #check}. */
    public enum Verdict {
        /** An entry for the host holds exactly this key. */
        TRUSTED,
        /** No entry names the host. */
        UNKNOWN,
        /** Entries name the host with a different key of the same type: the key changed. */
        CHANGED,
        /** Entries name the host with keys of other types only. */
        OTHER_TYPE,
        /** The key is marked {@code @revoked}. */
        REVOKED
    }
}
