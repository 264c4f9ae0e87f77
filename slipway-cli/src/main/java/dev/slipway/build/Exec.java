package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;
import java.util.regex.Pattern;

/** Runs external tools (mvn, jdeps, jlink, cc) with a time bound and captured output. */
public final class Exec {
    private Exec() {}

    /**
     * The outcome of a finished command.
     *
     * @param exitCode the process exit code
     * @param output   stdout and stderr, interleaved, as UTF-8 text
     */
    public record Result(int exitCode, String output) {
        /** @return the last {@code n} lines of the output, for error messages */
        public String tail(int n) {
            List<String> lines = output.strip().lines().toList();
            return String.join("\n", lines.subList(Math.max(0, lines.size() - n), lines.size()));
        }

        /** @return the line(s) of the output that say what went wrong; see {@link Exec#cause(String)} */
        public String cause() {
            return Exec.cause(output);
        }

        /** @return the cause, then the last {@code n} lines; see {@link Exec#summary(String, int)} */
        public String summary(int n) {
            return Exec.summary(output, n);
        }
    }

    private static final Pattern ANSI = Pattern.compile("\u001B\\[[0-9;?]*[A-Za-z]");
    private static final Pattern FRAME = Pattern.compile("\\s+at .*|\\s*\\.\\.\\. \\d+ (more|common frames omitted)");
    private static final Pattern EXCEPTION = Pattern.compile(
            "\\s*(?:Exception in thread \"[^\"]*\" )?((?:[a-zA-Z_$][\\w$]*\\.)+[A-Z][\\w$]*(?:Exception|Error|Throwable)(?::.*)?)");
    private static final Pattern CAUSED_BY = Pattern.compile("\\s*Caused by: .*");
    private static final Pattern ERROR_LINE = Pattern.compile("(?:Error|ERROR|error|fatal error): .*"
            + "|\\S+:\\d+(?::\\d+)?: (?:fatal )?error: .*|(?:\\S*/)?ld: cannot find .*");
    private static final Pattern LOG_ERROR = Pattern.compile(".*\\b(?:ERROR|FATAL|SEVERE)\\b.*");
    /** Maven's closing advice after a failure, which never says what failed. */
    private static final Pattern MAVEN_NOISE = Pattern.compile("\\[ERROR\\]\\s*(|COMPILATION ERROR :?|-> \\[Help.*"
            + "|To see the full stack trace.*|Re-run Maven.*|For more information about the errors.*|\\[Help \\d+\\].*)");

    /**
     * The line of a tool's output that says what went wrong, so that an error message can start
     * with it instead of with whatever the output ends with (often stack frames). In order:
     * <ol>
     *   <li>Maven: the first {@code [ERROR]} line that is not a heading or Maven's closing advice
     *       (e.g. {@code [ERROR] /src/Main.java:[2,59] cannot find symbol}), a doubled level
     *       ({@code [ERROR] [ERROR] Some problems...}) said once; a heading that ends with {@code :}
     *       gets the line after it (the problem it introduces);</li>
     *   <li>Gradle: the line after {@code * What went wrong:};</li>
     *   <li>Java: the last exception line that starts a stack trace
     *       ({@code java.lang.module.FindException: ...}, without {@code Exception in thread "main"});</li>
     *   <li>the first line starting with {@code Error: }, {@code error: } or {@code ERROR: }
     *       (jlink, jdeps, javac, the {@code java} launcher), or a C compiler's
     *       {@code file:line:col: error:} or the linker's {@code ld: cannot find};</li>
     *   <li>the first log line at level ERROR, FATAL or SEVERE.</li>
     * </ol>
     * When a Java stack trace follows, its last {@code Caused by:} line (the root cause) is
     * added as a second line. Terminal colour codes are removed.
     *
     * @param output a tool's combined output
     * @return one to three lines, or an empty string when no line says what went wrong
     */
    public static String cause(String output) {
        return find(ANSI.matcher(output).replaceAll("").lines().toList()).text();
    }

