package dev.slipway.artifact;

import java.util.List;
import java.util.Optional;

/**
 * What the last build (or release) of a service made: its version facts and its artifacts, with the
 * filters later steps and targets use. An immutable value; the one reader and writer of
 * {@code dist/artifacts.json} produces and stores it.
 *
 * @param name      the service name
 * @param version   the release version
 * @param commit    the full commit id, or {@code ""} outside git
 * @param artifacts every artifact, in the order they were made
 */
public record Artifacts(String name, String version, String commit, List<Artifact> artifacts) {

    /** Copies the list, so the value stays immutable. */
    public Artifacts {
        artifacts = List.copyOf(artifacts);
    }

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
        List<Artifact> all = new java.util.ArrayList<>(artifacts);
        all.add(artifact);
        return new Artifacts(name, version, commit, all);
    }
}
