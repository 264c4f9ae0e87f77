package dev.slipway.deploy.swarm;

import dev.slipway.util.Json;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.config.SwarmConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.History;
import dev.slipway.deploy.Report;
import dev.slipway.deploy.Revision;
import dev.slipway.deploy.Target;
import dev.slipway.deploy.kubernetes.KubeRelease;
import dev.slipway.remote.DockerEngine;
import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The {@code swarm} target: the service as a Docker Swarm service, rolled out by Swarm's own
 * rolling update, through the Engine API over the engine's UNIX socket ({@link DockerEngine}). The
 * engine must be a swarm manager ({@code docker swarm init}).
 *
 * <p>A deploy creates the service, or updates its spec ({@link SwarmSpec}) with the version index
 * read just before (the engine refuses an update from a stale spec: that is the deploy lock), then
 * waits, bounded by {@code deploy.swarm.rolloutTimeout}, until Swarm reports the update completed
 * (every task running and healthy) or rolled back. A rollback by Swarm ({@code failure_action:
 * rollback}: a new task failed its health check or exited) is reported with the failed tasks'
 * errors and exit 1, and recorded as a {@code rolled-back} revision. {@code rollback} redeploys the
 * image of an earlier revision (from the history Slipway keeps in the service's labels). A deploy
 * that was killed mid-rollout is finished by running it again: the same spec converges.
 */
public final class SwarmTarget implements Target {
    /** The target's name. */
    public static final String NAME = "swarm";
    private static final ObjectMapper JSON = Json.MAPPER;

    private final SlipwayConfig config;
    private final DockerEngine engine;
    private final Console console;
    private final java.util.function.Function<String, String> env;

    /**
     * A target whose secrets come from this process's environment.
     *
     * @param config  the service configuration ({@code deploy.swarm})
     * @param engine  the engine of a swarm manager
     * @param console progress lines
     */
    public SwarmTarget(SlipwayConfig config, DockerEngine engine, Console console) {
        this(config, engine, console, System::getenv);
    }

    /**
     * @param config  the service configuration ({@code deploy.swarm})
     * @param engine  the engine of a swarm manager
     * @param console progress lines
     * @param env     the deploy machine's environment, where {@code deploy.swarm.secrets} are read
     *                (name to value, {@code null} when unset)
     */
    public SwarmTarget(SlipwayConfig config, DockerEngine engine, Console console,
                       java.util.function.Function<String, String> env) {
        this.config = config;
        this.engine = engine;
        this.console = console;
        this.env = env;
    }

    @Override
    public String name() {
        return NAME;
    }

    @Override
    public boolean runsImage() {
        return true;
    }

    @Override
    public java.util.Optional<String> configuredImage() {
        return java.util.Optional.ofNullable(config.swarm().image());
    }

    /**
     * What {@link #apply} needs besides the steps.
     *
     * @param image   the image to run
     * @param version the release version
     * @param commit  its commit
     * @param outcome the outcome a success records ({@code deployed} or {@code rollback})
     */
    record Detail(String image, String version, String commit, String outcome) {}

    @Override
    public DeployPlan plan(DeployRequest request) {
        refuseBesideCanary("deploy");
        KubeRelease release = KubeRelease.resolve(config, request == null ? null : request.image(), "deploy.swarm.image",
                config.swarm().image());
        return plan(DeployPlan.Action.DEPLOY, new Detail(release.image(), release.version(), release.commit(), History.DEPLOYED));
    }

    @Override
    public DeployPlan rollback(RollbackTo to) {
        refuseBesideCanary("roll back");
        JsonNode service = service();
        if (service == null) {
            throw SlipwayException.usage("no Swarm service " + config.swarm().service() + " to roll back; nothing was changed");
        }
        List<SwarmSpec.Entry> history = SwarmSpec.read(service);
        String current = service.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText("");
        SwarmSpec.Entry pick = null;
        for (int i = history.size() - 1; i >= 0 && pick == null; i--) {
            SwarmSpec.Entry e = history.get(i);
            boolean served = e.outcome().equals(History.DEPLOYED) || e.outcome().equals(History.ROLLBACK);
            if (to.version() != null ? e.version().equals(to.version()) && served
                    : to.revision() != null ? e.revision() == to.revision()
                    : served && !e.version().equals(current)) {
                pick = e;
            }
        }
        if (pick == null || pick.version().equals(current)) {
            throw SlipwayException.usage((pick == null ? "no earlier release of " + config.swarm().service()
                    + " in its history" + (to.version() != null ? " with version " + to.version() : to.revision() != null
                    ? " with revision " + to.revision() : "") : "release " + pick.version() + " is the one serving")
                    + "; nothing was changed");
        }
        return plan(DeployPlan.Action.ROLLBACK, new Detail(pick.image(), pick.version(), pick.commit(), History.ROLLBACK));
    }

    /**
     * {@inheritDoc}
     *
     * <p>When the engine could not be reached (no socket, or it did not answer): the service spec's
     * steps from {@code deploy.swarm}, "create or update" (whether the service exists is unknown).
     */
    @Override
    public java.util.Optional<UnreadPlan> planUnread(DeployRequest request, SlipwayException why) {
        String m = why.getMessage() == null ? "" : why.getMessage();
        if (!m.startsWith("no Docker engine at ") && !(why.getCause() instanceof java.io.IOException)) {
            return java.util.Optional.empty();
        }
        KubeRelease release = KubeRelease.resolve(config, request == null ? null : request.image(), "deploy.swarm.image",
                config.swarm().image());
        String cause = m.lines().findFirst().orElse("the Docker engine did not answer");
        DeployPlan plan = plan(DeployPlan.Action.DEPLOY, new Detail(release.image(), release.version(), release.commit(),
                "deployed"), null, cause);
        return java.util.Optional.of(new UnreadPlan(plan, cause + "; the plan above comes from slipway.yaml alone"));
    }

    private DeployPlan plan(DeployPlan.Action action, Detail d) {
        return plan(action, d, service(), null);
    }

    /**
     * @param service the service as the engine describes it, or {@code null} (none, or not read)
     * @param unread  why the engine was not read, or {@code null} when {@code service} is what it said
     */
    private DeployPlan plan(DeployPlan.Action action, Detail d, JsonNode service, String unread) {
        SwarmConfig s = config.swarm();
        List<String> facts = new ArrayList<>();
        facts.add("engine " + engine.socket() + ", service " + s.service() + (unread != null ? " (engine not read: " + unread
                + "; whether the service exists and what it serves are not known)" : service == null ? " (new)"
                : " serving " + service.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText("?")));
        facts.add("image " + d.image());
        List<String> missing = s.secrets().stream().filter(n -> env.apply(n) == null).toList();
        if (!missing.isEmpty()) {
            throw SlipwayException.usage("deploy.swarm.secrets: " + String.join(", ", missing)
                    + (missing.size() == 1 ? " is" : " are") + " not set in this environment; nothing was changed");
        }
        if (!s.secrets().isEmpty()) {
            facts.add("secrets " + String.join(", ", s.secrets()) + " from this environment, as Docker secrets");
        }
        List<DeployPlan.Step> steps = new ArrayList<>();
        steps.add(new DeployPlan.Step(DeployPlan.Kind.APPLY, s.service(), 0, (unread != null ? "create or update"
                : service == null ? "create" : "update")
                + " service " + s.service() + ": " + s.replicas() + " replicas of " + d.version() + ", update parallelism "
                + s.parallelism() + ", delay " + s.delay().toSeconds() + "s, order " + s.order() + ", monitor "
                + s.monitor().toSeconds() + "s, failure action rollback, health check " + config.service().readiness().target(
                "127.0.0.1", config.service().port()) + (!s.portPrefixes().isEmpty() ? ", host network, task ports "
                + nextPrefix(service) + "{slot}" : s.network().equals("host") ? ", host network"
                : ", published port " + s.publishedPort())));
        steps.add(new DeployPlan.Step(DeployPlan.Kind.ROLLOUT, s.service(), 1, "wait up to "
                + s.rolloutTimeout().toSeconds() + "s for every task to run healthy (Swarm rolls back on failure)"));
        steps.add(new DeployPlan.Step(DeployPlan.Kind.RECORD, s.service(), 0,
                "record the revision in the service's label " + SwarmSpec.HISTORY));
        return new DeployPlan(NAME, action, config.name(), d.version(), d.commit(), facts, steps, d);
    }

    /**
     * What a start or stop plan sets.
     *
     * @param replicas the service's task count: 0 for stop, {@code deploy.swarm.replicas} for start
     */
    record Scale(int replicas) {}

    /**
     * {@inheritDoc}
     *
     * <p>On swarm: the service scaled back to {@code deploy.swarm.replicas} (its spec as it is), then a
     * wait until they run healthy; an empty plan when they run. Swarm's version index is the lock, so
     * {@code lockWait} has nothing to wait for.
     */
    @Override
    public DeployPlan planStart(Duration lockWait) {
        return planScale(DeployPlan.Action.START, config.swarm().replicas());
    }

    /**
     * {@inheritDoc}
     *
     * <p>On swarm: the service scaled to 0 tasks (its spec, labels and history stay; each task drains
     * within its {@code stop_grace_period}); {@code start} scales it back.
     */
    @Override
    public DeployPlan planStop(Duration lockWait) {
        return planScale(DeployPlan.Action.STOP, 0);
    }

    private DeployPlan planScale(DeployPlan.Action action, int replicas) {
        JsonNode service = service();
        if (service == null) {
            throw SlipwayException.usage("no Swarm service " + config.swarm().service() + " to " + action.verb()
                    + "; deploy it first; nothing was changed");
        }
        String version = service.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText("-");
        if (action == DeployPlan.Action.STOP) {
            // Scaling the stable service alone would leave the canary's tasks serving by themselves.
            refuseBesideCanary("stop");
        }
        int now = service.path("Spec").path("Mode").path("Replicated").path("Replicas").asInt();
        List<DeployPlan.Step> steps = new ArrayList<>();
        if (now != replicas) {
            steps.add(new DeployPlan.Step(action == DeployPlan.Action.STOP ? DeployPlan.Kind.STOP : DeployPlan.Kind.START,
                    config.swarm().service(), 0, "scale service " + config.swarm().service() + " from " + now + " to "
                    + replicas + (replicas == 1 ? " task" : " tasks")));
            if (replicas > 0) {
                steps.add(new DeployPlan.Step(DeployPlan.Kind.ROLLOUT, config.swarm().service(), 0, "wait up to "
                        + config.swarm().rolloutTimeout().toSeconds() + "s for " + replicas + " healthy tasks of " + version));
            }
        }
        return new DeployPlan(NAME, action, config.name(), version, service.path("Spec").path("Labels")
                .path(SwarmSpec.COMMIT).asText(""), List.of("engine " + engine.socket() + ", service " + config.swarm().service()
                + " (" + version + ") with " + now + (now == 1 ? " task" : " tasks")), steps, new Scale(replicas));
    }

    private Report applyScale(DeployPlan plan, Scale scale) {
        String name = config.swarm().service();
        List<String> steps = plan.stepLines();
        if (plan.steps().isEmpty()) {
            String m = name + (scale.replicas() == 0 ? " was not running" : " already runs " + plan.version());
            return new Report(NAME, plan.action().verb(), config.name(), plan.version(), 0, "ok", 0, url(), steps, Map.of(),
                    List.of(m), m);
        }
        JsonNode service = service();
        JsonNode spec = service.path("Spec").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", scale.replicas());
        console.progress("  scaling Swarm service " + name + " to " + scale.replicas());
        engine.post("/services/" + service.path("ID").asText() + "/update?version=" + service.path("Version").path("Index")
                .asLong(), spec, Duration.ofMinutes(2));
        if (scale.replicas() > 0) {
            Settled s = awaitServing(plan.version(), scale.replicas(), config.swarm().rolloutTimeout());
            if (s.running() < scale.replicas()) {
                String m = s.running() + " of " + scale.replicas() + " tasks of " + name + " run " + plan.version()
                        + " healthy after " + config.swarm().rolloutTimeout().toSeconds() + "s";
                return new Report(NAME, plan.action().verb(), config.name(), plan.version(), 0, "failed", 1, url(), steps,
                        Map.of(), s.lines(), m);
            }
            String m = name + " runs " + plan.version() + " with " + scale.replicas() + (scale.replicas() == 1 ? " task" : " tasks");
            return new Report(NAME, plan.action().verb(), config.name(), plan.version(), 0, "ok", 0, url(), steps, Map.of(),
                    s.lines(), m);
        }
        String m = name + " stopped (scaled to 0 tasks; 'slipway start --to swarm' scales it back)";
        return new Report(NAME, plan.action().verb(), config.name(), plan.version(), 0, "ok", 0, null, steps, Map.of(),
                List.of(m), m);
    }

    @Override
    public Report apply(DeployPlan plan) {
        if (plan.detail() instanceof Scale scale) {
            return applyScale(plan, scale);
        }
        if (!(plan.detail() instanceof Detail d)) {
            throw new IllegalArgumentException("not a swarm plan: " + plan.target());
        }
        SwarmConfig s = config.swarm();
        Map<String, Long> timing = new LinkedHashMap<>();
        long t0 = System.nanoTime();
        JsonNode service = service();
        List<SwarmSpec.Entry> history = new ArrayList<>(service == null ? List.of() : SwarmSpec.read(service));
        String who = System.getProperty("user.name", "?") + "@" + host();
        SwarmSpec.Entry last = history.isEmpty() ? null : history.get(history.size() - 1);
        int revision;
        if (interruptedDeploy(service, last, d.version(), d.image(), d.outcome(), s.replicas())) {
            // The spec of this release is in place already: a deploy that was stopped mid-rollout (Swarm
            // rolls on by itself), or the same release deployed again. Sending it again would record it
            // twice; waiting (for a rollout, or only for the tasks' check) is what is left.
            revision = last.revision();
            console.progress(specInPlaceNote(service, s.service(), d.version(), revision));
        } else {
            revision = last == null ? 1 : last.revision() + 1;
            history.add(new SwarmSpec.Entry(revision, d.version(), d.commit(), d.image(), Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                    d.outcome(), who, ""));
            String hostNet = s.network().equals("host") ? engine.get("/networks/host").path("Id").asText() : null;
            Map<String, Object> spec = SwarmSpec.of(config, d.image(), d.version(), d.commit(), history, hostNet,
                    s.portPrefixes().isEmpty() ? 0 : nextPrefix(service), secrets());
            console.progress("  " + (service == null ? "creating" : "updating") + " Swarm service " + s.service() + " ("
                    + d.version() + ", " + s.replicas() + " replicas, " + s.order() + ")");
            if (service == null) {
                engine.post("/services/create", spec, Duration.ofMinutes(2));
            } else {
                long index = service.path("Version").path("Index").asLong();
                engine.post("/services/" + service.path("ID").asText() + "/update?version=" + index, spec,
                        Duration.ofMinutes(2));
            }
        }
        timing.put("apply", millis(t0));
        long t1 = System.nanoTime();
        Rollout r = await(s, d.version(), service == null);
        timing.put("rollout", millis(t1));
        List<String> steps = plan.steps().stream().map(st -> st.kind().id() + " " + st.where() + ": " + st.description())
                .toList();
        if (r.ok()) {
            console.println("  " + s.service() + " runs " + d.version() + " (revision " + revision + ")");
            return new Report(NAME, plan.action().verb(), config.name(), d.version(), revision, "ok", 0, url(), steps,
                    timing, r.lines(), d.outcome() + " " + d.version() + " to swarm service " + s.service());
        }
        // Swarm went back (or could not converge): record that on the spec that serves now, labels only
        // (a change of the service's labels does not roll tasks).
        JsonNode now = service();
        String serving = now == null ? null : now.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText(null);
        if (now != null) {
            List<SwarmSpec.Entry> kept = new ArrayList<>(SwarmSpec.read(now));
            int rev = kept.isEmpty() ? revision : Math.max(revision, kept.get(kept.size() - 1).revision() + 1);
            kept.add(new SwarmSpec.Entry(rev, d.version(), d.commit(), d.image(), Instant.now().truncatedTo(java.time.temporal.ChronoUnit.SECONDS).toString(),
                    r.rolledBack() ? History.ROLLED_BACK : History.FAILED, who, r.why()));
            JsonNode labelSpec = now.path("Spec").deepCopy();
            ((com.fasterxml.jackson.databind.node.ObjectNode) labelSpec.path("Labels")).put(SwarmSpec.HISTORY,
                    SwarmSpec.write(kept));
            engine.post("/services/" + now.path("ID").asText() + "/update?version=" + now.path("Version").path("Index")
                    .asLong(), labelSpec, Duration.ofMinutes(2));
        }
        // Swarm reports rollback_completed once every slot has been given the old spec, not once those
        // tasks run: a slot whose failed task was just shut down may not have its replacement yet. The
        // report says the old release serves, so it waits (bounded) until it serves with every replica.
        List<String> lines = r.lines();
        String short_ = "";
        if (r.rolledBack() && serving != null) {
            Settled settled = awaitServing(serving, s.replicas(), Duration.ofSeconds(Math.max(30,
                    s.rolloutTimeout().toSeconds() / 2)));
            lines = settled.lines();
            if (settled.running() < s.replicas()) {
                short_ = "; " + settled.running() + " of " + s.replicas() + " tasks of " + serving
                        + " run so far (Swarm goes on restoring the others)";
            }
        }
        String message = (r.rolledBack() ? "Swarm rolled " + s.service() + " back to " + serving : s.service()
                + " did not converge") + ": " + r.why() + short_;
        console.println("  " + message);
        return new Report(NAME, plan.action().verb(), config.name(), serving, revision, r.rolledBack() ? "rolled-back"
                : "failed", 1, url(), steps, timing, lines, message);
    }

    /**
     * The port prefix of the next release's tasks: the one of {@code deploy.swarm.portPrefixes} the
     * serving spec does not use, so a start-first task never needs a port an old task holds.
     */
    private int nextPrefix(JsonNode service) {
        List<Integer> prefixes = config.swarm().portPrefixes();
        return SwarmSpec.portPrefix(service) == prefixes.get(0) ? prefixes.get(1) : prefixes.get(0);
    }

    /**
     * Creates the Docker secrets of {@code deploy.swarm.secrets} from this environment's values. A
     * secret cannot change, so its name carries a hash of the value ({@code SERVICE_NAME_HASH12}): a
     * new value is a new secret (and rolls the tasks), the same value reuses the one there.
     *
     * @return variable name to {@code [secret ID, secret name]}
     */
    private Map<String, List<String>> secrets() {
        Map<String, List<String>> out = new LinkedHashMap<>();
        for (String name : config.swarm().secrets()) {
            String value = env.apply(name);
            if (value == null) {
                throw SlipwayException.usage("deploy.swarm.secrets: " + name + " is not set in this environment");
            }
            String secret = config.swarm().service() + "_" + name.toLowerCase(java.util.Locale.ROOT) + "_"
                    + dev.slipway.util.Hashing.sha256Hex(name + "=" + value).substring(0, 12);
            Map<String, Object> body = Map.of("Name", secret, "Labels", Map.of("dev.slipway.service",
                    config.swarm().service()), "Data", java.util.Base64.getEncoder().encodeToString(
                    value.getBytes(StandardCharsets.UTF_8)));
            DockerEngine.Response r;
            try {
                r = engine.request("POST", "/secrets/create", "application/json", DockerEngine.Body.of(
                        JSON.writeValueAsBytes(body)), Duration.ofSeconds(60));
            } catch (java.io.IOException e) {
                throw new IllegalStateException(e);
            }
            String id;
            if (r.status() == 409) {
                String filters = URLEncoder.encode("{\"name\":{\"" + secret + "\":true}}", StandardCharsets.UTF_8);
                id = "";
                for (JsonNode e : engine.get("/secrets?filters=" + filters)) {
                    if (e.path("Spec").path("Name").asText().equals(secret)) {
                        id = e.path("ID").asText();
                    }
                }
            } else {
                // The engine's errors name the secret, never its data.
                id = DockerEngine.expectOk("POST", "/secrets/create", r).json().path("ID").asText();
            }
            out.put(name, List.of(id, secret));
        }
        return out;
    }

    /**
     * Where a rollout ended.
     *
     * @param ok         every task runs the new spec, healthy
     * @param rolledBack Swarm rolled the service back
     * @param why        the failed tasks' errors, or the timeout
     * @param lines      one line per task
     */
    record Rollout(boolean ok, boolean rolledBack, String why, List<String> lines) {}

    private Rollout await(SwarmConfig s, String version, boolean created) {
        long deadline = System.nanoTime() + s.rolloutTimeout().toNanos();
        String state = "";
        String first = "";
        // Task errors seen on any poll: by the time Swarm reports rollback_completed, the failed task may
        // have been replaced in the task list (its slot's history is bounded) or shut down without one.
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (int polls = 0; System.nanoTime() < deadline && polls < 100_000; polls++) {
            JsonNode service = service();
            if (service == null) {
                return new Rollout(false, false, "the service was removed during the rollout", List.of());
            }
            state = service.path("UpdateStatus").path("State").asText("");
            if (state.startsWith("rollback") && first.isEmpty()) {
                // rollback_started says why ("update rolled back due to failure or early termination of task ...").
                first = service.path("UpdateStatus").path("Message").asText("");
            }
            List<JsonNode> tasks = tasks();
            seen.addAll(taskErrors(tasks, version));
            long running = running(tasks, version);
            if (state.equals("rollback_completed") || state.equals("rollback_paused") || state.equals("paused")) {
                return new Rollout(false, true, failures(seen, first.isEmpty() ? service.path("UpdateStatus")
                        .path("Message").asText("") : first), lines(tasks));
            }
            boolean done = created || state.isEmpty() ? running == s.replicas() : state.equals("completed")
                    && running == s.replicas();
            if (done) {
                return new Rollout(true, false, "", lines(tasks));
            }
            sleep(1000);
        }
        List<JsonNode> tasks = tasks();
        seen.addAll(taskErrors(tasks, version));
        return new Rollout(false, false, "no convergence within " + s.rolloutTimeout().toSeconds() + "s (update state '"
                + state + "'); " + failures(seen, first), lines(tasks));
    }

    /**
     * @param version a release version, or {@code null} for tasks of any version
     * @return the tasks of {@code version} whose desired and observed states are both {@code running}
     */
    private static long running(List<JsonNode> tasks, String version) {
        return tasks.stream().filter(t -> t.path("DesiredState").asText().equals("running")
                && t.path("Status").path("State").asText().equals("running")
                && (version == null || version.equals(t.path("Spec").path("ContainerSpec").path("Labels").path(SwarmSpec.VERSION).asText())))
                .count();
    }

    /**
     * How many tasks of one version run after a rollback.
     *
     * @param running tasks of the version whose desired and observed states are both {@code running}
     * @param lines   one line per task, as {@link #lines} writes them
     */
    record Settled(long running, List<String> lines) {}

    /**
     * Polls the service's tasks once a second until {@code replicas} tasks of {@code version} run, or
     * {@code bound} has passed.
     *
     * @param version  the {@code dev.slipway.version} label of the tasks counted
     * @param replicas how many must run
     * @param bound    the longest wait
     * @return the last count and task lines seen
     */
    private Settled awaitServing(String version, int replicas, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        List<JsonNode> tasks = tasks();
        for (int polls = 0; polls < 10_000; polls++) {
            long running = running(tasks, version);
            if (running >= replicas || System.nanoTime() >= deadline) {
                return new Settled(running, lines(tasks));
            }
            sleep(1000);
            tasks = tasks();
        }
        return new Settled(0, lines(tasks));
    }

    /**
     * @param errs    task errors seen during the rollout ({@link #taskErrors})
     * @param message Swarm's update status message, or {@code ""}
     * @return the message, then at most three task errors; "no task error recorded" when there is neither
     */
    private static String failures(java.util.Collection<String> errs, String message) {
        String tail = errs.isEmpty() ? "" : String.join("; ", errs.stream().distinct().limit(3).toList());
        return message.isEmpty() ? (tail.isEmpty() ? "no task error recorded" : tail) : message
                + (tail.isEmpty() ? "" : "; " + tail);
    }

    /** The errors of the tasks of {@code version} that failed (Swarm's {@code Status.Err}, else its message). */
    private static List<String> taskErrors(List<JsonNode> tasks, String version) {
        List<String> errs = new ArrayList<>();
        for (JsonNode t : tasks) {
            String st = t.path("Status").path("State").asText();
            String err = t.path("Status").path("Err").asText("");
            if (err.isEmpty() && (st.equals("failed") || st.equals("rejected"))) {
                err = t.path("Status").path("Message").asText("");
            }
            boolean mine = version.equals(t.path("Spec").path("ContainerSpec").path("Labels").path(SwarmSpec.VERSION).asText());
            if (mine && !err.isEmpty()) {
                errs.add("task " + t.path("ID").asText().substring(0, 12) + " " + t.path("Status").path("State").asText()
                        + ": " + err);
            }
        }
        return errs;
    }

    private List<String> lines(List<JsonNode> tasks) {
        return lines(config.swarm().service(), tasks);
    }

    private static List<String> lines(String service, List<JsonNode> tasks) {
        List<String> out = new ArrayList<>();
        for (JsonNode t : tasks) {
            if (!t.path("DesiredState").asText().equals("running")) {
                continue;
            }
            out.add(service + "." + t.path("Slot").asText() + " " + t.path("ID").asText().substring(0, 12)
                    + " " + t.path("Status").path("State").asText() + " "
                    + t.path("Spec").path("ContainerSpec").path("Labels").path(SwarmSpec.VERSION).asText("?")
                    + (t.path("Status").path("Err").asText("").isEmpty() ? "" : " (" + t.path("Status").path("Err").asText()
                    + ")"));
        }
        out.sort(null);
        return out;
    }

    @Override
    public Report status() {
        JsonNode service = service();
        if (service == null) {
            return new Report(NAME, "status", config.name(), null, 0, "none", 1, null, List.of(), Map.of(), List.of(),
                    "no Swarm service " + config.swarm().service());
        }
        List<SwarmSpec.Entry> history = SwarmSpec.read(service);
        String version = service.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText(null);
        int revision = 0;
        for (SwarmSpec.Entry e : history) {
            if (e.version().equals(version) && !e.outcome().equals(History.ROLLED_BACK) && !e.outcome().equals(History.FAILED)) {
                revision = e.revision();
            }
        }
        String update = service.path("UpdateStatus").path("State").asText("");
        List<JsonNode> tasks = tasks();
        List<String> lines = lines(tasks);
        long running = running(tasks, null);
        if (running == 0) { // stopped (scaled to 0) or every task failing: nothing serves, exit 1
            return new Report(NAME, "status", config.name(), version, revision, "not running", 1, null, List.of(), Map.of(),
                    lines, config.swarm().service() + " runs no task of " + version + " (" + lines.size()
                            + " wanted; 'slipway start --to swarm' scales a stopped service back)");
        }
        return new Report(NAME, "status", config.name(), version, revision, "ok", 0, url(), List.of(), Map.of(), lines,
                config.swarm().service() + " serves " + version + " with " + running + " of "
                        + config.swarm().replicas() + " tasks running" + (update.isEmpty() ? "" : " (last update " + update + ")"));
    }

    @Override
    public List<Revision> history() {
        JsonNode service = service();
        return service == null ? List.of() : SwarmSpec.read(service).stream().map(SwarmSpec.Entry::toRevision).toList();
    }

    // ---- the canary service (canary/SwarmCanaryTarget) ------------------------------------------

    /**
     * Refuses a deploy, rollback or stop of the stable service while the canary service runs beside
     * it, as the kubernetes target and the hosts target's canary guard do: the canary driver owns
     * both services until {@code promote} or {@code abort}.
     *
     * @param what the refused action, e.g. {@code "deploy"}
     * @throws SlipwayException exit 2 when the canary service exists; nothing was changed
     */
    private void refuseBesideCanary(String what) {
        JsonNode canary = service(canaryName());
        if (canary != null) {
            throw SlipwayException.usage("cannot " + what + " " + config.swarm().service() + " while a canary runs beside it"
                    + " (service " + canaryName() + ", " + canary.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText("?")
                    + "); 'slipway promote --to swarm' or 'slipway abort --to swarm' first; nothing was changed");
        }
    }

    /** @return the canary's service: {@code <deploy.swarm.service>-canary} */
    public String canaryName() {
        return config.swarm().service() + "-canary";
    }

    /** @return the version the service's spec names, or {@code null} when there is no service */
    public String servingVersion() {
        JsonNode service = service();
        return service == null ? null : service.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText(null);
    }

    /**
     * Plans a deploy of a given image to the service, as {@link #plan} does for the last image: a
     * canary's release when it is promoted, or the first release a canary run deploys directly.
     *
     * @param image   the image reference, by digest
     * @param version its release version
     * @param commit  its commit
     * @return the plan; {@link #apply} runs it
     */
    public DeployPlan planImage(String image, String version, String commit) {
        return plan(DeployPlan.Action.DEPLOY, new Detail(image, version, commit, History.DEPLOYED));
    }

    /**
     * Creates the canary service, or updates it to {@code image}: the service's spec
     * ({@link SwarmSpec#of}) named {@link #canaryName()}, with {@code TRACK=canary}, {@code replicas}
     * tasks, on the port prefix the stable service does not use, and no history. Its tasks sit on the
     * node's network beside the stable ones, so a proxy in front that lists both prefixes' ports (as
     * {@code portPrefixes} asks for) sends them their share of the requests.
     *
     * @param image    the canary's image, by digest
     * @param version  its release version
     * @param commit   its commit
     * @param replicas how many tasks, 0 for none yet
     * @throws SlipwayException (exit 2) without {@code network: host} and {@code portPrefixes}: the
     *                          routing mesh publishes a port for one service only, so a second service
     *                          could not take a share of its traffic; nothing was changed
     */
    public void putCanary(String image, String version, String commit, int replicas) {
        requireCanaryLayout();
        JsonNode existing = service(canaryName());
        int prefix = existing != null ? SwarmSpec.portPrefix(existing) : nextPrefix(service());
        String hostNet = engine.get("/networks/host").path("Id").asText();
        Map<String, Object> spec = SwarmSpec.canary(SwarmSpec.of(config, image, version, commit, List.of(), hostNet, prefix,
                secrets()), canaryName(), config.swarm().service(), replicas);
        console.progress("  " + (existing == null ? "creating" : "updating") + " Swarm service " + canaryName() + " ("
                + version + ", TRACK=canary, " + replicas + (replicas == 1 ? " task" : " tasks") + ", task ports " + prefix
                + "{slot})");
        if (existing == null) {
            engine.post("/services/create", spec, Duration.ofMinutes(2));
        } else {
            engine.post("/services/" + existing.path("ID").asText() + "/update?version="
                    + existing.path("Version").path("Index").asLong(), spec, Duration.ofMinutes(2));
        }
    }

    /**
     * What a deploy says when the service already has this release's spec ({@link #interruptedDeploy}):
     * an interrupted deploy only while Swarm still rolls it out ({@code UpdateStatus.State} {@code updating},
     * {@code paused}, {@code rollback_started}, {@code rollback_paused}: the Engine API's update states);
     * otherwise the same release deployed again, which sends nothing. It said "an interrupted deploy" for
     * both, and a user who shipped the same commit twice looked for what had been interrupted (new-user
     * finding).
     *
     * @param service  the service as the engine describes it
     * @param name     the service's name
     * @param version  the release's version
     * @param revision its revision
     * @return the progress line
     */
    static String specInPlaceNote(JsonNode service, String name, String version, int revision) {
        String state = service.path("UpdateStatus").path("State").asText("");
        boolean rolling = List.of("updating", "paused", "rollback_started", "rollback_paused").contains(state);
        return "  Swarm service " + name + " already has the spec of " + version + " (revision " + revision + ")"
                + (rolling ? " and Swarm is still rolling it out (a deploy that was interrupted); waiting for its rollout"
                        : ": the same release again, nothing to send; checking that its tasks run it");
    }

    /**
     * Whether the service already has the spec this deploy would send, left by a deploy that was
     * stopped mid-rollout (Swarm rolls on by itself): the last revision is this release (version,
     * image, outcome), the service's version label names it, and it has the configured task count.
     * Not when the count differs: {@code slipway stop} scaled the service to 0 (or {@code replicas}
     * changed), and waiting for a rollout of no task ran into {@code rolloutTimeout} (found by a
     * deploy of the same release after a stop).
     *
     * @param service  the service as the engine describes it, or {@code null}
     * @param last     its last revision, or {@code null}
     * @param version  the release's version
     * @param image    its image reference
     * @param outcome  the revision's outcome this deploy records
     * @param replicas {@code deploy.swarm.replicas}
     * @return whether to wait for the rollout in place rather than send the spec again
     */
    static boolean interruptedDeploy(JsonNode service, SwarmSpec.Entry last, String version, String image, String outcome,
                                     int replicas) {
        return service != null && last != null && last.version().equals(version) && last.image().equals(image)
                && last.outcome().equals(outcome)
                && version.equals(service.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText())
                && service.path("Spec").path("Mode").path("Replicated").path("Replicas").asInt(-1) == replicas;
    }

    /**
     * @throws SlipwayException (exit 2) unless the tasks run on the node's network with {@code portPrefixes}
     */
    public void requireCanaryLayout() {
        SwarmConfig s = config.swarm();
        if (!s.network().equals("host") || s.portPrefixes().isEmpty()) {
            throw SlipwayException.usage("a canary on swarm needs deploy.swarm.network: host and portPrefixes (the routing"
                    + " mesh publishes a port for one service only, so a canary service cannot share "
                    + s.service() + "'s; a proxy in front lists both prefixes' task ports); see docs/swarm.md;"
                    + " nothing was changed");
        }
    }

    /**
     * Sets the canary service's task count (its spec as it is, the replicas changed).
     *
     * @param replicas the tasks wanted
     * @throws SlipwayException (exit 1) when there is no canary service
     */
    public void scaleCanary(int replicas) {
        JsonNode c = service(canaryName());
        if (c == null) {
            throw SlipwayException.failed("no Swarm service " + canaryName() + " to scale");
        }
        JsonNode spec = c.path("Spec").deepCopy();
        ((com.fasterxml.jackson.databind.node.ObjectNode) spec.path("Mode").path("Replicated")).put("Replicas", replicas);
        engine.post("/services/" + c.path("ID").asText() + "/update?version=" + c.path("Version").path("Index").asLong(),
                spec, Duration.ofMinutes(2));
    }

    /**
     * Waits until {@code replicas} tasks of the canary service run {@code version} and are healthy
     * (Swarm reports a task with a health check {@code running} only once the check passed).
     *
     * @param version  the canary's version
     * @param replicas how many must run
     * @param bound    the longest wait
     * @return empty when they run; else why not (the count, the bound and the task errors seen), one line
     */
    public java.util.Optional<String> awaitCanary(String version, int replicas, Duration bound) {
        long deadline = System.nanoTime() + bound.toNanos();
        java.util.Set<String> seen = new java.util.LinkedHashSet<>();
        for (int polls = 0; polls < 100_000; polls++) {
            List<JsonNode> tasks = tasks(canaryName());
            seen.addAll(taskErrors(tasks, version));
            if (running(tasks, version) >= replicas) {
                return java.util.Optional.empty();
            }
            if (System.nanoTime() >= deadline) {
                break;
            }
            sleep(1000);
        }
        return java.util.Optional.of(replicas + " task" + (replicas == 1 ? "" : "s") + " of " + canaryName() + " ("
                + version + ") not running and healthy within " + bound.toSeconds() + "s: " + failures(seen, ""));
    }

    /**
     * Removes the canary service, if there is one, and waits (bounded by the drain timeout and a
     * minute) until none of its containers runs, so that its task ports are free again.
     *
     * @return whether there was one
     */
    public boolean removeCanary() {
        JsonNode c = service(canaryName());
        if (c == null) {
            return false;
        }
        console.progress("  removing Swarm service " + canaryName());
        var r = engine.request("DELETE", "/services/" + c.path("ID").asText(), null, null, Duration.ofSeconds(60));
        if (r.status() != 404) {
            DockerEngine.expectOk("DELETE", "/services", r);
        }
        long deadline = System.nanoTime() + config.service().drainTimeout().plusSeconds(60).toNanos();
        String filters = URLEncoder.encode("{\"label\":{\"com.docker.swarm.service.name=" + canaryName() + "\":true}}",
                StandardCharsets.UTF_8);
        while (System.nanoTime() < deadline && engine.get("/containers/json?filters=" + filters).size() > 0) {
            sleep(500);
        }
        return true;
    }

    /** @return the version the canary service's spec names, or {@code null} when there is none */
    public String canaryVersion() {
        JsonNode c = service(canaryName());
        return c == null ? null : c.path("Spec").path("Labels").path(SwarmSpec.VERSION).asText(null);
    }

    /** @return one line per task of the canary service, as {@link #status} lists the service's; empty without one */
    public List<String> canaryTasks() {
        return service(canaryName()) == null ? List.of() : lines(canaryName(), tasks(canaryName()));
    }

    /**
     * @param version a release version
     * @return how many of the service's tasks run {@code version} and are healthy (0 without a service)
     */
    public long runningTasks(String version) {
        return running(tasks(), version);
    }

    /** @return the service as the engine describes it, or {@code null} when there is none */
    JsonNode service() {
        return service(config.swarm().service());
    }

    private JsonNode service(String name) {
        var r = engine.request("GET", "/services/" + name, null, null, Duration.ofSeconds(60));
        if (r.status() == 404) {
            return null;
        }
        if (r.status() == 503) {
            throw SlipwayException.failed("the Docker engine at " + engine.socket() + " is not a swarm manager ("
                    + r.message() + "); run 'docker swarm init' there first");
        }
        return DockerEngine.expectOk("GET", "/services", r).json();
    }

    private List<JsonNode> tasks() {
        return tasks(config.swarm().service());
    }

    private List<JsonNode> tasks(String name) {
        String filters = URLEncoder.encode("{\"service\":{\"" + name + "\":true}}", StandardCharsets.UTF_8);
        List<JsonNode> out = new ArrayList<>();
        engine.get("/tasks?filters=" + filters).forEach(out::add);
        // Only this service's tasks (the filter also matches services whose name starts with it).
        JsonNode s = service(name);
        String id = s == null ? "" : s.path("ID").asText();
        out.removeIf(t -> !t.path("ServiceID").asText().isEmpty() && !id.equals(t.path("ServiceID").asText()));
        return out;
    }

    /** @return the service's address on this node; {@code null} with {@code portPrefixes} (each task has its own) */
    private String url() {
        SwarmConfig s = config.swarm();
        if (!s.portPrefixes().isEmpty()) {
            return null;
        }
        return config.service().urlScheme() + "://127.0.0.1:" + (s.network().equals("host") ? config.service().port() : s.publishedPort());
    }

    private static long millis(long since) {
        return Duration.ofNanos(System.nanoTime() - since).toMillis();
    }

    private static String host() {
        try {
            return java.net.InetAddress.getLocalHost().getHostName();
        } catch (Exception e) {
            return "?";
        }
    }

    private static void sleep(long ms) {
        try {
            Thread.sleep(ms);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw SlipwayException.failed("interrupted while waiting for the Swarm rollout", e);
        }
    }

    /** @return the JSON mapper (for tests reading the spec) */
    static ObjectMapper json() {
        return JSON;
    }
}
