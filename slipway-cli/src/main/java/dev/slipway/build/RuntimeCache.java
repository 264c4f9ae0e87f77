package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.util.Hashing;
import dev.slipway.util.Trees;
import java.io.IOException;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.nio.file.attribute.FileTime;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HexFormat;
import java.util.List;
import java.util.Set;
import java.util.stream.Stream;

/**
 * A content-addressed cache of linked runtimes under {@code <cache>/runtimes/<key>/}.
 *
 * <p>A jlinked runtime depends only on the linking JDK's build, the target JDK's build, the target
 * platform, the module set and the jlink options, so the key is a sha256 of exactly those. A
 * rebuild where only the app changed links nothing. Entries are published with rename(2) under an
 * exclusive lock, so concurrent builds never see half a runtime.
 */
public final class RuntimeCache {
    /** Bump when the cached runtime's layout or trimming changes, to invalidate old entries. */
    private static final String FORMAT = "slipway-runtime-3";

    private final Path root;

    /** @param cacheDir Slipway's cache directory; runtimes go under {@code runtimes/} */
    public RuntimeCache(Path cacheDir) {
        this.root = cacheDir.resolve("runtimes");
    }

    /**
     * The recipe of one runtime.
     *
     * @param linker   the JDK whose jlink runs
     * @param target   the JDK whose jmods are linked (equal to {@code linker} for the host)
     * @param platform the target platform
     * @param modules  the sorted module set
     * @param options  the jlink options, in order
     */
    public record Recipe(Jdk linker, Jdk target, Platform platform, List<String> modules, List<String> options) {
        /** @return the cache key: 32 hex digits of sha256 over the recipe and both JDKs' release files */
        public String key() {
            MessageDigest sha = Hashing.sha256();
            for (String part : List.of(FORMAT, identity(linker), identity(target), platform.toString(),
                    String.join(",", modules), String.join(" ", options))) {
                sha.update(part.getBytes(StandardCharsets.UTF_8));
                sha.update((byte) 0);
            }
            return HexFormat.of().formatHex(sha.digest()).substring(0, 32);
        }

        private static String identity(Jdk jdk) {
            StringBuilder sb = new StringBuilder(jdk.version()).append('\n');
            try {
                Path release = jdk.home().resolve("release");
                if (Files.isRegularFile(release)) {
                    sb.append(Files.readString(release, StandardCharsets.UTF_8));
                }
                Path jmods = jdk.home().resolve("jmods");
                if (Files.isDirectory(jmods)) {
                    try (Stream<Path> s = Files.list(jmods)) {
                        s.sorted().forEach(p -> {
                            try {
                                sb.append(p.getFileName()).append(' ').append(Files.size(p)).append('\n');
                            } catch (IOException e) {
                                sb.append(p.getFileName()).append('\n');
                            }
                        });
                    }
                }
            } catch (IOException e) {
                throw SlipwayException.failed("cannot read the JDK at " + jdk.home() + ": " + e.getMessage(), e);
            }
            return sb.toString();
        }
    }

    /**
     * A runtime ready to copy.
     *
     * @param dir      the runtime directory (do not modify it)
     * @param key      its cache key
     * @param cacheHit whether it came from the cache
     */
    public record Runtime(Path dir, String key, boolean cacheHit) {}

