package dev.slipway.deploy.kubernetes;

import dev.slipway.SlipwayException;
import dev.slipway.config.KubernetesConfig;
import dev.slipway.config.References;
import dev.slipway.config.SlipwayConfig;
import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerBuilder;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.EnvVarBuilder;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.IntOrString;
import io.fabric8.kubernetes.api.model.PodSpecBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.PodTemplateSpecBuilder;
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
 *   <li>{@code service.env} values as written, {@code ${PORT}} and {@code ${ADDR}} included: the
 *       image's entrypoint ({@code slipway-start}, {@link dev.slipway.image.ImageBuilder#START})
 *       expands them from the pod's {@code PORT} and {@code ADDR} when the container starts, as on
 *       every target that runs the image. Kubernetes expands {@code $(VAR)} in every env value and
 *       turns {@code $$} into {@code $} (Kubernetes API, EnvVar.value), so each {@code $} of a
 *       {@code service.env} value is written as {@code $$}: the pod sees the value as written.
 *       {@code deploy.kubernetes.env} is Kubernetes-specific and keeps Kubernetes' meaning
 *       ({@code $(POD_NAME)} works there), with {@code ${PORT}} and {@code ${ADDR}} expanded by
 *       Slipway to the container port ({@code service.port}, fixed per pod) and {@code 0.0.0.0}
 *       (the image does not know these variables);</li>
 *   <li>a preStop {@code sleep} action (Kubernetes 1.30+; needs no shell in the image) of
 *       {@code preStopDelay}, and {@code terminationGracePeriodSeconds} = drain timeout +
 *       preStop delay, so the process gets its whole drain time after the sleep;</li>
 *   <li>secret environment variables as {@code secretKeyRef}: the name and key only;</li>
 *   <li>a pod that the Pod Security Standards' {@code restricted} profile admits
 *       ({@link ManifestCheck#restricted}): {@code runAsNonRoot} with {@code runAsUser}/{@code runAsGroup}
 *       from {@code image.user}, seccomp {@code RuntimeDefault}, {@code allowPrivilegeEscalation: false},
 *       {@code capabilities.drop: [ALL]}, a read-only root file system with emptyDirs at {@code /tmp}
 *       and {@code /data} (the image's {@code DATA_DIR}; the image runs java directly, so nothing else
 *       is written), and no service account token mounted;</li>
 *   <li>a startupProbe on the readiness check that allows {@code startupGrace} + the readiness
 *       {@code timeout}; readiness and liveness start after it, every probe times out after
 *       {@code probeTimeout};</li>
 *   <li>JVM sizing in {@code JDK_JAVA_OPTIONS} from the resources ({@link #jvmOptions});</li>
 *   <li>topology spread over nodes and zones, scheduling keys as configured, then
 *       {@code podPatch} merged into the pod template (RFC 7386).</li>
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
    /** Label: the tool that manages an object (Kubernetes' recommended labels). */
    public static final String MANAGED_BY_LABEL = "app.kubernetes.io/managed-by";
    /** The value of {@link #MANAGED_BY_LABEL} on Slipway's objects. */
    public static final String MANAGED_BY = "slipway";
    /** The environment variable the {@code java} launcher reads options from (JDK 9+). */
    static final String JDK_JAVA_OPTIONS = "JDK_JAVA_OPTIONS";
    /** The image's data directory ({@code DATA_DIR}), an emptyDir in the pod. */
    static final String DATA_DIR = "/data";
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
        if (config.service().readiness().process()) {
            throw dev.slipway.SlipwayException.usage(config.file() + ": "
                    + SlipwayConfig.Probe.noPortRefusal("kubernetes"));
        }
        KubernetesConfig k = config.kubernetes();
        String name = config.name();
        Deployment d = deployment(config, release, name, "stable", k.hpa() == null ? Integer.valueOf(k.replicas()) : null);
        Service svc = new ServiceBuilder()
                .withNewMetadata().withName(name).withNamespace(k.namespace()).withLabels(objectLabels(name, release))
                .endMetadata()
                .withNewSpec().withType(k.serviceType()).withSelector(Map.of("app", name))
                .addNewPort().withName(portName(config.service())).withProtocol("TCP").withPort(k.servicePort())
                // A gRPC server speaks cleartext HTTP/2: Kubernetes' standard application protocol
                // name for it (KEP-3726), which ingress controllers and meshes read.
                .withAppProtocol(config.service().urlScheme().equals("grpc") ? "kubernetes.io/h2c" : null)
                .withTargetPort(new IntOrString(portName(config.service()))).endPort()
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
        m.put(MANAGED_BY_LABEL, MANAGED_BY);
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
        // service.env as written: the image's entrypoint (slipway-start) expands its ${PORT} and ${ADDR}
        // from the pod's PORT and ADDR, as on every target that runs the image.
        s.env().entrySet().stream().filter(e -> !KubernetesConfig.RESERVED_ENV.contains(e.getKey()))
                .sorted(Map.Entry.comparingByKey())
                .forEach(e -> env.add(new EnvVar(e.getKey(), literal(e.getValue()), null)));
        References.Values values = References.Values.of(s.port(), "0.0.0.0", null);
        k.env().forEach((key, value) -> env.add(new EnvVar(key, References.expand(value, values), null)));
        k.secretEnv().forEach((key, ref) -> env.add(new EnvVarBuilder().withName(key).withNewValueFrom()
                .withNewSecretKeyRef().withName(ref.secret()).withKey(ref.key()).endSecretKeyRef()
                .endValueFrom().build()));
        String jvm = jvmOptions(config);
        if (!jvm.isEmpty()) {
            env.add(new EnvVar(JDK_JAVA_OPTIONS, jvm, null));
        }
        KubernetesConfig.Pod pod = k.pod();
        int probeTimeout = (int) ceilSeconds(pod.probeTimeout());
        ContainerBuilder c = new ContainerBuilder().withName(name).withImage(r.image())
                .addNewPort().withName(portName(s)).withContainerPort(s.port()).withProtocol("TCP").endPort()
                .withEnv(env)
                .withStartupProbe(startupProbe(s.readiness(), probeTimeout, s))
                .withReadinessProbe(probe(s.readiness(), false, probeTimeout, s))
                .withLivenessProbe(probe(s.liveness(), true, probeTimeout, s))
                .withNewSecurityContext().withAllowPrivilegeEscalation(false).withReadOnlyRootFilesystem(true)
                .withNewCapabilities().withDrop("ALL").endCapabilities().endSecurityContext()
                .addNewVolumeMount().withName("tmp").withMountPath("/tmp").endVolumeMount()
                .addNewVolumeMount().withName("data").withMountPath(DATA_DIR).endVolumeMount();
        if (preStop > 0) {
            // preStop sleep 0 is a no-op the API server may refuse (sleep.seconds > 0 before 1.32): leave it out.
            c.withNewLifecycle().withNewPreStop().withNewSleep().withSeconds(preStop).endSleep().endPreStop().endLifecycle();
        }
        if (!k.requests().isEmpty() || !k.limits().isEmpty()) {
            c.withNewResources().withRequests(quantities(k.requests())).withLimits(quantities(k.limits())).endResources();
        }
        String user = config.image().user();
        long uid = Long.parseLong(user.substring(0, user.indexOf(':')));
        long gid = Long.parseLong(user.substring(user.indexOf(':') + 1));
        PodSpecBuilder ps = new PodSpecBuilder()
                .withTerminationGracePeriodSeconds(drain + preStop)
                .withAutomountServiceAccountToken(false)
                .withNewSecurityContext().withRunAsNonRoot(uid == 0 ? null : Boolean.TRUE).withRunAsUser(uid)
                .withRunAsGroup(gid).withNewSeccompProfile().withType("RuntimeDefault").endSeccompProfile()
                .endSecurityContext()
                .withContainers(c.build())
                .addNewVolume().withName("tmp").withNewEmptyDir().endEmptyDir().endVolume()
                .addNewVolume().withName("data").withNewEmptyDir().endEmptyDir().endVolume()
                .withServiceAccountName(pod.serviceAccountName())
                .withPriorityClassName(pod.priorityClassName())
                .withNodeSelector(pod.nodeSelector().isEmpty() ? null : new LinkedHashMap<>(pod.nodeSelector()));
        for (KubernetesConfig.Toleration t : pod.tolerations()) {
            ps.addNewToleration().withKey(t.key()).withOperator(t.operator()).withValue(t.value()).withEffect(t.effect())
                    .withTolerationSeconds(t.tolerationSeconds() == null ? null : t.tolerationSeconds().longValue())
                    .endToleration();
        }
        for (String secret : pod.imagePullSecrets()) {
            ps.addNewImagePullSecret(secret);
        }
        if (!pod.spread().equals("none")) {
            for (String key : List.of("kubernetes.io/hostname", "topology.kubernetes.io/zone")) {
                ps.addNewTopologySpreadConstraint().withMaxSkew(1).withTopologyKey(key)
                        .withWhenUnsatisfiable(pod.spread()).withNewLabelSelector().withMatchLabels(selector(name, track))
                        .endLabelSelector().withMatchLabelKeys("pod-template-hash").endTopologySpreadConstraint();
            }
        }
        PodTemplateSpec template = new PodTemplateSpecBuilder()
                .withNewMetadata().withLabels(labels).withAnnotations(annotations(name, r)).endMetadata()
                .withSpec(ps.build()).build();
        template = patched(config, template);
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
                .withTemplate(template)
                .endSpec().build();
    }

    /**
     * Applies {@code deploy.kubernetes.podPatch} to the pod template (JSON merge patch, RFC 7386)
     * and checks that the result still passes the Pod Security {@code restricted} profile.
     *
     * @throws SlipwayException (exit 2) when the patched pod would be refused under
     *                          {@code restricted}, naming each violated rule
     */
    @SuppressWarnings("unchecked")
    private static PodTemplateSpec patched(SlipwayConfig config, PodTemplateSpec template) {
        Map<String, Object> patch = config.kubernetes().pod().patch();
        if (patch.isEmpty()) {
            return template;
        }
        Map<String, Object> doc = SERIALIZATION.convertValue(template, Map.class);
        PodTemplateSpec out = SERIALIZATION.convertValue(MergePatch.apply(doc, patch), PodTemplateSpec.class);
        List<String> problems = ManifestCheck.restricted(out.getSpec());
        if (!problems.isEmpty() && !config.image().runsAsRoot()) {
            throw SlipwayException.usage("deploy.kubernetes.podPatch: the patched pod would be refused under Pod Security"
                    + " 'restricted':\n  " + String.join("\n  ", problems));
        }
        return out;
    }

    /**
     * The JVM options a pod gets in {@code JDK_JAVA_OPTIONS} (read by the {@code java} launcher,
     * JDK 9+; the image runs java directly), sized from {@code deploy.kubernetes.resources}:
     * <ul>
     *   <li>heap: {@code -XX:MaxRAMPercentage=P} and {@code -XX:MinRAMPercentage=P} (the JVM uses
     *       the latter when memory is small, about 250 MB and less) with P = 75, lowered so that at least 96 MiB stay
     *       for metaspace, code cache, threads and the CDS/AOT cache, at least 25: of the memory
     *       limit, which the JVM reads from the cgroup; with a request and no limit,
     *       {@code -XX:MaxRAM=<request>} too, since the JVM would otherwise size from the node;</li>
     *   <li>CPUs: {@code -XX:ActiveProcessorCount=N}, N = the CPU limit (else the request) rounded
     *       up, at least 1; the JVM ignores CPU requests (shares) since JDK 19 and 17.0.5
     *       (JDK-8281181), so without it a pod sizes GC and pools by the node's CPUs.</li>
     * </ul>
     * Each is left out when the user set it ({@code -Xmx}, {@code -XX:MaxRAM},
     * {@code -XX:MaxRAMPercentage}; {@code -XX:ActiveProcessorCount}) in {@code build.jvmOptions},
     * and all are left out when {@code JDK_JAVA_OPTIONS} or {@code JAVA_TOOL_OPTIONS} is set in
     * {@code service.env}, {@code image.env}, {@code deploy.kubernetes.env} or {@code secretEnv}.
     *
     * @param config the service configuration
     * @return the options separated by spaces, or {@code ""} for none
     */
    static String jvmOptions(SlipwayConfig config) {
        KubernetesConfig k = config.kubernetes();
        for (String v : List.of(JDK_JAVA_OPTIONS, "JAVA_TOOL_OPTIONS")) {
            if (config.service().env().containsKey(v) || config.image().env().containsKey(v) || k.env().containsKey(v)
                    || k.secretEnv().containsKey(v)) {
                return "";
            }
        }
        List<String> own = config.build().jvmOptions();
        List<String> out = new ArrayList<>();
        String memory = k.limits().getOrDefault("memory", k.requests().get("memory"));
        if (memory != null && own.stream().noneMatch(o -> o.startsWith("-Xmx") || o.startsWith("-XX:MaxRAM"))) {
            java.math.BigDecimal bytes = KubernetesConfig.amount(memory);
            double reserve = 96.0 * 1024 * 1024;
            double percent = Math.max(25.0, Math.min(75.0, Math.floor((1 - reserve / bytes.doubleValue()) * 1000) / 10));
            if (!k.limits().containsKey("memory")) {
                out.add("-XX:MaxRAM=" + bytes.toBigInteger());
            }
            out.add("-XX:MaxRAMPercentage=" + percent);
            out.add("-XX:MinRAMPercentage=" + percent); // what the JVM takes instead below about 250 MB of RAM
        }
        String cpu = k.limits().getOrDefault("cpu", k.requests().get("cpu"));
        if (cpu != null && own.stream().noneMatch(o -> o.startsWith("-XX:ActiveProcessorCount"))) {
            int n = Math.max(1, KubernetesConfig.amount(cpu).setScale(0, java.math.RoundingMode.CEILING).intValue());
            out.add("-XX:ActiveProcessorCount=" + n);
        }
        return String.join(" ", out);
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

    /**
     * The startupProbe: the readiness check, every readiness period, failing the container only
     * after {@code startupGrace} + the readiness {@code timeout}; readiness and liveness probes
     * start once it passed (Kubernetes' startupProbe semantics), so they need no initial delay.
     */
    /**
     * The name of the container's and the Service's port, by the protocol the service speaks:
     * {@code grpc} for a gRPC server ({@link SlipwayConfig.Service#urlScheme()}), {@code https} for
     * TLS, else {@code http}. Meshes and ingress controllers that predate {@code appProtocol} pick
     * the protocol by this prefix (Istio's "protocol selection": {@code grpc}, {@code http},
     * {@code https}), and a gRPC port taken for HTTP/1.1 there breaks every call.
     *
     * @param service the {@code service} section
     * @return a port name (RFC 6335 service name: at most 15 lower-case letters, digits, hyphens)
     */
    static String portName(SlipwayConfig.Service service) {
        return switch (service.urlScheme()) {
            case "grpc" -> "grpc";
            case "https" -> "https";
            default -> "http";
        };
    }

    private static Probe startupProbe(SlipwayConfig.Probe readiness, int timeout, SlipwayConfig.Service service) {
        int period = (int) Math.max(1, ceilSeconds(readiness.interval()));
        long allowed = readiness.startupGrace().plus(readiness.timeout()).toMillis();
        int failures = (int) Math.max(1, -Math.floorDiv(-allowed, period * 1000L));
        Probe p = probe(readiness, false, timeout, service);
        p.setFailureThreshold(failures);
        return p;
    }

    private static Probe probe(SlipwayConfig.Probe p, boolean liveness, int timeout, SlipwayConfig.Service service) {
        int period = (int) Math.max(1, ceilSeconds(p.interval()));
        int failures = liveness ? (int) Math.max(1, -Math.floorDiv(-p.timeout().toMillis(), p.interval().toMillis())) : 3;
        ProbeBuilder b = new ProbeBuilder();
        if (p.tcp()) {
            b.withNewTcpSocket().withPort(new IntOrString(portName(service))).endTcpSocket();
        } else if (p.grpc()) {
            // Kubernetes' native gRPC probe (1.24+): grpc.health.v1 Check, SERVING passes. Its port is
            // a number (GRPCAction has no named port), the container port the service listens on.
            b.withNewGrpc().withPort(service.port()).withService(p.service()).endGrpc();
        } else {
            b.withNewHttpGet().withPath(p.path()).withPort(new IntOrString(portName(service))).endHttpGet();
        }
        return b
                .withPeriodSeconds(period)
                .withTimeoutSeconds(timeout)
                .withFailureThreshold(failures)
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
