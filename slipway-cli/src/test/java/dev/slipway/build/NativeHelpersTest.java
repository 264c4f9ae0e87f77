package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.slipway.Tools;
import dev.slipway.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.TreeMap;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Issue 16, "no C compiler on the user's machine": Slipway carries its C helpers (the unpacker and
 * the image's probe) prebuilt for linux-amd64 and linux-arm64; their sha256 are recorded beside
 * them with the sources they were built from, and rebuilding gives the same bytes.
 */
class NativeHelpersTest {
    private static final String REBUILD = "; rebuild them with slipway-cli/build-native.sh and commit the result";

    @Test
    void everyHelperIsCarriedForEveryPlatformAndMatchesItsRecordAndSource() {
        Map<String, String> record = NativeHelpers.record();
        for (NativeHelpers.Helper h : NativeHelpers.HELPERS) {
            String source = Hashing.sha256Hex(h.sourceBytes());
            assertEquals(record.get(h.sourcePath()), source, h.sourcePath() + " changed since its binaries were built" + REBUILD);
            for (Platform p : NativeHelpers.PLATFORMS) {
                byte[] bin = NativeHelpers.prebuilt(h, p).orElseThrow(() -> new AssertionError(
                        "no prebuilt " + h.binaryPath(p) + " matching the record " + record + REBUILD));
                assertEquals(record.get(h.binaryPath(p)), Hashing.sha256Hex(bin));
                // An ELF file of the platform's machine: EM_X86_64 (62) or EM_AARCH64 (183).
                assertEquals(0x7f, bin[0]);
                assertEquals("ELF", new String(bin, 1, 3, java.nio.charset.StandardCharsets.US_ASCII));
                int machine = (bin[18] & 0xff) | (bin[19] & 0xff) << 8;
                assertEquals(p.arch().equals("amd64") ? 62 : 183, machine, h.binaryPath(p));
            }
        }
        assertEquals(NativeHelpers.HELPERS.size() * (1 + NativeHelpers.PLATFORMS.size()), record.size(), record.toString());
        // What the build uses is the prebuilt binary: byte for byte.
        assertEquals(Hashing.sha256Hex(Unpacker.forPlatform(Platform.host(), Path.of("/nonexistent"))),
                record.get(NativeHelpers.UNPACK.binaryPath(Platform.host())));
    }

    @Test
    void twoBuildsAreByteIdenticalAndGiveTheRecordedSha256(@TempDir Path tmp) throws Exception {
        Tools.require("cc");
        Tools.require("aarch64-linux-gnu-gcc");
        Tools.requireThat(Files.exists(Path.of("/usr/lib/aarch64-linux-gnu/libzstd.a")),
                "static arm64 libzstd (libzstd-dev:arm64, testbed/arm64.sh)");
        Tools.requireThat(Files.exists(Path.of("/usr/aarch64-linux-gnu/include/bits/wordsize.h")),
                "the arm64 cross C library headers (libc6-dev-arm64-cross, testbed/arm64.sh)");
        Path a = Files.createDirectories(tmp.resolve("a"));
        Path b = Files.createDirectories(tmp.resolve("b/other"));
        String first = NativeHelpers.build(a);
        String second = NativeHelpers.build(b);
        assertEquals(first, second, "two builds");
        Map<String, String> built = new TreeMap<>();
        for (String line : first.split("\n")) {
            built.put(line.substring(66), line.substring(0, 64));
        }
        for (NativeHelpers.Helper h : NativeHelpers.HELPERS) {
            for (Platform p : NativeHelpers.PLATFORMS) {
                assertTrue(Files.mismatch(a.resolve(h.binaryPath(p)), b.resolve(h.binaryPath(p))) == -1, h.binaryPath(p));
            }
        }
        String builtWith = new String(NativeHelpers.resource(NativeHelpers.DIR + NativeHelpers.BUILT_WITH).orElseThrow(),
                java.nio.charset.StandardCharsets.UTF_8);
        assertEquals(new TreeMap<>(NativeHelpers.record()), built,
                "the recorded binaries were built with\n" + builtWith + "and this machine has\n" + NativeHelpers.builtWith());
    }
}