    /**
     * Returns the runtime for {@code recipe}, linking it on a miss.
     *
     * @param recipe  what to link
     * @param useCache false to bypass the cache (link into a fresh directory, store nothing)
     * @param scratch a directory for an uncached link
     * @param link    links a runtime into the given (not yet existing) directory
     * @param console for progress
     * @return the runtime
     * @throws SlipwayException (exit 1) when linking or the cache fails
     */
    public Runtime get(Recipe recipe, boolean useCache, Path scratch, Linker link, Console console) {
        String key = recipe.key();
        if (!useCache) {
            Path dir = scratch.resolve("runtime-" + recipe.platform());
            link.link(dir);
            return new Runtime(dir, key, false);
        }
        Path entry = root.resolve(key);
        try {
            Files.createDirectories(root);
            try (FileChannel lock = FileChannel.open(root.resolve(key + ".lock"), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); var held = lock.lock()) {
                if (!Files.isDirectory(entry)) {
                    Path tmp = root.resolve(key + ".tmp");
                    Trees.deleteTree(tmp);
                    link.link(tmp);
                    Files.move(tmp, entry, StandardCopyOption.ATOMIC_MOVE);
                    touch(entry);
                    return new Runtime(entry, key, false);
                }
            }
            touch(entry);
            return new Runtime(entry, key, true);
        } catch (IOException e) {
            throw SlipwayException.failed("runtime cache " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * The single file's compressed {@code runtime/} frame for a runtime (see
     * {@link Launcher#writeRuntimeMember}): kept beside a cached runtime as
     * {@code <key>.member-l<zstd level>-w<window log>[-j<job log>][-<hash of leaveOut>].zst} (the
     * level, window and job size in the name, {@link Compression#frameName}, so a build's frame
     * and a release's are kept side by side and a Slipway that compresses otherwise never takes
     * another's frame), written once; for an uncached runtime written into {@code scratch}.
     *
     * @param runtime  the runtime from {@link #get}
     * @param leaveOut runtime files left out (relative to the runtime), e.g. the default CDS archive
     * @param compression the build's purpose: {@link Compression#BUILD} or {@link Compression#RELEASE}
     * @param scratch  a directory for an uncached frame
     * @return the frame file
     * @throws SlipwayException (exit 1) when it cannot be written
     */
    public Path member(Runtime runtime, Set<String> leaveOut, Compression compression, Path scratch) {
        String name = runtime.key() + ".member-" + compression.frameName() + variant(leaveOut)
                + ".zst";
        return cached(runtime, scratch, name, ".lock",
                os -> Launcher.writeRuntimeMember(runtime.dir(), leaveOut, compression, os));
    }

    /**
     * The {@code .tar.gz} archive's compressed {@code runtime/} member (see
     * {@link Archive#writeRuntimeMember}). Its tar headers carry the archive's top directory and the
     * build time, so it is kept per runtime for the last prefix and time only, as
     * {@code <key>.tar-<hash of prefix, time and leaveOut>.gz}: a rebuild of the same version
     * compresses only the app. For an uncached runtime it is written into {@code scratch}.
     *
     * @param runtime  the runtime from {@link #get}
     * @param prefix   the archive's top-level directory, e.g. {@code myapp_1.0.0_linux_amd64}
     * @param time     the build time given to every entry
     * @param leaveOut runtime files left out (relative to the runtime)
     * @param scratch  a directory for an uncached member
     * @return the member file
     * @throws SlipwayException (exit 1) when it cannot be written
     */
    public Path tarMember(Runtime runtime, String prefix, Instant time, Set<String> leaveOut, Path scratch) {
        String id = Hashing.sha256Hex(prefix + "\n" + time.getEpochSecond() + variant(leaveOut)).substring(0, 16);
        String base = runtime.key() + ".tar-";
        // Its own lock file: the single file's member() holds <key>.lock at the same time in this
        // JVM, and a second FileChannel lock on one file in one JVM throws OverlappingFileLockException.
        return cached(runtime, scratch, base + id + ".gz", ".tar.lock", os -> {
            try (var buffered = new java.io.BufferedOutputStream(os, 1 << 16)) {
                Archive.writeRuntimeMember(runtime.dir(), prefix, time, leaveOut, buffered);
            }
        });
    }

    /** @return "" for nothing left out, else "-" and 12 hex digits of the sorted set's hash */
    private static String variant(Set<String> leaveOut) {
        return leaveOut.isEmpty() ? "" : "-" + Hashing.sha256Hex(String.join("\n", new java.util.TreeSet<>(leaveOut))).substring(0, 12);
    }

    /** Writes one compressed part of a runtime. */
    @FunctionalInterface
    private interface PartWriter {
        void write(java.io.OutputStream out) throws IOException;
    }

    /**
     * A compressed part of a runtime kept beside it as {@code name}, written once under the lock
     * file {@code <key><lockSuffix>}; a {@code .tar-*.gz} part replaces the runtime's other
     * {@code .tar-*.gz} parts (one prefix and time at a time). Uncached runtimes write it into scratch.
     */
    private Path cached(Runtime runtime, Path scratch, String name, String lockSuffix, PartWriter writer) {
        try {
            if (!runtime.dir().startsWith(root)) {
                Path out = scratch.resolve("runtime-" + name);
                try (var os = new StopsOnInterrupt(Files.newOutputStream(out))) {
                    writer.write(os);
                }
                return out;
            }
            Path part = root.resolve(name);
            try (FileChannel lock = FileChannel.open(root.resolve(runtime.key() + lockSuffix), StandardOpenOption.CREATE,
                    StandardOpenOption.WRITE); var held = lock.lock()) {
                if (!Files.isRegularFile(part)) {
                    Path tmp = root.resolve(name + ".tmp");
                    try (var os = new StopsOnInterrupt(Files.newOutputStream(tmp))) {
                        writer.write(os);
                    } catch (IOException | RuntimeException e) {
                        Files.deleteIfExists(tmp); // failed or interrupted: no half-written part stays
                        throw e;
                    }
                    String tarBase = runtime.key() + ".tar-";
                    if (name.startsWith(tarBase)) {
                        try (Stream<Path> old = Files.list(root)) {
                            for (Path p : old.filter(p -> p.getFileName().toString().startsWith(tarBase)
                                    && p.getFileName().toString().endsWith(".gz")).toList()) {
                                Files.deleteIfExists(p);
                            }
                        }
                    }
                    Files.move(tmp, part, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
                }
            }
            return part;
        } catch (IOException e) {
            throw SlipwayException.failed("runtime cache " + root + ": " + e.getMessage(), e);
        }
    }

    /**
     * An output stream that fails with {@link java.io.InterruptedIOException} on a write once its
     * thread is interrupted, so that an interrupt stops a part being compressed
     * ({@link RuntimeParts#close}) within one buffer: the compressor's native code and the reads it
     * is fed from do not look at the interrupt themselves.
     */
    private static final class StopsOnInterrupt extends java.io.FilterOutputStream {
        StopsOnInterrupt(java.io.OutputStream out) {
            super(out);
        }

        @Override
        public void write(int b) throws IOException {
            check();
            out.write(b);
        }

        @Override
        public void write(byte[] b, int off, int len) throws IOException {
            check();
            out.write(b, off, len);
        }

        private static void check() throws java.io.InterruptedIOException {
            if (Thread.currentThread().isInterrupted()) {
                throw new java.io.InterruptedIOException("interrupted");
            }
        }
    }

    /** Links a runtime into a directory that does not exist yet. */
    @FunctionalInterface
    public interface Linker {
        /** @param output the runtime directory to create */
        void link(Path output);
    }

    private static void touch(Path entry) throws IOException {
        Path stamp = entry.resolve(".slipway-last-used");
        if (!Files.exists(stamp)) {
            Files.createFile(stamp);
        }
        Files.setLastModifiedTime(stamp, FileTime.from(Instant.now()));
    }

    /**
     * Removes all but the {@code keep} most recently used runtimes.
     *
     * @param keep how many to keep (0 removes all)
     * @return the keys removed
     * @throws SlipwayException (exit 1) when an entry cannot be removed
     */
    public List<String> prune(int keep) {
        List<String> removed = new ArrayList<>();
        if (!Files.isDirectory(root)) {
            return removed;
        }
        try (Stream<Path> s = Files.list(root)) {
            List<Path> entries = s.filter(Files::isDirectory).filter(p -> !p.getFileName().toString().endsWith(".tmp"))
                    .sorted(Comparator.comparing(RuntimeCache::lastUsed).reversed()).toList();
            for (int i = keep; i < entries.size(); i++) {
                Path e = entries.get(i);
                Trees.deleteTree(e);
                try (Stream<Path> parts = Files.list(root)) { // .member*.zst (.member.gz of older builds), .tar-*.gz
                    for (Path t : parts.filter(t -> t.getFileName().toString().startsWith(e.getFileName() + ".member")
                            || t.getFileName().toString().startsWith(e.getFileName() + ".tar")).toList()) {
                        Files.deleteIfExists(t);
                    }
                }
                Files.deleteIfExists(root.resolve(e.getFileName() + ".lock"));
                removed.add(e.getFileName().toString());
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot prune " + root + ": " + e.getMessage(), e);
        }
        return removed;
    }

    private static Instant lastUsed(Path entry) {
        try {
            return Files.getLastModifiedTime(entry.resolve(".slipway-last-used")).toInstant();
        } catch (IOException e) {
            return Instant.EPOCH;
        }
    }
}
