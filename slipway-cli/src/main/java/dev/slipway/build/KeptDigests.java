package dev.slipway.build;

import dev.slipway.util.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;

/**
 * The sha256 of a compressed part that a cache keeps whole and never changes in place (a kept
 * part of {@link KeptParts}, a runtime's frame in {@link RuntimeCache}), kept beside it as
 * {@code <file>.sha256} ({@code <size> <64 hex>}), so that a rebuild that copies the part into a
 * payload has its digest without hashing its tens of MB again: sha256 runs as C1 code in the CLI's
 * JVM, about ten times slower than with the processor's SHA instructions. A digest file whose size
 * is not the part's is hashed again and replaced; one that cannot be written is only a loss of time.
 */
final class KeptDigests {
    private KeptDigests() {}

    /** The suffix of a digest file. */
    static final String SUFFIX = ".sha256";

    /**
     * @param file     a cached part
     * @param contents its bytes, as just read (so a part removed meanwhile still has its digest)
     * @return their sha256, 64 lower-case hex digits
     */
    static String sha256(Path file, byte[] contents) {
        Path side = file.resolveSibling(file.getFileName() + SUFFIX);
        try {
            String[] kept = Files.readString(side, StandardCharsets.US_ASCII).trim().split(" ");
            if (kept.length == 2 && kept[0].equals(String.valueOf(contents.length)) && kept[1].matches("[0-9a-f]{64}")) {
                return kept[1];
            }
        } catch (NoSuchFileException none) {
            // first use: hashed below
        } catch (IOException | RuntimeException unreadable) {
            // hashed again below and replaced
        }
        String hex = Hashing.sha256Hex(contents);
        try {
            Path tmp = Files.createTempFile(side.getParent(), ".digest", ".tmp");
            try {
                Files.writeString(tmp, contents.length + " " + hex + "\n", StandardCharsets.US_ASCII);
                Files.move(tmp, side, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } finally {
                Files.deleteIfExists(tmp);
            }
        } catch (IOException e) {
            // not kept: the next build hashes it again
        }
        return hex;
    }
}
