package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.HostsConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.hosts.HostHistory;
import dev.slipway.deploy.hosts.HostsExecutor;
import dev.slipway.deploy.hosts.HostsPlan;
import dev.slipway.deploy.hosts.HostsTarget;
import dev.slipway.remote.Host;
import dev.slipway.remote.SshHost;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.function.Function;
import java.util.stream.Collectors;

/** Glue between the commands and the hosts target: the SSH connector and the printing. */
final class HostsCli {
    private HostsCli() {}

    /** @return the hosts target of {@code config}, connecting over SSH */
    static HostsTarget target(SlipwayConfig config, Console console) {
        return target(config, console, List.of());
    }

    /**
     * @param roles when not empty, only the servers with at least one of these roles (as Kamal's
     *              {@code --roles}); the others are not connected to or changed
     * @return the hosts target of {@code config}, connecting over SSH
     * @throws SlipwayException (exit 2) without {@code deploy.hosts}, or when no server has any of the roles
     */
    static HostsTarget target(SlipwayConfig config, Console console, List<String> roles) {
        if (config.hosts() == null) {
            throw SlipwayException.usage(config.file() + ": no 'deploy.hosts' section; --to hosts needs a list of servers"
                    + " (see docs/hosts.md)");
        }
        HostsTarget all = new HostsTarget(config, console, connector(config.hosts()), System.getenv());
        if (roles.isEmpty()) {
            return all;
        }
        List<String> known = config.hosts().servers().stream().flatMap(s -> s.roles().stream()).distinct().sorted().toList();
        List<String> unknown = roles.stream().filter(r -> !known.contains(r)).toList();
        if (!unknown.isEmpty()) {
            throw SlipwayException.usage("no server in deploy.hosts has the role " + String.join(" or ", unknown)
                    + " (roles: " + (known.isEmpty() ? "none set" : String.join(", ", known)) + "); nothing was changed");
        }
        List<String> names = config.hosts().servers().stream().filter(s -> s.roles().stream().anyMatch(roles::contains))
                .map(HostsConfig.Server::name).toList();
        return all.narrowed(names, HostsTarget.STABLE, null, "");
    }

    /**
     * Runs a plain change of the hosts (deploy, ship, rollback) outside any canary: refused while a
     * canary on them is progressing, paused or promoting; once it succeeded, a finished canary's
     * record is set aside. A dry run is neither refused nor closes anything.
     *
     * @param config the service configuration
     * @param what   the command, for the refusal
     * @param dryRun whether the change only prints its plan
     * @param change the change
     * @return what the change returned
     * @throws SlipwayException (exit 2) while a canary runs on the hosts; nothing was changed
     */
    static HostsExecutor.Result outsideCanary(SlipwayConfig config, String what, boolean dryRun,
                                              java.util.function.Supplier<HostsExecutor.Result> change) {
        if (!dryRun) {
            refuseDuringCanary(config, what);
        }
        HostsExecutor.Result r = change.get();
        if (!dryRun) {
            closeFinishedCanary(config);
        }
        return r;
    }

