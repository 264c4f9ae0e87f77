package dev.slipway.deploy;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.SlipwayException;
import dev.slipway.remote.LocalHost;
import dev.slipway.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.PosixFilePermissions;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The release directory install every machine target shares ({@link ReleaseLayout#install}), over
 * {@link LocalHost}: a release directory is complete or absent, never half-written.
 */
class ReleaseLayoutTest {
    @TempDir
    Path tmp;

    private static List<String> entries(Path dir) throws Exception {
        try (Stream<Path> s = Files.list(dir)) {
            return s.map(p -> p.getFileName().toString()).sorted().toList();
        }
    }

    @Test
    void aReleaseIsRenamedIntoPlaceWithItsFilesAndModes() throws Exception {
        Path exe = Files.writeString(tmp.resolve("svc"), "#!/bin/sh\n");
        ReleaseLayout layout = new ReleaseLayout(new LocalHost("local"), tmp.resolve("state").toString());
        assertFalse(layout.install("1.0.0", List.of(ReleaseLayout.File.sent("svc", 0755, exe, Hashing.sha256(exe)),
                ReleaseLayout.File.text("service.env", 0600, "A=\"1\"\n"))), "nothing was there before");
        Path r = tmp.resolve("state/releases/1.0.0");
        assertEquals(List.of("service.env", "svc"), entries(r));
        assertEquals("rwxr-xr-x", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.resolve("svc"))));
        assertEquals("rw-------", PosixFilePermissions.toString(Files.getPosixFilePermissions(r.resolve("service.env"))));
        assertEquals(List.of("1.0.0"), entries(r.getParent()), "no hidden directory is left");
    }

    @Test
    void aWrongSumLeavesNoReleaseAndAnIncompleteOneIsReplaced() throws Exception {
        Path exe = Files.writeString(tmp.resolve("svc"), "#!/bin/sh\n");
        ReleaseLayout layout = new ReleaseLayout(new LocalHost("local"), tmp.resolve("state").toString());
        Path r = Files.createDirectories(tmp.resolve("state/releases/1.0.0"));
        Files.writeString(r.resolve("svc"), "half");
        SlipwayException e = assertThrows(SlipwayException.class, () -> layout.install("1.0.0",
                List.of(ReleaseLayout.File.sent("svc", 0755, exe, "0".repeat(64)))));
        assertEquals(1, e.exitCode());
        assertTrue(e.getMessage().startsWith("the copy of " + exe + " has sha256 " + Hashing.sha256(exe) + ", not 000"),
                e.getMessage());
        assertEquals(List.of(), entries(r.getParent()), "neither the incomplete release nor the hidden one is left");

        Files.createDirectories(r);
        Files.writeString(r.resolve("svc"), "half");
        assertTrue(layout.install("1.0.0", List.of(ReleaseLayout.File.sent("svc", 0755, exe, Hashing.sha256(exe)))),
                "it says the incomplete one was removed");
        assertEquals("#!/bin/sh\n", Files.readString(r.resolve("svc")));
    }
}
