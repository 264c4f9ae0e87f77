package dev.slipway.deploy.hosts;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A redeploy of the release a host serves with another env (a rotated secret) keeps the env files
 * of before aside and puts them back when its gate fails: the commands run here with {@code sh} on
 * a release directory as a host has it (files 0600, one instance file missing).
 */
class HostsEnvKeepTest {
    @TempDir
    Path release;

    private int sh(String command) throws Exception {
        Process p = new ProcessBuilder("sh", "-c", command).redirectErrorStream(true).start();
        p.getInputStream().readAllBytes();
        return p.waitFor();
    }

    private void write(String name, String text) throws Exception {
        Path f = release.resolve(name);
        Files.writeString(f, text);
        Files.setPosixFilePermissions(f, PosixFilePermissions.fromString("rw-------"));
    }

    @Test
    void theEnvOfBeforeIsKeptHiddenAndPutBackWithItsMode() throws Exception {
        write("env", "DB_PASSWORD=good\n");
        write("env-8080", "DB_PASSWORD=good\nPORT=8080\n");
        List<String> names = List.of("env", "env-8080", "env-8081"); // env-8081 is not there yet
        assertEquals(0, sh(HostsPlan.keepEnvCommand(release.toString(), names)));
        assertEquals("DB_PASSWORD=good\n", Files.readString(release.resolve(".env.before")));
        assertEquals("rw-------", PosixFilePermissions.toString(
                Files.getPosixFilePermissions(release.resolve(".env-8080.before"))), "a secret stays 0600");
        assertFalse(Files.exists(release.resolve(".env-8081.before")), "nothing to keep for a missing file");
        // The look's glob for instance files (env-*) does not take the kept ones for an instance's.
        Process glob = new ProcessBuilder("sh", "-c", "cd '" + release + "' && echo env-*").start();
        assertEquals("env-8080", new String(glob.getInputStream().readAllBytes()).strip());

        // The deploy writes the new env; its gate fails; going back puts the kept files back.
        write("env", "DB_PASSWORD=wrong\n");
        write("env-8080", "DB_PASSWORD=wrong\nPORT=8080\n");
        write("env-8081", "DB_PASSWORD=wrong\nPORT=8081\n");
        assertEquals(0, sh(HostsPlan.restoreEnvCommand(release.toString(), names)));
        assertEquals("DB_PASSWORD=good\n", Files.readString(release.resolve("env")));
        assertEquals("DB_PASSWORD=good\nPORT=8080\n", Files.readString(release.resolve("env-8080")));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(release.resolve("env"))));
        assertFalse(Files.exists(release.resolve("env-8081")),
                "a file the failed run added goes (a later start on that port makes it again from env)");
        try (var left = Files.list(release)) {
            assertTrue(left.noneMatch(f -> f.getFileName().toString().endsWith(".before")), "nothing kept is left");
        }
    }

    @Test
    void aReleaseDirectoryThatIsGoneFailsTheCommand() throws Exception {
        assertTrue(sh(HostsPlan.keepEnvCommand(release.resolve("gone").toString(), List.of("env"))) != 0);
        assertTrue(sh(HostsPlan.restoreEnvCommand(release.resolve("gone").toString(), List.of("env"))) != 0);
    }
}
