package dev.slipway.build;

import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.Collections;
import java.util.HexFormat;
import java.util.List;
import java.util.TreeMap;
import java.util.zip.ZipEntry;
import java.util.zip.ZipException;
import java.util.zip.ZipFile;

/**
 * Platform step: the launcher's JVM options ({@code build.jvmOptions}, then those that use the
 * startup cache), with the startup cache trained, or taken from the training cache
 * ({@code <cache>/training/<key>}).
 *
 * <p>The key covers what the training run reads, and nothing else: the runtime, the main class,
 * the JVM options, the training settings, the service's environment, and per entry of the
 * training class path its name and {@link #contentDigest} (entry names, sizes and CRC-32s, not
 * the zip's timestamps), and the same for the files it reads beside the class path
 * ({@link #readBesideClasspath}: a shipped tree's jars, {@code build.files}). The training class
 * path leaves out {@code app/build-info.jar}, which the launcher puts last: the java man page (CDS)
 * requires only that "the classpath used at archive creation time must be the same as (or a prefix
 * of) the classpath used at run time", so a rebuild with another version or build time reuses the
 * cache. On JDK 20+ the archive is made here and records the jars' modification times, the fixed
 * {@link BuildInfo#FILE_TIME} that the layout and the unpacker give every file, so that time is in
 * the key too and the build time is not: a new commit of the same jars reuses it. JDK 17-19 train
 * only a class list, which holds class names: its key has each class path entry's
 * {@link #namesDigest} instead, so a change inside a class keeps the list and only the archive is
 * dumped again from it, with the new jars ({@link #builtArchive}, keyed by their contents).
 */
final class TrainStartup extends PlatformStep {
    TrainStartup() {
        super("startup cache");
    }

    @Override
    public void run(PlatformContext c) throws IOException {
        c.jvmOptions.addAll(Launcher.C2_THRESHOLDS);
        c.jvmOptions.addAll(c.config().build().jvmOptions());
        c.jvmOptions.addAll(trainedStartup(c));
    }

