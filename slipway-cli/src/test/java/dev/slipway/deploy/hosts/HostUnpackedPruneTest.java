package dev.slipway.deploy.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The hosts prune's removal of unpacked trees ({@link HostUnit#pruneUnpackedCommand}), run by a real
 * {@code sh} with GNU head and sed over a release directory and a unit cache laid out as on a host:
 * the trees of releases no longer in {@code releases/} go with their locks, and a tree a kept
 * release names, one a running process maps, or an unpack in progress stays; when no stub's key can
 * be read nothing goes.
 */
class HostUnpackedPruneTest {
    @TempDir
    Path tmp;

    private static final String K1 = "myapp-00000000000000a1";
    private static final String K2 = "myapp-00000000000000a2";
    private static final String K3 = "myapp-00000000000000a3";
    private static final String K4 = "myapp-00000000000000a4";

    private Path release(String version, String key) throws Exception {
        Path f = Files.createDirectories(tmp.resolve("srv/releases").resolve(version)).resolve("myapp");
        String stub = "#!/bin/sh\n# a Slipway single file\n" + (key == null ? "" : "slipway_key='" + key + "'\n")
                + "exec something\n";
        byte[] payload = new byte[8192];
        byte[] head = stub.getBytes(StandardCharsets.US_ASCII);
        System.arraycopy(head, 0, payload, 0, head.length);
        Files.write(f, payload);
        return f;
    }

    private Path tree(String key) throws Exception {
        Path t = Files.createDirectories(tmp.resolve("cache/run").resolve(key).resolve("runtime/bin"));
        Files.writeString(tmp.resolve("cache/run").resolve(key + ".lock"), "");
        return t.getParent().getParent();
    }

    private String prune() throws Exception {
        Process p = new ProcessBuilder("sh", "-c", HostUnit.pruneUnpackedCommand(tmp.resolve("srv").toString(), "myapp",
                tmp.resolve("cache").toString())).redirectErrorStream(true).start();
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        String out = new String(p.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
        assertEquals(0, p.exitValue(), out);
        return out;
    }

    @Test
    void removesTheTreesOfPrunedReleasesOnly() throws Exception {
        release("2.0.0", K2);
        release("3.0.0", K3);
        tree(K1);
        tree(K2);
        tree(K3);
        Path mapped = tree(K4);
        Path inProgress = Files.createDirectories(tmp.resolve("cache/run").resolve(K1 + ".tmp.4242"));
        Path sleep = mapped.resolve("runtime/bin/sleep");
        Files.copy(Path.of("/bin/sleep"), sleep);
        sleep.toFile().setExecutable(true);
        Process running = new ProcessBuilder(sleep.toString(), "60").start();
        try {
            long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
            while (!Files.readString(Path.of("/proc/" + running.pid() + "/maps")).contains("/run/" + K4 + "/")
                    && System.nanoTime() < deadline) {
                Thread.sleep(50);
            }
            assertEquals("unpacked " + K1 + "\n", prune());
        } finally {
            running.destroyForcibly().waitFor();
        }
        assertFalse(Files.exists(tmp.resolve("cache/run").resolve(K1)), "its release was pruned");
        assertFalse(Files.exists(tmp.resolve("cache/run").resolve(K1 + ".lock")));
        assertTrue(Files.isDirectory(tmp.resolve("cache/run").resolve(K2)), "a kept release's tree");
        assertTrue(Files.isDirectory(tmp.resolve("cache/run").resolve(K3)));
        assertTrue(Files.isDirectory(mapped), "a running process maps it");
        assertTrue(Files.isDirectory(inProgress), "an unpack in progress is not a published tree");
        assertEquals("unpacked " + K4 + "\n", prune(), "once its process ended, the tree no release names goes");
        assertEquals("", prune(), "nothing more to remove");
    }

    @Test
    void removesNothingWhenNoReleaseNamesItsKey() throws Exception {
        release("2.0.0", null); // a file whose stub has no key line (not read, or not a single file)
        tree(K1);
        assertEquals("", prune());
        assertTrue(Files.isDirectory(tmp.resolve("cache/run").resolve(K1)));
    }

    @Test
    void doesNothingWithoutReleasesOrCache() throws Exception {
        assertEquals("", prune(), "no releases/");
        release("2.0.0", K2);
        assertEquals("", prune(), "no cache yet");
    }
}
