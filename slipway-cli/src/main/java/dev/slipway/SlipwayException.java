package dev.slipway;

/**
 * A failure that Slipway reports to the user as one clear message, without a stack trace
 * (unless {@code --debug} is given), and maps to a process exit code.
 *
 * <p>Exit codes follow {@code ../DESIGN.md}: {@link #FAILED} (1) for a failed step, for example a
 * deploy that failed and was rolled back; {@link #USAGE} (2) for usage or configuration errors,
 * where nothing was changed; {@link #INCONCLUSIVE} (3) for an analysis without a verdict.
 */
public class SlipwayException extends RuntimeException {
    /** Exit code of a step that failed (and, for deploys, was rolled back). */
    public static final int FAILED = 1;
    /** Exit code of a usage or configuration error; nothing was changed. */
    public static final int USAGE = 2;
    /** Exit code of an analysis that reached no verdict. */
    public static final int INCONCLUSIVE = 3;

    private final int exitCode;
    private String output;

    /**
     * @param exitCode the process exit code to use, one of the constants of this class
     * @param message  the whole message for the user, without a trailing newline
     */
    public SlipwayException(int exitCode, String message) {
        super(message);
        this.exitCode = exitCode;
    }

    /**
     * @param exitCode the process exit code to use
     * @param message  the message for the user
     * @param cause    the underlying error, shown only with {@code --debug}
     */
    public SlipwayException(int exitCode, String message, Throwable cause) {
        super(message, cause);
        this.exitCode = exitCode;
    }

    /**
     * What a wrapper of concurrent or I/O work stands for: the cause of a
     * {@link java.util.concurrent.CompletionException} ({@code CompletableFuture.join}), an
     * {@link java.util.concurrent.ExecutionException} ({@code Future.get}) or an
     * {@link java.io.UncheckedIOException}, unwrapped again while it is one. Their own messages are
     * the cause's {@code toString()}, a class name before the message, which the user must not read.
     *
     * @param t a throwable
     * @return the first throwable in its cause chain that is not such a wrapper (or the last wrapper,
     *         when it has no cause)
     */
    public static Throwable unwrap(Throwable t) {
        while ((t instanceof java.util.concurrent.CompletionException || t instanceof java.util.concurrent.ExecutionException
                || t instanceof java.io.UncheckedIOException) && t.getCause() != null) {
            t = t.getCause();
        }
        return t;
    }

    /**
     * The line a user reads for an error that no step turned into a message: its message, except
     * where Java's is only a path (the file-system exceptions whose reason is null, as
     * {@code NoSuchFileException} and {@code AccessDeniedException} are), which gets the reason
     * the operating system would print (strerror(3) wording), and a class name only when there is
     * no message at all.
     *
     * @param t an error, unwrapped ({@link #unwrap})
     * @return one line, e.g. {@code no such file or directory: /srv/x/history.tsv}
     */
    public static String causeLine(Throwable t) {
        String m = t.getMessage();
        if (t instanceof java.nio.file.FileSystemException f && f.getReason() == null) {
            String what = f.getFile() + (f.getOtherFile() == null ? "" : " -> " + f.getOtherFile());
            if (t instanceof java.nio.file.NoSuchFileException) {
                return "no such file or directory: " + what;
            }
            if (t instanceof java.nio.file.AccessDeniedException) {
                return "permission denied: " + what;
            }
            if (t instanceof java.nio.file.FileAlreadyExistsException) {
                return "file exists: " + what;
            }
            if (t instanceof java.nio.file.DirectoryNotEmptyException) {
                return "directory not empty: " + what;
            }
            if (t instanceof java.nio.file.NotDirectoryException) {
                return "not a directory: " + what;
            }
        }
        return m == null || m.isBlank() ? t.getClass().getSimpleName() : m;
    }

    /** A usage or configuration error (exit code 2). */
    public static SlipwayException usage(String message) {
        return new SlipwayException(USAGE, message);
    }

    /** A failed step (exit code 1). */
    public static SlipwayException failed(String message) {
        return new SlipwayException(FAILED, message);
    }

    /** A failed step (exit code 1) caused by {@code cause}. */
    public static SlipwayException failed(String message, Throwable cause) {
        return new SlipwayException(FAILED, message, cause);
    }

    /**
     * Attaches the whole output of the tool that failed (Maven, jdeps, jlink, the training run),
     * which {@code --debug} prints after the message; the message itself carries only its cause
     * and last lines ({@link dev.slipway.build.Exec#summary}).
     *
     * @param output the tool's combined output
     * @return this exception
     */
    public SlipwayException withOutput(String output) {
        this.output = output;
        return this;
    }

    /** @return the failed tool's whole output, or {@code null} when none was attached */
    public String output() {
        return output;
    }

    /** @return the process exit code for this failure */
    public int exitCode() {
        return exitCode;
    }
}
