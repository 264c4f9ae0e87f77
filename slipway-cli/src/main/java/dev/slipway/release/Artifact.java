package dev.slipway.release;

import com.fasterxml.jackson.annotation.JsonInclude;

/**
 * One file a release made, as listed in {@code dist/artifacts.json}. Later steps (checksums,
 * publishers, images, deploys) pick artifacts by kind and platform instead of guessing names.
 *
 * @param path     the file, relative to the service directory, with {@code /} separators
 *                 (e.g. {@code dist/myapp_1.2.3_linux_amd64.tar.gz})
 * @param kind     one of {@link #SINGLE_FILE}, {@link #ARCHIVE}, {@link #SBOM}, {@link #CHECKSUMS},
 *                 {@link #CHANGELOG}
 * @param platform {@code os-arch} for per-platform artifacts, {@code null} for the others
 * @param size     the size in bytes
 * @param sha256   the sha256 of the file, lower-case hex (always sha256, whatever
 *                 {@code release.checksum.algorithm} says)
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public record Artifact(String path, String kind, String platform, long size, String sha256) {
    /** The single-file executable of one platform. */
    public static final String SINGLE_FILE = "single-file";
    /** A release archive ({@code .tar.gz} or {@code .zip}) of one platform. */
    public static final String ARCHIVE = "archive";
    /** A CycloneDX SBOM of one platform. */
    public static final String SBOM = "sbom";
    /** The checksum file. */
    public static final String CHECKSUMS = "checksums";
    /** The changelog. */
    public static final String CHANGELOG = "changelog";

    /** @return the path relative to {@code dist/} (what {@code checksums.txt} lists) */
    public String distPath() {
        return path.startsWith("dist/") ? path.substring("dist/".length()) : path;
    }
}
