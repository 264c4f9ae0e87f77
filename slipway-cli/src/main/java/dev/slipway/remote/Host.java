package dev.slipway.remote;

import java.nio.file.Path;
import java.time.Duration;

/**
 * A machine that a deploy changes: run a shell command on it, put a file on it atomically.
 *
 * <p>Deploy plans are executed over this interface only, so the same plan runs on this machine
 * ({@link LocalHost}) and on a server over SSH. Every method is bounded in time. Implementations
 * are not required to be thread-safe; use one instance per thread.
 */
public interface Host extends AutoCloseable {

    /** @return a short name for reports and errors, e.g. {@code web2 (127.0.1.2)} */
    String name();

    /**
     * Runs {@code command} with {@code sh -c} on the host and waits for it.
     *
     * @param command a POSIX shell command line; quote arguments with {@link Shell#quote(String)}
     * @param timeout the longest the command may run; it is killed after that
     * @return the exit code and the output; a non-zero exit code is not an exception
     * @throws HostException when the host cannot be reached, the connection drops, or the timeout passes
     */
    CommandResult run(String command, Duration timeout);

    /**
     * Runs {@code command} as {@link #run(String, Duration)} does, handing each line of its standard
     * output to {@code lines}: as it arrives where the host can ({@link LocalHost}), else once the
     * command has ended. For long commands whose progress a user watches (a release's prepare).
     *
     * @param command a POSIX shell command line
     * @param timeout the longest the command may run; it is killed after that
     * @param lines   told of each line of standard output, without its line end
     * @return the exit code and the whole output
     * @throws HostException when the host cannot be reached, the connection drops, or the timeout passes
     */
    default CommandResult run(String command, Duration timeout, java.util.function.Consumer<String> lines) {
        CommandResult r = run(command, timeout);
        r.stdout().lines().forEach(lines);
        return r;
    }

    /**
     * Copies a local file to {@code remotePath} atomically: the bytes go to a temporary name in the
     * same directory, their sha256 is verified on the host, then the file is renamed into place.
     * A reader never sees a partial file. The parent directory must exist.
     *
     * @param local      the file to send
     * @param remotePath absolute path on the host
     * @param mode       POSIX permission bits of the result, e.g. {@code 0755}
     * @param progress   told of bytes sent so far; {@link Progress#NONE} to ignore
     * @throws HostException when the transfer fails or the checksum on the host differs; the
     *                       temporary file is removed and {@code remotePath} is unchanged
     */
    void upload(Path local, String remotePath, int mode, Progress progress);

    /**
     * Writes small content (a unit file, an env file) to {@code remotePath} atomically, with the
     * same guarantees as {@link #upload}.
     *
     * @param content    the bytes to write, at most a few MB
     * @param remotePath absolute path on the host
     * @param mode       POSIX permission bits, e.g. {@code 0600} for secrets
     * @throws HostException when the write fails; {@code remotePath} is then unchanged
     */
    void write(byte[] content, String remotePath, int mode);

    /**
     * Writes several small files as {@link #write} does, each with its sha256 verified on the host
     * and renamed into place only once every one was written and verified (a failure leaves all of
     * them unchanged). An implementation may send them in one round trip ({@link SshHost} does);
     * this default writes them one after another.
     *
     * @param files the content by absolute path on the host, in the order they are renamed into place;
     *              their parent directories must exist
     * @param mode  POSIX permission bits of every file, e.g. {@code 0600} for secrets
     * @throws HostException when a write fails
     */
    default void writeAll(java.util.Map<String, byte[]> files, int mode) {
        files.forEach((path, content) -> write(content, path, mode));
    }

    /**
     * Ends the commands this process runs on the host now, from another thread: each one's wait
     * fails as a lost connection would ({@link HostException}); the next command connects anew.
     * What a command started on the host may go on there (a command without a terminal is not sent
     * a hangup): use it for commands that only wait or write aside. Never throws. By default it does
     * nothing (a command then ends by its own bound).
     */
    default void cancelRunning() {}

    /** Closes the connection, if any. Never throws. */
    @Override
    void close();

    /**
     * The outcome of a command on a host.
     *
     * @param exitCode the command's exit status
     * @param stdout   standard output, UTF-8
     * @param stderr   standard error, UTF-8
     */
    record CommandResult(int exitCode, String stdout, String stderr) {
        /** @return whether the command exited with 0 */
        public boolean ok() {
            return exitCode == 0;
        }
    }

    /** Receives upload progress. */
    @FunctionalInterface
    interface Progress {
        /** Ignores progress. */
        Progress NONE = (sent, total) -> { };

        /**
         * @param sentBytes  bytes sent so far
         * @param totalBytes the file's size in bytes
         */
        void update(long sentBytes, long totalBytes);
    }
}
