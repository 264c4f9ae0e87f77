package dev.slipway.deploy;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.remote.Host;
import dev.slipway.remote.Shell;
import java.io.IOException;
import java.nio.file.FileStore;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * Room for a release before a deploy writes it, on this machine or on a host, so that a full
 * disk ends the deploy with a sentence that names the disk, before anything is written or
 * stopped (no empty {@code releases/<version>/} left to count as retained, the old release still
 * serving), instead of a half-written copy and {@code No space left on device} (ENOSPC, write(2))
 * or, over SSH, {@code stream is already closed}.
 *
 * <p>A release needs its file plus a margin ({@link #needed}) for what a deploy writes beside it
 * (the environment, {@code release.json}, the history and the log). The unpack cache is checked
 * by the single file's own unpacker, which fails the prepare, before the old release stops.
 */
public final class DiskSpace {
    private static final long MIB = 1024 * 1024;

    private DiskSpace() {}

    /**
     * @param bytes the release's size in bytes
     * @return what a deploy of it needs free, in bytes: the size plus a tenth, at least 1 MiB more
     */
    public static long needed(long bytes) {
        return bytes + Math.max(MIB, bytes / 10);
    }

    /**
     * Checks that the file system of {@code dir} (or of its nearest existing parent, when it is
     * not made yet) can take a release of {@code bytes}, for this process (usable space).
     *
     * @param dir   where the release goes, e.g. {@code .slipway/local/releases}
     * @param bytes the release's size in bytes
     * @param what  what is written, for the message, e.g. {@code release 1.2.0}
     * @throws SlipwayException (exit 1) naming the file system and the sizes when it cannot;
     *                          nothing was written then
     */
    public static void require(Path dir, long bytes, String what) {
        Path existing = dir.toAbsolutePath();
        while (existing != null && !Files.isDirectory(existing)) {
            existing = existing.getParent();
        }
        if (existing == null) {
            return;
        }
        FileStore store;
        long free;
        try {
            store = Files.getFileStore(existing);
            free = store.getUsableSpace();
        } catch (IOException e) {
            return; // no answer about the space: the write itself will tell
        }
        if (free < needed(bytes)) {
            // FileStore.toString() is "MOUNT_POINT (DEVICE)" on Linux.
            throw SlipwayException.failed("no space left on " + store + " for " + what + " in " + dir + ": it needs "
                    + Console.megabytes(needed(bytes)) + ", " + Console.megabytes(free)
                    + " free; nothing was changed (the running release still serves): free some space and deploy again");
        }
    }

    /**
     * Checks on a host, with {@code df -Pk} (POSIX), that the file system of {@code dir} (or of
     * its nearest existing parent) can take a release of {@code bytes}. When {@code df} cannot
     * answer, nothing is said and the upload tells.
     *
     * @param host  the host
     * @param dir   where the release goes on it
     * @param bytes the release's size in bytes
     * @param what  what is written, for the message, e.g. {@code release 1.2.0}
     * @throws SlipwayException (exit 1) {@code no space left on HOST:DIR ...} when it cannot
     */
    public static void require(Host host, String dir, long bytes, String what) {
        long free = freeOn(host, dir);
        if (free >= 0 && free < needed(bytes)) {
            throw SlipwayException.failed(noSpace(host, dir, free) + ": " + what + " needs "
                    + Console.megabytes(needed(bytes)) + "; nothing was switched on it: free some space and deploy again");
        }
    }

    /**
     * Names the cause of a failed write to a host when it was a full disk: an upload into a full
     * file system ends with the connection's error ({@code stream is already closed}), not ENOSPC.
     *
     * @param host    the host
     * @param dir     where the write went
     * @param bytes   what it needed, in bytes
     * @param failure the write's error
     * @return {@code failure}, or when the file system of {@code dir} now has less than
     *         {@link #needed} free, an exit-1 error that says {@code no space left on HOST:DIR}
     *         with {@code failure} as its cause
     */
    public static RuntimeException explain(Host host, String dir, long bytes, RuntimeException failure) {
        long free;
        try {
            free = freeOn(host, dir);
        } catch (RuntimeException e) {
            return failure; // the connection is gone: that is the news
        }
        if (free < 0 || free >= needed(bytes)) {
            return failure;
        }
        return SlipwayException.failed(noSpace(host, dir, free) + " (" + failure.getMessage() + ")", failure);
    }

    private static String noSpace(Host host, String dir, long free) {
        return "no space left on " + host.name() + ":" + dir + " (" + Console.megabytes(free) + " free)";
    }

    /** @return the bytes available to non-root users on the file system of {@code dir}, or -1 when df cannot say */
    static long freeOn(Host host, String dir) {
        Host.CommandResult r = host.run("d=" + Shell.quote(dir) + "; while [ ! -d \"$d\" ]; do d=$(dirname \"$d\"); done;"
                + " df -Pk \"$d\" | tail -n 1", Duration.ofSeconds(30));
        long kb = r.ok() ? availableKb(r.stdout()) : -1;
        return kb < 0 ? -1 : kb * 1024;
    }

    /**
     * @param dfLine the data line of {@code df -Pk}: file system, 1024-blocks, used, available,
     *               capacity, mount point
     * @return the available KiB, or -1 when the line has another shape
     */
    static long availableKb(String dfLine) {
        String[] f = dfLine.strip().split("\\s+");
        // The file system's name may hold spaces; the mount point may too: count from the capacity.
        for (int i = f.length - 2; i >= 3; i--) {
            if (f[i].matches("\\d+%") && f[i - 1].matches("\\d+")) {
                return Long.parseLong(f[i - 1]);
            }
        }
        return -1;
    }
}
