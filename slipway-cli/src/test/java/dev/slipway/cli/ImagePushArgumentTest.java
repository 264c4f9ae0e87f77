package dev.slipway.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * {@code slipway image --push DIR}, the service directory last as every other command takes it:
 * picocli gave it to {@code --push} as its optional value, and the command failed with "'DIR' is
 * not an image reference". A directory holding slipway.yaml is the service directory.
 */
class ImagePushArgumentTest {
    @TempDir
    Path tmp;

    @Test
    void aServiceDirectoryAfterPushIsTheServiceDirectory() throws Exception {
        Path dir = Files.createDirectories(tmp.resolve("svc"));
        Files.writeString(dir.resolve("slipway.yaml"), "name: svc\n");
        CliRunner.Run last = CliRunner.run("image", "--push", dir.toString());
        CliRunner.Run first = CliRunner.run("image", dir.toString(), "--push");
        assertEquals(2, last.code(), last.toString());
        assertFalse(last.err().contains("is not an image reference"), last.toString());
        assertTrue(last.err().contains("nothing built for svc"), last.toString());
        assertEquals(first.err(), last.err(), "the same as with the directory first");
    }
}
