package dev.slipway.deploy.hosts;

import dev.slipway.SlipwayException;
import dev.slipway.deploy.CrashCause;
import dev.slipway.deploy.ServiceManager;
import dev.slipway.remote.Host;
import dev.slipway.remote.Shell;
import java.nio.charset.StandardCharsets;
import java.time.Duration;

/**
 * systemd on a {@link Host} as the {@link ServiceManager}: unit files under
 * {@code /etc/systemd/system/}, {@code systemctl} for the rest (systemctl(1)), {@code journalctl}
 * for the log. A restart or start ({@link #startCommand}: one retry on 219/CGROUP) first runs {@code systemctl reset-failed}: the start rate limit
 * ({@code StartLimitBurst} in {@code StartLimitIntervalSec}, systemd.unit(5)) is there to stop a
 * crash loop, not a deploy. A stop waits as long as the unit's {@code TimeoutStopSec} (the drain
 * timeout plus {@link HostUnit#STOP_MARGIN_SECONDS}) and a minute more. Enabling and disabling an
 * installed unit change only its {@code .wants/} links, which systemd reads at boot: they skip
 * the implied daemon-reload ({@code --no-reload}, a full reload of every unit; {@link #install}
 * reloads once for a new unit file).
 *
 * @param host  the host
 * @param drain the service's drain timeout ({@code deploy.hosts.rollout.drainTimeout})
 */
public record Systemd(Host host, Duration drain) implements ServiceManager {

    /** Where unit files are installed. */
    public static final String UNIT_DIR = "/etc/systemd/system/";

    @Override
    public String describe() {
        return "systemd on " + host.name();
    }

    private static String unit(String instance) {
        return Shell.quote(instance.endsWith(".service") ? instance : instance + ".service");
    }

    private Duration stopLimit() {
        return drain.plusSeconds(HostUnit.STOP_MARGIN_SECONDS + 60);
    }

    @Override
    public void install(String name, String definition, boolean enable) {
        host.write(definition.getBytes(StandardCharsets.UTF_8), UNIT_DIR + name, 0644);
        Host.CommandResult r = host.run("systemctl daemon-reload" + (enable ? " && systemctl enable " + Shell.quote(name) : "")
                + " 2>&1", Duration.ofSeconds(60));
        if (!r.ok()) {
            throw SlipwayException.failed(host.name() + ": systemctl daemon-reload/enable failed: "
                    + (r.stdout() + r.stderr()).strip());
        }
    }

    @Override
    public void restart(String instance) {
        run(startCommand(unit(instance), "restart"),
                stopLimit(), "systemctl restart " + instance + " failed: ");
    }

    @Override
    public void start(String instance) {
        run(startCommand(unit(instance), "start"),
                Duration.ofSeconds(120), "cannot start " + instance + ": ");
    }

    @Override
    public boolean stop(String instance, boolean disable) {
        boolean ran = mainPid(instance) > 0;
        run("systemctl " + (disable ? "disable --no-reload --now " : "stop ") + unit(instance) + " 2>&1", stopLimit(),
                host.name() + ": cannot stop " + instance + ": ");
        return ran;
    }

    /**
     * {@code before}, then {@link #restart} of the instance, in one round trip (a start of the
     * proxy strategy is on each batch's critical path).
     *
     * @param before        a POSIX sh command run first; a non-zero exit status stops there
     * @param beforeFailure what a failure of {@code before} means, e.g. {@code cannot point ... at 2.0.0}
     * @param instance      the instance
     * @throws SlipwayException (exit 1) naming the host and {@code beforeFailure}, or naming the
     *                          instance whose restart failed, with the commands' output
     */
    public void restartAfter(String before, String beforeFailure, String instance) {
        Host.CommandResult r = host.run("{ " + before + "; } || exit " + BEFORE_FAILED + "\n"
                + startCommand(unit(instance), "restart"), stopLimit());
        if (r.exitCode() == BEFORE_FAILED) {
            throw SlipwayException.failed(host.name() + ": " + beforeFailure + ": " + (r.stdout() + r.stderr()).strip());
        }
        if (!r.ok()) {
            throw SlipwayException.failed("systemctl restart " + instance + " failed: " + (r.stdout() + r.stderr()).strip());
        }
    }

    /**
     * {@code before}, then a stop and disable of the instances as {@link #stop stop(instance, true)}
     * does each, in one round trip (the retirement of the proxy strategy's old instance: the wait
     * for nginx's old workers, then the stop).
     *
     * @param before    a POSIX sh command run first, whatever its exit status; its output is returned
     * @param instances the instances to stop and disable
     * @return the output of {@code before} (lines the caller reads, such as a warning marker)
     * @throws SlipwayException (exit 1) naming the host and the instances when systemctl fails
     */
    public String stopAfter(String before, java.util.List<String> instances) {
        StringBuilder units = new StringBuilder();
        instances.forEach(i -> units.append(' ').append(unit(i)));
        Host.CommandResult r = host.run("{ " + before + "; } 2>/dev/null\necho '" + STOP_MARK + "'\n"
                + "systemctl disable --no-reload --now" + units + " 2>&1", stopLimit());
        String out = r.stdout();
        int mark = out.indexOf(STOP_MARK);
        String said = mark < 0 ? out : out.substring(0, mark);
        if (!r.ok()) {
            String why = mark < 0 ? out + r.stderr() : out.substring(mark + STOP_MARK.length()) + r.stderr();
            throw SlipwayException.failed(host.name() + ": cannot stop " + String.join(", ", instances) + ": " + why.strip());
        }
        return said;
    }

