package dev.slipway.canary;

import com.fasterxml.jackson.core.JsonProcessingException;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.Release;
import dev.slipway.deploy.kubernetes.CanarySplit;
import dev.slipway.deploy.kubernetes.KubeRelease;
import dev.slipway.deploy.kubernetes.KubernetesTarget;
import dev.slipway.deploy.kubernetes.Manifests;
import dev.slipway.deploy.kubernetes.RolloutStatus;
import dev.slipway.util.Json;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.KubernetesClient;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes canary target, driven by {@link CanaryRun} like local and hosts: the canary is a
 * second Deployment {@code <name>-canary} (the stable pod template with {@code track: canary} and
 * {@code TRACK=canary}) behind the same Service, so a weight is a pod ratio.
 *
 * <p>It never drops capacity (issue 22):
 * <ul>
 *   <li><b>Surge</b>: the stable Deployment never shrinks; the canary's pods are added beside it
 *       ({@link CanarySplit#surge}: weight {@code c / (N + c)}, stated at every step).</li>
 *   <li><b>The HPA is pinned</b> while a canary runs: its {@code minReplicas} is raised to the stable
 *       count N at the start (and {@code maxReplicas} to at least N), so it can scale up but never
 *       below N; both are restored after the promotion or abort.</li>
 *   <li><b>Promotion</b> gives the stable Deployment the canary's template at the larger of its
 *       live and recorded replica counts; the canary's pods leave only after that rollout is done.</li>
 *   <li><b>Abort</b> restores stable first (its recorded revision's template, if a promotion had
 *       changed it, and at least N pods, rollout done) and only then scales the canary to 0.</li>
 *   <li>The PodDisruptionBudget selects {@code app} only, so it covers both tracks
 *       ({@code Manifests}); an older one that selects the stable track only is widened at the start.</li>
 * </ul>
 *
 * <p>The state lives on the canary Deployment: the {@link CanaryState} as JSON in annotation
 * {@link KubernetesTarget#CANARY_STATE}, and what the canary started from (stable count, revision,
 * version, HPA bounds) in {@link #FACTS}. So {@code slipway promote} or {@code abort} from any machine
 * with the kubeconfig continues the same canary; the lock that keeps two drivers apart is still a
 * file on the deploy machine. Weight 0 (before the first step, while paused, after an abort) is 0
 * canary pods: on Kubernetes the canary's pods start, gated on readiness, at its first step.
 */
public final class KubernetesCanaryTarget implements CanaryTarget {
    /** Annotation on {@code <name>-canary}: what the canary started from, as JSON ({@link Facts}). */
    public static final String FACTS = "slipway.dev/canary-facts";

    private static final io.fabric8.kubernetes.client.utils.KubernetesSerialization K8S_JSON =
            new io.fabric8.kubernetes.client.utils.KubernetesSerialization();

    /**
     * What a canary started from, recorded once at its start.
     *
     * @param started        the canary's start ({@link CanaryState#started()}), which tells a resumed
     *                       canary's facts from an older canary's
     * @param stableReplicas N: the stable Deployment's replica count at the start
     * @param stableRevision its revision then
     * @param stableVersion  its release version then
     * @param hpaMin         the HPA's {@code minReplicas} before it was pinned, or {@code null} without an HPA
     * @param hpaMax         the HPA's {@code maxReplicas} before it was pinned, or {@code null}
     */
    public record Facts(String started, int stableReplicas, long stableRevision, String stableVersion, Integer hpaMin,
                        Integer hpaMax) {}

    private final SlipwayConfig config;
    private final Console console;
    private final KubernetesTarget k8s;
    private final KubernetesClient client;
    private final String ns;
    private final String name;
    private final String canaryName;

    /**
     * @param config  the service configuration
     * @param console progress output
     * @param k8s     the Kubernetes target (its client, rollout watch and diagnosis); not closed here
     */
    public KubernetesCanaryTarget(SlipwayConfig config, Console console, KubernetesTarget k8s) {
        this.config = config;
        this.console = console;
        this.k8s = k8s;
        this.client = k8s.client();
        this.ns = config.kubernetes().namespace();
        this.name = config.name();
        this.canaryName = k8s.canaryName();
    }

    /**
     * A Kubernetes release as the {@link Release} {@link CanaryRun} passes around: the image
     * reference is the release's {@code executable} (and so the state's {@code canaryRelease}).
     *
     * @param service the service name
     * @param r       the image and version
     * @return the release
     */
    public static Release release(String service, KubeRelease r) {
        return new Release(service, r.version(), r.commit(), Path.of(r.image()), "");
    }

    private static KubeRelease kube(Release r) {
        return new KubeRelease(r.executable().toString(), r.version(), r.commit());
    }

    @Override
    public String name() {
        return "kubernetes";
    }

    // ---- state -----------------------------------------------------------------------------------

    /** The state as an annotation of {@code <name>-canary}; the Deployment is created at 0 pods if absent. */
    @Override
    public CanaryStore store(Path stateFile) {
        return new CanaryStore() {
            @Override
            public CanaryState load() {
                Deployment c = canary();
                String json = c == null ? null : annotations(c).get(KubernetesTarget.CANARY_STATE);
                return json == null ? null : CanaryState.parse(json, where());
            }

            @Override
            public void save(CanaryState state) {
                String json = state.toJson();
                if (canary() == null) {
                    Deployment c = Manifests.of(config, new KubeRelease(state.canaryRelease(), state.canaryVersion(),
                            state.canaryCommit())).canary(0);
                    c.getMetadata().getAnnotations().put(KubernetesTarget.CANARY_STATE, json);
                    c.getMetadata().getAnnotations().put(Manifests.CANARY_WEIGHT, "0");
                    k8s.apply(c);
                    return;
                }
                editCanary(d -> d.getMetadata().getAnnotations().put(KubernetesTarget.CANARY_STATE, json));
            }

            @Override
            public String where() {
                return "deployment/" + canaryName + " (namespace " + ns + ") annotation " + KubernetesTarget.CANARY_STATE;
            }
        };
    }

    // ---- the target ------------------------------------------------------------------------------

    @Override
    public String stableVersion() {
        Deployment d = stable();
        return d == null ? null : annotations(d).get(Manifests.VERSION);
    }

    /** The first release of the service: a plain deploy (applied, rollout watched, rolled back on failure). */
    @Override
    public void deployStable(Release release) {
        k8s.deploy(kube(release), true);
    }

    /**
     * Starts the canary at 0 pods: records what it starts from ({@link #FACTS}; kept when this
     * canary already recorded them, so a rerun after a crash keeps the original N and HPA bounds),
     * applies {@code <name>-canary} with the release and {@code track: canary}, pins the HPA and
     * widens an old stable-only PodDisruptionBudget. Its pods start with the first step.
     */
    @Override
    public void deployCanary(Release release) {
        Deployment stable = stable();
        if (stable == null) {
            throw SlipwayException.usage("no stable Deployment " + name + " in namespace " + ns
                    + ": deploy once with 'slipway deploy --to kubernetes' before a canary");
        }
        CanaryState st = store(null).load();
        String started = st == null ? "" : String.valueOf(st.started());
        Facts facts = facts();
        if (facts == null || !facts.started().equals(started)) {
            HorizontalPodAutoscaler hpa = hpa();
            facts = new Facts(started, replicas(stable), KubernetesTarget.revision(stable),
                    annotations(stable).get(Manifests.VERSION), hpa == null ? null : hpa.getSpec().getMinReplicas(),
                    hpa == null ? null : hpa.getSpec().getMaxReplicas());
        }
        Deployment c = Manifests.of(config, kube(release)).canary(0);
        Map<String, String> a = c.getMetadata().getAnnotations();
        Deployment live = canary();
        if (live != null && annotations(live).containsKey(KubernetesTarget.CANARY_STATE)) {
            a.put(KubernetesTarget.CANARY_STATE, annotations(live).get(KubernetesTarget.CANARY_STATE));
        }
        a.put(FACTS, json(facts));
        a.put(Manifests.STABLE_REPLICAS, String.valueOf(facts.stableReplicas()));
        a.put(Manifests.CANARY_WEIGHT, "0");
        console.progress("canary " + canaryName + " " + release.version() + ": 0 pods until its first step; stable "
                + name + " keeps its " + facts.stableReplicas() + " pods (surge: the canary's pods are added beside them)");
        k8s.apply(c);
        pinHpa(facts);
        widenPdb();
    }

    /**
     * Sets the canary's pod count for {@code percent} ({@link CanarySplit#surge} of the live stable
     * count, at least N) and waits for its rollout; stable is not touched.
     *
     * @throws CanaryNotReady when the canary's pods do not become available within the progress deadline
     */
    @Override
    public void setWeight(int percent) {
        Facts f = requireFacts();
        int stableNow = Math.max(f.stableReplicas(), replicas(stable()));
        CanarySplit split = CanarySplit.surge(stableNow, percent);
        editCanary(d -> {
            d.getSpec().setReplicas(split.canary());
            d.getMetadata().getAnnotations().put(Manifests.CANARY_WEIGHT, String.valueOf(percent));
        });
        console.progress("  weight " + percent + " %: " + split.describe());
        if (split.canary() > 0) {
            RolloutStatus end = k8s.await(canaryName);
            if (end.state() != RolloutStatus.State.DONE) {
                throw new CanaryNotReady("the canary " + canaryName + " did not become available at weight " + percent
                        + " %: " + end.message() + k8s.diagnose(canaryName));
            }
        }
    }

    /**
     * Promotes: the stable Deployment gets the canary's pod template (with {@code track: stable}
     * and {@code TRACK=stable}) and the larger of its live and recorded replica counts; once its
     * rollout is done the canary goes to 0 pods and the HPA gets its own bounds back.
     *
     * @throws SlipwayException (exit 1) when the stable rollout fails; the canary keeps its pods
     */
    @Override
    public void promote(Release release) {
        Facts f = requireFacts();
        Deployment c = canary();
        PodTemplateSpec template = K8S_JSON.clone(c.getSpec().getTemplate());
        template.getMetadata().getLabels().put("track", "stable");
        for (Container ct : template.getSpec().getContainers()) {
            for (EnvVar e : ct.getEnv() == null ? List.<EnvVar>of() : ct.getEnv()) {
                if (e.getName().equals("TRACK")) {
                    e.setValue("stable");
                }
            }
        }
        Map<String, String> carried = new HashMap<>();
        for (String key : List.of(Manifests.VERSION, Manifests.COMMIT, Manifests.CHANGE_CAUSE)) {
            if (annotations(c).containsKey(key)) {
                carried.put(key, annotations(c).get(key));
            }
        }
        int live = replicas(stable());
        int to = Math.max(live, f.stableReplicas());
        console.progress("promoting " + canaryName + " " + release.version() + ": stable " + name + " gets its template"
                + " and " + to + " pods (the larger of " + live + " live and " + f.stableReplicas() + " recorded)");
        KubernetesTarget.retryOnConflict(() -> stableOps().edit(x -> {
            x.getSpec().setTemplate(template);
            x.getSpec().setReplicas(to);
            if (x.getMetadata().getAnnotations() == null) {
                x.getMetadata().setAnnotations(new HashMap<>());
            }
            x.getMetadata().getAnnotations().putAll(carried);
            return x;
        }), () -> { });
        RolloutStatus end = k8s.await(name);
        if (end.state() != RolloutStatus.State.DONE) {
            throw SlipwayException.failed("the promotion of " + canaryName + " failed: " + end.message()
                    + k8s.diagnose(name));
        }
        editCanary(d -> {
            d.getSpec().setReplicas(0);
            d.getMetadata().getAnnotations().put(Manifests.CANARY_WEIGHT, "0");
        });
        console.progress("  " + canaryName + " scaled to 0 after stable " + name + " rolled out");
        restoreHpa(f);
    }

    /**
     * Aborts: stable first — its recorded revision's template back if a promotion (or a bake's
     * undo) changed it, at least N pods, rollout done — then the canary to 0 pods, then the HPA's
     * own bounds. Idempotent.
     *
     * @throws SlipwayException (exit 1) when stable does not come back; the canary keeps its pods
     */
    @Override
    public void abort(String stableVersion) {
        Facts f = currentFacts();
        Deployment stable = stable();
        if (f != null && stable != null) {
            String want = stableVersion != null ? stableVersion : f.stableVersion();
            String has = annotations(stable).get(Manifests.VERSION);
            if (want != null && !want.equals(has)) {
                console.progress("stable " + name + " runs " + has + ", not " + want + " (a promotion ran): back to"
                        + " revision " + f.stableRevision() + " before the canary leaves");
                k8s.rollbackTo(revisionOf(want, f.stableRevision()));
            }
            if (replicas(stable()) < f.stableReplicas()) {
                console.progress("stable " + name + " back to " + f.stableReplicas() + " pods before the canary leaves");
                stableOps().scale(f.stableReplicas());
            }
            RolloutStatus end = k8s.await(name);
            if (end.state() != RolloutStatus.State.DONE) {
                throw SlipwayException.failed("stable " + name + " did not come back (" + end.message() + ")"
                        + k8s.diagnose(name) + "; the canary keeps its pods so that capacity is not lost");
            }
        }
        if (canary() != null) {
            editCanary(d -> {
                d.getSpec().setReplicas(0);
                d.getMetadata().getAnnotations().put(Manifests.CANARY_WEIGHT, "0");
            });
            console.progress("  " + canaryName + " scaled to 0");
        }
        if (f != null) {
            restoreHpa(f);
        }
    }

    /**
     * Checks an abort: stable on {@code stableVersion}, at least N pods desired, updated and
     * ready; no canary pod; the HPA's bounds as before the canary.
     */
    @Override
    public List<String> problems(String stableVersion) {
        List<String> out = new ArrayList<>();
        Facts f = currentFacts();
        Deployment s = stable();
        HorizontalPodAutoscaler h = hpa();
        if (s == null) {
            out.add("no stable Deployment " + name);
        } else {
            String has = annotations(s).get(Manifests.VERSION);
            if (stableVersion != null && !stableVersion.equals(has)) {
                out.add("stable " + name + " runs " + has + ", not " + stableVersion);
            }
            // N, or, once an HPA has its own bounds back, what it may scale down to (the count is its own then).
            int n = f == null ? 1 : f.hpaMin() != null && h != null
                    ? Math.min(f.stableReplicas(), h.getSpec().getMinReplicas()) : f.stableReplicas();
            int ready = s.getStatus() == null || s.getStatus().getReadyReplicas() == null ? 0 : s.getStatus().getReadyReplicas();
            int updated = s.getStatus() == null || s.getStatus().getUpdatedReplicas() == null ? 0
                    : s.getStatus().getUpdatedReplicas();
            if (replicas(s) < n || ready < n || updated < n) {
                out.add("stable " + name + " has " + replicas(s) + " desired, " + updated + " updated and " + ready
                        + " ready pods, fewer than the " + n + " it needs (" + (f == null ? "-" : f.stableReplicas())
                        + " when the canary started)");
            }
        }
        Deployment c = canary();
        if (c != null && replicas(c) > 0) {
            out.add("the canary " + canaryName + " still has " + replicas(c) + " pods");
        }
        if (f != null && f.hpaMin() != null && h != null && (!f.hpaMin().equals(h.getSpec().getMinReplicas())
                || !f.hpaMax().equals(h.getSpec().getMaxReplicas()))) {
            out.add("the HPA " + name + " is still pinned (min " + h.getSpec().getMinReplicas() + ", max "
                    + h.getSpec().getMaxReplicas() + "; its own are " + f.hpaMin() + ", " + f.hpaMax() + ")");
        }
        return out;
    }

    @Override
    public List<String> describe() {
        List<String> out = new ArrayList<>();
        for (Deployment d : new Deployment[] {stable(), canary()}) {
            if (d != null) {
                var st = d.getStatus();
                out.add("deployment/" + d.getMetadata().getName() + ": " + annotations(d).getOrDefault(Manifests.VERSION, "-")
                        + ", " + replicas(d) + " desired, " + (st == null || st.getReadyReplicas() == null ? 0
                        : st.getReadyReplicas()) + " ready");
            }
        }
        HorizontalPodAutoscaler h = hpa();
        if (h != null) {
            out.add("hpa/" + name + ": min " + h.getSpec().getMinReplicas() + ", max " + h.getSpec().getMaxReplicas());
        }
        return out;
    }

    /**
     * The canary Deployment must hold the recorded release (its template is what promote copies),
     * once it was deployed for this canary; before that, the rerun deploys it.
     */
    @Override
    public void checkResumable(String version) {
        if (currentFacts() == null) {
            return;
        }
        Deployment c = canary();
        String has = c == null ? null : annotations(c).get(Manifests.VERSION);
        if (c == null || !version.equals(has)) {
            throw SlipwayException.usage("deployment/" + canaryName + " runs " + (c == null ? "nothing" : has) + ", not the"
                    + " canary's " + version + "; 'slipway abort --to kubernetes' ends this canary; nothing was changed");
        }
    }

    // ---- HPA and PDB -----------------------------------------------------------------------------

    /** Raises the HPA's minReplicas to N (and maxReplicas to at least N): it can scale up, never below N. */
    private void pinHpa(Facts f) {
        if (f.hpaMin() == null || hpa() == null) {
            return;
        }
        int min = Math.max(f.hpaMin(), f.stableReplicas());
        int max = Math.max(f.hpaMax(), min);
        console.progress("  hpa/" + name + " pinned: minReplicas " + f.hpaMin() + " -> " + min + " while the canary runs"
                + " (restored after)");
        KubernetesTarget.retryOnConflict(() -> hpaOps().edit(h -> {
            h.getSpec().setMinReplicas(min);
            h.getSpec().setMaxReplicas(max);
            return h;
        }), () -> { });
    }

    private void restoreHpa(Facts f) {
        HorizontalPodAutoscaler h = hpa();
        if (f.hpaMin() == null || h == null || f.hpaMin().equals(h.getSpec().getMinReplicas())
                && f.hpaMax().equals(h.getSpec().getMaxReplicas())) {
            return;
        }
        KubernetesTarget.retryOnConflict(() -> hpaOps().edit(x -> {
            x.getSpec().setMinReplicas(f.hpaMin());
            x.getSpec().setMaxReplicas(f.hpaMax());
            return x;
        }), () -> { });
        console.progress("  hpa/" + name + " restored: minReplicas " + f.hpaMin() + ", maxReplicas " + f.hpaMax());
    }

    /** A PodDisruptionBudget rendered before it covered both tracks selects {@code track: stable}: widen it. */
    private void widenPdb() {
        var pdbs = client.policy().v1().podDisruptionBudget().inNamespace(ns).withName(name);
        PodDisruptionBudget p = pdbs.get();
        if (p != null && p.getSpec().getSelector() != null && p.getSpec().getSelector().getMatchLabels() != null
                && p.getSpec().getSelector().getMatchLabels().containsKey("track")) {
            KubernetesTarget.retryOnConflict(() -> pdbs.edit(x -> {
                x.getSpec().getSelector().setMatchLabels(new HashMap<>(Map.of("app", name)));
                return x;
            }), () -> { });
            console.progress("  poddisruptionbudget/" + name + " now covers both tracks (selector app=" + name + ")");
        }
    }

    // ---- helpers ---------------------------------------------------------------------------------

    /** The newest revision in the ReplicaSet history that ran {@code version}, else {@code recorded}. */
    private long revisionOf(String version, long recorded) {
        return k8s.replicaSetHistory().stream().filter(r -> r.version().equals(version) && !r.current())
                .mapToLong(KubernetesTarget.Revision::revision).max().orElse(recorded);
    }

    private Facts facts() {
        Deployment c = canary();
        String json = c == null ? null : annotations(c).get(FACTS);
        if (json == null) {
            return null;
        }
        try {
            return Json.MAPPER.readValue(json, Facts.class);
        } catch (JsonProcessingException e) {
            throw SlipwayException.failed("deployment/" + canaryName + " annotation " + FACTS + " is not what Slipway"
                    + " wrote (" + e.getOriginalMessage() + ")", e);
        }
    }

    /**
     * @return the facts of the canary on record (recorded at its start, which the state names), or
     *         {@code null} when none were recorded for it yet (its deploy did not finish: a rerun
     *         deploys it) — never an older canary's
     */
    private Facts currentFacts() {
        Facts f = facts();
        if (f == null) {
            return null;
        }
        CanaryState st = store(null).load();
        return st != null && f.started().equals(String.valueOf(st.started())) ? f : null;
    }

    private Facts requireFacts() {
        Facts f = currentFacts();
        if (f == null) {
            throw SlipwayException.usage("no canary of " + name + " was started in namespace " + ns
                    + " (deployment/" + canaryName + " has no " + FACTS + ")");
        }
        return f;
    }

    private static String json(Facts f) {
        try {
            return Json.MAPPER.writeValueAsString(f);
        } catch (JsonProcessingException e) {
            throw new IllegalStateException(e);
        }
    }

    private io.fabric8.kubernetes.client.dsl.RollableScalableResource<Deployment> stableOps() {
        return client.apps().deployments().inNamespace(ns).withName(name);
    }

    private io.fabric8.kubernetes.client.dsl.Resource<HorizontalPodAutoscaler> hpaOps() {
        return client.autoscaling().v2().horizontalPodAutoscalers().inNamespace(ns).withName(name);
    }

    private Deployment stable() {
        return stableOps().get();
    }

    private Deployment canary() {
        return client.apps().deployments().inNamespace(ns).withName(canaryName).get();
    }

    private HorizontalPodAutoscaler hpa() {
        return hpaOps().get();
    }

    private void editCanary(java.util.function.Consumer<Deployment> change) {
        KubernetesTarget.retryOnConflict(() -> client.apps().deployments().inNamespace(ns).withName(canaryName).edit(d -> {
            if (d.getMetadata().getAnnotations() == null) {
                d.getMetadata().setAnnotations(new HashMap<>());
            }
            change.accept(d);
            return d;
        }), () -> { });
    }

    /** @return the Deployment's replicas; unset is 1, as the API server defaults it; no Deployment is 0 */
    private static int replicas(Deployment d) {
        return d == null ? 0 : d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
    }

    private static Map<String, String> annotations(Deployment d) {
        return d.getMetadata() == null || d.getMetadata().getAnnotations() == null ? Map.of()
                : d.getMetadata().getAnnotations();
    }
}
