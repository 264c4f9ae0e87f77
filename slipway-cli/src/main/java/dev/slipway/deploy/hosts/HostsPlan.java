package dev.slipway.deploy.hosts;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.HostsConfig;
import dev.slipway.deploy.DeployPlan;
import dev.slipway.deploy.DeployPlan.Kind;
import dev.slipway.deploy.DeployPlan.Step;
import dev.slipway.deploy.History;
import dev.slipway.remote.Shell;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;

/**
 * What a deploy (or a fleet rollback) to the hosts target will do, as a value: the facts found on
 * each host, and the ordered steps that {@link HostsExecutor} runs. {@code --dry-run} prints
 * {@link #describe()}. It is computed by {@link #of} from the configuration, the artifacts and
 * the host facts only, so it is tested without hosts.
 *
 * <p>The order is: lock every host (a deploy's look takes the lock in its own round trip, and the
 * plan's lock steps then have nothing left to do, {@link HostFacts#locked()}); set up every host
 * (upload, env file, unit, and the release's first run made ahead: unpacking and the JDK 17-19
 * class-data archive, while the old release still serves; skipped for a release the look found
 * prepared, {@link HostFacts#prepared()}); then per batch switch and restart each host of the batch and gate each, which so
 * times a warm start; then record, prune and unlock each host.
 *
 * @param service  the service name
 * @param version  the release every host ends on
 * @param commit   the release's commit
 * @param rollback whether this is {@code slipway rollback} (no upload, history outcome {@code rollback})
 * @param hosts    per host, in configuration order
 * @param steps    the steps in execution order, of {@link DeployPlan}'s kinds ({@code where} is the host's
 *                 name, {@code null} for a delay)
 * @param back     the going-back steps ({@link Kind#BACK}), one per host in configuration order,
 *                 run only after a failed step ({@link DeployPlan#back()})
 */
