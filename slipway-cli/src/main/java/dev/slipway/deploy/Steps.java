package dev.slipway.deploy;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import dev.slipway.remote.Gate;
import dev.slipway.remote.Host;
import dev.slipway.remote.LocalHost;
import java.util.Collection;
import java.util.List;
import java.util.function.Supplier;

/**
 * What a {@link DeployPlan} step kind does on one machine, written once for every target that runs
 * plans with the {@link Executor}: the machine is a {@link Host} ({@code SshHost} for the hosts
 * target, {@link LocalHost} for the local target) and its instances are changed through its
 * {@link ServiceManager} (systemd on a host, the supervisor here). A target's {@link Executor.Parts}
 * call these for the step kinds they share, so a step means the same on every machine:
 *
 * <ul>
 *   <li>{@link DeployPlan.Kind#SWITCH SWITCH}, {@link DeployPlan.Kind#START START},
 *       {@link DeployPlan.Kind#RESTART RESTART}, {@link DeployPlan.Kind#PROXY PROXY}: {@link #rollout}
 *       (a failure once the target began to change what serves is a {@link Executor.StepFailed});</li>
 *   <li>{@link DeployPlan.Kind#GATE GATE}: {@link #await} (the one readiness gate, {@link Gate}),
 *       and {@link #gateFailed} (the one wording of its failure);</li>
 *   <li>{@link DeployPlan.Kind#PRUNE PRUNE}: {@link #prune} ({@link ReleaseLayout#prune});</li>
 *   <li>{@link DeployPlan.Kind#RECORD RECORD}: {@link History#append(Host, String, String, String, String, String, String, String)},
 *       the one writer of every history file.</li>
 * </ul>
 */
public final class Steps {
    private Steps() {}

    /**
     * Runs a rollout step (a switch, start, restart, nginx switch or stop once the target began to
     * change what serves): its failure makes the run go back.
     *
     * @param where  the place it runs on, for the failure ({@code web1}, {@code local}, {@code :8081})
     * @param what   what the failure's reason starts with ({@code "restart: "}, {@code "nginx was not
     *               switched: "}), {@code ""} for nothing
     * @param action the step's work
     * @param detail the failure's context, read only when it failed (a journal's last lines); {@code ""} for none
     * @throws Executor.StepFailed when {@code action} throws a {@link SlipwayException}
     */
    public static void rollout(String where, String what, Runnable action, Supplier<String> detail) {
        try {
            action.run();
        } catch (SlipwayException e) {
            throw new Executor.StepFailed(where, what + e.getMessage(), detail.get());
        }
    }

    /**
     * The readiness gate of one instance on its machine: on {@link LocalHost}, probed from this JVM
     * while the manager names a main process ({@link ServiceManager#mainPid}); on any other host, the
     * whole gate runs there in one command and the manager's state command says whether the
     * instance still runs ({@link Gate#onHost}).
     *
     * @param host     the machine the instance runs on
     * @param manager  its service manager
     * @param instance the instance ({@code <unit>} or {@code <unit>@<port>})
     * @param address  where the instance answers on that machine (for this JVM: a URL's host part)
     * @param port     its port
     * @param probe    type, path, interval, timeout and startup grace
     * @return the verdict; never throws for a failing service
     */
    public static Gate.Verdict await(Host host, ServiceManager manager, String instance, String address, int port,
                                     SlipwayConfig.Probe probe) {
        Gate.Prober prober = host instanceof LocalHost
                ? Gate.here(address, port, () -> manager.mainPid(instance) > 0, () -> manager.mainPid(instance))
                : Gate.onHost(host, manager.stateCommand(instance), address, port);
        return prober.await(probe);
    }

