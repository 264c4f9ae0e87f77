package dev.slipway.build;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.zip.CRC32;
import java.util.zip.CRC32C;

/**
 * Whether a platform's single file and {@code .tar.gz} in {@code dist/} can be kept as they are:
 * {@link Pack} writes them only when what they are made of changed since it last wrote them.
 * Writing them (compressing some 60 MB of app files twice, zstd and gzip, then reading both back
 * for their sha256) was most of an unchanged rebuild's time.
 *
 * <p>The key ({@link #key}) covers everything the two files are made of: the packing format
 * (payload version, zstd levels and window, the stub and run-function templates, the unpacker's
 * bytes), the launcher's {@link Launcher.Spec} (name, version, class path, options, build time,
 * ...), the archive's top directory, the runtime by its runtime cache key with the files left out
 * of it, and every entry of the layout outside {@code runtime/}: its name, type, mode, size and,
 * for a file, a 64-bit check of its bytes (CRC-32C and CRC-32, two different polynomials, ISO
 * 3309 and RFC 3720), never its time. The check is not a defence against a file crafted to
 * collide, which a build's own outputs are not; it is what lets an unchanged rebuild read its 60 MB
 * at memory speed (the JVM computes both CRCs with the processor's instructions, where sha256
 * runs as bytecode in the CLI's C1-only JVM: about 20 times slower). The training cache already
 * keys jars by their entries' CRC-32s ({@link TrainStartup#contentDigest}).
 *
 * <p>The record, {@code .slipway/build/outputs-<id>}, holds that key and, per file, its size,
 * modification time and sha256, as {@link BuildInputs} records the build command's outputs: a
 * file replaced or touched since (another size or time) is written again. The recorded sha256
 * goes to {@code dist/artifacts.json} without reading the file again.
 */
final class KeptOutputs {
    private KeptOutputs() {}

    private static final String HEADER = "slipway-build-outputs 1";

    /** Bumped when {@link Pack}, {@link Launcher} or {@link Archive} write other bytes for the same inputs. */
    // 2: the dependency jars in a frame and a member of their own; 3: the stub keeps the unpacker's bytes
    // that need no printf escape as they are (Launcher.printfEscape); 4: the cache key in the stub is the
    // payload's digest over its frames' sha256s (Launcher.PAYLOAD_DIGEST)
    private static final String FORMAT = "pack-4";

    /**
     * What was recorded for kept outputs.
     *
     * @param cacheKey   the single file's unpack cache key
     * @param executable the single file's sha256
     * @param archive    the {@code .tar.gz}'s sha256
     */
    record Kept(String cacheKey, String executable, String archive) {}

    /** @return {@code .slipway/build/outputs-<id>} of the service */
    static Path record(SlipwayConfig config, String id) {
        return config.serviceDir().resolve(".slipway/build/outputs-" + id);
    }

    /**
     * The key of a platform's outputs (see the class comment).
     *
     * @param spec     what the launcher starts
     * @param layout   the layout, complete (after training and the launcher)
     * @param prefix   the archive's top directory
     * @param runtime  the runtime cache key of the layout's runtime
     * @param leaveOut runtime files left out of both outputs
     * @param unpacker the unpacker's bytes
     * @param compression how the kept frames are compressed (the build's purpose)
     * @return the key, hex sha256
     * @throws IOException when the layout cannot be read
     */
    static String key(Launcher.Spec spec, Path layout, String prefix, String runtime, Set<String> leaveOut,
                      byte[] unpacker, Compression compression) throws IOException {
        MessageDigest sha = Hashing.sha256();
        StringBuilder head = new StringBuilder(FORMAT).append('\n')
                .append(Launcher.PAYLOAD_VERSION).append(' ').append(Launcher.APP_LEVEL).append(' ')
                .append(compression.frameName()).append(' ').append(Launcher.WINDOW_LOG).append(' ')
                .append(compression.archiveLevel()).append('\n')
                .append(Hashing.sha256Hex(Templates.load("stub.sh") + "\0" + Templates.load("run-function.sh"))).append('\n')
                .append(Hashing.sha256Hex(unpacker)).append('\n')
                .append(spec).append('\n').append(prefix).append('\n')
                .append(runtime).append(' ').append(new java.util.TreeSet<>(leaveOut)).append('\n');
        sha.update(head.toString().getBytes(StandardCharsets.UTF_8));
        byte[] buffer = new byte[1 << 16];
        for (Path p : Launcher.sortedEntries(layout)) {
            String rel = Launcher.relativeName(layout, p);
            if (rel.equals("runtime") || rel.startsWith("runtime/")) {
                continue;
            }
            String line;
            if (Files.isSymbolicLink(p)) {
                line = "L " + rel + " -> " + Files.readSymbolicLink(p);
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                line = "D " + rel;
            } else {
                line = "F " + rel + " " + Launcher.modeOf(p) + " " + check(p, buffer);
            }
            sha.update((line + "\n").getBytes(StandardCharsets.UTF_8));
        }
        return HexFormat.of().formatHex(sha.digest());
    }

