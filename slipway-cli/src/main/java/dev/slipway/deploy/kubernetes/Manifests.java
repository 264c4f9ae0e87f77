package dev.slipway.deploy.kubernetes;

import dev.slipway.config.KubernetesConfig;
import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.ProbeBuilder;
import io.fabric8.kubernetes.api.model.Quantity;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServiceBuilder;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingPolicyBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRules;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HPAScalingRulesBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscalerBuilder;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpec;
import io.fabric8.kubernetes.api.model.autoscaling.v2.MetricSpecBuilder;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudgetBuilder;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The Kubernetes objects of one release of a service, built as fabric8's typed models: the stable
 * Deployment, its Service, and optionally an HPA (autoscaling/v2) and a PodDisruptionBudget
 * (policy/v1). The canary Deployment is made from the stable one by {@link #canary(int)}.
 *
 * <p>Rules (docs/kubernetes.md has the table):
 * <ul>
 *   <li>labels {@code app} and {@code track} (stable or canary) as in the chapter, plus the
 *       {@code app.kubernetes.io/*} recommended labels; the Service selects {@code app} only, so it
 *       sends traffic to stable and canary pods in proportion to their ready replicas;</li>
 *   <li>annotations {@code slipway.dev/version}, {@code slipway.dev/commit} and
 *       {@code kubernetes.io/change-cause} on the Deployment and its pod template, so every
 *       ReplicaSet in the history records the release it ran;</li>
 *   <li>RollingUpdate with {@code maxSurge}/{@code maxUnavailable} (default 1/0);</li>
 *   <li>readiness and liveness probes from {@code service.readiness}/{@code service.liveness}
 *       ({@code httpGet} on port {@code http} for {@code type: http}, {@code tcpSocket} on port
 *       {@code http} for {@code type: tcp}; period = interval rounded up to whole seconds, at least
 *       1; liveness failureThreshold = timeout / interval; initialDelaySeconds = startupGrace);</li>
 *   <li>env values from {@code slipway.yaml} with {@code ${PORT}} and {@code ${ADDR}} expanded by
 *       Slipway to the container port ({@code service.port}, fixed per pod) and {@code 0.0.0.0},
 *       rather than rendered as Kubernetes' own {@code $(PORT)}: the value is then the same in
 *       the manifest, the image and every other target. Kubernetes expands {@code $(VAR)} in every
 *       env value and turns {@code $$} into {@code $} (Kubernetes API, EnvVar.value), so each
 *       {@code $} of a {@code service.env} value is written as {@code $$}: the pod sees the value
 *       as written. {@code deploy.kubernetes.env} is Kubernetes-specific and keeps Kubernetes'
 *       meaning ({@code $(POD_NAME)} works there);</li>
 *   <li>a preStop {@code sleep} action (Kubernetes 1.30+; needs no shell in the image) of
 *       {@code preStopDelay}, and {@code terminationGracePeriodSeconds} = drain timeout +
 *       preStop delay, so the process gets its whole drain time after the sleep;</li>
 *   <li>secret environment variables as {@code secretKeyRef}: the name and key only.</li>
 * </ul>
 *
 * @param deployment the stable Deployment
 * @param service    the Service
 * @param hpa        the HPA, or {@code null}
 * @param pdb        the PodDisruptionBudget, or {@code null}
 */
public record Manifests(Deployment deployment, Service service, HorizontalPodAutoscaler hpa, PodDisruptionBudget pdb) {

    /** Annotation: the Slipway release version. */
    public static final String VERSION = "slipway.dev/version";
    /** Annotation: the release's commit. */
    public static final String COMMIT = "slipway.dev/commit";
    /** Annotation: the revision Slipway expects the controller to give this rollout. */
    public static final String REVISION = "slipway.dev/revision";
    /** Annotation: the change cause that {@code kubectl rollout history} shows. */
    public static final String CHANGE_CAUSE = "kubernetes.io/change-cause";
    /** Annotation set by the Deployment controller on Deployments and ReplicaSets. */
    public static final String K8S_REVISION = "deployment.kubernetes.io/revision";
    /** Annotation on the canary Deployment: the stable replica count before the canary started. */
    public static final String STABLE_REPLICAS = "slipway.dev/stable-replicas";
    /** Annotation on the canary Deployment: the requested weight in percent. */
    public static final String CANARY_WEIGHT = "slipway.dev/canary-weight";
    private static final String MANAGED_BY = "slipway";
    /**
     * One serializer for all: building one scans every model class (seconds), and a configured
     * instance is safe to share between threads.
     */
    static final KubernetesSerialization SERIALIZATION = new KubernetesSerialization();

    /**
     * Builds the objects for a release.
     *
     * @param config  the service configuration ({@code deploy.kubernetes} and {@code service})
     * @param release the image and version facts
     * @return the manifests
     */
    public static Manifests of(SlipwayConfig config, KubeRelease release) {
        KubernetesConfig k = config.kubernetes();
        String name = config.name();
        Deployment d = deployment(config, release, name, "stable", k.hpa() == null ? Integer.valueOf(k.replicas()) : null);
        Service svc = new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(k.namespace()).withLabels(objectLabels(name, release))
                .endMetadata()
                .withNewSpec().withType(k.serviceType()).withSelector(Map.of("app", name))
                .addNewPort().withName("http").withProtocol("TCP").withPort(k.servicePort())
                .withTargetPort(new IntOrString("http")).endPort()
                .endSpec().build();
        HorizontalPodAutoscaler hpa = k.hpa() == null ? null : hpa(k, name, release);
        PodDisruptionBudget pdb = null;
        if (k.pdb() != null) {
            PodDisruptionBudgetBuilder b = new PodDisruptionBudgetBuilder()
                    .withNewMetadata().withName(name).withNamespace(k.namespace()).withLabels(objectLabels(name, release))
                    .endMetadata();
            // Both tracks (app only): a canary's pods count towards the budget too (issue 22).
            var spec = b.withNewSpec().withNewSelector().withMatchLabels(Map.of("app", name)).endSelector();
            if (k.pdb().minAvailable() != null) {
                spec.withMinAvailable(new IntOrString(k.pdb().minAvailable()));
            } else {
                spec.withMaxUnavailable(new IntOrString(k.pdb().maxUnavailable()));
            }
            pdb = spec.endSpec().build();
        }
        return new Manifests(d, svc, hpa, pdb);
    }

    /**
     * The canary Deployment: {@code <name>-canary}, the same pod template with {@code track:
     * canary} and {@code TRACK=canary}, its own selector, and the given replica count.
     *
     * @param replicas canary pods
     * @return a new Deployment; the stable one is not changed
     */
    public Deployment canary(int replicas) {
        Deployment c = SERIALIZATION.clone(deployment);
        String name = deployment.getMetadata().getName();
        c.getMetadata().setName(name + "-canary");
        c.getMetadata().getLabels().put("track", "canary");
        c.getSpec().setReplicas(replicas);
        c.getSpec().getSelector().setMatchLabels(selector(name, "canary"));
        c.getSpec().getTemplate().getMetadata().getLabels().put("track", "canary");
        for (Container ct : c.getSpec().getTemplate().getSpec().getContainers()) {
            for (EnvVar e : ct.getEnv()) {
                if (e.getName().equals("TRACK")) {
                    e.setValue("canary");
                }
            }
        }
        return c;
    }

    /** @return the objects in apply order: Service, Deployment, HPA, PDB (absent ones left out) */
    public List<HasMetadata> all() {
        List<HasMetadata> out = new ArrayList<>();
        out.add(service);
        out.add(deployment);
        if (hpa != null) {
            out.add(hpa);
        }
        if (pdb != null) {
            out.add(pdb);
        }
        return out;
    }

    /** @return every object as YAML documents separated by {@code ---}, as {@code kubectl apply -f} reads */
    public String yaml() {
        KubernetesSerialization s = SERIALIZATION;
        StringBuilder sb = new StringBuilder();
        for (HasMetadata o : all()) {
            String doc = s.asYaml(o);
            sb.append(doc.startsWith("---") ? doc : "---\n" + doc);
            if (!doc.endsWith("\n")) {
                sb.append('\n');
            }
        }
        return sb.toString();
    }

    /** The stable or canary selector: {@code app} and {@code track}. */
    static Map<String, String> selector(String name, String track) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("app", name);
        m.put("track", track);
        return m;
    }

    private static Map<String, String> objectLabels(String name, KubeRelease r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put("app", name);
        m.put("app.kubernetes.io/name", name);
        m.put("app.kubernetes.io/version", labelValue(r.version()));
        m.put("app.kubernetes.io/managed-by", MANAGED_BY);
        return m;
    }

    private static Map<String, String> annotations(String name, KubeRelease r) {
        Map<String, String> m = new LinkedHashMap<>();
        m.put(VERSION, r.version());
        m.put(COMMIT, r.commit());
        m.put(CHANGE_CAUSE, "slipway deploy " + name + " " + r.version() + " (commit " + r.shortCommit() + ")");
        return m;
    }

    /** A label value: at most 63 of {@code [A-Za-z0-9._-]}, alphanumeric at both ends (else cut). */
    static String labelValue(String s) {
        String v = s.replaceAll("[^A-Za-z0-9._-]", "_");
        if (v.length() > 63) {
            v = v.substring(0, 63);
        }
        return v.replaceAll("^[^A-Za-z0-9]+", "").replaceAll("[^A-Za-z0-9]+$", "");
    }

    private static Deployment deployment(SlipwayConfig config, KubeRelease r, String name, String track,
                                         Integer replicas) {
        KubernetesConfig k = config.kubernetes();
        SlipwayConfig.Service s = config.service();
        Map<String, String> labels = objectLabels(name, r);
        labels.put("track", track);
        long drain = ceilSeconds(s.drainTimeout());
        long preStop = ceilSeconds(k.preStopDelay());
        List<EnvVar> env = new ArrayList<>();
        env.add(new EnvVar("PORT", String.valueOf(s.port()), null));
        env.add(new EnvVar("ADDR", "0.0.0.0", null));
        env.add(new EnvVar("DRAIN_TIMEOUT", String.valueOf(Math.max(1, drain)), null));
        env.add(new EnvVar("TRACK", track, null));
        References.Values values = References.Values.of(s.port(), "0.0.0.0", null);
        s.env().entrySet().stream().filter(e -> !KubernetesConfig.RESERVED_ENV.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> env.add(new EnvVar(e.getKey(), literal(References.expand(e.getValue(), values)), null)));
        k.env().forEach((key, value) -> env.add(new EnvVar(key, References.expand(value, values), null)));
        k.secretEnv().forEach((key, ref) -> env.add(new EnvVarBuilder().withName(key).withNewValueFrom()
                .withNewSecretKeyRef().withName(ref.secret()).withKey(ref.key()).endSecretKeyRef()
                .endValueFrom().build()));
        ContainerBuilder c = new ContainerBuilder().withName(name).withImage(r.image())
                .addNewPort().withName("http").withContainerPort(s.port()).withProtocol("TCP").endPort()
                .withEnv(env)
                .withReadinessProbe(probe(s.readiness(), false))
                .withLivenessProbe(probe(s.liveness(), true))
                .withNewLifecycle().withNewPreStop().withNewSleep().withSeconds(preStop).endSleep().endPreStop()
                .endLifecycle();
        if (!k.requests().isEmpty() || !k.limits().isEmpty()) {
            c.withNewResources().withRequests(quantities(k.requests())).withLimits(quantities(k.limits())).endResources();
        }
        return new DeploymentBuilder()
                .withNewMetadata().withName(name).withNamespace(k.namespace()).withLabels(labels)
                .withAnnotations(annotations(name, r)).endMetadata()
                .withNewSpec()
                .withReplicas(replicas)
                .withRevisionHistoryLimit(k.revisionHistoryLimit())
                .withProgressDeadlineSeconds((int) ceilSeconds(k.progressDeadline()))
                .withNewSelector().withMatchLabels(selector(name, track)).endSelector()
                .withNewStrategy().withType("RollingUpdate").withNewRollingUpdate()
                .withMaxSurge(new IntOrString(k.maxSurge())).withMaxUnavailable(new IntOrString(k.maxUnavailable()))
                .endRollingUpdate().endStrategy()
                .withNewTemplate()
                .withNewMetadata().withLabels(labels).withAnnotations(annotations(name, r)).endMetadata()
                .withNewSpec()
                .withTerminationGracePeriodSeconds(drain + preStop)
                .withContainers(c.build())
                .endSpec()
                .endTemplate()
                .endSpec().build();
    }

    private static Map<String, Quantity> quantities(Map<String, String> m) {
        Map<String, Quantity> out = new java.util.TreeMap<>(); // sorted: the same bytes on every run
        m.forEach((k, v) -> out.put(k, new Quantity(v)));
        return out.isEmpty() ? null : out;
    }

    /**
     * @param value an env value as the pod must see it
     * @return the value for {@code EnvVar.value}: every {@code $} doubled, so Kubernetes' own
     *         {@code $(VAR)} expansion leaves it as it is
     */
    static String literal(String value) {
        return value.replace("$", "$$");
    }

    private static Probe probe(SlipwayConfig.Probe p, boolean liveness) {
        int period = (int) Math.max(1, ceilSeconds(p.interval()));
        int failures = liveness ? (int) Math.max(1, -Math.floorDiv(-p.timeout().toMillis(), p.interval().toMillis())) : 3;
        ProbeBuilder b = new ProbeBuilder();
        if (p.tcp()) {
            b.withNewTcpSocket().withPort(new IntOrString("http")).endTcpSocket();
        } else {
            b.withNewHttpGet().withPath(p.path()).withPort(new IntOrString("http")).endHttpGet();
        }
        return b
                .withPeriodSeconds(period)
                .withTimeoutSeconds(1)
                .withFailureThreshold(failures)
                .withInitialDelaySeconds((int) ceilSeconds(p.startupGrace()))
                .build();
    }

    private static HorizontalPodAutoscaler hpa(KubernetesConfig k, String name, KubeRelease r) {
        KubernetesConfig.Hpa h = k.hpa();
        List<MetricSpec> metrics = new ArrayList<>();
        if (h.cpu() != null) {
            metrics.add(resourceMetric("cpu", h.cpu()));
        }
        if (h.memory() != null) {
            metrics.add(resourceMetric("memory", h.memory()));
        }
        var spec = new HorizontalPodAutoscalerBuilder()
                .withNewMetadata().withName(name).withNamespace(k.namespace()).withLabels(objectLabels(name, r))
                .endMetadata()
                .withNewSpec()
                .withNewScaleTargetRef().withApiVersion("apps/v1").withKind("Deployment").withName(name)
                .endScaleTargetRef()
                .withMinReplicas(h.minReplicas()).withMaxReplicas(h.maxReplicas())
                .withMetrics(metrics);
        if (h.scaleUp() != null || h.scaleDown() != null) {
            spec.withNewBehavior().withScaleUp(rules(h.scaleUp())).withScaleDown(rules(h.scaleDown())).endBehavior();
        }
        return spec.endSpec().build();
    }

    private static MetricSpec resourceMetric(String resource, int percent) {
        return new MetricSpecBuilder().withType("Resource").withNewResource().withName(resource)
                .withNewTarget().withType("Utilization").withAverageUtilization(percent).endTarget()
                .endResource().build();
    }

    private static HPAScalingRules rules(KubernetesConfig.Scaling s) {
        if (s == null) {
            return null;
        }
        HPAScalingRulesBuilder b = new HPAScalingRulesBuilder();
        if (s.stabilization() != null) {
            b.withStabilizationWindowSeconds((int) ceilSeconds(s.stabilization()));
        }
        if (s.pods() != null || s.percent() != null) {
            b.withPolicies(new HPAScalingPolicyBuilder().withType(s.pods() != null ? "Pods" : "Percent")
                    .withValue(s.pods() != null ? s.pods() : s.percent())
                    .withPeriodSeconds((int) ceilSeconds(s.period())).build());
        }
        return b.build();
    }

    /** Whole seconds, rounded up: Kubernetes counts seconds. */
    static long ceilSeconds(Duration d) {
        return -Math.floorDiv(-d.toMillis(), 1000L);
    }
}
