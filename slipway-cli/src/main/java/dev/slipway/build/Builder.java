package dev.slipway.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.regex.Pattern;

/**
 * {@code slipway build}: from a service directory to a single-file executable and a
 * {@code .tar.gz} in {@code dist/}, plus {@code dist/artifacts.json} listing them.
 *
 * <p>Steps: locate the linking JDK and each platform's target JDK, read git, run the build
 * command, find the jars, run jdeps once on the host; then per platform (in parallel): take the
 * runtime from the {@link RuntimeCache} or jlink it, write the build-info jar, lay out
 * {@code runtime/ app/ bin/}, write the single file and the archive. The whole build holds the
 * service's {@link BuildLock}.
 */
public final class Builder {
    /** The manifest of the last build, relative to the service directory. */
    public static final String ARTIFACTS = "dist/artifacts.json";
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    private Builder() {}

    /**
     * Options of one build.
     *
     * @param version   a version that overrides config and git, or {@code null}
     * @param compile   whether to run the build command first
     * @param useCache  whether to reuse linked runtimes from the runtime cache
     * @param platforms platforms to build (a subset of the configured ones), or empty for all
     * @param profiles  build profiles to apply, or empty for those marked {@code default: true}
     * @param time      the build time to record (the Maven plugin passes
     *                  {@code project.build.outputTimestamp}), or {@code null} for {@code SOURCE_DATE_EPOCH},
     *                  else the commit time, else now
     */
    public record Options(String version, boolean compile, boolean useCache, List<String> platforms,
                          List<String> profiles, Instant time) {
        /** Options for a build of every configured platform with the cache and default profiles. */
        public Options(String version, boolean compile) {
            this(version, compile, true, List.of(), List.of());
        }

        /** Options whose build time comes from the environment or git. */
        public Options(String version, boolean compile, boolean useCache, List<String> platforms,
                       List<String> profiles) {
            this(version, compile, useCache, platforms, profiles, null);
        }
    }

    /**
     * What a build made for one platform.
     *
     * @param info         the injected build info (name, version, commit, time)
     * @param platform     the target platform
     * @param executable   the single-file executable
     * @param archive      the {@code .tar.gz} of the same layout
     * @param runtimeBytes the size of the linked runtime directory, in bytes
     * @param modules      the JDK modules linked in
     * @param cacheKey     the single file's unpack cache key
     * @param runtimeFromCache whether the runtime came from the runtime cache
     * @param launch       what the launcher starts (main class, class path, JVM options), also
     *                     recorded in {@code dist/artifacts.json} for {@code slipway image}
     */
    public record Result(BuildInfo info, Platform platform, Path executable, Path archive,
                         long runtimeBytes, List<String> modules, String cacheKey, boolean runtimeFromCache,
                         Launcher.Spec launch) {}

    /**
     * Builds the service for every configured platform; independent platforms link and pack in
     * parallel (two at a time).
     *
     * @param config  the service configuration
     * @param options version override, compile, cache, platform subset
     * @param console progress and results
     * @return one result per platform, in configuration order
     * @throws SlipwayException exit 2 for configuration problems (no JDK with jlink, a bad target
     *                          JDK, no runnable jar, no main class), exit 1 when a tool fails or
     *                          another build of the service still runs after {@link BuildLock#WAIT}
     */
    public static List<Result> build(SlipwayConfig config, Options options, Console console) {
        // One build per service directory at a time, the build command included: two at once wrote
        // the same target/ and dist/ (see BuildLock).
        try (BuildLock lock = BuildLock.acquire(config.serviceDir(), "build " + config.name(), console, BuildLock.WAIT)) {
            return buildLocked(config, options, console);
        }
    }

