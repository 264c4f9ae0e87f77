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
     * @param excluded modules from {@code build.excludeModules}, removed from what jdeps finds
     * @param workDir the working directory
     * @return the sorted module set, e.g. {@code [java.base, jdk.httpserver]}
     * @throws SlipwayException (exit 1) when jdeps fails
     */
    public static List<String> modules(Jdk jdk, List<Path> jars, List<String> extra, List<String> excluded, Path workDir) {
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
        modules.removeAll(excluded);
        modules.add("java.base");
        modules.addAll(extra);
        return List.copyOf(modules);
    }

    /**
     * The jlink options for a platform: {@code --strip-debug --no-header-files --no-man-pages} and
     * compression; for the host also {@code --generate-cds-archive} (JDK-8264735), the default CDS
     * archive that {@code java -jar} on a full JDK has too.
     *
     * <p>For a foreign platform {@code --strip-debug} becomes {@code --strip-java-debug-attributes}:
     * Debian's jlink also strips native debug symbols with the host's objcopy, which cannot read
     * another architecture's ELF files (Debian ships native debug symbols separately anyway).
     *
     * @param linker  the JDK whose jlink runs
     * @param forHost whether the runtime is for the platform Slipway runs on
     * @return the options, without module path, modules and output
     */
    public static List<String> options(Jdk linker, boolean forHost) {
        List<String> opts = new ArrayList<>(List.of(forHost ? "--strip-debug" : "--strip-java-debug-attributes",
                "--no-header-files", "--no-man-pages", linker.feature() >= 21 ? "--compress=zip-6" : "--compress=2"));
        if (forHost) {
            opts.add("--generate-cds-archive");
        }
        return opts;
    }

    /**
     * Links a runtime. The archive for uncompressed oops ({@code classes_nocoops.jsa}, used only
     * with heaps over 32 GB) is removed to save about 10 MB.
     *
     * @param linker  the JDK whose jlink runs
     * @param target  the JDK whose jmods are linked; when it has no jmods it must be the linker
     *                (JEP 493 links from the run-time image, for its own platform only)
     * @param modules the modules to add
     * @param options from {@link #options}
     * @param output  the runtime directory to create (must not exist)
     * @param console for progress while jlink runs
     * @throws SlipwayException (exit 1) when jlink fails, with its output
     */
    public static void link(Jdk linker, Jdk target, Platform platform, List<String> modules, List<String> options,
                            Path output, Console console) {
        List<String> cmd = new ArrayList<>(List.of(linker.tool("jlink").toString()));
        if (target.hasJmods()) {
            cmd.add("--module-path");
            cmd.add(target.home().resolve("jmods").toString());
        }
        cmd.addAll(List.of("--add-modules", String.join(",", modules)));
        cmd.addAll(options);
        cmd.addAll(List.of("--output", output.toString()));
        Exec.Result r = console.timed("linking " + platform + " runtime (" + modules.size() + " modules, JDK "
                + target.version() + ")", () -> Exec.run(cmd, output.getParent(), Duration.ofMinutes(10)));
        if (r.exitCode() != 0 || r.output().contains("Error:")) {
            throw SlipwayException.failed("jlink failed for " + platform + " with exit code " + r.exitCode() + ":\n"
                    + r.summary(20)).withOutput(r.output());
        }
        try {
            java.nio.file.Files.deleteIfExists(output.resolve("lib/server/classes_nocoops.jsa"));
        } catch (java.io.IOException e) {
            throw SlipwayException.failed("cannot trim the runtime: " + e.getMessage(), e);
        }
    }
}
