package dev.slipway.deploy;

import dev.slipway.Console;
import java.util.EnumMap;
import java.util.Map;

/**
 * What every target's executor shares when it runs a {@link DeployPlan} step by step: the
 * {@code SLIPWAY_CRASH_AT} test hook and the wall time per step kind. The hosts executor
 * ({@code deploy/hosts/HostsExecutor}) and the local target's run ({@link LocalTarget#apply}) drive
 * their steps through one instance each, so a crash point or a timing means the same everywhere.
 */
public final class Executor {
    /** Environment variable naming a plan step to halt before: {@code <kind id>} or {@code <kind id>:<where>}. */
    public static final String CRASH_AT = "SLIPWAY_CRASH_AT";

    private final String crashAt;
    private final Console console;
    private final Map<DeployPlan.Kind, Long> nanos = new EnumMap<>(DeployPlan.Kind.class);

    /**
     * @param crashAt the {@code SLIPWAY_CRASH_AT} value, or {@code null}/blank for none
     * @param console where the halt is announced
     */
    public Executor(String crashAt, Console console) {
        this.crashAt = crashAt == null || crashAt.isBlank() ? null : crashAt.strip();
        this.console = console;
    }

    /**
     * Called just before a step runs: halts the process as kill -9 would (no shutdown hooks, exit
     * status 137) when {@code SLIPWAY_CRASH_AT} names this step's kind, or its kind and place.
     *
     * @param step the step about to run
     */
    public void before(DeployPlan.Step step) {
        if (crashAt == null) {
            return;
        }
        if (crashAt.equals(step.kind().id()) || crashAt.equals(step.kind().id() + ":" + step.where())) {
            console.progress(CRASH_AT + "=" + crashAt + ": halting before '" + step.description() + "'");
            Runtime.getRuntime().halt(137);
        }
    }

    /**
     * Adds a step's wall time.
     *
     * @param kind    the step's kind
     * @param started {@link System#nanoTime()} when it started
     */
    public synchronized void after(DeployPlan.Kind kind, long started) {
        nanos.merge(kind, System.nanoTime() - started, Long::sum);
    }

    /** @return wall time per step kind so far, milliseconds */
    public synchronized Map<DeployPlan.Kind, Long> timingMs() {
        Map<DeployPlan.Kind, Long> ms = new EnumMap<>(DeployPlan.Kind.class);
        nanos.forEach((k, v) -> ms.put(k, v / 1_000_000));
        return ms;
    }
}