    private static List<Result> buildLocked(SlipwayConfig config, Options options, Console console) {
        Path dir = config.serviceDir();
        Jdk linker = Jdk.locate(config.build().jdk());
        Platform host = Platform.host();
        List<Platform> platforms = selectPlatforms(config, options);
        for (String name : options.profiles()) {
            if (!config.profiles().containsKey(name)) {
                throw SlipwayException.usage("unknown profile '" + name + "'; profiles in " + config.file().getFileName()
                        + ": " + (config.profiles().isEmpty() ? "none" : String.join(", ", config.profiles().keySet())));
            }
        }
        Map<Platform, Jdk> targets = new LinkedHashMap<>();
        for (Platform p : platforms) {
            p.dynamicLoader();
            targets.put(p, targetJdk(config, p, host, linker));
        }
        if (options.version() != null && !VERSION.matcher(options.version()).matches()) {
            throw SlipwayException.usage("'" + options.version() + "' is not a valid version: use letters,"
                    + " digits, '.', '_', '+' and '-'");
        }
        GitInfo git = GitInfo.of(dir);
        String version = options.version() != null ? options.version()
                : config.version() != null ? config.version() : git.derivedVersion();
        BuildInfo info = new BuildInfo(config.name(), version, git.commit(), git.shortCommit(),
                options.time() != null ? options.time() : buildTime(git));
        console.progress("building " + config.name() + " " + version + " for "
                + String.join(", ", platforms.stream().map(Platform::toString).toList())
                + " (commit " + git.shortCommit() + (git.dirty() ? ", dirty" : "") + ")");

        if (options.compile()) {
            MavenProject.compile(config, console);
        }
        BuildOutput jars = BuildOutputs.locate(config, console);
        SlipwayConfig effective = BuildOutputs.withManifestOptions(config, jars);
        jars.appJars().forEach(j -> MavenProject.warnOwnerOnlyModes(j, console));
        List<String> modules;
        try {
            Jlink.ModuleSet set = modules(linker, jars, config);
            modules = set.modules();
            console.progress("  modules: " + String.join(",", modules));
            set.notes().forEach(n -> console.progress("  " + n));
        } catch (IOException e) {
            throw SlipwayException.failed("cannot list the modules the app needs: " + e.getMessage(), e);
        }

        Path dist = dir.resolve("dist");
        Path work = dist.resolve(".work");
        RuntimeCache cache = new RuntimeCache(cacheDir());
        ExecutorService pool = Executors.newFixedThreadPool(Math.min(2, platforms.size()));
        try {
            deleteTree(work);
            DistLeftovers.remove(dist); // what a killed build left: .payloadNNN.gz, .runtimeNNN.gz, *.tmp
            Files.createDirectories(work);
            List<Future<Result>> futures = new ArrayList<>();
            for (Platform p : platforms) {
                futures.add(pool.submit(() -> buildPlatform(effective, info, jars, modules, linker, targets.get(p), p,
                        p.equals(host), cache, options, work, console)));
            }
            List<Result> results = new ArrayList<>();
            for (Future<Result> f : futures) {
                results.add(join(f));
            }
            writeArtifacts(dir, info, results);
            console.println("built " + config.name() + " " + version + " (commit " + git.shortCommit() + ")");
            for (Result r : results) {
                console.println("  " + r.platform() + "  single file " + dir.relativize(r.executable()) + "  "
                        + Console.megabytes(Files.size(r.executable())));
                console.println("  " + " ".repeat(r.platform().toString().length()) + "  archive     "
                        + dir.relativize(r.archive()) + "  " + Console.megabytes(Files.size(r.archive())));
                console.println("  " + " ".repeat(r.platform().toString().length()) + "  runtime     "
                        + r.modules().size() + " modules, " + Console.megabytes(r.runtimeBytes()) + " unpacked, "
                        + (r.runtimeFromCache() ? "from the runtime cache" : "linked"));
            }
            return results;
        } catch (IOException e) {
            throw SlipwayException.failed("build failed: " + e.getMessage(), e);
        } finally {
            pool.shutdownNow();
            try {
                deleteTree(work);
                deleteTree(dir.resolve(BuildOutputs.EXPLODED));
            } catch (IOException ignored) {
                // Leftovers under dist/.work and dist/.exploded are removed by the next build.
            }
        }
    }

