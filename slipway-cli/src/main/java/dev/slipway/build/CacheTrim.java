package dev.slipway.build;

import dev.slipway.Console;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;

/**
 * What every build trims from Slipway's cache by itself, so that a machine that builds (a laptop, a
 * CI runner) does not fill its disk: each single file that ran leaves its unpacked tree (about
 * 100 MB for a small service) under {@code <cache>/run/}, and without a trim every build that ever
 * ran stayed there. Go's build cache trims itself the same way (at most once a day, entries unused
 * for five days, its {@code trim.txt}); {@code slipway cache prune} does the same by hand, with
 * other limits and the runtimes too.
 *
 * <ul>
 *   <li>After every build: per service, all but the {@link #KEEP_UNPACKED} most recently unpacked
 *       trees, never one a running process maps ({@link RunCache#prune}).</li>
 *   <li>At most once every {@link #EVERY} (the modification time of {@code <cache>/trim.txt}):
 *       the training cache's, re-written jars' and image layers' entries unused for
 *       {@link CacheEntries#DEFAULT_UNUSED_FOR} ({@link CacheEntries#prune}).</li>
 * </ul>
 *
 * Runtimes are left to {@code slipway cache prune}: a runtime is a few tens of megabytes and costs
 * a jlink run to make again. A trim that fails is a warning; it never fails the build.
 */
public final class CacheTrim {
    /** How many unpacked trees a build keeps per service (the default of {@code slipway cache prune --keep}). */
    public static final int KEEP_UNPACKED = 3;

    /** How often the content-keyed entries are trimmed at most (Go: once a day). */
    public static final Duration EVERY = Duration.ofDays(1);

    /** The file whose modification time is the last trim of the content-keyed entries. */
    static final String MARKER = "trim.txt";

    private CacheTrim() {}

    /**
     * Trims the cache after a build (see the class comment) and says what it removed, on one line
     * per kind, only when it removed something.
     *
     * @param cacheRoot Slipway's cache directory ({@link Builder#cacheDir})
     * @param console   where the lines go (progress)
     * @param now       the time to count from
     */
    public static void afterBuild(Path cacheRoot, Console console, Instant now) {
        Path run = cacheRoot.resolve("run");
        try {
            RunCache.Pruned p = new RunCache(run).prune(KEEP_UNPACKED);
            if (!p.removed().isEmpty()) {
                console.progress("slipway: removed " + p.removed().size() + " unpacked single file(s) of older builds ("
                        + Console.megabytes(p.bytes()) + ") from " + run + ", keeping the " + KEEP_UNPACKED
                        + " newest per service and any in use");
            }
        } catch (RuntimeException e) {
            console.progress("slipway: warning: cannot trim " + run + ": " + e.getMessage());
        }
        Path marker = cacheRoot.resolve(MARKER);
        try {
            if (Files.exists(marker) && Files.getLastModifiedTime(marker).toInstant().isAfter(now.minus(EVERY))) {
                return;
            }
            Files.createDirectories(cacheRoot);
            Files.writeString(marker, "the last time slipway trimmed this cache's entries unused for "
                    + CacheEntries.DEFAULT_UNUSED_FOR.toDays() + " days (this file's modification time)\n");
            Files.setLastModifiedTime(marker, FileTime.from(now));
        } catch (IOException | SecurityException e) {
            return; // a cache that cannot be written is not trimmed either
        }
        int removed = 0;
        long bytes = 0;
        for (String folder : CacheEntries.FOLDERS) {
            try {
                CacheEntries.Pruned p = new CacheEntries(cacheRoot.resolve(folder)).prune(CacheEntries.DEFAULT_UNUSED_FOR, now);
                removed += p.removed();
                bytes += p.bytes();
            } catch (RuntimeException e) {
                console.progress("slipway: warning: cannot trim " + cacheRoot.resolve(folder) + ": " + e.getMessage());
            }
        }
        if (removed > 0) {
            console.progress("slipway: removed " + removed + " cache entr" + (removed == 1 ? "y" : "ies") + " ("
                    + Console.megabytes(bytes) + ") not used for " + CacheEntries.DEFAULT_UNUSED_FOR.toDays()
                    + " days from " + cacheRoot);
        }
    }
}
