package dev.slipway.deploy.kubernetes;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.KubernetesConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Report;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerStatus;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.Event;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.client.Config;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientBuilder;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.Watch;
import io.fabric8.kubernetes.client.Watcher;
import io.fabric8.kubernetes.client.WatcherException;
import io.fabric8.kubernetes.client.dsl.RollableScalableResource;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;

/**
 * The {@code kubernetes} deploy target: applies a release's manifests through the fabric8
 * kubernetes-client, watches the rollout like {@code kubectl rollout status}, rolls back like
 * {@code kubectl rollout undo} (from the ReplicaSet history, revision annotation
 * {@code deployment.kubernetes.io/revision}). A canary is a second Deployment
 * {@code <name>-canary} behind the same Service, driven by {@code canary.CanaryRun} through
 * {@code canary.KubernetesCanaryTarget}.
 *
 * <p>Apply is a three-way merge, as {@code kubectl apply} does for types without a strategic
 * merge: each object records what Slipway applied in the annotation {@value #LAST_APPLIED}, and a
 * deploy sends a patch that sets what changed and removes only what Slipway itself applied before, so labels and annotations other tools add survive. Objects labelled
 * {@code app.kubernetes.io/managed-by} other than {@code slipway} are refused unless adopted
 * ({@code --adopt}); an HPA or PDB that Slipway created and {@code slipway.yaml} no longer has is
 * deleted (pruned). With an HPA the Deployment carries no {@code replicas} and keeps the live
 * count, so a deploy never undoes the HPA's scaling. A rollout fails at once on what no wait
 * mends ({@code ReplicaFailure}, {@code CreateContainerConfigError}, {@code InvalidImageName}, an
 * image pull failing past {@link #PULL_GRACE}); otherwise waits are bounded by
 * {@code deploy.kubernetes.progressDeadline}, counted from the last observed progress, as the
 * Deployment controller counts it.
 */
public final class KubernetesTarget implements dev.slipway.deploy.Target {
    private static final Set<String> UNDO_SKIP = Set.of("kubectl.kubernetes.io/last-applied-configuration",
            Manifests.K8S_REVISION, "deployment.kubernetes.io/revision-history",
            "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
            "deprecated.deployment.rollback.to");

    /**
     * Annotation: the object as last applied (JSON), the base of the three-way merge. It is
     * kubectl's own, so that {@code kubectl apply} and Slipway merge from the same base, and the
     * Deployment controller does not copy it to ReplicaSets (it skips this key).
     */
    public static final String LAST_APPLIED = "kubectl.kubernetes.io/last-applied-configuration";
    /**
     * How long a new pod may fail to pull its image ({@code ErrImagePull}, {@code ImagePullBackOff})
     * before the rollout fails: a registry hiccup is retried by the kubelet, a missing image or
     * missing credentials are not mended by waiting for the progress deadline.
     */
    static final Duration PULL_GRACE = Duration.ofSeconds(30);
    /** Container waiting reasons that no retry mends: the rollout fails at once. */
    private static final Set<String> TERMINAL_WAITING = Set.of("CreateContainerConfigError", "InvalidImageName");
    /** Container waiting reasons that fail the rollout after {@link #PULL_GRACE}. */
    private static final Set<String> PULL_WAITING = Set.of("ErrImagePull", "ImagePullBackOff");

    private final SlipwayConfig config;
    private final KubernetesConfig k;
    private final KubernetesClient client;
    private final Console console;
    private final Duration poll;
    private final boolean watch;
    private final KubernetesSerialization serialization = Manifests.SERIALIZATION;
    private Duration pullGrace = PULL_GRACE;

    /**
     * @param config  the service configuration
     * @param client  a client for the cluster (closed by {@link #close()})
     * @param console where progress and reports go
     * @param poll    the longest wait between two readings of a rollout when no watch event comes
     * @param watch   whether to watch the Deployment (a reading at each event, and at least every
     *                {@code poll}); without it the rollout is read every {@code poll}
     */
    public KubernetesTarget(SlipwayConfig config, KubernetesClient client, Console console, Duration poll,
                            boolean watch) {
        this.config = config;
        this.k = config.kubernetes();
        this.client = client;
        this.console = console;
        this.poll = poll;
        this.watch = watch;
    }

    /**
     * Connects with the kubeconfig ({@code $KUBECONFIG} or {@code ~/.kube/config}, or the in-cluster
     * service account), using {@code deploy.kubernetes.context} or the current context.
     *
     * @param config  the service configuration
     * @param console output
     * @return the target
     * @throws SlipwayException (exit 2) when the context is unknown
     */
    public static KubernetesTarget connect(SlipwayConfig config, Console console) {
        try {
            Config c = Config.autoConfigure(config.kubernetes().context());
            // An unreachable server fails in seconds (3 retries from 250 ms, doubling), not minutes.
            c.setRequestRetryBackoffLimit(3);
            c.setRequestRetryBackoffInterval(250);
            if (config.kubernetes().context() != null && (c.getCurrentContext() == null
                    || !config.kubernetes().context().equals(c.getCurrentContext().getName()))) {
                throw SlipwayException.usage("kubeconfig has no context '" + config.kubernetes().context()
                        + "' (deploy.kubernetes.context)");
            }
            return new KubernetesTarget(config, new KubernetesClientBuilder().withConfig(c)
                    .withHttpClientBuilderConsumer(b -> b.addOrReplaceInterceptor("slipway-warnings", warnings(console)))
                    .build(), console, Duration.ofSeconds(2), true);
        } catch (KubernetesClientException e) {
            throw SlipwayException.usage("cannot configure the Kubernetes client: " + e.getMessage());
        }
    }

    /**
     * Shows the API server's warnings: every {@code Warning} header of a response (RFC 7234
     * format {@code 299 - "text"}, which the API server sends for deprecated APIs, unknown fields
     * it dropped, or a pod spec a namespace's Pod Security level would refuse in {@code warn}
     * mode) becomes a line {@code warning from the API server: text}, once per text.
     *
     * @param console where the lines go
     * @return an interceptor for the client's HTTP client
     */
    public static io.fabric8.kubernetes.client.http.Interceptor warnings(Console console) {
        Set<String> said = java.util.concurrent.ConcurrentHashMap.newKeySet();
        return new io.fabric8.kubernetes.client.http.Interceptor() {
            @Override
            public void after(io.fabric8.kubernetes.client.http.HttpRequest request,
                              io.fabric8.kubernetes.client.http.HttpResponse<?> response,
                              io.fabric8.kubernetes.client.http.AsyncBody.Consumer<List<java.nio.ByteBuffer>> consumer) {
                for (String w : response.headers("Warning")) {
                    String text = w.replaceFirst("^\\d{3} \\S+ \"(.*)\"$", "$1").replace("\\\"", "\"");
                    if (said.add(text)) {
                        console.progress("warning from the API server: " + text);
                    }
                }
            }
        };
    }

    /** Sets how long a failing image pull is given before the rollout fails (tests shorten it). */
    void pullGrace(Duration grace) {
        this.pullGrace = grace;
    }