    /** The exit status of {@link #restartAfter}'s script when its {@code before} failed. */
    private static final int BEFORE_FAILED = 97;

    /** The line that ends {@link #stopAfter}'s {@code before} output. */
    private static final String STOP_MARK = "@@slipway: stopping";

    @Override
    public void enable(String instance) {
        run("systemctl enable --no-reload " + unit(instance) + " 2>&1", Duration.ofSeconds(30), host.name() + ": cannot enable " + instance + ": ");
    }

    @Override
    public String state(String instance) {
        String out = host.run(stateCommand(instance) + " 2>/dev/null", Duration.ofSeconds(30)).stdout().strip();
        int sp = out.indexOf(' ');
        return sp < 0 ? out : out.substring(0, sp);
    }

    /**
     * {@inheritDoc}
     *
     * <p>systemd's form: {@code STATE RESTARTS STATUS MAINPID RESULT} from {@code systemctl show -p
     * ActiveState,SubState,NRestarts,ExecMainStatus,MainPID,Result} (systemd.service(5), org.freedesktop.systemd1(5)):
     * {@code ActiveState}, or {@code auto-restart} while the unit waits to be restarted after its
     * process failed ({@code Restart=on-failure}: systemd says {@code activating} then, which would
     * look like a start); the number of automatic restarts since the unit was last started by hand;
     * the main process's exit status (0 while it runs); the main process's id (0 when none runs),
     * with which the gate tells the unit's listener from another process's on its port; the unit's
     * {@code Result} ({@code success}, {@code exit-code}, {@code signal}, ..., and {@code start-limit-hit}
     * once systemd stopped restarting it: more starts than {@code StartLimitBurst=} within
     * {@code StartLimitIntervalSec=}, systemd.unit(5)).
     */
    @Override
    public String stateCommand(String instance) {
        return "systemctl show -p ActiveState,SubState,NRestarts,ExecMainStatus,MainPID,Result " + unit(instance)
                + " 2>/dev/null | { s=; u=; n=0; x=0; m=0; r=; while IFS== read -r k v; do case $k in ActiveState) s=$v;;"
                + " SubState) u=$v;; NRestarts) n=$v;; ExecMainStatus) x=$v;; MainPID) m=$v;; Result) r=$v;; esac; done;"
                + " [ \"$u\" = auto-restart ] && s=auto-restart; echo \"$s ${n:-0} ${x:-0} ${m:-0} $r\"; }";
    }

    @Override
    public long mainPid(String instance) {
        String out = host.run("systemctl show -p MainPID --value " + unit(instance) + " 2>/dev/null", Duration.ofSeconds(30))
                .stdout().strip();
        try {
            long pid = Long.parseLong(out);
            return pid > 0 ? pid : -1;
        } catch (NumberFormatException e) {
            return -1;
        }
    }

    @Override
    public String log(String instance, int lines) {
        try {
            return host.run("journalctl -u " + unit(instance) + " -n " + lines + " --no-pager -o cat 2>&1",
                    Duration.ofSeconds(20)).stdout().strip();
        } catch (RuntimeException e) {
            return "(no journal: " + e.getMessage() + ")";
        }
    }

    /**
     * The unit's log of a recent span, for a failure's cause ({@link CrashCause}): the span is
     * counted back on the host's own clock, so clock skew does not matter.
     *
     * @param instance the instance
     * @param lines    at most how many lines (the last ones)
     * @param span     how far back from now
     * @return the lines, or a note why there are none
     */
    public String logOf(String instance, int lines, Duration span) {
        try {
            return host.run("journalctl -u " + unit(instance) + " --since -" + Math.max(1, span.toSeconds()) + "s -n " + lines
                    + " --no-pager -o cat 2>&1", Duration.ofSeconds(20)).stdout().strip();
        } catch (RuntimeException e) {
            return "(no journal: " + e.getMessage() + ")";
        }
    }

    private void run(String command, Duration limit, String failure) {
        Host.CommandResult r = host.run(command, limit);
        if (!r.ok()) {
            throw SlipwayException.failed(failure + (r.stdout() + r.stderr()).strip());
        }
    }

    /**
     * A shell command that resets the unit's start rate limit ({@code systemctl reset-failed}, see
     * systemd.unit(5)) and starts or restarts it; its exit status is systemctl's. When the start
     * fails because systemd could not set up the unit's control group (the main process exits with
     * status 219, EXIT_CGROUP in systemd.exec(5): seen when the previous run's cgroup was not yet
     * removed after a stop), it waits a second and tries once more; any other failure is final.
     *
     * @param quotedUnit the unit name, already shell-quoted
     * @param verb       {@code start} or {@code restart}
     * @return the command (POSIX sh)
     */
    private static String startCommand(String quotedUnit, String verb) {
        String once = "systemctl reset-failed " + quotedUnit + " 2>/dev/null; systemctl " + verb + " " + quotedUnit + " 2>&1";
        return "{ " + once + " || { [ \"$(systemctl show -p ExecMainStatus --value " + quotedUnit
                + " 2>/dev/null)\" = " + HostUnit.EXIT_CGROUP + " ] && sleep 1 && { " + once + "; }; }; }";
    }
}
