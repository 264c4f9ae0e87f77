package dev.slipway.deploy;

import dev.slipway.SlipwayException;
import dev.slipway.remote.Host;
import dev.slipway.remote.Shell;
import java.time.Duration;

/**
 * The release layout every machine target keeps in its directory, and the steps that change its
 * links, over {@link Host} (so the hosts target runs them over SSH and the local target over
 * {@link dev.slipway.remote.LocalHost}):
 * <pre>
 * releases/&lt;version&gt;/    one directory per release
 * current -&gt; releases/&lt;v&gt; the release the service runs (restart strategy) or serves (proxy)
 * slots/&lt;port&gt; -&gt; ../releases/&lt;v&gt;   with a proxy in front: what the instance on that port runs
 * </pre>
 * A link is switched by making a new link beside it, then rename(2) over the old one
 * ({@code mv -T}, GNU coreutils), so it is never missing and never half-written, whatever kill -9
 * comes in between.
 *
 * @param host the machine
 * @param dir  the service's directory on it (absolute)
 */
public record ReleaseLayout(Host host, String dir) {

    /**
     * Points {@code current} at {@code releases/<version>}.
     *
     * @param version the release directory's name
     * @throws SlipwayException (exit 1) naming the host when the link cannot be switched
     */
    public void switchCurrent(String version) {
        link("current", "releases/" + version, "cannot switch current to " + version);
    }

    /**
     * Points {@code slots/<port>} at {@code releases/<version>} (making {@code slots/} when missing).
     *
     * @param port    the instance port
     * @param version the release directory's name
     * @throws SlipwayException (exit 1) naming the host when the link cannot be switched
     */
    public void pointSlot(int port, String version) {
        link("slots/" + port, "../releases/" + version, "cannot point " + dir + "/slots/" + port + " at " + version);
    }

    private void link(String name, String target, String failure) {
        String path = dir + "/" + name;
        String parent = path.substring(0, path.lastIndexOf('/'));
        String tmp = parent + "/." + path.substring(path.lastIndexOf('/') + 1) + ".tmp";
        Host.CommandResult r = host.run("mkdir -p " + Shell.quote(parent) + " && ln -sfn " + Shell.quote(target) + " "
                + Shell.quote(tmp) + " && mv -T " + Shell.quote(tmp) + " " + Shell.quote(path) + " 2>&1", Duration.ofSeconds(30));
        if (!r.ok()) {
            throw SlipwayException.failed(host.name() + ": " + failure + ": " + (r.stdout() + r.stderr()).strip());
        }
    }

    /**
     * Writes a release's environment file (mode 0600: it may hold secrets), atomically.
     *
     * @param version the release directory's name
     * @param name    the file's name in it, e.g. {@code env} or {@code service.env}
     * @param text    {@code KEY=VALUE} lines
     */
    public void writeEnv(String version, String name, String text) {
        host.write(text.getBytes(java.nio.charset.StandardCharsets.UTF_8), dir + "/releases/" + version + "/" + name, 0600);
    }

    /**
     * Writes several environment files of a release as {@link #writeEnv} does, in one round trip
     * where the host allows ({@link Host#writeAll}).
     *
     * @param version the release directory's name (it exists)
     * @param files   {@code KEY=VALUE} lines by file name in it
     */
    public void writeEnvs(String version, java.util.Map<String, String> files) {
        java.util.Map<String, byte[]> bytes = new java.util.LinkedHashMap<>();
        files.forEach((name, text) -> bytes.put(dir + "/releases/" + version + "/" + name,
                text.getBytes(java.nio.charset.StandardCharsets.UTF_8)));
        host.writeAll(bytes, 0600);
    }

    /**
     * Removes releases beyond retention: of {@code releases/}, newest first (by modification time:
     * a deploy touches its release's directory), the first {@code retain} stay, and so does every
     * release named in {@code keep} (the current and the previous one); hidden entries (a
     * temporary install a killed run left) go too. Run under the deploy lock.
     *
     * @param retain how many releases to keep at least
     * @param keep   releases never removed
     * @return the releases removed, newest first
     * @throws SlipwayException (exit 1) naming the host when {@code releases/} cannot be listed or
     *                          a release cannot be removed
     */
    public java.util.List<String> prune(int retain, java.util.Collection<String> keep) {
        StringBuilder kept = new StringBuilder();
        keep.forEach(k -> kept.append(" || [ \"$v\" = ").append(Shell.quote(k)).append(" ]"));
        Host.CommandResult r = host.run("cd " + Shell.quote(dir + "/releases") + " && for t in .[!.]* ..?*; do"
                + " if [ -e \"$t\" ] || [ -L \"$t\" ]; then rm -rf -- \"$t\"; fi; done && ls -1t | tail -n +" + (retain + 1)
                + " | while IFS= read -r v; do [ -z \"$v\" ]" + kept + " || { rm -rf -- \"$v\" && echo \"$v\"; }; done",
                Duration.ofSeconds(60));
        if (!r.ok()) {
            throw SlipwayException.failed(host.name() + ": cannot prune " + dir + "/releases: " + r.stderr().strip());
        }
        return r.stdout().lines().filter(l -> !l.isBlank()).toList();
    }
}