    /**
     * The failure of a readiness gate ({@link #await}), worded alike on every target: one line,
     * which is also what the history records.
     * {@code readiness <target> did not pass within <timeout>: <last attempt><more><path hint>} (or,
     * when the process exited while the gate waited, {@code the process exited after <T><how><more>},
     * where a host's {@code <how>} is its manager's account, {@link Gate#crashed}: the gate ends there,
     * not at its timeout; for a {@code process} probe that failed otherwise, {@code the process did not
     * keep running for <timeout> (readiness type process): <what ended it>}), then
     * {@code [; the new release could not bind that port: ...]} when another process answered on it
     * ({@link Gate#OTHER_LISTENER}), then {@code [; cause: <line>][; note: <first run>]}.
     *
     * @param where    the machine, e.g. {@code web1} or {@code local}
     * @param target   what the gate probed ({@link SlipwayConfig.Probe#target})
     * @param probe    the probe (its timeout)
     * @param v        the failed verdict
     * @param more     what the target adds after the last attempt (local: the exit code, another
     *                 process on the port), or {@code ""}
     * @param cause    the log line that says why the service stopped ({@link CrashCause}), if any
     * @param firstRun the note on the release's first run ({@link #firstRunNote}), or {@code ""}
     * @param detail   the failure's context: the journal's last lines, or {@code ""}
     * @return the step failure to throw
     */
    public static Executor.StepFailed gateFailed(String where, String target, SlipwayConfig.Probe probe, Gate.Verdict v,
                                                 String more, java.util.Optional<String> cause, String firstRun, String detail) {
        String last = v.detail().startsWith(Gate.EXITED)
                ? Gate.EXITED + " after " + Console.seconds(v.elapsed()) + v.describe().substring(Gate.EXITED.length())
                : probe.process() ? "the process did not keep running for " + Console.seconds(probe.timeout())
                        + " (readiness type process): " + v.describe()
                : "readiness " + target + " did not pass within " + Console.seconds(probe.timeout()) + ": " + v.describe();
        String taken = v.detail().startsWith(Gate.OTHER_LISTENER)
                ? "; the new release could not bind that port: stop the other process, or give one of the two another service.port"
                : "";
        return new Executor.StepFailed(where, last + more + taken + v.pathHint() + cause.map(c -> "; cause: " + c).orElse("")
                + (firstRun.isEmpty() ? "" : "; " + firstRun), detail);
    }

    /**
     * What a failed gate says about the release's first run ({@link FirstRun}): what it was still
     * doing when the gate gave up, else, for a release that was not prepared, that the gate timed it.
     *
     * @param stage    what a first run is doing now, if anything
     * @param prepared whether the release was prepared ({@link Prepare#on})
     * @param release  the release, e.g. {@code 2.0.0}
     * @param settings the settings that give the gate more time, with their values
     * @return a line starting with {@code note: }, or {@code ""}
     */
    public static String firstRunNote(java.util.Optional<FirstRun.Stage> stage, boolean prepared, String release,
                                      String settings) {
        return stage.map(st -> FirstRun.note(release, st, settings))
                .orElse(prepared ? "" : FirstRun.notPrepared(release, settings));
    }

    /**
     * Removes releases beyond retention on a machine ({@link ReleaseLayout#prune}) and says which; a
     * failure is a warning, never the run's failure (what serves is not touched).
     *
     * @param layout  the release layout on the machine
     * @param retain  how many releases to keep at least
     * @param keep    releases never removed (the current and the previous one)
     * @param console where progress goes
     * @param prefix  what the progress lines start with after their indent ({@code "web1: "}, or
     *                {@code ""} for the local target)
     * @return the releases removed, newest first; empty after a failure
     */
    public static List<String> prune(ReleaseLayout layout, int retain, Collection<String> keep, Console console,
                                     String prefix) {
        try {
            List<String> pruned = layout.prune(retain, keep);
            saidPruned(console, prefix, pruned, null);
            return pruned;
        } catch (SlipwayException e) {
            saidPruned(console, prefix, List.of(), e.getMessage());
            return List.of();
        }
    }

    /**
     * Says what a prune did, in the one wording of {@link #prune} (also for a prune run in one round
     * trip with other work, as the hosts target's record step does): the releases removed, or the
     * failure as a warning.
     *
     * @param console where progress goes
     * @param prefix  what the lines start with after their indent ({@code "web1: "}, or {@code ""})
     * @param pruned  the releases removed (nothing is said when empty and there is no failure)
     * @param failure the failure ({@link ReleaseLayout#pruneFailure}), or {@code null}
     */
    public static void saidPruned(Console console, String prefix, List<String> pruned, String failure) {
        if (failure != null) {
            console.progress("  " + prefix + "warning: prune failed: " + failure);
        } else if (!pruned.isEmpty()) {
            console.progress("  " + prefix + "pruned " + String.join(", ", pruned));
        }
    }
}
