package dev.slipway.deploy.local;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.Revision;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;

/**
 * What a look at this machine's state directory ({@code <service>/.slipway/local}) finds before a
 * local plan is made, as a value: the local target's counterpart of a host's
 * {@code deploy/hosts/HostFacts}. {@link LocalPlanner} makes every local plan from these facts and
 * the configuration alone, so plans are tested without processes, ports or files.
 *
 * @param current   the release directory {@code current} points at, if any
 * @param instances the instances of this service that run, by instance port, in the order the
 *                  target lists its ports ({@code service.port}, the proxy's two, then any other a
 *                  pid file names); without a proxy every port maps to the service's one instance
 * @param live      with a proxy: the instance port nginx's upstream file sends requests to, or
 *                  {@code -1} when the file is missing or Slipway did not render it; {@code -1} without
 * @param releases  every directory under {@code releases/}, by name, with what its
 *                  {@code release.json} and {@code service.env} record
 * @param history   the revisions, oldest first
 * @param ports     whether a port is free on {@code deploy.local.address}: asked only for the ports a
 *                  plan would start an instance on
 */
public record LocalFacts(Optional<String> current, Map<Integer, Instance> instances, int live,
                         Map<String, Held> releases, List<Revision> history, Ports ports) {

    /** Copies the collections, keeping their order. */
    public LocalFacts {
        instances = java.util.Collections.unmodifiableMap(new LinkedHashMap<>(instances));
        releases = Map.copyOf(releases);
        history = List.copyOf(history);
    }

    /**
     * An instance that runs.
     *
     * @param pid     its process id
     * @param release the release its pid file records, if it records one
     */
    public record Instance(long pid, Optional<String> release) {}

    /**
     * A directory under {@code releases/}.
     *
     * @param complete    whether it is a complete release ({@link LocalReleases#complete}): only those
     *                    are rolled back or started to
     * @param info        whether it has a readable {@code release.json}
     * @param commit      the commit it records, or {@code null}
     * @param sha256      its single file's sha256 as recorded, or {@code ""}
     * @param fingerprint what made the directory (binary, environment, probe), or {@code ""}
     * @param probe       the readiness probe it was deployed with, or {@code null} when it records none
     * @param port        the {@code PORT} of its {@code service.env}, or {@code null}
     */
    public record Held(boolean complete, boolean info, String commit, String sha256, String fingerprint,
                       SlipwayConfig.Probe probe, Integer port) {}

    /**
     * The answer to "may an instance listen on this port?" for one port.
     *
     * @param free   whether the port could be bound on {@code deploy.local.address}
     * @param holder when it is in use: the process that holds it, if known
     * @param error  when the bind failed for another reason: why; else {@code null}
     */
    public record PortCheck(boolean free, Optional<String> holder, String error) {
        /** A free port. */
        public static final PortCheck FREE = new PortCheck(true, Optional.empty(), null);
    }

    /** Looks at ports; the target's binds a socket ({@link LocalTarget}), a test answers from a table. */
    @FunctionalInterface
    public interface Ports {
        /**
         * @param port a port
         * @return whether an instance may listen on it, and if not why
         */
        PortCheck check(int port);
    }

    /**
     * @param port an instance port
     * @return the instance running on it, if one does
     */
    public Optional<Instance> on(int port) {
        return Optional.ofNullable(instances.get(port));
    }

    /**
     * @param dirName a release directory
     * @return what it holds, if it is there
     */
    public Optional<Held> held(String dirName) {
        return dirName == null ? Optional.empty() : Optional.ofNullable(releases.get(dirName));
    }

    /**
     * @param dirName a release directory
     * @return whether it is a complete release
     */
    public boolean complete(String dirName) {
        return held(dirName).map(Held::complete).orElse(false);
    }

    /** @return the complete releases, sorted by name */
    public List<String> completeReleases() {
        return releases.entrySet().stream().filter(e -> e.getValue().complete()).map(Map.Entry::getKey).sorted().toList();
    }

    /** @return every directory under {@code releases/}, sorted and comma-separated, or {@code none} */
    public String retained() {
        return releases.isEmpty() ? "none" : String.join(", ", releases.keySet().stream().sorted().toList());
    }

    /**
     * @param dirName a release directory
     * @return whether it ever served here: a revision of it passed its gate, or the history does not
     *         name it (state from before the history)
     */
    public boolean hasServed(String dirName) {
        List<Revision> of = history.stream().filter(e -> e.version().equals(dirName)).toList();
        return of.isEmpty() || of.stream().anyMatch(Revision::serving);
    }

    /**
     * @param version a release directory
     * @return the release served before it: the newest earlier serving revision of another version
     *         whose directory is still there
     */
    public Optional<String> previousVersion(String version) {
        for (int i = history.size() - 1; i >= 0; i--) {
            Revision e = history.get(i);
            if (e.serving() && !e.version().equals(version) && releases.containsKey(e.version())) {
                return Optional.of(e.version());
            }
        }
        return Optional.empty();
    }

    /** @return the last revision, if any */
    public Optional<Revision> last() {
        return history.isEmpty() ? Optional.empty() : Optional.of(history.get(history.size() - 1));
    }
}