    /** @return {@code size crc32c crc32} of a file's bytes */
    static String check(Path file, byte[] buffer) throws IOException {
        CRC32C c = new CRC32C();
        CRC32 d = new CRC32();
        long size = 0;
        try (InputStream in = Files.newInputStream(file)) {
            for (int n; (n = in.read(buffer)) > 0; ) {
                c.update(buffer, 0, n);
                d.update(buffer, 0, n);
                size += n;
            }
        }
        return size + " " + Long.toHexString(c.getValue()) + " " + Long.toHexString(d.getValue());
    }

    /**
     * The outputs recorded for {@code key}, when both files are still what was written.
     *
     * @param record     the record file
     * @param key        the key of this build's outputs
     * @param executable the single file
     * @param archive    the {@code .tar.gz}
     * @return what was recorded, or empty when either file must be written
     */
    static Optional<Kept> find(Path record, String key, Path executable, Path archive) {
        try {
            if (!Files.isRegularFile(record)) {
                return Optional.empty();
            }
            List<String> lines = Files.readAllLines(record, StandardCharsets.UTF_8);
            if (lines.size() != 5 || !lines.get(0).equals(HEADER) || !lines.get(1).equals(key)) {
                return Optional.empty();
            }
            String exe = unchanged(lines.get(3), executable);
            String tgz = unchanged(lines.get(4), archive);
            return exe == null || tgz == null ? Optional.empty() : Optional.of(new Kept(lines.get(2), exe, tgz));
        } catch (IOException | RuntimeException e) {
            return Optional.empty(); // an unreadable record: write the outputs again
        }
    }

    /** @return the recorded sha256 when {@code file} has the line's size and time, else null */
    private static String unchanged(String line, Path file) throws IOException {
        String[] parts = line.split(" ", 3);
        if (parts.length != 3 || !Files.isRegularFile(file, LinkOption.NOFOLLOW_LINKS)) {
            return null;
        }
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.size() == Long.parseLong(parts[0]) && a.lastModifiedTime().toMillis() == Long.parseLong(parts[1])
                ? parts[2] : null;
    }

    /**
     * Records outputs just written, with their sha256 as hashed while they were written (reading
     * some 60 MB back for it was a second of a warm build, sha256 being slow in the CLI's C1-only JVM).
     *
     * @param record     the record file, or null to record nothing (a {@code --no-cache} build)
     * @param key        their key
     * @param kept       the single file's unpack cache key and the sha256 of both files
     * @param executable the single file
     * @param archive    the {@code .tar.gz}
     * @return {@code kept}, as recorded
     * @throws IOException when a file cannot be read or the record written
     */
    static Kept save(Path record, String key, Kept kept, Path executable, Path archive) throws IOException {
        String cacheKey = kept.cacheKey();
        if (record == null) {
            return kept;
        }
        List<String> lines = new ArrayList<>(List.of(HEADER, key, cacheKey));
        lines.add(stat(executable) + " " + kept.executable());
        lines.add(stat(archive) + " " + kept.archive());
        Files.createDirectories(record.getParent());
        Path tmp = record.resolveSibling(record.getFileName() + ".tmp");
        Files.write(tmp, lines, StandardCharsets.UTF_8);
        Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        return kept;
    }

    private static String stat(Path file) throws IOException {
        BasicFileAttributes a = Files.readAttributes(file, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
        return a.size() + " " + a.lastModifiedTime().toMillis();
    }

    /**
     * Forgets a platform's outputs before they are written, so that a build that fails half-way
     * leaves no record that a later build could trust.
     *
     * @param record the record file
     * @throws IOException when it cannot be removed
     */
    static void forget(Path record) throws IOException {
        Files.deleteIfExists(record);
    }
}
