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
     * <p>systemd's form: {@code STATE RESTARTS STATUS} from {@code systemctl show -p
     * ActiveState,SubState,NRestarts,ExecMainStatus} (systemd.service(5), org.freedesktop.systemd1(5)):
     * {@code ActiveState}, or {@code auto-restart} while the unit waits to be restarted after its
     * process failed ({@code Restart=on-failure}: systemd says {@code activating} then, which would
     * look like a start); the number of automatic restarts since the unit was last started by hand;
     * the main process's exit status (0 while it runs).
     */
    @Override
    public String stateCommand(String instance) {
        return "systemctl show -p ActiveState,SubState,NRestarts,ExecMainStatus " + unit(instance)
                + " 2>/dev/null | { s=; u=; n=0; x=0; while IFS== read -r k v; do case $k in ActiveState) s=$v;;"
                + " SubState) u=$v;; NRestarts) n=$v;; ExecMainStatus) x=$v;; esac; done;"
                + " [ \"$u\" = auto-restart ] && s=auto-restart; echo \"$s ${n:-0} ${x:-0}\"; }";
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
                + " 2>/dev/null)\" = 219 ] && sleep 1 && { " + once + "; }; }; }";
    }
}
