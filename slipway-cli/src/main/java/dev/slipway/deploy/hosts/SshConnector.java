package dev.slipway.deploy.hosts;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.HostsConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.remote.Host;
import dev.slipway.remote.LocalHost;
import dev.slipway.remote.SshHost;
import java.util.List;
import java.util.function.Function;

/**
 * How the hosts target reaches its servers: SSH with Apache MINA SSHD ({@link SshHost}), strict
 * host-key checking against {@code deploy.hosts.knownHosts}; and which servers a {@code --role}
 * selects. (Was {@code cli/HostsCli}: the wiring belongs to the target, not to the commands.)
 */
public final class SshConnector {
    private SshConnector() {}

    /**
     * @param hosts the {@code deploy.hosts} section
     * @return a function that connects to one server (the caller closes the host)
     */
    public static Function<HostsConfig.Server, Host> of(HostsConfig hosts) {
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
     * The hosts target of a configuration, over SSH.
     *
     * @param config  the service configuration
     * @param console output
     * @param roles   when not empty, only the servers with at least one of these roles (as Kamal's
     *                {@code --roles}); the others are not connected to or changed
     * @return the target
     * @throws SlipwayException (exit 2) without {@code deploy.hosts}, or when no server has one of the
     *                          roles; nothing changed
     */
    public static HostsTarget target(SlipwayConfig config, Console console, List<String> roles) {
        if (config.hosts() == null) {
            throw SlipwayException.usage(config.file() + ": no 'deploy.hosts' section; --to hosts needs a list of servers"
                    + " (see docs/hosts.md)");
        }
        HostsTarget all = new HostsTarget(config, console, of(config.hosts()), System.getenv());
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
     * @param config the service configuration
     * @return the host nginx runs on for a hosts canary: the SSH host of {@code canary.hosts.proxy}
     *         (checked against {@code deploy.hosts.knownHosts}), or this machine when it is not set
     */
    public static Host canaryProxy(SlipwayConfig config) {
        var h = config.canary().hosts();
        if (h == null || h.proxy() == null || config.hosts() == null) {
            return new LocalHost("local");
        }
        return of(config.hosts()).apply(h.proxy());
    }
}
