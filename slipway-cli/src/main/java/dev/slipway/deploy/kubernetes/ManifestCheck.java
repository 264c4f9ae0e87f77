package dev.slipway.deploy.kubernetes;

import io.fabric8.kubernetes.api.model.Container;
import io.fabric8.kubernetes.api.model.ContainerPort;
import io.fabric8.kubernetes.api.model.EnvVar;
import io.fabric8.kubernetes.api.model.HasMetadata;
import io.fabric8.kubernetes.api.model.Probe;
import io.fabric8.kubernetes.api.model.Service;
import io.fabric8.kubernetes.api.model.ServicePort;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.autoscaling.v2.HorizontalPodAutoscaler;
import io.fabric8.kubernetes.api.model.policy.v1.PodDisruptionBudget;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.lang.reflect.Method;
import java.lang.reflect.Modifier;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.regex.Pattern;

/**
 * Checks manifests the way {@code kubectl apply --dry-run=client} and the API server's validation
 * would, without a server: each YAML document is parsed back into fabric8's typed model (its
 * {@code apiVersion}/{@code kind} must be known), a field the model does not know is an error
 * (fabric8 keeps such fields in {@code additionalProperties}; the API server's strict field
 * validation rejects them), and the fields the API requires are checked (names are RFC 1123
 * labels, a Deployment's selector matches its template, containers have a name and an image,
 * ports are in range, an env var has exactly one source, an HPA has a target, a PDB one bound).
 * {@link #restricted} checks a pod against the Pod Security Standards' {@code restricted}
 * profile, which a namespace labelled {@code pod-security.kubernetes.io/enforce: restricted}
 * enforces at pod creation.
 */
public final class ManifestCheck {
    private static final Pattern DNS_LABEL = Pattern.compile("[a-z0-9]([-a-z0-9]{0,61}[a-z0-9])?");
    private static final Pattern DNS_1035 = Pattern.compile("[a-z]([-a-z0-9]{0,61}[a-z0-9])?");

    private ManifestCheck() {}

    /**
     * Parses and checks a multi-document YAML text.
     *
     * @param yaml documents separated by {@code ---} lines
     * @return the parsed objects
     * @throws IllegalArgumentException listing every problem found, one per line
     */
    public static List<HasMetadata> parse(String yaml) {
        KubernetesSerialization s = Manifests.SERIALIZATION;
        List<HasMetadata> out = new ArrayList<>();
        List<String> problems = new ArrayList<>();
        int n = 0;
        for (String doc : yaml.split("(?m)^---\\s*$")) {
            if (doc.isBlank()) {
                continue;
            }
            n++;
            Object o;
            try {
                o = s.unmarshal(doc);
            } catch (RuntimeException e) {
                problems.add("document " + n + ": does not parse: " + e.getMessage());
                continue;
            }
            if (!(o instanceof HasMetadata h) || o.getClass().getName().contains("GenericKubernetesResource")) {
                problems.add("document " + n + ": unknown apiVersion/kind");
                continue;
            }
            String where = h.getKind() + "/" + (h.getMetadata() == null ? "?" : h.getMetadata().getName());
            Map<String, List<String>> unknown = new java.util.LinkedHashMap<>();
            for (String f : unknownFields(o)) {
                int dot = f.lastIndexOf('.');
                unknown.computeIfAbsent(dot < 0 ? "" : "." + f.substring(0, dot), x -> new ArrayList<>()).add(f.substring(dot + 1));
            }
            unknown.forEach((at, keys) -> problems.add(where + at + ": unknown field(s) " + keys));
            problems.addAll(check(h).stream().map(p -> where + ": " + p).toList());
            out.add(h);
        }
        if (n == 0) {
            problems.add("no documents");
        }
        if (!problems.isEmpty()) {
            throw new IllegalArgumentException(String.join("\n", problems));
        }
        return out;
    }

