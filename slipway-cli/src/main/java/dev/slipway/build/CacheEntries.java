package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.LinkOption;
import java.nio.file.Path;
import java.nio.file.attribute.BasicFileAttributes;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;

/**
 * A cache folder whose entries are kept by content and found again by key, with no owner to say
 * when one is no longer wanted: the training cache ({@code <cache>/training/<key>/}), the re-written
 * dependency jars ({@code <cache>/stored-1/<sha256>.jar}) and the image layer cache
 * ({@code <cache>/layers/<key>.tar.gz} and {@code .json}). Every hit marks its entry used by setting
 * its modification time to now ({@link #used}); {@link #prune} removes the entries not used for a
 * while, the rule Go's build cache applies to its own (it trims entries unused for five days).
 *
 * @param root the cache folder, e.g. {@code ~/.cache/slipway/training}
 */
public record CacheEntries(Path root) {

    /**
     * The cache folders kept this way, under Slipway's cache directory: the training cache, the
     * re-written dependency jars ({@link StoredJars#CACHE}) and the image layers.
     */
    public static final java.util.List<String> FOLDERS = java.util.List.of("training", StoredJars.CACHE, "layers");

    /** How long an unused entry stays by default: Go's build cache trims after five days. */
    public static final Duration DEFAULT_UNUSED_FOR = Duration.ofDays(5);

    /**
     * What a prune did.
     *
     * @param removed how many entries (files or folders directly under the root) were removed
     * @param bytes   the bytes their files took
     */
    public record Pruned(int removed, long bytes) {}

    /**
     * Marks a cache entry used now, so that {@link #prune} keeps it. A cache that cannot be written
     * (read-only, another user's) is left as it is: the mark only decides what a prune removes.
     *
     * @param entry a file or folder directly under a cache folder
     */
    public static void used(Path entry) {
        try {
            Files.setLastModifiedTime(entry, FileTime.from(Instant.now()));
        } catch (IOException | SecurityException e) {
            // Not marked: at worst a later prune removes it and a build makes it again.
        }
    }

    /**
     * Removes every entry directly under the root whose modification time (its last use, see
     * {@link #used}) is older than {@code now - unusedFor}. A folder entry goes whole. Nothing
     * happens when the root does not exist.
     *
     * @param unusedFor how long an entry may go unused, e.g. {@link #DEFAULT_UNUSED_FOR}
     * @param now       the time to count from
     * @return how many entries were removed and the bytes they took
     * @throws SlipwayException (exit 1) when the root cannot be listed or an entry cannot be removed
     */
    public Pruned prune(Duration unusedFor, Instant now) {
        if (!Files.isDirectory(root)) {
            return new Pruned(0, 0);
        }
        Instant cutoff = now.minus(unusedFor);
        List<Path> old = new ArrayList<>();
        try (Stream<Path> entries = Files.list(root)) {
            for (Path e : (Iterable<Path>) entries::iterator) {
                if (Files.getLastModifiedTime(e, LinkOption.NOFOLLOW_LINKS).toInstant().isBefore(cutoff)) {
                    old.add(e);
                }
            }
        } catch (IOException e) {
            throw SlipwayException.failed("cannot list " + root + ": " + e.getMessage());
        }
        long bytes = 0;
        for (Path e : old) {
            bytes += delete(e);
        }
        return new Pruned(old.size(), bytes);
    }

    /** Deletes a file or a folder tree (symbolic links themselves, never their targets); returns its bytes. */
    private static long delete(Path entry) {
        long[] bytes = {0};
        try {
            if (Files.isDirectory(entry, LinkOption.NOFOLLOW_LINKS)) {
                try (Stream<Path> tree = Files.walk(entry)) {
                    for (Path p : (Iterable<Path>) tree.sorted(java.util.Comparator.reverseOrder())::iterator) {
                        BasicFileAttributes a = Files.readAttributes(p, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS);
                        bytes[0] += a.isRegularFile() ? a.size() : 0;
                        Files.delete(p);
                    }
                }
            } else {
                bytes[0] += Files.readAttributes(entry, BasicFileAttributes.class, LinkOption.NOFOLLOW_LINKS).size();
                Files.delete(entry);
            }
        } catch (IOException | UncheckedIOException e) {
            throw SlipwayException.failed("cannot remove " + entry + ": " + e.getMessage());
        }
        return bytes[0];
    }
}
