package dev.slipway.render;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.SortedMap;

/**
 * The one systemd service unit renderer: the unit of the hosts target ({@code slipway render systemd},
 * installed by {@code deploy --to hosts}) and the unit of a release archive
 * ({@code release.archives.systemdUnit}) are both this unit, each with its own {@link Spec} (what
 * it runs, where its environment comes from, comment lines). The directives follow
 * systemd.service(5), systemd.exec(5), systemd.kill(5) and systemd.resource-control(5):
 * <ul>
 *   <li>a graceful stop: SIGTERM to the main process only ({@code KillMode=mixed}), SIGKILL to all
 *       after the drain timeout plus {@link #STOP_MARGIN_SECONDS};</li>
 *   <li>{@code SuccessExitStatus=143}: a JVM that SIGTERM stops runs its shutdown hooks and exits
 *       with 128 + 15 = 143, which systemd counts as a failure (the unit would end {@code failed},
 *       {@code Result=exit-code}, after every stop); only a clean death by the signal itself is a
 *       success to systemd (systemd.service(5), {@code SuccessExitStatus=});</li>
 *   <li>a restart policy bounded by start limits;</li>
 *   <li>no root (a dynamic user or {@code User=}) and a sandbox ({@link #sandbox}).
 *       {@code MemoryDenyWriteExecute} is not set: the JVM's JIT writes code.</li>
 * </ul>
 */
public final class SystemdUnit {
    /**
     * Seconds added to the drain timeout for {@code TimeoutStopSec}: the JVM's exit after the drain
     * (shutdown hooks, flushing logs). One margin for every unit Slipway writes.
     */
    public static final int STOP_MARGIN_SECONDS = 10;

    /** The exit status of a JVM stopped by SIGTERM (128 + 15), a clean stop ({@code SuccessExitStatus=}). */
    public static final int SIGTERM_EXIT_STATUS = 143;

    private SystemdUnit() {}

    /**
     * Resource limits of the service (systemd.resource-control(5), setrlimit(2)).
     *
     * @param limitNofile open files ({@code LimitNOFILE=})
     * @param memoryMax   {@code MemoryMax=}, e.g. {@code 512M}; {@code null} for none
     * @param cpuQuota    {@code CPUQuota=}, e.g. {@code 150%}; {@code null} for none
     * @param tasksMax    {@code TasksMax=}; 0 for systemd's default
     */
    public record Limits(int limitNofile, String memoryMax, String cpuQuota, int tasksMax) {
        /** Only {@code LimitNOFILE=65536}: what a unit without its own limits gets. */
        public static final Limits DEFAULT = new Limits(65536, null, null, 0);

        /** @return the directives, one {@code Key=value} each */
        public List<String> directives() {
            List<String> d = new ArrayList<>();
            d.add("LimitNOFILE=" + limitNofile);
            if (memoryMax != null) {
                d.add("MemoryMax=" + memoryMax);
            }
            if (cpuQuota != null) {
                d.add("CPUQuota=" + cpuQuota);
            }
            if (tasksMax > 0) {
                d.add("TasksMax=" + tasksMax);
            }
            return d;
        }
    }

    /**
     * What differs between the units Slipway writes; everything else is the same for all.
     *
     * @param comment        comment lines at the top, without {@code #}
     * @param description    {@code Description=}
     * @param execStart      {@code ExecStart=}: a program that {@code exec}s the JVM, so that the
     *                       JVM is the main process ({@code Type=exec})
     * @param execReload     {@code ExecReload=}, or {@code null} for none
     * @param environmentFile {@code EnvironmentFile=}, or {@code null} for none
     * @param environment    {@code Environment=} variables, written in the map's order and quoted
     *                       ({@link #quote}); systemd expands no {@code $} in them
     * @param user           {@code User=}, or {@code null} for {@code DynamicUser=yes}
     * @param directory      the name of the {@code StateDirectory=} and {@code CacheDirectory=};
     *                       the working directory is {@code /var/lib/<directory>}
     * @param drainTimeout   SIGTERM to SIGKILL, before {@link #STOP_MARGIN_SECONDS}
     * @param limits         resource limits
     * @param readWritePaths paths the sandbox leaves writable ({@code ReadWritePaths=})
     * @param ports          the TCP ports the service listens on; one below {@link #FIRST_UNPRIVILEGED_PORT}
     *                       gives the unit {@code CAP_NET_BIND_SERVICE} (and no other capability)
     */
    public record Spec(List<String> comment, String description, String execStart, String execReload,
                       String environmentFile, SortedMap<String, String> environment, String user, String directory,
                       Duration drainTimeout, Limits limits, List<String> readWritePaths, List<Integer> ports) {}

    /**
     * The first port a process without {@code CAP_NET_BIND_SERVICE} may bind (Linux's default
     * {@code net.ipv4.ip_unprivileged_port_start}, capabilities(7)).
     */
    public static final int FIRST_UNPRIVILEGED_PORT = 1024;

