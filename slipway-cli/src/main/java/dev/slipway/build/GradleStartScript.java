package dev.slipway.build;

import dev.slipway.SlipwayException;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * What Gradle's {@code application} plugin wrote into the POSIX start script
 * {@code build/install/<name>/bin/<name>}: the class path (the line {@code CLASSPATH=...}, made
 * from Gradle's template {@code unixStartScript.txt}: the project's jar first, then the
 * {@code runtimeClasspath} in Gradle's order) and the main class (the word after
 * {@code -classpath "$CLASSPATH"}).
 *
 * @param classpath file names under {@code lib/}, in order; empty when the script names none
 * @param mainClass the main class, or {@code null} when the script names none (a modular
 *                  {@code --module} launch, or an unknown script)
 */
public record GradleStartScript(List<String> classpath, String mainClass) {
    private static final String LIB = "$APP_HOME/lib/";
    private static final Pattern CLASS_NAME = Pattern.compile("[A-Za-z_$][\\w$]*(\\.[A-Za-z_$][\\w$]*)*");
    /** Gradle before 7: {@code eval set -- ... -classpath "\"$CLASSPATH\"" Main "$APP_ARGS"}. */
    private static final Pattern OLD_MAIN = Pattern.compile("-classpath\\s+\"\\\\\"\\$CLASSPATH\\\\\"\"\\s+(\\S+)");

    /**
     * Reads a start script.
     *
     * @param script the script
     * @return what it names
     * @throws SlipwayException (exit 1) when it cannot be read
     */
    public static GradleStartScript read(Path script) {
        List<String> lines;
        try {
            lines = Files.readAllLines(script);
        } catch (IOException e) {
            throw SlipwayException.failed("cannot read " + script + ": " + e.getMessage(), e);
        }
        List<String> cp = new ArrayList<>();
        String main = null;
        for (int i = 0; i < lines.size(); i++) {
            String line = lines.get(i).strip();
            if (line.startsWith("CLASSPATH=") && cp.isEmpty()) {
                String value = line.substring("CLASSPATH=".length()).replace("\"", "");
                for (String entry : value.split(":")) {
                    if (entry.startsWith(LIB) && entry.length() > LIB.length()) {
                        cp.add(entry.substring(LIB.length()));
                    }
                }
            }
            if (main == null && line.startsWith("-classpath \"$CLASSPATH\"")) {
                for (int j = i + 1; j < lines.size(); j++) {
                    String next = lines.get(j).strip();
                    if (next.endsWith("\\")) {
                        next = next.substring(0, next.length() - 1).strip();
                    }
                    if (next.startsWith("--module-path")) {
                        continue;
                    }
                    main = CLASS_NAME.matcher(next).matches() ? next : null;
                    break;
                }
            }
            Matcher old = OLD_MAIN.matcher(line);
            if (main == null && old.find() && CLASS_NAME.matcher(old.group(1)).matches()) {
                main = old.group(1);
            }
        }
        return new GradleStartScript(List.copyOf(cp), main);
    }
}
