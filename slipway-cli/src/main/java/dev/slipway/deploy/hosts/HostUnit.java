package dev.slipway.deploy.hosts;

import dev.slipway.config.HostsConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.render.SystemdUnit;
import dev.slipway.remote.Shell;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The systemd service unit of the hosts target: the one unit of {@link SystemdUnit} with what the
 * hosts target adds. It does not name a version: it runs {@code <dir>/current/<name>} with
 * {@code <dir>/current/env}, so a switch of the {@code current} link plus a restart changes the
 * release and its environment together, and the unit file (and so {@code systemctl daemon-reload})
 * changes only when the configuration does. {@code systemctl reload} sends SIGHUP, the unpack
 * cache is {@code /var/cache/<unit>}, and the limits come from {@code deploy.hosts.service}. It
 * also makes the command of a release's prepare, which runs as the unit would.
 */
public final class HostUnit {
    /** Seconds added to the drain timeout for {@code TimeoutStopSec}: {@link SystemdUnit#STOP_MARGIN_SECONDS}. */
    public static final int STOP_MARGIN_SECONDS = SystemdUnit.STOP_MARGIN_SECONDS;

    private HostUnit() {}

    /** What a host prints when a release's single file predates the prepare mode (so it is not run). */
    public static final String NOT_PREPARABLE = dev.slipway.deploy.Prepare.NOT_PREPARABLE;

    /** The exit status systemd gives a unit whose control group it could not set up (EXIT_CGROUP, systemd.exec(5)). */
    static final int EXIT_CGROUP = 219;

    /**
     * What a host prints when the release is prepared already: its unpacked tree under
     * {@code /var/cache/<unit>/run/<key>} has its {@code .slipway-complete} marker and, when the
     * tree asks for a class-data archive ({@code app/app.jsa.args}), the archive or the reason it
     * failed ({@code app/app.jsa.failed}), as unpack.c leaves them.
     */
    public static final String PREPARED_ALREADY = "slipway: prepared already (unpacked, class-data archive done)";

