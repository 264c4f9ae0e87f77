package dev.slipway.config;

import java.math.BigDecimal;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The resolved {@code deploy.kubernetes} section of {@code slipway.yaml}: how the service runs as
 * a Kubernetes Deployment (with its Service, and optionally an HPA and a PodDisruptionBudget).
 * The reference is {@code docs/config.md}, section {@code deploy.kubernetes}, and the guide
 * {@code docs/kubernetes.md}.
 *
 * @param context          the kubeconfig context to use, or {@code null} for its current context
 * @param namespace        the namespace of every object (default {@code default})
 * @param image            an image reference with a digest ({@code NAME@sha256:HEX}), or
 *                         {@code null} to take the image that {@code slipway image} recorded in
 *                         {@code dist/artifacts.json}
 * @param replicas         desired pods of the stable Deployment (default 3, as the seed's); with an
 *                         HPA the HPA owns the count and this is only the first one
 * @param requests         resource requests ({@code cpu}, {@code memory}) as Kubernetes quantities
 * @param limits           resource limits, same keys
 * @param env              plain environment variables of the pod, on top of {@code service.env}
 * @param secretEnv        environment variables taken from Secrets by {@code secretKeyRef}; only
 *                         the Secret's name and key are written, never a value
 * @param preStopDelay     how long a pod sleeps in its preStop hook before SIGTERM, so that
 *                         endpoints are removed before the process stops taking requests
 * @param progressDeadline the Deployment's {@code progressDeadlineSeconds}; also how long a deploy
 *                         waits without progress before it counts as failed
 * @param revisionHistoryLimit ReplicaSets kept for rollback ({@code revisionHistoryLimit})
 * @param maxSurge         RollingUpdate maxSurge in pods (default 1)
 * @param maxUnavailable   RollingUpdate maxUnavailable in pods (default 0)
 * @param serviceType      the Service type: ClusterIP, NodePort or LoadBalancer
 * @param servicePort      the Service port (default 80), forwarded to {@code service.port}
 * @param hpa              the HorizontalPodAutoscaler, or {@code null} for none
 * @param pdb              the PodDisruptionBudget, or {@code null} for none
 * @param pod              the pod's scheduling, probe timeout, spread and patch ({@code deploy.kubernetes}
 *                         keys that shape the pod template)
 * @param configured       whether slipway.yaml has a {@code deploy.kubernetes} section; without one
 *                         every other component holds its default
 */
