package dev.slipway.release;

import dev.slipway.Console;
import dev.slipway.artifact.Artifact;
import java.nio.file.Path;
import java.util.List;

/**
 * Where a finished release goes. Implementations: {@link DirectoryPublisher}, {@link GitHubPublisher}.
 * A snapshot release is never published.
 */
public interface Publisher {

    /**
     * What is published.
     *
     * @param serviceDir the service directory ({@link Artifact#path()} is relative to it)
     * @param dist       the output directory, absolute ({@code dist/} unless configured): file names are relative to it
     * @param name       the service name
     * @param version    the release version
     * @param tag        the git tag of the release
     * @param commit     the full commit id
     * @param changelog  the changelog as Markdown (the release notes)
     * @param artifacts  every artifact, the output directory's {@code artifacts.json} included
     */
    record Request(Path serviceDir, Path dist, String name, String version, String tag, String commit, String changelog,
                   List<Artifact> artifacts) {}

    /** @return a short description for progress, e.g. {@code directory /srv/releases} */
    String describe();

    /**
     * Checks what can be checked before anything is built (credentials, settings).
     *
     * @throws dev.slipway.SlipwayException (exit 2) when publishing cannot work
     */
    default void preflight() {}

    /**
     * Publishes, or with {@code dryRun} prints what it would do and changes nothing outside
     * {@code dist/}.
     *
     * @param request what to publish
     * @param dryRun  whether to only print the steps
     * @param console progress
     * @throws dev.slipway.SlipwayException (exit 1) when publishing fails
     */
    void publish(Request request, boolean dryRun, Console console);
}