    /**
     * The capability directives: none, or only {@code CAP_NET_BIND_SERVICE} when a port is below
     * {@link #FIRST_UNPRIVILEGED_PORT} (a dynamic or plain user could not bind it otherwise;
     * systemd.exec(5) {@code AmbientCapabilities=}).
     *
     * @param ports the ports the service listens on
     * @return the {@code CapabilityBoundingSet=} and {@code AmbientCapabilities=} directives
     */
    public static List<String> capabilities(List<Integer> ports) {
        String caps = ports.stream().anyMatch(p -> p < FIRST_UNPRIVILEGED_PORT) ? "CAP_NET_BIND_SERVICE" : "";
        return List.of("CapabilityBoundingSet=" + caps, "AmbientCapabilities=" + caps);
    }

    /**
     * The user and directories of a unit, also given to anything that must run as the unit would
     * (the hosts target's prepare, through systemd-run).
     *
     * @param user      {@code User=}, or {@code null} for a dynamic user under the unit's name
     * @param directory the state and cache directory name
     * @return the directives, one {@code Key=value} each
     */
    public static List<String> identity(String user, String directory) {
        List<String> d = new ArrayList<>();
        if (user == null) {
            d.add("DynamicUser=yes");
        } else {
            d.add("User=" + user);
        }
        d.add("StateDirectory=" + directory);
        d.add("CacheDirectory=" + directory);
        d.add("WorkingDirectory=/var/lib/" + directory);
        return d;
    }

    /**
     * The main sandbox directives (systemd.exec(5)): files created private, no new privileges, a
     * read-only system writable only at {@code readWritePaths}, no home, private /tmp and devices.
     *
     * @param readWritePaths paths left writable; may be empty
     * @return the directives, one {@code Key=value} each
     */
    public static List<String> sandbox(List<String> readWritePaths) {
        List<String> d = new ArrayList<>(List.of("UMask=0077", "NoNewPrivileges=yes", "ProtectSystem=strict",
                "ProtectHome=yes", "PrivateTmp=yes", "PrivateDevices=yes"));
        if (!readWritePaths.isEmpty()) {
            d.add("ReadWritePaths=" + String.join(" ", readWritePaths));
        }
        return d;
    }

    /**
     * Renders a unit.
     *
     * @param s what this unit runs
     * @return the unit file text, ending with a newline
     */
    public static String render(Spec s) {
        StringBuilder u = new StringBuilder();
        for (String line : s.comment()) {
            u.append("# ").append(line).append('\n');
        }
        u.append("[Unit]\n");
        u.append("Description=").append(s.description()).append('\n');
        u.append("Wants=network-online.target\nAfter=network-online.target\n");
        u.append("StartLimitIntervalSec=60\nStartLimitBurst=5\n\n");
        u.append("[Service]\n");
        u.append("Type=exec\n");
        u.append("ExecStart=").append(s.execStart()).append('\n');
        if (s.execReload() != null) {
            u.append("ExecReload=").append(s.execReload()).append('\n');
        }
        if (s.environmentFile() != null) {
            u.append("EnvironmentFile=").append(s.environmentFile()).append('\n');
        }
        for (Map.Entry<String, String> e : s.environment().entrySet()) {
            u.append("Environment=").append(quote(e.getKey() + "=" + e.getValue())).append('\n');
        }
        lines(u, identity(s.user(), s.directory()));
        u.append("Restart=on-failure\nRestartSec=1s\n");
        u.append("KillSignal=SIGTERM\nKillMode=mixed\n");
        u.append("TimeoutStopSec=").append(s.drainTimeout().toSeconds() + STOP_MARGIN_SECONDS).append('\n');
        u.append("SuccessExitStatus=").append(SIGTERM_EXIT_STATUS).append('\n');
        lines(u, s.limits().directives());
        lines(u, sandbox(s.readWritePaths()));
        lines(u, capabilities(s.ports()));
        u.append("ProtectKernelTunables=yes\nProtectKernelModules=yes\nProtectKernelLogs=yes\nProtectControlGroups=yes\n");
        u.append("ProtectClock=yes\nProtectHostname=yes\nProtectProc=invisible\n");
        u.append("RestrictAddressFamilies=AF_INET AF_INET6 AF_UNIX\nRestrictNamespaces=yes\nRestrictRealtime=yes\n");
        u.append("RestrictSUIDSGID=yes\nLockPersonality=yes\nRemoveIPC=yes\n");
        u.append("SystemCallArchitectures=native\nSystemCallFilter=@system-service\nSystemCallErrorNumber=EPERM\n");
        u.append("\n[Install]\nWantedBy=multi-user.target\n");
        return u.toString();
    }

    private static void lines(StringBuilder u, List<String> directives) {
        for (String d : directives) {
            u.append(d).append('\n');
        }
    }

    /**
     * Quotes a value for systemd ({@code Environment=}): double quotes; backslash, quote and newline
     * escaped; {@code %} doubled (specifiers, systemd.unit(5)).
     *
     * @param s the value
     * @return the quoted value
     */
    public static String quote(String s) {
        return "\"" + s.replace("\\", "\\\\").replace("\"", "\\\"").replace("%", "%%").replace("\n", "\\n") + "\"";
    }
}