    /**
     * The shell command that prepares a release on a host before the switch: it runs the single
     * file in its prepare mode ({@link dev.slipway.build.Launcher#PREPARE}) with
     * systemd-run(1) as a transient service with what the unit's first run would have: its user
     * ({@code DynamicUser=yes} under the unit's name, which systemd maps to the same user, or
     * {@code User=}), its {@code StateDirectory}/{@code CacheDirectory}, working directory,
     * {@code SLIPWAY_CACHE_DIR} and the release's env file, so the unpack cache it fills is the
     * one the unit uses; and the unit's resource limits and main sandbox settings, so a dump never
     * takes more than the service may while the old release still serves. It waits for the end
     * ({@code --wait --pipe}; the exit code is the file's), and systemd stops it after
     * {@code runtimeMax}. A file without the prepare mode (built by an older Slipway) would start
     * the app, so it is not run; the command prints {@link #NOT_PREPARABLE} and exits 0. A release
     * prepared already is not run either: the command prints {@link #PREPARED_ALREADY} and exits 0.
     *
     * @param h          the {@code deploy.hosts} section
     * @param service    the service name (the single file's name)
     * @param version    the release, under {@code <dir>/releases/}
     * @param runtimeMax how long systemd lets it run ({@code RuntimeMaxSec=})
     * @return the command, for {@code sh -c} as root
     */
    public static String prepareCommand(HostsConfig h, String service, String version, java.time.Duration runtimeMax) {
        HostsConfig.HostService s = h.service();
        String release = h.dir() + "/releases/" + version;
        String file = release + "/" + service;
        String prepareUnit = s.unit() + "-prepare";
        List<String> p = new ArrayList<>();
        p.addAll(SystemdUnit.identity(s.user(), s.unit()));
        if (s.user() == null) {
            // The unit's dynamic user is named after the unit: the same user owns the same cache.
            p.add(1, "User=" + s.unit());
        }
        p.add("EnvironmentFile=" + release + "/env");
        p.add("Environment=SLIPWAY_CACHE_DIR=/var/cache/" + s.unit());
        p.add("Environment=" + dev.slipway.build.Launcher.PREPARE + "=1");
        p.add("RuntimeMaxSec=" + Math.max(1, runtimeMax.toSeconds()));
        p.addAll(limits(s).directives());
        p.addAll(SystemdUnit.sandbox(s.readWritePaths()));
        StringBuilder cmd = new StringBuilder();
        cmd.append("f=").append(Shell.quote(file)).append("; u=").append(Shell.quote(prepareUnit + ".service")).append('\n');
        // Only a stub that reads the variable may be run with it: an older one would start the app.
        cmd.append(dev.slipway.deploy.Prepare.unlessPreparable());
        // Prepared already (a redeploy of a release this host ran, or a rollback): its tree is
        // complete and its class-data archive made or given up, so the unpacker would only check it.
        // No systemd-run then (one round trip instead of five systemctl calls and a run of the file);
        // a tree damaged since is found and unpacked again by the stub's own check at the start.
        cmd.append(preparedAlready(cacheRoot(s.unit())));
        // A prepare left by a deploy that was killed holds the name: it is stopped first (the
        // deploy lock is ours, so nobody else's prepare runs).
        cmd.append("systemctl stop \"$u\" 2>/dev/null; systemctl reset-failed \"$u\" 2>/dev/null\n");
        // A stopped transient unit is unloaded (--collect) by systemd shortly after, not at once: a
        // new systemd-run under the same name meanwhile fails ("already loaded"). Wait for it (at
        // most 10 s), then take a name of this run's own.
        cmd.append("i=0; while [ \"$(systemctl show -p LoadState --value \"$u\" 2>/dev/null)\" = loaded ] && [ $i -lt 100 ];"
                + " do sleep 0.1; i=$((i+1)); done\n");
        cmd.append("[ \"$(systemctl show -p LoadState --value \"$u\" 2>/dev/null)\" = loaded ] && u=${u%.service}-$$.service\n");
        cmd.append("prepare() { systemd-run --quiet --wait --pipe --collect --service-type=exec --unit=\"$1\"");
        for (String prop : p) {
            cmd.append(" -p ").append(Shell.quote(prop));
        }
        cmd.append(" \"$f\" 2>&1; }\n");
        // Exit status 219 (EXIT_CGROUP, systemd.exec(5)): systemd could not set up the transient
        // unit's control group, so the file never ran; as for a restart (Systemd), one more try
        // after a second, under a name of its own (the failed unit may still be loaded).
        cmd.append("prepare \"$u\"; s=$?\n");
        cmd.append("if [ $s -eq " + EXIT_CGROUP + " ]; then sleep 1; prepare \"${u%.service}-again-$$.service\"; s=$?; fi\n");
        cmd.append("[ $s -ne " + EXIT_CGROUP + " ] || echo 'slipway: systemd could not start the prepare unit twice (exit status "
                + EXIT_CGROUP + ", EXIT_CGROUP: no control group for it); the single file never ran'\n");
        cmd.append("exit $s\n");
        return cmd.toString();
    }

    /**
     * The part of {@link #prepareCommand} that ends it (exit 0, printing {@link #PREPARED_ALREADY})
     * when the single file {@code $f} is prepared already under {@code cacheRoot}: the key of its
     * stub's {@code slipway_key='...'} line names the tree {@code <cacheRoot>/run/<key>}.
     *
     * @param cacheRoot the unit's {@code SLIPWAY_CACHE_DIR}
     * @return shell lines, each ending with a newline
     */
    static String preparedAlready(String cacheRoot) {
        return preparedIf(cacheRoot, "\"$f\"", "echo " + Shell.quote(PREPARED_ALREADY) + "; exit 0");
    }

    /**
     * Shell lines that run {@code then} when the single file {@code file} is prepared already under
     * {@code cacheRoot} (see {@link #preparedAlready}); they set the variables {@code pk} and {@code pd}.
     *
     * @param cacheRoot the unit's {@code SLIPWAY_CACHE_DIR}
     * @param file      the single file, as a shell word (e.g. {@code "$f"})
     * @param then      a shell command list
     * @return shell lines, each ending with a newline
     */
    static String preparedIf(String cacheRoot, String file, String then) {
        return "pk=$(head -c 4096 " + file + " 2>/dev/null | LC_ALL=C sed -n \"" + KEY_LINE + "/\\1/p\" | head -n 1)\n"
                + "if " + preparedTest(cacheRoot) + "; then " + then + "; fi\n";
    }

