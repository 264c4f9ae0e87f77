package dev.slipway.artifact;

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
 *                 for platform-free artifacts (checksums, SBOM, changelog)
 * @param path     the file, relative to the service directory (as written in {@code artifacts.json})
 * @param sha256   its sha256, 64 lower-case hex digits
 * @param size     its size in bytes
 */
public record Artifact(Kind kind, String platform, Path path, String sha256, long size) {

    /** Kinds of artifact; {@link #key()} is the {@code kind} string in {@code artifacts.json}. */
    public enum Kind {
        /** The single-file executable: POSIX sh stub plus payload (runtime, jars, class-data cache). */
        SINGLE_FILE,
        /** A {@code .tar.gz} archive of a single file with its extra files. */
        ARCHIVE,
        /** An OCI image layout or image archive. */
        IMAGE,
        /** {@code checksums.txt}: sha256 of every release file. */
        CHECKSUMS,
        /** A software bill of materials (CycloneDX JSON). */
        SBOM,
        /** The release's changelog. */
        CHANGELOG,
        /** A detached signature of another artifact. */
        SIGNATURE,
        /** An OS package (.deb, .rpm). */
        PACKAGE;

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
}
