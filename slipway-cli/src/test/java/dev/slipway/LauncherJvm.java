package dev.slipway;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/**
 * The command of a test's child JVM that stands for a run of the {@code slipway} command: this JVM's
 * {@code java}, the JVM options the repository's {@code slipway} launcher passes (read from its
 * {@code exec "$java" ... -cp} line, so the two cannot drift apart), the test class path and a main
 * class. The launcher's options (serial GC, C1 only, no perf data file) suit a short-lived CLI, and a
 * child started with them spends less CPU on its start than one with the JVM's defaults.
 */
public final class LauncherJvm {
    private LauncherJvm() {}

    /**
     * @param mainClass the child's main class
     * @param args      its arguments
     * @return {@code java OPTIONS -cp CLASSPATH mainClass args...}
     * @throws UncheckedIOException when the launcher cannot be read
     * @throws IllegalStateException when it has no {@code exec "$java" ... -cp} line
     */
    public static List<String> command(String mainClass, String... args) {
        List<String> cmd = new ArrayList<>();
        cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
        cmd.addAll(options());
        cmd.addAll(List.of("-cp", System.getProperty("java.class.path"), mainClass));
        cmd.addAll(List.of(args));
        return cmd;
    }

    /** @return the JVM options of the launcher's {@code exec "$java" OPTIONS -cp ...} line */
    static List<String> options() {
        Path launcher = Path.of(System.getProperty("slipway.repo", "..")).resolve("slipway");
        try {
            for (String line : Files.readAllLines(launcher)) {
                String s = line.strip();
                if (s.startsWith("exec \"$java\" ") && s.contains(" -cp ")) {
                    String opts = s.substring("exec \"$java\" ".length(), s.indexOf(" -cp ")).strip();
                    return opts.isEmpty() ? List.of() : List.of(opts.split("\\s+"));
                }
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot read the launcher " + launcher, e);
        }
        throw new IllegalStateException("no 'exec \"$java\" ... -cp' line in " + launcher);
    }
}
