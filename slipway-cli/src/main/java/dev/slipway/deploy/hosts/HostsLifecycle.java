package dev.slipway.deploy.hosts;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.HostsConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.DeployPlan.Kind;
import dev.slipway.deploy.DeployPlan.Step;
import dev.slipway.deploy.Executor;
import dev.slipway.deploy.Steps;
import dev.slipway.remote.Gate;
import dev.slipway.remote.Host;
import dev.slipway.remote.Lock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.stream.Collectors;

/**
 * {@code slipway start} and {@code stop} on the hosts target. A plan is made from each host's
 * facts alone ({@link HostFacts}, so it is tested without hosts) and run over the shared
 * {@link Executor} with the deploy's lock protocol, {@link Systemd} and {@link Gate}.
 *
 * <ul>
 *   <li><b>start</b>: on each host, the unit that serves {@code current} where it does not run
 *   (restart strategy: {@code <unit>.service}; proxy strategy: {@code <unit>@<port>.service}, the
 *   port the host's nginx upstream file names), then its readiness gate. A host without a current
 *   release, or (proxy) without an upstream file, is refused (exit 2, nothing changed). A host whose
 *   unit does not become ready gets it stopped again, as it was (exit 1).</li>
 *   <li><b>stop</b>: on each host, every unit of the service that runs (the restart strategy's and
 *   the proxy strategy's instances), drained: {@code systemctl stop} sends SIGTERM and SIGKILL after
 *   {@code drainTimeout} and the unit's margin. Units stay enabled, so a reboot starts them again.</li>
 * </ul>
 * Neither touches {@code current}, the releases or the history.
 */
public final class HostsLifecycle {
    private HostsLifecycle() {}

    /**
     * What a start or stop plan acts on, kept as the plan's {@link DeployPlan#detail()}.
     *
     * @param units    per host, the units its START or STOP steps act on, in step order
     * @param ports    start: per host, the port its gate probes
     * @param lockWait how long the run waits for a held lock (zero: {@code start} and {@code stop} refuse a held
     *                 lock at once, naming its holder)
     */
    public record Detail(Map<String, List<String>> units, Map<String, Integer> ports, Duration lockWait) {
        /** Copies the maps. */
        public Detail {
            units = Map.copyOf(units);
            ports = Map.copyOf(ports);
        }
    }

    /**
     * Plans {@code slipway start} or {@code stop}.
     *
     * @param config  the {@code deploy.hosts} section
     * @param service the service name
     * @param port    the service's port ({@code service.port}: the restart strategy's gate)
     * @param facts   what each server holds, by name (every configured server)
     * @param action  {@link DeployPlan.Action#START} or {@link DeployPlan.Action#STOP}
     * @return the plan: a lock and an unlock per host, and between them a START and a GATE per unit
     *         that does not run (start), or a STOP per unit that runs (stop)
     * @throws SlipwayException (exit 2) start only: a host has no current release, or (proxy
     *                          strategy) no upstream file naming the instance to start; nothing changed
     */
    public static DeployPlan plan(HostsConfig config, String service, int port, Map<String, HostFacts> facts,
                                  DeployPlan.Action action) {
        boolean start = action == DeployPlan.Action.START;
        if (!start && action != DeployPlan.Action.STOP) {
            throw new IllegalArgumentException(action.name());
        }
        boolean proxy = config.rollout().proxySwitch();
        String plain = config.service().unit() + ".service";
        Map<String, List<String>> units = new LinkedHashMap<>();
        Map<String, Integer> ports = new LinkedHashMap<>();
        Map<String, String> releases = new LinkedHashMap<>();
        List<String> lines = new ArrayList<>();
        for (HostsConfig.Server s : config.servers()) {
            HostFacts f = facts.get(s.name());
            if (start) {
                if (f.current() == null) {
                    throw SlipwayException.usage(s.name() + " has nothing deployed for " + service + " (no current release);"
                            + " run 'slipway deploy --to hosts' first; nothing was changed");
                }
                if (proxy && f.livePort() == 0) {
                    throw SlipwayException.usage(s.name() + ": " + config.proxy().upstreamFile() + " names no instance of "
                            + service + " to start; run 'slipway deploy --to hosts' first; nothing was changed");
                }
                String unit = proxy ? HostUnit.instance(config, f.livePort()) : plain;
                String state = proxy ? f.instances().getOrDefault(f.livePort(), "") : f.active();
                String release = proxy ? f.slots().getOrDefault(f.livePort(), f.current()) : f.current();
                releases.put(s.name(), release);
                lines.add(s.name() + ": current " + f.current() + ", " + unit + " " + (state.isEmpty() ? "unknown" : state));
                units.put(s.name(), HostsPlan.running(state) ? List.of() : List.of(unit));
                ports.put(s.name(), proxy ? f.livePort() : port);
            } else {
                List<String> run = new ArrayList<>();
                if (HostsPlan.running(f.active())) {
                    run.add(plain);
                }
                f.instances().entrySet().stream().filter(e -> HostsPlan.running(e.getValue())).map(Map.Entry::getKey).sorted()
                        .forEach(p -> run.add(HostUnit.instance(config, p)));
                if (f.current() != null) {
                    releases.put(s.name(), f.current());
                }
                lines.add(s.name() + ": current " + (f.current() == null ? "none" : f.current()) + ", "
                        + (run.isEmpty() ? "nothing runs" : String.join(", ", run) + " running"));
                units.put(s.name(), run);
            }
        }
        List<Step> steps = new ArrayList<>();
        units.keySet().forEach(h -> steps.add(new Step(Kind.LOCK, h, 0, h + ": lock " + config.dir() + "/lock")));
        if (start) {
            units.forEach((h, us) -> us.forEach(u -> steps.add(new Step(Kind.START, h, 0, h + ": systemctl start " + u
                    + " (release " + releases.get(h) + ")"))));
            var probe = config.rollout().readiness();
            units.forEach((h, us) -> us.forEach(u -> steps.add(new Step(Kind.GATE, h, 0, h + ": gate: "
                    + probe.describe(address(config, h).contains(":") ? "[" + address(config, h) + "]" : address(config, h), ports.get(h)) + " on the host every " + Console.seconds(probe.interval())
                    + " for up to " + Console.seconds(probe.timeout()) + "; on failure " + u + " stops again"))));
        } else {
            units.forEach((h, us) -> {
                if (!us.isEmpty()) {
                    steps.add(new Step(Kind.STOP, h, 0, h + ": drain and stop " + String.join(", ", us) + " (SIGTERM, SIGKILL after "
                            + Console.seconds(config.rollout().drainTimeout()) + " and the unit's margin); "
                            + (us.size() == 1 ? "it stays" : "they stay") + " enabled"));
                }
            });
        }
        units.keySet().forEach(h -> steps.add(new Step(Kind.UNLOCK, h, 0, h + ": unlock")));
        Set<String> versions = new LinkedHashSet<>(releases.values());
        return new DeployPlan("hosts", action, service, versions.isEmpty() ? "-" : String.join(", ", versions), "", lines,
                steps, new Detail(units, ports, Duration.ZERO));
    }