    /** The sed substitution's pattern of a stub's key line, {@code slipway_key='<key>'} (the key as {@code \1}). */
    private static final String KEY_LINE = "s/^slipway_key='\\([A-Za-z0-9._-]*\\)'\\$";

    /**
     * A shell test (builtins only) that is true when the single file whose stub's key is in {@code $pk}
     * is prepared already under {@code cacheRoot} (see {@link #preparedAlready}); it sets {@code pd}.
     *
     * @param cacheRoot the unit's {@code SLIPWAY_CACHE_DIR}
     * @return a shell command list, without a newline
     */
    static String preparedTest(String cacheRoot) {
        return "pd=" + Shell.quote(cacheRoot + "/run/") + "\"$pk\" && [ -n \"$pk\" ] && [ -f \"$pd/.slipway-complete\" ] && {"
                + " [ ! -f \"$pd/app/app.jsa.args\" ] || [ -f \"$pd/app/app.jsa\" ] || [ -f \"$pd/app/app.jsa.failed\" ]; }";
    }

    /**
     * @param unit the unit's name ({@code service.unit})
     * @return the unit's {@code CacheDirectory=} as a path, its {@code SLIPWAY_CACHE_DIR}: where its
     *         single files unpack ({@code /var/cache/<unit>}, systemd.exec(5))
     */
    public static String cacheRoot(String unit) {
        return "/var/cache/" + unit;
    }

    /** The first word of each line {@link #pruneUnpackedCommand} prints for a tree it removed. */
    static final String UNPACKED_REMOVED = "unpacked";

    /**
     * A command that removes the unpacked trees in the unit's cache ({@code <cacheRoot>/run/<key>}
     * and its {@code .lock}) that no release left in {@code releases/} uses: after a prune, those of
     * the pruned releases (and of releases pruned before this step existed). A tree is kept when a
     * release's stub names its key, when a process maps one of its files ({@code /proc/<pid>/maps},
     * proc(5)), and when it is not a published tree (an unpack in progress is
     * {@code <key>.tmp.<pid>}). Nothing is removed when no release's key can be read: the kept
     * releases always include the current one, so an empty key list means the stubs were not read,
     * not that no tree is used.
     *
     * @param dir       the service directory on the host ({@code deploy.hosts.dir})
     * @param file      the single file's name in each release directory (the service name)
     * @param cacheRoot the unit's {@code SLIPWAY_CACHE_DIR}, {@code /var/cache/<unit>}
     * @return a shell command list that prints {@code unpacked <key>} for each tree it removed and
     *         exits 0 (a tree that cannot be removed is left for the next prune)
     */
    static String pruneUnpackedCommand(String dir, String file, String cacheRoot) {
        String hex = "[0-9a-f]".repeat(16);
        return "set -- " + Shell.quote(dir + "/releases") + "/*/" + Shell.quote(file) + "; if [ -e \"$1\" ]; then"
                + " ks=\" $(" + keysOf("\"$@\"") + " | sed -n 's/^k //p' | tr '\\n' ' ')\";"
                + " if [ \"$ks\" != \" \" ] && cd " + Shell.quote(cacheRoot + "/run") + " 2>/dev/null; then"
                + " for t in *-" + hex + "; do [ -d \"$t\" ] || continue; case \"$ks\" in *\" $t \"*) continue ;; esac;"
                + " grep -qsF \"/run/$t/\" /proc/[0-9]*/maps && continue;"
                + " rm -rf -- \"$t\" \"$t.lock\" && echo " + UNPACKED_REMOVED + " \"$t\"; done; fi; fi; true";
    }

