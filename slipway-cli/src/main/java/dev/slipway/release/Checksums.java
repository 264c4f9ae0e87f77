package dev.slipway.release;

import dev.slipway.util.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Comparator;
import java.util.List;

/**
 * {@code checksums.txt}: one line per file, {@code <hex digest><space><space><path>}, sorted by
 * path, paths relative to the checksum file's directory. That is the text mode format of GNU
 * coreutils' {@code sha256sum}/{@code sha512sum}, so {@code cd dist && sha256sum -c checksums.txt}
 * verifies it.
 */
public final class Checksums {
    /** The checksum file's name in {@code dist/}. */
    public static final String FILE_NAME = "checksums.txt";

    private Checksums() {}

    /**
     * Writes the checksum file.
     *
     * @param dist      the directory the paths are relative to; the file is written there
     * @param files     paths relative to {@code dist}, with {@code /} separators
     * @param algorithm {@code sha256} or {@code sha512}
     * @return the written file
     * @throws IOException when a file cannot be read or the checksum file written
     */
    public static Path write(Path dist, List<String> files, String algorithm) throws IOException {
        StringBuilder sb = new StringBuilder();
        for (String f : files.stream().sorted(Comparator.naturalOrder()).toList()) {
            if (f.contains("\n") || f.contains("\\")) {
                throw new IOException("cannot list '" + f + "' in " + FILE_NAME + " (newline or backslash in the name)");
            }
            sb.append(digest(dist.resolve(f), algorithm)).append("  ").append(f).append('\n');
        }
        Path out = dist.resolve(FILE_NAME);
        Files.writeString(out, sb.toString(), StandardCharsets.UTF_8);
        return out;
    }

    /**
     * @param file      a file
     * @param algorithm {@code sha256} or {@code sha512}
     * @return the digest as lower-case hex
     * @throws IOException when the file cannot be read
     */
    public static String digest(Path file, String algorithm) throws IOException {
        return Hashing.hex(file, Hashing.digest(algorithm.equals("sha512") ? "SHA-512" : "SHA-256"));
    }
}
