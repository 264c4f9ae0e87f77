package dev.slipway.remote;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.PublicKey;
import java.util.List;
import java.util.Set;
import java.util.concurrent.TimeUnit;
import org.apache.sshd.common.config.keys.PublicKeyEntry;
import org.apache.sshd.common.config.keys.PublicKeyEntryResolver;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link KnownHosts} on files written the way OpenSSH writes them (ssh-keygen for keys and hashing). */
class KnownHostsTest {
    @TempDir
    Path dir;

    private String a;
    private String b;
    private String ecdsa;

    @BeforeEach
    void keys() throws Exception {
        Tools.require("ssh-keygen");
        a = key("a", "ed25519");
        b = key("b", "ed25519");
        ecdsa = key("c", "ecdsa");
    }

    private String key(String name, String type) throws Exception {
        run("ssh-keygen", "-q", "-t", type, "-N", "", "-f", dir.resolve(name).toString());
        String[] f = Files.readString(dir.resolve(name + ".pub")).trim().split(" ");
        return f[0] + " " + f[1];
    }

    private static PublicKey pub(String line) throws Exception {
        return PublicKeyEntry.parsePublicKeyEntry(line).resolvePublicKey(null, null, PublicKeyEntryResolver.FAILING);
    }

    private static void run(String... cmd) throws Exception {
        Process p = new ProcessBuilder(cmd).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
    }

    private KnownHosts file(boolean hashed, String... lines) throws Exception {
        Path f = dir.resolve(hashed ? "hashed" : "plain");
        Files.write(f, List.of(lines));
        if (hashed) {
            run("ssh-keygen", "-q", "-H", "-f", f.toString());
        }
        return KnownHosts.read(f);
    }

    @Test
    void portsPatternsAndHashesMatchAsInOpenSsh() throws Exception {
        for (boolean hashed : new boolean[] {false, true}) {
            KnownHosts kh = file(hashed, "10.0.0.1 " + a, "[10.0.0.2]:2222 " + a, "web3.example.org,10.0.0.3 " + a);
            assertEquals(KnownHosts.Verdict.TRUSTED, kh.check("10.0.0.1", 22, pub(a)).verdict());
            assertEquals(KnownHosts.Verdict.CHANGED, kh.check("10.0.0.1", 22, pub(b)).verdict());
            assertEquals(KnownHosts.Verdict.TRUSTED, kh.check("10.0.0.2", 2222, pub(a)).verdict());
            assertEquals(KnownHosts.Verdict.UNKNOWN, kh.check("10.0.0.2", 22, pub(a)).verdict(), "port 22 is another entry");
            assertEquals(KnownHosts.Verdict.UNKNOWN, kh.check("10.0.0.1", 2222, pub(a)).verdict());
            assertEquals(KnownHosts.Verdict.TRUSTED, kh.check("10.0.0.3", 22, pub(a)).verdict());
            assertEquals(KnownHosts.Verdict.TRUSTED, kh.check("web3.example.org", 22, pub(a)).verdict());
            assertEquals(KnownHosts.Verdict.UNKNOWN, kh.check("10.0.0.4", 22, pub(a)).verdict());
        }
        // Wildcards are not hashed (ssh-keygen -H leaves them), they still match.
        KnownHosts wild = file(false, "*.example.org " + a);
        assertEquals(KnownHosts.Verdict.TRUSTED, wild.check("db.example.org", 22, pub(a)).verdict());
        assertEquals(KnownHosts.Verdict.UNKNOWN, wild.check("example.com", 22, pub(a)).verdict());
    }

    @Test
    void aChangedKeyNamesTheKnownFingerprintAndOtherTypesAreNotAChange() throws Exception {
        KnownHosts kh = file(false, "10.0.0.1 " + a, "10.0.0.5 " + ecdsa);
        KnownHosts.Check changed = kh.check("10.0.0.1", 22, pub(b));
        assertEquals(KnownHosts.Verdict.CHANGED, changed.verdict());
        assertEquals(List.of("ssh-ed25519 " + KnownHosts.fingerprint(pub(a))), changed.known());
        assertEquals(KnownHosts.Verdict.OTHER_TYPE, kh.check("10.0.0.5", 22, pub(a)).verdict());
        assertEquals(Set.of("ecdsa-sha2-nistp256"), kh.keyTypes("10.0.0.5", 22));
        // The fingerprint is the one ssh-keygen -l prints.
        Process p = new ProcessBuilder("ssh-keygen", "-l", "-E", "sha256", "-f", dir.resolve("a.pub").toString()).start();
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertTrue(p.waitFor(10, TimeUnit.SECONDS));
        assertEquals(out.split(" ")[1], KnownHosts.fingerprint(pub(a)));
    }

    @Test
    void revokedKeysAreRefusedAndAMissingFileKnowsNothing() throws Exception {
        KnownHosts kh = file(false, "@revoked * " + b, "10.0.0.1 " + a, "10.0.0.1 " + b);
        assertEquals(KnownHosts.Verdict.REVOKED, kh.check("10.0.0.1", 22, pub(b)).verdict());
        assertEquals(KnownHosts.Verdict.TRUSTED, kh.check("10.0.0.1", 22, pub(a)).verdict());
        KnownHosts none = KnownHosts.read(dir.resolve("does-not-exist"));
        assertEquals(KnownHosts.Verdict.UNKNOWN, none.check("10.0.0.1", 22, pub(a)).verdict());
    }
}
