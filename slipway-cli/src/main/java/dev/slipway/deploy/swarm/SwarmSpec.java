package dev.slipway.deploy.swarm;

import dev.slipway.util.Json;
import com.fasterxml.jackson.core.type.TypeReference;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.config.SwarmConfig;
import dev.slipway.deploy.Revision;
import dev.slipway.image.ImageBuilder;
import dev.slipway.image.OciImage;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Swarm service spec a release runs as (Engine API {@code ServiceSpec}, v1.41), as a plain
 * value made from the configuration only, and Slipway's history kept in the service's labels.
 *
 * <p>Shape: replicated mode with {@code deploy.swarm.replicas}; the chapter's {@code update_config}
 * (parallelism, delay, order, monitor, {@code failure_action: rollback}, no failed task tolerated);
 * the readiness probe as the container's health check ({@link ImageBuilder#healthcheck}, run by
 * the image's {@code slipway-probe}), so Swarm counts a task as running only once it is ready;
 * {@code stop_grace_period} = drain timeout + 5 s; {@code PORT}, {@code ADDR}, {@code DRAIN_TIMEOUT}
 * and {@code deploy.swarm.env}; the port published through the routing mesh, or the node's network
 * ({@code network: host}). The task template's labels carry the version, so a new release always
 * rolls the tasks even when the image is the same.
 */
public final class SwarmSpec {
    /** Service label: the release version. */
    public static final String VERSION = "dev.slipway.version";
    /** Service label: the release commit. */
    public static final String COMMIT = "dev.slipway.commit";
    /** Service label: Slipway's revisions, a JSON array (the last {@value #KEPT}). */
    public static final String HISTORY = "dev.slipway.history";
    /** Revisions kept in {@link #HISTORY}. */
    public static final int KEPT = 20;
    /** Added to the health check's timeout for starting the probe's exec. */
    public static final Duration EXEC_ALLOWANCE = Duration.ofSeconds(5);
    private static final ObjectMapper JSON = Json.MAPPER;

    private SwarmSpec() {}

    /**
     * The spec of one release.
     *
     * @param config    the service configuration
     * @param image     the image reference
     * @param version   the release version
     * @param commit    its commit, or {@code ""}
     * @param history   the revisions to keep in the labels (this one included)
     * @param hostNetId the id of the engine's {@code host} network, for {@code network: host}
     * @param portPrefix with {@code portPrefixes}, the prefix of this release's task ports (the port is
     *                  the prefix followed by the task's slot, Swarm's {@code {{.Task.Slot}}}); 0 for
     *                  {@code service.port}
     * @param secrets   the Docker secrets of {@code deploy.swarm.secrets}: variable name to the
     *                  secret's ID and name ({@code [id, name]}), in the configuration's order
     * @return the ServiceSpec as a JSON-ready map
     */
    public static Map<String, Object> of(SlipwayConfig config, String image, String version, String commit,
                                         List<Entry> history, String hostNetId, int portPrefix,
                                         Map<String, List<String>> secrets) {
        if (config.service().readiness().process()) {
            throw dev.slipway.SlipwayException.usage(config.file() + ": "
                    + dev.slipway.config.SlipwayConfig.Probe.noPortRefusal("swarm"));
        }
        SwarmConfig s = config.swarm();
        SlipwayConfig.Service svc = config.service();
        List<String> env = new ArrayList<>(List.of("PORT=" + port(portPrefix, svc.port()), "ADDR=0.0.0.0",
                "DRAIN_TIMEOUT=" + svc.drainTimeout().toSeconds()));
        // No other variable carries the task's port: the image's entrypoint (slipway-start) expands
        // ${PORT} in service.env and image.env values from this PORT when the task starts.
        s.env().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> env.add(e.getKey() + "=" + e.getValue()));
        // Docker secrets are files (/run/secrets/NAME, readable by the image's user only); NAME_FILE
        // names the file, as images that take secrets commonly read them. The value is not in the spec.
        List<Map<String, Object>> secretRefs = new ArrayList<>();
        secrets.forEach((name, ref) -> {
            env.add(name + "_FILE=/run/secrets/" + name);
            String[] user = config.image().user().split(":");
            secretRefs.add(Map.of("File", Map.of("Name", name, "UID", user[0], "GID", user.length > 1 ? user[1] : user[0],
                    "Mode", 0400), "SecretID", ref.get(0), "SecretName", ref.get(1)));
        });
        OciImage.Healthcheck h = ImageBuilder.healthcheck(svc.readiness());
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("Test", h.test());
        health.put("Interval", h.interval().toNanos());
        // The probe keeps its own deadline (its last argument, the image's); Docker's timeout also
        // covers starting the exec (runc), which takes seconds on a loaded node, so a node that is
        // merely busy does not fail a ready task's checks.
        health.put("Timeout", h.timeout().plus(EXEC_ALLOWANCE).toNanos());
        health.put("StartPeriod", h.startPeriod().toNanos());
        health.put("Retries", h.retries());

        Map<String, Object> container = new LinkedHashMap<>();
        container.put("Image", image);
        container.put("Env", env);
        container.put("Labels", Map.of(VERSION, version));
        container.put("StopSignal", "SIGTERM");
        container.put("StopGracePeriod", svc.drainTimeout().plusSeconds(5).toNanos());
        container.put("Healthcheck", health);
        if (!secretRefs.isEmpty()) {
            container.put("Secrets", secretRefs);
        }

        Map<String, Object> task = new LinkedHashMap<>();
        task.put("ContainerSpec", container);
        task.put("RestartPolicy", Map.of("Condition", "any", "Delay", Duration.ofSeconds(2).toNanos()));
        if (s.network().equals("host")) {
            task.put("Networks", List.of(Map.of("Target", hostNetId)));
        }

