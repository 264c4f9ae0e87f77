package dev.slipway.util;

import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * SHA-256 (FIPS 180-4) of files, strings and bytes, as lower-case hex: the digests of
 * {@code dist/artifacts.json}, checksums and cache keys. Every JDK has SHA-256 (the
 * {@link MessageDigest} javadoc lists it as required), so its absence is an {@link IllegalStateException}.
 */
public final class Hashing {
    private Hashing() {}

    /** @return a new SHA-256 digest */
    public static MessageDigest sha256() {
        return digest("SHA-256");
    }

    /**
     * @param algorithm a {@link MessageDigest} algorithm name, e.g. {@code SHA-512}
     * @return a new digest
     * @throws IllegalStateException when the JDK lacks it
     */
    public static MessageDigest digest(String algorithm) {
        try {
            return MessageDigest.getInstance(algorithm);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("the JDK has no " + algorithm, e);
        }
    }

    /**
     * @param file a file
     * @return its sha256, 64 lower-case hex digits
     * @throws IOException when it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        return hex(file, sha256());
    }

    /**
     * @param file   a file
     * @param digest a fresh digest (see {@link #digest})
     * @return the file's digest, lower-case hex
     * @throws IOException when it cannot be read
     */
    public static String hex(Path file, MessageDigest digest) throws IOException {
        try (InputStream in = Files.newInputStream(file)) {
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                digest.update(buf, 0, n);
            }
        }
        return HexFormat.of().formatHex(digest.digest());
    }

    /**
     * @param text any text, hashed as UTF-8
     * @return its sha256, 64 lower-case hex digits (cache keys take a prefix)
     */
    public static String sha256Hex(String text) {
        return sha256Hex(text.getBytes(StandardCharsets.UTF_8));
    }

    /**
     * @param bytes any bytes
     * @return their sha256, 64 lower-case hex digits
     */
    public static String sha256Hex(byte[] bytes) {
        return HexFormat.of().formatHex(sha256().digest(bytes));
    }
}