    /**
     * The cause found in a tool's output.
     *
     * @param at   the indices of the output lines it was taken from, so that {@link #summary} shows
     *             them once
     * @param text the cause's lines, or an empty string
     */
    private record Found(java.util.Set<Integer> at, String text) {}

    /** {@link #cause(String)} on lines without colour codes, with the lines it took. */
    private static Found find(List<String> lines) {
        int at = -1;
        String head = null;
        java.util.Set<Integer> used = new java.util.TreeSet<>();
        for (int i = 0; i < lines.size() && head == null; i++) {
            String l = lines.get(i);
            if (l.startsWith("[ERROR]") && !MAVEN_NOISE.matcher(l.strip()).matches()) {
                at = i;
                // Maven prints some headings with a doubled level ("[ERROR] [ERROR] Some problems were
                // encountered while processing the POMs:"); the heading's next line says which problem.
                head = l.strip().replaceFirst("\\s*-> \\[Help \\d+\\]$", "").replaceFirst("^(\\[ERROR\\]\\s+)+", "[ERROR] ");
                if (head.endsWith(":") && i + 1 < lines.size() && !lines.get(i + 1).isBlank()
                        && !MAVEN_NOISE.matcher(lines.get(i + 1).strip()).matches()) {
                    used.add(i);
                    at = i + 1;
                    head += "\n" + lines.get(i + 1).strip().replaceFirst("\\s*-> \\[Help \\d+\\]$", "");
                }
            } else if (l.strip().equals("* What went wrong:") && i + 1 < lines.size()) {
                at = i + 1;
                head = lines.get(i + 1).strip();
            }
        }
        for (int i = lines.size() - 1; i >= 0 && head == null; i--) {
            var m = EXCEPTION.matcher(lines.get(i));
            if (m.matches() && (i + 1 < lines.size() && FRAME.matcher(lines.get(i + 1)).matches() || i + 1 == lines.size()
                    || lines.get(i).startsWith("Exception in thread"))) {
                at = i;
                head = m.group(1).strip();
            }
        }
        for (Pattern p : List.of(ERROR_LINE, LOG_ERROR)) {
            for (int i = 0; i < lines.size() && head == null; i++) {
                if (p.matcher(lines.get(i).strip()).matches()) {
                    at = i;
                    head = lines.get(i).strip();
                }
            }
        }
        if (head == null) {
            return new Found(java.util.Set.of(), "");
        }
        used.add(at);
        String root = null;
        for (int i = at + 1; i < lines.size(); i++) {
            if (CAUSED_BY.matcher(lines.get(i)).matches()) {
                root = lines.get(i).strip();
            } else if (!FRAME.matcher(lines.get(i)).matches() && !lines.get(i).isBlank() && root != null
                    && EXCEPTION.matcher(lines.get(i)).matches()) {
                break; // the next, unrelated stack trace
            }
        }
        // A root cause stays in the shown output too: it sits inside its stack trace there.
        return new Found(used, root == null ? head : head + "\n" + root);
    }

