package dev.slipway.release;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.io.TempDir;

/** checksums.txt must be what GNU coreutils' sha256sum -c / sha512sum -c accepts. */
class ChecksumsTest {
    @TempDir
    Path dist;

    @ParameterizedTest
    @ValueSource(strings = {"sha256", "sha512"})
    void verifiesWithCoreutils(String algorithm) throws Exception {
        Tools.require(algorithm + "sum");
        Files.createDirectories(dist.resolve("app_1.0_linux_amd64"));
        Files.writeString(dist.resolve("app_1.0_linux_amd64/app"), "#!/bin/sh\necho hi\n");
        Files.write(dist.resolve("app_1.0_linux_amd64.tar.gz"), new byte[] {31, (byte) 139, 8, 0, 1, 2, 3});
        Files.writeString(dist.resolve("name with spaces.txt"), "x");
        Path file = Checksums.write(dist, List.of("app_1.0_linux_amd64.tar.gz", "app_1.0_linux_amd64/app",
                "name with spaces.txt"), algorithm);
        String text = Files.readString(file);
        assertEquals(3, text.lines().count());
        assertTrue(text.lines().allMatch(l -> l.matches("[0-9a-f]{" + (algorithm.equals("sha256") ? 64 : 128) + "}  .+")), text);

        Process p = new ProcessBuilder(algorithm + "sum", "-c", "--strict", Checksums.FILE_NAME)
                .directory(dist.toFile()).redirectErrorStream(true).start();
        String out = new String(p.getInputStream().readAllBytes());
        assertTrue(p.waitFor(30, TimeUnit.SECONDS));
        assertEquals(0, p.exitValue(), out);
        assertEquals(3, out.lines().filter(l -> l.endsWith(": OK")).count(), out);

        // and a changed file fails the check
        Files.writeString(dist.resolve("name with spaces.txt"), "y");
        Process bad = new ProcessBuilder(algorithm + "sum", "-c", Checksums.FILE_NAME).directory(dist.toFile())
                .redirectErrorStream(true).start();
        bad.getInputStream().readAllBytes();
        assertTrue(bad.waitFor(30, TimeUnit.SECONDS));
        assertEquals(1, bad.exitValue());
    }
}