public record HostsPlan(String service, String version, String commit, boolean rollback, List<HostPlan> hosts,
                        List<DeployPlan.Step> steps, List<DeployPlan.Step> back) {

    /**
     * The plan for one host.
     *
     * @param server     the configured host
     * @param facts      what was found on it
     * @param artifact   the single file for its platform ({@code null} for a rollback)
     * @param sha256     the file's sha256, hex ({@code null} for a rollback)
     * @param size       the file's size in bytes
     * @param upload     whether the file is sent (false when the host already has it, same sha256)
     * @param env        the env file's content ({@code null} for a rollback: the release keeps its own)
     * @param unit       the unit file text
     * @param unitChanged whether the unit differs from the installed one (then {@code daemon-reload})
     * @param previous   the release {@code current} pointed to before, or {@code null} for none
     * @param portEnvs   the env file of each instance port of {@code proxy.ports} ({@code env-<port>}),
     *                   by port, which a deploy writes with either strategy (so that a later rollback with
     *                   the proxy strategy finds them). For a rollback: empty when the
     *                   retained release has the new instance's {@code env-<port>}; else (it was deployed
     *                   with the restart strategy, which writes {@code env} only) the lines that differ
     *                   from its {@code env} on that port ({@code PORT} and the values with
     *                   {@code ${PORT}}), which the {@code ENV} step puts over a copy of its {@code env}
     *                   ({@link #portEnvCommand})
     * @param port       with {@code rollout.strategy: proxy}, the port the new instance starts on (the
     *                   one nginx does not send requests to); 0 otherwise
     * @param oldPort    with {@code rollout.strategy: proxy}, the port of the instance that serves now,
     *                   stopped after the switch; 0 when none serves
     * @param legacy     whether the instance that serves now is the {@code restart} strategy's unit
     *                   ({@code <unit>.service} on {@code service.port}, the first deploy after a change
     *                   of strategy), which is stopped and disabled after the switch
     * @param retire     with {@code rollout.strategy: restart}, the ports of the proxy strategy's instances
     *                   ({@code <unit>@<port>}) that run or failed on the host (the first deploy after a
     *                   change of strategy): stopped and disabled before {@code <unit>.service} starts;
     *                   empty otherwise
     * @param envUnchanged whether a deploy's env step has nothing to write: the release is on the host
     *                   already (no upload) and each file the step writes ({@code env}, {@code env-<port>})
     *                   has the same sha256 there ({@link HostFacts#envSha256()}); the step then makes no
     *                   round trip. Always false for a rollback
     */
    public record HostPlan(HostsConfig.Server server, HostFacts facts, Path artifact, String sha256, long size,
                           boolean upload, String env, String unit, boolean unitChanged, String previous,
                           Map<Integer, String> portEnvs, int port, int oldPort, boolean legacy, List<Integer> retire,
                           boolean envUnchanged) {
        /** Copies the collections, so the value stays immutable. */
        public HostPlan {
            portEnvs = Map.copyOf(portEnvs);
            retire = List.copyOf(retire);
        }

        /** @return the host's name */
        public String name() {
            return server.name();
        }
    }

    /**
     * A built single file for one platform.
     *
     * @param path   the file
     * @param sha256 its sha256, hex
     * @param size   its size in bytes
     */
    public record Artifact(Path path, String sha256, long size) {}

    /**
     * Computes a plan.
     *
     * @param hostsConfig the {@code deploy.hosts} section
     * @param port        the service's port (for the gate)
     * @param service     the service name
     * @param version     the release version
     * @param commit      the release's commit
     * @param artifacts   single files by platform ({@code linux-amd64}); empty for a rollback
     * @param facts       what preflight found on each host, by host name
     * @param envFiles    the env file per host name; empty for a rollback
     * @param unit        the unit file text
     * @param unitSha256  its sha256, to compare with the installed unit
     * @param rollback    whether this is a fleet rollback to {@code version}
     * @return the plan
     * @throws SlipwayException (exit 2) when a host's platform has no artifact, or (rollback) a host
     *                          does not hold {@code version}
     */
    public static HostsPlan of(HostsConfig hostsConfig, int port, String service, String version, String commit,
                               Map<String, Artifact> artifacts, Map<String, HostFacts> facts, Map<String, String> envFiles,
                               String unit, String unitSha256, boolean rollback) {
        return of(hostsConfig, port, service, version, commit, artifacts, facts, envFiles, Map.of(), unit, unitSha256, rollback);
    }

    /**
     * Computes a plan; with {@code rollout.strategy: proxy} each host starts the release as a second
     * instance on the port nginx does not use ({@code START}), gates it ({@code GATE}), points its
     * nginx at it ({@code PROXY}), then stops the old instance ({@code STOP}); the hosts of a batch
     * go through each of these steps before the next. A rollback has no upload or env; with the proxy
     * strategy no prepare either (the retained release was prepared when it was deployed, and a cold
     * start would happen beside the old instance, which serves meanwhile); a retained release that
     * has no {@code env-<port>} for the port it starts on (it was deployed with the restart strategy)
     * gets one made from its own {@code env} ({@code ENV}). The restart strategy stops the proxy
     * strategy's instances that run on a host (a change of strategy) before it restarts the unit,
     * and points the host's upstream file, if there is one, at {@code service.port} after the gate.
     *
     * @param portEnvs per host name, by instance port: for a deploy the env file ({@code env-<port>});
     *                 for a rollback with the proxy strategy the lines that differ from the release's
     *                 {@code env} on that port (see {@link HostPlan#portEnvs()})
     * @see #of(HostsConfig, int, String, String, String, Map, Map, Map, String, String, boolean)
     */
    public static HostsPlan of(HostsConfig hostsConfig, int port, String service, String version, String commit,
                               Map<String, Artifact> artifacts, Map<String, HostFacts> facts, Map<String, String> envFiles,
                               Map<String, Map<Integer, String>> portEnvs, String unit, String unitSha256, boolean rollback) {
        boolean proxy = hostsConfig.rollout().proxySwitch();
        List<Integer> ports = hostsConfig.proxy().ports();
        List<HostPlan> hosts = new ArrayList<>();
        for (HostsConfig.Server s : hostsConfig.servers()) {
            HostFacts f = facts.get(s.name());
            Artifact a = null;
            boolean upload = false;
            if (rollback) {
                if (!f.releases().contains(version)) {
                    throw SlipwayException.usage(s.name() + " does not hold release " + version + " (it has "
                            + (f.releases().isEmpty() ? "none" : String.join(", ", f.releases())) + "); nothing was changed");
                }
            } else {
                a = artifacts.get(f.platform());
                if (a == null) {
                    throw SlipwayException.usage(s.name() + " is " + f.platform() + " (uname -m: " + f.machine()
                            + ") but the last build has no single file for it (built: " + String.join(", ", artifacts.keySet())
                            + "); add it to 'platforms' and build again");
                }
                upload = !a.sha256().equals(f.releaseSha256());
            }
            int newPort = 0;
            int oldPort = 0;
            boolean legacy = false;
            List<Integer> retire = List.of();
            if (!proxy) {
                // The proxy strategy's instances (a change of strategy): they hold the ports and nginx's upstream.
                retire = f.instances().entrySet().stream().filter(e -> running(e.getValue()) || e.getValue().equals("failed"))
                        .map(Map.Entry::getKey).sorted().toList();
            }
            if (proxy) {
                if (ports.contains(f.livePort()) && running(f.instances().getOrDefault(f.livePort(), ""))) {
                    oldPort = f.livePort();
                    newPort = ports.get(0) == oldPort ? ports.get(1) : ports.get(0);
                } else if (running(f.active())) {
                    // The restart strategy's unit serves on service.port: start beside it on the other port.
                    legacy = true;
                    oldPort = port;
                    newPort = ports.get(0) == port ? ports.get(1) : ports.get(0);
                } else {
                    // Nothing serves (a first deploy, or the live instance is down): the first port.
                    newPort = ports.get(0);
                }
            }
            Map<Integer, String> envs = !rollback ? portEnvs.getOrDefault(s.name(), Map.of())
                    : !proxy || f.hasEnvFor(version, newPort) ? Map.of()
                    : Map.of(newPort, portEnvs.getOrDefault(s.name(), Map.of()).getOrDefault(newPort, ""));
            hosts.add(new HostPlan(s, f, a == null ? null : a.path(), a == null ? null : a.sha256(), a == null ? 0 : a.size(),
                    upload, rollback ? null : envFiles.get(s.name()), unit, !unitSha256.equals(f.unitSha256()), f.current(),
                    envs, newPort, oldPort, legacy, retire, !rollback && !upload && sameEnv(f, envFiles.get(s.name()), envs)));
        }

        String dir = hostsConfig.dir();
        String unitName = hostsConfig.service().unit();
        List<DeployPlan.Step> steps = new ArrayList<>();
        for (HostPlan h : hosts) {
            steps.add(new Step(Kind.LOCK, h.name(), 0, h.name() + ": lock " + dir + "/lock"
                    + (h.facts().locked() ? " (taken with the look, in its round trip)" : "")));
        }
        for (HostPlan h : hosts) {
            if (!rollback) {
                steps.add(new Step(Kind.UPLOAD, h.name(), 0, h.upload()
                        ? h.name() + ": upload " + h.artifact().getFileName() + " (" + h.facts().platform() + ", "
                        + Console.megabytes(h.size()) + ") to " + dir + "/releases/" + version + "/" + service + ", verify sha256 "
                        + h.sha256().substring(0, 12)
                        : h.name() + ": skip upload, " + dir + "/releases/" + version + "/" + service + " is there (sha256 "
                        + h.sha256().substring(0, 12) + ")"));
                String files = dir + "/releases/" + version + "/env"
                        + h.portEnvs().keySet().stream().sorted().map(pt -> ", " + HostUnit.envName(pt)).collect(Collectors.joining());
                steps.add(new Step(Kind.ENV, h.name(), 0, h.envUnchanged()
                        ? h.name() + ": skip env, " + files + " unchanged (same sha256)"
                        : h.name() + ": write " + files + " (mode 0600, "
                        + h.env().lines().filter(l -> !l.isBlank() && !l.startsWith("#")).count() + " variables)"));
            } else if (!h.portEnvs().isEmpty()) {
                int p = h.portEnvs().keySet().iterator().next();
                List<String> keys = keys(h.portEnvs().get(p));
                steps.add(new Step(Kind.ENV, h.name(), 0, h.name() + ": write " + dir + "/releases/" + version + "/"
                        + HostUnit.envName(p) + " from its env (the release was deployed without it)" + (keys.isEmpty() ? ", unchanged" : " with " + String.join(", ", keys) + " for port " + p)
                        + " (mode 0600)"));
            }
            String unitFile = HostUnit.fileName(hostsConfig);
            steps.add(new Step(Kind.UNIT, h.name(), 0, h.unitChanged()
                    ? h.name() + ": install /etc/systemd/system/" + unitFile + ", daemon-reload" + (proxy ? "" : ", enable")
                    : h.name() + ": unit " + unitFile + " unchanged, no daemon-reload"));
            // A rollback of the proxy strategy prepares nothing: the retained release was prepared when
            // it was deployed, and even a cold first run happens while the old instance serves.
            // A release the look found prepared (its cache tree complete, the archive made or given up)
            // is where the prepare step would stop at once: no step, no round trip.
            if ((!rollback || !proxy) && !prepared(h, version)) {
                steps.add(new Step(Kind.PREPARE, h.name(), 0, h.name() + ": prepare releases/" + version + "/" + service
                        + " while " + (h.previous() == null ? "nothing" : h.previous()) + " serves: its first run without the app,"
                        + " as the unit's user (systemd-run, SLIPWAY_PREPARE=1): unpack into /var/cache/" + unitName
                        + ", class-data archive on JDK 17-19"));
            }
        }
        // A proxy rollback goes back to a release every host served before, and each host keeps
        // serving on its current instance until its own switch: all hosts move in one batch (as a
        // fleet rollback should be quick); deploys keep rollout.batchSize.
        int batchSize = proxy && rollback ? Math.max(1, hosts.size()) : hostsConfig.rollout().batchOf(hosts.size());
        int batch = 0;
        for (int i = 0; i < hosts.size(); i += batchSize) {
            batch++;
            if (batch > 1 && !hostsConfig.rollout().delay().isZero()) {
                steps.add(new Step(Kind.DELAY, null, batch, "wait " + Console.seconds(hostsConfig.rollout().delay())
                        + " before batch " + batch));
            }
            List<HostPlan> members = hosts.subList(i, Math.min(hosts.size(), i + batchSize));
            String tag = "[batch " + batch + "] ";
            if (proxy) {
                for (HostPlan h : members) {
                    steps.add(new Step(Kind.START, h.name(), batch, h.name() + ": " + tag + "start " + version + " beside "
                            + (h.oldPort() == 0 ? "nothing" : (h.previous() == null ? "?" : h.previous()) + " (" + oldUnit(hostsConfig, h)
                            + ")") + ": " + dir + "/slots/" + h.port() + " -> releases/" + version + ", systemctl restart "
                            + HostUnit.instance(hostsConfig, h.port())));
                }
            } else {
                for (HostPlan h : members) {
                    steps.add(new Step(Kind.SWITCH, h.name(), batch, h.name() + ": " + tag + "switch " + dir
                            + "/current -> releases/" + version + " (was " + (h.previous() == null ? "none" : h.previous()) + ")"));
                    if (!h.retire().isEmpty()) {
                        steps.add(new Step(Kind.STOP, h.name(), batch, h.name() + ": " + tag + "drain and stop "
                                + h.retire().stream().map(pt -> HostUnit.instance(hostsConfig, pt)).collect(Collectors.joining(", "))
                                + " (the proxy strategy's instances) and disable them; enable " + unitName + ".service"));
                    }
                    steps.add(new Step(Kind.RESTART, h.name(), batch, h.name() + ": " + tag + "systemctl restart "
                            + unitName));
                }
            }
            for (HostPlan h : members) {
                var p = hostsConfig.rollout().readiness();
                String where = h.server().probeAddress().contains(":") ? "[" + h.server().probeAddress() + "]"
                        : h.server().probeAddress();
                steps.add(new Step(Kind.GATE, h.name(), batch, h.name() + ": " + tag + "gate: " + (p.process()
                        ? "the unit keeps running, not restarted by systemd, for " + Console.seconds(p.timeout())
                        + " (readiness type process; checked every " + Console.seconds(p.interval())
                        : p.describe(where, proxy ? h.port() : port) + " on the host every " + Console.seconds(p.interval())
                        + " for up to " + Console.seconds(p.timeout()) + " (after " + Console.seconds(p.startupGrace()))
                        + (members.size() > 1 ? "; the batch's gates run together" : "")
                        + "); on failure " + (proxy ? "the new instances stop, the old never stopped, and every"
                        + " host switched before goes back" : "every switched host goes back")));
            }
            for (HostPlan h : members) {
                if (!proxy && repointsNginx(h, port)) {
                    steps.add(new Step(Kind.PROXY, h.name(), batch, h.name() + ": " + tag + "nginx on the host: "
                            + hostsConfig.proxy().upstreamFile() + " (the proxy strategy's, port " + h.facts().livePort()
                            + ") -> " + h.server().probeAddress() + ":" + port + ", nginx -t, nginx -s reload"));
                }
            }
            if (proxy) {
                for (HostPlan h : members) {
                    steps.add(new Step(Kind.PROXY, h.name(), batch, h.name() + ": " + tag + "nginx on the host: "
                            + hostsConfig.proxy().upstreamFile() + " -> " + h.server().probeAddress() + ":" + h.port()
                            + ", nginx -t (else the old file goes back), nginx -s reload; " + dir
                            + "/current -> releases/"
                            + version));
                }
                for (HostPlan h : members) {
                    if (h.oldPort() != 0) {
                        steps.add(new Step(Kind.STOP, h.name(), batch, h.name() + ": " + tag + "(in the background, beside the next batch) wait until nginx's workers of before the reload"
                                + " have ended their requests, then drain and stop "
                                + oldUnit(hostsConfig, h) + " (" + (h.previous() == null ? "?"
                                : h.previous()) + ", port " + h.oldPort() + ")" + (h.legacy() ? " and disable it" : "")));
                    }
                }
            }
        }
        for (HostPlan h : hosts) {
            steps.add(new Step(Kind.RECORD, h.name(), 0, h.name() + ": record the revision in " + dir + "/history.tsv"));
            steps.add(new Step(Kind.PRUNE, h.name(), 0, h.name() + ": prune releases beyond " + hostsConfig.rollout().retain()
                    + " (never current or previous) and their unpacked trees"));
            steps.add(new Step(Kind.UNLOCK, h.name(), 0, h.name() + ": unlock"));
        }
        List<DeployPlan.Step> back = new ArrayList<>();
        for (HostPlan h : hosts) {
            back.add(new Step(Kind.BACK, h.name(), 0, h.name() + ": " + (proxy
                    ? (h.oldPort() == 0 ? "if started, stop " + HostUnit.instance(hostsConfig, h.port())
                    + " (nothing served before)" : "before nginx's switch, stop " + HostUnit.instance(hostsConfig, h.port())
                    + " (" + h.previous() + " never stopped); after it, start " + oldUnit(hostsConfig, h) + " again, gate it,"
                    + " point nginx back at port " + h.oldPort() + ", stop the new instance")
                    : h.previous() == null ? "if switched, stop " + unitName + ".service and remove " + dir + "/current"
                    + " (nothing served before)" : h.previous().equals(version) ? (h.envUnchanged() ? "nothing (" + version + " served before)"
                    : "put back the env files of " + version + " kept aside before the env step (.env.before),"
                    + " restart " + unitName + ".service, gate it")
                    : "if switched, switch " + dir + "/current back to releases/" + h.previous() + ", restart "
                    + unitName + ".service, gate it") + "; recorded " + History.ROLLED_BACK + " (a host not reached: "
                    + History.SKIPPED + ")"));
        }
        return new HostsPlan(service, version, commit, rollback, List.copyOf(hosts), List.copyOf(steps), List.copyOf(back));
    }

    /**
     * @param f        a host's facts
     * @param env      the {@code env} file a deploy writes there, or {@code null}
     * @param portEnvs the {@code env-<port>} files it writes, by port
     * @return whether every one of them is on the host with the same sha256 (then the env step has nothing to do)
     */
    private static boolean sameEnv(HostFacts f, String env, Map<Integer, String> portEnvs) {
        if (env == null || !HostsTarget.sha256(env).equals(f.envSha256().get("env"))) {
            return false;
        }
        return portEnvs.entrySet().stream().allMatch(e -> HostsTarget.sha256(e.getValue()).equals(f.envSha256().get(HostUnit.envName(e.getKey()))));
    }

    /**
     * @param h       a host's plan
     * @param version the release deployed or rolled back to
     * @return whether the host's copy of the release is prepared already and stays (it is not uploaded
     *         again): its prepare would do nothing
     */
    static boolean prepared(HostPlan h, String version) {
        return !h.upload() && h.facts().prepared().contains(version);
    }

    /**
     * @param h    a host's plan of the restart strategy
     * @param port the service's port
     * @return whether the host's nginx is pointed at {@code port} after its gate: the proxy strategy's
     *         instances ran there and its upstream file names another port
     */
    static boolean repointsNginx(HostPlan h, int port) {
        return !h.retire().isEmpty() && h.facts().livePort() != 0 && h.facts().livePort() != port;
    }

    /** @return the variable names of env file lines ({@code KEY="value"}), in order */
    private static List<String> keys(String lines) {
        return lines.lines().filter(l -> l.indexOf('=') > 0 && !l.startsWith("#")).map(l -> l.substring(0, l.indexOf('=')))
                .toList();
    }

    /**
     * The shell command that writes a retained release's {@code env-<port>} from its {@code env}:
     * the lines of {@code env} whose variable {@code overrides} sets again are left out, the
     * {@code overrides} lines are added, and the file (mode 0600) is renamed into place. For a
     * release deployed with the restart strategy, which has no {@code env-<port>}, when the proxy
     * strategy starts it on {@code port}: its own environment (secrets included) with {@code PORT}
     * and the values {@code slipway.yaml} derives from {@code ${PORT}} set for that port.
     *
     * @param releaseDir the release's directory on the host
     * @param port       the instance port
     * @param overrides  {@code KEY="value"} lines, one per line (may be empty: a plain copy)
     * @return the command, for {@code sh -c}
     */
    public static String portEnvCommand(String releaseDir, int port, String overrides) {
        List<String> keys = keys(overrides);
        String r = Shell.quote(releaseDir);
        String tmp = r + "/." + HostUnit.envName(port) + ".tmp";
        String text = overrides.isEmpty() || overrides.endsWith("\n") ? overrides : overrides + "\n";
        return "[ -f " + r + "/env ] || { echo " + Shell.quote(releaseDir + "/env is missing") + " >&2; exit 1; }\n"
                + "umask 077; { " + (keys.isEmpty() ? "cat " + r + "/env" : "grep -v -E " + Shell.quote("^(" + String.join("|", keys)
                + ")=") + " " + r + "/env") + "; printf '%s' " + Shell.quote(text) + "; } > " + tmp + " && chmod 0600 " + tmp
                + " && mv -f " + tmp + " " + r + "/" + HostUnit.envName(port);
    }

    /**
     * The shell command that keeps a release's env files aside before a deploy writes them again
     * ({@code env} as {@code .env.before}, {@code env-8080} as {@code .env-8080.before}: hidden, so
     * that no {@code env-*} glob of the look takes them for an instance's file), each copied with
     * its mode (0600) kept. A redeploy of the release a host serves with another env (a rotated
     * secret, a changed variable) restarts it with the new one; when its gate fails, {@link
     * #restoreEnvCommand} puts these back, so the host goes back to what served, not to a release
     * that crashes on the new env.
     *
     * @param releaseDir the release's directory on the host
     * @param names      the env files' names ({@code env}, {@code env-<port>})
     * @return the command, for {@code sh -c}; a file that is not there is skipped
     */
    public static String keepEnvCommand(String releaseDir, java.util.Collection<String> names) {
        StringBuilder c = new StringBuilder("cd " + Shell.quote(releaseDir) + " || exit 1\n");
        for (String n : names) {
            String q = Shell.quote(n);
            c.append("if [ -f ").append(q).append(" ]; then cp -p ").append(q).append(' ')
                    .append(Shell.quote("." + n + ".before")).append(" || exit 1; fi\n");
        }
        return c.toString();
    }

    /**
     * The shell command that puts back the env files {@link #keepEnvCommand} kept aside, each
     * renamed over the file a failed deploy wrote (rename(2): the unit never reads half a file); a
     * file with nothing kept aside was not there before (a new {@code env-<port>} of a changed
     * {@code service.port}) and is removed. Run once per keep: after it nothing is kept aside. It
     * then prints the {@code PORT} of the {@code env} put back (see {@link #portOfEnv}): what the
     * release listens on with its env of before, which the going-back gate probes.
     *
     * @param releaseDir the release's directory on the host
     * @param names      the env files' names
     * @return the command, for {@code sh -c}
     */
    public static String restoreEnvCommand(String releaseDir, java.util.Collection<String> names) {
        StringBuilder c = new StringBuilder("cd " + Shell.quote(releaseDir) + " || exit 1\n");
        for (String n : names) {
            String kept = Shell.quote("." + n + ".before");
            c.append("if [ -f ").append(kept).append(" ]; then mv -f ").append(kept).append(' ')
                    .append(Shell.quote(n)).append(" || exit 1; else rm -f ").append(Shell.quote(n)).append(" || exit 1; fi\n");
        }
        return c.append("sed -n 's/^PORT=\"\\([0-9]*\\)\"$/\\1/p' env 2>/dev/null | tail -n 1\n").toString();
    }

    /**
     * @param restoreOutput what {@link #restoreEnvCommand} printed
     * @param fallback      the port when it printed none (an env file without {@code PORT})
     * @return the {@code PORT} of the env file put back
     */
    public static int portOfEnv(String restoreOutput, int fallback) {
        String last = restoreOutput.strip();
        last = last.substring(last.lastIndexOf('\n') + 1).strip();
        try {
            int p = Integer.parseInt(last);
            return p > 0 && p < 65536 ? p : fallback;
        } catch (NumberFormatException e) {
            return fallback;
        }
    }

    /** @return whether a {@code systemctl is-active} state is one of a unit that runs */
    static boolean running(String state) {
        return state.equals("active") || state.equals("activating") || state.equals("reloading");
    }

    /**
     * @param config the {@code deploy.hosts} section
     * @param h      a host's plan of the proxy strategy
     * @return the unit of the instance that serves before the switch
     */
    static String oldUnit(HostsConfig config, HostPlan h) {
        return h.legacy() ? config.service().unit() + ".service" : HostUnit.instance(config, h.oldPort());
    }

    /**
     * @param config the {@code deploy.hosts} section
     * @param h      a host's plan
     * @return the units its {@code STOP} step stops and disables: with the proxy strategy the instance
     *         that served before the switch ({@link #oldUnit}); with the restart strategy the proxy
     *         strategy's instances that ran ({@link HostPlan#retire()})
     */
    static List<String> stopUnits(HostsConfig config, HostPlan h) {
        return config.rollout().proxySwitch() ? List.of(oldUnit(config, h))
                : h.retire().stream().map(p -> HostUnit.instance(config, p)).toList();
    }

    /**
     * @return this plan as the value every target's plan is ({@link DeployPlan}), with this plan
     *         as its {@code detail}; the facts are one line per host
     */
    public DeployPlan toDeployPlan() {
        return new DeployPlan("hosts", rollback ? DeployPlan.Action.ROLLBACK : DeployPlan.Action.DEPLOY, service, version,
                commit, facts(), steps, this, back);
    }

    /** @return whether a deploy (not a rollback) sends a host the file that already serves there */
    private boolean alreadyServes(HostPlan h) {
        return !rollback && version.equals(h.previous()) && !h.upload()
                && (h.port() == 0 ? running(h.facts().active()) : h.oldPort() != 0);
    }

    /** @return one line per host: its name, SSH address, platform, current release and unit state */
    private List<String> facts() {
        List<String> facts = new ArrayList<>();
        for (HostPlan h : hosts) {
            facts.add(h.name() + " (" + h.server().user() + "@" + h.server().address() + ":" + h.server().port() + "): "
                    + h.facts().platform() + ", current " + (h.previous() == null ? "none" : h.previous())
                    + (h.port() == 0 ? ", unit " + (h.facts().active().isEmpty() ? "not installed" : h.facts().active())
                    + (h.retire().isEmpty() ? "" : ", the proxy strategy's instances run ("
                    + h.retire().stream().map(pt -> "port " + pt + " " + h.facts().instances().get(pt)).collect(Collectors.joining(", "))
                    + (h.facts().livePort() == 0 ? "" : "; nginx -> port " + h.facts().livePort()) + ")")
                    : ", nginx -> " + (h.facts().livePort() == 0 ? "no upstream file" : "port " + h.facts().livePort())
                    + h.facts().instances().entrySet().stream().map(e -> ", port " + e.getKey() + " " + e.getValue()
                            + (h.facts().slots().containsKey(e.getKey()) ? " (" + h.facts().slots().get(e.getKey()) + ")" : ""))
                            .collect(Collectors.joining())
                    + (h.legacy() ? ", the restart strategy's unit serves (" + h.facts().active() + ")" : ""))
                    + (alreadyServes(h) ? "; " + version + " already serves here (same sha256): this deploy "
                    + (h.envUnchanged() ? "" : "writes its env again and ") + (h.port() == 0 ? "restarts it" : "starts it again beside itself on port " + h.port()
                    + " and switches nginx to it") + ", gated; nothing else changes" : ""));
        }
        return facts;
    }

    /** @return the plan as text: one line per host's facts, then the numbered steps */
    public String describe() {
        StringBuilder sb = new StringBuilder();
        sb.append(rollback ? "rollback " : "deploy ").append(service).append(' ').append(version).append(" to ")
                .append(hosts.size()).append(hosts.size() == 1 ? " host\n" : " hosts\n");
        facts().forEach(f -> sb.append("  ").append(f).append('\n'));
        DeployPlan.describeSteps(sb, steps, back);
        return sb.toString();
    }
}