public record KubernetesConfig(String context, String namespace, String image, int replicas,
                               Map<String, String> requests, Map<String, String> limits, Map<String, String> env,
                               Map<String, SecretRef> secretEnv, Duration preStopDelay, Duration progressDeadline,
                               int revisionHistoryLimit, int maxSurge, int maxUnavailable, String serviceType,
                               int servicePort, Hpa hpa, Pdb pdb, Pod pod, boolean configured) {

    /** DNS-1123 label: namespaces, Service and Deployment names. */
    public static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    /** DNS-1123 subdomain: Secret names. */
    public static final Pattern DNS_SUBDOMAIN =
            Pattern.compile("(?=.{1,253}$)[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*");
    /** An image reference pinned by digest (OCI distribution spec: {@code algorithm:hex}). */
    public static final Pattern DIGEST_REF = Pattern.compile("[^@\\s]+@sha256:[0-9a-f]{64}");
    /** A Kubernetes resource quantity such as {@code 250m}, {@code 1}, {@code 512Mi}, {@code 1.5Gi}. */
    private static final Pattern QUANTITY = Pattern.compile("[0-9]+(\\.[0-9]+)?(m|k|M|G|T|P|E|Ki|Mi|Gi|Ti|Pi|Ei)?");
    private static final Pattern SECRET_KEY = Pattern.compile("[-._a-zA-Z0-9]+");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern LABEL_KEY = Pattern.compile(
            "([a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*/)?[A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?");
    private static final Pattern LABEL_VALUE = Pattern.compile("([A-Za-z0-9]([-A-Za-z0-9_.]{0,61}[A-Za-z0-9])?)?");
    /** Variables Slipway sets in every pod. */
    public static final Set<String> RESERVED_ENV = Set.of("PORT", "ADDR", "DRAIN_TIMEOUT", "TRACK");

    /**
     * A {@code secretKeyRef}: the variable's value is the Secret's key, read by the kubelet.
     *
     * @param secret the Secret's name
     * @param key    the key in the Secret
     */
    public record SecretRef(String secret, String key) {}

    /**
     * A HorizontalPodAutoscaler (autoscaling/v2) over the stable Deployment.
     *
     * @param minReplicas the fewest pods
     * @param maxReplicas the most pods
     * @param cpu         target average CPU utilisation in percent of requests, or {@code null}
     * @param memory      target average memory utilisation in percent of requests, or {@code null}
     * @param scaleUp     scale-up behaviour
     * @param scaleDown   scale-down behaviour
     */
    public record Hpa(int minReplicas, int maxReplicas, Integer cpu, Integer memory, Scaling scaleUp,
                      Scaling scaleDown) {}

    /**
     * One direction of HPA behaviour: a stabilisation window and one policy.
     *
     * @param stabilization the stabilisation window
     * @param pods          a policy of at most this many pods per period, or {@code null}
     * @param percent       a policy of at most this percent of the current pods per period, or {@code null}
     * @param period        the policy's period
     */
    public record Scaling(Duration stabilization, Integer pods, Integer percent, Duration period) {}

    /**
     * A PodDisruptionBudget over the stable pods; exactly one field is set.
     *
     * @param minAvailable   pods that must stay available, or {@code null}
     * @param maxUnavailable pods that may be unavailable, or {@code null}
     */
    public record Pdb(Integer minAvailable, Integer maxUnavailable) {}

    /**
     * What shapes the pod template beyond the container: probe deadlines, scheduling and the
     * user's own patch. Every field has a default, so a {@code deploy.kubernetes} section without
     * these keys still renders a restricted, spread pod.
     *
     * @param probeTimeout       each probe's {@code timeoutSeconds} (default 3s: a GC pause of a
     *                           second under load must not restart a pod, as Kubernetes' 1s default can)
     * @param nodeSelector       the pod's {@code nodeSelector}, label key to value; empty for none
     * @param tolerations        the pod's tolerations, in order; empty for none
     * @param serviceAccountName the pod's service account, or {@code null} for the namespace's
     *                           {@code default} (its token is never mounted)
     * @param imagePullSecrets   names of Secrets of type {@code kubernetes.io/dockerconfigjson}; empty for none
     * @param priorityClassName  the pod's PriorityClass, or {@code null}
     * @param spread             {@code whenUnsatisfiable} of the topology spread constraints over
     *                           {@code kubernetes.io/hostname} and {@code topology.kubernetes.io/zone}:
     *                           {@code ScheduleAnyway} (default), {@code DoNotSchedule}, or
     *                           {@code none} for no constraints
     * @param patch              a JSON merge patch (RFC 7386) applied to the rendered pod template
     *                           ({@code spec.template}), as parsed YAML; empty for none
     */
    public record Pod(Duration probeTimeout, Map<String, String> nodeSelector, java.util.List<Toleration> tolerations,
                      String serviceAccountName, java.util.List<String> imagePullSecrets, String priorityClassName,
                      String spread, Map<String, Object> patch) {}

    /**
     * A toleration of the pod (Kubernetes' {@code Toleration}).
     *
     * @param key               the taint key, or {@code null} with {@code Exists} for every taint
     * @param operator          {@code Equal} (default) or {@code Exists}
     * @param value             the taint value for {@code Equal}, or {@code null}
     * @param effect            {@code NoSchedule}, {@code PreferNoSchedule}, {@code NoExecute}, or {@code null} for all
     * @param tolerationSeconds for {@code NoExecute}: how long the pod stays after the taint appears, or {@code null}
     */
    public record Toleration(String key, String operator, String value, String effect, Integer tolerationSeconds) {}

    // ---- raw model: what the YAML may contain; every field optional -------------------------

    record RawKubernetes(
            @Key(doc = "kubeconfig context (default: the kubeconfig's current context)") String context,
            @Key(doc = "Namespace (default default)") String namespace,
            @Key(doc = "Image pinned by digest, NAME@sha256:HEX (default: from dist/artifacts.json)") String image,
            @Key(doc = "Pods of the stable Deployment (default 3)") Integer replicas,
            RawResources resources,
            @Key(doc = "Plain environment variables of the pod") Map<String, String> env,
            @Key(doc = "Environment variables from Secrets (secretKeyRef); values never appear in manifests")
            Map<String, RawSecretRef> secretEnv,
            @Key(doc = "Sleep in the preStop hook before SIGTERM (default 5s)") Duration preStopDelay,
            @Key(doc = "progressDeadlineSeconds; a deploy without progress for this long fails (default 10m)")
            Duration progressDeadline,
            @Key(doc = "ReplicaSets kept for rollback (default 10)") Integer revisionHistoryLimit,
            RawStrategy strategy,
            RawKService service,
            RawHpa hpa,
            RawPdb pdb,
            @Key(doc = "timeoutSeconds of every probe (default 3s)") Duration probeTimeout,
            @Key(doc = "The pod's nodeSelector: node label key to value") Map<String, String> nodeSelector,
            @Key(doc = "The pod's tolerations") java.util.List<RawToleration> tolerations,
            @Key(doc = "The pod's service account (default: the namespace's default; its token is never mounted)")
            String serviceAccountName,
            @Key(doc = "Names of docker-registry Secrets to pull the image with") java.util.List<String> imagePullSecrets,
            @Key(doc = "The pod's PriorityClass") String priorityClassName,
            @Key(values = {"ScheduleAnyway", "DoNotSchedule", "none"},
                    doc = "Spread pods across nodes and zones: whenUnsatisfiable of both constraints (default ScheduleAnyway)")
            String spread,
            @Key(doc = "A JSON merge patch (RFC 7386) applied to the rendered pod template (spec.template); see docs/kubernetes.md")
            Map<String, Object> podPatch) {}

    record RawToleration(@Key(doc = "Taint key (none with operator Exists: every taint)") String key,
                         @Key(values = {"Equal", "Exists"}, doc = "default Equal") String operator,
                         @Key(doc = "Taint value, for Equal") String value,
                         @Key(values = {"NoSchedule", "PreferNoSchedule", "NoExecute"}, doc = "default: every effect")
                         String effect,
                         @Key(doc = "For NoExecute: seconds the pod stays after the taint appears") Integer tolerationSeconds) {}

    record RawResources(RawQuantities requests, RawQuantities limits) {}

    record RawQuantities(@Key(doc = "CPU quantity, e.g. 250m or \"1\"") String cpu,
                         @Key(doc = "Memory quantity, e.g. 256Mi") String memory) {}

    record RawSecretRef(@Key(doc = "The Secret's name") String secret, @Key(doc = "The key in the Secret") String key) {}

    record RawStrategy(@Key(doc = "RollingUpdate maxSurge in pods (default 1)") Integer maxSurge,
                       @Key(doc = "RollingUpdate maxUnavailable in pods (default 0)") Integer maxUnavailable) {}

    record RawKService(@Key(values = {"ClusterIP", "NodePort", "LoadBalancer"}, doc = "default ClusterIP") String type,
                       @Key(doc = "Service port (default 80)") Integer port) {}

    record RawHpa(@Key(doc = "Fewest pods (default: replicas)") Integer minReplicas,
                  @Key(doc = "Most pods (required)") Integer maxReplicas,
                  @Key(doc = "Target average CPU utilisation, percent of requests") Integer cpu,
                  @Key(doc = "Target average memory utilisation, percent of requests") Integer memory,
                  RawScaling scaleUp, RawScaling scaleDown) {}

    record RawScaling(@Key(doc = "Stabilization window") Duration stabilization,
                      @Key(doc = "At most this many pods per period") Integer pods,
                      @Key(doc = "At most this percent of current pods per period") Integer percent,
                      @Key(doc = "Policy period (default 60s)") Duration period) {}

    record RawPdb(Integer minAvailable, Integer maxUnavailable) {}

    // ---- resolution --------------------------------------------------------------------------

    /**
     * Resolves and validates the raw section.
     *
     * @param v       reports errors at the offending value's {@code file:line:col}
     * @param raw     the raw section, or {@code null} when absent
     * @param service the resolved {@code service} section (its env may not be shadowed by a secret)
     * @return the section with defaults filled in
     * @throws ConfigException (exit 2) for a bad name, quantity, image, count or combination
     */
    static KubernetesConfig resolve(ConfigLoader.Validator v, RawKubernetes raw, SlipwayConfig.Service service) {
        String p = "deploy.kubernetes";
        v.checkKey(raw == null || !service.readiness().process(), p, SlipwayConfig.Probe.noPortRefusal("kubernetes")
                + ", and remove deploy.kubernetes");
        RawKubernetes r = raw == null ? new RawKubernetes(null, null, null, null, null, null, null, null, null,
                null, null, null, null, null, null, null, null, null, null, null, null, null) : raw;
        if (r.context() != null) {
            v.check(!r.context().isBlank(), p + ".context", "the context is empty; leave it out to use the current one");
        }
        String namespace = r.namespace() == null ? "default" : r.namespace();
        v.check(DNS_LABEL.matcher(namespace).matches(), p + ".namespace", "'" + namespace
                + "' is not a namespace name: lower-case letters, digits and '-', at most 63 (RFC 1123 label)");
        if (r.image() != null) {
            v.check(DIGEST_REF.matcher(r.image()).matches(), p + ".image", "'" + r.image()
                    + "' is not pinned by digest; write NAME@sha256:<64 hex> (a tag alone can move)");
        }
        int replicas = r.replicas() == null ? 3 : r.replicas();
        v.check(replicas >= 1 && replicas <= 1000, p + ".replicas", "replicas must be 1-1000");

        RawResources res = r.resources() == null ? new RawResources(null, null) : r.resources();
        Map<String, String> requests = quantities(v, p + ".resources.requests", res.requests());
        Map<String, String> limits = quantities(v, p + ".resources.limits", res.limits());
        for (String k : requests.keySet()) {
            if (limits.containsKey(k)) {
                v.check(amount(requests.get(k)).compareTo(amount(limits.get(k))) <= 0, p + ".resources.requests." + k,
                        "the " + k + " request " + requests.get(k) + " is above its limit " + limits.get(k));
            }
        }

        Map<String, String> env = new LinkedHashMap<>();
        if (r.env() != null) {
            for (var e : r.env().entrySet()) {
                String at = p + ".env." + e.getKey();
                envName(v, at, e.getKey());
                v.check(e.getValue() != null, at, "an environment value is empty; write \"\" for an empty string");
                ConfigLoader.envValue(v, at, e.getValue());
                env.put(e.getKey(), e.getValue());
            }
        }
        Map<String, SecretRef> secretEnv = new LinkedHashMap<>();
        if (r.secretEnv() != null) {
            for (var e : r.secretEnv().entrySet()) {
                String at = p + ".secretEnv." + e.getKey();
                envName(v, at, e.getKey());
                v.checkKey(!env.containsKey(e.getKey()) && !service.env().containsKey(e.getKey()), at,
                        e.getKey() + " is also a plain environment variable; set it in one place");
                RawSecretRef s = e.getValue();
                v.check(s != null && s.secret() != null && s.key() != null, at,
                        "a secret variable needs 'secret' (the Secret's name) and 'key'");
                v.check(DNS_SUBDOMAIN.matcher(s.secret()).matches(), at + ".secret",
                        "'" + s.secret() + "' is not a Secret name (RFC 1123 subdomain)");
                v.check(SECRET_KEY.matcher(s.key()).matches(), at + ".key",
                        "'" + s.key() + "' is not a Secret key: letters, digits, '-', '_' and '.'");
                secretEnv.put(e.getKey(), new SecretRef(s.secret(), s.key()));
            }
        }
        Duration preStop = r.preStopDelay() == null ? Duration.ofSeconds(5) : r.preStopDelay();
        Duration deadline = r.progressDeadline() == null ? Duration.ofMinutes(10) : r.progressDeadline();
        v.check(deadline.toMillis() >= 1000, p + ".progressDeadline", "the progress deadline must be at least 1s");
        int history = r.revisionHistoryLimit() == null ? 10 : r.revisionHistoryLimit();
        v.check(history >= 1 && history <= 100, p + ".revisionHistoryLimit",
                "revisionHistoryLimit must be 1-100: at least one old ReplicaSet is needed for rollback");
        RawStrategy st = r.strategy() == null ? new RawStrategy(null, null) : r.strategy();
        int maxSurge = st.maxSurge() == null ? 1 : st.maxSurge();
        int maxUnavailable = st.maxUnavailable() == null ? 0 : st.maxUnavailable();
        v.check(maxSurge >= 0, p + ".strategy.maxSurge", "maxSurge cannot be negative");
        v.check(maxUnavailable >= 0, p + ".strategy.maxUnavailable", "maxUnavailable cannot be negative");
        v.check(maxSurge + maxUnavailable > 0, p + ".strategy",
                "maxSurge and maxUnavailable cannot both be 0: the rollout could never move");
        RawKService ks = r.service() == null ? new RawKService(null, null) : r.service();
        int servicePort = ks.port() == null ? 80 : ks.port();
        v.check(servicePort >= 1 && servicePort <= 65535, p + ".service.port", "port " + servicePort
                + " is out of range 1-65535");

        Hpa hpa = null;
        if (r.hpa() != null) {
            RawHpa h = r.hpa();
            String at = p + ".hpa";
            v.check(h.maxReplicas() != null, at, "an HPA needs 'maxReplicas'");
            int min = h.minReplicas() == null ? replicas : h.minReplicas();
            v.check(min >= 1, at + ".minReplicas", "minReplicas must be at least 1");
            v.check(h.maxReplicas() >= min, at + ".maxReplicas", "maxReplicas " + h.maxReplicas()
                    + " is below minReplicas " + min);
            v.check(h.cpu() != null || h.memory() != null, at, "an HPA needs a target: 'cpu', 'memory' or both"
                    + " (average utilisation in percent of requests)");
            if (h.cpu() != null) {
                v.check(h.cpu() >= 1 && h.cpu() <= 1000, at + ".cpu", "a utilisation target is 1-1000 percent");
                v.check(requests.containsKey("cpu"), at + ".cpu",
                        "a CPU utilisation target needs resources.requests.cpu (utilisation is a share of the request)");
            }
            if (h.memory() != null) {
                v.check(h.memory() >= 1 && h.memory() <= 1000, at + ".memory", "a utilisation target is 1-1000 percent");
                v.check(requests.containsKey("memory"), at + ".memory",
                        "a memory utilisation target needs resources.requests.memory");
            }
            hpa = new Hpa(min, h.maxReplicas(), h.cpu(), h.memory(), scaling(v, at + ".scaleUp", h.scaleUp()),
                    scaling(v, at + ".scaleDown", h.scaleDown()));
        }
        Pdb pdb = null;
        if (r.pdb() != null) {
            RawPdb d = r.pdb();
            String at = p + ".pdb";
            v.check((d.minAvailable() == null) != (d.maxUnavailable() == null), at,
                    "a PodDisruptionBudget takes exactly one of 'minAvailable' and 'maxUnavailable'");
            int least = hpa == null ? replicas : hpa.minReplicas();
            if (d.minAvailable() != null) {
                v.check(d.minAvailable() >= 0 && d.minAvailable() < least, at + ".minAvailable", "minAvailable "
                        + d.minAvailable() + " must be below the replica count " + least
                        + ", or no node could ever be drained");
            } else {
                v.check(d.maxUnavailable() >= 1, at + ".maxUnavailable",
                        "maxUnavailable must be at least 1, or no node could ever be drained");
            }
            pdb = new Pdb(d.minAvailable(), d.maxUnavailable());
        }
        Pod pod = pod(v, p, r);
        return new KubernetesConfig(r.context(), namespace, r.image(), replicas,
                java.util.Collections.unmodifiableMap(requests), java.util.Collections.unmodifiableMap(limits),
                java.util.Collections.unmodifiableMap(env),
                java.util.Collections.unmodifiableMap(secretEnv), preStop, deadline, history, maxSurge,
                maxUnavailable, ks.type() == null ? "ClusterIP" : ks.type(), servicePort, hpa, pdb, pod, raw != null);
    }

    /** The pod's keys: probe timeout, scheduling, spread and the pod-template patch. */
    private static Pod pod(ConfigLoader.Validator v, String p, RawKubernetes r) {
        Duration probeTimeout = r.probeTimeout() == null ? Duration.ofSeconds(3) : r.probeTimeout();
        v.check(probeTimeout.toMillis() >= 1000 && probeTimeout.toSeconds() <= 600, p + ".probeTimeout",
                "a probe timeout is 1s-10m (Kubernetes counts whole seconds)");
        Map<String, String> nodeSelector = new java.util.TreeMap<>();
        if (r.nodeSelector() != null) {
            r.nodeSelector().forEach((key, value) -> {
                v.checkKey(LABEL_KEY.matcher(key).matches() && key.length() <= 317, p + ".nodeSelector." + key,
                        "'" + key + "' is not a label key: [prefix/]name, the name at most 63 of letters, digits, '-', '_', '.'");
                v.check(value != null && LABEL_VALUE.matcher(value).matches(), p + ".nodeSelector." + key, "'" + value
                        + "' is not a label value: at most 63 of letters, digits, '-', '_', '.', alphanumeric at both ends");
                nodeSelector.put(key, value);
            });
        }
        java.util.List<Toleration> tolerations = new java.util.ArrayList<>();
        for (int i = 0; r.tolerations() != null && i < r.tolerations().size(); i++) {
            RawToleration t = r.tolerations().get(i);
            String at = p + ".tolerations[" + i + "]";
            v.check(t != null, at, "a toleration is empty");
            String op = t.operator() == null ? "Equal" : t.operator();
            v.check(t.key() != null || op.equals("Exists"), at, "a toleration without 'key' needs 'operator: Exists'"
                    + " (it then tolerates every taint)");
            v.check(!op.equals("Exists") || t.value() == null, at + ".value", "'operator: Exists' takes no value");
            if (t.key() != null) {
                v.check(LABEL_KEY.matcher(t.key()).matches(), at + ".key", "'" + t.key() + "' is not a taint key");
            }
            if (t.tolerationSeconds() != null) {
                v.check("NoExecute".equals(t.effect()), at + ".tolerationSeconds",
                        "tolerationSeconds applies to 'effect: NoExecute' only");
            }
            tolerations.add(new Toleration(t.key(), op, t.value(), t.effect(), t.tolerationSeconds()));
        }
        if (r.serviceAccountName() != null) {
            v.check(DNS_SUBDOMAIN.matcher(r.serviceAccountName()).matches(), p + ".serviceAccountName", "'"
                    + r.serviceAccountName() + "' is not a service account name (RFC 1123 subdomain)");
        }
        java.util.List<String> pullSecrets = r.imagePullSecrets() == null ? java.util.List.of() : java.util.List.copyOf(r.imagePullSecrets());
        for (int i = 0; i < pullSecrets.size(); i++) {
            v.check(pullSecrets.get(i) != null && DNS_SUBDOMAIN.matcher(pullSecrets.get(i)).matches(),
                    p + ".imagePullSecrets[" + i + "]", "'" + pullSecrets.get(i) + "' is not a Secret name (RFC 1123 subdomain)");
        }
        if (r.priorityClassName() != null) {
            v.check(DNS_SUBDOMAIN.matcher(r.priorityClassName()).matches(), p + ".priorityClassName", "'"
                    + r.priorityClassName() + "' is not a PriorityClass name (RFC 1123 subdomain)");
        }
        Map<String, Object> patch = r.podPatch() == null ? Map.of() : r.podPatch();
        PodPatchCheck.check(v, p + ".podPatch", patch);
        return new Pod(probeTimeout, java.util.Collections.unmodifiableMap(nodeSelector), java.util.List.copyOf(tolerations),
                r.serviceAccountName(), pullSecrets, r.priorityClassName(), r.spread() == null ? "ScheduleAnyway" : r.spread(),
                java.util.Collections.unmodifiableMap(new LinkedHashMap<>(patch)));
    }

    private static void envName(ConfigLoader.Validator v, String at, String name) {
        v.checkKey(ENV_NAME.matcher(name).matches(), at, "'" + name
                + "' is not an environment variable name: use letters, digits and '_', not starting with a digit");
        v.checkKey(!RESERVED_ENV.contains(name), at, name + " is set by Slipway in every pod"
                + " (PORT from service.port, ADDR, DRAIN_TIMEOUT from service.drainTimeout, TRACK)");
    }

    private static Map<String, String> quantities(ConfigLoader.Validator v, String at, RawQuantities q) {
        Map<String, String> out = new LinkedHashMap<>();
        if (q == null) {
            return out;
        }
        if (q.cpu() != null) {
            v.check(QUANTITY.matcher(q.cpu()).matches() && amount(q.cpu()).signum() > 0, at + ".cpu", "'" + q.cpu()
                    + "' is not a CPU quantity such as 250m, 0.5 or \"2\"");
            out.put("cpu", q.cpu());
        }
        if (q.memory() != null) {
            v.check(QUANTITY.matcher(q.memory()).matches() && amount(q.memory()).signum() > 0, at + ".memory", "'"
                    + q.memory() + "' is not a memory quantity such as 256Mi or 1Gi");
            out.put("memory", q.memory());
        }
        return out;
    }

    /**
     * The amount of a quantity in base units (cores or bytes), by Kubernetes' suffixes.
     *
     * @param quantity a quantity such as {@code 250m} or {@code 384Mi}
     * @return its amount; zero when it is not a quantity
     */
    public static BigDecimal amount(String quantity) {
        var m = Pattern.compile("([0-9.]+)([a-zA-Z]*)").matcher(quantity);
        if (!m.matches()) {
            return BigDecimal.ZERO;
        }
        BigDecimal n = new BigDecimal(m.group(1));
        BigDecimal f = switch (m.group(2)) {
            case "m" -> new BigDecimal("0.001");
            case "k" -> BigDecimal.TEN.pow(3);
            case "M" -> BigDecimal.TEN.pow(6);
            case "G" -> BigDecimal.TEN.pow(9);
            case "T" -> BigDecimal.TEN.pow(12);
            case "P" -> BigDecimal.TEN.pow(15);
            case "E" -> BigDecimal.TEN.pow(18);
            case "Ki" -> BigDecimal.valueOf(2).pow(10);
            case "Mi" -> BigDecimal.valueOf(2).pow(20);
            case "Gi" -> BigDecimal.valueOf(2).pow(30);
            case "Ti" -> BigDecimal.valueOf(2).pow(40);
            case "Pi" -> BigDecimal.valueOf(2).pow(50);
            case "Ei" -> BigDecimal.valueOf(2).pow(60);
            default -> BigDecimal.ONE;
        };
        return n.multiply(f);
    }

    private static Scaling scaling(ConfigLoader.Validator v, String at, RawScaling s) {
        if (s == null) {
            return null;
        }
        v.check(s.pods() == null || s.percent() == null, at, "give one policy: 'pods' or 'percent', not both");
        if (s.pods() != null) {
            v.check(s.pods() >= 1, at + ".pods", "pods must be at least 1");
        }
        if (s.percent() != null) {
            v.check(s.percent() >= 1, at + ".percent", "percent must be at least 1");
        }
        Duration stab = s.stabilization() == null ? null : s.stabilization();
        if (stab != null) {
            v.check(stab.toSeconds() <= 3600, at + ".stabilization", "a stabilization window is at most 1h");
        }
        Duration period = s.period() == null ? Duration.ofSeconds(60) : s.period();
        v.check(period.toSeconds() >= 1 && period.toSeconds() <= 1800, at + ".period", "a policy period is 1s-30m");
        return new Scaling(stab, s.pods(), s.percent(), period);
    }
}