    /**
     * A command that reads the stub keys of several single files at once (two processes whatever
     * their number): for each file an {@code r <release>} line (the name of the directory the file
     * is in), then {@code k <key>} when its first 4 KiB have a {@code slipway_key='<key>'} line.
     *
     * @param files the files, as shell words (e.g. {@code "$@"}); at least one
     * @return the command, without a newline
     */
    static String keysOf(String files) {
        // GNU head -v names every file ("==> <file> <==") on a line of its own.
        return "head -v -c 4096 -- " + files + " 2>/dev/null | LC_ALL=C sed -n -e 's|^==> .*/\\([^/]*\\)/[^/]* <==$|r \\1|p'"
                + " -e \"" + KEY_LINE + "/k \\1/p\"";
    }

    /**
     * @param h the {@code deploy.hosts} section
     * @return the unit file's name under {@code /etc/systemd/system/}: {@code <unit>.service}, or for
     *         {@code rollout.strategy: proxy} the template {@code <unit>@.service}
     */
    public static String fileName(HostsConfig h) {
        return h.service().unit() + (h.rollout().proxySwitch() ? "@" : "") + ".service";
    }

    /**
     * @param h    the {@code deploy.hosts} section
     * @param port an instance port of the proxy strategy
     * @return the instance's unit, {@code <unit>@<port>.service}
     */
    public static String instance(HostsConfig h, int port) {
        return h.service().unit() + "@" + port + ".service";
    }

    /**
     * @param port an instance port
     * @return the name of the env file of a release for an instance on that port ({@code env-<port>})
     */
    public static String envName(int port) {
        return "env-" + port;
    }

    /**
     * @param config the service configuration; {@code config.hosts()} must not be {@code null}
     * @return the unit file text, ending with a newline: {@link #fileName}'s unit. With
     *         {@code rollout.strategy: proxy} it is a template whose instance name is the port:
     *         {@code <unit>@18081.service} runs {@code <dir>/slots/18081/<name>} with that release's
     *         {@code env-18081}; both instances share the dynamic user, state and unpack cache
     *         ({@code User=<unit>} next to {@code DynamicUser=yes}, so the name has no port in it)
     */
    public static String render(SlipwayConfig config) {
        HostsConfig h = config.hosts();
        HostsConfig.HostService s = h.service();
        if (h.rollout().proxySwitch()) {
            List<String> comment = List.of(
                    s.unit() + "@.service, generated by Slipway (hosts target, rollout.strategy: proxy). The",
                    "instance name is the port: " + s.unit() + "@PORT runs the release " + h.dir() + "/slots/PORT points to,",
                    "beside the other instance; nginx on the host is switched to it by 'slipway deploy'.");
            String unit = SystemdUnit.render(new SystemdUnit.Spec(comment, config.name() + " on port %i (Slipway)",
                    h.dir() + "/slots/%i/" + config.name(), "/bin/kill -HUP $MAINPID", h.dir() + "/slots/%i/env-%i",
                    new TreeMap<>(Map.of("SLIPWAY_CACHE_DIR", cacheRoot(s.unit()))), s.user(), s.unit(),
                    h.rollout().drainTimeout(), limits(s), s.readWritePaths(), h.proxy().ports()));
            // One dynamic user for both instances (and the prepare): named after the unit, not the instance.
            return s.user() == null ? unit.replace("DynamicUser=yes\n", "DynamicUser=yes\nUser=" + s.unit() + "\n") : unit;
        }
        List<String> comment = List.of(
                s.unit() + ".service, generated by Slipway (hosts target). The release and its",
                "environment come from " + h.dir() + "/current, switched by 'slipway deploy'.");
        return SystemdUnit.render(new SystemdUnit.Spec(comment, config.name() + " (Slipway)",
                h.dir() + "/current/" + config.name(), "/bin/kill -HUP $MAINPID", h.dir() + "/current/env",
                new TreeMap<>(Map.of("SLIPWAY_CACHE_DIR", cacheRoot(s.unit()))), s.user(), s.unit(),
                h.rollout().drainTimeout(), limits(s), s.readWritePaths(), List.of(config.service().port())));
    }

    private static SystemdUnit.Limits limits(HostsConfig.HostService s) {
        return new SystemdUnit.Limits(s.limitNofile(), s.memoryMax(), s.cpuQuota(), s.tasksMax());
    }
}
