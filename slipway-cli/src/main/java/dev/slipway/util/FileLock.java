package dev.slipway.util;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.channels.FileChannel;
import java.nio.channels.OverlappingFileLockException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;

/**
 * An exclusive lock on a file held by this process ({@link FileChannel#tryLock()}, an OS advisory
 * lock: {@code fcntl(F_SETLK)} on Linux), released on {@link #close} and by the OS when the process
 * dies, so a killed holder never leaves it taken. The file itself stays.
 */
public final class FileLock implements AutoCloseable {
    private final FileChannel channel;

    private FileLock(FileChannel channel) {
        this.channel = channel;
    }

    /**
     * Takes the lock without waiting.
     *
     * @param file the lock file, created (with its directories) when missing
     * @return the held lock, or {@code null} when another process (or another thread of this one) holds it
     * @throws UncheckedIOException when the file cannot be created or opened
     */
    public static FileLock tryLock(Path file) {
        try {
            Files.createDirectories(file.getParent());
            FileChannel ch = FileChannel.open(file, StandardOpenOption.CREATE, StandardOpenOption.WRITE);
            try {
                if (ch.tryLock() != null) {
                    return new FileLock(ch);
                }
            } catch (OverlappingFileLockException heldInThisJvm) {
                // another thread of this process holds it
            }
            ch.close();
            return null;
        } catch (IOException e) {
            throw new UncheckedIOException("cannot lock " + file + ": " + e.getMessage(), e);
        }
    }

    /** Releases the lock (closing the channel releases it). */
    @Override
    public void close() {
        try {
            channel.close();
        } catch (IOException ignored) {
            // closing releases the lock; nothing else to do
        }
    }
}
