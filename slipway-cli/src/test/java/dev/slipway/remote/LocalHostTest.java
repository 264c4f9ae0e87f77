package dev.slipway.remote;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** {@link LocalHost}'s file writes: the mode asked for, and never more while the file is filled. */
class LocalHostTest {
    @TempDir
    Path dir;

    /**
     * An upload from a named pipe stays open while the test looks at the half-written file: it must
     * be readable by its owner only (the old copy made it with the umask's 0644 until the end).
     */
    @Test
    void aSecretIsOwnerOnlyWhileItIsWritten() throws Exception {
        Path fifo = dir.resolve("secret.fifo");
        Process mkfifo = new ProcessBuilder("mkfifo", fifo.toString()).inheritIO().start();
        assertEquals(0, mkfifo.waitFor());
        Path target = dir.resolve("service.env");
        byte[] secret = "DATABASE_PASSWORD=hunter2\n".getBytes(StandardCharsets.UTF_8);
        try (LocalHost host = new LocalHost("local")) {
            CompletableFuture<Void> upload = CompletableFuture.runAsync(
                    () -> host.upload(fifo, target.toString(), 0600, (done, total) -> { }));
            try (OutputStream writer = Files.newOutputStream(fifo)) {
                Path tmp = awaitTemporary(target);
                assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(tmp)),
                        "the file being filled");
                writer.write(secret);
            }
            upload.get(30, TimeUnit.SECONDS);
        }
        assertArrayEquals(secret, Files.readAllBytes(target));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of("secret.fifo", "service.env"), names());
    }

    /** A wider mode than owner-only is set once the content is in place, whatever the umask. */
    @Test
    void theModeAskedForIsSetInTheEnd() throws Exception {
        Path target = dir.resolve("unit.service");
        try (LocalHost host = new LocalHost("local")) {
            host.write("[Unit]\n".getBytes(StandardCharsets.UTF_8), target.toString(), 0644);
            host.write("[Service]\n".getBytes(StandardCharsets.UTF_8), target.toString(), 0640);
        }
        assertEquals("[Service]\n", Files.readString(target));
        assertEquals("rw-r-----", PosixFilePermissions.toString(Files.getPosixFilePermissions(target)));
        assertEquals(List.of("unit.service"), names());
    }

    private Path awaitTemporary(Path target) throws InterruptedException {
        Path tmp = target.resolveSibling("." + target.getFileName() + ".tmp-" + ProcessHandle.current().pid());
        for (int i = 0; i < 300 && !Files.exists(tmp); i++) {
            Thread.sleep(10);
        }
        assertTrue(Files.exists(tmp), "no temporary file " + tmp + " within 3 s");
        return tmp;
    }

    private List<String> names() throws Exception {
        try (var s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }
}