    /**
     * What a deploy, rollback or promote ended with.
     *
     * @param deployment the Deployment's name
     * @param revision   its revision ({@code deployment.kubernetes.io/revision}), 0 when unknown
     * @param version    the release version now running
     * @param image      the image now running
     */
    public record Outcome(String deployment, long revision, String version, String image) {}

    /**
     * One revision in the ReplicaSet history.
     *
     * @param revision    the revision number
     * @param version     the release version ({@code slipway.dev/version}), or {@code "-"}
     * @param commit      the commit, or {@code "-"}
     * @param image       the image
     * @param created     the ReplicaSet's creation time (RFC 3339)
     * @param replicas    its current replicas
     * @param current     whether it is the Deployment's current revision
     * @param changeCause {@code kubernetes.io/change-cause}, or {@code ""}
     */
    public record Revision(long revision, String version, String commit, String image, String created, int replicas,
                           boolean current, String changeCause) {}

    /**
     * What runs now.
     *
     * @param deployed  whether the Deployment exists
     * @param revision  its revision
     * @param version   the release version
     * @param image     the image
     * @param desired   desired replicas
     * @param updated   updated replicas
     * @param ready     ready replicas
     * @param available available replicas
     * @param rollout   the rollout reading, as kubectl words it
     * @param canary    the canary, or {@code null} when none runs
     */
    public record Status(boolean deployed, long revision, String version, String image, int desired, int updated,
                         int ready, int available, String rollout, CanaryStatus canary) {}

    /**
     * A running canary.
     *
     * @param version the canary's release version
     * @param image   its image
     * @param split   the replica split, with the real weight
     * @param ready   ready canary pods
     * @param phase   the canary's phase in lower case ({@code progressing}, {@code paused},
     *                {@code promoting}) from its state annotation, or {@code ""} when it has none
     * @param message the state's message (why it paused), or {@code ""}
     */
    public record CanaryStatus(String version, String image, CanarySplit split, int ready, String phase, String message) {}

    // ---- render and apply --------------------------------------------------------------------

    /**
     * Renders the manifests of a release (what {@code slipway render kubernetes} writes).
     *
     * @param config  the service configuration
     * @param release the image and version
     * @return the manifests
     */
    public static Manifests manifests(SlipwayConfig config, KubeRelease release) {
        return Manifests.of(config, release);
    }

    /**
     * Deploys a release: applies its manifests, watches the rollout, and on a missed progress
     * deadline reports the pods' problems and rolls back to the previous revision.
     *
     * @param release  the image and version
     * @param rollback whether a failed rollout is rolled back ({@code --no-rollback} turns it off)
     * @return the outcome when the rollout is available
     * @throws SlipwayException (exit 1) when the rollout failed (and was rolled back unless told not
     *                          to); exit 2 when a canary runs
     */
    public Outcome deploy(KubeRelease release, boolean rollback) {
        return deploy(release, rollback, false);
    }

    /**
     * Deploys a release as {@link #deploy(KubeRelease, boolean)} does, refusing objects another
     * tool manages unless {@code adopt}, and pruning the HPA or PDB that left the config.
     *
     * @param release  the image and version
     * @param rollback whether a failed rollout is rolled back
     * @param adopt    whether objects labelled as managed by another tool are taken over
     * @return the outcome when the rollout is available
     * @throws SlipwayException exit 2 (nothing changed) for an object another tool manages or a
     *                          running canary; exit 1 when the rollout failed
     */
    public Outcome deploy(KubeRelease release, boolean rollback, boolean adopt) {
        Manifests m = Manifests.of(config, release);
        refuseDuringCanary();
        refuseForeign(m, adopt);
        Deployment live = deployments().withName(config.name()).get();
        long before = live == null ? 0 : revision(live);
        m.deployment().getMetadata().getAnnotations().put(Manifests.REVISION, String.valueOf(before + 1));
        console.progress("applying " + config.name() + " " + release.version() + " (" + release.image() + ") to namespace "
                + k.namespace() + (before == 0 ? "" : ", revision " + before + " runs now"));
        for (HasMetadata o : m.all()) {
            apply(o);
        }
        for (HasMetadata o : prunable(m)) {
            client.resource(o).inNamespace(k.namespace()).delete();
            console.progress("  deleted " + o.getKind() + "/" + o.getMetadata().getName() + " (Slipway created it;"
                    + " slipway.yaml no longer has it)");
        }
        RolloutStatus end = await(config.name());
        if (end.state() == RolloutStatus.State.DONE) {
            return outcome(config.name());
        }
        String why = end.message() + diagnose(config.name());
        if (!rollback || before == 0) {
            throw SlipwayException.failed("the rollout of " + config.name() + " " + release.version() + " failed: " + why
                    + (before == 0 ? "\n  (nothing to roll back to: this was the first revision)"
                    : "\n  not rolled back (--no-rollback); 'slipway rollback --to kubernetes' undoes it"));
        }
        console.progress("rolling back " + config.name() + " to revision " + before);
        Outcome back;
        try {
            back = undo(before);
        } catch (SlipwayException e) {
            throw SlipwayException.failed("the rollout of " + config.name() + " " + release.version() + " failed: " + why
                    + "\n  and the rollback failed too: " + e.getMessage());
        }
        throw SlipwayException.failed("the rollout of " + config.name() + " " + release.version() + " failed: " + why
                + "\n  rolled back: revision " + back.revision() + " runs " + back.version() + " again (the pod template of"
                + " revision " + before + ")");
    }

    /**
     * Creates the object, or merges it into the live one: a patch computed three-way from what Slipway applied last ({@value #LAST_APPLIED}), the object now, and the
     * live object ({@link MergePatch#threeWay}), so fields Slipway never set (other owners' labels
     * and annotations, a Service's cluster IP, the controller's revision annotation, status) are
     * kept, and fields Slipway set before and no longer renders are removed. Without
     * {@code replicas} (an HPA scales the Deployment) the live count is never removed: the HPA
     * takes over from it. The patch goes as JSON Patch operations ({@link MergePatch#jsonPatch})
     * and carries the resourceVersion it read; a 409 Conflict (the object
     * changed in between) is retried with a fresh read, at most 5 attempts in all.
     */
    public void apply(HasMetadata o) {
        retryOnConflict(() -> {
            applyOnce(o);
            return null;
        }, () -> console.progress("  " + o.getKind() + "/" + o.getMetadata().getName() + " changed while it was patched"
                + " (409 Conflict); reading it again"));
    }

