package dev.slipway.build;

import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.FileTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * The compressed parts kept by content: the single file's payload and the {@code .tar.gz} hold
 * {@code app/lib/} (the dependency jars) and each startup archive ({@link #FILES}: the AppCDS
 * archive or AOT cache, which the training cache gives back unchanged when the dependency jars
 * did not change) in a zstd frame and a gzip member of their own (RFC 8878 and RFC 1952 both
 * read concatenated frames and members as one stream), which a rebuild whose part did not change
 * copies from {@code <cache>/parts/} instead of compressing it again (myapp, JDK 17: 32 MB of
 * stored jars and a 26 MB archive, at zstd level 9 and 12 (19 for a release) and gzip level 6, on every class change).
 * The key covers the part's kind (frame or member, with what shapes its bytes: levels, window,
 * the archive's top directory and time) and every path of the part with its mode, size and
 * 64-bit check ({@link KeptOutputs#check}); the same key gives the same bytes, so a rebuild stays
 * byte-identical whether the part was kept or written. The last {@link #KEEP} parts used stay;
 * older ones are removed when a new one is kept.
 */
final class KeptParts {
    /** The part of the layout kept by content: the dependency jars. */
    static final String PART = "app/lib";
    /**
     * The files kept by content as parts of their own: the startup archives ({@link Training}),
     * tens of MB that only a new dependency set or a new training changes.
     */
    static final java.util.Set<String> FILES = java.util.Set.of(Training.BUILT_CDS_FILE, Training.CDS_FILE,
            Training.AOT_FILE);
    /**
     * How many parts stay in the cache directory: two platforms, each with the dependency jars and
     * a startup archive, a frame and a member each.
     */
    static final int KEEP = 8;
    /** Nothing kept: every part is written afresh ({@code --no-cache}, tests). */
    static final KeptParts NONE = new KeptParts(null);

    /** Writes a part's compressed bytes; must not close {@code out}. */
    interface Writer {
        void write(OutputStream out) throws IOException;
    }

    private final Path dir;

    /** @param dir where the parts are kept; {@code null} keeps none */
    KeptParts(Path dir) {
        this.dir = dir;
    }

    /**
     * @param rel a path relative to the layout
     * @return whether it belongs to the kept part
     */
    static boolean inPart(String rel) {
        return rel.equals(PART) || rel.startsWith(PART + "/");
    }

    /**
     * @param rel a path relative to the layout
     * @return the kept part it belongs to ({@link #PART} or one of {@link #FILES}), or {@code null}
     *         when it is compressed on every build
     */
    static String partOf(String rel) {
        return inPart(rel) ? PART : FILES.contains(rel) ? rel : null;
    }

    /**
     * The key of one part of {@code layout} for one kind of compressed form.
     *
     * @param layout the layout
     * @param part   the part ({@link #partOf})
     * @param paths  the part's entries in {@code layout}, sorted
     * @param kind   what else shapes the part's bytes (format, levels, archive prefix and time)
     * @return hex sha256, first 32 digits
     * @throws IOException when the layout cannot be read
     */
    static String key(Path layout, String part, List<Path> paths, String kind) throws IOException {
        StringBuilder recipe = new StringBuilder("part-1\n").append(kind).append('\n');
        if (!part.equals(PART)) {
            recipe.append("part ").append(part).append('\n');
        }
        byte[] buffer = new byte[1 << 16];
        for (Path p : paths) {
            String rel = Launcher.relativeName(layout, p);
            if (Files.isSymbolicLink(p)) {
                recipe.append("L ").append(rel).append(" -> ").append(Files.readSymbolicLink(p));
            } else if (Files.isDirectory(p, LinkOption.NOFOLLOW_LINKS)) {
                recipe.append("D ").append(rel);
            } else {
                recipe.append("F ").append(rel).append(' ').append(Launcher.modeOf(p)).append(' ')
                        .append(KeptOutputs.check(p, buffer));
            }
            recipe.append('\n');
        }
        return Hashing.sha256Hex(recipe.toString()).substring(0, 32);
    }

    /**
     * Puts the part with {@code key} into {@code out}: the kept bytes when there are some, else
     * what {@code writer} writes, which is then kept.
     *
     * @param key    the part's key ({@link #key})
     * @param suffix the kept file's suffix ({@code .zst}, {@code .gz})
     * @param writer writes the part
     * @param out    where the part goes; not closed
     * @throws IOException on a read or write failure
     */
    void put(String key, String suffix, Writer writer, OutputStream out) throws IOException {
        put(key, suffix, writer, out, false);
    }

    /**
     * {@link #put(String, String, Writer, OutputStream)}, with the part's digest.
     *
     * @return the sha256 of the part's bytes, kept beside a kept part ({@link KeptDigests})
     */
    String putDigested(String key, String suffix, Writer writer, OutputStream out) throws IOException {
        return put(key, suffix, writer, out, true);
    }

    private String put(String key, String suffix, Writer writer, OutputStream out, boolean digest) throws IOException {
        if (dir == null && !digest) {
            writer.write(out);
            return null;
        }
        if (dir == null) {
            java.security.MessageDigest sha = Hashing.sha256();
            writer.write(new java.security.DigestOutputStream(new Archive.KeepOpen(out), sha));
            return java.util.HexFormat.of().formatHex(sha.digest());
        }
        Path kept = dir.resolve(key + suffix);
        byte[] copied = copy(kept, out);
        if (copied != null) {
            return digest ? KeptDigests.sha256(kept, copied) : null;
        }
        Files.createDirectories(dir);
        Path tmp = Files.createTempFile(dir, ".part", ".tmp");
        try {
            try (OutputStream os = new java.io.BufferedOutputStream(Files.newOutputStream(tmp), 1 << 16)) {
                writer.write(os);
            }
            Files.move(tmp, kept, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
        } finally {
            Files.deleteIfExists(tmp);
        }
        prune(kept);
        copied = copy(kept, out);
        if (copied == null) {
            throw new NoSuchFileException(kept.toString(), null, "removed by another build as it was kept");
        }
        return digest ? KeptDigests.sha256(kept, copied) : null;
    }

    /** @return the kept file's bytes when it was there and went into {@code out} whole, else null */
    private static byte[] copy(Path kept, OutputStream out) throws IOException {
        byte[] bytes;
        try {
            bytes = Files.readAllBytes(kept); // whole, so that a file removed meanwhile writes nothing
        } catch (NoSuchFileException gone) {
            return null;
        }
        out.write(bytes);
        try {
            Files.setLastModifiedTime(kept, FileTime.from(java.time.Instant.now())); // recently used
        } catch (IOException removedMeanwhile) {
            // another build pruned it: the bytes are already out
        }
        return bytes;
    }

    /** Removes all but the {@link #KEEP} most recently used parts, never {@code keep}. */
    private void prune(Path keep) {
        try (var s = Files.list(dir)) {
            List<Path> parts = new ArrayList<>(s.filter(p -> !p.getFileName().toString().startsWith(".")
                    && !p.getFileName().toString().endsWith(KeptDigests.SUFFIX)).toList());
            parts.sort(Comparator.comparing(KeptParts::lastUsed).reversed());
            for (int i = 0; i < parts.size(); i++) {
                if (i >= KEEP && !parts.get(i).equals(keep)) {
                    Files.deleteIfExists(parts.get(i));
                    Files.deleteIfExists(parts.get(i).resolveSibling(parts.get(i).getFileName() + KeptDigests.SUFFIX));
                }
            }
        } catch (IOException e) {
            // pruning is best effort: a part left over is only room taken
        }
    }

    private static FileTime lastUsed(Path p) {
        try {
            return Files.getLastModifiedTime(p);
        } catch (IOException e) {
            return FileTime.fromMillis(0);
        }
    }
}
