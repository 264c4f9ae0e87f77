package dev.slipway.deploy.hosts;

import dev.slipway.SlipwayException;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Revision;
import dev.slipway.remote.Host;
import dev.slipway.remote.Lock;
import dev.slipway.remote.Shell;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * What a read-only look at a host finds before a plan is made: one SSH command, no change.
 *
 * @param machine       {@code uname -m}, e.g. {@code x86_64}
 * @param platform      the Slipway platform, e.g. {@code linux-amd64}
 * @param current       the release {@code current} points to, or {@code null}
 * @param releases      the complete releases under {@code releases/} (single file and env file there), by
 *                      name; a directory an interrupted upload left is not one
 * @param releaseSha256 sha256 of the single file of the version being deployed on that host, or {@code ""}
 * @param unitSha256    sha256 of the installed unit file, or {@code ""}
 * @param active        {@code systemctl is-active} of the unit ({@code active}, {@code inactive}, ...), {@code ""} when unknown
 * @param history       the last revisions (at most 50), oldest first
 * @param livePort      with {@code rollout.strategy: proxy}: the port the host's nginx upstream file sends
 *                      requests to, or 0 when there is no such file (no instance switched in yet)
 * @param slots         with {@code rollout.strategy: proxy}: the release each instance port's slot link
 *                      ({@code <dir>/slots/<port>}) points to, by port; empty otherwise
 * @param instances     with {@code rollout.strategy: proxy}: {@code systemctl is-active} of each instance
 *                      ({@code <unit>@<port>.service}), by port; empty otherwise
 * @param envPorts      the instance ports each complete release has an env file for ({@code env-<port>},
 *                      written by a deploy of the proxy strategy), by release; a release deployed with
 *                      the restart strategy has none
 * @param prepared      the complete releases whose single file is prepared already for the unit's user (its
 *                      cache tree is complete and its class-data archive made or given up: what
 *                      {@link HostUnit#prepareCommand} checks first, and where it stops), by name
 * @param locked        whether the look took this run's deploy lock on the host in the same round trip
 *                      ({@link #look(Host, String, String, String, String, String, List, boolean, Lock.Holder)})
 * @param envSha256     sha256 (hex) of each env file ({@code env}, {@code env-<port>}) of the version
 *                      being deployed, by file name; empty when that release is not on the host. A deploy
 *                      of a release already there whose env files would be written unchanged skips its
 *                      env step ({@link HostsPlan.HostPlan#envUnchanged()})
 */
public record HostFacts(String machine, String platform, String current, List<String> releases, String releaseSha256,
                        String unitSha256, String active, List<Revision> history, int livePort,
                        java.util.Map<Integer, String> slots, java.util.Map<Integer, String> instances,
                        java.util.Map<String, java.util.Set<Integer>> envPorts, java.util.Set<String> prepared,
                        boolean locked, java.util.Map<String, String> envSha256) {

    /** Copies the collections, so the value stays immutable. */
    public HostFacts {
        envSha256 = java.util.Map.copyOf(envSha256);
        prepared = java.util.Set.copyOf(prepared);
        slots = java.util.Map.copyOf(slots);
        instances = java.util.Map.copyOf(instances);
        java.util.Map<String, java.util.Set<Integer>> copy = new java.util.HashMap<>();
        envPorts.forEach((k, v) -> copy.put(k, java.util.Set.copyOf(v)));
        envPorts = java.util.Map.copyOf(copy);
    }

    /** Facts without the env files' sums ({@link #envSha256()}: every env step runs). */
    public HostFacts(String machine, String platform, String current, List<String> releases, String releaseSha256,
                     String unitSha256, String active, List<Revision> history, int livePort,
                     java.util.Map<Integer, String> slots, java.util.Map<Integer, String> instances,
                     java.util.Map<String, java.util.Set<Integer>> envPorts, java.util.Set<String> prepared,
                     boolean locked) {
        this(machine, platform, current, releases, releaseSha256, unitSha256, active, history, livePort, slots, instances,
                envPorts, prepared, locked, java.util.Map.of());
    }

    /** Facts without prepared releases, looked at without the lock. */
    public HostFacts(String machine, String platform, String current, List<String> releases, String releaseSha256,
                     String unitSha256, String active, List<Revision> history, int livePort,
                     java.util.Map<Integer, String> slots, java.util.Map<Integer, String> instances,
                     java.util.Map<String, java.util.Set<Integer>> envPorts) {
        this(machine, platform, current, releases, releaseSha256, unitSha256, active, history, livePort, slots, instances,
                envPorts, java.util.Set.of(), false);
    }

    /**
     * @param prepared the releases prepared already ({@link #prepared()})
     * @param locked   whether the look took this run's lock ({@link #locked()})
     * @return these facts with those two
     */
    public HostFacts with(java.util.Set<String> prepared, boolean locked) {
        return new HostFacts(machine, platform, current, releases, releaseSha256, unitSha256, active, history, livePort, slots,
                instances, envPorts, prepared, locked, envSha256);
    }

    /** Facts without {@code env-<port>} files in any release. */
    public HostFacts(String machine, String platform, String current, List<String> releases, String releaseSha256,
                     String unitSha256, String active, List<Revision> history, int livePort,
                     java.util.Map<Integer, String> slots, java.util.Map<Integer, String> instances) {
        this(machine, platform, current, releases, releaseSha256, unitSha256, active, history, livePort, slots, instances,
                java.util.Map.of());
    }

    /**
     * @param version a release on the host
     * @param port    an instance port
     * @return whether the release has the env file of an instance on that port ({@code env-<port>})
     */
    public boolean hasEnvFor(String version, int port) {
        return envPorts.getOrDefault(version, java.util.Set.of()).contains(port);
    }

    /** Facts of a host of the {@code restart} strategy (no instance ports). */
    public HostFacts(String machine, String platform, String current, List<String> releases, String releaseSha256,
                     String unitSha256, String active, List<Revision> history) {
        this(machine, platform, current, releases, releaseSha256, unitSha256, active, history, 0, java.util.Map.of(),
                java.util.Map.of());
    }

    /**
     * Looks at a host.
     *
     * @param host    the host
     * @param dir     the service's directory on it
     * @param name    the service name (the single file's name)
     * @param unit    the unit name
     * @param version the version whose single file's sha256 is wanted
     * @return the facts
     * @throws SlipwayException (exit 1) when the host cannot be reached or the look fails
     */
    public static HostFacts look(Host host, String dir, String name, String unit, String version) {
        return look(host, dir, name, unit, version, null, List.of());
    }

    /**
     * Looks at a host, and (with {@code rollout.strategy: proxy}) at its instances and nginx upstream.
     *
     * @param host         the host
     * @param dir          the service's directory on it
     * @param name         the service name (the single file's name)
     * @param unit         the unit name (its template {@code <unit>@.service} with the proxy strategy)
     * @param version      the version whose single file's sha256 is wanted
     * @param upstreamFile the nginx upstream file Slipway writes, or {@code null} (restart strategy)
     * @param ports        the two instance ports (proxy strategy), or empty
     * @return the facts
     * @throws SlipwayException (exit 1) when the host cannot be reached or the look fails
     */
    public static HostFacts look(Host host, String dir, String name, String unit, String version, String upstreamFile,
                                 List<Integer> ports) {
        return look(host, dir, name, unit, version, upstreamFile, ports, upstreamFile != null);
    }

    /**
     * Looks at a host as {@link #look(Host, String, String, String, String, String, List)} does, with the
     * unit file to compare named apart from the instances looked at: the restart strategy looks at the
     * proxy strategy's instances and upstream file too, so that a deploy after a change of strategy
     * stops them.
     *
     * @param template whether the unit to install is the proxy strategy's template {@code <unit>@.service}
     *                 (else {@code <unit>.service}), whose sha256 is read
     */
    public static HostFacts look(Host host, String dir, String name, String unit, String version, String upstreamFile,
                                 List<Integer> ports, boolean template) {
        return look(host, dir, name, unit, version, upstreamFile, ports, template, null);
    }

    /**
     * Looks at a host as {@link #look(Host, String, String, String, String, String, List, boolean)} does and,
     * with {@code lockAs}, first tries to take the deploy lock in the same round trip (never waiting:
     * {@link Lock#tryAcquireLine}), so that a deploy's look and lock cost one round trip per host
     * and the facts are read under the lock. {@link #locked()} tells whether it was taken; a lock
     * held by someone else is left alone (the run then takes it in its lock step, waiting as
     * {@code --lock-wait} says). It also reads which releases are prepared ({@link #prepared()}).
     *
     * @param lockAs this run as a lock holder, or {@code null} to look only (a dry run, status)
     * @throws SlipwayException (exit 1) when the host cannot be reached or the look fails; a lock the
     *                          look took is then released
     */
    public static HostFacts look(Host host, String dir, String name, String unit, String version, String upstreamFile,
                                 List<Integer> ports, boolean template, Lock.Holder lockAs) {
        String script = lookScript(dir, name, unit, version, upstreamFile, ports, template, lockAs);
        Host.CommandResult r;
        try {
            r = host.run(script, Duration.ofSeconds(30));
        } catch (RuntimeException e) {
            if (lockAs != null) {
                releaseQuietly(host, dir, lockAs);
            }
            throw e;
        }
        boolean locked = lockAs != null && r.stdout().lines().anyMatch(l -> l.equals("lock:acquired"));
        if (!r.ok()) {
            if (locked) {
                releaseQuietly(host, dir, lockAs);
            }
            throw SlipwayException.failed(host.name() + ": cannot read the host's state: " + r.stderr().strip());
        }
        HostFacts f = parse(r.stdout());
        return f.with(f.prepared(), locked);
    }

    /**
     * The look's command. It starts few processes on the host whatever the number of releases and
     * instances (under load every process start costs, and a look once started about 20): the lock
     * ({@code mkdir}, {@code mv}), {@code uname}, one {@code find} for the {@code current} and slot
     * links, one {@code head | sed} over the first 4 KiB of every release's single file for the
     * prepared check, {@code stat} (the single file's sha256 cache), one {@code sha256sum} over that release's env files, {@code sha256sum} of the unit
     * file, one {@code systemctl show} for the unit and every instance, one {@code sed} over the
     * nginx upstream file and one {@code tail} of the history; the rest are shell builtins.
     *
     * <p>Output: {@code key=value} lines ({@link #parse}); {@code systemctl show}'s own {@code Id=}
     * and {@code ActiveState=} lines, one block per unit; then a {@code history:} line, after which
     * every line is a line of {@code history.tsv}.
     */
    static String lookScript(String dir, String name, String unit, String version, String upstreamFile,
                             List<Integer> ports, boolean template, Lock.Holder lockAs) {
        StringBuilder units = new StringBuilder(Shell.quote(unit + ".service"));
        for (int port : ports) {
            units.append(' ').append(Shell.quote(unit + "@" + port + ".service"));
        }
        // The unit file whose sha256 is compared: the proxy strategy's template <unit>@.service.
        String unitFile = template ? unit + "@.service" : unit + ".service";
        // The lock goes first, so what follows is read under it.
        String lock = lockAs == null ? "" : Lock.tryAcquireLine(dir, lockAs, "lock:acquired");
        String q = Shell.quote(name);
        return lock + "d=" + Shell.quote(dir) + "; uf=" + Shell.quote(unitFile) + "\n"
                + "echo \"machine=$(uname -m)\"\n"
                // current -> releases/<v> and (proxy strategy) slots/<port> -> releases/<v>: one find.
                + "find \"$d/current\" \"$d/slots\" -maxdepth 1 -type l -printf 'link=%f %l\\n' 2>/dev/null\n"
                + "set --\n"
                + "if [ -d \"$d/releases\" ]; then for r in \"$d\"/releases/*/; do r=${r%/}; { [ -x \"$r/\"" + q
                + " ] && [ -f \"$r/env\" ]; } || continue; echo \"release=${r##*/}\"; for e in \"$r\"/env-*; do"
                + " [ -f \"$e\" ] && echo \"envport=${r##*/} ${e##*/env-}\"; done; set -- \"$@\" \"$r/\"" + q + "; done; fi\n"
                // Prepared already: what the prepare step checks first (then it would do nothing).
                + "if [ $# -gt 0 ]; then rn=; while read -r t v; do case $t in r) rn=$v ;; k) [ -n \"$rn\" ] && pk=$v && "
                + HostUnit.preparedTest(HostUnit.cacheRoot(unit)) + " && echo \"prepared=$rn\"; rn= ;; esac; done <<EOF\n"
                + "$(" + HostUnit.keysOf("\"$@\"") + ")\nEOF\nfi\n"
                + "f=\"$d/releases/\"" + Shell.quote(version) + "/" + q + "\n"
                + shaOf("$f")
                // The env files of that release, if there: a deploy that would write them unchanged skips its env step.
                + "[ -f \"$f\" ] && sha256sum \"${f%/*}\"/env \"${f%/*}\"/env-* 2>/dev/null | while read -r s e; do"
                + " echo \"envsha=${e##*/} $s\"; done\n"
                + "[ -f \"/etc/systemd/system/$uf\" ] && s=$(sha256sum < \"/etc/systemd/system/$uf\") && echo \"unit=${s%% *}\"\n"
                + "systemctl show -p Id,ActiveState " + units + " 2>/dev/null\n"
                // The first server line of the upstream file Slipway wrote names the live port.
                + (upstreamFile == null ? "" : "[ -f " + Shell.quote(upstreamFile) + " ] && sed -n "
                        + "'s/^[[:space:]]*server[[:space:]][^;]*:\\([0-9][0-9]*\\)[[:space:];].*/live=\\1/p' "
                        + Shell.quote(upstreamFile) + "\n")
                + "echo history:\n"
                + "[ -f \"$d/history.tsv\" ] && tail -n 50 \"$d/history.tsv\"\n"
                + "exit 0\n";
    }

    /** Releases a lock the look took, when the look itself failed; a failure here is left to the lock's stale rules. */
    private static void releaseQuietly(Host host, String dir, Lock.Holder me) {
        try {
            Lock.release(host, dir, me.id());
        } catch (RuntimeException ignored) {
            // the host is unreachable: its lock names this run, whose pid is gone after the exit
        }
    }

    /**
     * Parses the output of the look command.
     *
     * @param out {@code key=value} lines
     * @return the facts
     */
    static HostFacts parse(String out) {
        String machine = "";
        String current = null;
        String sha = "";
        String unit = "";
        String active = "";
        List<String> releases = new ArrayList<>();
        List<Revision> history = new ArrayList<>();
        int live = 0;
        java.util.Map<Integer, String> slots = new java.util.TreeMap<>();
        java.util.Map<Integer, String> instances = new java.util.TreeMap<>();
        java.util.Map<String, java.util.Set<Integer>> envPorts = new java.util.TreeMap<>();
        java.util.Set<String> prepared = new java.util.TreeSet<>();
        java.util.Map<String, String> envSha = new java.util.TreeMap<>();
        // systemctl show: an Id= line then an ActiveState= line per unit, in blocks parted by empty lines
        String shown = null;
        boolean inHistory = false;
        for (String line : out.split("\n")) {
            if (inHistory) {
                History.parse(line).ifPresent(history::add);
                continue;
            }
            if (line.equals("history:")) {
                inHistory = true;
                continue;
            }
            if (line.isEmpty()) {
                shown = null;
            }
            int eq = line.indexOf('=');
            if (eq < 0) {
                continue;
            }
            String v = line.substring(eq + 1);
            switch (line.substring(0, eq)) {
                case "Id" -> shown = v.strip();
                case "ActiveState" -> {
                    String state = v.strip();
                    if (shown == null || !shown.endsWith(".service")) {
                        continue;
                    }
                    int at = shown.indexOf('@');
                    String port = at < 0 ? "" : shown.substring(at + 1, shown.length() - ".service".length());
                    if (at < 0) {
                        active = state;
                    } else if (port.matches("\\d{1,5}")) {
                        instances.put(Integer.parseInt(port), state);
                    }
                }
                case "link" -> {
                    // find's '%f %l': the link's name (current, or a slot's port) and its target
                    String[] nt = v.strip().split(" ", 2);
                    String target = nt.length == 2 ? nt[1].replaceAll("/+$", "") : "";
                    String release = target.substring(target.lastIndexOf('/') + 1);
                    if (release.isEmpty()) {
                        continue;
                    }
                    if (nt[0].equals("current")) {
                        current = release;
                    } else if (nt[0].matches("\\d{1,5}")) {
                        slots.put(Integer.parseInt(nt[0]), release);
                    }
                }
                case "machine" -> machine = v.strip();
                case "current" -> current = v.strip().isEmpty() ? null : v.strip();
                case "release" -> releases.add(v);
                case "prepared" -> prepared.add(v.strip());
                case "sha" -> sha = v.strip();
                case "unit" -> unit = v.strip();
                case "active" -> active = v.strip();
                case "history" -> History.parse(v).ifPresent(history::add);
                case "live" -> {
                    // the first server line's port
                    if (live == 0 && v.strip().matches("\\d{1,5}")) {
                        live = Integer.parseInt(v.strip());
                    }
                }
                case "envport" -> {
                    String[] rp = v.strip().split(" ", 2);
                    if (rp.length == 2 && rp[1].matches("\\d{1,5}")) {
                        envPorts.computeIfAbsent(rp[0], k -> new java.util.TreeSet<>()).add(Integer.parseInt(rp[1]));
                    }
                }
                case "envsha" -> {
                    String[] fs = v.strip().split(" ", 2);
                    if (fs.length == 2 && fs[0].matches("env(-\\d{1,5})?") && fs[1].matches("[0-9a-f]{64}")) {
                        envSha.put(fs[0], fs[1]);
                    }
                }
                case "slot", "instance" -> {
                    String[] kv = v.strip().split(" ", 2);
                    if (kv.length == 2 && kv[0].matches("\\d{1,5}")) {
                        (line.startsWith("slot") ? slots : instances).put(Integer.parseInt(kv[0]), kv[1].strip());
                    }
                }
                default -> { }
            }
        }
        prepared.retainAll(releases);
        return new HostFacts(machine, platformOf(machine), current, List.copyOf(releases), sha, unit, active, List.copyOf(history),
                live, slots, instances, envPorts, prepared, false, envSha);
    }

    /**
     * @param machine {@code uname -m}
     * @return the Slipway platform: x86_64 is linux-amd64, aarch64 and arm64 are linux-arm64, else linux-&lt;machine&gt;
     */
    public static String platformOf(String machine) {
        return switch (machine) {
            case "x86_64", "amd64" -> "linux-amd64";
            case "aarch64", "arm64" -> "linux-arm64";
            default -> "linux-" + machine;
        };
    }

    /** @return the release before {@code current} in the history that served, or {@code null} */
    public String previousServing() {
        for (int i = history.size() - 1; i >= 0; i--) {
            Revision e = history.get(i);
            if (e.serving() && !e.version().equals(current)) {
                return e.version();
            }
        }
        return null;
    }

    /**
     * Shell lines that print {@code sha=<sha256>} of the single file {@code file} (a shell word, e.g.
     * {@code "$f"}) when it exists. Hashing a 30-100 MB file on every look costs each host a CPU
     * second or more on a busy machine, so the sum is kept beside the file in {@code <file>.sha256}
     * with the file's size, modification time and inode ({@code stat -c '%s %Y %i'}): it is used
     * only while all three still match (an upload renames a new file over it: a new inode), else
     * the file is hashed again and the cache rewritten. A cache that cannot be written is skipped.
     *
     * @param file the file, as a shell word
     * @return shell lines, each ending with a newline
     */
    static String shaOf(String file) {
        return "if [ -f " + file + " ]; then k=$(stat -c '%s %Y %i' " + file + " 2>/dev/null); c=\n"
                + "  [ -f " + file + ".sha256 ] && { read -r c < " + file + ".sha256; } 2>/dev/null\n"
                + "  if [ -n \"$k\" ] && [ \"${c#* }\" = \"$k\" ]; then s=${c%% *}; else s=$(sha256sum < " + file + "); s=${s%% *}\n"
                + "    [ -n \"$k\" ] && [ -n \"$s\" ] && { printf '%s %s\\n' \"$s\" \"$k\" > " + file + ".sha256.tmp"
                + " && mv -f " + file + ".sha256.tmp " + file + ".sha256; } 2>/dev/null; fi\n"
                + "  echo \"sha=$s\"\nfi\n";
    }

    /**
     * A command that records {@code sha256} as the sum of the single file {@code path} that was
     * just uploaded and verified, in the cache {@link #shaOf} reads (so the next look does not hash it).
     *
     * @param path   the file on the host
     * @param sha256 its verified sha256
     * @return the command (it never fails: a cache that cannot be written is skipped)
     */
    static String rememberSha(String path, String sha256) {
        String f = Shell.quote(path);
        return "k=$(stat -c '%s %Y %i' " + f + " 2>/dev/null) && printf '%s %s\\n' " + Shell.quote(sha256) + " \"$k\" > "
                + f + ".sha256.tmp 2>/dev/null && mv -f " + f + ".sha256.tmp " + f + ".sha256 2>/dev/null; true";
    }
}
