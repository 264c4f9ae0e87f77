package dev.slipway.build;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.util.Hashing;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.nio.file.FileVisitResult;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.SimpleFileVisitor;
import java.nio.file.StandardCopyOption;
import java.nio.file.attribute.BasicFileAttributes;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.stream.Stream;

/**
 * Whether the build command can be skipped because nothing it reads changed since the last build:
 * a sha256 over the build command, the environment that steers it ({@code JAVA_HOME},
 * {@code MAVEN_OPTS}, {@code MAVEN_ARGS}, {@code GRADLE_OPTS}) and the content of every file of the
 * service directory but its outputs and local state ({@link #NOT_INPUTS}). After a build whose
 * command ran, the fingerprint and the outputs the build took (size and modification time of each
 * file) are recorded in {@link #RECORD}; the next build skips the command when the fingerprint is
 * the same and every recorded output is still there unchanged ({@code mvn clean}, or a build by
 * hand, brings the command back).
 *
 * <p>Content, not modification times: a checkout that rewrites files with the same bytes does not
 * rebuild, and an edit always does. What lies outside the service directory is not seen (a parent
 * POM elsewhere, a {@code -SNAPSHOT} dependency rebuilt in the local repository): run the build
 * command by hand, or {@code mvn clean}, after changing those.
 */
public final class BuildInputs {
    /** The record, relative to the service directory. */
    public static final String RECORD = ".slipway/build/inputs";

    /**
     * Directory names that are never inputs, at any depth: build outputs ({@code target},
     * {@code build} where Gradle builds, {@code dist}), Slipway's and the tools' own state
     * ({@code .slipway}, {@code .git}, {@code .gradle}, {@code .idea}, {@code .vscode},
     * {@code node_modules}) and the service's local data directory ({@code data}, which local runs write).
     */
    static final Set<String> NOT_INPUTS = Set.of("target", "dist", ".slipway", ".git", ".gradle", ".idea", ".vscode",
            "node_modules", "data");

    private static final String HEADER = "slipway-build-inputs 1";
    private static final List<String> ENVIRONMENT = List.of("JAVA_HOME", "MAVEN_OPTS", "MAVEN_ARGS", "GRADLE_OPTS");

    private BuildInputs() {}

    /**
     * The inputs' fingerprint.
     *
     * @param sha   hex sha256 over the command, the environment and every input file's path and content
     * @param files how many input files it covers
     */
    public record Fingerprint(String sha, int files) {}

    /**
     * Computes the fingerprint of the build command's inputs.
     *
     * @param config the service configuration ({@code build.command}, the service directory)
     * @param env    the environment the command runs with
     * @return the fingerprint
     * @throws IOException when a file cannot be read
     */
    public static Fingerprint fingerprint(SlipwayConfig config, java.util.function.Function<String, String> env)
            throws IOException {
        Path dir = config.serviceDir();
        boolean gradle = Files.exists(dir.resolve("build.gradle")) || Files.exists(dir.resolve("build.gradle.kts"))
                || Files.exists(dir.resolve("settings.gradle")) || Files.exists(dir.resolve("settings.gradle.kts"));
        TreeMap<String, Path> files = new TreeMap<>();
        Files.walkFileTree(dir, new SimpleFileVisitor<>() {
            @Override
            public FileVisitResult preVisitDirectory(Path d, BasicFileAttributes attrs) {
                String name = d.getFileName() == null ? "" : d.getFileName().toString();
                if (!d.equals(dir) && (NOT_INPUTS.contains(name) || gradle && name.equals("build"))) {
                    return FileVisitResult.SKIP_SUBTREE;
                }
                return FileVisitResult.CONTINUE;
            }

            @Override
            public FileVisitResult visitFile(Path f, BasicFileAttributes attrs) {
                if (attrs.isRegularFile()) {
                    files.put(dir.relativize(f).toString().replace('\\', '/'), f);
                }
                return FileVisitResult.CONTINUE;
            }
        });
        MessageDigest sha = Hashing.sha256();
        line(sha, HEADER);
        line(sha, String.join("\u0000", config.build().command()));
        for (String v : ENVIRONMENT) {
            String value = env.apply(v);
            line(sha, v + "=" + (value == null ? "" : value));
        }
        byte[] buf = new byte[1 << 16];
        for (var e : files.entrySet()) {
            MessageDigest one = Hashing.sha256();
            try (InputStream in = Files.newInputStream(e.getValue())) {
                for (int n; (n = in.read(buf)) > 0; ) {
                    one.update(buf, 0, n);
                }
            }
            line(sha, HexFormat.of().formatHex(one.digest()) + " " + e.getKey());
        }
        return new Fingerprint(HexFormat.of().formatHex(sha.digest()), files.size());
    }

