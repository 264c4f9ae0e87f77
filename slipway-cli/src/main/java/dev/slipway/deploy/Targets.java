package dev.slipway.deploy;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.ConfigLoader;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.hosts.HostsDeployTarget;
import dev.slipway.deploy.local.LocalDeployTarget;
import dev.slipway.deploy.kubernetes.KubernetesTarget;
import java.time.Duration;
import java.util.List;

/**
 * Opens a {@link Target} by name: the one place that knows which class serves {@code --to local},
 * {@code --to hosts}, {@code --to kubernetes} and {@code --to swarm}. Adding a target is one folder under
 * {@code deploy/} and one line in {@link #NAMES} and {@link #open}.
 */
public final class Targets {
    /** The target names {@code --to} accepts, in the order help and errors list them. */
    public static final List<String> NAMES = List.of("local", "hosts", "kubernetes", "swarm");

    /**
     * The targets that plan {@code slipway start} and {@code stop} ({@link Target#planStart},
     * {@link Target#planStop}); the others keep the interface's refusal. Commands check it before
     * opening a target, so that {@code start --to hosts} connects to nothing only to be refused.
     */
    public static final List<String> STARTS = List.of("local", "hosts", "swarm");

    private Targets() {}

    /**
     * @param command {@code start} or {@code stop}
     * @return the refusal of that command on a target not in {@link #STARTS}
     */
    public static String onlyStarts(String command) {
        return "'slipway " + command + "' works with --to " + String.join(", ", STARTS) + " only";
    }

    /**
     * How a target is opened, besides its name and configuration.
     *
     * @param roles hosts only: when not empty, only the servers with one of these roles
     *              ({@code deploy.hosts.servers[].roles}, as Kamal's {@code --roles}); the others are
     *              neither connected to nor changed
     * @param lockAhead the command applies the plan it makes (a deploy, rollback or ship that is not a dry
     *              run): hosts only, the plan's look at each host takes its lock in the same round trip,
     *              for the run that follows; closing the target releases locks that no run used
     */
    public record Options(List<String> roles, boolean lockAhead) {
        /** Copies the list. */
        public Options {
            roles = List.copyOf(roles);
        }

        /** Options that take no lock ahead. */
        public Options(List<String> roles) {
            this(roles, false);
        }

        /** @return no roles: every server */
        public static Options none() {
            return new Options(List.of());
        }
    }

    /**
     * Opens a target. Opening connects nothing yet for {@code local} and {@code hosts}; for
     * {@code kubernetes} it builds the API client from the kubeconfig.
     *
     * @param name    the target's name, as {@code --to} gives it
     * @param config  the service configuration
     * @param console where progress and results go
     * @param options how to open it
     * @return the target; close it when done
     * @throws SlipwayException (exit 2) for an unknown name (the message lists {@link #NAMES}), a
     *                          target without its configuration section, {@code --role} on a target
     *                          other than hosts, or an unknown kubeconfig context; nothing changed
     */
    public static Target open(String name, SlipwayConfig config, Console console, Options options) {
        requireKnown(name);
        if (!options.roles().isEmpty() && !name.equals("hosts")) {
            throw SlipwayException.usage("--role works with --to hosts only");
        }
        return switch (name) {
            case "local" -> new LocalDeployTarget(config, console);
            case "hosts" -> new HostsDeployTarget(config, console, options.roles(), options.lockAhead());
            case "kubernetes" -> {
                requireSection(config.kubernetes() != null, config, "deploy.kubernetes", "docs/kubernetes.md");
                yield KubernetesTarget.connect(config, console);
            }
            case "swarm" -> new dev.slipway.deploy.swarm.SwarmTarget(config,
                    dev.slipway.remote.DockerEngine.fromEnv(System::getenv), console);
            default -> throw new IllegalStateException(name);
        };
    }

    /**
     * @param name a target name
     * @throws SlipwayException (exit 2) when it is not one of {@link #NAMES}
     */
    public static void requireKnown(String name) {
        if (!NAMES.contains(name)) {
            String close = dev.slipway.config.Suggest.closest(name, NAMES);
            throw SlipwayException.usage("unknown target '" + name + "'" + (close == null ? "" : "; did you mean '" + close
                    + "'?") + " (available targets: " + String.join(", ", NAMES) + ")");
        }
    }

    /** @return whether {@code name} is one of {@link #NAMES} */
    public static boolean isName(String name) {
        return NAMES.contains(name);
    }

    /**
     * Parses {@code --lock-wait} (every target takes it, so a typo is an error everywhere, even
     * where nothing waits for a lock).
     *
     * @param text a duration as slipway.yaml writes them, e.g. {@code 0s}, {@code 2m}, or {@code 0}
     *             alone: don't wait (the one number that needs no unit)
     * @return the duration
     * @throws SlipwayException (exit 2) when it is not a duration; nothing changed
     */
    public static Duration lockWait(String text) {
        if (text.strip().matches("0+")) {
            return Duration.ZERO;
        }
        try {
            return ConfigLoader.parseDuration(text);
        } catch (IllegalArgumentException e) {
            throw SlipwayException.usage("--lock-wait: " + e.getMessage());
        }
    }

    private static void requireSection(boolean present, SlipwayConfig config, String key, String doc) {
        if (!present) {
            throw SlipwayException.usage(config.file() + ": no '" + key + "' section (see " + doc + ")");
        }
    }
}