    /**
     * Checks the fields the API server requires of one object.
     *
     * @param o a parsed object
     * @return problems, empty when none
     */
    public static List<String> check(HasMetadata o) {
        List<String> p = new ArrayList<>();
        if (o.getApiVersion() == null || o.getKind() == null) {
            p.add("apiVersion and kind are required");
        }
        if (o.getMetadata() == null || o.getMetadata().getName() == null
                || !DNS_LABEL.matcher(o.getMetadata().getName()).matches()) {
            p.add("metadata.name is required and must be an RFC 1123 label");
        }
        if (o.getMetadata() != null && o.getMetadata().getNamespace() != null
                && !DNS_LABEL.matcher(o.getMetadata().getNamespace()).matches()) {
            p.add("metadata.namespace must be an RFC 1123 label");
        }
        if (o instanceof Deployment d) {
            deployment(d, p);
        } else if (o instanceof Service s) {
            if (s.getMetadata() != null && s.getMetadata().getName() != null
                    && !DNS_1035.matcher(s.getMetadata().getName()).matches()) {
                p.add("a Service name must start with a letter (RFC 1035 label)");
            }
            if (s.getSpec() == null || s.getSpec().getPorts() == null || s.getSpec().getPorts().isEmpty()) {
                p.add("spec.ports is required");
            } else {
                for (ServicePort port : s.getSpec().getPorts()) {
                    if (port.getPort() == null || port.getPort() < 1 || port.getPort() > 65535) {
                        p.add("spec.ports[].port must be 1-65535");
                    }
                }
            }
            if (s.getSpec() != null && (s.getSpec().getSelector() == null || s.getSpec().getSelector().isEmpty())) {
                p.add("spec.selector is empty: the Service would select no pods");
            }
        } else if (o instanceof HorizontalPodAutoscaler h) {
            var spec = h.getSpec();
            if (spec == null || spec.getScaleTargetRef() == null || spec.getScaleTargetRef().getName() == null
                    || spec.getScaleTargetRef().getKind() == null) {
                p.add("spec.scaleTargetRef needs kind and name");
            }
            if (spec == null || spec.getMaxReplicas() == null || spec.getMaxReplicas() < 1) {
                p.add("spec.maxReplicas is required (at least 1)");
            } else if (spec.getMinReplicas() != null && spec.getMinReplicas() > spec.getMaxReplicas()) {
                p.add("spec.minReplicas is above spec.maxReplicas");
            }
        } else if (o instanceof PodDisruptionBudget b) {
            var spec = b.getSpec();
            if (spec == null || spec.getSelector() == null) {
                p.add("spec.selector is required");
            } else if ((spec.getMinAvailable() == null) == (spec.getMaxUnavailable() == null)) {
                p.add("exactly one of spec.minAvailable and spec.maxUnavailable is allowed");
            }
        }
        return p;
    }

    private static void deployment(Deployment d, List<String> p) {
        var spec = d.getSpec();
        if (spec == null || spec.getTemplate() == null || spec.getTemplate().getSpec() == null) {
            p.add("spec.template.spec is required");
            return;
        }
        Map<String, String> match = spec.getSelector() == null ? null : spec.getSelector().getMatchLabels();
        Map<String, String> labels = spec.getTemplate().getMetadata() == null ? null
                : spec.getTemplate().getMetadata().getLabels();
        if (match == null || match.isEmpty()) {
            p.add("spec.selector.matchLabels is required");
        } else if (labels == null || !labels.entrySet().containsAll(match.entrySet())) {
            p.add("spec.selector does not match spec.template.metadata.labels");
        }
        if (spec.getReplicas() != null && spec.getReplicas() < 0) {
            p.add("spec.replicas cannot be negative");
        }
        if (spec.getStrategy() != null && spec.getStrategy().getType() != null
                && !List.of("RollingUpdate", "Recreate").contains(spec.getStrategy().getType())) {
            p.add("spec.strategy.type must be RollingUpdate or Recreate");
        }
        var pod = spec.getTemplate().getSpec();
        if (pod.getTerminationGracePeriodSeconds() != null && pod.getTerminationGracePeriodSeconds() < 0) {
            p.add("terminationGracePeriodSeconds cannot be negative");
        }
        if (pod.getContainers() == null || pod.getContainers().isEmpty()) {
            p.add("spec.template.spec.containers is required");
            return;
        }
        for (Container c : pod.getContainers()) {
            String at = "container " + c.getName() + ": ";
            if (c.getName() == null || !DNS_LABEL.matcher(c.getName()).matches()) {
                p.add(at + "name is required and must be an RFC 1123 label");
            }
            if (c.getImage() == null || c.getImage().isBlank()) {
                p.add(at + "image is required");
            }
            for (ContainerPort port : c.getPorts() == null ? List.<ContainerPort>of() : c.getPorts()) {
                if (port.getContainerPort() == null || port.getContainerPort() < 1 || port.getContainerPort() > 65535) {
                    p.add(at + "containerPort must be 1-65535");
                }
            }
            for (EnvVar e : c.getEnv() == null ? List.<EnvVar>of() : c.getEnv()) {
                if (e.getName() == null || e.getName().isEmpty()) {
                    p.add(at + "an env var has no name");
                } else if (e.getValue() != null && e.getValueFrom() != null) {
                    p.add(at + "env " + e.getName() + " has both value and valueFrom");
                }
            }
            probe(c.getReadinessProbe(), at + "readinessProbe", p);
            probe(c.getLivenessProbe(), at + "livenessProbe", p);
            probe(c.getStartupProbe(), at + "startupProbe", p);
        }
    }