    private static void line(MessageDigest sha, String s) {
        sha.update(s.getBytes(StandardCharsets.UTF_8));
        sha.update((byte) '\n');
    }

    /**
     * Whether the last build recorded this fingerprint and its outputs are all still there with
     * the size and modification time it recorded.
     *
     * @param config      the service configuration
     * @param fingerprint the fingerprint now
     * @return the number of outputs checked when the command can be skipped; empty when it must run
     */
    public static Optional<Integer> unchanged(SlipwayConfig config, Fingerprint fingerprint) {
        Path record = config.serviceDir().resolve(RECORD);
        List<String> lines;
        try {
            lines = Files.readAllLines(record, StandardCharsets.UTF_8);
        } catch (IOException e) {
            return Optional.empty();
        }
        if (lines.size() < 3 || !lines.get(0).equals(HEADER) || !lines.get(1).equals(fingerprint.sha())) {
            return Optional.empty();
        }
        for (String l : lines.subList(2, lines.size())) {
            String[] parts = l.split(" ", 3);
            if (parts.length != 3) {
                return Optional.empty();
            }
            Path f = config.serviceDir().resolve(parts[2]);
            try {
                BasicFileAttributes a = Files.readAttributes(f, BasicFileAttributes.class);
                if (!a.isRegularFile() || a.size() != Long.parseLong(parts[0])
                        || a.lastModifiedTime().toMillis() != Long.parseLong(parts[1])) {
                    return Optional.empty();
                }
            } catch (IOException | NumberFormatException e) {
                return Optional.empty();
            }
        }
        return Optional.of(lines.size() - 2);
    }

    /**
     * Records the fingerprint and the build's outputs after the command ran: every regular file
     * of the build output's source (the jar, or the directory such as {@code target/quarkus-app})
     * and every shipped jar inside the service directory but outside {@code dist/}.
     *
     * @param config      the service configuration
     * @param fingerprint the fingerprint the command ran with
     * @param output      what the build produced
     * @throws IOException when the record cannot be written
     */
    public static void record(SlipwayConfig config, Fingerprint fingerprint, BuildOutput output) throws IOException {
        Path dir = config.serviceDir();
        TreeMap<String, Path> outputs = new TreeMap<>();
        List<Path> candidates = new ArrayList<>(output.all());
        if (Files.isDirectory(output.source())) {
            try (Stream<Path> s = Files.walk(output.source())) {
                s.filter(Files::isRegularFile).forEach(candidates::add);
            }
        } else {
            candidates.add(output.source());
        }
        Path dist = dir.resolve("dist");
        for (Path p : candidates) {
            Path abs = p.toAbsolutePath().normalize();
            if (abs.startsWith(dir.toAbsolutePath().normalize()) && !abs.startsWith(dist.toAbsolutePath().normalize())
                    && Files.isRegularFile(abs)) {
                outputs.put(dir.toAbsolutePath().normalize().relativize(abs).toString().replace('\\', '/'), abs);
            }
        }
        StringBuilder sb = new StringBuilder(HEADER).append('\n').append(fingerprint.sha()).append('\n');
        for (var e : outputs.entrySet()) {
            BasicFileAttributes a = Files.readAttributes(e.getValue(), BasicFileAttributes.class);
            sb.append(a.size()).append(' ').append(a.lastModifiedTime().toMillis()).append(' ').append(e.getKey()).append('\n');
        }
        Path record = dir.resolve(RECORD);
        Files.createDirectories(record.getParent());
        Path tmp = record.resolveSibling("inputs.tmp");
        Files.writeString(tmp, sb.toString(), StandardCharsets.UTF_8);
        Files.move(tmp, record, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    }

    /**
     * Forgets the record (the build command is about to run, or ran and failed), so that a
     * failed or interrupted command is never skipped next time.
     *
     * @param config the service configuration
     * @throws IOException when it cannot be removed
     */
    public static void forget(SlipwayConfig config) throws IOException {
        Files.deleteIfExists(config.serviceDir().resolve(RECORD));
    }
}
