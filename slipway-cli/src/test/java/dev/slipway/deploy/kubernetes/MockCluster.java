package dev.slipway.deploy.kubernetes;

import io.fabric8.kubernetes.api.model.ContainerStatusBuilder;
import io.fabric8.kubernetes.api.model.EventBuilder;
import io.fabric8.kubernetes.api.model.OwnerReferenceBuilder;
import io.fabric8.kubernetes.api.model.Pod;
import io.fabric8.kubernetes.api.model.PodBuilder;
import io.fabric8.kubernetes.api.model.PodTemplateSpec;
import io.fabric8.kubernetes.api.model.apps.Deployment;
import io.fabric8.kubernetes.api.model.apps.DeploymentConditionBuilder;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatus;
import io.fabric8.kubernetes.api.model.apps.DeploymentStatusBuilder;
import io.fabric8.kubernetes.api.model.apps.ReplicaSet;
import io.fabric8.kubernetes.api.model.apps.ReplicaSetBuilder;
import io.fabric8.kubernetes.client.KubernetesClient;
import io.fabric8.kubernetes.client.KubernetesClientException;
import io.fabric8.kubernetes.client.server.mock.KubernetesCrudDispatcher;
import io.fabric8.kubernetes.client.server.mock.KubernetesMockServer;
import io.fabric8.kubernetes.client.utils.KubernetesSerialization;
import io.fabric8.mockwebserver.Context;
import io.fabric8.mockwebserver.MockWebServer;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * fabric8's Kubernetes mock API server in CRUD mode (the one mock the project allows: no
 * kube-apiserver can run here), plus a stand-in for the Deployment controller driven by the test:
 * a thread that, every 100 ms, does for each Deployment what kube-controller-manager's deployment
 * controller does in outline: a new pod template gets a ReplicaSet with the next
 * {@code deployment.kubernetes.io/revision} (an old template's ReplicaSet is reused and renumbered,
 * as on rollback), the Deployment's annotations are copied to it, and the status moves one
 * replica per tick: updated, then available. An image listed in {@link #crashing} never becomes
 * available: its pod reports CrashLoopBackOff with a failing readiness probe event; one in
 * {@link #unpullable} reports ImagePullBackOff.
 */
public final class MockCluster implements AutoCloseable {
    static final String NS = "default";
    private static final Set<String> SKIP = Set.of("kubectl.kubernetes.io/last-applied-configuration",
            "deployment.kubernetes.io/revision", "deployment.kubernetes.io/desired-replicas",
            "deployment.kubernetes.io/max-replicas");

    final KubernetesMockServer server;
    public final KubernetesClient client;
    final Set<String> crashing = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final Set<String> unpullable = java.util.concurrent.ConcurrentHashMap.newKeySet();
    /** Images whose pods the API server refuses at creation (Pod Security): the ReplicaSet reports ReplicaFailure. */
    final Set<String> forbidden = java.util.concurrent.ConcurrentHashMap.newKeySet();
    final List<String> errors = new CopyOnWriteArrayList<>();
    final Dispatcher dispatcher = new Dispatcher();
    private final Map<String, Integer> progress = new HashMap<>();
    private final KubernetesSerialization json = new KubernetesSerialization();
    private final Thread controller;
    private volatile boolean running = true;

    public MockCluster() {
        server = new KubernetesMockServer(new Context(), new MockWebServer(), new HashMap<>(), dispatcher, false);
        server.init(InetAddress.getLoopbackAddress(), 0);
        client = server.createClient();
        controller = new Thread(this::loop, "test-deployment-controller");
        controller.setDaemon(true);
        controller.start();
    }

    /**
     * The CRUD dispatcher with two things of the real API server it lacks: field selectors on
     * events ({@code involvedObject.kind}, {@code involvedObject.name}, {@code type}; the mock
     * matches field selectors on {@code metadata.name} and {@code metadata.namespace} only, and
     * answers nothing for others), applied here to the listed items; and {@code Warning} headers
     * on writes, as the API server sends them (RFC 7234 format {@code 299 - "text"}).
     */
    static final class Dispatcher extends KubernetesCrudDispatcher {
        /** Texts sent as a {@code Warning} header on every create, update and patch. */
        final List<String> warnings = new CopyOnWriteArrayList<>();
        /** Field selectors asked for events, as sent. */
        final List<String> eventSelectors = new CopyOnWriteArrayList<>();
        private final KubernetesSerialization json = new KubernetesSerialization();

        @Override
        public io.fabric8.mockwebserver.http.MockResponse handleGet(String path) {
            int q = path.indexOf('?');
            if (!path.contains("/events") || q < 0 || !path.contains("fieldSelector=")) {
                return super.handleGet(path);
            }
            List<String> kept = new ArrayList<>();
            Map<String, String> fields = new LinkedHashMap<>();
            for (String p : path.substring(q + 1).split("&")) {
                if (p.startsWith("fieldSelector=")) {
                    String sel = java.net.URLDecoder.decode(p.substring("fieldSelector=".length()), StandardCharsets.UTF_8);
                    eventSelectors.add(sel);
                    for (String r : sel.split(",")) {
                        fields.put(r.substring(0, r.indexOf('=')), r.substring(r.indexOf('=') + 1));
                    }
                } else {
                    kept.add(p);
                }
            }
            var r = super.handleGet(path.substring(0, q) + (kept.isEmpty() ? "" : "?" + String.join("&", kept)));
            if (r.getBody() == null || r.getBody().size() == 0) {
                return r;
            }
            var list = json.unmarshal(new String(r.getBody().getBytes(), StandardCharsets.UTF_8),
                    io.fabric8.kubernetes.api.model.EventList.class);
            list.setItems(list.getItems().stream().filter(e -> fields.entrySet().stream().allMatch(f -> switch (f.getKey()) {
                case "involvedObject.kind" -> f.getValue().equals(e.getInvolvedObject().getKind());
                case "involvedObject.name" -> f.getValue().equals(e.getInvolvedObject().getName());
                case "type" -> f.getValue().equals(e.getType());
                default -> throw new IllegalArgumentException("field selector " + f.getKey() + " is not emulated");
            })).toList());
            return r.setBody(json.asJson(list));
        }

        @Override
        public io.fabric8.mockwebserver.http.MockResponse handlePatch(io.fabric8.mockwebserver.http.RecordedRequest request) {
            return warn(super.handlePatch(request));
        }

        @Override
        public io.fabric8.mockwebserver.http.MockResponse handleCreate(io.fabric8.mockwebserver.http.RecordedRequest request) {
            return warn(super.handleCreate(request));
        }

        private io.fabric8.mockwebserver.http.MockResponse warn(io.fabric8.mockwebserver.http.MockResponse r) {
            warnings.forEach(w -> r.addHeader("Warning", "299 - \"" + w + "\""));
            return r;
        }
    }

    /** @return the API server's URL, for a kubeconfig */
    public String url() {
        return "http://127.0.0.1:" + server.getPort();
    }

    /** @return a kubeconfig (YAML) whose one context, current, is this API server with a token user */
    public String kubeconfig() {
        return String.join("\n", "apiVersion: v1", "kind: Config", "current-context: mock",
                "clusters: [{name: mock, cluster: {server: \"" + url() + "\"}}]",
                "users: [{name: ci, user: {token: not-a-secret}}]",
                "contexts: [{name: mock, context: {cluster: mock, user: ci}}]") + "\n";
    }

    private void loop() {
        long end = System.nanoTime() + 120_000_000_000L; // bounded: no test runs this long
        while (running && System.nanoTime() < end) {
            try {
                for (Deployment d : client.apps().deployments().inNamespace(NS).list().getItems()) {
                    reconcile(d);
                }
            } catch (KubernetesClientException e) {
                // a conflict with the CLI's own write: try again next tick
                System.err.println("controller: " + e.getMessage());
            } catch (RuntimeException e) {
                errors.add(e.toString());
            }
            try {
                Thread.sleep(100);
            } catch (InterruptedException e) {
                return;
            }
        }
    }

    private void reconcile(Deployment live) {
        Deployment d = live;
        String uid = d.getMetadata().getUid();
        String name = d.getMetadata().getName();
        int desired = d.getSpec().getReplicas() == null ? 1 : d.getSpec().getReplicas();
        String hash = hash(d.getSpec().getTemplate());
        List<ReplicaSet> sets = client.apps().replicaSets().inNamespace(NS).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getOwnerReferences().stream()
                        .anyMatch(o -> o.getUid().equals(uid))).toList();
        long max = sets.stream().mapToLong(KubernetesTarget::revision).max().orElse(0);
        ReplicaSet current = sets.stream().filter(rs -> rs.getMetadata().getName().equals(name + "-" + hash))
                .findFirst().orElse(null);
        Map<String, String> annotations = new LinkedHashMap<>();
        for (var e : d.getMetadata().getAnnotations().entrySet()) {
            if (!SKIP.contains(e.getKey())) {
                annotations.put(e.getKey(), e.getValue());
            }
        }
        long revision;
        if (current == null) {
            revision = max + 1;
            PodTemplateSpec t = json.clone(d.getSpec().getTemplate());
            t.getMetadata().getLabels().put("pod-template-hash", hash);
            annotations.put("deployment.kubernetes.io/revision", String.valueOf(revision));
            Map<String, String> labels = new LinkedHashMap<>(t.getMetadata().getLabels());
            current = client.apps().replicaSets().inNamespace(NS).resource(new ReplicaSetBuilder()
                    .withNewMetadata().withName(name + "-" + hash).withNamespace(NS).withLabels(labels)
                    .withAnnotations(annotations)
                    .withOwnerReferences(new OwnerReferenceBuilder().withApiVersion("apps/v1").withKind("Deployment")
                            .withName(name).withUid(uid).withController(true).build())
                    .endMetadata()
                    .withNewSpec().withReplicas(0).withNewSelector().withMatchLabels(labels).endSelector()
                    .withTemplate(t).endSpec().build()).create();
            progress.put(name, 0);
        } else if (KubernetesTarget.revision(current) != max) {
            revision = max + 1; // a rollback reuses the old ReplicaSet under a new revision
            annotations.put("deployment.kubernetes.io/revision", String.valueOf(revision));
            Map<String, String> a = annotations;
            current = client.apps().replicaSets().inNamespace(NS).withName(current.getMetadata().getName())
                    .edit(rs -> {
                        rs.getMetadata().setAnnotations(a);
                        return rs;
                    });
            progress.put(name, 0);
        } else {
            revision = max;
        }
        String image = d.getSpec().getTemplate().getSpec().getContainers().get(0).getImage();
        boolean refused = forbidden.contains(image);
        boolean broken = crashing.contains(image) || unpullable.contains(image) || refused;
        String currentName = current.getMetadata().getName();
        boolean hasOld = sets.stream().anyMatch(rs -> !rs.getMetadata().getName().equals(currentName)
                && rs.getSpec().getReplicas() != null && rs.getSpec().getReplicas() > 0);
        int step = progress.merge(name, 1, Integer::sum) - 1; // tick 0 only observes the new generation
        int updated = refused ? 0 : broken ? Math.min(1, desired) : Math.min(desired, step);
        int newAvailable = broken ? 0 : Math.min(desired, Math.max(0, step - 1));
        int oldPods = !hasOld ? 0 : broken ? desired : Math.max(0, desired - newAvailable);
        if (!String.valueOf(revision).equals(d.getMetadata().getAnnotations().get("deployment.kubernetes.io/revision"))) {
            long rev = revision;
            d = client.apps().deployments().inNamespace(NS).withName(name).edit(x -> {
                x.getMetadata().getAnnotations().put("deployment.kubernetes.io/revision", String.valueOf(rev));
                return x;
            });
            if (!hash(d.getSpec().getTemplate()).equals(hash)) {
                return; // the template changed under us: start over next tick
            }
        }
        for (ReplicaSet rs : sets) {
            boolean isCurrent = rs.getMetadata().getName().equals(currentName);
            int have = rs.getSpec().getReplicas() == null ? 0 : rs.getSpec().getReplicas();
            int want = isCurrent ? updated : oldPods == 0 ? 0 : have;
            if (have != want) {
                client.apps().replicaSets().inNamespace(NS).withName(rs.getMetadata().getName()).scale(want);
            }
        }
        if (sets.stream().noneMatch(rs -> rs.getMetadata().getName().equals(currentName)) && updated > 0) {
            client.apps().replicaSets().inNamespace(NS).withName(currentName).scale(updated);
        }
        String refusal = "pods \"" + currentName + "-x1\" is forbidden: violates PodSecurity \"restricted:latest\":"
                + " allowPrivilegeEscalation != false (container \"" + name + "\" must set"
                + " securityContext.allowPrivilegeEscalation=false)";
        if (refused) {
            refusedPods(current, refusal);
        } else if (broken) {
            brokenPod(d, current, unpullable.contains(image));
        }
        List<io.fabric8.kubernetes.api.model.apps.DeploymentCondition> conditions = new ArrayList<>();
        conditions.add(new DeploymentConditionBuilder().withType("Progressing").withStatus("True")
                .withReason(newAvailable == desired ? "NewReplicaSetAvailable" : "ReplicaSetUpdated").build());
        if (refused) {
            // kube-controller-manager copies the ReplicaSet's ReplicaFailure condition to the Deployment
            conditions.add(new DeploymentConditionBuilder().withType("ReplicaFailure").withStatus("True")
                    .withReason("FailedCreate").withMessage(refusal).build());
        }
        DeploymentStatus status = new DeploymentStatusBuilder()
                .withObservedGeneration(d.getMetadata().getGeneration())
                .withReplicas(updated + oldPods)
                .withUpdatedReplicas(updated)
                .withReadyReplicas(newAvailable + oldPods)
                .withAvailableReplicas(newAvailable + oldPods)
                .withConditions(conditions)
                .build();
        Deployment now = client.apps().deployments().inNamespace(NS).withName(name).get();
        if (now == null || !java.util.Objects.equals(now.getMetadata().getGeneration(), d.getMetadata().getGeneration())) {
            return; // changed since this tick read it
        }
        if (!status.equals(now.getStatus())) {
            now.setStatus(status);
            client.resource(now).updateStatus();
        }
    }

    /** What the ReplicaSet controller records when the API server refuses its pods: a condition and a FailedCreate event. */
    private void refusedPods(ReplicaSet rs, String refusal) {
        String name = rs.getMetadata().getName();
        if (client.v1().events().inNamespace(NS).withName(name + ".failedcreate").get() != null) {
            return;
        }
        client.apps().replicaSets().inNamespace(NS).withName(name).editStatus(x -> {
            x.setStatus(new io.fabric8.kubernetes.api.model.apps.ReplicaSetStatusBuilder().withReplicas(0)
                    .addNewCondition().withType("ReplicaFailure").withStatus("True").withReason("FailedCreate")
                    .withMessage(refusal).endCondition().build());
            return x;
        });
        client.v1().events().inNamespace(NS).resource(new EventBuilder().withNewMetadata()
                .withName(name + ".failedcreate").withNamespace(NS).endMetadata()
                .withNewInvolvedObject().withKind("ReplicaSet").withName(name).withNamespace(NS).endInvolvedObject()
                .withType("Warning").withReason("FailedCreate").withMessage("Error creating: " + refusal)
                .withCount(4).build()).create();
    }

    /** A pod of the new ReplicaSet that fails, and the events the kubelet would record for it. */
    private void brokenPod(Deployment d, ReplicaSet rs, boolean pull) {
        String podName = rs.getMetadata().getName() + "-x1";
        if (client.pods().inNamespace(NS).withName(podName).get() != null) {
            return;
        }
        Map<String, String> labels = new LinkedHashMap<>(rs.getSpec().getTemplate().getMetadata().getLabels());
        Pod pod = new PodBuilder().withNewMetadata().withName(podName).withNamespace(NS).withLabels(labels).endMetadata()
                .withNewSpec().withContainers(rs.getSpec().getTemplate().getSpec().getContainers()).endSpec()
                .withNewStatus().withPhase(pull ? "Pending" : "Running")
                .withContainerStatuses(pull
                        ? new ContainerStatusBuilder().withName(d.getMetadata().getName()).withReady(false)
                        .withRestartCount(0).withNewState().withNewWaiting().withReason("ImagePullBackOff")
                        .withMessage("Back-off pulling image").endWaiting().endState().build()
                        : new ContainerStatusBuilder().withName(d.getMetadata().getName()).withReady(false)
                        .withRestartCount(4).withNewState().withNewWaiting().withReason("CrashLoopBackOff")
                        .withMessage("back-off 40s restarting failed container").endWaiting().endState()
                        .withNewLastState().withNewTerminated().withExitCode(1).withReason("Error").endTerminated()
                        .endLastState().build())
                .endStatus().build();
        client.pods().inNamespace(NS).resource(pod).create();
        client.v1().events().inNamespace(NS).resource(new EventBuilder().withNewMetadata()
                .withName(podName + ".1").withNamespace(NS).endMetadata()
                .withNewInvolvedObject().withKind("Pod").withName(podName).withNamespace(NS).endInvolvedObject()
                .withType("Warning")
                .withReason(pull ? "Failed" : "Unhealthy")
                .withMessage(pull ? "Failed to pull image: not found" : "Readiness probe failed: HTTP probe failed with statuscode: 503")
                .withCount(3).build()).create();
    }

    /** The pod-template-hash stand-in: a hash of the template. */
    private String hash(PodTemplateSpec t) {
        try {
            byte[] d = MessageDigest.getInstance("SHA-256").digest(json.asJson(t).getBytes(StandardCharsets.UTF_8));
            return HexFormat.of().formatHex(d).substring(0, 10);
        } catch (java.security.NoSuchAlgorithmException e) {
            throw new IllegalStateException(e);
        }
    }

    /** @return the ReplicaSets of a Deployment, by revision */
    List<ReplicaSet> replicaSets(String deployment) {
        List<ReplicaSet> out = new ArrayList<>(client.apps().replicaSets().inNamespace(NS).list().getItems().stream()
                .filter(rs -> rs.getMetadata().getName().startsWith(deployment + "-")
                        && rs.getMetadata().getOwnerReferences().get(0).getName().equals(deployment)).toList());
        out.sort(java.util.Comparator.comparingLong(KubernetesTarget::revision));
        return out;
    }

    @Override
    public void close() throws InterruptedException {
        running = false;
        controller.join(5000);
        client.close();
        server.destroy();
    }
}
