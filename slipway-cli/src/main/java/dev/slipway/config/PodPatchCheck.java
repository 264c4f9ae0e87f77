package dev.slipway.config;

import dev.slipway.deploy.kubernetes.ManifestCheck;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import java.util.List;
import java.util.Map;

/**
 * Checks {@code deploy.kubernetes.podPatch}, a JSON merge patch (RFC 7386) over the rendered pod
 * template, at its {@code slipway.yaml:LINE:COL}: it must read as a Kubernetes
 * {@code PodTemplateSpec} with no field the model does not know (as the API server's strict field
 * validation would refuse), and it may not replace what Slipway owns: {@code spec.containers}
 * (a merge patch replaces a list whole, so Slipway's container would go) and the selector's
 * labels {@code app} and {@code track}. What it does to Pod Security is checked on the rendered
 * manifests ({@link ManifestCheck#restricted}).
 */
final class PodPatchCheck {
    private PodPatchCheck() {}

    /**
     * The fabric8 serialization, made on the first patch that is not empty: it loads Jackson 3 and
     * the Kubernetes model (some 400 classes, a tenth of a second), which a service without a patch,
     * and every {@code slipway check} of one, should not pay for (issue 16, an instant CLI).
     */
    private static final class Serialization {
        static final KubernetesSerialization INSTANCE = new KubernetesSerialization();
    }

    /**
     * @param v     reports errors at the offending key
     * @param at    the patch's dotted path, {@code deploy.kubernetes.podPatch}
     * @param patch the patch as parsed YAML (values may be {@code null}: merge patch's "remove")
     * @throws ConfigException (exit 2) for an unknown or forbidden field, or a value of the wrong type
     */
    static void check(ConfigLoader.Validator v, String at, Map<String, Object> patch) {
        if (patch.isEmpty()) {
            return;
        }
        for (String key : patch.keySet()) {
            v.checkKey(key.equals("metadata") || key.equals("spec"), at + "." + key,
                    "a pod-template patch has 'metadata' and 'spec' only, not '" + key + "'");
        }
        if (patch.get("spec") instanceof Map<?, ?> spec) {
            v.checkKey(!spec.containsKey("containers"), at + ".spec.containers", "spec.containers is Slipway's (a merge"
                    + " patch replaces a list whole, so the service's container would be lost); set the container through"
                    + " service and deploy.kubernetes keys");
        }
        if (patch.get("metadata") instanceof Map<?, ?> meta && meta.get("labels") instanceof Map<?, ?> labels) {
            for (String own : List.of("app", "track")) {
                v.checkKey(!labels.containsKey(own), at + ".metadata.labels." + own, "the label '" + own
                        + "' selects the pods (Deployment and Service); Slipway sets it");
            }
        }
        PodTemplateSpec t;
        try {
            KubernetesSerialization serialization = Serialization.INSTANCE;
            t = serialization.unmarshal(serialization.asJson(patch), PodTemplateSpec.class);
        } catch (RuntimeException e) {
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw v.error(at, "the pod-template patch does not read as a pod template: " + firstLine(root.getMessage()));
        }
        for (String path : ManifestCheck.unknownFields(t)) {
            int dot = path.lastIndexOf('.');
            v.checkKey(false, at + "." + path, "'" + path.substring(dot + 1) + "' is not a field of "
                    + (dot < 0 ? "a pod template" : path.substring(0, dot)) + " (Kubernetes API, PodTemplateSpec)");
        }
    }

    private static String firstLine(String s) {
        return s == null ? "" : s.lines().findFirst().orElse("");
    }
}