    /**
     * The module set ({@link Jlink#modules}), cached under {@code <cache>/jdeps/} by the linking
     * JDK's version, the sha256 of the application jar and of every dependency (in order), and the
     * settings the choice reads ({@code build.modules}, {@code excludeModules}, {@code detectModules},
     * {@code jvmOptions}), so an unchanged rebuild skips jdeps and the jar scan. The key covers
     * every input, so {@code --no-cache} (which relinks and retrains) keeps using it. The cached
     * file holds the modules on its first line and the notes to print after it.
     */
    private static Jlink.ModuleSet modules(Jdk linker, BuildOutput jars, SlipwayConfig config) throws IOException {
        SlipwayConfig.Build build = config.build();
        StringBuilder recipe = new StringBuilder("modules-v2\n").append(linker.version()).append('\n')
                .append(build.modules()).append(build.excludeModules()).append(build.detectModules())
                .append(build.jvmOptions()).append('\n');
        for (Path jar : jars.all()) {
            recipe.append(sha256(jar)).append('\n');
        }
        Path cached = cacheDir().resolve("jdeps").resolve(
                HexFormat.of().formatHex(MessageDigestHolder.sha256(recipe.toString())).substring(0, 32) + ".txt");
        if (Files.isRegularFile(cached)) {
            List<String> lines = Files.readAllLines(cached);
            if (!lines.isEmpty() && !lines.get(0).isBlank()) {
                return new Jlink.ModuleSet(List.of(lines.get(0).trim().split(",")), lines.subList(1, lines.size()));
            }
        }
        Jlink.ModuleSet set = Jlink.modules(linker, jars.appJars(), jars.dependencies(), build);
        Files.createDirectories(cached.getParent());
        Path tmp = Files.createTempFile(cached.getParent(), ".jdeps", ".tmp");
        List<String> lines = new ArrayList<>();
        lines.add(String.join(",", set.modules()));
        lines.addAll(set.notes());
        Files.write(tmp, lines);
        Files.move(tmp, cached, java.nio.file.StandardCopyOption.REPLACE_EXISTING, java.nio.file.StandardCopyOption.ATOMIC_MOVE);
        return set;
    }

    private static Result join(Future<Result> f) {
        try {
            return f.get();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("build interrupted");
        } catch (ExecutionException e) {
            if (e.getCause() instanceof SlipwayException s) {
                throw s;
            }
            throw SlipwayException.failed("build failed: " + e.getCause(), e.getCause());
        }
    }

    private static List<Platform> selectPlatforms(SlipwayConfig config, Options options) {
        List<Platform> configured = config.platforms().stream().map(Platform::parse).toList();
        if (options.platforms().isEmpty()) {
            return configured;
        }
        List<Platform> chosen = new ArrayList<>();
        for (String name : options.platforms()) {
            Platform p = Platform.parse(name);
            if (!configured.contains(p)) {
                throw SlipwayException.usage("platform " + p + " is not in 'platforms' of " + config.file().getFileName()
                        + " (configured: " + String.join(", ", config.platforms()) + ")");
            }
            chosen.add(p);
        }
        return chosen;
    }

    private static Jdk targetJdk(SlipwayConfig config, Platform p, Platform host, Jdk linker) {
        Path configured = config.build().targetJdks().get(p.toString());
        if (configured != null) {
            return Jdk.target(configured, p, linker);
        }
        if (p.equals(host)) {
            return linker;
        }
        throw SlipwayException.usage("no JDK for " + p + ": set build.targetJdks." + p + " in "
                + config.file().getFileName() + " to a " + p + " JDK " + linker.feature() + " with jmods/"
                + " (Debian: apt-get download openjdk-" + linker.feature() + "-jdk-headless:" + p.arch()
                + ", then dpkg-deb -x). Slipway never links the host's JDK for another platform");
    }

