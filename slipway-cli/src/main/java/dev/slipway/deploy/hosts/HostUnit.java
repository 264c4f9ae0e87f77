package dev.slipway.deploy.hosts;

import dev.slipway.config.HostsConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.release.SystemdUnit;
import dev.slipway.remote.Shell;
import java.util.ArrayList;
import java.util.List;

/**
 * The systemd service unit of the hosts target. It does not name a version: it runs
 * {@code <dir>/current/<name>} with {@code <dir>/current/env}, so a switch of the {@code current}
 * link plus a restart changes the release and its environment together, and the unit file (and so
 * {@code systemctl daemon-reload}) changes only when the configuration does.
 *
 * <p>Directives follow systemd.service(5), systemd.exec(5), systemd.kill(5) and
 * systemd.resource-control(5): a graceful stop (SIGTERM to the main process only,
 * {@code KillMode=mixed}, SIGKILL to all after the drain timeout plus a 10 s margin), a restart
 * policy bounded by start limits, and a sandbox (no new privileges, read-only system, no home,
 * private /tmp and devices, no capabilities). {@code MemoryDenyWriteExecute} is not set: the JVM's
 * JIT writes code.
 */
public final class HostUnit {
    /** Seconds added to the drain timeout for {@code TimeoutStopSec}: JVM exit after the drain. */
    public static final int STOP_MARGIN_SECONDS = 10;

    private HostUnit() {}

    /** What a host prints when a release's single file predates the prepare mode (so it is not run). */
    public static final String NOT_PREPARABLE = "@@prepare unsupported";

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
     * the app, so it is not run; the command prints {@link #NOT_PREPARABLE} and exits 0.
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
        if (s.user() == null) {
            p.add("DynamicUser=yes");
            p.add("User=" + s.unit());
        } else {
            p.add("User=" + s.user());
        }
        p.add("StateDirectory=" + s.unit());
        p.add("CacheDirectory=" + s.unit());
        p.add("WorkingDirectory=/var/lib/" + s.unit());
        p.add("EnvironmentFile=" + release + "/env");
        p.add("Environment=SLIPWAY_CACHE_DIR=/var/cache/" + s.unit());
        p.add("Environment=" + dev.slipway.build.Launcher.PREPARE + "=1");
        p.add("RuntimeMaxSec=" + Math.max(1, runtimeMax.toSeconds()));
        p.add("LimitNOFILE=" + s.limitNofile());
        if (s.memoryMax() != null) {
            p.add("MemoryMax=" + s.memoryMax());
        }
        if (s.cpuQuota() != null) {
            p.add("CPUQuota=" + s.cpuQuota());
        }
        if (s.tasksMax() > 0) {
            p.add("TasksMax=" + s.tasksMax());
        }
        p.add("UMask=0077");
        p.add("NoNewPrivileges=yes");
        p.add("ProtectSystem=strict");
        p.add("ProtectHome=yes");
        p.add("PrivateTmp=yes");
        p.add("PrivateDevices=yes");
        if (!s.readWritePaths().isEmpty()) {
            p.add("ReadWritePaths=" + String.join(" ", s.readWritePaths()));
        }
        StringBuilder cmd = new StringBuilder();
        cmd.append("f=").append(Shell.quote(file)).append("; u=").append(Shell.quote(prepareUnit + ".service")).append('\n');
        // Only a stub that reads the variable may be run with it: an older one would start the app.
        cmd.append("if ! head -c 4096 \"$f\" | grep -qF ").append(Shell.quote(dev.slipway.build.Launcher.PREPARE_MARK))
                .append("; then echo ").append(Shell.quote(NOT_PREPARABLE)).append("; exit 0; fi\n");
        // A prepare left by a deploy that was killed holds the name: it is stopped first (the
        // deploy lock is ours, so nobody else's prepare runs).
        cmd.append("systemctl stop \"$u\" 2>/dev/null; systemctl reset-failed \"$u\" 2>/dev/null\n");
        cmd.append("exec systemd-run --quiet --wait --pipe --collect --service-type=exec --unit=\"$u\"");
        for (String prop : p) {
            cmd.append(" -p ").append(Shell.quote(prop));
        }
        cmd.append(" \"$f\" 2>&1\n");
        return cmd.toString();
    }

