package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.analysis.PrometheusClient;
import dev.slipway.analysis.Sleeper;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.deploy.kubernetes.CanarySplit;
import dev.slipway.deploy.kubernetes.KubeRelease;
import dev.slipway.deploy.kubernetes.KubernetesCanary;
import dev.slipway.deploy.kubernetes.KubernetesTarget;
import java.time.Clock;
import picocli.CommandLine.Option;

/**
 * The {@code kubernetes} target behind {@code deploy}, {@code rollback}, {@code status} and
 * {@code history}: connect with the kubeconfig, call {@link KubernetesTarget}, print.
 */
final class KubernetesCli {
    private KubernetesCli() {}

    /** The canary actions of {@code slipway deploy --to kubernetes}; at most one. */
    static final class CanaryAction {
        @Option(names = "--canary", description = "kubernetes: release as a canary through canary.steps, with analysis;"
                + " exit 0 promoted, 1 aborted, 3 paused.")
        boolean canary;

        @Option(names = "--promote", description = "kubernetes: promote the running canary now.")
        boolean promote;

        @Option(names = "--abort", description = "kubernetes: abort the running canary (scaled to 0 at once).")
        boolean abort;
    }

    /** Runs an action, turning the client's errors (unreachable server, 403, 422) into exit 1 with the API's message. */
    private static void api(SlipwayConfig config, Runnable action) {
        try {
            action.run();
        } catch (io.fabric8.kubernetes.client.KubernetesClientException e) {
            String m = e.getStatus() != null && e.getStatus().getMessage() != null ? e.getStatus().getMessage()
                    : e.getMessage();
            Throwable root = e;
            while (root.getCause() != null && root.getCause() != root) {
                root = root.getCause();
            }
            throw SlipwayException.failed("Kubernetes API (namespace " + config.kubernetes().namespace() + "): "
                    + (e.getCode() > 0 ? "HTTP " + e.getCode() + ": " : "") + m
                    + (e.getCode() == 0 && root != e ? " (" + root + "); check that the cluster is reachable from the"
                            + " kubeconfig's " + (config.kubernetes().context() == null ? "current context"
                                    : "context '" + config.kubernetes().context() + "'") + " ($KUBECONFIG or ~/.kube/config)" : ""), e);
        }
    }

    static void deploy(SlipwayConfig config, Console console, String image, boolean rollback,
                       CanaryAction action) {
        api(config, () -> deployIn(config, console, image, rollback, action));
    }

    private static void deployIn(SlipwayConfig config, Console console, String image, boolean rollback,
                                 CanaryAction action) {
        try (KubernetesTarget t = KubernetesTarget.connect(config, console)) {
            if (action != null && action.promote) {
                printOutcome(console, config, t.promote(), "promoted");
                return;
            }
            if (action != null && action.abort) {
                int total = t.abort();
                console.println(config.name() + " canary aborted: " + t.canaryName() + " scaled to 0, "
                        + config.name() + " back to " + total + " pods");
                return;
            }
            KubeRelease release = KubeRelease.resolve(config, image);
            if (action != null && action.canary) {
                KubernetesCanary run = new KubernetesCanary(config, t, new PrometheusClient(config.canary().prometheus(),
                        config.canary().queryTimeout()), Clock.systemUTC(), Sleeper.SYSTEM, console);
                KubernetesCanary.Report r;
                try {
                    r = run.run(release);
                } catch (InterruptedException e) {
                    Thread.currentThread().interrupt();
                    throw SlipwayException.failed("interrupted; the canary is left as it is ('--abort' scales it to 0)");
                }
                for (KubernetesCanary.StepReport s : r.steps()) {
                    console.println("  weight " + s.weight() + "%: " + s.split().describe()
                            + (s.analysis() == null ? "" : ", analysis " + s.analysis().verdict().label()));
                }
                if (r.exitCode() != 0) {
                    throw new SlipwayException(r.exitCode(), r.message());
                }
                console.println(r.message());
                return;
            }
            printOutcome(console, config, t.deploy(release, rollback), "deployed");
        }
    }

    static void printOutcome(Console console, SlipwayConfig config, KubernetesTarget.Outcome o, String verb) {
        console.println(config.name() + " " + o.version() + " " + verb + " to kubernetes: deployment/" + o.deployment()
                + " in namespace " + config.kubernetes().namespace() + " is available (revision " + o.revision()
                + ", image " + o.image() + ")");
    }

    static void rollback(SlipwayConfig config, Console console, String to) {
        api(config, () -> rollbackIn(config, console, to));
    }

    private static void rollbackIn(SlipwayConfig config, Console console, String to) {
        Long revision = null;
        if (to != null) {
            try {
                revision = Long.parseLong(to);
            } catch (NumberFormatException e) {
                throw SlipwayException.usage("--to takes a revision number with --target kubernetes (see 'slipway"
                        + " history --to kubernetes'), not '" + to + "'");
            }
        }
        try (KubernetesTarget t = KubernetesTarget.connect(config, console)) {
            printOutcome(console, config, t.rollback(revision), "rolled back");
        }
    }

    static void status(SlipwayConfig config, Console c) {
        api(config, () -> statusIn(config, c));
    }

    private static void statusIn(SlipwayConfig config, Console c) {
        try (KubernetesTarget t = KubernetesTarget.connect(config, c)) {
            KubernetesTarget.Status s = t.status();
            c.println(config.name() + " on kubernetes (namespace " + config.kubernetes().namespace() + ")");
            if (!s.deployed()) {
                c.println("  (nothing deployed)");
                return;
            }
            c.println("  version    " + s.version());
            c.println("  revision   " + s.revision());
            c.println("  image      " + s.image());
            c.println("  replicas   " + s.desired() + " desired, " + s.updated() + " updated, " + s.ready() + " ready, "
                    + s.available() + " available");
            c.println("  rollout    " + s.rollout());
            if (s.canary() != null) {
                CanarySplit sp = s.canary().split();
                c.println("  canary     " + s.canary().version() + " (" + s.canary().image() + "), " + s.canary().ready()
                        + " ready; " + sp.describe());
            }
        }
    }

    static void history(SlipwayConfig config, Console c) {
        api(config, () -> historyIn(config, c));
    }

    private static void historyIn(SlipwayConfig config, Console c) {
        try (KubernetesTarget t = KubernetesTarget.connect(config, c)) {
            String format = "%-9s %-24s %-8s %-21s %-8s %s";
            c.println(String.format(format, "REVISION", "VERSION", "COMMIT", "CREATED", "PODS", "IMAGE"));
            for (KubernetesTarget.Revision r : t.history()) {
                c.println(String.format(format, r.revision() + (r.current() ? "*" : ""), r.version(),
                        r.commit().substring(0, Math.min(7, r.commit().length())), r.created(), r.replicas(), r.image()));
            }
        }
    }
}
