package dev.slipway.deploy.local;

import dev.slipway.remote.Gate;
import dev.slipway.deploy.ServiceManager;
import dev.slipway.deploy.ServiceProcess;
import dev.slipway.remote.Host;
import dev.slipway.remote.Shell;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.function.Function;

/**
 * Supervised processes on this machine as the {@link ServiceManager}, what systemd is on a host:
 * each instance is a process in its own session tracked by a pid file ({@link ServiceProcess}:
 * {@code <unit>.pid} for the instance {@code <unit>}, {@code <unit>.<port>.pid} for
 * {@code <unit>@<port>}), all under the target's state directory, with one log file. A restart is
 * carried out by a detached helper ({@link ServiceProcess#restart}), so a kill -9 of slipway in the
 * middle still leaves the new instance started; the helper stays the instance's parent and records
 * its exit status. A stop is SIGTERM (the service drains), then SIGKILL after the drain timeout.
 *
 * <p>What an instance runs is its {@link Launch}, the local counterpart of a unit file, read when
 * it starts: the target resolves it from {@code current} (the restart strategy) or
 * {@code slots/<port>} (an instance beside the serving one), as systemd reads
 * {@code ExecStart=<dir>/current/...}. So {@link #install} has nothing to write.
 */
public final class Supervisor implements ServiceManager {
    /**
     * What an instance runs: the local unit.
     *
     * @param executable the single file to start
     * @param release    the release it belongs to (recorded in the pid file)
     * @param env        its environment (added to slipway's)
     * @param logLine    the log's separator line after the time, e.g. {@code slipway starts releases/1.2.0}
     */
    public record Launch(Path executable, String release, Map<String, String> env, String logLine) {}

    private final Host host;
    private final Path state;
    private final String unit;
    private final Duration drain;
    private final Function<String, Launch> launches;
    /** The instance this supervisor started last, and its pid, for its exit status; -1 before any start. */
    private String lastInstance;
    private long lastPid = -1;

    /**
     * @param host     this machine (the restart helper is started through it)
     * @param state    the directory of the pid files; the instances' working directory
     * @param unit     the service's unit name (the service name); every instance appends to the log
     *                 {@code <state>/<unit>.log}
     * @param drain    SIGTERM to SIGKILL
     * @param launches what an instance runs, by instance name; read at each start
     */
    public Supervisor(Host host, Path state, String unit, Duration drain, Function<String, Launch> launches) {
        this.host = host;
        this.state = state;
        this.unit = unit;
        this.drain = drain;
        this.launches = launches;
    }

    /** @return the log every instance appends to, {@code <state>/<unit>.log} */
    public Path log() {
        return state.resolve(unit + ".log");
    }

    /**
     * @param port an instance port, or 0 for the one instance of the restart strategy
     * @return its instance name: {@code <unit>} or {@code <unit>@<port>}
     */
    public String instance(int port) {
        return port == 0 ? unit : unit + "@" + port;
    }

    /**
     * @param instance an instance name
     * @return its pid file's process: {@code <unit>.pid} or {@code <unit>.<port>.pid}
     */
    public ServiceProcess process(String instance) {
        int at = instance.indexOf('@');
        return new ServiceProcess(state.resolve(at < 0 ? instance + ".pid"
                : instance.substring(0, at) + "." + instance.substring(at + 1) + ".pid"));
    }

    @Override
    public String describe() {
        return "supervised processes in " + state;
    }

    @Override
    public void install(String name, String definition, boolean enable) {
        // The definition is the Launch, read at each start: nothing to write.
    }

    @Override
    public void restart(String instance) {
        restart(instance, Map.of());
    }

    /**
     * {@link #restart(String)} with the environment {@code inherited} instead of slipway's own,
     * when it is not empty: how a failed deploy or rollback restores the release that served with
     * the environment it ran with, whatever the shell slipway runs from has. A variable exported in
     * another terminal (a database URL) comes back, and one that only this shell sets (a debug
     * switch exported for the new release) is left out ({@code env -u}), as a restore must not
     * give the release that served what made the new one fail. Its {@link Launch#env} (Slipway's
     * own: PORT, ADDR, {@code service.env}) still wins. With an empty {@code inherited} (the
     * instance had ended, or its {@code /proc/PID/environ} could not be read) it is slipway's own.
     *
     * @param instance  the instance name
     * @param inherited the environment the instance that served ran with ({@link ServiceProcess#environment})
     */
    public void restart(String instance, Map<String, String> inherited) {
        ServiceProcess sp = process(instance);
        Launch l = launches.apply(instance);
        Map<String, String> env = new java.util.LinkedHashMap<>(inherited);
        env.putAll(l.env());
        java.util.Set<String> unset = inherited.isEmpty() ? java.util.Set.of()
                : System.getenv().keySet().stream().filter(k -> !env.containsKey(k))
                        .collect(java.util.stream.Collectors.toCollection(java.util.TreeSet::new));
        long pid = sp.restart(host, sp.running(), drain, l.executable(), l.release(), state, env, unset, log(), l.logLine());
        synchronized (this) {
            lastInstance = instance;
            lastPid = pid;
        }
    }

    @Override
    public void start(String instance) {
        if (process(instance).running().isEmpty()) {
            restart(instance);
        }
    }

    @Override
    public boolean stop(String instance, boolean disable) {
        return process(instance).stop(drain);
    }

    @Override
    public void enable(String instance) {
        // Nothing starts at boot here.
    }

    @Override
    public String state(String instance) {
        ServiceProcess sp = process(instance);
        if (sp.running().isPresent()) {
            return "active";
        }
        synchronized (this) {
            return instance.equals(lastInstance) && sp.exitStatus(lastPid).filter(s -> s != 0 && s != 143).isPresent()
                    ? "failed" : "inactive";
        }
    }

    @Override
    public String stateCommand(String instance) {
        String pidFile = Shell.quote(process(instance).pidFile().toString());
        return "{ read -r pid _ < " + pidFile + " && kill -0 \"$pid\"; } 2>/dev/null && echo active || echo inactive";
    }

    @Override
    public long mainPid(String instance) {
        return process(instance).running().map(ProcessHandle::pid).orElse(-1L);
    }

    @Override
    public String log(String instance, int lines) {
        try {
            // Decoded leniently: an app may write any bytes to its log.
            List<String> all = new String(Files.readAllBytes(log()), StandardCharsets.UTF_8).lines().toList();
            return String.join("\n", all.subList(Math.max(0, all.size() - lines), all.size()));
        } catch (IOException e) {
            return "(no log)";
        }
    }

    /**
     * The exit status of the instance started last, when it has exited: the helper records it just
     * after the exit, so this waits up to half a second for it.
     *
     * @return the status, if known
     */
    public Optional<Integer> lastExitStatus() {
        String instance;
        long pid;
        synchronized (this) {
            instance = lastInstance;
            pid = lastPid;
        }
        if (pid < 0) {
            return Optional.empty();
        }
        for (int i = 0; i < 25; i++) {
            Optional<Integer> s = process(instance).exitStatus(pid);
            if (s.isPresent()) {
                return s;
            }
            Gate.sleep(Duration.ofMillis(20));
        }
        return Optional.empty();
    }
}
