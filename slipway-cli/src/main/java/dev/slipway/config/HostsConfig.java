package dev.slipway.config;

import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.regex.Pattern;

/**
 * The resolved {@code deploy.hosts} section of {@code slipway.yaml}: Linux servers reached over SSH,
 * where the service runs as a systemd unit behind nginx. The reference is {@code docs/config.md},
 * section {@code deploy.hosts}; the behaviour is in {@code docs/hosts.md}.
 *
 * @param dir      the service's directory on every host: {@code releases/}, {@code current},
 *                 {@code history.tsv}, {@code lock/} (default {@code /opt/slipway/<name>})
 * @param servers  the hosts, in rollout order (at least one)
 * @param rollout  batches, gates, retention and drain
 * @param service  the systemd unit and the service's environment on the hosts
 * @param proxy    what {@code slipway render nginx} writes
 * @param knownHosts the known_hosts file that host keys are checked against (default {@code ~/.ssh/known_hosts})
 */
public record HostsConfig(String dir, List<Server> servers, Rollout rollout, HostService service, Proxy proxy,
                          Path knownHosts) {

    /**
     * One host.
     *
     * @param name         how reports name it (default: its address)
     * @param address      host name or IP address that SSH connects to
     * @param port         the SSH port (default 22)
     * @param user         the SSH user (default root); it must be root or own {@code dir} and run
     *                     {@code systemctl} (see docs/hosts.md)
     * @param identityFile a private key on the deploy machine, or {@code null} for the SSH agent and
     *                     the default keys
     * @param roles        free labels, e.g. {@code web}; {@code --role} picks hosts by them
     * @param bind         the address the service binds on this host ({@code ADDR}), and that the gate
     *                     and nginx use (default {@code 0.0.0.0}, probed on {@code 127.0.0.1} and proxied to {@code address})
     * @param env          environment for the service on this host only; wins over the other sources
     */
    public record Server(String name, String address, int port, String user, Path identityFile, List<String> roles,
                         String bind, Map<String, String> env) {
        /** @return where the service answers from the host itself, for the gate */
        public String probeAddress() {
            return bind.equals("0.0.0.0") ? "127.0.0.1" : bind.equals("::") ? "::1" : bind;
        }

        /** @return where the service answers from another machine, for nginx */
        public String upstreamAddress() {
            return bind.equals("0.0.0.0") || bind.equals("::") ? address : bind;
        }
    }

    /**
     * How a deploy rolls out.
     *
     * @param batchSize    hosts switched at once, or 0 when {@code batchPercent} is used
     * @param batchPercent percent of the hosts switched at once (rounded up), or 0
     * @param delay        wait between two batches (default {@link #UPSTREAM_FAIL_TIMEOUT} with strategy
     *                     {@link #RESTART}, so that nginx has taken the batch just gated back into its
     *                     pool; zero with {@link #PROXY})
     * @param readiness    the gate on each host (default: {@code service.readiness})
     * @param retain       releases kept on each host (default 5, at least 2)
     * @param drainTimeout how long a stop waits after SIGTERM (default {@code service.drainTimeout})
     * @param lockStaleAfter a lock older than this whose holder cannot be checked is refused at once ({@code remote/Lock.judge})
     * @param strategy     how a host changes release: {@link #RESTART} (switch {@code current}, restart the
     *                     unit: the host serves nothing for a moment) or {@link #PROXY} (start the new release
     *                     beside the old on the other of {@link Proxy#ports()}, gate it, switch the nginx on
     *                     that host to it, then stop the old); default {@link #RESTART}
     */
    public record Rollout(int batchSize, int batchPercent, Duration delay, SlipwayConfig.Probe readiness, int retain,
                          Duration drainTimeout, Duration lockStaleAfter, String strategy) {
        /** Stop the old instance, then start the new one (the unit {@code <unit>.service}). */
        public static final String RESTART = "restart";
        /** Start the new instance beside the old, switch the host's nginx, then stop the old ({@code <unit>@PORT.service}). */
        public static final String PROXY = "proxy";
        /**
         * How long nginx keeps an instance out of the upstream of {@code slipway render nginx} after
         * {@code max_fails} failed attempts: its {@code fail_timeout} (ngx_http_upstream_module), 2 s.
         * An instance that passed its gate is back in the pool at most this long after the last
         * request it refused, so it is also the default wait between two {@link #RESTART} batches.
         */
        public static final Duration UPSTREAM_FAIL_TIMEOUT = Duration.ofSeconds(2);

        /** @return whether a host switches by its own nginx ({@link #PROXY}) */
        public boolean proxySwitch() {
            return PROXY.equals(strategy);
        }

        /**
         * @param hosts the number of hosts
         * @return hosts per batch, at least 1
         */
        public int batchOf(int hosts) {
            if (batchPercent > 0) {
                return Math.max(1, (int) Math.ceil(hosts * batchPercent / 100.0));
            }
            return Math.max(1, batchSize);
        }
    }

    /**
     * The systemd unit and the environment file.
     *
     * @param unit          the unit name without {@code .service} (default: the service name)
     * @param user          the user the service runs as, which must exist; {@code null} for a
     *                      systemd dynamic user ({@code DynamicUser=yes})
     * @param env           environment for the service on every host (after {@code service.env})
     * @param secrets       names of environment variables of the deploy machine copied into the
     *                      env file (mode 0600); a missing one fails the deploy before any change
     * @param secretsFile   a {@code KEY=VALUE} file on the deploy machine copied into the env file, or {@code null}
     * @param readWritePaths extra paths the service may write ({@code ReadWritePaths=})
     * @param memoryMax     {@code MemoryMax=}, e.g. {@code 512M}, or {@code null}
     * @param cpuQuota      {@code CPUQuota=}, e.g. {@code 200%}, or {@code null}
     * @param tasksMax      {@code TasksMax=}, or 0 for systemd's default
     * @param limitNofile   {@code LimitNOFILE=} (default 65536)
     */
    public record HostService(String unit, String user, Map<String, String> env, List<String> secrets, Path secretsFile,
                              List<String> readWritePaths, String memoryMax, String cpuQuota, int tasksMax,
                              int limitNofile) {}

    /**
     * nginx in front of the hosts ({@code slipway render nginx}).
     *
     * @param listen         where nginx accepts HTTP: a port on every address (default 80) or
     *                       {@code ADDRESS:PORT} ({@link Listen}), rendered into nginx's {@code listen}
     * @param serverName     {@code server_name} (default {@code _})
     * @param certificate    a TLS certificate path on the nginx machine; when set, HTTPS on
     *                       {@code tlsListen} and HTTP redirects to it
     * @param certificateKey the key of {@code certificate}
     * @param tlsListen      where nginx accepts HTTPS, as {@code listen} (default 443)
     * @param keepalive      idle keep-alive connections to the upstream per worker (default 32)
     * @param connectTimeout {@code proxy_connect_timeout} (default 2s)
     * @param readTimeout    {@code proxy_read_timeout} and {@code proxy_send_timeout} (default 60s)
     * @param retry          whether nginx retries a request on the next instance when one refuses
     *                       or answers 502/503/504 (default true; the rolling deploy's zero downtime
     *                       depends on it)
     * @param ports          with {@code rollout.strategy: proxy}, the two ports the instances on a host
     *                       take in turn (default {@code service.port} and the port after it)
     * @param upstreamFile   with {@code rollout.strategy: proxy}, the file on each host that holds the
     *                       {@code upstream} block Slipway rewrites at each switch (default
     *                       {@code /etc/nginx/slipway/<name>.upstream.conf}); the site {@code include}s it
     */
    public record Proxy(Listen listen, String serverName, String certificate, String certificateKey, Listen tlsListen,
                        int keepalive, Duration connectTimeout, Duration readTimeout, boolean retry, List<Integer> ports,
                        String upstreamFile) {}

    // ---- raw model -----------------------------------------------------------------------------

    record RawHosts(@Key(doc = "Directory of the service on each host (default /opt/slipway/<name>)") String dir,
                    @Key(doc = "SSH user for every server without its own (default root)") String user,
                    @Key(doc = "SSH port for every server without its own (default 22)") Integer port,
                    @Key(doc = "Private key on the deploy machine (default: SSH agent and default keys)") String identityFile,
                    @Key(doc = "known_hosts file for host key checks (default ~/.ssh/known_hosts)") String knownHosts,
                    List<RawServer> servers, RawRollout rollout, RawHostService service, RawProxy proxy) {}

    record RawServer(@Key(doc = "Name in reports (default: address)") String name,
                     @Key(doc = "Host name or IP address for SSH (required)") String address,
                     Integer port, String user, String identityFile,
                     @Key(doc = "Labels; --role picks hosts by them") List<String> roles,
                     @Key(doc = "Address the service binds on this host (default 0.0.0.0)") String bind,
                     @Key(doc = "Environment for the service on this host only") Map<String, String> env) {}

    record RawRollout(@Key(doc = "Hosts switched at once (default 1)") Integer batchSize,
                      @Key(doc = "Percent of the hosts switched at once, rounded up (instead of batchSize)") Integer batchPercent,
                      @Key(doc = "Wait between batches (default 2s with strategy restart, nginx's fail_timeout; 0s with proxy)") Duration delay,
                      @Key(doc = "The gate on each host (default service.readiness)") ConfigLoader.RawProbe readiness,
                      @Key(doc = "Releases kept on each host (default 5, at least 2)") Integer retain,
                      @Key(doc = "SIGTERM to SIGKILL (default service.drainTimeout)") Duration drainTimeout,
                      @Key(doc = "A lock older than this whose holder cannot be checked (another machine) is refused at once; a gone holder of this machine is taken over (default 10m)") Duration lockStaleAfter,
                      @Key(doc = "restart (stop, then start) or proxy (start beside, switch the host's nginx, stop the old); default restart") String strategy) {}

    record RawHostService(@Key(doc = "systemd unit name without .service (default: the service name)") String unit,
                          @Key(doc = "User to run as (default: a systemd dynamic user)") String user,
                          Map<String, String> env,
                          @Key(doc = "Names of deploy-machine environment variables copied into the env file") List<String> secrets,
                          @Key(doc = "KEY=VALUE file on the deploy machine copied into the env file") String secretsFile,
                          List<String> readWritePaths,
                          @Key(doc = "MemoryMax=, e.g. 512M") String memoryMax,
                          @Key(doc = "CPUQuota=, e.g. 200%") String cpuQuota,
                          Integer tasksMax,
                          @Key(doc = "LimitNOFILE= (default 65536)") Integer limitNofile) {}

    record RawProxy(@Key(doc = "Where nginx accepts HTTP: PORT or ADDRESS:PORT as in nginx's listen, e.g. 8080 or 127.0.1.5:8080 or [::1]:8080 (default 80)") Listen listen,
                    @Key(doc = "server_name (default _)") String serverName,
                    @Key(doc = "TLS certificate path on the nginx machine; enables HTTPS and the redirect") String certificate,
                    String certificateKey,
                    @Key(doc = "Where nginx accepts HTTPS: PORT or ADDRESS:PORT (default 443)") Listen tlsListen,
                    Integer keepalive, Duration connectTimeout, Duration readTimeout,
                    @Key(doc = "Retry on the next instance on error/502/503/504 (default true)") Boolean retry,
                    @Key(doc = "strategy proxy: the two instance ports (default service.port and the next)") List<Integer> ports,
                    @Key(doc = "strategy proxy: the upstream file on each host (default /etc/nginx/slipway/<name>.upstream.conf)") String upstreamFile) {}

    // ---- resolution ----------------------------------------------------------------------------

    private static final Pattern NAME = Pattern.compile("[A-Za-z0-9][A-Za-z0-9._-]*");
    private static final Pattern ENV_NAME = Pattern.compile("[A-Za-z_][A-Za-z0-9_]*");
    private static final Pattern UNIT = Pattern.compile("[A-Za-z0-9][A-Za-z0-9:_.@-]*");
    private static final Pattern SIZE = Pattern.compile("\\d+[KMGT]?|infinity");
    private static final Pattern PERCENT = Pattern.compile("\\d+%");

    /**
     * Resolves and validates the raw section.
     *
     * @param v       reports errors at the offending value's {@code file:line:col}
     * @param raw     the raw section, or {@code null} when absent
     * @param name    the service name
     * @param service the resolved {@code service} section (readiness and drain defaults)
     * @return the section, or {@code null} when {@code deploy.hosts} is absent
     * @throws ConfigException (exit 2) for a missing address, a bad value or a duplicate name
     */
    static HostsConfig resolve(ConfigLoader.Validator v, RawHosts raw, String name, SlipwayConfig.Service service) {
        if (raw == null) {
            return null;
        }
        String dir = raw.dir() == null ? "/opt/slipway/" + name : raw.dir();
        v.check(dir.startsWith("/") && !dir.contains("..") && !dir.endsWith("/") && !dir.contains("'"), "deploy.hosts.dir",
                "'" + dir + "' must be an absolute path without '..' or a trailing '/'");
        int defaultPort = raw.port() == null ? 22 : raw.port();
        v.check(defaultPort >= 1 && defaultPort <= 65535, "deploy.hosts.port", "port " + defaultPort + " is out of range 1-65535");
        String defaultUser = raw.user() == null ? "root" : raw.user();
        Path defaultKey = raw.identityFile() == null ? null : path(v, raw.identityFile());
        List<RawServer> rawServers = raw.servers() == null ? List.of() : raw.servers();
        v.check(!rawServers.isEmpty(), "deploy.hosts", "deploy.hosts needs 'servers', a list of at least one host with an 'address'");
        List<Server> servers = new ArrayList<>();
        Set<String> names = new HashSet<>();
        for (int i = 0; i < rawServers.size(); i++) {
            String at = "deploy.hosts.servers[" + i + "]";
            RawServer s = rawServers.get(i);
            v.check(s != null && s.address() != null, at, "a server needs an 'address'");
            v.check(ConfigLoader.isAddress(s.address()), at + ".address", "'" + s.address() + "' is not an IP address or host name");
            String n = s.name() == null ? s.address() : s.name();
            v.check(NAME.matcher(n).matches(), at + ".name", "'" + n + "' is not a valid name: letters, digits, '.', '_', '-'");
            v.check(names.add(n), s.name() == null ? at + ".address" : at + ".name",
                    "a second server named '" + n + "'; names must be unique");
            int port = s.port() == null ? defaultPort : s.port();
            v.check(port >= 1 && port <= 65535, at + ".port", "port " + port + " is out of range 1-65535");
            String bind = s.bind() == null ? "0.0.0.0" : s.bind();
            v.check(ConfigLoader.isAddress(bind), at + ".bind", "'" + bind + "' is not an IP address");
            servers.add(new Server(n, s.address(), port, s.user() == null ? defaultUser : s.user(),
                    s.identityFile() == null ? defaultKey : path(v, s.identityFile()),
                    s.roles() == null ? List.of() : List.copyOf(s.roles()), bind, env(v, at + ".env", s.env())));
        }

        RawRollout r = raw.rollout() == null ? new RawRollout(null, null, null, null, null, null, null, null) : raw.rollout();
        v.check(r.batchSize() == null || r.batchPercent() == null, "deploy.hosts.rollout.batchPercent",
                "set batchSize or batchPercent, not both");
        int batchSize = r.batchSize() == null ? (r.batchPercent() == null ? 1 : 0) : r.batchSize();
        int batchPercent = r.batchPercent() == null ? 0 : r.batchPercent();
        v.check(r.batchSize() == null || batchSize >= 1, "deploy.hosts.rollout.batchSize", "batchSize must be at least 1");
        v.check(r.batchPercent() == null || batchPercent >= 1 && batchPercent <= 100, "deploy.hosts.rollout.batchPercent",
                "batchPercent must be 1-100");
        SlipwayConfig.Probe gate = r.readiness() == null ? service.readiness()
                : ConfigLoader.probe(v, "deploy.hosts.rollout.readiness", r.readiness(), service.readiness());
        int retain = r.retain() == null ? 5 : r.retain();
        v.check(retain >= 2, "deploy.hosts.rollout.retain", "retain must be at least 2, so that the previous release stays for rollback");
        // strategy restart: a restarted instance is back in nginx's pool (the upstream of `slipway
        // render nginx`) only once fail_timeout has passed since its last refused request, which
        // may be after its gate passed; restarting the next batch before that leaves fewer
        // instances in the pool than batchSize implies, and a stray failure on the rest left none.
        String strategy = r.strategy() == null ? Rollout.RESTART : r.strategy();
        Duration delay = r.delay() != null ? r.delay()
                : strategy.equals(Rollout.RESTART) ? Rollout.UPSTREAM_FAIL_TIMEOUT : Duration.ZERO;
        Rollout rollout = new Rollout(batchSize, batchPercent, delay, gate, retain,
                r.drainTimeout() == null ? service.drainTimeout() : r.drainTimeout(),
                r.lockStaleAfter() == null ? Duration.ofMinutes(10) : r.lockStaleAfter(),
                strategy);
        v.check(r.strategy() == null || r.strategy().equals(Rollout.RESTART) || r.strategy().equals(Rollout.PROXY),
                "deploy.hosts.rollout.strategy", "'" + r.strategy() + "' is not a strategy: restart or proxy");
        if (service.readiness().process()) {
            // A service with no port: systemd runs it, the gate watches the unit; nginx has nothing to serve.
            v.checkKey(gate.process(), "deploy.hosts.rollout.readiness" + (v.keys().containsKey("deploy.hosts.rollout.readiness.type")
                    ? ".type" : ""), "service.readiness.type is process (a service with no port): the hosts gate cannot be a "
                    + gate.type().key() + " probe; write 'type: process' or remove deploy.hosts.rollout.readiness");
            v.check(!rollout.proxySwitch(), "deploy.hosts.rollout.strategy", "strategy proxy switches nginx between two"
                    + " instance ports, and a service with readiness type process listens on none: use strategy restart");
            v.checkKey(raw.proxy() == null, "deploy.hosts.proxy", "a service with readiness type process listens on no"
                    + " port: nginx has nothing to proxy to; remove deploy.hosts.proxy");
        }

        RawHostService s = raw.service() == null
                ? new RawHostService(null, null, null, null, null, null, null, null, null, null) : raw.service();
        String unit = s.unit() == null ? name : s.unit();
        v.check(UNIT.matcher(unit).matches() && !unit.endsWith(".service"), "deploy.hosts.service.unit",
                "'" + unit + "' is not a unit name (without .service)");
        if (s.user() != null) {
            v.check(NAME.matcher(s.user()).matches(), "deploy.hosts.service.user", "'" + s.user() + "' is not a user name");
        }
        List<String> secrets = s.secrets() == null ? List.of() : List.copyOf(s.secrets());
        for (int i = 0; i < secrets.size(); i++) {
            v.check(ENV_NAME.matcher(secrets.get(i)).matches(), "deploy.hosts.service.secrets[" + i + "]",
                    "'" + secrets.get(i) + "' is not an environment variable name");
        }
        List<String> rw = s.readWritePaths() == null ? List.of() : List.copyOf(s.readWritePaths());
        for (int i = 0; i < rw.size(); i++) {
            v.check(rw.get(i).startsWith("/") && !rw.get(i).contains(" "), "deploy.hosts.service.readWritePaths[" + i + "]",
                    "'" + rw.get(i) + "' must be an absolute path without spaces");
        }
        if (s.memoryMax() != null) {
            v.check(SIZE.matcher(s.memoryMax()).matches(), "deploy.hosts.service.memoryMax",
                    "'" + s.memoryMax() + "' is not a size such as 512M or 2G");
        }
        if (s.cpuQuota() != null) {
            v.check(PERCENT.matcher(s.cpuQuota()).matches(), "deploy.hosts.service.cpuQuota",
                    "'" + s.cpuQuota() + "' is not a percentage such as 150%");
        }
        int nofile = s.limitNofile() == null ? 65536 : s.limitNofile();
        v.check(nofile >= 64, "deploy.hosts.service.limitNofile", "limitNofile must be at least 64");
        HostService hostService = new HostService(unit, s.user(), env(v, "deploy.hosts.service.env", s.env()), secrets,
                s.secretsFile() == null ? null : path(v, s.secretsFile()), rw, s.memoryMax(), s.cpuQuota(),
                s.tasksMax() == null ? 0 : s.tasksMax(), nofile);

        RawProxy p = raw.proxy() == null ? new RawProxy(null, null, null, null, null, null, null, null, null, null, null) : raw.proxy();
        v.check(p.certificate() == null == (p.certificateKey() == null), "deploy.hosts.proxy",
                "set both certificate and certificateKey, or neither");
        Proxy proxy = new Proxy(p.listen() == null ? Listen.port(80) : p.listen(), p.serverName() == null ? "_" : p.serverName(),
                p.certificate(), p.certificateKey(), p.tlsListen() == null ? Listen.port(443) : p.tlsListen(),
                p.keepalive() == null ? 32 : p.keepalive(),
                p.connectTimeout() == null ? Duration.ofSeconds(2) : p.connectTimeout(),
                p.readTimeout() == null ? Duration.ofSeconds(60) : p.readTimeout(), p.retry() == null || p.retry(),
                p.ports() == null ? List.of(service.port(), service.port() + 1) : java.util.Collections.unmodifiableList(new ArrayList<>(p.ports())),
                p.upstreamFile() == null ? "/etc/nginx/slipway/" + name + ".upstream.conf" : p.upstreamFile());
        v.check(proxy.ports().size() == 2 && !proxy.ports().get(0).equals(proxy.ports().get(1))
                && proxy.ports().stream().allMatch(x -> x != null && x >= 1 && x <= 65535), "deploy.hosts.proxy.ports",
                "ports must be two different ports 1-65535, e.g. [18080, 18081]");
        if (raw.proxy() != null) {
            // The instances listen on every address of the host, so nginx's port (on any address) is not theirs:
            // service.port with strategy restart, the two ports with strategy proxy (or when written).
            Map<String, Integer> instancePorts = new LinkedHashMap<>();
            if (!rollout.proxySwitch()) {
                instancePorts.put("service.port", service.port());
            }
            if (rollout.proxySwitch() || p.ports() != null) {
                for (int i = 0; i < proxy.ports().size(); i++) {
                    instancePorts.put("deploy.hosts.proxy.ports[" + i + "]", proxy.ports().get(i));
                }
            }
            for (Map.Entry<String, Integer> e : instancePorts.entrySet()) {
                for (Listen nginx : proxy.certificate() == null ? List.of(proxy.listen()) : List.of(proxy.listen(), proxy.tlsListen())) {
                    v.check(e.getValue() != nginx.port(), e.getKey(), "port " + e.getValue() + " is nginx's (deploy.hosts.proxy."
                            + (nginx == proxy.listen() ? "listen" : "tlsListen") + "); the instances need "
                            + (e.getKey().equals("service.port") ? "another" : "two others"));
                }
            }
        }
        v.check(proxy.upstreamFile().startsWith("/") && !proxy.upstreamFile().contains("..")
                && !proxy.upstreamFile().contains("'") && !proxy.upstreamFile().contains(" "), "deploy.hosts.proxy.upstreamFile",
                "'" + proxy.upstreamFile() + "' must be an absolute path without '..', quotes or spaces");
        v.check(proxy.certificate() == null || !proxy.listen().equals(proxy.tlsListen()), "deploy.hosts.proxy.tlsListen",
                "HTTP and HTTPS both on " + proxy.listen() + "; nginx needs two ports (listen and tlsListen)");
        Path knownHosts = raw.knownHosts() == null ? Path.of(System.getProperty("user.home"), ".ssh", "known_hosts")
                : path(v, raw.knownHosts());
        return new HostsConfig(dir, List.copyOf(servers), rollout, hostService, proxy, knownHosts);
    }

    private static Map<String, String> env(ConfigLoader.Validator v, String at, Map<String, String> raw) {
        if (raw == null) {
            return Map.of();
        }
        Map<String, String> out = new LinkedHashMap<>();
        for (var e : raw.entrySet()) {
            v.checkKey(ENV_NAME.matcher(e.getKey()).matches(), at + "." + e.getKey(),
                    "'" + e.getKey() + "' is not an environment variable name: use letters, digits and '_', not starting with a digit");
            v.check(e.getValue() != null, at + "." + e.getKey(), "an environment value is empty; write \"\" for an empty string");
            ConfigLoader.envValue(v, at + "." + e.getKey(), e.getValue());
            out.put(e.getKey(), e.getValue());
        }
        return java.util.Collections.unmodifiableMap(out);
    }

    static Path path(ConfigLoader.Validator v, String text) {
        String t = text.startsWith("~/") ? System.getProperty("user.home") + text.substring(1) : text;
        Path p = Path.of(t);
        return p.isAbsolute() ? p : v.file().toAbsolutePath().getParent().resolve(p).normalize();
    }
}
