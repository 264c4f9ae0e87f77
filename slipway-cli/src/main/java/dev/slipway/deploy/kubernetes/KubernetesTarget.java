package dev.slipway.deploy.kubernetes;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.KubernetesConfig;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.DeployPlan;
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
 * <p>Apply is create-or-replace of each object, keeping what the cluster owns; with an HPA the
 * Deployment carries no {@code replicas} and keeps the live count, so a deploy never undoes the
 * HPA's scaling. All waits are
 * bounded by {@code deploy.kubernetes.progressDeadline}, counted from the last observed progress,
 * as the Deployment controller counts it.
 */
public final class KubernetesTarget implements dev.slipway.deploy.Target {
    private static final Set<String> UNDO_SKIP = Set.of("kubectl.kubernetes.io/last-applied-configuration",
            Manifests.K8S_REVISION, "deployment.kubernetes.io/revision-history",
            "deployment.kubernetes.io/desired-replicas", "deployment.kubernetes.io/max-replicas",
            "deprecated.deployment.rollback.to");

    private final SlipwayConfig config;
    private final KubernetesConfig k;
    private final KubernetesClient client;
    private final Console console;
    private final Duration poll;
    private final boolean watch;
    private final KubernetesSerialization serialization = Manifests.SERIALIZATION;

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
            return new KubernetesTarget(config, new KubernetesClientBuilder().withConfig(c).build(), console,
                    Duration.ofSeconds(2), true);
        } catch (KubernetesClientException e) {
            throw SlipwayException.usage("cannot configure the Kubernetes client: " + e.getMessage());
        }
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
     */
    public record CanaryStatus(String version, String image, CanarySplit split, int ready) {}

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
        Manifests m = Manifests.of(config, release);
        refuseDuringCanary();
        Deployment live = deployments().withName(config.name()).get();
        long before = live == null ? 0 : revision(live);
        m.deployment().getMetadata().getAnnotations().put(Manifests.REVISION, String.valueOf(before + 1));
        console.progress("applying " + config.name() + " " + release.version() + " (" + release.image() + ") to namespace "
                + k.namespace() + (before == 0 ? "" : ", revision " + before + " runs now"));
        for (HasMetadata o : m.all()) {
            apply(o);
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
     * Creates the object, or replaces the live one with it (PUT, like {@code kubectl replace}),
     * keeping what the cluster owns: the resourceVersion, a Deployment's status, its revision
     * annotation and, when the rendered Deployment has no {@code replicas} (an HPA scales it), the
     * live replica count; a Service's cluster IPs. A 409 Conflict (the object changed between the
     * read and the replace) is retried with a fresh read, at most 5 attempts in all.
     */
    public void apply(HasMetadata o) {
        // Optimistic concurrency: a replace carries the resourceVersion it read, and the API server
        // answers 409 Conflict when a controller changed the object in between (API conventions,
        // "Concurrency Control and Consistency"). Read again and retry, a bounded number of times.
        for (int attempt = 1; ; attempt++) {
            try {
                applyOnce(o);
                return;
            } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
                if (e.getCode() != 409 || attempt >= 5) {
                    throw e;
                }
                console.progress("  " + o.getKind() + "/" + o.getMetadata().getName() + " changed while it was replaced"
                        + " (409 Conflict); reading it again");
            }
        }
    }

    private void applyOnce(HasMetadata o) {
        var r = client.resource(o).inNamespace(k.namespace());
        HasMetadata live = r.get();
        if (live == null) {
            r.create();
            console.progress("  created " + o.getKind() + "/" + o.getMetadata().getName());
            return;
        }
        o.getMetadata().setResourceVersion(live.getMetadata().getResourceVersion());
        if (o instanceof Deployment d && live instanceof Deployment l) {
            if (d.getSpec().getReplicas() == null) {
                d.getSpec().setReplicas(l.getSpec().getReplicas());
            }
            String rev = annotations(l).get(Manifests.K8S_REVISION);
            if (rev != null) {
                d.getMetadata().getAnnotations().put(Manifests.K8S_REVISION, rev);
            }
            d.setStatus(l.getStatus());
        } else if (o instanceof io.fabric8.kubernetes.api.model.Service s
                && live instanceof io.fabric8.kubernetes.api.model.Service l) {
            s.getSpec().setClusterIP(l.getSpec().getClusterIP());
            s.getSpec().setClusterIPs(l.getSpec().getClusterIPs());
        }
        client.resource(o).inNamespace(k.namespace()).update();
        console.progress("  replaced " + o.getKind() + "/" + o.getMetadata().getName());
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
     * Explains a failed rollout from the pods: container states (CrashLoopBackOff,
     * ImagePullBackOff, ErrImagePull, ...), last exits, and Warning events (failing probes are
     * reason {@code Unhealthy}).
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
        List<Pod> pods = client.pods().inNamespace(k.namespace()).withLabels(d.getSpec().getSelector().getMatchLabels())
                .list().getItems();
        Set<String> names = new LinkedHashSet<>();
        for (Pod p : pods) {
            names.add(p.getMetadata().getName());
            if (p.getStatus() == null || p.getStatus().getContainerStatuses() == null) {
                continue;
            }
            for (ContainerStatus c : p.getStatus().getContainerStatuses()) {
                if (c.getState() != null && c.getState().getWaiting() != null
                        && c.getState().getWaiting().getReason() != null) {
                    lines.add("pod " + p.getMetadata().getName() + ": " + c.getState().getWaiting().getReason()
                            + opt(c.getState().getWaiting().getMessage()) + " (restarts " + c.getRestartCount() + ")");
                }
                if (c.getLastState() != null && c.getLastState().getTerminated() != null) {
                    var t = c.getLastState().getTerminated();
                    lines.add("pod " + p.getMetadata().getName() + ": last exit code " + t.getExitCode()
                            + opt(t.getReason()) + opt(t.getMessage()));
                }
            }
        }
        List<Event> events = new ArrayList<>(client.v1().events().inNamespace(k.namespace()).list().getItems());
        events.sort(Comparator.comparing(e -> e.getLastTimestamp() == null ? "" : e.getLastTimestamp()));
        for (Event e : events) {
            var o = e.getInvolvedObject();
            if (o != null && "Pod".equals(o.getKind()) && names.contains(o.getName()) && "Warning".equals(e.getType())) {
                lines.add("event " + o.getName() + ": " + e.getReason() + opt(e.getMessage())
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
        deployments().withName(config.name()).edit(x -> {
            x.getSpec().setTemplate(template);
            if (x.getMetadata().getAnnotations() == null) {
                x.getMetadata().setAnnotations(new HashMap<>());
            }
            x.getMetadata().getAnnotations().putAll(carried);
            x.getMetadata().getAnnotations().put(Manifests.REVISION, String.valueOf(current + 1));
            return x;
        });
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
        if (c != null && c.getSpec().getReplicas() != null && c.getSpec().getReplicas() > 0) {
            int stable = d.getSpec().getReplicas() == null ? 0 : d.getSpec().getReplicas();
            String w = annotations(c).getOrDefault(Manifests.CANARY_WEIGHT, "0");
            canary = new CanaryStatus(annotations(c).getOrDefault(Manifests.VERSION, "-"), image(c.getSpec().getTemplate()),
                    new CanarySplit(stable, Integer.parseInt(w), c.getSpec().getReplicas()),
                    c.getStatus() == null || c.getStatus().getReadyReplicas() == null ? 0 : c.getStatus().getReadyReplicas());
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
     */
    record KubePlan(KubeRelease release, Manifests manifests, boolean rollbackOnFailure, long before, long toRevision) {}

    @Override
    public String name() {
        return "kubernetes";
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
                steps.add(new DeployPlan.Step(DeployPlan.Kind.APPLY, what, 0, (exists ? "replace " : "create ") + what
                        + " in namespace " + k.namespace() + detail));
            }
            steps.addAll(rolloutSteps(before + 1, request.rollbackOnFailure() && before > 0
                    ? "on a missed deadline roll back to revision " + before
                    : before == 0 ? "a failed first rollout has no revision to go back to" : "on a missed deadline leave it (--no-rollback)"));
            return new DeployPlan("kubernetes", DeployPlan.Action.DEPLOY, config.name(), release.version(), release.commit(),
                    facts(live), steps, new KubePlan(release, m, request.rollbackOnFailure(), before, 0));
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
                                + config.name() + "; nothing to roll back" : "release " + to.version() + " of " + config.name()
                                + " is not in the ReplicaSet history (revisions: " + kept + "); nothing was changed"));
            } else {
                target = history.stream().filter(r -> r.revision() < current && r.revision() > 0).reduce((a, b) -> b)
                        .orElseThrow(() -> SlipwayException.usage("no revision of " + config.name() + " before revision "
                                + current + " to roll back to; nothing was changed"));
            }
            if (target.revision() == current) {
                throw SlipwayException.usage("revision " + current + " is the current revision of " + config.name()
                        + "; nothing to roll back");
            }
            List<DeployPlan.Step> steps = new ArrayList<>();
            steps.add(new DeployPlan.Step(DeployPlan.Kind.APPLY, "Deployment/" + config.name(), 0, "write the pod template"
                    + " of revision " + target.revision() + " (" + target.version() + ", " + target.image() + ") into Deployment/"
                    + config.name() + " (kubectl rollout undo --to-revision=" + target.revision() + ")"));
            steps.addAll(rolloutSteps(current + 1, "on a missed deadline report the pods' problems; revision " + current
                    + " stays in the history"));
            return new DeployPlan("kubernetes", DeployPlan.Action.ROLLBACK, config.name(), target.version(),
                    target.commit(), facts(d), steps, new KubePlan(null, null, false, current, target.revision()));
        });
    }

    private List<DeployPlan.Step> rolloutSteps(long revision, String onFailure) {
        return List.of(
                new DeployPlan.Step(DeployPlan.Kind.ROLLOUT, "Deployment/" + config.name(), 0, "watch the rollout of"
                        + " deployment/" + config.name() + " (as kubectl rollout status) until every replica is updated"
                        + " and available; fail after " + Console.seconds(k.progressDeadline()) + " without progress"
                        + " (progressDeadline)"),
                new DeployPlan.Step(DeployPlan.Kind.GATE, "Deployment/" + config.name(), 0, "gate: pods count as available"
                        + " once their readiness probe passes; " + onFailure),
                new DeployPlan.Step(DeployPlan.Kind.RECORD, "Deployment/" + config.name(), 0, "record revision " + revision
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
                case DEPLOY -> deploy(p.release(), p.rollbackOnFailure());
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
                        + " ready; " + s.canary().split().describe());
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
                r.commit().equals("-") ? "" : r.commit(), instant(r.created()), r.current() ? "current" : "deployed", "", "",
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
