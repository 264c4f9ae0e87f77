package dev.slipway.remote;

/** Quoting for POSIX shell command lines sent to a {@link Host}. */
public final class Shell {
    private Shell() {}

    /**
     * Quotes one argument for {@code sh}: wraps it in single quotes and escapes embedded single
     * quotes as {@code '\''} (POSIX.1-2017, Shell Command Language, 2.2.2).
     *
     * @param arg any string
     * @return the quoted form, safe to paste into a command line
     */
    public static String quote(String arg) {
        if (!arg.isEmpty() && arg.matches("[A-Za-z0-9_./:=@%+,-]+")) {
            return arg;
        }
        return "'" + arg.replace("'", "'\\''") + "'";
    }
}