    /**
     * After a deploy or rollback to the hosts succeeded, a finished canary's record no longer
     * describes them: it is kept as {@code .slipway/hosts/canary.last.json}, so that a later
     * {@code slipway abort} cannot re-apply an old abort over the new release.
     *
     * @param config the service configuration
     */
    private static void closeFinishedCanary(SlipwayConfig config) {
        java.nio.file.Path f = dev.slipway.canary.CanaryState.file(config.serviceDir(), "hosts");
        var s = dev.slipway.canary.CanaryState.load(f);
        if (s != null && s.phase().terminal()) {
            try {
                java.nio.file.Files.move(f, f.resolveSibling("canary.last.json"), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
            } catch (java.io.IOException e) {
                throw SlipwayException.failed("cannot move " + f + " aside: " + e.getMessage(), e);
            }
        }
    }

    /**
     * Refuses to change the hosts while a canary runs on them: a deploy or rollback would change
     * the canary servers' release and {@code TRACK} under the canary's feet.
     *
     * @param config the service configuration
     * @param what   the command, for the message
     * @throws SlipwayException (exit 2) when a canary on the hosts is progressing, paused or promoting
     */
    private static void refuseDuringCanary(SlipwayConfig config, String what) {
        var s = dev.slipway.canary.CanaryState.load(dev.slipway.canary.CanaryState.file(config.serviceDir(), "hosts"));
        if (s != null && !s.phase().terminal()) {
            throw SlipwayException.usage("a canary of " + s.canaryVersion() + " is " + s.phase().name().toLowerCase()
                    + " on the hosts (weight " + s.weight() + " %); 'slipway promote --to hosts' or 'slipway abort --to hosts'"
                    + " first, then " + what + "; nothing was changed");
        }
    }

    /** SSH with Apache MINA SSHD ({@link SshHost}), strict host-key checking against {@code knownHosts}. */
    static Function<HostsConfig.Server, Host> connector(HostsConfig hosts) {
        return s -> {
            SshHost.Options o = SshHost.Options.of(s.address()).withLabel(s.name()).withPort(s.port()).withUser(s.user())
                    .withKnownHosts(hosts.knownHosts());
            if (s.identityFile() != null) {
                o = o.withIdentities(List.of(s.identityFile()));
            }
            return SshHost.connect(o);
        };
    }

    /**
     * @param config the service configuration
     * @return the host nginx runs on for a hosts canary: the SSH host of {@code canary.hosts.proxy}
     *         (checked against {@code deploy.hosts.knownHosts}), or this machine when it is not set
     */
    static Host canaryProxy(SlipwayConfig config) {
        var h = config.canary().hosts();
        if (h == null || h.proxy() == null || config.hosts() == null) {
            return new dev.slipway.remote.LocalHost("local");
        }
        return connector(config.hosts()).apply(h.proxy());
    }

    static Duration duration(String option, String text) {
        try {
            return ConfigLoader.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw SlipwayException.usage(option + ": " + e.getMessage());
        }
    }

    static void printDeployed(TargetCommand.HostsContext c, HostsExecutor.Result r) {
        if (r == null) {
            return;
        }
        HostsPlan p = r.plan();
        Console out = c.console();
        Map<dev.slipway.deploy.DeployPlan.Kind, Long> t = r.timing();
        out.progress("timing: total " + ms(r.totalMs()) + "; upload " + ms(t.getOrDefault(dev.slipway.deploy.DeployPlan.Kind.UPLOAD, 0L))
                + ", prepare " + ms(t.getOrDefault(dev.slipway.deploy.DeployPlan.Kind.PREPARE, 0L)) + ", switch " + ms(t.getOrDefault(dev.slipway.deploy.DeployPlan.Kind.SWITCH, 0L)) + ", restart "
                + ms(t.getOrDefault(dev.slipway.deploy.DeployPlan.Kind.RESTART, 0L)) + ", gate " + ms(t.getOrDefault(dev.slipway.deploy.DeployPlan.Kind.GATE, 0L)));
        out.println(p.service() + " " + p.version() + " (commit " + p.commit().substring(0, Math.min(7, p.commit().length()))
                + ") is ready on " + p.hosts().size() + (p.hosts().size() == 1 ? " host: " : " hosts: ")
                + p.hosts().stream().map(HostsPlan.HostPlan::name).collect(Collectors.joining(", "))
                + (p.rollback() ? " (rollback)" : ""));
    }

    static void printStatus(TargetCommand.HostsContext c) {
        String format = "%-16s %-24s %-12s %s";
        c.console().println(String.format(format, "HOST", "VERSION", "UNIT", "READINESS"));
        for (HostsTarget.HostStatus s : c.target().status()) {
            if (s.error() != null) {
                c.console().println(String.format(format, s.host(), "?", "?", "unreachable: " + s.error()));
                continue;
            }
            String ready = s.readiness() == null ? "-" : (s.readiness().ready() ? "ready (" : "not ready (")
                    + s.readiness().describe() + ")";
            c.console().println(String.format(format, s.host(), s.version() == null ? "(none)" : s.version(),
                    s.unitState().isEmpty() ? "-" : s.unitState(), ready)
                    + s.lock().map(h -> "; LOCKED by " + h.describe()).orElse(""));
        }
    }

    static void printHistory(TargetCommand.HostsContext c) {
        String format = "%-16s %-9s %-24s %-8s %-21s %-15s %-20s %s";
        c.console().println(String.format(format, "HOST", "REVISION", "VERSION", "COMMIT", "TIME", "OUTCOME", "WHO", "NOTE"));
        for (Map.Entry<String, List<HostHistory.Entry>> h : c.target().history().entrySet()) {
            for (HostHistory.Entry e : h.getValue()) {
                c.console().println(String.format(format, h.getKey(), e.revision(), e.version(),
                        e.commit().substring(0, Math.min(7, e.commit().length())), e.time(), e.outcome(), e.who(),
                        e.note().length() > 160 ? e.note().substring(0, 157) + "..." : e.note()));
            }
        }
    }

    private static String ms(long ms) {
        return Console.seconds(ms * 1_000_000L);
    }
}
