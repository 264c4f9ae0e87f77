package dev.slipway.build;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.slipway.util.Hashing;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The sha256 kept beside a cached part: written on first use, read after, hashed again when it does not fit. */
class KeptDigestsTest {
    @Test
    void theDigestIsKeptBesideThePartAndHashedAgainWhenItsSizeIsNotThePart(@TempDir Path dir) throws Exception {
        Path part = dir.resolve("abc.zst");
        byte[] bytes = "some compressed bytes".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
        Files.write(part, bytes);
        Path side = dir.resolve("abc.zst" + KeptDigests.SUFFIX);
        String sha = Hashing.sha256Hex(bytes);

        assertEquals(sha, KeptDigests.sha256(part, bytes));
        assertEquals(bytes.length + " " + sha, Files.readString(side).trim(), "kept on first use");

        // Read, not hashed: a digest file of the right size is taken as it is.
        String other = "0".repeat(64);
        Files.writeString(side, bytes.length + " " + other + "\n");
        assertEquals(other, KeptDigests.sha256(part, bytes));

        // Another size (a part written again meanwhile) or a damaged line: hashed again and replaced.
        Files.writeString(side, (bytes.length + 1) + " " + other + "\n");
        assertEquals(sha, KeptDigests.sha256(part, bytes));
        assertEquals(bytes.length + " " + sha, Files.readString(side).trim());
        Files.writeString(side, "garbage");
        assertEquals(sha, KeptDigests.sha256(part, bytes));
        try (var s = Files.list(dir)) {
            assertEquals(2, s.count(), "no temporary file left: the part and its digest");
        }
    }
}
