package dev.slipway.build;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.SerializationFeature;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
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
import java.util.regex.Pattern;

/**
 * {@code slipway build}: from a service directory to a single-file executable and a
 * {@code .tar.gz} in {@code dist/}, plus {@code dist/artifacts.json} listing them.
 *
 * <p>Steps: locate the linking JDK, read git, run the build command, find the jars, jdeps, jlink,
 * write the build-info jar, lay out {@code runtime/ app/ bin/}, write the launchers and archive.
 */
public final class Builder {
    /** The manifest of the last build, relative to the service directory. */
    public static final String ARTIFACTS = "dist/artifacts.json";
    private static final Pattern VERSION = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._+-]*");

    private Builder() {}

    /**
     * Options of one build.
     *
     * @param version a version that overrides config and git, or {@code null}
     * @param compile whether to run the build command first
     */
    public record Options(String version, boolean compile) {}

    /**
     * What a build made.
     *
     * @param info         the injected build info (name, version, commit, time)
     * @param platform     the target platform
     * @param executable   the single-file executable
     * @param archive      the {@code .tar.gz} of the same layout
     * @param runtimeBytes the size of the linked runtime directory, in bytes
     * @param modules      the JDK modules linked in
     * @param cacheKey     the single file's unpack cache key
     */
    public record Result(BuildInfo info, Platform platform, Path executable, Path archive,
                         long runtimeBytes, List<String> modules, String cacheKey) {}

    /**
     * Builds the service for the host platform.
     *
     * @param config  the service configuration
     * @param options version override and whether to compile
     * @param console progress and results
     * @return what was built
     * @throws SlipwayException exit 2 for configuration problems (no JDK with jlink, no runnable
     *                          jar, no main class), exit 1 when a tool fails
     */
    public static Result build(SlipwayConfig config, Options options, Console console) {
        Path dir = config.serviceDir();
        Jdk jdk = Jdk.locate(config.build().jdk());
        Platform platform = Platform.host();
        platform.dynamicLoader();
        if (options.version() != null && !VERSION.matcher(options.version()).matches()) {
            throw SlipwayException.usage("'" + options.version() + "' is not a valid version: use letters,"
                    + " digits, '.', '_', '+' and '-'");
        }
        GitInfo git = GitInfo.of(dir);
        String version = options.version() != null ? options.version()
                : config.version() != null ? config.version() : git.derivedVersion();
        BuildInfo info = new BuildInfo(config.name(), version, git.commit(), git.shortCommit(), buildTime(git));
        console.progress("building " + config.name() + " " + version + " for " + platform
                + " (commit " + git.shortCommit() + (git.dirty() ? ", dirty" : "") + ")");

        if (options.compile()) {
            MavenProject.compile(config, console);
        }
        MavenProject.Jars jars = MavenProject.locate(config);
        byte[] unpacker = Unpacker.forPlatform(platform, cacheDir());

        String id = config.name() + "_" + version + "_" + platform.os() + "_" + platform.arch();
        Path dist = dir.resolve("dist");
        Path work = dist.resolve(".work").resolve(id);
        try {
            deleteTree(work);
            Path layout = work.resolve(id);
            Files.createDirectories(layout.resolve("app/lib"));
            Files.createDirectories(layout.resolve("bin"));
            List<String> modules = Jlink.modules(jdk, jars.all(), config.build().modules(), dir);
            console.progress("  modules: " + String.join(",", modules));
            Jlink.link(jdk, modules, true, layout.resolve("runtime"), console);

            List<String> classpath = new ArrayList<>();
            classpath.add("app/build-info.jar");
            try (OutputStream os = Files.newOutputStream(layout.resolve("app/build-info.jar"))) {
                info.writeJar(os);
            }
            Path appJar = layout.resolve("app").resolve(jars.appJar().getFileName());
            Files.copy(jars.appJar(), appJar);
            classpath.add("app/" + appJar.getFileName());
            for (Path dep : jars.dependencies()) {
                Files.copy(dep, layout.resolve("app/lib").resolve(dep.getFileName()));
                classpath.add("app/lib/" + dep.getFileName());
            }
            Launcher.Spec spec = new Launcher.Spec(config.name(), version, platform, jars.mainClass(),
                    classpath, config.build().jvmOptions());
            Path bin = layout.resolve("bin").resolve(config.name());
            Files.writeString(bin, Launcher.binScript(spec));
            Files.setPosixFilePermissions(bin, Launcher.EXECUTABLE);
            long runtimeBytes = sizeOf(layout.resolve("runtime"));

            Path outDir = dist.resolve(id);
            Files.createDirectories(outDir);
            Path executable = outDir.resolve(config.name());
            Path archive = dist.resolve(id + ".tar.gz");
            // Both compress the whole layout; on two cores they run side by side.
            var archiving = java.util.concurrent.CompletableFuture.runAsync(() -> {
                try {
                    Archive.writeTarGz(layout, id, info.time(), archive);
                } catch (IOException e) {
                    throw new java.io.UncheckedIOException(e);
                }
            });
            String key = console.timed("writing single file and archive", () -> {
                String k = Launcher.writeSingleFile(spec, layout, unpacker, executable);
                archiving.join();
                return k;
            });
            Result result = new Result(info, platform, executable, archive, runtimeBytes, modules, key);
            writeArtifacts(dir, result);
            console.println("built " + config.name() + " " + version + " (" + platform + ", commit " + git.shortCommit() + ")");
            console.println("  single file  " + dir.relativize(executable) + "  " + Console.megabytes(Files.size(executable)));
            console.println("  archive      " + dir.relativize(archive) + "  " + Console.megabytes(Files.size(archive)));
            console.println("  runtime      " + modules.size() + " modules, " + Console.megabytes(runtimeBytes) + " unpacked");
            return result;
        } catch (IOException e) {
            throw SlipwayException.failed("build failed: " + e.getMessage(), e);
        } finally {
            try {
                deleteTree(dist.resolve(".work"));
            } catch (IOException ignored) {
                // Leftovers under dist/.work are removed by the next build.
            }
        }
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

    private static void writeArtifacts(Path dir, Result r) throws IOException {
        List<Artifact> list = new ArrayList<>();
        list.add(artifact(dir, r.executable(), "single-file", r.platform()));
        list.add(artifact(dir, r.archive(), "archive", r.platform()));
        Map<String, Object> doc = new LinkedHashMap<>();
        doc.put("name", r.info().name());
        doc.put("version", r.info().version());
        doc.put("commit", r.info().commit());
        doc.put("date", r.info().isoTime());
        doc.put("artifacts", list);
        new ObjectMapper().enable(SerializationFeature.INDENT_OUTPUT)
                .writeValue(dir.resolve(ARTIFACTS).toFile(), doc);
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