    /**
     * @param config the service configuration; {@code config.hosts()} must not be {@code null}
     * @return the unit file text, ending with a newline
     */
    public static String render(SlipwayConfig config) {
        HostsConfig h = config.hosts();
        HostsConfig.HostService s = h.service();
        String name = config.name();
        StringBuilder u = new StringBuilder();
        u.append("# ").append(s.unit()).append(".service, generated by Slipway (hosts target). The release and its\n")
                .append("# environment come from ").append(h.dir()).append("/current, switched by 'slipway deploy'.\n");
        u.append("[Unit]\n");
        u.append("Description=").append(name).append(" (Slipway)\n");
        u.append("Wants=network-online.target\nAfter=network-online.target\n");
        u.append("StartLimitIntervalSec=60\nStartLimitBurst=5\n\n");
        u.append("[Service]\n");
        u.append("Type=exec\n");
        u.append("ExecStart=").append(h.dir()).append("/current/").append(name).append('\n');
        u.append("ExecReload=/bin/kill -HUP $MAINPID\n");
        u.append("EnvironmentFile=").append(h.dir()).append("/current/env\n");
        u.append("Environment=").append(SystemdUnit.quote("SLIPWAY_CACHE_DIR=/var/cache/" + s.unit())).append('\n');
        if (s.user() == null) {
            u.append("DynamicUser=yes\n");
        } else {
            u.append("User=").append(s.user()).append('\n');
        }
        u.append("StateDirectory=").append(s.unit()).append('\n');
        u.append("CacheDirectory=").append(s.unit()).append('\n');
        u.append("WorkingDirectory=/var/lib/").append(s.unit()).append('\n');
        u.append("Restart=on-failure\nRestartSec=1s\n");
        u.append("KillSignal=SIGTERM\nKillMode=mixed\n");
        u.append("TimeoutStopSec=").append(h.rollout().drainTimeout().toSeconds() + STOP_MARGIN_SECONDS).append('\n');
        u.append("LimitNOFILE=").append(s.limitNofile()).append('\n');
        if (s.memoryMax() != null) {
            u.append("MemoryMax=").append(s.memoryMax()).append('\n');
        }
        if (s.cpuQuota() != null) {
            u.append("CPUQuota=").append(s.cpuQuota()).append('\n');
        }
        if (s.tasksMax() > 0) {
            u.append("TasksMax=").append(s.tasksMax()).append('\n');
        }
        u.append("UMask=0077\n");
        u.append("NoNewPrivileges=yes\n");
        u.append("ProtectSystem=strict\n");
        u.append("ProtectHome=yes\n");
        u.append("PrivateTmp=yes\n");
        u.append("PrivateDevices=yes\n");
        if (!s.readWritePaths().isEmpty()) {
            u.append("ReadWritePaths=").append(String.join(" ", s.readWritePaths())).append('\n');
        }
        u.append("CapabilityBoundingSet=\nAmbientCapabilities=\n");
        u.append("ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes\nProtectControlGroups=yes\n");
        u.append("ProtectClock=yes\nProtectHostname=yes\nProtectProc=invisible\n");
        u.append("RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\nRestrictNamespaces=yes\nRestrictRealtime=yes\n");
        u.append("RestrictSUIDSGID=yes\nLockPersonality=yes\nRemoveIPC=yes\n");
        u.append("SystemCallArchitectures=native\nSystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM\n");
        u.append("\n[Install]\nWantedBy=multi-user.target\n");
        return u.toString();
    }
}
