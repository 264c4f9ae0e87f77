package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.TreeSet;

/** Finds the JDK modules an app needs (jdeps) and links a runtime of just those (jlink, JEP 282). */
public final class Jlink {
    private Jlink() {}

    /**
     * Runs {@code jdeps --print-module-deps --ignore-missing-deps} over all jars, then adds the
     * configured extra modules.
     *
     * @param jdk     the linking JDK
     * @param jars    the application jar and its dependencies
     * @param extra   modules from {@code build.modules}
     * @param workDir the working directory
     * @return the sorted module set, e.g. {@code [java.base, jdk.httpserver]}
     * @throws SlipwayException (exit 1) when jdeps fails
     */
    public static List<String> modules(Jdk jdk, List<Path> jars, List<String> extra, Path workDir) {
        List<String> cmd = new ArrayList<>(List.of(jdk.tool("jdeps").toString(), "--print-module-deps",
                "--ignore-missing-deps", "-q", "--multi-release", String.valueOf(jdk.feature())));
        if (jars.size() > 1) {
            cmd.add("--class-path");
            cmd.add(String.join(":", jars.stream().map(Path::toString).toList()));
        }
        jars.forEach(j -> cmd.add(j.toString()));
        Exec.Result r = Exec.run(cmd, workDir, Duration.ofMinutes(5));
        String last = r.output().strip().lines().reduce((a, b) -> b).orElse("");
        if (r.exitCode() != 0 || !last.matches("[\\w.]+(,[\\w.]+)*")) {
            throw SlipwayException.failed("jdeps could not list the modules the app needs:\n" + r.tail(15));
        }
        TreeSet<String> modules = new TreeSet<>(List.of(last.split(",")));
        modules.add("java.base");
        modules.addAll(extra);
        return List.copyOf(modules);
    }

    /**
     * Links a runtime with {@code --strip-debug --no-header-files --no-man-pages} and compression;
     * for the host platform it also generates the default CDS archive (JDK-8264735), which
     * {@code java -jar} on a full JDK has too. The archive for uncompressed oops
     * ({@code classes_nocoops.jsa}, used only with heaps over 32 GB) is removed to save space.
     *
     * @param jdk       the linking JDK
     * @param modules   the modules to add
     * @param forHost   whether the runtime is for the platform Slipway runs on
     * @param output    the runtime directory to create (must not exist)
     * @param console   for progress while jlink runs
     * @throws SlipwayException (exit 1) when jlink fails, with its output
     */
    public static void link(Jdk jdk, List<String> modules, boolean forHost, Path output, Console console) {
        List<String> cmd = new ArrayList<>(List.of(jdk.tool("jlink").toString()));
        if (jdk.hasJmods()) {
            cmd.add("--module-path");
            cmd.add(jdk.home().resolve("jmods").toString());
        }
        cmd.addAll(List.of("--add-modules", String.join(",", modules),
                "--strip-debug", "--no-header-files", "--no-man-pages",
                jdk.feature() >= 21 ? "--compress=zip-6" : "--compress=2"));
        if (forHost) {
            cmd.add("--generate-cds-archive");
        }
        cmd.addAll(List.of("--output", output.toString()));
        Exec.Result r = console.timed("linking runtime (" + modules.size() + " modules, JDK " + jdk.version() + ")",
                () -> Exec.run(cmd, output.getParent(), Duration.ofMinutes(10)));
        if (r.exitCode() != 0) {
            throw SlipwayException.failed("jlink failed with exit code " + r.exitCode() + ":\n" + r.tail(20));
        }
        try {
            // The archive for uncompressed oops serves only heaps over 32 GB; it would add ~10 MB.
            java.nio.file.Files.deleteIfExists(output.resolve("lib/server/classes_nocoops.jsa"));
        } catch (java.io.IOException e) {
            throw SlipwayException.failed("cannot trim the runtime: " + e.getMessage(), e);
        }
    }
}