    private static Result buildPlatform(SlipwayConfig config, BuildInfo info, BuildOutput jars, List<String> modules,
                                        Jdk linker, Jdk target, Platform platform, boolean forHost, RuntimeCache cache,
                                        Options options, Path work, Console console) throws IOException {
        boolean useCache = options.useCache();
        Path dir = config.serviceDir();
        Path dist = dir.resolve("dist");
        String id = config.name() + "_" + info.version() + "_" + platform.os() + "_" + platform.arch();
        byte[] unpacker = Unpacker.forPlatform(platform, cacheDir());
        List<String> jlinkOptions = Jlink.options(linker, forHost);
        RuntimeCache.Runtime runtime = cache.get(new RuntimeCache.Recipe(linker, target, platform, modules, jlinkOptions),
                useCache, work, out -> Jlink.link(linker, target, platform, modules, jlinkOptions, out, console), console);
        console.progress("  " + platform + " runtime " + (runtime.cacheHit() ? "from the runtime cache" : "linked")
                + " (key " + runtime.key().substring(0, 12) + ")");

        Path layout = work.resolve(id);
        Files.createDirectories(layout.resolve("app/lib"));
        Files.createDirectories(layout.resolve("bin"));
        copyTree(runtime.dir(), layout.resolve("runtime"));
        List<String> classpath = new ArrayList<>();
        try (OutputStream os = Files.newOutputStream(layout.resolve(BUILD_INFO_JAR))) {
            info.writeJar(os);
        }
        List<SlipwayConfig.Profile> profiles = activeProfiles(config, options.profiles(), platform);
        if (writeProfileJar(config, profiles, info, layout.resolve("app/profile.jar"))) {
            classpath.add("app/profile.jar");
        }
        classpath.addAll(jars.placeInto(layout));
        BuildFiles.copy(config, layout);
        List<Path> libs = new ArrayList<>();
        profiles.forEach(p -> libs.addAll(p.classpath()));
        for (Path dep : libs) {
            Files.copy(dep, layout.resolve("app/lib").resolve(dep.getFileName()), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            if (!classpath.contains("app/lib/" + dep.getFileName())) {
                classpath.add("app/lib/" + dep.getFileName());
            }
        }
        if (!profiles.isEmpty()) {
            console.progress("  " + platform + " profiles: " + String.join(", ", profiles.stream().map(SlipwayConfig.Profile::name).toList()));
        }
        // Last, so that training reads a class path without it: it changes with every version and
        // build time, and a CDS archive or AOT cache accepts a run-time class path that extends the
        // one it was made with (see trainedStartup).
        List<String> trainingClasspath = List.copyOf(classpath);
        classpath.add(BUILD_INFO_JAR);
        setTimes(layout.resolve("app"), info.time());
        List<String> jvmOptions = new ArrayList<>(config.build().jvmOptions());
        jvmOptions.addAll(trainedStartup(config, target.feature(), forHost, layout, trainingClasspath, classpath,
                jars.mainClass(), runtime.key(), info.time(), useCache, platform, console));
        Launcher.Spec spec = new Launcher.Spec(config.name(), info.version(), platform, jars.mainClass(),
                classpath, jvmOptions, config.service().args(), config.service().port(), info.time());
        Path bin = layout.resolve("bin").resolve(config.name());
        Files.writeString(bin, Launcher.binScript(spec));
        Files.setPosixFilePermissions(bin, Launcher.EXECUTABLE);
        long runtimeBytes = sizeOf(layout.resolve("runtime"));

        Path outDir = dist.resolve(id);
        Files.createDirectories(outDir);
        Path executable = outDir.resolve(config.name());
        Path archive = dist.resolve(id + ".tar.gz");
        // Both reuse the runtime's compressed part from the runtime cache (a gzip member each) when
        // they can, and compress the rest side by side.
        String key = console.timed("writing " + platform + " single file and archive", () -> {
            var archiving = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    Archive.writeTarGz(layout, id, info.time(), cache.tarMember(runtime, id, info.time(), work), archive);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String k;
            try {
                k = Launcher.writeSingleFile(spec, layout, unpacker, cache.member(runtime, work), executable);
            } catch (IOException | RuntimeException e) {
                // Never leave the archive writer running (and holding its cache lock) past a failure.
                try {
                    archiving.join();
                } catch (RuntimeException other) {
                    e.addSuppressed(other);
                }
                throw e;
            }
            archiving.join();
            return k;
        });
        return new Result(info, platform, executable, archive, runtimeBytes, modules, key, runtime.cacheHit(), spec);
    }

    /**
     * Trains the startup cache, or takes it from the training cache ({@code <cache>/training/<key>}).
     *
     * <p>The key covers what the training run reads, and nothing else: the runtime, the main class,
     * the JVM options, the training settings, the service's environment, and per entry of the
     * training class path its name and {@link #contentDigest} (entry names, sizes and CRC-32s, not
     * the zip's timestamps), and the same for the files it reads beside the class path
     * ({@link #readBesideClasspath}: a shipped tree's jars, {@code build.files}). The training class path leaves out {@code app/build-info.jar}, which
     * the launcher puts last: the java man page (CDS) requires only that "the classpath used at
     * archive creation time must be the same as (or a prefix of) the classpath used at run time",
     * so a rebuild with another version or build time reuses the cache. On JDK 20+ the archive is
     * made here and records the jars' modification times (the build time, which the unpacker gives
     * every file), so the build time is in the key too; JDK 17-19 ship only a class list, which
     * holds class names, and the archive is dumped on the first run (or by the prepare mode).
     *
     * @param trainingClasspath the class path of the training run: a prefix of {@code classpath}
     * @param classpath         the launcher's class path
     * @return the launcher options that use the cache; empty when not trained
     */
    private static List<String> trainedStartup(SlipwayConfig config, int feature, boolean forHost, Path layout,
                                               List<String> trainingClasspath, List<String> classpath,
                                               String mainClass, String runtimeKey, Instant time,
                                               boolean useCache, Platform platform, Console console) throws IOException {
        var skip = Training.skipReason(config, feature, forHost);
        if (skip.isPresent()) {
            console.progress("  " + platform + " startup " + skip.get());
            return List.of();
        }
        // Everything the training run sees: the service's environment, arguments and readiness too.
        StringBuilder recipe = new StringBuilder(runtimeKey).append('\n').append(mainClass).append('\n')
                .append(config.build().jvmOptions()).append('\n').append(config.train()).append('\n')
                .append(new java.util.TreeMap<>(config.service().env())).append('\n').append(config.service().args())
                .append('\n').append(config.service().readiness()).append('\n');
        for (String entry : trainingClasspath) {
            recipe.append(entry).append(' ').append(contentDigest(layout.resolve(entry))).append('\n');
        }
        for (String file : readBesideClasspath(layout)) {
            recipe.append(file).append(' ').append(contentDigest(layout.resolve(file))).append('\n');
        }
        if (!Training.dumpsOnFirstRun(feature)) {
            recipe.append("mtime ").append(time.getEpochSecond()).append('\n');
        }
        String key = HexFormat.of().formatHex(MessageDigestHolder.sha256(recipe.toString())).substring(0, 32);
        String file = Training.cacheFile(feature);
        Path cached = cacheDir().resolve("training").resolve(key).resolve(Path.of(file).getFileName());
        Path target = layout.resolve(file);
        if (useCache && Files.isRegularFile(cached)) {
            Files.copy(cached, target, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            console.progress("  " + platform + " startup cache from the training cache (key " + key.substring(0, 12) + ")");
        } else {
            Training.train(config, feature, layout, trainingClasspath, mainClass, console);
            if (useCache) {
                Files.createDirectories(cached.getParent());
                Path tmp = cached.resolveSibling(cached.getFileName() + ".tmp");
                Files.copy(target, tmp, java.nio.file.StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, cached, java.nio.file.StandardCopyOption.REPLACE_EXISTING,
                        java.nio.file.StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (Training.dumpsOnFirstRun(feature)) {
            // The dump starts no app: a port or address in an option only has to be a valid value.
            Files.writeString(layout.resolve(Training.DUMP_ARGS), Training.dumpArguments(References.expand(
                    config.build().jvmOptions(), References.Values.of(config.service().port(), Launcher.DEFAULT_ADDR,
                            Launcher.HOME)), classpath));
            console.progress("  " + platform + " startup: the AppCDS archive is dumped from the trained class list"
                    + " on the first run, where the class path is final (JDK " + feature + ")");
        }
        return Training.launcherOptions(feature);
    }

    /** The generated jar with the version facts, last on the launcher's class path. */
    static final String BUILD_INFO_JAR = "app/build-info.jar";

    /**
     * What a class path entry gives the JVM, as hex sha256: for a zip or jar, every entry's name,
     * uncompressed size and CRC-32 from the central directory (APPNOTE.TXT 4.3.12), in order, so
     * the same classes and resources give the same digest whatever the entries' timestamps (a
     * rebuilt jar, a profile jar written at another build time); for anything else the file's sha256.
     *
     * @param entry a class path entry
     * @return the digest
     * @throws IOException when it cannot be read
     */
    static String contentDigest(Path entry) throws IOException {
        MessageDigest sha;
        try {
            sha = MessageDigest.getInstance("SHA-256");
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
        try (java.util.zip.ZipFile zip = new java.util.zip.ZipFile(entry.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                java.util.zip.ZipEntry e = entries.nextElement();
                sha.update(e.getName().getBytes(java.nio.charset.StandardCharsets.UTF_8));
                sha.update((" " + e.getSize() + " " + Long.toHexString(e.getCrc()) + "\n")
                        .getBytes(java.nio.charset.StandardCharsets.UTF_8));
            }
            return "zip:" + HexFormat.of().formatHex(sha.digest());
        } catch (java.util.zip.ZipException notAZip) {
            return sha256(entry);
        }
    }

    /**
     * What the training run reads that is not a class path entry, for its cache key: the files of a
     * tree shipped whole under {@code app/} (Quarkus' {@code app/quarkus-app/}, whose runner loads
     * the jars its {@code quarkus-application.dat} names while only {@code quarkus-run.jar} is on
     * the class path) and the {@code build.files} in the layout root (a configuration file the app
     * reads at start).
     *
     * @param layout the layout root
     * @return paths relative to it, sorted
     * @throws IOException when the layout cannot be listed
     */
    static List<String> readBesideClasspath(Path layout) throws IOException {
        List<String> out = new ArrayList<>();
        try (var s = Files.walk(layout)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Path rel = layout.relativize(p);
                String top = rel.getName(0).toString();
                boolean inTree = top.equals("app") && rel.getNameCount() > 2 && !rel.getName(1).toString().equals("lib");
                boolean rootFile = !List.of("app", "bin", "runtime").contains(top);
                if (inTree || rootFile) {
                    out.add(rel.toString().replace('\\', '/'));
                }
            }
        }
        java.util.Collections.sort(out);
        return out;
    }

    /** sha256 of a string, for cache keys. */
    private static final class MessageDigestHolder {
        static byte[] sha256(String text) {
            try {
                return MessageDigest.getInstance("SHA-256").digest(text.getBytes(java.nio.charset.StandardCharsets.UTF_8));
            } catch (java.security.NoSuchAlgorithmException e) {
                throw new IllegalStateException(e);
            }
        }
    }

    /** Sets the modification time of every file under {@code dir}. */
    private static void setTimes(Path dir, Instant time) throws IOException {
        try (var s = Files.walk(dir)) {
            for (Path p : s.filter(Files::isRegularFile).toList()) {
                Files.setLastModifiedTime(p, java.nio.file.attribute.FileTime.from(time));
            }
        }
    }

    /**
     * The profiles for one platform: those marked {@code always: true}, plus those named with
     * {@code --profile} (else those marked {@code default: true}); in file order, each only where its
     * platform patterns match.
     */
    static List<SlipwayConfig.Profile> activeProfiles(SlipwayConfig config, List<String> selected, Platform platform) {
        return config.profiles().values().stream()
                .filter(p -> p.always() || (selected.isEmpty() ? p.isDefault() : selected.contains(p.name())))
                .filter(p -> p.appliesTo(platform.toString()))
                .toList();
    }

    /**
     * Writes {@code app/profile.jar}: the profiles' {@code defaults} as {@code build.defaultsResource}
     * (later profiles win) and the files of their {@code resources} directories.
     *
     * @return whether there was anything to write
     */
    private static boolean writeProfileJar(SlipwayConfig config, List<SlipwayConfig.Profile> profiles, BuildInfo info,
                                           Path jar) throws IOException {
        Map<String, String> defaults = new java.util.TreeMap<>();
        Map<String, byte[]> entries = new java.util.TreeMap<>();
        for (SlipwayConfig.Profile p : profiles) {
            defaults.putAll(p.defaults());
            if (p.resources() != null) {
                try (var files = Files.walk(p.resources())) {
                    for (Path f : files.filter(Files::isRegularFile).sorted().toList()) {
                        entries.put(p.resources().relativize(f).toString().replace('\\', '/'), Files.readAllBytes(f));
                    }
                }
            }
        }
        if (!defaults.isEmpty()) {
            entries.put(config.build().defaultsResource(), ReproducibleJar.properties("Defaults of the build profiles "
                    + String.join(", ", profiles.stream().map(SlipwayConfig.Profile::name).toList()) + ".", defaults));
        }
        if (entries.isEmpty()) {
            return false;
        }
        try (OutputStream os = Files.newOutputStream(jar)) {
            ReproducibleJar.write(entries, info.time(), os);
        }
        return true;
    }

    /** Copies a tree, keeping symbolic links as links and the owner-execute bit. */
    static void copyTree(Path from, Path to) throws IOException {
        Files.walkFileTree(from, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) throws IOException {
                if (d.getFileName().toString().startsWith(".slipway") && !d.equals(from)) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                Files.createDirectories(to.resolve(from.relativize(d).toString()));
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) throws IOException {
                Path dest = to.resolve(from.relativize(f).toString());
                if (attrs.isSymbolicLink()) {
                    Files.createSymbolicLink(dest, Files.readSymbolicLink(f));
                } else if (!f.getFileName().toString().startsWith(".slipway")) {
                    Files.copy(f, dest, java.nio.file.StandardCopyOption.COPY_ATTRIBUTES);
                }
                return FileVisitResult.CONTINUE;
            }
        });
    }

    /** @return the build time: {@code SOURCE_DATE_EPOCH}, else the commit time, else now */
    static Instant buildTime(GitInfo git) {
        String epoch = System.getenv("SOURCE_DATE_EPOCH");
        if (epoch != null && !epoch.isBlank()) {
            try {
                return Instant.ofEpochSecond(Long.parseLong(epoch.trim()));
            } catch (NumberFormatException e) {
                throw SlipwayException.usage("SOURCE_DATE_EPOCH must be whole seconds since 1970, got '" + epoch + "'");
            }
        }
        return git.commitTime() != null ? git.commitTime() : Instant.now();
    }

    /** @return Slipway's cache directory: {@code $SLIPWAY_CACHE_DIR}, else the XDG cache dir */
    public static Path cacheDir() {
        String own = System.getenv("SLIPWAY_CACHE_DIR");
        if (own != null && !own.isBlank()) {
            return Path.of(own);
        }
        String xdg = System.getenv("XDG_CACHE_HOME");
        return (xdg != null && !xdg.isBlank() ? Path.of(xdg) : Path.of(System.getProperty("user.home"), ".cache"))
                .resolve("slipway");
    }

    /**
     * An entry of {@code dist/artifacts.json}.
     *
     * @param path     relative to the service directory
     * @param kind     {@code single-file} or {@code archive}
     * @param platform e.g. {@code linux-amd64}
     * @param size     bytes
     * @param sha256   hex digest
     */
    public record Artifact(String path, String kind, String platform, long size, String sha256) {}

    private static void writeArtifacts(Path dir, BuildInfo info, List<Result> results) throws IOException {
        List<Artifact> list = new ArrayList<>();
        for (Result r : results) {
            list.add(artifact(dir, r.executable(), "single-file", r.platform()));
            list.add(artifact(dir, r.archive(), "archive", r.platform()));
        }
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", info.name());
        doc.put("version", info.version());
        doc.put("commit", info.commit());
        doc.put("date", info.isoTime());
        doc.put("artifacts", list);
        Map<String, Object> launch = new LinkedHashMap<>();
        for (Result r : results) {
            launch.put(r.platform().toString(), launchOf(r.launch()));
        }
        doc.put("launch", launch);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(ARTIFACTS).toFile(), doc);
    }

    /**
     * The {@code launch} entry of one platform in {@code dist/artifacts.json}: {@code mainClass},
     * {@code classpath} (relative to the layout root), {@code jvmOptions}, where
     * {@link Launcher#HOME} stands for the layout root, and {@code args} ({@code service.args});
     * options and arguments keep their {@code ${PORT}}, {@code ${ADDR}} and {@code ${APP_HOME}}
     * references, which the reader expands for its instance. {@code slipway image} builds its
     * entrypoint from it.
     */
    private static Map<String, Object> launchOf(Launcher.Spec spec) {
        Map<String, Object> m = new LinkedHashMap<>();
        m.put("mainClass", spec.mainClass());
        m.put("classpath", spec.classpath());
        m.put("jvmOptions", spec.jvmOptions());
        m.put("args", spec.args());
        return m;
    }

    private static Artifact artifact(Path dir, Path file, String kind, Platform platform) throws IOException {
        return new Artifact(dir.relativize(file).toString(), kind, platform.toString(), Files.size(file), sha256(file));
    }

    /**
     * @param file a file
     * @return its sha256 as lower-case hex
     * @throws IOException when it cannot be read
     */
    public static String sha256(Path file) throws IOException {
        try (var in = Files.newInputStream(file)) {
            MessageDigest sha = MessageDigest.getInstance("SHA-256");
            byte[] buf = new byte[1 << 16];
            int n;
            while ((n = in.read(buf)) > 0) {
                sha.update(buf, 0, n);
            }
            return HexFormat.of().formatHex(sha.digest());
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    static long sizeOf(Path dir) throws IOException {
        long[] total = {0};
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) {
                total[0] += attrs.size();
                return FileVisitResult.CONTINUE;
            }
        });
        return total[0];
    }

    /**
     * Deletes a directory tree if it exists; symbolic links are removed, never followed.
     *
     * @param root the tree
     * @throws IOException when something cannot be deleted
     */
    public static void deleteTree(Path root) throws IOException {
        if (!Files.exists(root, java.nio.file.LinkOption.NOFOLLOW_LINKS)) {
            return;
        }
        Files.walkFileTree(root, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult visitFile(Path file, BasicFileAttributes attrs) throws IOException {
                Files.delete(file);
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult postVisitDirectory(Path d, IOException exc) throws IOException {
                Files.delete(d);
                return FileVisitResult.CONTINUE;
            }
        });
    }
}