    /** @return the launcher options that use the cache; empty when not trained */
    private static List<String> trainedStartup(PlatformContext c) throws IOException {
        SlipwayConfig config = c.config();
        int feature = c.target.feature();
        Path layout = c.layout;
        String mainClass = c.build.jars.mainClass();
        boolean useCache = c.build.options().useCache();
        var skip = Training.skipReason(config, feature, c.forHost);
        if (skip.isPresent()) {
            c.console().progress("  " + c.platform + " startup " + skip.get());
            return List.of();
        }
        // Everything the training run sees: the service's environment, arguments and readiness too.
        // "stored": the jars are re-written with stored entries (StoredJars), and an archive checks
        // their sizes, so an archive trained on the deflated jars of an older Slipway does not fit.
        StringBuilder recipe = new StringBuilder(c.runtime.key()).append("\nstored\n").append(mainClass).append('\n')
                .append(config.build().jvmOptions()).append('\n').append(config.train()).append('\n')
                .append(new TreeMap<>(config.service().env())).append('\n').append(config.service().args())
                .append('\n').append(config.service().readiness()).append('\n');
        for (String file : readBesideClasspath(layout)) {
            recipe.append(file).append(' ').append(contentDigest(layout.resolve(file))).append('\n');
        }
        // A JDK 17-19 class list holds class names only, so it is kept while the class path's entry
        // names are; the archive dumped from it is keyed by the bytes (builtArchive).
        boolean classList = Training.dumpsOnFirstRun(feature);
        // The JDK 17-19 archive covers the dependency jars alone when they come first (DependenciesFirst):
        // its key then has their contents only, so a change in the app's own classes keeps it.
        List<String> archived = c.archiveOrder != null ? c.archiveOrder.archived() : c.trainingClasspath;
        StringBuilder contents = new StringBuilder();
        for (String entry : c.trainingClasspath) {
            if (!classList || archived.contains(entry)) {
                contents.append(entry).append(' ').append(contentDigest(layout.resolve(entry))).append('\n');
            }
            if (classList) {
                recipe.append(entry).append(' ').append(namesDigest(layout.resolve(entry))).append('\n');
            }
        }
        if (!classList) {
            // The cache records the jars' mtimes: the fixed time of every shipped file, never the build's.
            recipe.append(contents).append("mtime ").append(BuildInfo.FILE_TIME.getEpochSecond()).append('\n');
        }
        if (feature >= 24) {
            // The AOT cache records its class path under descriptor 9 (Training.createAotCache): a
            // cache from before, with the layout's paths, is not taken.
            recipe.append("class path at ").append(Training.HOME_FD).append('\n');
        }
        String key = Hashing.sha256Hex((classList ? "class list by entry names\n" : "") + recipe).substring(0, 32);
        String file = Training.cacheFile(feature);
        Path cached = Builder.cacheDir().resolve("training").resolve(key).resolve(Path.of(file).getFileName());
        Path target = layout.resolve(file);
        if (useCache && Files.isRegularFile(cached)) {
            CacheEntries.used(cached.getParent());
            Files.copy(cached, target, StandardCopyOption.REPLACE_EXISTING);
            c.console().progress("  " + c.platform + " startup cache from the training cache (key " + key.substring(0, 12) + ")");
        } else {
            Training.train(config, feature, layout, c.trainingClasspath, mainClass, c.console());
            if (useCache) {
                Files.createDirectories(cached.getParent());
                Path tmp = cached.resolveSibling(cached.getFileName() + ".tmp");
                Files.copy(target, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        if (Training.dumpsOnFirstRun(feature)) {
            // Also for a class list from the training cache, made before this filter existed.
            Training.withoutLambdaProxies(target, Training.signedClasses(layout, c.trainingClasspath),
                    Training.oldClasses(target, layout, c.trainingClasspath));
            // The dump starts no app: a port or address in an option only has to be a valid value.
            Files.writeString(layout.resolve(Training.DUMP_ARGS), Training.dumpArguments(References.expand(
                    config.build().jvmOptions(), References.Values.of(config.service().port(), Launcher.DEFAULT_ADDR,
                            Launcher.HOME)), c.classpath));
            if (c.archiveOrder != null && c.archiveOrder.why().isPresent()) {
                c.console().progress("  " + c.platform + " startup: the AppCDS archive covers the app's own jars too, which"
                        + " stay first on the class path: " + c.archiveOrder.why().get());
            }
            builtArchive(c, Hashing.sha256Hex(key + "\n" + contents), archived, useCache);
        }
        return Training.launcherOptions(feature);
    }

    /** The longest the build-time AppCDS dump may take: the first-run dump's limit (unpack.c). */
    static final java.time.Duration DUMP_TIMEOUT = java.time.Duration.ofMinutes(5);

    /**
     * The JDK 17-19 AppCDS archive made at build time ({@link Training#dumpAtBuild}), or taken from
     * the training cache under a key of the training key, the class path's contents
     * ({@link #contentDigest}), the filtered class list and the jars' mtime, {@link BuildInfo#FILE_TIME} (the
     * archive records it; the unpacker gives it to every file), never the build time: a new commit of
     * the same jars keeps the archive.
     *
     * @param c        the platform's build
     * @param key      the training key of the class list with the archived class path's contents
     * @param archived the class path the archive is dumped with: the launcher's without the build-info
     *                 jar, or its dependency jars alone ({@link DependenciesFirst})
     * @param useCache whether the training cache is read and written
     * @throws IOException when the layout or the cache cannot be read or written
     */
    private static void builtArchive(PlatformContext c, String key, List<String> archived, boolean useCache)
            throws IOException {
        // As long as the unpacker gives the same dump on a first run (DUMP_TIMEOUT_S in unpack.c).
        Path layout = c.layout;
        String dumpKey = Hashing.sha256Hex(key + "\nstatic dump at " + Training.HOME_FD + "\nmtime "
                + BuildInfo.FILE_TIME.getEpochSecond() + "\n" + Hashing.sha256(layout.resolve(Training.CLASS_LIST)))
                .substring(0, 32);
        Path cached = Builder.cacheDir().resolve("training").resolve(dumpKey).resolve("app.built.jsa");
        Path target = layout.resolve(Training.BUILT_CDS_FILE);
        List<String> options = References.expand(c.config().build().jvmOptions(), References.Values.of(
                c.config().service().port(), Launcher.DEFAULT_ADDR, layout.toAbsolutePath().toString()));
        if (useCache && Files.isRegularFile(cached)) {
            CacheEntries.used(cached.getParent());
            Files.copy(cached, target, StandardCopyOption.REPLACE_EXISTING);
            c.console().progress("  " + c.platform + " startup: the AppCDS archive from the training cache (key "
                    + dumpKey.substring(0, 12) + ")");
        } else {
            try {
                c.console().timed("  " + c.platform + " dumping the AppCDS archive (JDK " + c.target.feature() + ")",
                        () -> Training.dumpAtBuild(layout, options, archived, DUMP_TIMEOUT));
            } catch (dev.slipway.SlipwayException e) {
                // Not fatal: the single file's first run dumps it from the class list, as it did before.
                Files.deleteIfExists(target);
                c.console().progress("  " + c.platform + " startup: no AppCDS archive made at build time ("
                        + e.getMessage().lines().findFirst().orElse("") + "); the first run dumps it from the class list");
                return;
            }
            if (useCache) {
                Files.createDirectories(cached.getParent());
                Path tmp = cached.resolveSibling(cached.getFileName() + ".tmp");
                Files.copy(target, tmp, StandardCopyOption.REPLACE_EXISTING);
                Files.move(tmp, cached, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            }
        }
        Files.setLastModifiedTime(target, java.nio.file.attribute.FileTime.from(BuildInfo.FILE_TIME));
        Training.writeTrust(layout, options, BuildInfo.FILE_TIME);
        String covers = archived.size() < c.trainingClasspath.size()
                ? "; it covers the " + archived.size() + " dependency jars, the app's own classes load from its jar" : "";
        c.console().progress("  " + c.platform + " startup: the AppCDS archive is made at build time and checked on the"
                + " first run (by its class path and heap, or by a JVM where the heap may differ), which dumps it from"
                + " the class list only if the JVM refuses it (JDK " + c.target.feature() + ")" + covers);
    }

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
        MessageDigest sha = Hashing.sha256();
        try (ZipFile zip = new ZipFile(entry.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                ZipEntry e = entries.nextElement();
                sha.update(e.getName().getBytes(StandardCharsets.UTF_8));
                sha.update((" " + e.getSize() + " " + Long.toHexString(e.getCrc()) + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "zip:" + HexFormat.of().formatHex(sha.digest());
        } catch (ZipException notAZip) {
            return Hashing.sha256(entry);
        }
    }

    /**
     * The entry names of a class path entry, as hex sha256: for a zip or jar every entry's name in
     * central directory order, so a jar whose classes changed but not their names gives the same
     * digest; for anything else {@link #contentDigest}. What a JDK 17-19 class list
     * ({@code -XX:DumpLoadedClassList}) can name depends on these alone: a class it names that is
     * gone is passed over by the dump ("Preload Warning: Cannot find"), a lambda it names that
     * moved too ("The classlist is probably out-of-date"), and a class it misses is loaded from
     * the jar, so a list trained on an older build of the same classes only makes the archive
     * hold a little more or less. The archive itself is dumped from the jars being shipped.
     *
     * @param entry a class path entry
     * @return the digest
     * @throws IOException when it cannot be read
     */
    static String namesDigest(Path entry) throws IOException {
        MessageDigest sha = Hashing.sha256();
        try (ZipFile zip = new ZipFile(entry.toFile())) {
            var entries = zip.entries();
            while (entries.hasMoreElements()) {
                sha.update((entries.nextElement().getName() + "\n").getBytes(StandardCharsets.UTF_8));
            }
            return "names:" + HexFormat.of().formatHex(sha.digest());
        } catch (ZipException notAZip) {
            return contentDigest(entry);
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
        Collections.sort(out);
        return out;
    }
}