    /**
     * Runs a plan of {@link #plan}.
     *
     * @param plan    the plan
     * @param config  the {@code deploy.hosts} section
     * @param hosts   a connection per host name
     * @param console progress output
     * @param crashAt {@code SLIPWAY_CRASH_AT}, or {@code null}
     * @return per host, the units started or stopped
     * @throws SlipwayException exit 2 when a host's lock is held (nothing changed); exit 1 when a unit
     *                          does not start or become ready (it is stopped again; hosts done before
     *                          keep serving) or does not stop; the locks are released in every case
     */
    public static Map<String, List<String>> run(DeployPlan plan, HostsConfig config, Map<String, Host> hosts, Console console,
                                                String crashAt) {
        Detail d = (Detail) plan.detail();
        Lock.Holder me = Lock.me(plan.version(), plan.action().verb());
        Set<String> locked = java.util.concurrent.ConcurrentHashMap.newKeySet();
        Map<String, List<String>> done = new java.util.concurrent.ConcurrentHashMap<>();
        Duration staleAfter = config.rollout().lockStaleAfter();
        Runnable unlockAll = () -> locked.forEach(h -> {
            try {
                Lock.release(hosts.get(h), config.dir(), me.id());
            } catch (RuntimeException ignored) {
                // the host dropped off: its lock names this process and goes stale
            }
        });
        new Executor(crashAt, console).run(plan.steps(), new Executor.Parts() {
            @Override
            public void run(Step step) {
                String h = step.where();
                Host host = hosts.get(h);
                Systemd systemd = new Systemd(host, config.rollout().drainTimeout());
                List<String> units = d.units().get(h);
                switch (step.kind()) {
                    case LOCK -> {
                        HostsExecutor.acquire(host, h, config.dir(), me, d.lockWait(), staleAfter, plan.version(), plan.commit(), console);
                        locked.add(h);
                    }
                    case START -> {
                        try {
                            systemd.start(units.get(0));
                        } catch (SlipwayException e) {
                            throw new Executor.StepFailed(h, "start: " + e.getMessage(), systemd.log(units.get(0), 20));
                        }
                    }
                    case GATE -> {
                        String unit = units.get(0);
                        Gate.Verdict v = Steps.await(host, systemd, unit, address(config, h), d.ports().get(h),
                                config.rollout().readiness());
                        if (!v.ready()) {
                            throw new Executor.StepFailed(h, "gate: " + unit + " is not ready: " + v.describe(),
                                    systemd.log(unit, 20));
                        }
                        console.progress("  " + h + ": " + unit + " ready");
                        done.computeIfAbsent(h, k -> new ArrayList<>()).add(unit);
                    }
                    case STOP -> {
                        for (String unit : units) {
                            systemd.stop(unit, false);
                            console.progress("  " + h + ": " + unit + " stopped");
                            done.computeIfAbsent(h, k -> new ArrayList<>()).add(unit);
                        }
                    }
                    case UNLOCK -> {
                        Lock.release(host, config.dir(), me.id());
                        locked.remove(h);
                    }
                    default -> throw new IllegalStateException(step.kind().name());
                }
            }

            @Override
            public SlipwayException back(Executor.StepFailed f) {
                String unit = d.units().get(f.where()).get(0);
                String undo;
                try {
                    new Systemd(hosts.get(f.where()), config.rollout().drainTimeout()).stop(unit, false);
                    undo = unit + " stopped again, as it was";
                } catch (RuntimeException e) {
                    undo = "stopping " + unit + " again failed too: " + e.getMessage();
                }
                unlockAll.run();
                return SlipwayException.failed(f.where() + ": " + f.reason() + "; " + undo
                        + (done.isEmpty() ? "" : "; started before: " + done.keySet().stream().sorted()
                        .collect(Collectors.joining(", "))) + (f.detail().isBlank() ? "" : "\n" + f.detail().stripTrailing()));
            }

            @Override
            public void unlock() {
                unlockAll.run();
            }

            @Override
            public void interrupted() {
                unlockAll.run();
            }
        });
        return Map.copyOf(done);
    }

    /** @return the address the gate probes on {@code host} (the server's {@code probeAddress}) */
    private static String address(HostsConfig config, String host) {
        return config.servers().stream().filter(s -> s.name().equals(host)).findFirst().orElseThrow().probeAddress();
    }
}
