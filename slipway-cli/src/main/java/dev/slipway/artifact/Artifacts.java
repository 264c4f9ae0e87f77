package dev.slipway.artifact;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What the last build (or release) of a service made: its version facts, its artifacts, what each
 * platform's launcher starts, and the image, with the filters later steps and targets use. An
 * immutable value; {@link ArtifactsFile} alone reads and writes it as {@code dist/artifacts.json}.
 *
 * @param name      the service name
 * @param version   the release version
 * @param commit    the full commit id, or {@code ""} outside git
 * @param date      the build time, ISO-8601 ({@code 2026-12-05T14:00:00Z}), or {@code null}
 * @param release   the release facts, for a {@code slipway release}; {@code null} for a build
 * @param artifacts every artifact, in the order they were made
 * @param launch    per platform ({@code linux-amd64}), what its launcher starts; empty after a release
 * @param image     the OCI image {@code slipway image} or the release made, or {@code null}
 */
public record Artifacts(String name, String version, String commit, String date, ReleaseFacts release,
                        List<Artifact> artifacts, Map<String, Launch> launch, Image image) {

    /** Copies the collections, so the value stays immutable. */
    public Artifacts {
        artifacts = List.copyOf(artifacts);
        launch = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(launch));
    }

    /** A registry with version facts and artifacts only. */
    public Artifacts(String name, String version, String commit, List<Artifact> artifacts) {
        this(name, version, commit, null, null, artifacts, Map.of(), null);
    }

    /**
     * The facts of a release.
     *
     * @param tag         the tag released, or {@code null} for a snapshot
     * @param previousTag the tag before it, or {@code null} for the first release
     * @param snapshot    whether it is a snapshot (never published)
     */
    public record ReleaseFacts(String tag, String previousTag, boolean snapshot) {}

    /**
     * What the launcher of one platform starts ({@code launch} in {@code artifacts.json});
     * {@code slipway image} builds its entrypoint from it.
     *
     * @param mainClass  the main class
     * @param classpath  class path entries relative to the layout root
     * @param jvmOptions JVM options; the launcher's {@code $APP_HOME} stands for the layout root; they
     *                   keep their {@code ${PORT}}, {@code ${ADDR}} and {@code ${APP_HOME}} references
     * @param args       program arguments after the main class ({@code service.args}), references kept
     */
    public record Launch(String mainClass, List<String> classpath, List<String> jvmOptions, List<String> args) {
        /** Copies the lists. */
        public Launch {
            classpath = List.copyOf(classpath);
            jvmOptions = List.copyOf(jvmOptions);
            args = List.copyOf(args);
        }
    }

    /**
     * The OCI image ({@code image} in {@code artifacts.json}).
     *
     * @param path      the layout directory or archive, relative to the service directory when inside it
     * @param format    {@code oci} or {@code oci-archive}
     * @param index     the image index digest, {@code sha256:<hex>}
     * @param manifests per platform, its manifest
     * @param tags      the tags in the layout
     * @param pushed    every reference pushed, {@code registry/repo:tag@sha256:<hex>}
     */
    public record Image(String path, String format, String index, Map<String, Manifest> manifests, List<String> tags,
                        List<String> pushed) {
        /** Copies the collections. */
        public Image {
            manifests = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(manifests));
            tags = List.copyOf(tags);
            pushed = List.copyOf(pushed);
        }
    }

    /**
     * One platform's image manifest.
     *
     * @param digest           {@code sha256:<hex>}
     * @param compressedSize   bytes of all layers as stored
     * @param uncompressedSize bytes of all layers unpacked
     */
    public record Manifest(String digest, long compressedSize, long uncompressedSize) {}

    /**
     * @param kind the kind wanted
     * @return the artifacts of that kind, in order
     */
    public List<Artifact> ofKind(Artifact.Kind kind) {
        return artifacts.stream().filter(a -> a.kind() == kind).toList();
    }

    /**
     * @param kind     the kind wanted
     * @param platform the platform, e.g. {@code linux-arm64}
     * @return the first artifact of that kind for that platform
     */
    public Optional<Artifact> find(Artifact.Kind kind, String platform) {
        return artifacts.stream().filter(a -> a.kind() == kind && platform.equals(a.platform())).findFirst();
    }

    /**
     * @param platform the platform, e.g. {@code linux-amd64}
     * @return the single file for that platform
     */
    public Optional<Artifact> singleFile(String platform) {
        return find(Artifact.Kind.SINGLE_FILE, platform);
    }

    /** @return a copy with {@code artifact} added at the end */
    public Artifacts with(Artifact artifact) {
        List<Artifact> all = new ArrayList<>(artifacts);
        all.add(artifact);
        return new Artifacts(name, version, commit, date, release, all, launch, image);
    }

    /** @return a copy with {@code image} as its image */
    public Artifacts withImage(Image image) {
        return new Artifacts(name, version, commit, date, release, artifacts, launch, image);
    }
}