    /**
     * A failed tool's output for an error message: {@link #cause(String)} first, then the last
     * {@code n} lines of the rest of the output (the lines the cause was taken from are shown once,
     * as the cause) with each run of stack frames ({@code \tat ...}, {@code ... 8 more}) folded
     * into one line. {@code --debug} prints the whole output (see {@link SlipwayException#withOutput}).
     *
     * @param output a tool's combined output
     * @param n      how many of the last lines to show
     * @return the text, lines indented by two spaces, without a trailing newline
     */
    public static String summary(String output, int n) {
        List<String> lines = ANSI.matcher(output).replaceAll("").lines().toList();
        Found cause = find(lines);
        int first = 0;
        int last = lines.size() - 1;
        while (first <= last && lines.get(first).isBlank()) {
            first++;
        }
        while (last >= first && lines.get(last).isBlank()) {
            last--;
        }
        List<String> folded = new ArrayList<>();
        int frames = 0;
        for (int i = first; i <= last; i++) {
            String l = i == first ? lines.get(i).stripLeading() : lines.get(i);
            if (cause.at().contains(i)) {
                continue;
            }
            if (FRAME.matcher(l).matches()) {
                frames++;
                continue;
            }
            if (frames > 0) {
                folded.add("\t... " + frames + " stack frame" + (frames == 1 ? "" : "s"));
                frames = 0;
            }
            folded.add(l);
        }
        if (frames > 0) {
            folded.add("\t... " + frames + " stack frame" + (frames == 1 ? "" : "s"));
        }
        if (folded.isEmpty() && cause.text().isEmpty()) {
            return "  (no output)";
        }
        List<String> tail = folded.subList(Math.max(0, folded.size() - n), folded.size());
        StringBuilder sb = new StringBuilder();
        cause.text().lines().forEach(l -> sb.append("  ").append(l).append('\n'));
        if (tail.size() < folded.size()) {
            sb.append("last ").append(tail.size()).append(" lines of the output (--debug prints all ")
                    .append(output.strip().lines().count()).append("):\n");
        } else if (!cause.text().isEmpty() && !tail.isEmpty()) {
            sb.append("the rest of the output:\n");
        }
        tail.forEach(l -> sb.append("  ").append(l).append('\n'));
        return sb.toString().stripTrailing();
    }

    /**
     * Runs a command and waits for it.
     *
     * @param command the argv
     * @param dir     the working directory
     * @param timeout the longest the command may run; it is killed after that
     * @return the exit code and the combined output
     * @throws SlipwayException (exit 1) when the command cannot start or runs past the timeout
     */
    public static Result run(List<String> command, Path dir, Duration timeout) {
        return run(command, dir, timeout, java.util.Map.of());
    }

    /**
     * Runs a command with extra environment variables and waits for it.
     *
     * @param command the argv
     * @param dir     the working directory
     * @param timeout the longest the command may run; it is killed after that
     * @param env     variables set for the command, over Slipway's own environment
     * @return the exit code and the combined output
     * @throws SlipwayException (exit 1) when the command cannot start or runs past the timeout
     */
    public static Result run(List<String> command, Path dir, Duration timeout, java.util.Map<String, String> env) {
        ProcessBuilder pb = new ProcessBuilder(command).directory(dir.toFile()).redirectErrorStream(true);
        pb.environment().putAll(env);
        pb.redirectInput(ProcessBuilder.Redirect.from(new java.io.File("/dev/null")));
        Process p;
        try {
            p = dev.slipway.util.Children.start(pb); // dies with slipway, also on kill -9
        } catch (IOException e) {
            throw SlipwayException.failed("cannot run " + command.get(0) + ": " + e.getMessage(), e);
        }
        ByteArrayOutputStream buf = new ByteArrayOutputStream();
        Thread pump = new Thread(() -> copy(p.getInputStream(), buf), "exec-output");
        pump.setDaemon(true);
        pump.start();
        try {
            if (!p.waitFor(timeout.toMillis(), TimeUnit.MILLISECONDS)) {
                dev.slipway.util.Children.stop(p.toHandle(), Duration.ZERO); // with its descendants (Maven's forks)
                throw SlipwayException.failed(command.get(0) + " ran longer than " + timeout.toSeconds()
                        + " s and was stopped");
            }
            pump.join(5_000);
        } catch (InterruptedException e) {
            dev.slipway.util.Children.stop(p.toHandle(), Duration.ZERO);
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("interrupted while running " + command.get(0));
        }
        synchronized (buf) {
            return new Result(p.exitValue(), buf.toString(StandardCharsets.UTF_8));
        }
    }

    private static void copy(InputStream in, ByteArrayOutputStream out) {
        byte[] b = new byte[8192];
        try (in) {
            int n;
            while ((n = in.read(b)) > 0) {
                synchronized (out) {
                    out.write(b, 0, n);
                }
            }
        } catch (IOException ignored) {
            // The process ended; what was read is kept.
        }
    }
}