        Map<String, Object> update = new LinkedHashMap<>();
        update.put("Parallelism", s.parallelism());
        update.put("Delay", s.delay().toNanos());
        update.put("FailureAction", "rollback");
        update.put("Monitor", s.monitor().toNanos());
        update.put("MaxFailureRatio", 0);
        update.put("Order", s.order());
        Map<String, Object> rollback = new LinkedHashMap<>(update);
        rollback.put("FailureAction", "pause");
        rollback.put("Delay", 0L);

        Map<String, Object> labels = new LinkedHashMap<>();
        labels.put(VERSION, version);
        labels.put(COMMIT, commit);
        labels.put(HISTORY, write(history));

        Map<String, Object> spec = new LinkedHashMap<>();
        spec.put("Name", s.service());
        spec.put("Labels", labels);
        spec.put("TaskTemplate", task);
        spec.put("Mode", Map.of("Replicated", Map.of("Replicas", s.replicas())));
        spec.put("UpdateConfig", update);
        spec.put("RollbackConfig", rollback);
        if (s.network().equals("ingress")) {
            spec.put("EndpointSpec", Map.of("Mode", "vip", "Ports", List.of(Map.of("Protocol", "tcp",
                    "TargetPort", svc.port(), "PublishedPort", s.publishedPort(), "PublishMode", "ingress"))));
        }
        return spec;
    }

    /** Service label of a canary service: the service it is the canary of. */
    public static final String CANARY_OF = "dev.slipway.canary-of";

    /**
     * The spec of a canary service, from a release's spec ({@link #of}): another name, the label
     * {@link #CANARY_OF}, {@code TRACK=canary} in the tasks' environment (the metrics' {@code track}
     * label), {@code replicas} tasks, and no history (the stable service keeps it).
     *
     * @param spec     a spec from {@link #of}, changed in place
     * @param name     the canary service's name
     * @param stable   the stable service's name
     * @param replicas the canary's tasks
     * @return {@code spec}
     */
    @SuppressWarnings("unchecked")
    public static Map<String, Object> canary(Map<String, Object> spec, String name, String stable, int replicas) {
        spec.put("Name", name);
        Map<String, Object> labels = new LinkedHashMap<>((Map<String, Object>) spec.get("Labels"));
        labels.remove(HISTORY);
        labels.put(CANARY_OF, stable);
        spec.put("Labels", labels);
        Map<String, Object> container = (Map<String, Object>) ((Map<String, Object>) spec.get("TaskTemplate")).get("ContainerSpec");
        List<String> env = new ArrayList<>((List<String>) container.get("Env"));
        env.removeIf(e -> e.startsWith("TRACK="));
        env.add("TRACK=canary");
        container.put("Env", env);
        spec.put("Mode", Map.of("Replicated", Map.of("Replicas", replicas)));
        return spec;
    }

    /**
     * The {@code PORT} of a release's tasks.
     *
     * @param portPrefix the release's port prefix, or 0
     * @param port       {@code service.port}
     * @return {@code PREFIX{{.Task.Slot}}} (Swarm expands the placeholder per task), else the port
     */
    public static String port(int portPrefix, int port) {
        return portPrefix > 0 ? portPrefix + "{{.Task.Slot}}" : String.valueOf(port);
    }

    /**
     * The port prefix the tasks of a service's spec use.
     *
     * @param service the service as the engine describes it, or {@code null}
     * @return the prefix of its {@code PORT=PREFIX{{.Task.Slot}}}, or 0
     */
    public static int portPrefix(JsonNode service) {
        if (service != null) {
            for (JsonNode e : service.path("Spec").path("TaskTemplate").path("ContainerSpec").path("Env")) {
                String v = e.asText();
                if (v.startsWith("PORT=") && v.endsWith("{{.Task.Slot}}")) {
                    return Integer.parseInt(v.substring(5, v.length() - "{{.Task.Slot}}".length()));
                }
            }
        }
        return 0;
    }

    /**
     * One revision as the labels keep it: {@link Revision}'s columns plus the image, so a rollback
     * to it needs nothing else.
     *
     * @param revision the revision number, from 1
     * @param version  the release version
     * @param commit   its commit
     * @param image    the image reference
     * @param time     when it was recorded
     * @param outcome  {@code deployed}, {@code rolled-back}, {@code rollback}
     * @param who      {@code user@machine}
     * @param note     why, for a failed one
     */
    public record Entry(int revision, String version, String commit, String image, String time, String outcome,
                        String who, String note) {
        /**
         * @return the history row, its time in whole seconds like every target's (labels written before
         *         carry nanoseconds, which widened the TIME column of {@code history --to swarm})
         */
        public Revision toRevision() {
            return new Revision(revision, version, commit, Instant.parse(time).truncatedTo(java.time.temporal.ChronoUnit.SECONDS),
                    outcome, who, "", note);
        }
    }

    /** @return the revisions in a service's labels (none when the label is missing or unreadable) */
    public static List<Entry> read(JsonNode service) {
        String text = service.path("Spec").path("Labels").path(HISTORY).asText("");
        if (text.isEmpty()) {
            return List.of();
        }
        try {
            return JSON.readValue(text, new TypeReference<List<Entry>>() { });
        } catch (Exception e) {
            return List.of();
        }
    }

    /** @return the last {@value #KEPT} revisions as the label's JSON text */
    public static String write(List<Entry> history) {
        try {
            return JSON.writeValueAsString(history.subList(Math.max(0, history.size() - KEPT), history.size()));
        } catch (Exception e) {
            throw new IllegalStateException(e);
        }
    }
}
