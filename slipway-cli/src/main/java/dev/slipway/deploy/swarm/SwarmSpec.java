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
     * @return the ServiceSpec as a JSON-ready map
     */
    public static Map<String, Object> of(SlipwayConfig config, String image, String version, String commit,
                                         List<Entry> history, String hostNetId) {
        SwarmConfig s = config.swarm();
        SlipwayConfig.Service svc = config.service();
        List<String> env = new ArrayList<>(List.of("PORT=" + svc.port(), "ADDR=0.0.0.0",
                "DRAIN_TIMEOUT=" + svc.drainTimeout().toSeconds()));
        s.env().entrySet().stream().sorted(Map.Entry.comparingByKey()).forEach(e -> env.add(e.getKey() + "=" + e.getValue()));
        OciImage.Healthcheck h = ImageBuilder.healthcheck(svc.readiness());
        Map<String, Object> health = new LinkedHashMap<>();
        health.put("Test", h.test());
        health.put("Interval", h.interval().toNanos());
        health.put("Timeout", h.timeout().toNanos());
        health.put("StartPeriod", h.startPeriod().toNanos());
        health.put("Retries", h.retries());

        Map<String, Object> container = new LinkedHashMap<>();
        container.put("Image", image);
        container.put("Env", env);
        container.put("Labels", Map.of(VERSION, version));
        container.put("StopSignal", "SIGTERM");
        container.put("StopGracePeriod", svc.drainTimeout().plusSeconds(5).toNanos());
        container.put("Healthcheck", health);

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
        /** @return the history row */
        public Revision toRevision() {
            return new Revision(revision, version, commit, Instant.parse(time), outcome, who, "", note);
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
