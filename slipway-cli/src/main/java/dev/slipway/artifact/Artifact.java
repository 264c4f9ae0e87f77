package dev.slipway.artifact;

import dev.slipway.util.Hashing;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Locale;
import java.util.Optional;

/**
 * One file a build, image or release step made, as recorded in {@code dist/artifacts.json}.
 * Later steps ask {@link Artifacts} for "the single file of linux-arm64" instead of guessing a
 * name or parsing the file themselves (GoReleaser's {@code internal/artifact} registry is the model).
 *
 * @param kind     what it is
 * @param platform the platform it runs on, {@code os-arch} such as {@code linux-amd64}, or {@code null}
 *                 for platform-free artifacts (checksums, changelog)
 * @param path     the file, relative to the service directory (as written in {@code artifacts.json})
 * @param sha256   its sha256, 64 lower-case hex digits (always sha256, whatever
 *                 {@code release.checksum.algorithm} says); {@code ""} when a hand-written file lacks it
 * @param size     its size in bytes
 */
public record Artifact(Kind kind, String platform, Path path, String sha256, long size) {

    /**
     * Kinds of artifact, those Slipway writes; {@link #key()} is the {@code kind} string in
     * {@code artifacts.json}. (The image is not an artifact of the list but the file's {@code image}
     * section, see {@link Artifacts.Image}.)
     */
    public enum Kind {
        /** The single-file executable of one platform: POSIX sh stub plus payload (runtime, jars, class-data cache). */
        SINGLE_FILE,
        /** A {@code .tar.gz} (or, in a release, {@code .zip}) of one platform's layout with its extra files. */
        ARCHIVE,
        /** A software bill of materials of one platform (CycloneDX JSON). */
        SBOM,
        /** {@code checksums.txt}: a digest of every release file. */
        CHECKSUMS,
        /** The release's changelog ({@code CHANGELOG.md}). */
        CHANGELOG,
        /** {@code artifacts.json} itself, as handed to publishers; the file never lists itself. */
        MANIFEST;

        /** @return the string written to {@code artifacts.json}, e.g. {@code single-file} */
        public String key() {
            return name().toLowerCase(Locale.ROOT).replace('_', '-');
        }

        /**
         * @param key a {@code kind} string from {@code artifacts.json}
         * @return the kind, or empty for a kind this Slipway does not know
         */
        public static Optional<Kind> of(String key) {
            return Arrays.stream(values()).filter(k -> k.key().equals(key)).findFirst();
        }
    }

    /**
     * Records a file a step made: its size and sha256 are read now.
     *
     * @param serviceDir the service directory
     * @param file       the file, inside it
     * @param kind       its kind
     * @param platform   {@code os-arch}, or {@code null}
     * @return the artifact, its path relative to the service directory
     * @throws IOException when the file cannot be read
     */
    public static Artifact of(Path serviceDir, Path file, Kind kind, String platform) throws IOException {
        return new Artifact(kind, platform, serviceDir.relativize(file), Hashing.sha256(file), Files.size(file));
    }

    /** @return the path as written in {@code artifacts.json}: relative, with {@code /} separators */
    public String pathText() {
        return path.toString().replace('\\', '/');
    }

    /** @return the path relative to the default output directory {@code dist/} ({@link #distPath(Path)}) */
    public String distPath() {
        return distPath(Path.of("dist"));
    }

    /**
     * @param dist the output directory, relative to the service directory (e.g. {@code dist} or
     *             {@code target/slipway/dist})
     * @return the path relative to it (what {@code checksums.txt} lists and publishers upload), or
     *         the path as written when the file is not in it
     */
    public String distPath(Path dist) {
        return path.startsWith(dist) ? dist.relativize(path).toString().replace('\\', '/') : pathText();
    }
}
