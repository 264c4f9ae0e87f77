package dev.slipway.deploy;

/**
 * What starts, stops and watches a service's instances on one machine: systemd on a host
 * ({@code deploy/hosts/Systemd}, over {@link dev.slipway.remote.Host}), a supervised process on
 * this machine ({@code deploy/local/Supervisor}, pid files and a detached restart helper). A
 * target's executor changes instances through this interface only, so the plan steps
 * {@link DeployPlan.Kind#UNIT UNIT}, {@link DeployPlan.Kind#START START},
 * {@link DeployPlan.Kind#RESTART RESTART} and {@link DeployPlan.Kind#STOP STOP} mean the same on
 * every machine, and the {@link dev.slipway.remote.Gate} learns from {@link #stateCommand} whether the service still runs.
 *
 * <p>An instance is named like a systemd unit, without {@code .service}: {@code <unit>} for the
 * one instance of the restart strategy, {@code <unit>@<port>} for an instance of the proxy
 * strategy (a template's instance). Every method is bounded in time; failures are
 * {@link dev.slipway.SlipwayException}s (exit 1) whose message says which instance and what the
 * manager answered.
 */
public interface ServiceManager {

    /** @return a short name for messages, e.g. {@code systemd on web1} */
    String describe();

    /**
     * Installs or replaces a service definition and makes the manager read it.
     *
     * @param name       the definition's name: a unit file name such as {@code myapp.service} or
     *                   the template {@code myapp@.service}
     * @param definition its text (a unit file); a supervisor that needs none ignores it
     * @param enable     whether it starts at boot (a template is enabled per instance, {@link #enable})
     */
    void install(String name, String definition, boolean enable);

    /**
     * Starts the instance with what its definition names now, stopping (draining) the one that
     * runs first; a start rate limit left by earlier restarts is cleared first, so several deploys
     * in a minute are never refused by it.
     *
     * @param instance the instance
     */
    void restart(String instance);

    /**
     * Starts the instance when it does not run (a start rate limit cleared first).
     *
     * @param instance the instance
     */
    void start(String instance);

    /**
     * Drains and stops the instance: SIGTERM, SIGKILL after the drain timeout.
     *
     * @param instance the instance
     * @param disable  whether it is also no longer started at boot
     * @return whether it ran
     */
    boolean stop(String instance, boolean disable);

    /**
     * Makes the instance start at boot; a manager without boot starts does nothing.
     *
     * @param instance the instance
     */
    void enable(String instance);

    /**
     * @param instance the instance
     * @return its state in systemd's words: {@code active}, {@code activating}, {@code inactive},
     *         {@code failed}, ...
     */
    String state(String instance);

    /**
     * @param instance the instance
     * @return a POSIX shell command that prints {@link #state} on the machine, for the gate's
     *         loop there ({@link dev.slipway.remote.Gate#onHost}); a manager that restarts failed processes by itself
     *         may follow the state with the count of those restarts and the last exit status
     *         ({@code STATE [RESTARTS [STATUS [MAINPID [RESULT]]]]}, see {@code Systemd}), which lets the gate end at a
     *         crash loop, then with the main process's id (0: none runs), which lets the gate tell the
     *         service's listener from another process's on its port, and then with the manager's word for
     *         how the unit's last run ended (systemd's {@code Result}: {@code start-limit-hit} when it
     *         gave up restarting it)
     */
    String stateCommand(String instance);

    /**
     * @param instance the instance
     * @return its main process id, or -1 when it does not run
     */
    long mainPid(String instance);

    /**
     * @param instance the instance
     * @param lines    how many lines
     * @return the last lines of its log (its journal, its log file), or a note why there are none
     */
    String log(String instance, int lines);
}
