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
            unknownFields(o, where, problems);
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
        }
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

    /** Walks the model's getters; any non-empty {@code additionalProperties} is a field the model does not know. */
    private static void unknownFields(Object o, String path, List<String> problems) {
        if (o == null) {
            return;
        }
        if (o instanceof List<?> list) {
            for (int i = 0; i < list.size(); i++) {
                unknownFields(list.get(i), path + "[" + i + "]", problems);
            }
            return;
        }
        if (o instanceof Map<?, ?> map) {
            map.forEach((k, v) -> unknownFields(v, path + "." + k, problems));
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
                if (v instanceof Map<?, ?> extra && !extra.isEmpty()) {
                    problems.add(path + ": unknown field(s) " + extra.keySet());
                }
                continue;
            }
            String field = Character.toLowerCase(m.getName().charAt(3)) + m.getName().substring(4);
            unknownFields(v, path + "." + field, problems);
        }
    }
}
