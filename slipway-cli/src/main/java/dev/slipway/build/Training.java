package dev.slipway.build;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.init.DatabaseVariables;
import dev.slipway.remote.Gate;
import dev.slipway.util.Trees;
import java.io.File;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * Startup trained at build time: a training run of the real app on the runtime being shipped
 * records an AOT cache (JDK 24+, JEP 483: {@code -XX:AOTMode=record}, then {@code create}), a dynamic
 * AppCDS archive (JDK 20-23, JEP 350: {@code -XX:ArchiveClassesAtExit}) or, on JDK 17-19, the list
 * of the classes it loaded ({@code -XX:DumpLoadedClassList}), which the launcher then uses. A cache
 * made by another runtime is rejected by the JVM, so only the runtime being shipped can train,
 * which means only the host platform.
 *
 * <p>JDK 17-19 archives record the class path as written and reject another one (relocation came
 * with JDK 20, JDK-8279366; JDK 17.0.15 says "APP classpath mismatch" for a tree unpacked at another
 * path). But JDK 17 compares each recorded entry with the run's by name and, failing that, by
 * device and inode ({@code os::same_files}), and checks the recorded entries' sizes and mtimes
 * through their names. So the build dumps a static AppCDS archive (JEP 310,
 * {@code -Xshare:dump -XX:SharedClassListFile}) with the class path written as
 * {@link #HOME_FD}{@code /app/...}, with file descriptor 9 open on the layout
 * ({@link #dumpAtBuild}); the launcher opens descriptor 9 on the unpacked directory
 * ({@link Launcher#OPEN_HOME}), so the recorded names lead to the very files of the run's class
 * path wherever it was unpacked, and the unpacker gives every file the time the layout's had,
 * {@link BuildInfo#FILE_TIME}. The archive
 * ships as {@link #BUILT_CDS_FILE}; the unpacker checks once that the JVM maps it and links it to
 * {@link #CDS_FILE}. When the JVM refuses it (no {@code /proc}; a heap over 32 GB, which turns off
 * compressed oops), the unpacker dumps the archive from the class list with {@link #DUMP_ARGS}
 * into the unpacked directory, as before. Until then, or if that fails too, the runtime's default
 * CDS archive is used.
 */
public final class Training {
    /** The AOT cache inside the layout. */
    public static final String AOT_FILE = "app/app.aot";
    /** The AppCDS archive inside the layout: dynamic (JDK 20-23, from training) or static (JDK 17-19, first run). */
    public static final String CDS_FILE = "app/app.jsa";
    /** The class list of the training run inside the layout (JDK 17-19). */
    public static final String CLASS_LIST = "app/app.classlist";
    /**
     * The arguments of the first-run dump (JDK 17-19): one per line, {@link Launcher#HOME} for the
     * unpacked directory; the unpacker adds {@code -XX:SharedArchiveFile} (see {@code unpack.c}).
     */
    public static final String DUMP_ARGS = "app/app.jsa.args";
    /**
     * The static AppCDS archive dumped at build time (JDK 17-19), against {@link #HOME_FD}; the
     * unpacker links it to {@link #CDS_FILE} once the JVM has mapped it (see {@code unpack.c}).
     */
    public static final String BUILT_CDS_FILE = "app/app.built.jsa";
    /**
     * The marker beside {@link #BUILT_CDS_FILE} that lets the first run use it without the JVM's
     * check ({@link #writeTrust}; the rule is in {@code unpack.c}): the build's heap kept compressed
     * oops and is decided by the options or by less memory than {@link #TRUST_MAX_MEMORY}.
     */
    public static final String BUILT_CDS_TRUST = "app/app.built.jsa.trust";
    /**
     * 96 GiB: a JVM's default heap is a quarter of the memory (MaxRAMPercentage=25), so below this
     * it stays under 24 GiB, far from the 32 GiB where compressed oops end, whose setting a JDK 17
     * archive records (the JVM refuses it when they differ). {@code TRUST_MAX_MEMORY} in unpack.c.
     */
    public static final long TRUST_MAX_MEMORY = 96L << 30;
    /**
     * The unpacked directory as a JDK 17-19 archive made at build time records it: descriptor 9,
     * which the launcher opens on that directory (proc(5): {@code /proc/self/fd/N} is a link to the
     * file the descriptor refers to).
     */
    public static final String HOME_FD = "/proc/self/fd/9";

    private Training() {}

    /**
     * Why this runtime is not trained, if it is not.
     *
     * @param config  the service configuration ({@code train.enabled})
     * @param runtime the runtime's JDK feature release
     * @param forHost whether the runtime is for this machine's platform
     * @return the reason, or empty when it should be trained
     */
    public static java.util.Optional<String> skipReason(SlipwayConfig config, int runtime, boolean forHost) {
        if (!config.train().enabled()) {
            return java.util.Optional.of("not trained (train.enabled is false)");
        }
        if (!forHost) {
            return java.util.Optional.of("not trained: only the host platform's runtime can be trained");
        }
        if (runtime < 17) {
            return java.util.Optional.of("not trained: JDK " + runtime + " is older than 17");
        }
        return java.util.Optional.empty();
    }

    /** @return the file the training run writes into the layout for a runtime of this feature release */
    public static String cacheFile(int runtime) {
        return runtime >= 24 ? AOT_FILE : runtime >= 20 ? CDS_FILE : CLASS_LIST;
    }

    /** @return whether this runtime's archive is dumped on the first run (JDK 17-19) rather than at build time */
    public static boolean dumpsOnFirstRun(int runtime) {
        return runtime < 20;
    }

    /**
     * The text of {@link #DUMP_ARGS}: the JVM options, {@code -Xshare:dump}, the class list and the
     * class path, one argument per line, with {@link Launcher#HOME} for the unpacked directory.
     *
     * @param jvmOptions the build's JVM options (the archive must be dumped with the heap and GC
     *                   settings it will run with)
     * @param classpath  class path entries relative to the layout, in launch order
     * @return the file's text
     * @throws IllegalArgumentException when an option contains a line break
     */
    public static String dumpArguments(List<String> jvmOptions, List<String> classpath) {
        List<String> args = new ArrayList<>(jvmOptions);
        args.add("-Xshare:dump");
        args.add("-XX:SharedClassListFile=" + Launcher.HOME + "/" + CLASS_LIST);
        args.add("-cp");
        args.add(String.join(":", classpath.stream().map(e -> Launcher.HOME + "/" + e).toList()));
        for (String a : args) {
            if (a.contains("\n") || a.contains("\r")) {
                throw new IllegalArgumentException("a JVM option contains a line break: " + a);
            }
        }
        return String.join("\n", args) + "\n";
    }

    /**
     * Dumps the JDK 17-19 static AppCDS archive at build time into {@link #BUILT_CDS_FILE}: the
     * layout's runtime, {@code -Xshare:dump} with the trained class list, the class path written
     * under {@link #HOME_FD}, run by {@code sh} with descriptor 9 open on the layout. The layout's
     * files must already have the times the unpacker gives them (the archive records the jars'
     * sizes and mtimes). The JVM's output goes to a log that a failure quotes.
     *
     * @param layout     the layout, with {@link #CLASS_LIST}
     * @param jvmOptions the launcher's JVM options from {@code build.jvmOptions}, references expanded
     *                   (heap and GC settings must be those of the runs)
     * @param classpath  the trained class path, relative to the layout (a prefix of the launcher's)
     * @param timeout    the longest the dump may take
     * @return the archive written
     * @throws SlipwayException (exit 1) when the dump fails or takes longer than {@code timeout}
     */
    public static Path dumpAtBuild(Path layout, List<String> jvmOptions, List<String> classpath, Duration timeout) {
        Path archive = layout.resolve(BUILT_CDS_FILE);
        Path log = layout.resolveSibling(layout.getFileName() + ".cds-dump.log");
        List<String> cmd = new ArrayList<>(List.of(layout.resolve("runtime/bin/java").toAbsolutePath().toString()));
        cmd.addAll(jvmOptions);
        cmd.add("-Xshare:dump");
        cmd.add("-XX:SharedClassListFile=" + layout.resolve(CLASS_LIST).toAbsolutePath());
        cmd.add("-XX:SharedArchiveFile=" + archive.toAbsolutePath());
        cmd.add("-cp");
        cmd.add(homeFdClasspath(classpath));
        try {
            runWriting(withHomeFd(layout, cmd), log, archive, timeout, "the AppCDS dump");
            return archive;
        } catch (IOException e) {
            throw SlipwayException.failed("cannot run the AppCDS dump: " + e.getMessage(), e);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("the AppCDS dump was interrupted");
        } finally {
            try {
                Files.deleteIfExists(log);
            } catch (IOException ignored) {
                // a log left in dist/.work goes with it
            }
        }
    }

    /**
     * Whether the first run may use an archive dumped at build time with these options without a
     * JVM's check, as far as the build can tell (the first run applies the same rule to its own
     * machine, see {@code unpack.c}): no option sets the oops or object alignment or sizes the heap
     * from the memory ({@code RAM}, {@code CompressedOops}, {@code CompressedClass},
     * {@code ObjectAlignment}, {@code HeapBase} in an option), and the heap is fixed ({@code -Xmx},
     * {@code -XX:MaxHeapSize=}) or the memory is under {@link #TRUST_MAX_MEMORY}.
     *
     * @param jvmOptions  the options of the dump, references expanded
     * @param memoryBytes the machine's memory ({@link #memTotal}), 0 when unknown
     * @return whether the archive may go unchecked
     */
    public static boolean trustable(List<String> jvmOptions, long memoryBytes) {
        boolean fixed = false;
        for (String o : jvmOptions) {
            if (java.util.stream.Stream.of("RAM", "CompressedOops", "CompressedClass", "ObjectAlignment", "HeapBase")
                    .anyMatch(o::contains)) {
                return false;
            }
            fixed |= o.startsWith("-Xmx") || o.startsWith("-XX:MaxHeapSize=");
        }
        return fixed || memoryBytes > 0 && memoryBytes < TRUST_MAX_MEMORY;
    }

    /**
     * Writes {@link #BUILT_CDS_TRUST} with {@code time} as its mtime when {@link #trustable}
     * holds for this machine's memory, and removes it otherwise.
     *
     * @param layout     the layout, with {@link #BUILT_CDS_FILE}
     * @param jvmOptions the options the archive was dumped with, references expanded
     * @param time       the files' modification time ({@link BuildInfo#FILE_TIME}, which the unpacker gives every file)
     * @throws IOException when it cannot be written or removed
     */
    public static void writeTrust(Path layout, List<String> jvmOptions, java.time.Instant time) throws IOException {
        Path trust = layout.resolve(BUILT_CDS_TRUST);
        if (!trustable(jvmOptions, memTotal())) {
            Files.deleteIfExists(trust);
            return;
        }
        Files.writeString(trust, "The JVM that dumped app.built.jsa at build time kept compressed oops: the first run"
                + " may use the archive without a JVM's check where its own heap does too (see Slipway's unpack.c).\n");
        Files.setLastModifiedTime(trust, java.nio.file.attribute.FileTime.from(time));
    }

    /**
     * This machine's memory from {@code MemTotal} of {@code /proc/meminfo} (proc(5)), as the
     * unpacker's {@code sysconf(_SC_PHYS_PAGES)} sees it: at least a container's limit, so never
     * less than what the dump's JVM saw.
     *
     * @return bytes, or 0 when it cannot be read
     */
    static long memTotal() {
        try {
            for (String line : Files.readAllLines(Path.of("/proc/meminfo"))) {
                if (line.startsWith("MemTotal:")) {
                    return Long.parseLong(line.replaceAll("[^0-9]", "")) * 1024;
                }
            }
        } catch (IOException | RuntimeException e) {
            // no /proc: unknown, so not trusted
        }
        return 0;
    }

    /**
     * The launcher options that use the trained cache. A cache the JVM rejects (another runtime, a
     * changed jar) is ignored by the JVM; its log is switched off so that nothing leaks to users.
     *
     * @param runtime the runtime's JDK feature release
     * @return JVM options with {@link Launcher#HOME}
     */
    public static List<String> launcherOptions(int runtime) {
        if (runtime >= 24) {
            // Descriptor 9 on the unpacked directory: the cache's class path (createAotCache).
            return List.of(Launcher.OPEN_HOME, "-Xlog:aot=off", "-Xlog:cds=off",
                    "-XX:AOTCache=" + Launcher.HOME + "/" + AOT_FILE);
        }
        if (runtime >= 20) {
            return List.of("-Xlog:cds=off", "-Xlog:cds+dynamic=off", "-XX:SharedArchiveFile=" + Launcher.HOME + "/" + CDS_FILE);
        }
        // Passed only once the first run has checked or dumped it: a missing archive would cost the
        // default one too. Descriptor 9 on the unpacked directory: the archive's class path (HOME_FD).
        return List.of(Launcher.OPEN_HOME, "-Xlog:cds=off", "-Xlog:class+path=off",
                Launcher.whenPresent(CDS_FILE, "-XX:SharedArchiveFile=" + Launcher.HOME + "/" + CDS_FILE));
    }

    /**
     * The JVM options of an OCI image, whose entrypoint is fixed when it is built: the options of
     * {@link Launcher#whenPresent} are resolved against the layout, except that the archive made at
     * build time ({@link #BUILT_CDS_FILE}) stands for {@link #CDS_FILE}, which only the single
     * file's first run links. No first run checks it in an image: an archive the JVM refuses there
     * (a heap over 32 GB) is skipped by the default {@code -Xshare:auto}, quietly with
     * {@code -Xlog:cds=off}, and the JVM then starts with no CDS. {@link Launcher#OPEN_HOME} stays,
     * for the entrypoint to open descriptor 9 ({@code slipway-start -d}).
     *
     * @param options the launch's JVM options ({@link #launcherOptions} among them)
     * @param exists  whether a path relative to the layout (e.g. {@code app/app.built.jsa}) is in the image
     * @return the options with no conditional left, in the same order, {@link Launcher#HOME} kept
     */
    public static List<String> imageOptions(List<String> options, java.util.function.Predicate<String> exists) {
        boolean built = exists.test(BUILT_CDS_FILE) && !exists.test(CDS_FILE);
        String firstRun = "-XX:SharedArchiveFile=" + Launcher.HOME + "/" + CDS_FILE;
        return Launcher.resolveWhenPresent(options, f -> exists.test(f) || built && f.equals(CDS_FILE)).stream()
                .map(o -> built && o.equals(firstRun) ? "-XX:SharedArchiveFile=" + Launcher.HOME + "/" + BUILT_CDS_FILE : o)
                .toList();
    }

    /**
     * Runs the training: starts the app on the layout's runtime with the service's own environment
     * ({@link #environment}) on a free port, waits for the configured readiness probe (HTTP or TCP),
     * requests {@code train.urls}, sends SIGTERM and waits for the exit, when the JVM writes the
     * cache. Without URLs it runs the app to its exit. The program arguments are
     * {@code service.args}, then {@code train.args}; the references of {@link References} in them and
     * in {@code build.jvmOptions} stand for the training run's port, {@code 127.0.0.1} and the layout.
     *
     * @param config    the service configuration
     * @param runtime   the runtime's JDK feature release (17 or newer)
     * @param layout    the layout: {@code runtime/}, {@code app/}
     * @param classpath class path entries relative to the layout
     * @param mainClass the main class
     * @param console   progress
     * @return the file written into the layout ({@link #cacheFile})
     * @throws SlipwayException (exit 1) when the run fails or writes no cache
     */
    public static Path train(SlipwayConfig config, int runtime, Path layout, List<String> classpath, String mainClass,
                             Console console) {
        SlipwayConfig.Train train = config.train();
        boolean aot = runtime >= 24;
        boolean classList = dumpsOnFirstRun(runtime);
        Path cache = layout.resolve(cacheFile(runtime));
        int port = freePort();
        References.Values values = References.Values.of(port, ADDR, layout.toAbsolutePath().toString());
        List<String> cmd = new ArrayList<>();
        cmd.add(layout.resolve("runtime/bin/java").toString());
        // The launch line's own options first (its JIT spends less on start-up code), as the service runs.
        cmd.addAll(Launcher.C2_THRESHOLDS);
        cmd.addAll(References.expand(config.build().jvmOptions(), values));
        Path configuration = layout.resolveSibling(layout.getFileName() + ".aotconf");
        if (aot) {
            // Recorded here, made into the cache by a second JVM (createAotCache), both with the
            // class path under HOME_FD: -XX:AOTCacheOutput's own second JVM would not have descriptor 9.
            cmd.add("-XX:AOTMode=record");
            cmd.add("-XX:AOTConfiguration=" + configuration.toAbsolutePath());
        } else {
            cmd.add(classList ? "-XX:DumpLoadedClassList=" + cache : "-XX:ArchiveClassesAtExit=" + cache);
        }
        cmd.add("-cp");
        cmd.add(aot ? homeFdClasspath(classpath)
                : String.join(File.pathSeparator, classpath.stream().map(e -> layout.resolve(e).toString()).toList()));
        cmd.add(mainClass);
        cmd.addAll(References.expand(config.service().args(), values));
        cmd.addAll(References.expand(train.args(), values));
        console.timed("training " + (aot ? "an AOT cache" : classList ? "an AppCDS class list" : "an AppCDS archive")
                        + " on the JDK " + runtime + " runtime",
                () -> {
                    try {
                        run(cmd, port, train, config, aot ? layout : null);
                        if (aot) {
                            createAotCache(layout, References.expand(config.build().jvmOptions(), values), classpath,
                                    configuration, cache, train.timeout());
                        }
                    } finally {
                        Files.deleteIfExists(configuration);
                    }
                    return null;
                });
        if (!Files.isRegularFile(cache)) {
            throw SlipwayException.failed("the training run wrote no " + cache.getFileName()
                    + "; set train.enabled: false to ship without one");
        }
        return cache;
    }

    /**
     * A class path written under {@link #HOME_FD}, as a cache made at build time records it.
     *
     * @param classpath entries relative to the layout
     * @return the entries as {@code /proc/self/fd/9/<entry>}, joined by {@code :}
     */
    static String homeFdClasspath(List<String> classpath) {
        return String.join(":", classpath.stream().map(e -> HOME_FD + "/" + e).toList());
    }

    /** {@code sh -c} script that opens descriptor 9 on its first argument and runs the rest. */
    private static final String WITH_HOME_FD = "exec 9<\"$1\" && shift && exec \"$@\"";

    /**
     * The command that runs {@code cmd} with descriptor 9 open on a directory (sh(1)'s {@code exec
     * 9<}): the same process, as {@code exec} keeps the PID.
     *
     * @param home the directory
     * @param cmd  the command
     * @return {@code sh -c ... sh <home> <cmd...>}
     */
    static List<String> withHomeFd(Path home, List<String> cmd) {
        List<String> out = new ArrayList<>(List.of("sh", "-c", WITH_HOME_FD, "sh", home.toAbsolutePath().toString()));
        out.addAll(cmd);
        return out;
    }

    /**
     * Makes the JDK 24+ AOT cache from the training run's recorded configuration (JEP 483:
     * {@code -XX:AOTMode=create}), on the layout's runtime with the build's JVM options and the
     * class path under {@link #HOME_FD}, descriptor 9 open on the layout.
     *
     * <p>Why the class path goes through descriptor 9: the JVM gives a class it loads from the
     * cache the code source of the jar whose path the cache recorded ({@code
     * ClassLoaders.toFileURL} of that path, Temurin 25.0.3). A cache made in the build's layout
     * recorded a directory that is gone where the single file runs, so every class of the app
     * loader had a {@code null} code source location, and the JVM threw and caught a
     * {@code NoSuchFileException} for each one at start (1060 for myapp, about 8 % of its time to
     * ready). {@code /proc/self/fd/9/app/...} is the very jar of the run's class path wherever
     * the single file unpacked, since the launcher opens descriptor 9 on the unpacked directory
     * ({@link Launcher#OPEN_HOME}); the JVM accepts the run's own paths for the recorded ones, as
     * it does for any relocated class path (JDK-8279366).
     *
     * @param layout        the layout
     * @param jvmOptions    {@code build.jvmOptions}, references expanded
     * @param classpath     the training class path, relative to the layout
     * @param configuration the configuration the training run recorded ({@code -XX:AOTConfiguration})
     * @param cache         the cache to write
     * @param timeout       the longest the JVM may take
     * @throws SlipwayException (exit 1) when the JVM fails, writes no cache or takes longer
     */
    static void createAotCache(Path layout, List<String> jvmOptions, List<String> classpath, Path configuration,
                               Path cache, Duration timeout) throws IOException, InterruptedException {
        if (!Files.isRegularFile(configuration)) {
            throw SlipwayException.failed("the training run recorded no AOT configuration ("
                    + configuration.getFileName() + "); set train.enabled: false to ship without a cache");
        }
        List<String> cmd = new ArrayList<>();
        cmd.add(layout.resolve("runtime/bin/java").toAbsolutePath().toString());
        cmd.addAll(jvmOptions);
        cmd.add("-XX:AOTMode=create");
        cmd.add("-XX:AOTConfiguration=" + configuration.toAbsolutePath());
        cmd.add("-XX:AOTCache=" + cache.toAbsolutePath());
        cmd.add("-cp");
        cmd.add(homeFdClasspath(classpath));
        Path log = layout.resolveSibling(layout.getFileName() + ".aot-create.log");
        try {
            runWriting(withHomeFd(layout, cmd), log, cache, timeout, "making the AOT cache (-XX:AOTMode=create)");
        } finally {
            Files.deleteIfExists(log);
        }
    }

    /**
     * Runs a JVM that writes one file (an archive, a cache) and waits for it, its output in a log.
     *
     * @param cmd     the command
     * @param log     where its output goes
     * @param output  the file it must write
     * @param timeout the longest it may take
     * @param what    what it does, for the messages ("the AppCDS dump")
     * @throws SlipwayException (exit 1) when it runs longer, exits with another code than 0 or
     *                          writes no {@code output}; the message quotes the log
     */
    private static void runWriting(List<String> cmd, Path log, Path output, Duration timeout, String what)
            throws IOException, InterruptedException {
        Process p = dev.slipway.util.Children.start(new ProcessBuilder(cmd).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null"))));
        try {
            if (!p.waitFor(timeout.toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                throw SlipwayException.failed(what + " did not end within " + Console.seconds(timeout) + ":\n" + tail(log));
            }
            if (p.exitValue() != 0 || !Files.isRegularFile(output)) {
                throw SlipwayException.failed(what + " exited with " + p.exitValue() + ":\n" + tail(log));
            }
        } finally {
            if (p.isAlive()) {
                dev.slipway.util.Children.stop(p.toHandle(), Duration.ZERO);
            }
        }
    }

    /**
     * Removes from a JDK 17-19 class list the {@code @lambda-proxy} lines whose host class comes
     * from a signed jar. The static dump skips every class of a signed jar ("Skipping ...: Signed
     * JAR"), but JDK 17's dump still records their lambda proxies and then crashes on them
     * (SIGSEGV in {@code SystemDictionaryShared::adjust_lambda_proxy_class_dictionary}, seen with
     * JGit's signed jar in Slipway's own single file), which left the app with no archive.
     *
     * @param classList the class list ({@code -XX:DumpLoadedClassList} output), rewritten in place
     * @param signed    internal names ({@code org/eclipse/jgit/util/FS}) of the classes of signed jars
     * @throws IOException when it cannot be read or written
     */
    public static void withoutSignedLambdaProxies(Path classList, java.util.Set<String> signed) throws IOException {
        withoutLambdaProxies(classList, signed, java.util.Set.of());
    }

    /**
     * Removes from a JDK 17-19 class list the {@code @lambda-proxy} lines the static dump must not
     * replay: those whose host class comes from a signed jar ({@link #withoutSignedLambdaProxies}),
     * and those that name a class of a pre-Java 6 class file ({@code L...;} in any of their method
     * types). JDK 17 archives such an "old" class (major version below 50, which has no stack maps)
     * only if the dump did not link it, and replaying a lambda proxy links the interface it
     * implements and the types it names: picocli 4 (compiled for Java 5) lost
     * {@code picocli.CommandLine} and 23 more classes to three lambdas of Slipway's own CLI
     * ("Skipping picocli/CommandLine: Old class has been linked" in {@code -Xlog:cds}), and every
     * run then parsed and verified them from the jar with the old type-inferring verifier. Such a
     * lambda is spun at run time instead, as it is without an archive.
     *
     * @param classList the class list ({@code -XX:DumpLoadedClassList} output), rewritten in place
     * @param signed    internal names ({@code org/eclipse/jgit/util/FS}) of the classes of signed jars
     * @param old       internal names of the classes whose class file is older than Java 6
     *                  ({@link #oldClasses})
     * @throws IOException when it cannot be read or written
     */
    public static void withoutLambdaProxies(Path classList, java.util.Set<String> signed, java.util.Set<String> old)
            throws IOException {
        if (signed.isEmpty() && old.isEmpty()) {
            return;
        }
        List<String> kept = new ArrayList<>();
        boolean dropped = false;
        for (String line : Files.readAllLines(classList, java.nio.charset.StandardCharsets.UTF_8)) {
            String[] words = line.split(" ", 3);
            if (words.length >= 2 && words[0].equals("@lambda-proxy")
                    && (signed.contains(words[1]) || typesNamed(line).stream().anyMatch(old::contains))) {
                dropped = true;
            } else {
                kept.add(line);
            }
        }
        if (dropped) {
            Files.write(classList, kept, java.nio.charset.StandardCharsets.UTF_8);
        }
    }

    /** A class named in a method type descriptor: {@code Lpicocli/CommandLine$Help;}. */
    private static final java.util.regex.Pattern TYPE_NAMED = java.util.regex.Pattern.compile("L([^;\\s()\\[]+);");

    /**
     * @param line a class list line
     * @return the internal names of the classes its method type descriptors name
     */
    private static java.util.Set<String> typesNamed(String line) {
        java.util.Set<String> out = new java.util.HashSet<>();
        java.util.regex.Matcher m = TYPE_NAMED.matcher(line);
        while (m.find()) {
            out.add(m.group(1));
        }
        return out;
    }

    /**
     * The classes, among those a class list's {@code @lambda-proxy} lines name, whose class file on
     * the class path is older than Java 6 (major version below 50, JVMS 4.1): the first one found
     * on the class path counts, as for the class loader.
     *
     * @param classList the class list
     * @param layout    the layout
     * @param classpath class path entries relative to it (jars; other entries are passed over)
     * @return internal names ({@code picocli/CommandLine})
     * @throws IOException when the list or a jar cannot be read
     */
    public static java.util.Set<String> oldClasses(Path classList, Path layout, List<String> classpath) throws IOException {
        java.util.Set<String> named = new java.util.HashSet<>();
        for (String line : Files.readAllLines(classList, java.nio.charset.StandardCharsets.UTF_8)) {
            if (line.startsWith("@lambda-proxy ")) {
                named.addAll(typesNamed(line));
            }
        }
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String entry : classpath) {
            Path jar = layout.resolve(entry);
            if (named.isEmpty() || !Files.isRegularFile(jar)) {
                continue;
            }
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
                for (java.util.Iterator<String> it = named.iterator(); it.hasNext(); ) {
                    String name = it.next();
                    java.util.zip.ZipEntry e = zip.getEntry(name + ".class");
                    if (e == null) {
                        continue;
                    }
                    it.remove(); // found: later entries do not count
                    try (java.io.InputStream in = zip.getInputStream(e)) {
                        byte[] head = in.readNBytes(8);
                        if (head.length == 8 && ((head[6] & 0xff) << 8 | (head[7] & 0xff)) < 50) {
                            out.add(name);
                        }
                    }
                }
            } catch (java.util.zip.ZipException notAZip) {
                // not a jar: no classes
            }
        }
        return out;
    }

    /**
     * The classes of the signed jars on a class path (jars with a {@code META-INF/*.SF} signature file).
     *
     * @param layout    the layout
     * @param classpath class path entries relative to it
     * @return internal class names
     * @throws IOException when a jar cannot be read
     */
    public static java.util.Set<String> signedClasses(Path layout, List<String> classpath) throws IOException {
        java.util.Set<String> out = new java.util.HashSet<>();
        for (String entry : classpath) {
            Path jar = layout.resolve(entry);
            if (!Files.isRegularFile(jar)) {
                continue;
            }
            try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(jar.toFile())) {
                List<String> names = zip.stream().map(java.util.zip.ZipEntry::getName).toList();
                if (names.stream().anyMatch(n -> n.matches("META-INF/[^/]+\\.SF"))) {
                    names.stream().filter(n -> n.endsWith(".class"))
                            .forEach(n -> out.add(n.substring(0, n.length() - ".class".length())));
                }
            } catch (java.util.zip.ZipException notAZip) {
                // not a jar: nothing signed
            }
        }
        return out;
    }

    /** The training run's bind address: this machine only. */
    static final String ADDR = "127.0.0.1";

    /**
     * @return a TCP port free on this machine now (the kernel's pick), for one training run
     * @throws SlipwayException (exit 1) when no port can be had
     */
    static int freePort() {
        try (ServerSocket s = new ServerSocket(0)) {
            return s.getLocalPort();
        } catch (IOException e) {
            throw SlipwayException.failed("no free port for the training run: " + e.getMessage(), e);
        }
    }

    /**
     * The environment the training run adds to Slipway's own: exactly the service's, as a deploy
     * would give it, for this run: {@code service.env} with its references expanded for
     * {@code port} and {@code 127.0.0.1}, then {@code train.env} (expanded the same way, winning),
     * then {@code PORT}, {@code ADDR} and {@code DATA_DIR}, which Slipway sets. So an app that reads
     * {@code SERVER_PORT: "${PORT}"} listens on the training run's port, never on a fixed one.
     *
     * @param config the service configuration
     * @param port   the training run's port
     * @param data   the training run's data directory
     * @return the variables, in the order they are set
     */
    public static Map<String, String> environment(SlipwayConfig config, int port, Path data) {
        References.Values values = References.Values.of(port, ADDR, null);
        Map<String, String> env = new java.util.LinkedHashMap<>(
                References.expandEnv(new java.util.TreeMap<>(config.service().env()), values));
        env.putAll(References.expandEnv(new java.util.TreeMap<>(config.train().env()), values));
        env.put("PORT", String.valueOf(port));
        env.put("ADDR", ADDR);
        env.put("DATA_DIR", data.toString());
        return env;
    }

    /**
     * @param home the directory to open descriptor 9 on for the run ({@link #withHomeFd}), or
     *             {@code null}
     */
    private static void run(List<String> cmd, int port, SlipwayConfig.Train train, SlipwayConfig config, Path home)
            throws IOException, InterruptedException {
        Path data = Files.createTempDirectory("slipway-train");
        Path log = data.resolve("training.log");
        ProcessBuilder pb = new ProcessBuilder(home == null ? cmd : withHomeFd(home, cmd)).directory(data.toFile()).redirectErrorStream(true)
                .redirectOutput(log.toFile()).redirectInput(ProcessBuilder.Redirect.from(new File("/dev/null")));
        pb.environment().putAll(environment(config, port, data.resolve("data")));
        Process p = dev.slipway.util.Children.start(pb); // the unpacker and java -Xshare:dump die with slipway
        String output = null;
        try {
            if (!train.urls().isEmpty()) {
                URI base = URI.create("http://" + ADDR + ":" + port + "/");
                SlipwayConfig.Probe readiness = config.service().readiness();
                SlipwayConfig.Probe probe = new SlipwayConfig.Probe(readiness.type(), readiness.path(),
                        Duration.ofMillis(100), train.timeout(), Duration.ZERO);
                Gate.Verdict ready = Gate.here(ADDR, port, p::isAlive, p::pid).await(probe);
                if (!ready.ready() && !p.isAlive()) {
                    Optional<String> old = tooOldRuntime(read(log), config.build().jdk(), Jdk::installedHome);
                    if (old.isPresent()) {
                        throw SlipwayException.failed(old.get() + ":\n" + tail(log));
                    }
                    Optional<String> noDatabase = noDataSourceUrl(read(log)).or(() -> databaseRefused(read(log)));
                    if (noDatabase.isPresent()) {
                        throw SlipwayException.failed("the training run exited with code " + p.exitValue()
                                + " before it became ready: " + noDatabase.get() + ":\n" + tail(log));
                    }
                    // A crash at start (a variable or a database it needs) is no slow start: the
                    // timeout is not what to change, the environment is.
                    throw SlipwayException.failed("the training run exited with code " + p.exitValue()
                            + " before it became ready (readiness " + probe.target(ADDR, port) + "): "
                            + unsetStartVariables(config, pb.environment()).map(m -> m + "; ").orElse("") + "it runs with"
                            + " service.env, then train.env, on top of the environment slipway runs in; give the"
                            + " service what it needs to start (a variable in train.env or service.env, a database"
                            + " it reaches), or set 'train.enabled: false' to build without a trained cache:\n"
                            + tail(log));
                }
                String elsewhere = ready.ready() ? "" : dev.slipway.util.Listeners.elsewhere(p.pid(), port);
                if (!elsewhere.isEmpty()) {
                    // Listening, just not where told: no timeout helps.
                    throw SlipwayException.failed("the training run never became ready (readiness " + probe.target(ADDR, port)
                            + ": " + ready.describe() + ")" + elsewhere + ":\n" + tail(log));
                }
                if (ready.detail().startsWith(Gate.TLS_ONLY) || ready.detail().startsWith(Gate.OTHER_LISTENER)) {
                    // No longer timeout helps: the probe cannot speak to that port, or someone else holds it.
                    throw SlipwayException.failed("the training run never became ready (readiness " + probe.target(ADDR, port)
                            + ": " + ready.describe() + "):\n" + tail(log));
                }
                if (!ready.pathHint().isEmpty()) {
                    throw SlipwayException.failed("the training run never became ready (readiness " + probe.target(ADDR, port)
                            + ": " + ready.describe() + ")" + ready.pathHint() + ":\n" + tail(log));
                }
                if (!ready.ready()) {
                    String hint = ready.status() == 0 && p.isAlive() && dev.slipway.util.Listeners.listensOnNoPort(p.pid())
                            ? listensOnNoPortHint(port) : notReadyHint(ready, read(log));
                    throw SlipwayException.failed("the training run never became ready (readiness " + probe.target(ADDR, port)
                            + ": " + ready.describe() + ") within train.timeout ("
                            + dev.slipway.analysis.QueryTemplate.promDuration(train.timeout()) + "): "
                            + hint + ", or set 'train.enabled: false' to build without"
                            + " a trained cache:\n" + tail(log));
                }
                for (String url : train.urls()) {
                    Gate.Verdict v = Gate.probeOnce(base.resolve(url), Duration.ofSeconds(10));
                    if (v.status() == 0 && p.isAlive() && Gate.speaksTls(ADDR, port, Duration.ofSeconds(10))) {
                        // An HTTPS-only server (with tcp probes): the requests speak plain HTTP, so a
                        // completed TLS handshake is its answer, and trains its TLS stack.
                        continue;
                    }
                    if (v.status() == 0 && p.isAlive() && Gate.answersGrpc(ADDR, port, Duration.ofSeconds(10))) {
                        // A gRPC server (cleartext HTTP/2 only, tcp probes) answers no HTTP/1.1
                        // request: its answer to a gRPC health check trains its HTTP/2 and call path.
                        continue;
                    }
                    if (v.status() == 0) {
                        if (!p.isAlive()) {
                            // It answered the probe, then exited: something it binds or opens after
                            // its main port (a management port of its own) failed.
                            throw SlipwayException.failed("training request " + url + " failed: " + v.describe()
                                    + "; the training run exited with code " + p.exitValue() + " after its readiness"
                                    + " probe passed (a second port it binds, such as a management port, may be held"
                                    + " by the service running on this machine: give it a free one in train.env, or"
                                    + " set 'train.enabled: false'):\n" + tail(log));
                        }
                        throw SlipwayException.failed("training request " + url + " failed: " + v.describe());
                    }
                }
                p.destroy();
            }
            if (!p.waitFor(train.timeout().toMillis(), java.util.concurrent.TimeUnit.MILLISECONDS)) {
                p.destroyForcibly();
                throw SlipwayException.failed("the training run did not exit within " + Console.seconds(train.timeout())
                        + ":\n" + tail(log));
            }
            if (p.exitValue() != 0 && train.urls().isEmpty()) {
                String runOutput = read(log);
                Optional<String> old = tooOldRuntime(runOutput, config.build().jdk(), Jdk::installedHome);
                throw SlipwayException.failed(old.or(() -> noDataSourceUrl(runOutput).map(m -> "the training run exited with "
                        + p.exitValue() + ": " + m)).orElse("the training run exited with " + p.exitValue()) + ":\n" + tail(log));
            }
        } catch (SlipwayException e) {
            throw moduleCheck(read(log), cmd, config).orElse(e.withOutput(read(log)));
        } finally {
            if (p.isAlive()) {
                dev.slipway.util.Children.stop(p.toHandle(), Duration.ZERO); // with the unpacker or a CDS dump it started
            }
            output = read(log);
            Trees.deleteTree(data);
        }
        Optional<SlipwayException> missing = moduleCheck(output, cmd, config);
        if (missing.isPresent()) {
            throw missing.get();
        }
    }

    /** The JVM's refusal of a class newer than itself (JVMS 4.1: class file major version = Java release + 44). */
    private static final java.util.regex.Pattern CLASS_TOO_NEW = java.util.regex.Pattern.compile(
            "UnsupportedClassVersionError: (\\S+) has been compiled by a more recent version of the Java Runtime"
            + " \\(class file version (\\d+)\\.\\d+\\), this version of the Java Runtime only recognizes class file"
            + " versions up to (\\d+)");

    /**
     * What to say when the training run could not load a class because the runtime is older than
     * the release the class was compiled for: the app built with a newer JDK than {@code build.jdk}
     * (or {@code $JAVA_HOME}), as {@code slipway build --no-compile} allows, or a dependency that
     * needs a newer Java. The run's own crash, "UnsupportedClassVersionError: … class file version
     * 65.0", had been reported as a start that needs a variable or a database.
     *
     * @param output     the training run's output
     * @param configured {@code build.jdk}, or {@code null} when not set
     * @param installed  for a Java feature release, the home of an installed JDK of that release or newer
     * @return the message (without the run's output), or empty when the output shows no such refusal
     */
    static Optional<String> tooOldRuntime(String output, Path configured,
                                          java.util.function.IntFunction<Optional<String>> installed) {
        java.util.regex.Matcher m = CLASS_TOO_NEW.matcher(output);
        if (!m.find()) {
            return Optional.empty();
        }
        int needed = Integer.parseInt(m.group(2)) - 44;
        int runtime = Integer.parseInt(m.group(3)) - 44;
        String jdk = configured != null ? "build.jdk (" + configured + ")" : "the JDK in $JAVA_HOME or on PATH";
        return Optional.of("the training run cannot load " + m.group(1).replace('/', '.') + ": it is compiled for Java "
                + needed + " (class file version " + m.group(2) + ") and the runtime, linked from " + jdk + ", is Java "
                + runtime + ": " + installed.apply(needed).map(h -> "set build.jdk in slipway.yaml to " + h + " (installed here)")
                        .orElse("install a JDK " + needed + " or newer and set build.jdk in slipway.yaml to it")
                + ", or run slipway with JAVA_HOME set to it");
    }

    /**
     * The variables the app needs at start with no default ({@link dev.slipway.init.Proposal#startVariables},
     * what {@code slipway init} warned about: a Spring {@code ${DB_URL}} with no value) that the
     * training run did not get, as a clause of its failure: Spring's own words for such a start
     * name no variable ("'url' must start with \"jdbc\"" for an unresolved datasource URL). Read
     * from the service directory as {@code init} reads it; nothing when that fails or the app needs none.
     *
     * @param config the service configuration
     * @param env    the training run's environment
     * @return e.g. {@code the app's configuration needs DB_URL at start with no default, and the run
     *         had none (export it before 'slipway ship'; Slipway writes it nowhere)}, or empty
     */
    static Optional<String> unsetStartVariables(SlipwayConfig config, Map<String, String> env) {
        List<String> unset;
        try {
            unset = dev.slipway.init.Proposal.of(dev.slipway.init.Project.detect(config.serviceDir(), null), null)
                    .startVariables().stream().filter(n -> !env.containsKey(n)).toList();
        } catch (RuntimeException e) {
            return Optional.empty(); // a project init cannot read: no hint, the generic message stands
        }
        if (unset.isEmpty()) {
            return Optional.empty();
        }
        String it = unset.size() == 1 ? "it" : "them";
        return Optional.of("the app's configuration needs " + String.join(", ", unset) + " at start with no default,"
                + " and the run had " + (unset.size() == 1 ? "no value for it" : "none of them") + " (export " + it
                + " before 'slipway ship', or set " + it + " in train.env or service.env if not secret; Slipway writes"
                + " exported values nowhere)");
    }

    /**
     * Spring Boot's failure analysis of a database starter with a server's driver and no URL
     * (DataSourceBeanCreationFailureAnalyzer; R2DBC's ConnectionFactoryBeanCreationFailureAnalyzer).
     */
    private static final java.util.regex.Pattern NO_DATABASE_URL = java.util.regex.Pattern.compile(
            "Failed to configure a (DataSource|ConnectionFactory): 'url' attribute is not specified");
    /**
     * Quarkus's word for its default datasource with no {@code quarkus.datasource.jdbc.url} in
     * production (Dev Services start one in dev mode and tests only), when Hibernate ORM, Flyway or
     * the app's code uses it: the headline is "Bean is not active".
     */
    private static final java.util.regex.Pattern QUARKUS_NO_URL = java.util.regex.Pattern.compile(
            "Datasource '<default>' was deactivated automatically because its URL is not set");
    /**
     * Micronaut's word for a datasource with no URL (micronaut-sql's pools; Test Resources give one
     * in tests only): {@code datasources.NAME.url}, which Micronaut binds from {@code DATASOURCES_NAME_URL}.
     */
    private static final java.util.regex.Pattern MICRONAUT_NO_URL = java.util.regex.Pattern.compile(
            "Error configuring data source '([\\w-]+)'\\. No URL specified");

    /**
     * What to say when the app stopped because it has a database server's driver but no connection:
     * start.spring.io's "Spring Data JPA + PostgreSQL Driver", code.quarkus.io's "Hibernate ORM with
     * Panache + PostgreSQL" and Micronaut Launch's "data-jdbc + postgres" configure none for the
     * shipped app (docker-compose support, Dev Services and Test Resources start one in development
     * and tests only). The frameworks' messages name no variable (Quarkus's names the property);
     * each binds its own from the environment ({@link DatabaseVariables}), which the training run
     * and a local deploy inherit.
     *
     * @param output the training run's output
     * @return the message (without the run's output), or empty when the output shows no such failure
     */
    static Optional<String> noDataSourceUrl(String output) {
        java.util.regex.Matcher m = NO_DATABASE_URL.matcher(output);
        if (m.find()) {
            boolean r2dbc = m.group(1).equals("ConnectionFactory");
            return Optional.of(noDatabase(r2dbc ? DatabaseVariables.SPRING_BOOT_R2DBC : DatabaseVariables.SPRING_BOOT,
                    m.group(), r2dbc ? "r2dbc" : "jdbc"));
        }
        m = QUARKUS_NO_URL.matcher(output);
        if (m.find()) {
            return Optional.of(noDatabase(DatabaseVariables.QUARKUS, m.group(), "jdbc"));
        }
        m = MICRONAUT_NO_URL.matcher(output);
        if (m.find()) {
            return Optional.of(noDatabase(DatabaseVariables.micronaut(m.group(1)), m.group(), "jdbc"));
        }
        return Optional.empty();
    }

    private static String noDatabase(DatabaseVariables v, String said, String scheme) {
        return v.framework() + " found no database to connect to (\"" + said + "\"): export " + v.url() + " (" + scheme
                + ":postgresql://HOST:5432/DATABASE for PostgreSQL), " + v.username() + " and " + v.password()
                + " before 'slipway ship' (the training run and a local deploy inherit them; Slipway writes them"
                + " nowhere), set " + v.urlKey() + " in the app's configuration, or set 'train.enabled: false' to build"
                + " without a trained cache";
    }

    /**
     * What to change when the training run's readiness never passed: a slow start wants a longer
     * {@code train.timeout}, but an app that answers "not ready" (HTTP 503 from a health check that
     * fails: Quarkus's datasource check with a wrong password answers 503 and names the driver's
     * "FATAL: password authentication failed") waits for something no timeout brings.
     *
     * @param ready  the gate's last verdict (not ready)
     * @param output the training run's output, to name the framework's database variables
     * @return the advice, without the trailing {@code train.enabled} alternative
     */
    static String notReadyHint(Gate.Verdict ready, String output) {
        if (ready.status() == 0) {
            return "raise train.timeout in slipway.yaml if the service starts slowly";
        }
        return "the app answers, and its readiness says what it waits for: give the service what that check needs"
                + " (a database it reaches, with the right user and password"
                + DatabaseVariables.inOutput(output).map(v -> ": " + v.framework() + " reads " + v.names()).orElse("")
                + "), raise train.timeout in slipway.yaml if the service starts slowly";
    }

    /**
     * What to say when the training run still runs at the end of {@code train.timeout} but listens on
     * no port at all, neither its {@code PORT} nor another: a worker (a {@code CommandLineRunner}, a
     * scheduler, a queue consumer) serves nothing for a probe to reach, and no longer timeout helps
     * it; a server that starts slowly has not bound its port yet, and one does.
     *
     * @param port the port the run was given ({@code PORT})
     * @return the hint, without the run's output
     */
    static String listensOnNoPortHint(int port) {
        return "the app runs but listens on no port at all (not on PORT " + port + ", nor another): an app that"
                + " serves nothing (a worker, a scheduler, a queue consumer; Spring Boot without a web starter) never"
                + " passes a readiness probe, on any target, since every probe (http, tcp, grpc) checks the service's"
                + " port: give it one that answers (Spring Boot: spring-boot-starter-web and"
                + " spring-boot-starter-actuator, for Actuator's health groups); if it is a server that starts slowly,"
                + " raise train.timeout in slipway.yaml";
    }

    /**
     * A JDBC driver's refusal in a stack trace: PostgreSQL's {@code PSQLException}, the JDK's
     * {@code SQL…Exception}s (MariaDB's and MySQL's connection failures extend them), MySQL's
     * {@code CommunicationsException}; its message is the cause line ("Connection to HOST:PORT
     * refused", "FATAL: password authentication failed for user …").
     */
    private static final java.util.regex.Pattern JDBC_REFUSAL = java.util.regex.Pattern.compile(
            "(?m)^(?:Caused by: )?[\\w.$]*(?:PSQLException|SQL\\w*Exception|CommunicationsException): (.+)$");

    /**
     * Signs that the failure was the connection, not a statement (a migration's SQL error is no
     * refusal): Hibernate's and HikariCP's words for a connection they could not open, and the
     * SQLSTATE classes 08 (connection exception) and 28 (invalid authorization; ISO/IEC 9075-2).
     */
    private static final List<String> CONNECTION_FAILURES = List.of("JDBCConnectionException",
            "Unable to determine Dialect without JDBC metadata", "Exception during pool initialization",
            "SQLState: 08", "SQLState: 28", "CommunicationsException");

    /**
     * What to say when the app stopped because its database refused it or could not be reached:
     * with a URL exported but the database down (or the port, user or password wrong), Hibernate's
     * last word is "Unable to determine Dialect without JDBC metadata", which hides the driver's
     * cause line under a wall of stack traces.
     *
     * @param output the training run's output
     * @return the message (without the run's output), or empty when no JDBC driver refused
     */
    static Optional<String> databaseRefused(String output) {
        java.util.regex.Matcher m = JDBC_REFUSAL.matcher(output);
        if (CONNECTION_FAILURES.stream().noneMatch(output::contains) || !m.find()) {
            return Optional.empty();
        }
        return Optional.of("the app could not connect to its database: " + m.group(1).strip().replaceAll("\\.+$", "")
                + "; start the database,"
                + " or give the app one it reaches, with the right user and password ("
                + DatabaseVariables.inOutput(output).map(v -> v.framework() + " reads " + v.names())
                        .orElse("the variables the app's framework binds to its connection")
                + " from the environment 'slipway ship' runs in), or set 'train.enabled: false' to build without a trained cache");
    }

    /**
     * Whether the training run's output shows a JDK module missing from the runtime
     * ({@link MissingModule}); checked after a failed run and after a successful one (an app may
     * log the error and go on).
     *
     * @param output the run's output
     * @param cmd    the run's command; its first element is the runtime's {@code bin/java}
     * @param config for the linking JDK ({@code build.jdk})
     * @return the failure that names the module, with the whole output attached for {@code --debug}
     */
    private static Optional<SlipwayException> moduleCheck(String output, List<String> cmd, SlipwayConfig config) {
        Path runtime = Path.of(cmd.get(0)).getParent().getParent();
        try {
            return MissingModule.find(output, runtime, JdkModules.of(Jdk.locate(config.build().jdk()).home()))
                    .map(e -> e.withOutput(output));
        } catch (SlipwayException e) {
            return Optional.empty(); // the JDK cannot be read: report the run's own failure
        }
    }

    private static String read(Path log) {
        try {
            return Files.readString(log);
        } catch (IOException e) {
            return "";
        }
    }

    /** @return the run's output for an error message: the line that says what went wrong, then the last lines */
    private static String tail(Path log) {
        return Exec.summary(read(log), 15);
    }
}
