package dev.slipway;

/**
 * A failure that Slipway reports to the user as one clear message, without a stack trace
 * (unless {@code --debug} is given), and maps to a process exit code.
 *
 * <p>Exit codes follow {@code ../DESIGN.md}: {@link #FAILED} (1) for a failed step, for example a
 * deploy that failed and was rolled back; {@link #USAGE} (2) for usage or configuration errors,
 * where nothing was changed; {@link #INCONCLUSIVE} (3) for an analysis without a verdict;
 * {@link #INTERRUPTED} (130) for a run that Ctrl-C stopped.
 */
public class SlipwayException extends RuntimeException {
    /** Exit code of a step that failed (and, for deploys, was rolled back). */
    public static final int FAILED = 1;
    /** Exit code of a usage or configuration error; nothing was changed. */
    public static final int USAGE = 2;
    /** Exit code of an analysis that reached no verdict. */
    public static final int INCONCLUSIVE = 3;
    /**
     * Exit code of a run stopped by Ctrl-C (SIGINT) after it put back what it had changed: 130,
     * 128 + the signal's number, as sh(1) reports a command a signal ended.
     */
    public static final int INTERRUPTED = 130;

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
