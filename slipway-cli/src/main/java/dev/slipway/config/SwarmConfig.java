package dev.slipway.config;

import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * The resolved {@code deploy.swarm} section of {@code slipway.yaml}: how the service runs as a
 * Docker Swarm service, rolled out by Swarm's own rolling update ({@code docker service update
 * --update-parallelism 1 --update-delay 10s --update-failure-action rollback}). The reference is
 * {@code docs/config.md}, section {@code deploy.swarm}, and the guide {@code docs/swarm.md}.
 *
 * @param service        the Swarm service's name (default: the service name)
 * @param image          the image to run ({@code NAME@sha256:HEX} or {@code NAME:TAG}), or
 *                       {@code null} for the one {@code slipway image --push} recorded in
 *                       {@code dist/artifacts.json}
 * @param replicas       tasks of the service (default 3)
 * @param parallelism    tasks updated at once ({@code update_config.parallelism}, default 1)
 * @param delay          wait between two batches ({@code update_config.delay}, default 10s)
 * @param order          {@code start-first} (default: the new task starts beside the old one) or
 *                       {@code stop-first} ({@code update_config.order})
 * @param monitor        how long after a task's update Swarm watches it for failure
 *                       ({@code update_config.monitor}, default 30s)
 * @param network        {@code ingress} (default: the port is published through Swarm's routing
 *                       mesh) or {@code host} (tasks share the node's network: one task per node and
 *                       port, so use {@code order: stop-first}, or give {@code portPrefixes})
 * @param portPrefixes   with {@code network: host}, two port prefixes (empty: none): each task listens
 *                       on its prefix followed by its slot number (Swarm's {@code {{.Task.Slot}}}), the
 *                       prefix alternating from one release to the next, so that several tasks share a
 *                       node and a start-first task never needs a port an old task holds
 * @param publishedPort  the port published on every node (default {@code service.port}); ingress only
 * @param env            plain environment variables of every task, on top of {@code service.env}
 * @param secrets        names of environment variables of the deploy machine whose values become
 *                       Docker secrets, mounted in every task at {@code /run/secrets/NAME}, with
 *                       {@code NAME_FILE} naming that file; values never enter the spec or a log
 * @param rolloutTimeout how long a deploy waits for the rollout (and a rollback) to converge
 *                       (default 10m)
 * @param configured     whether slipway.yaml has a {@code deploy.swarm} section
 */
public record SwarmConfig(String service, String image, int replicas, int parallelism, Duration delay, String order,
                          Duration monitor, String network, List<Integer> portPrefixes, int publishedPort,
                          Map<String, String> env, List<String> secrets, Duration rolloutTimeout, boolean configured) {

    /** Swarm service names: letters, digits, '-', '_' and '.', starting with a letter or digit, at most 63. */
    private static final Pattern NAME = Pattern.compile("[a-zA-Z0-9][a-zA-Z0-9_.-]{0,62}");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");

    // ---- raw model: what the YAML may contain; every field optional -------------------------

    record RawSwarm(
            @Key(doc = "Swarm service name (default: the service name)") String service,
            @Key(doc = "Image NAME@sha256:HEX or NAME:TAG (default: the pushed image in dist/artifacts.json)") String image,
            @Key(doc = "Tasks of the service (default 3)") Integer replicas,
            @Key(doc = "Tasks updated at once, update_config.parallelism (default 1)") Integer parallelism,
            @Key(doc = "Wait between two batches, update_config.delay (default 10s)") Duration delay,
            @Key(values = {"start-first", "stop-first"}, doc = "update_config.order (default start-first)") String order,
            @Key(doc = "How long Swarm watches an updated task for failure, update_config.monitor (default 30s)")
            Duration monitor,
            @Key(values = {"ingress", "host"}, doc = "ingress: publish through the routing mesh (default); host: the"
                    + " node's network") String network,
            @Key(doc = "network: host only: two port prefixes; a task listens on its prefix followed by its slot"
                    + " number, the prefix alternating between releases") List<Integer> portPrefixes,
            @Key(doc = "Port published on every node (default service.port)") Integer publishedPort,
            @Key(doc = "Plain environment variables of every task") Map<String, String> env,
            @Key(doc = "Environment variables of the deploy machine that become Docker secrets, mounted at"
                    + " /run/secrets/NAME with NAME_FILE naming the file") List<String> secrets,
            @Key(doc = "How long a deploy waits for the rollout to converge (default 10m)") Duration rolloutTimeout) {}

    /**
     * Resolves and validates the raw section.
     *
     * @param v       reports errors at the offending value's {@code file:line:col}
     * @param raw     the raw section, or {@code null} when absent
     * @param name    the service name
     * @param service the resolved {@code service} section
     * @return the section with defaults filled in
     * @throws ConfigException (exit 2) for a bad name, count, duration, port or variable
     */
    static SwarmConfig resolve(ConfigLoader.Validator v, RawSwarm raw, String name, SlipwayConfig.Service service) {
        String p = "deploy.swarm";
        v.checkKey(raw == null || !service.readiness().process(), p, SlipwayConfig.Probe.noPortRefusal("swarm")
                + ", and remove deploy.swarm");
        RawSwarm r = raw == null ? new RawSwarm(null, null, null, null, null, null, null, null, null, null, null, null, null) : raw;
        String svc = r.service() == null ? name : r.service();
        v.check(NAME.matcher(svc).matches(), p + ".service", "'" + svc + "' is not a Swarm service name: letters,"
                + " digits, '-', '_' and '.', starting with a letter or digit, at most 63");
        if (r.image() != null) {
            v.check(!r.image().isBlank() && !r.image().contains(" "), p + ".image", "'" + r.image()
                    + "' is not an image reference; write NAME@sha256:<64 hex> or NAME:TAG");
        }
        int replicas = r.replicas() == null ? 3 : r.replicas();
        v.check(replicas >= 1 && replicas <= 1000, p + ".replicas", "replicas must be 1-1000");
        int parallelism = r.parallelism() == null ? 1 : r.parallelism();
        v.check(parallelism >= 1 && parallelism <= replicas, p + ".parallelism", "parallelism must be 1-replicas ("
                + replicas + ")");
        Duration delay = r.delay() == null ? Duration.ofSeconds(10) : r.delay();
        v.check(!delay.isNegative(), p + ".delay", "delay must not be negative");
        Duration monitor = r.monitor() == null ? Duration.ofSeconds(30) : r.monitor();
        v.check(!monitor.isNegative() && !monitor.isZero(), p + ".monitor", "monitor must be positive");
        String order = r.order() == null ? "start-first" : r.order();
        String network = r.network() == null ? "ingress" : r.network();
        int published = r.publishedPort() == null ? service.port() : r.publishedPort();
        v.check(published >= 1 && published <= 65535, p + ".publishedPort", "publishedPort must be 1-65535");
        v.check(r.publishedPort() == null || network.equals("ingress"), p + ".publishedPort",
                "publishedPort is for network: ingress; with network: host the task listens on service.port itself");
        List<Integer> prefixes = r.portPrefixes() == null ? List.of() : List.copyOf(r.portPrefixes());
        if (!prefixes.isEmpty()) {
            v.check(network.equals("host"), p + ".portPrefixes", "portPrefixes is for network: host");
            v.check(prefixes.size() == 2 && !prefixes.get(0).equals(prefixes.get(1)), p + ".portPrefixes",
                    "give two different prefixes, e.g. [2001, 2002]");
            v.check(prefixes.stream().allMatch(x -> x >= 1 && x * 10 + 9 <= 65535), p + ".portPrefixes",
                    "a prefix followed by a slot number (1-9) must be a port: prefixes are 1-6552");
            v.check(replicas <= 9, p + ".portPrefixes", "portPrefixes give one digit to the slot: replicas must be 1-9");
        }
        List<String> secrets = r.secrets() == null ? List.of() : List.copyOf(r.secrets());
        for (int i = 0; i < secrets.size(); i++) {
            String at = p + ".secrets[" + i + "]";
            v.check(ENV_NAME.matcher(secrets.get(i)).matches(), at, "'" + secrets.get(i)
                    + "' is not an environment variable name (letters, digits, '_'; not starting with a digit)");
            v.check(!KubernetesConfig.RESERVED_ENV.contains(secrets.get(i)), at, secrets.get(i)
                    + " is set by Slipway in every task");
        }
        Map<String, String> env = new LinkedHashMap<>();
        if (r.env() != null) {
            for (var e : r.env().entrySet()) {
                String at = p + ".env." + e.getKey();
                v.checkKey(ENV_NAME.matcher(e.getKey()).matches(), at, "'" + e.getKey()
                        + "' is not an environment variable name (letters, digits, '_'; not starting with a digit)");
                v.checkKey(!KubernetesConfig.RESERVED_ENV.contains(e.getKey()), at, e.getKey()
                        + " is set by Slipway in every task");
                v.checkOneLine(at, e.getValue());
                env.put(e.getKey(), e.getValue());
            }
        }
        Duration timeout = r.rolloutTimeout() == null ? Duration.ofMinutes(10) : r.rolloutTimeout();
        v.check(timeout.compareTo(Duration.ofSeconds(10)) >= 0, p + ".rolloutTimeout", "rolloutTimeout must be 10s or more");
        return new SwarmConfig(svc, r.image(), replicas, parallelism, delay, order, monitor, network, prefixes, published,
                java.util.Collections.unmodifiableMap(new java.util.LinkedHashMap<>(env)), secrets, timeout, raw != null);
    }
}