    /**
     * Runs a read-modify-write again when the API server answers 409 Conflict: the object changed
     * between the read and the write (a controller, the HPA), and the write carried the
     * resourceVersion it read (Kubernetes API conventions, "Concurrency Control and Consistency").
     * At most 5 attempts, 100 ms more between each.
     *
     * @param write      reads the object afresh and writes it (fabric8's {@code edit} does both)
     * @param onConflict called before each new attempt (for a progress line), or a no-op
     * @return what {@code write} returned
     * @throws io.fabric8.kubernetes.client.KubernetesClientException any other error, or the 5th conflict
     */
    public static <T> T retryOnConflict(java.util.function.Supplier<T> write, Runnable onConflict) {
        for (int attempt = 1; ; attempt++) {
            try {
                return write.get();
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 5) {
                    throw e;
                }
                onConflict.run();
                try {
                    Thread.sleep(100L * attempt);
                } catch (InterruptedException ie) {
                    Thread.currentThread().interrupt();
                    throw e;
                }
            }
        }
    }

    @SuppressWarnings("unchecked")
    private void applyOnce(HasMetadata o) {
        var r = client.resource(o).inNamespace(k.namespace());
        HasMetadata live = r.get();
        Map<String, Object> desired = serialization.convertValue(o, Map.class);
        desired.remove("status");
        Map<String, Object> meta = (Map<String, Object>) desired.get("metadata");
        meta.remove("resourceVersion");
        Map<String, Object> annotations = meta.get("annotations") instanceof Map<?, ?> a
                ? new java.util.LinkedHashMap<>((Map<String, Object>) a) : new java.util.LinkedHashMap<>();
        annotations.remove(LAST_APPLIED);
        meta.put("annotations", annotations);
        annotations.put(LAST_APPLIED, serialization.asJson(desired));
        if (live == null) {
            client.resource(serialization.convertValue(desired, o.getClass())).inNamespace(k.namespace()).create();
            console.progress("  created " + o.getKind() + "/" + o.getMetadata().getName());
            return;
        }
        String lastJson = annotations(live).get(LAST_APPLIED);
        Map<String, Object> last = Map.of();
        if (lastJson != null) {
            try {
                last = serialization.unmarshal(lastJson, Map.class);
            } catch (RuntimeException e) {
                console.progress("  " + o.getKind() + "/" + o.getMetadata().getName() + ": annotation " + LAST_APPLIED
                        + " does not parse; merging without it (nothing is removed)");
            }
        }
        Map<String, Object> liveMap = serialization.convertValue(live, Map.class);
        Map<String, Object> patch = MergePatch.threeWay(last, desired, liveMap);
        if (patch.get("spec") instanceof Map<?, ?> spec && spec.containsKey("replicas") && spec.get("replicas") == null) {
            // The HPA hand-over: a Deployment rendered without replicas keeps the live count, which the HPA owns.
            ((Map<String, Object>) spec).remove("replicas");
            if (spec.isEmpty()) {
                patch.remove("spec");
            }
        }
        if (patch.isEmpty()) {
            console.progress("  unchanged " + o.getKind() + "/" + o.getMetadata().getName());
            return;
        }
        List<Map<String, Object>> ops = new ArrayList<>();
        // Optimistic concurrency: the patched object carries the resourceVersion read; the API
        // server answers 409 Conflict when the object changed since.
        ops.add(Map.of("op", "replace", "path", "/metadata/resourceVersion", "value", live.getMetadata().getResourceVersion()));
        ops.addAll(MergePatch.jsonPatch(patch, liveMap));
        client.resource(live).inNamespace(k.namespace()).patch(
                io.fabric8.kubernetes.client.dsl.base.PatchContext.of(io.fabric8.kubernetes.client.dsl.base.PatchType.JSON),
                serialization.asJson(ops));
        console.progress("  merged " + o.getKind() + "/" + o.getMetadata().getName());
    }

    /**
     * Refuses to touch objects another tool manages: a live object of the rendered ones whose
     * {@code app.kubernetes.io/managed-by} label is missing or not {@code slipway} (Helm writes
     * {@code Helm}, and Argo CD and Flux track their own objects).
     *
     * @param m     the rendered objects
     * @param adopt whether to take such objects over ({@code --adopt}): the merge then keeps
     *              every field Slipway does not render, and the label becomes {@code slipway}
     * @throws SlipwayException exit 2, before anything was changed, naming each object and its manager
     */
    void refuseForeign(Manifests m, boolean adopt) {
        List<String> foreign = new ArrayList<>();
        for (HasMetadata o : m.all()) {
            HasMetadata live = client.resource(o).inNamespace(k.namespace()).get();
            String by = live == null ? Manifests.MANAGED_BY : labels(live).get(Manifests.MANAGED_BY_LABEL);
            if (!Manifests.MANAGED_BY.equals(by)) {
                foreign.add(o.getKind() + "/" + o.getMetadata().getName() + " ("
                        + (by == null ? "no " + Manifests.MANAGED_BY_LABEL + " label" : Manifests.MANAGED_BY_LABEL + ": " + by) + ")");
            }
        }
        if (foreign.isEmpty()) {
            return;
        }
        if (adopt) {
            console.progress("adopting " + String.join(", ", foreign) + " (--adopt): Slipway manages them from now on");
            return;
        }
        throw SlipwayException.usage("namespace " + k.namespace() + " has objects of the same name that another tool"
                + " manages: " + String.join(", ", foreign) + "; nothing was changed. Remove them from that tool, or"
                + " deploy with --adopt to take them over (fields Slipway does not render are kept)");
    }

    /**
     * The objects to prune: HPAs and PodDisruptionBudgets labelled as Slipway's for this service
     * ({@code app.kubernetes.io/name} and {@code managed-by: slipway}) that the rendered manifests
     * no longer hold. Objects of other tools are never listed.
     *
     * @param m the rendered objects
     * @return the live objects to delete
     */
    List<HasMetadata> prunable(Manifests m) {
        Map<String, String> ours = Map.of("app.kubernetes.io/name", config.name(), Manifests.MANAGED_BY_LABEL,
                Manifests.MANAGED_BY);
        List<HasMetadata> out = new ArrayList<>();
        if (m.hpa() == null) {
            out.addAll(client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(k.namespace()).withLabels(ours)
                    .list().getItems());
        }
        if (m.pdb() == null) {
            out.addAll(client.policy().v1().podDisruptionBudget().inNamespace(k.namespace()).withLabels(ours)
                    .list().getItems());
        }
        return out;
    }

    // ---- rollout -----------------------------------------------------------------------------

    /**
     * Watches a Deployment until its rollout is done, the controller reports
     * {@code ProgressDeadlineExceeded}, or no progress was seen for {@code progressDeadline}.
     *
     * @param name the Deployment
     * @return the last reading ({@link RolloutStatus.State#DONE} on success)
     */
    public RolloutStatus await(String name) {
        BlockingQueue<Object> events = new LinkedBlockingQueue<>();
        Watch watch = null;
        try {
            watch = !this.watch ? null : deployments().withName(name).watch(new Watcher<>() {
                @Override
                public void eventReceived(Action action, Deployment resource) {
                    events.offer(action);
                }

                @Override
                public void onClose(WatcherException cause) {
                    events.offer("closed");
                }
            });
        } catch (KubernetesClientException e) {
            // Without a watch the loop below still reads the Deployment every poll interval.
        }
        try {
            long deadline = k.progressDeadline().toNanos();
            long lastProgress = System.nanoTime();
            String fingerprint = null;
            String said = null;
            Map<String, Long> pulling = new HashMap<>();
            while (true) {
                Deployment d = deployments().withName(name).get();
                if (d == null) {
                    return new RolloutStatus(RolloutStatus.State.DEADLINE_EXCEEDED, "deployment \"" + name
                            + "\" was deleted during the rollout", "");
                }
                RolloutStatus s = RolloutStatus.of(d);
                if (!s.message().equals(said)) {
                    console.progress("  " + name + ": " + s.message());
                    said = s.message();
                }
                if (s.state() != RolloutStatus.State.WAITING) {
                    return s;
                }
                String fatal = fatal(d, pulling);
                if (fatal != null) {
                    return new RolloutStatus(RolloutStatus.State.FAILED, fatal, s.progress());
                }
                long now = System.nanoTime();
                if (!s.progress().equals(fingerprint)) {
                    fingerprint = s.progress();
                    lastProgress = now;
                }
                long left = deadline - (now - lastProgress);
                if (left <= 0) {
                    return new RolloutStatus(RolloutStatus.State.DEADLINE_EXCEEDED, "deployment \"" + name
                            + "\" made no progress for " + Console.seconds(k.progressDeadline())
                            + " (progressDeadline): " + s.message(), s.progress());
                }
                try {
                    events.poll(Math.min(left, poll.toNanos()), TimeUnit.NANOSECONDS);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw SlipwayException.failed("interrupted while watching the rollout of " + name);
                }
            }
        } finally {
            if (watch != null) {
                watch.close();
            }
        }
    }

    /**
     * What makes the current rollout fail now rather than at its deadline, read once the
     * controller observed the current generation: a {@code ReplicaFailure} condition on the
     * Deployment or its new ReplicaSet (pods refused at creation: admission, quota; reason
     * {@code FailedCreate}), or a new pod whose container waits with
     * {@code CreateContainerConfigError} (a missing Secret or key) or {@code InvalidImageName},
     * or with {@code ErrImagePull}/{@code ImagePullBackOff} for longer than the pull grace.
     *
     * @param d       the Deployment as just read
     * @param pulling when each pod was first seen failing to pull (kept across readings)
     * @return the reason, or {@code null} to keep waiting
     */
    private String fatal(Deployment d, Map<String, Long> pulling) {
        var st = d.getStatus();
        if (st == null || d.getMetadata().getGeneration() == null
                || !d.getMetadata().getGeneration().equals(st.getObservedGeneration())) {
            return null;
        }
        ReplicaSet rs = newReplicaSet(d);
        for (var c : st.getConditions() == null ? List.<io.fabric8.kubernetes.api.model.apps.DeploymentCondition>of()
                : st.getConditions()) {
            if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                return "deployment \"" + d.getMetadata().getName() + "\" cannot create pods (ReplicaFailure"
                        + opt(c.getReason()) + ")" + opt(c.getMessage());
            }
        }
        if (rs == null) {
            return null;
        }
        for (var c : rs.getStatus() == null || rs.getStatus().getConditions() == null
                ? List.<io.fabric8.kubernetes.api.model.apps.ReplicaSetCondition>of() : rs.getStatus().getConditions()) {
            if ("ReplicaFailure".equals(c.getType()) && "True".equals(c.getStatus())) {
                return "replicaset \"" + rs.getMetadata().getName() + "\" cannot create pods (ReplicaFailure"
                        + opt(c.getReason()) + ")" + opt(c.getMessage());
            }
        }
        long now = System.nanoTime();
        for (Pod p : client.pods().inNamespace(k.namespace()).withLabels(rs.getSpec().getSelector().getMatchLabels())
                .list().getItems()) {
            for (ContainerStatus c : p.getStatus() == null || p.getStatus().getContainerStatuses() == null
                    ? List.<ContainerStatus>of() : p.getStatus().getContainerStatuses()) {
                var w = c.getState() == null ? null : c.getState().getWaiting();
                if (w == null || w.getReason() == null) {
                    continue;
                }
                String what = "pod " + p.getMetadata().getName() + ": " + w.getReason() + opt(w.getMessage());
                if (TERMINAL_WAITING.contains(w.getReason())) {
                    return what;
                }
                if (PULL_WAITING.contains(w.getReason())) {
                    long since = pulling.computeIfAbsent(p.getMetadata().getName(), x -> now);
                    if (now - since >= pullGrace.toNanos()) {
                        return what + " for " + Console.seconds(pullGrace) + " (the image cannot be pulled)";
                    }
                }
            }
        }
        return null;
    }

    /** The ReplicaSet of the Deployment's current revision, or {@code null} before the controller made it. */
    private ReplicaSet newReplicaSet(Deployment d) {
        long rev = revision(d);
        return rev == 0 ? null : replicaSets(d).stream().filter(r -> revision(r) == rev).findFirst().orElse(null);
    }

    /**
     * Explains a failed rollout: the Deployment's and its new ReplicaSet's failure conditions,
     * the pods' container states (CrashLoopBackOff, ImagePullBackOff, ErrImagePull, ...) and
     * last exits, and the Warning events of each of these objects (failing probes are reason
     * {@code Unhealthy}, refused pods {@code FailedCreate}), read per object with field selectors
     * ({@code involvedObject.kind}, {@code involvedObject.name}) rather than the whole namespace.
     *
     * @param name the Deployment
     * @return lines starting with a newline, or {@code ""} when the pods say nothing
     */
    public String diagnose(String name) {
        Deployment d = deployments().withName(name).get();
        if (d == null || d.getSpec().getSelector() == null) {
            return "";
        }
        List<String> lines = new ArrayList<>();
        List<HasMetadata> involved = new ArrayList<>();
        involved.add(d);
        ReplicaSet rs = newReplicaSet(d);
        if (rs != null) {
            involved.add(rs);
        }
        List<Pod> pods = client.pods().inNamespace(k.namespace()).withLabels(d.getSpec().getSelector().getMatchLabels())
                .list().getItems();
        for (Pod p : pods) {
            if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
                continue;
            }
            boolean troubled = false;
            for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
                if (c.getState() != null && c.getState().getWaiting() != null
                        && c.getState().getWaiting().getReason() != null) {
                    troubled = true;
                    lines.add("pod " + p.getMetadata().getName() + ": " + c.getState().getWaiting().getReason()
                            + opt(c.getState().getWaiting().getMessage()) + " (restarts " + c.getRestartCount() + ")");
                }
                if (c.getLastState() != null && c.getLastState().getTerminated() != null) {
                    troubled = true;
                    var t = c.getLastState().getTerminated();
                    lines.add("pod " + p.getMetadata().getName() + ": last exit code " + t.getExitCode()
                            + opt(t.getReason()) + opt(t.getMessage()));
                }
                troubled |= !Boolean.TRUE.equals(c.getReady());
            }
            if (troubled && involved.size() < 12) {
                involved.add(p);
            }
        }
        for (HasMetadata o : involved) {
            for (Event e : warningEvents(o)) {
                lines.add("event " + (o instanceof Pod ? "" : o.getKind() + "/") + o.getMetadata().getName() + ": "
                        + e.getReason() + opt(e.getMessage())
                        + (e.getCount() != null && e.getCount() > 1 ? " (x" + e.getCount() + ")" : ""));
            }
        }
        if (lines.isEmpty()) {
            return "\n  (no pod reported a problem; 'kubectl describe deployment " + name + " -n " + k.namespace()
                    + "' may say more)";
        }
        StringBuilder sb = new StringBuilder();
        lines.stream().distinct().limit(20).forEach(l -> sb.append("\n  ").append(l));
        return sb.toString();
    }

    /**
     * The Warning events of one object, oldest first, asked of the API server with the field
     * selectors {@code involvedObject.kind}, {@code involvedObject.name} and {@code type} (and
     * filtered here again: fabric8's mock server ignores field selectors it does not know).
     */
    private List<Event> warningEvents(HasMetadata o) {
        List<Event> events = new ArrayList<>(client.v1().events().inNamespace(k.namespace())
                .withField("involvedObject.kind", o.getKind()).withField("involvedObject.name", o.getMetadata().getName())
                .withField("type", "Warning").list().getItems().stream()
                .filter(e -> e.getInvolvedObject() != null && o.getKind().equals(e.getInvolvedObject().getKind())
                        && o.getMetadata().getName().equals(e.getInvolvedObject().getName()) && "Warning".equals(e.getType()))
                .toList());
        events.sort(Comparator.comparing(e -> e.getLastTimestamp() == null ? "" : e.getLastTimestamp()));
        return events;
    }

    private static String opt(String s) {
        return s == null || s.isBlank() ? "" : ": " + s;
    }

    // ---- history and rollback ----------------------------------------------------------------

    /**
     * The ReplicaSet history of the stable Deployment, oldest revision first.
     *
     * @return the revisions; empty when nothing is deployed
     */
    public List<Revision> replicaSetHistory() {
        Deployment d = deployments().withName(config.name()).get();
        if (d == null) {
            return List.of();
        }
        long current = revision(d);
        List<Revision> out = new ArrayList<>();
        for (ReplicaSet rs : replicaSets(d)) {
            long rev = revision(rs);
            Map<String, String> a = annotations(rs);
            Map<String, String> ta = rs.getSpec().getTemplate().getMetadata() == null ? Map.of()
                    : orEmpty(rs.getSpec().getTemplate().getMetadata().getAnnotations());
            out.add(new Revision(rev, a.getOrDefault(Manifests.VERSION, ta.getOrDefault(Manifests.VERSION, "-")),
                    a.getOrDefault(Manifests.COMMIT, ta.getOrDefault(Manifests.COMMIT, "-")),
                    image(rs.getSpec().getTemplate()),
                    rs.getMetadata().getCreationTimestamp() == null ? "-" : rs.getMetadata().getCreationTimestamp(),
                    rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas(), rev == current,
                    a.getOrDefault(Manifests.CHANGE_CAUSE, ta.getOrDefault(Manifests.CHANGE_CAUSE, ""))));
        }
        return out;
    }

    /**
     * Rolls the stable Deployment back like {@code kubectl rollout undo [--to-revision]}: the pod
     * template of the ReplicaSet of that revision (default: the newest one before the current) is
     * written into the Deployment, and the rollout is watched.
     *
     * @param toRevision the revision, or {@code null} for the previous one
     * @return the outcome
     * @throws SlipwayException exit 2 when there is no such revision, exit 1 when the rollback's rollout fails
     */
    public Outcome rollbackTo(Long toRevision) {
        Deployment d = deployments().withName(config.name()).get();
        if (d == null) {
            throw SlipwayException.usage("nothing deployed: no Deployment " + config.name() + " in namespace "
                    + k.namespace());
        }
        long current = revision(d);
        long target;
        if (toRevision == null) {
            target = replicaSets(d).stream().mapToLong(KubernetesTarget::revision).filter(r -> r < current && r > 0)
                    .max().orElseThrow(() -> SlipwayException.usage("no revision of " + config.name()
                            + " before revision " + current + " to roll back to"));
        } else {
            target = toRevision;
        }
        console.progress("rolling back " + config.name() + " from revision " + current + " to revision " + target);
        Outcome o = undo(target);
        return o;
    }

    /** Writes revision {@code target}'s template into the Deployment and waits for the rollout. */
    private Outcome undo(long target) {
        Deployment d = deployments().withName(config.name()).get();
        long current = revision(d);
        List<ReplicaSet> sets = replicaSets(d);
        ReplicaSet rs = sets.stream().filter(s -> revision(s) == target).findFirst()
                .orElseThrow(() -> SlipwayException.usage("no revision " + target + " of " + config.name()
                        + " in the ReplicaSet history (revisions: " + sets.stream().map(s -> String.valueOf(revision(s)))
                        .toList() + "; revisionHistoryLimit keeps " + k.revisionHistoryLimit() + ")"));
        if (target == current) {
            throw SlipwayException.usage("revision " + target + " is the current revision of " + config.name());
        }
        PodTemplateSpec template = serialization.clone(rs.getSpec().getTemplate());
        if (template.getMetadata() != null && template.getMetadata().getLabels() != null) {
            template.getMetadata().getLabels().remove("pod-template-hash");
        }
        Map<String, String> carried = new HashMap<>();
        annotations(rs).forEach((key, v) -> {
            if (!UNDO_SKIP.contains(key)) {
                carried.put(key, v);
            }
        });
        retryOnConflict(() -> deployments().withName(config.name()).edit(x -> {
            x.getSpec().setTemplate(template);
            if (x.getMetadata().getAnnotations() == null) {
                x.getMetadata().setAnnotations(new HashMap<>());
            }
            x.getMetadata().getAnnotations().putAll(carried);
            x.getMetadata().getAnnotations().put(Manifests.REVISION, String.valueOf(current + 1));
            return x;
        }), () -> { });
        RolloutStatus end = await(config.name());
        if (end.state() != RolloutStatus.State.DONE) {
            throw SlipwayException.failed("the rollback of " + config.name() + " to revision " + target + " failed: "
                    + end.message() + diagnose(config.name()));
        }
        return outcome(config.name());
    }

    // ---- canary ------------------------------------------------------------------------------

    /** @return the canary Deployment's name, {@code <name>-canary} */
    public String canaryName() {
        return config.name() + "-canary";
    }

    /** @return the client, for the canary target ({@code canary.KubernetesCanaryTarget}) */
    public KubernetesClient client() {
        return client;
    }

    // ---- status ------------------------------------------------------------------------------

    /** @return what runs now, with the canary if one runs */
    public Status liveStatus() {
        Deployment d = deployments().withName(config.name()).get();
        if (d == null) {
            return new Status(false, 0, null, null, 0, 0, 0, 0, "not deployed", null);
        }
        var s = d.getStatus() == null ? new io.fabric8.kubernetes.api.model.apps.DeploymentStatus() : d.getStatus();
        CanaryStatus canary = null;
        Deployment c = deployments().withName(canaryName()).get();
        String phase = c == null ? null : canaryPhase(annotations(c).get(CANARY_STATE));
        // A paused canary is drained to 0 pods, and is still open: it shows until promote or abort.
        boolean open = phase != null && !phase.equals("PROMOTED") && !phase.equals("ABORTED");
        if (c != null && (c.getSpec().getReplicas() != null && c.getSpec().getReplicas() > 0 || open)) {
            int stable = d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
            String w = annotations(c).getOrDefault(Manifests.CANARY_WEIGHT, "0");
            canary = new CanaryStatus(annotations(c).getOrDefault(Manifests.VERSION, "-"), image(c.getSpec().getTemplate()),
                    new CanarySplit(stable, Integer.parseInt(w), c.getSpec().getReplicas() == null ? 0 : c.getSpec().getReplicas()),
                    c.getStatus() == null || c.getStatus().getReadyReplicas() == null ? 0 : c.getStatus().getReadyReplicas(),
                    open ? phase.toLowerCase(java.util.Locale.ROOT) : "", canaryField(annotations(c).get(CANARY_STATE), "message"));
        }
        return new Status(true, revision(d), annotations(d).getOrDefault(Manifests.VERSION, "-"),
                image(d.getSpec().getTemplate()), d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas(),
                n(s.getUpdatedReplicas()), n(s.getReadyReplicas()), n(s.getAvailableReplicas()),
                RolloutStatus.of(d).message(), canary);
    }

    // ---- the Target interface ----------------------------------------------------------------

    /**
     * A kubernetes plan's own value.
     *
     * @param release           the release a deploy applies, or {@code null} for a rollback
     * @param manifests         its manifests as they will be applied (the revision annotation set), or {@code null}
     * @param rollbackOnFailure whether a failed rollout goes back to {@code before}
     * @param before            the Deployment's revision when planned, 0 when none exists
     * @param toRevision        a rollback's revision, or 0 for a deploy
     * @param adopt             whether objects another tool manages are taken over ({@code --adopt})
     */
    record KubePlan(KubeRelease release, Manifests manifests, boolean rollbackOnFailure, long before, long toRevision,
                    boolean adopt) {}

    @Override
    public String name() {
        return "kubernetes";
    }

    @Override
    public boolean runsImage() {
        return true;
    }

    @Override
    public java.util.Optional<String> configuredImage() {
        return java.util.Optional.ofNullable(k.image());
    }

    /**
     * Plans a deploy: the manifests of the release (the image from {@code --image}, else
     * {@code deploy.kubernetes.image}, else the last {@code slipway image}), one APPLY step per
     * object (create or replace, as found in the namespace), the rollout watch, the gate on
     * available pods, and the revision recorded. Reads the cluster, changes nothing.
     *
     * @throws SlipwayException exit 2 for an image not pinned by digest, no image, or a running
     *                          canary; exit 1 when the API cannot be reached
     */
    @Override
    public DeployPlan plan(DeployRequest request) {
        return api(() -> {
            KubeRelease release = KubeRelease.resolve(config, request.image());
            refuseDuringCanary();
            Manifests m = Manifests.of(config, release);
            refuseForeign(m, request.adopt());
            Deployment live = deployments().withName(config.name()).get();
            long before = live == null ? 0 : revision(live);
            m.deployment().getMetadata().getAnnotations().put(Manifests.REVISION, String.valueOf(before + 1));
            List<DeployPlan.Step> steps = new ArrayList<>();
            for (HasMetadata o : m.all()) {
                boolean exists = client.resource(o).inNamespace(k.namespace()).get() != null;
                String what = o.getKind() + "/" + o.getMetadata().getName();
                String detail = o instanceof Deployment d ? ": image " + release.image() + ", "
                        + (d.getSpec().getReplicas() == null ? "replicas as the HPA keeps them" : d.getSpec().getReplicas() + " replicas")
                        : "";
                steps.add(new DeployPlan.Step(DeployPlan.Kind.APPLY, what, 0, (exists ? "merge into " : "create ") + what
                        + " in namespace " + k.namespace() + detail));
            }
            for (HasMetadata o : prunable(m)) {
                String what = o.getKind() + "/" + o.getMetadata().getName();
                steps.add(new DeployPlan.Step(DeployPlan.Kind.PRUNE, what, 0, "delete " + what + ": Slipway created it and"
                        + " slipway.yaml no longer has it"));
            }
            steps.addAll(rolloutSteps(before + 1, request.rollbackOnFailure() && before > 0
                    ? "on a missed deadline roll back to revision " + before
                    : before == 0 ? "a failed first rollout has no revision to go back to" : "on a missed deadline leave it (--no-rollback)"));
            return new DeployPlan("kubernetes", DeployPlan.Action.DEPLOY, config.name(), release.version(), release.commit(),
                    facts(live), steps, new KubePlan(release, m, request.rollbackOnFailure(), before, 0, request.adopt()));
        });
    }

    /**
     * Plans a rollback like {@code kubectl rollout undo}: to {@code --revision N}, to the newest
     * revision that ran {@code --version V}, or to the revision before the current one.
     *
     * @throws SlipwayException exit 2 (nothing changed) when nothing is deployed, the revision or
     *                          version is not in the ReplicaSet history, or it is the current one
     */
    @Override
    public DeployPlan rollback(RollbackTo to) {
        return api(() -> {
            Deployment d = deployments().withName(config.name()).get();
            if (d == null) {
                throw SlipwayException.usage("nothing deployed: no Deployment " + config.name() + " in namespace "
                        + k.namespace() + "; nothing to roll back");
            }
            long current = revision(d);
            List<Revision> history = replicaSetHistory();
            String kept = history.stream().map(r -> r.revision() + " " + r.version()).collect(java.util.stream.Collectors
                    .joining(", ")) + "; revisionHistoryLimit keeps " + k.revisionHistoryLimit();
            Revision target;
            if (to.revision() != null) {
                target = history.stream().filter(r -> r.revision() == to.revision()).findFirst().orElseThrow(() ->
                        SlipwayException.usage("no revision " + to.revision() + " of " + config.name() + " in the ReplicaSet"
                                + " history (revisions: " + kept + "); nothing was changed"));
            } else if (to.version() != null) {
                target = history.stream().filter(r -> r.version().equals(to.version()) && r.revision() != current)
                        .reduce((a, b) -> b).orElseThrow(() -> SlipwayException.usage(history.stream().anyMatch(r ->
                                r.version().equals(to.version())) ? to.version() + " is already the current release of "
                                + config.name() + "; nothing to roll back; nothing was changed" : "release " + to.version() + " of " + config.name()
                                + " is not in the ReplicaSet history (revisions: " + kept + "); nothing was changed"));
            } else {
                target = history.stream().filter(r -> r.revision() < current && r.revision() > 0).reduce((a, b) -> b)
                        .orElseThrow(() -> SlipwayException.usage("no revision of " + config.name() + " before revision "
                                + current + " to roll back to; nothing was changed"));
            }
            if (target.revision() == current) {
                throw SlipwayException.usage("revision " + current + " is the current revision of " + config.name()
                        + "; nothing to roll back; nothing was changed");
            }
            List<DeployPlan.Step> steps = new ArrayList<>();
            steps.add(new DeployPlan.Step(DeployPlan.Kind.APPLY, "Deployment/" + config.name(), 0, "write the pod template"
                    + " of revision " + target.revision() + " (" + target.version() + ", " + target.image() + ") into Deployment/"
                    + config.name() + " (kubectl rollout undo --to-revision=" + target.revision() + ")"));
            steps.addAll(rolloutSteps(current + 1, "on a missed deadline report the pods' problems; revision " + current
                    + " stays in the history"));
            return new DeployPlan("kubernetes", DeployPlan.Action.ROLLBACK, config.name(), target.version(),
                    target.commit(), facts(d), steps, new KubePlan(null, null, false, current, target.revision(), false));
        });
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the API server did not answer at all (no HTTP status: refused, unknown host, TLS,
     * timeout): the manifests of the release, one APPLY step per object ("create or merge": whether
     * it exists is unknown), and the rollout steps.
     */
    @Override
    public java.util.Optional<UnreadPlan> planUnread(DeployRequest request, SlipwayException why) {
        if (!(why.getCause() instanceof KubernetesClientException e) || unreachable(e) == null) {
            return java.util.Optional.empty();
        }
        KubeRelease release = KubeRelease.resolve(config, request.image());
        Manifests m = Manifests.of(config, release);
        List<DeployPlan.Step> steps = new ArrayList<>();
        for (HasMetadata o : m.all()) {
            String what = o.getKind() + "/" + o.getMetadata().getName();
            String detail = o instanceof Deployment d ? ": image " + release.image() + ", "
                    + (d.getSpec().getReplicas() == null ? "replicas as the HPA keeps them" : d.getSpec().getReplicas() + " replicas")
                    : "";
            steps.add(new DeployPlan.Step(DeployPlan.Kind.APPLY, what, 0, "create or merge into " + what + " in namespace "
                    + k.namespace() + detail));
        }
        steps.addAll(rolloutSteps(0, request.rollbackOnFailure() ? "on a missed deadline roll back to the revision before"
                : "on a missed deadline leave it (--no-rollback)"));
        String cause = unreachable(e);
        List<String> facts = List.of("namespace " + k.namespace() + ", context " + (k.context() == null
                ? "(kubeconfig's current)" : k.context()), "cluster not read (" + cause + "): whether each object exists,"
                + " the revision and a running canary are not known; objects Slipway created and slipway.yaml no longer has"
                + " are pruned by the deploy");
        return java.util.Optional.of(new UnreadPlan(new DeployPlan("kubernetes", DeployPlan.Action.DEPLOY, config.name(),
                release.version(), release.commit(), facts, steps, new KubePlan(release, m, request.rollbackOnFailure(), 0, 0,
                request.adopt())), cause + "; the plan above comes from slipway.yaml alone"));
    }

    /**
     * @param e a client error
     * @return when the API server did not answer (no HTTP status, an I/O error below): one line
     *         naming the server, the kubeconfig context and the cause; else {@code null}
     */
    private String unreachable(KubernetesClientException e) {
        if (e.getCode() > 0) {
            return null;
        }
        // The first I/O error below the client's own says why (the deepest may be a bare
        // ClosedChannelException under the ConnectException of a refused connection).
        String why = e.getCause() == null ? null : dev.slipway.util.NetworkCause.of(e.getCause()).orElse(null);
        if (why == null) {
            return null;
        }
        String server;
        try {
            server = client.getMasterUrl().toString();
        } catch (RuntimeException notKnown) {
            server = "(unknown)";
        }
        return "cannot reach the Kubernetes API at " + server + " (" + (k.context() == null ? "the kubeconfig's current context"
                : "context '" + k.context() + "'") + ", $KUBECONFIG or ~/.kube/config): " + why;
    }

    private List<DeployPlan.Step> rolloutSteps(long revision, String onFailure) {
        return List.of(
                new DeployPlan.Step(DeployPlan.Kind.ROLLOUT, "Deployment/" + config.name(), 0, "watch the rollout of"
                        + " deployment/" + config.name() + " (as kubectl rollout status) until every replica is updated"
                        + " and available; fail after " + Console.seconds(k.progressDeadline()) + " without progress"
                        + " (progressDeadline)"),
                new DeployPlan.Step(DeployPlan.Kind.GATE, "Deployment/" + config.name(), 0, "gate: pods count as available"
                        + " once their readiness probe passes; " + onFailure),
                new DeployPlan.Step(DeployPlan.Kind.RECORD, "Deployment/" + config.name(), 0, "record "
                        + (revision > 0 ? "revision " + revision : "the next revision")
                        + " (deployment.kubernetes.io/revision; ReplicaSet history keeps " + k.revisionHistoryLimit() + ")"));
    }

    private List<String> facts(Deployment live) {
        List<String> facts = new ArrayList<>();
        facts.add("namespace " + k.namespace() + ", context " + (k.context() == null ? "(kubeconfig's current)" : k.context()));
        if (live == null) {
            facts.add("deployment/" + config.name() + ": not deployed");
        } else {
            var st = live.getStatus();
            facts.add("deployment/" + config.name() + ": revision " + revision(live) + " runs "
                    + annotations(live).getOrDefault(Manifests.VERSION, "-") + " (" + image(live.getSpec().getTemplate()) + "), "
                    + (st == null ? 0 : n(st.getAvailableReplicas())) + " available");
        }
        return facts;
    }

    private void refuseDuringCanary() {
        Deployment running = deployments().withName(canaryName()).get();
        String phase = running == null ? null : canaryPhase(annotations(running).get(CANARY_STATE));
        if (running != null && (running.getSpec().getReplicas() != null && running.getSpec().getReplicas() > 0
                || phase != null && !phase.equals("PROMOTED") && !phase.equals("ABORTED"))) {
            throw SlipwayException.usage("a canary of " + config.name() + " " + (phase == null ? "runs"
                    : "is " + phase.toLowerCase(java.util.Locale.ROOT)) + " (" + canaryName() + "); 'slipway promote --to"
                    + " kubernetes' or 'slipway abort --to kubernetes' before a plain deploy; nothing was changed");
        }
    }

    /**
     * The annotation on {@code <name>-canary} that holds the canary's state
     * ({@code canary.CanaryState} as JSON, written by {@code canary.KubernetesCanaryTarget}).
     */
    public static final String CANARY_STATE = "slipway.dev/canary-state";

    /** The {@code phase} of a canary state's JSON, read without {@code canary/} (which imports this package). */
    private static String canaryPhase(String json) {
        if (json == null) {
            return null;
        }
        try {
            return dev.slipway.util.Json.MAPPER.readTree(json).path("phase").asText(null);
        } catch (java.io.IOException e) {
            return "UNREADABLE";
        }
    }

    /** @return a text field of a canary state's JSON, or {@code ""} */
    private static String canaryField(String json, String field) {
        if (json == null) {
            return "";
        }
        try {
            return dev.slipway.util.Json.MAPPER.readTree(json).path(field).asText("");
        } catch (java.io.IOException e) {
            return "";
        }
    }

    /** @return the plan's text followed by the manifests a deploy applies, as YAML */
    @Override
    public String describe(DeployPlan plan) {
        if (plan.detail() instanceof KubePlan p && p.manifests() != null) {
            return plan.describe() + "manifests:\n" + p.manifests().yaml();
        }
        return plan.describe();
    }

    /**
     * Runs a plan: a deploy applies the release ({@link #deploy}), a rollback writes the old pod
     * template ({@link #rollbackTo}); both watch the rollout.
     *
     * @throws SlipwayException exit 1 when the rollout failed (rolled back unless planned without),
     *                          or the API failed; exit 2 when a canary started meanwhile
     */
    @Override
    public Report apply(DeployPlan plan) {
        KubePlan p = (KubePlan) plan.detail();
        return api(() -> {
            Outcome o = switch (plan.action()) {
                case DEPLOY -> deploy(p.release(), p.rollbackOnFailure(), p.adopt());
                case ROLLBACK -> rollbackTo(p.toRevision());
                default -> throw new IllegalArgumentException(plan.action() + " is not a plan of the kubernetes target");
            };
            return outcomeReport(plan.action().verb(), plan.action() == DeployPlan.Action.DEPLOY ? "deployed" : "rolled back",
                    o, plan.steps().stream().map(s -> s.kind().id() + " " + s.where() + ": " + s.description()).toList());
        });
    }

    private Report outcomeReport(String action, String verb, Outcome o, List<String> steps) {
        String line = config.name() + " " + o.version() + " " + verb + " to kubernetes: deployment/" + o.deployment()
                + " in namespace " + k.namespace() + " is available (revision " + o.revision() + ", image " + o.image() + ")";
        return new Report("kubernetes", action, config.name(), o.version(), (int) o.revision(), "ok", 0, null, steps,
                Map.of(), List.of(line), line);
    }

    /** @return what runs, as {@code slipway status --to kubernetes} prints it; reads the cluster */
    @Override
    public Report status() {
        return api(() -> {
            Status s = liveStatus();
            List<String> lines = new ArrayList<>();
            lines.add(config.name() + " on kubernetes (namespace " + k.namespace() + ")");
            if (!s.deployed()) {
                lines.add("  (nothing deployed)");
                return new Report("kubernetes", "status", config.name(), null, 0, "not-deployed", 1, null, List.of(),
                        Map.of(), lines, config.name() + ": nothing deployed in namespace " + k.namespace());
            }
            lines.add("  version    " + s.version());
            lines.add("  revision   " + s.revision());
            lines.add("  image      " + s.image());
            lines.add("  replicas   " + s.desired() + " desired, " + s.updated() + " updated, " + s.ready() + " ready, "
                    + s.available() + " available");
            lines.add("  rollout    " + s.rollout());
            if (s.canary() != null) {
                lines.add("  canary     " + s.canary().version() + " (" + s.canary().image() + "), " + s.canary().ready()
                        + " ready; " + s.canary().split().describe() + (s.canary().phase().isEmpty() ? ""
                        : "; " + s.canary().phase() + (s.canary().message().isEmpty() ? "" : ": " + s.canary().message())
                        + (s.canary().phase().equals("paused") ? "; 'slipway promote --to kubernetes' or 'slipway abort --to"
                        + " kubernetes'" : "")));
            }
            String outcome = s.available() >= s.desired() && s.updated() >= s.desired() ? "ready" : "not-ready";
            return new Report("kubernetes", "status", config.name(), s.version(), (int) s.revision(), outcome,
                    outcome.equals("ready") ? 0 : 1, null,
                    List.of(), Map.of(), lines, config.name() + " " + s.version() + " on kubernetes: " + s.rollout());
        });
    }

    /**
     * @return the ReplicaSet history as revisions: outcome {@code current} for the one the
     *         Deployment runs, else {@code deployed}; the note names the image and the change cause
     */
    @Override
    public List<dev.slipway.deploy.Revision> history() {
        return api(() -> replicaSetHistory().stream().map(r -> new dev.slipway.deploy.Revision((int) r.revision(), r.version(),
                r.commit().equals("-") ? "" : r.commit(), instant(r.created()), r.current() ? History.CURRENT : History.DEPLOYED, "", "",
                r.image() + (r.changeCause().isEmpty() ? "" : " (" + r.changeCause() + ")"))).toList());
    }

    private static java.time.Instant instant(String rfc3339) {
        try {
            return java.time.Instant.parse(rfc3339);
        } catch (java.time.format.DateTimeParseException e) {
            return null;
        }
    }

    /**
     * Runs a call to the API server, turning the client's errors (unreachable server, 403, 422) into
     * exit 1 with the API's message and, for an unreachable server, where the kubeconfig came from.
     */
    public <T> T api(java.util.function.Supplier<T> call) {
        try {
            return call.get();
        } catch (KubernetesClientException e) {
            String down = unreachable(e);
            if (down != null) {
                // Not fabric8's "Operation: [get] for kind: ... failed": which server, and why.
                throw SlipwayException.failed(down, e);
            }
            String m = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw SlipwayException.failed("Kubernetes API (namespace " + k.namespace() + "): "
                    + (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + m
                    + (e.getCode() == 0 && root != e ? " (" + root + "); check that the cluster is reachable from the"
                    + " kubeconfig's " + (k.context() == null ? "current context" : "context '" + k.context() + "'")
                    + " ($KUBECONFIG or ~/.kube/config)" : ""), e);
        }
    }

    // ---- helpers -----------------------------------------------------------------------------

    private io.fabric8.kubernetes.client.dsl.NonNamespaceOperation<Deployment,
            io.fabric8.kubernetes.api.model.apps.DeploymentList, RollableScalableResource<Deployment>> deployments() {
        return client.apps().deployments().inNamespace(k.namespace());
    }

    private Outcome outcome(String name) {
        Deployment d = deployments().withName(name).get();
        return new Outcome(name, revision(d), annotations(d).getOrDefault(Manifests.VERSION, "-"),
                image(d.getSpec().getTemplate()));
    }

    /** The ReplicaSets the Deployment owns (controller reference, else its selector), oldest revision first. */
    private List<ReplicaSet> replicaSets(Deployment d) {
        List<ReplicaSet> all = client.apps().replicaSets().inNamespace(k.namespace())
                .withLabels(d.getSpec().getSelector().getMatchLabels()).list().getItems();
        String uid = d.getMetadata().getUid();
        List<ReplicaSet> owned = new ArrayList<>(all.stream().filter(rs -> rs.getMetadata().getOwnerReferences() == null
                || rs.getMetadata().getOwnerReferences().isEmpty()
                || rs.getMetadata().getOwnerReferences().stream().anyMatch(o -> o.getUid() == null || o.getUid().equals(uid)))
                .toList());
        owned.sort(Comparator.comparingLong(KubernetesTarget::revision));
        return owned;
    }

    /** @return the object's {@code deployment.kubernetes.io/revision}, 0 when it has none */
    public static long revision(HasMetadata o) {
        String r = o == null ? null : annotations(o).get(Manifests.K8S_REVISION);
        try {
            return r == null ? 0 : Long.parseLong(r);
        } catch (NumberFormatException e) {
            return 0;
        }
    }

    private static Map<String, String> annotations(HasMetadata o) {
        return o.getMetadata() == null ? Map.of() : orEmpty(o.getMetadata().getAnnotations());
    }

    private static Map<String, String> labels(HasMetadata o) {
        return o.getMetadata() == null ? Map.of() : orEmpty(o.getMetadata().getLabels());
    }

    private static Map<String, String> orEmpty(Map<String, String> m) {
        return m == null ? Map.of() : m;
    }

    private static String image(PodTemplateSpec t) {
        return t == null || t.getSpec() == null || t.getSpec().getContainers().isEmpty() ? "-"
                : t.getSpec().getContainers().get(0).getImage();
    }

    private static int n(Integer i) {
        return i == null ? 0 : i;
    }

    @Override
    public void close() {
        client.close();
    }
}
