package dev.slipway.deploy;

import dev.slipway.SlipwayException;
import dev.slipway.remote.Host;
import dev.slipway.remote.Shell;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;

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
        link("current", "releases/" + version, switchCurrentFailure(version));
    }

    /**
     * The command {@link #switchCurrent} runs, for a caller that sends it in one round trip with
     * what follows it (the hosts target's restart of the unit).
     *
     * @param version the release directory's name
     * @return a POSIX sh command: exit status 0 when {@code current} points at the release, else
     *         non-zero with the reason on its output
     */
    public String switchCurrentCommand(String version) {
        return linkCommand("current", "releases/" + version);
    }

    /** @return the failure {@link #switchCurrent} names, without the host */
    public String switchCurrentFailure(String version) {
        return "cannot switch current to " + version;
    }

    /**
     * Points {@code slots/<port>} at {@code releases/<version>} (making {@code slots/} when missing).
     *
     * @param port    the instance port
     * @param version the release directory's name
     * @throws SlipwayException (exit 1) naming the host when the link cannot be switched
     */
    public void pointSlot(int port, String version) {
        link("slots/" + port, "../releases/" + version, pointSlotFailure(port, version));
    }

    /**
     * The command {@link #pointSlot} runs, for a caller that sends it in one round trip with what
     * follows it (the hosts target's start of the instance on that port).
     *
     * @param port    the instance port
     * @param version the release directory's name
     * @return a POSIX sh command: exit status 0 when {@code slots/<port>} points at the release, else
     *         non-zero with the reason on its output
     */
    public String pointSlotCommand(int port, String version) {
        return linkCommand("slots/" + port, "../releases/" + version);
    }

    /** @return the failure {@link #pointSlot} names, without the host: what could not be pointed where */
    public String pointSlotFailure(int port, String version) {
        return "cannot point " + dir + "/slots/" + port + " at " + version;
    }

    private String linkCommand(String name, String target) {
        String path = dir + "/" + name;
        String parent = path.substring(0, path.lastIndexOf('/'));
        String tmp = parent + "/." + path.substring(path.lastIndexOf('/') + 1) + ".tmp";
        return "mkdir -p " + Shell.quote(parent) + " && ln -sfn " + Shell.quote(target) + " "
                + Shell.quote(tmp) + " && mv -T " + Shell.quote(tmp) + " " + Shell.quote(path) + " 2>&1";
    }

    private void link(String name, String target, String failure) {
        Host.CommandResult r = host.run(linkCommand(name, target), Duration.ofSeconds(30));
        if (!r.ok()) {
            throw SlipwayException.failed(host.name() + ": " + failure + ": " + (r.stdout() + r.stderr()).strip());
        }
    }

    /**
     * One file of a release directory that {@link #install} makes: sent from a local file
     * ({@link Host#upload}) or written from bytes ({@link Host#write}), each atomically.
     *
     * @param name    the file's name in the release directory
     * @param mode    its POSIX permission bits, e.g. {@code 0755}, {@code 0600} for an env file
     * @param source  the local file sent, or {@code null} when {@code content} is written
     * @param content the bytes written, or {@code null} when {@code source} is sent
     * @param sha256  the sha256 (hex) the file must have on the machine before the directory is
     *                renamed into place, or {@code null} for no check
     */
    public record File(String name, int mode, Path source, byte[] content, String sha256) {
        /**
         * @param name   the file's name
         * @param mode   its permission bits
         * @param source the local file to send
         * @param sha256 its sha256, checked on the machine
         * @return a file sent from {@code source}
         */
        public static File sent(String name, int mode, Path source, String sha256) {
            return new File(name, mode, source, null, sha256);
        }

        /**
         * @param name the file's name
         * @param mode its permission bits
         * @param text its text (UTF-8)
         * @return a file written from {@code text}
         */
        public static File text(String name, int mode, String text) {
            return new File(name, mode, null, text.getBytes(StandardCharsets.UTF_8), null);
        }
    }

    /**
     * Installs a release directory so that {@code releases/<dirName>} is complete or absent, never
     * half-written, whatever kill -9 or full disk comes in between: the files go into a hidden
     * directory beside the releases ({@code releases/.<dirName>.tmp-<pid>}, which {@link #prune}
     * removes if a killed run left it), each written atomically, the sha256 of those that name one
     * is checked there, and the directory is then renamed into place ({@code mv -T}, rename(2)).
     * A {@code releases/<dirName>} already there is taken to be incomplete (a caller installs only a
     * release it does not hold complete) and removed first. Run under the deploy lock.
     *
     * @param dirName the release directory's name
     * @param files   its files
     * @return whether an incomplete {@code releases/<dirName>} was removed
     * @throws SlipwayException (exit 1) naming the machine when a file cannot be written, a sum
     *                          differs, or the directory cannot be renamed; the hidden directory is
     *                          removed and {@code releases/<dirName>} is absent
     */
    public boolean install(String dirName, List<File> files) {
        return install(dirName, files, Host.Progress.NONE);
    }

    /**
     * {@link #install(String, List)}, telling {@code progress} of the bytes of each file sent from a local file.
     *
     * @param dirName  the release directory's name
     * @param files    its files
     * @param progress told of bytes sent so far, per sent file
     * @return whether an incomplete {@code releases/<dirName>} was removed
     */
    public boolean install(String dirName, List<File> files, Host.Progress progress) {
        String releases = dir + "/releases";
        String target = releases + "/" + dirName;
        String tmp = releases + "/." + dirName + ".tmp-" + ProcessHandle.current().pid();
        Host.CommandResult mk = host.run("mkdir -p " + Shell.quote(releases) + " && rm -rf -- " + Shell.quote(tmp)
                + " && mkdir " + Shell.quote(tmp) + " && if [ -e " + Shell.quote(target) + " ] || [ -L " + Shell.quote(target)
                + " ]; then rm -rf -- " + Shell.quote(target) + " && echo removed; fi", Duration.ofSeconds(60));
        if (!mk.ok()) {
            throw SlipwayException.failed(host.name() + ": cannot make " + tmp + ": " + (mk.stdout() + mk.stderr()).strip());
        }
        try {
            for (File f : files) {
                String path = tmp + "/" + f.name();
                if (f.source() != null) {
                    host.upload(f.source(), path, f.mode(), progress);
                } else {
                    host.write(f.content(), path, f.mode());
                }
                if (f.sha256() != null) {
                    Host.CommandResult sum = host.run("sha256sum -- " + Shell.quote(path), Duration.ofMinutes(2));
                    String got = sum.stdout().strip().split("\\s+")[0];
                    if (!sum.ok() || !got.equals(f.sha256())) {
                        throw SlipwayException.failed("the copy of " + (f.source() != null ? f.source() : f.name()) + " has sha256 "
                                + (sum.ok() ? got : "unknown (" + sum.stderr().strip() + ")") + ", not " + f.sha256());
                    }
                }
            }
            Host.CommandResult mv = host.run("mv -T -- " + Shell.quote(tmp) + " " + Shell.quote(target), Duration.ofSeconds(30));
            if (!mv.ok()) {
                throw SlipwayException.failed(host.name() + ": cannot rename " + tmp + " to " + target + ": "
                        + (mv.stdout() + mv.stderr()).strip());
            }
        } catch (RuntimeException e) {
            host.run("rm -rf -- " + Shell.quote(tmp), Duration.ofSeconds(60)); // the next install or prune removes it otherwise
            throw e instanceof SlipwayException se ? se : SlipwayException.failed(e.getMessage(), e);
        }
        return mk.stdout().contains("removed");
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
        Host.CommandResult r = host.run(pruneCommand(retain, keep), Duration.ofSeconds(60));
        if (!r.ok()) {
            throw SlipwayException.failed(pruneFailure(r.stderr()));
        }
        return r.stdout().lines().filter(l -> !l.isBlank()).toList();
    }

    /**
     * @param cause what the prune command printed on its error output
     * @return the failure {@link #prune} reports: the host, the directory and the cause
     */
    public String pruneFailure(String cause) {
        return host.name() + ": cannot prune " + dir + "/releases: " + cause.strip();
    }

    /**
     * The command of {@link #prune}, for a caller that runs it beside other work in one round trip.
     *
     * @param retain how many releases to keep at least
     * @param keep   releases never removed
     * @return a shell command that prints each release it removes on its own line, and exits non-zero
     *         when {@code releases/} cannot be listed
     */
    public String pruneCommand(int retain, java.util.Collection<String> keep) {
        StringBuilder kept = new StringBuilder();
        keep.forEach(k -> kept.append(" || [ \"$v\" = ").append(Shell.quote(k)).append(" ]"));
        return "cd " + Shell.quote(dir + "/releases") + " && for t in .[!.]* ..?*; do"
                + " if [ -e \"$t\" ] || [ -L \"$t\" ]; then rm -rf -- \"$t\"; fi; done && ls -1t | tail -n +" + (retain + 1)
                + " | while IFS= read -r v; do [ -z \"$v\" ]" + kept + " || { rm -rf -- \"$v\" && echo \"$v\"; }; done";
    }
}