    /** Volume types the restricted profile allows (Pod Security Standards, "Volume Types"). */
    private static final List<String> RESTRICTED_VOLUMES = List.of("configMap", "csi", "downwardAPI", "emptyDir",
            "ephemeral", "persistentVolumeClaim", "projected", "secret");
    /** Sysctls the baseline profile allows (Pod Security Standards, "Sysctls"). */
    private static final List<String> SAFE_SYSCTLS = List.of("kernel.shm_rmid_forced", "net.ipv4.ip_local_port_range",
            "net.ipv4.ip_unprivileged_port_start", "net.ipv4.tcp_syncookies", "net.ipv4.ping_group_range",
            "net.ipv4.ip_local_reserved_ports", "net.ipv4.tcp_keepalive_time", "net.ipv4.tcp_fin_timeout",
            "net.ipv4.tcp_keepalive_intvl", "net.ipv4.tcp_keepalive_probes");

    /**
     * The Pod Security Standards' {@code restricted} profile (which includes {@code baseline}), as
     * the PodSecurity admission plugin of Kubernetes 1.30 checks a pod: no host namespaces, host
     * ports, hostPath or privileged containers; volumes of the allowed types only; safe sysctls;
     * {@code /proc} mount {@code Default}; and for every container, init and ephemeral container:
     * {@code allowPrivilegeEscalation: false}, {@code runAsNonRoot: true} (its own or the pod's),
     * no {@code runAsUser: 0}, a seccomp profile {@code RuntimeDefault} or {@code Localhost} (its own
     * or the pod's), {@code capabilities.drop} containing {@code ALL}, and no added capability but
     * {@code NET_BIND_SERVICE}. Source: kubernetes.io/docs/concepts/security/pod-security-standards.
     *
     * @param pod a pod spec (a Deployment's {@code spec.template.spec})
     * @return one line per violation, naming the field; empty when the pod would be admitted
     */
    public static List<String> restricted(io.fabric8.kubernetes.api.model.PodSpec pod) {
        List<String> p = new ArrayList<>();
        if (Boolean.TRUE.equals(pod.getHostNetwork()) || Boolean.TRUE.equals(pod.getHostPID())
                || Boolean.TRUE.equals(pod.getHostIPC())) {
            p.add("hostNetwork, hostPID and hostIPC must be unset or false");
        }
        var psc = pod.getSecurityContext();
        for (var v : pod.getVolumes() == null ? List.<io.fabric8.kubernetes.api.model.Volume>of() : pod.getVolumes()) {
            List<String> types = new ArrayList<>();
            for (Method m : v.getClass().getMethods()) {
                if (m.getName().startsWith("get") && m.getParameterCount() == 0 && !m.getName().equals("getName")
                        && !m.getName().equals("getClass") && !m.getName().equals("getAdditionalProperties")) {
                    try {
                        if (m.invoke(v) != null) {
                            types.add(Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4));
                        }
                    } catch (ReflectiveOperationException e) {
                        // not a volume source
                    }
                }
            }
            types.stream().filter(t -> !RESTRICTED_VOLUMES.contains(t)).forEach(t -> p.add("volume " + v.getName()
                    + ": type " + t + " is not allowed (" + String.join(", ", RESTRICTED_VOLUMES) + ")"));
        }
        if (psc != null && psc.getSysctls() != null) {
            psc.getSysctls().stream().filter(x -> !SAFE_SYSCTLS.contains(x.getName()))
                    .forEach(x -> p.add("sysctl " + x.getName() + " is not a safe sysctl"));
        }
        boolean podNonRoot = psc != null && Boolean.TRUE.equals(psc.getRunAsNonRoot());
        String podSeccomp = psc == null || psc.getSeccompProfile() == null ? null : psc.getSeccompProfile().getType();
        if (psc != null && psc.getRunAsUser() != null && psc.getRunAsUser() == 0) {
            p.add("securityContext.runAsUser must not be 0");
        }
        if (podSeccomp != null && !List.of("RuntimeDefault", "Localhost").contains(podSeccomp)) {
            p.add("securityContext.seccompProfile.type must be RuntimeDefault or Localhost");
        }
        List<Object[]> all = new ArrayList<>();
        for (Container c : pod.getContainers() == null ? List.<Container>of() : pod.getContainers()) {
            all.add(new Object[] {"container " + c.getName(), c.getSecurityContext(), c.getPorts()});
        }
        for (Container c : pod.getInitContainers() == null ? List.<Container>of() : pod.getInitContainers()) {
            all.add(new Object[] {"initContainer " + c.getName(), c.getSecurityContext(), c.getPorts()});
        }
        for (var c : pod.getEphemeralContainers() == null ? List.<io.fabric8.kubernetes.api.model.EphemeralContainer>of()
                : pod.getEphemeralContainers()) {
            all.add(new Object[] {"ephemeralContainer " + c.getName(), c.getSecurityContext(), c.getPorts()});
        }
        for (Object[] c : all) {
            String at = c[0] + ": ";
            var sc = (io.fabric8.kubernetes.api.model.SecurityContext) c[1];
            @SuppressWarnings("unchecked")
            List<ContainerPort> ports = (List<ContainerPort>) c[2];
            for (ContainerPort port : ports == null ? List.<ContainerPort>of() : ports) {
                if (port.getHostPort() != null && port.getHostPort() != 0) {
                    p.add(at + "hostPort must be unset or 0");
                }
            }
            if (sc != null && Boolean.TRUE.equals(sc.getPrivileged())) {
                p.add(at + "securityContext.privileged must be unset or false");
            }
            if (sc != null && sc.getProcMount() != null && !"Default".equals(sc.getProcMount())) {
                p.add(at + "securityContext.procMount must be Default");
            }
            if (sc == null || !Boolean.FALSE.equals(sc.getAllowPrivilegeEscalation())) {
                p.add(at + "securityContext.allowPrivilegeEscalation must be false");
            }
            Boolean nonRoot = sc == null ? null : sc.getRunAsNonRoot();
            if (Boolean.FALSE.equals(nonRoot) || (nonRoot == null && !podNonRoot)) {
                p.add(at + "securityContext.runAsNonRoot must be true (on the container or the pod)");
            }
            if (sc != null && sc.getRunAsUser() != null && sc.getRunAsUser() == 0) {
                p.add(at + "securityContext.runAsUser must not be 0");
            }
            String seccomp = sc == null || sc.getSeccompProfile() == null ? null : sc.getSeccompProfile().getType();
            if (seccomp != null ? !List.of("RuntimeDefault", "Localhost").contains(seccomp) : podSeccomp == null) {
                p.add(at + "securityContext.seccompProfile.type must be RuntimeDefault or Localhost (on the container or the pod)");
            }
            var caps = sc == null ? null : sc.getCapabilities();
            if (caps == null || caps.getDrop() == null || !caps.getDrop().contains("ALL")) {
                p.add(at + "securityContext.capabilities.drop must contain ALL");
            }
            if (caps != null && caps.getAdd() != null) {
                caps.getAdd().stream().filter(x -> !x.equals("NET_BIND_SERVICE"))
                        .forEach(x -> p.add(at + "securityContext.capabilities.add may hold NET_BIND_SERVICE only, not " + x));
            }
        }
        return p;
    }

    private static void probe(Probe probe, String at, List<String> p) {
        if (probe == null) {
            return;
        }
        int handlers = (probe.getHttpGet() == null ? 0 : 1) + (probe.getExec() == null ? 0 : 1)
                + (probe.getTcpSocket() == null ? 0 : 1) + (probe.getGrpc() == null ? 0 : 1);
        if (handlers != 1) {
            p.add(at + " needs exactly one handler");
        }
        if (probe.getPeriodSeconds() != null && probe.getPeriodSeconds() < 1) {
            p.add(at + ".periodSeconds must be at least 1");
        }
        if (probe.getFailureThreshold() != null && probe.getFailureThreshold() < 1) {
            p.add(at + ".failureThreshold must be at least 1");
        }
    }

    /**
     * Fields a parsed object holds that its fabric8 model does not know (fabric8 keeps them in
     * {@code additionalProperties}; the API server's strict field validation rejects them).
     *
     * @param model a fabric8 model object, e.g. a {@code PodTemplateSpec}
     * @return the dotted paths of the unknown fields from {@code model}, list items as {@code [i]}
     *         (e.g. {@code spec.containers[0].imagePolicy}); empty when none
     */
    public static List<String> unknownFields(Object model) {
        List<String> out = new ArrayList<>();
        unknownFields(model, "", out);
        return out;
    }

    private static String join(String path, String key) {
        return path.isEmpty() ? key : path + "." + key;
    }

    /** Walks the model's getters; any non-empty {@code additionalProperties} holds fields the model does not know. */
    private static void unknownFields(Object o, String path, List<String> out) {
        if (o == null) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", out);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, join(path, String.valueOf(k)), out));
            return;
        }
        if (!o.getClass().getName().startsWith("io.fabric8.kubernetes.api.model")) {
            return;
        }
        for (Method m : o.getClass().getMethods()) {
            if (m.getParameterCount() != 0 || Modifier.isStatic(m.getModifiers()) || !m.getName().startsWith("get")
                    || m.getDeclaringClass() == Object.class) {
                continue;
            }
            Object v;
            try {
                v = m.invoke(o);
            } catch (ReflectiveOperationException | RuntimeException e) {
                continue;
            }
            if (m.getName().equals("getAdditionalProperties")) {
                if (v instanceof Map<?, ?> extra) {
                    extra.keySet().forEach(k -> out.add(join(path, String.valueOf(k))));
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            unknownFields(v, join(path, field), out);
        }
    }
}
