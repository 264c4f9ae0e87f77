package dev.slipway.init;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * The health endpoints a service's own code registers, found by reading its sources (Java and
 * Kotlin) for route registrations in the shapes framework starters and guides write, so that
 * {@code slipway init} can give an HTTP probe where the framework has no health module of its own:
 *
 * <ul>
 *   <li>route builders: Javalin {@code app.get("/health", ...)}, Spark {@code get("/health", ...)},
 *       Vert.x Web {@code router.get("/health")} and {@code router.route("/health")}, Helidon SE
 *       {@code routing.get("/health", ...)}, Ktor {@code get("/health") { ... }}, http4k
 *       {@code "/health" bind GET}; a Vert.x sub-router's routes under its mount point
 *       ({@code route("/api/*").subRouter(api)}, {@code mountSubRouter("/api", api)}, in the same file);
 *       a Vert.x Web prefix route ({@code router.get("/health*")}, {@code "/health/*"}: the path
 *       vertx-health-check's guide mounts its {@code HealthCheckHandler} on) at its prefix, which
 *       Vert.x's router matches as well ({@code GET /health} answers);</li>
 *   <li>the JDK's {@code HttpServer.createContext("/health", ...)};</li>
 *   <li>annotations: JAX-RS {@code @Path("health")} with {@code @GET}, Spring
 *       {@code @GetMapping("/health")} and {@code @RequestMapping}, Micronaut
 *       {@code @Controller("/health")} with {@code @Get}, and {@code @WebServlet("/health")}; a
 *       class-level path ({@code @Path}, {@code @RequestMapping}, {@code @Controller}) is joined
 *       with the method's.</li>
 * </ul>
 *
 * <p>Only the paths health checks conventionally use count: their last segment is a readiness
 * word ({@code ready}, {@code readyz}, {@code readiness}: Kubernetes' {@code /readyz}, MicroProfile
 * Health's {@code /health/ready}, Actuator's {@code /actuator/health/readiness}), a liveness word
 * ({@code live}, {@code livez}, {@code liveness}, {@code alive}) or a general one ({@code health},
 * {@code healthz}, {@code healthcheck}). A path with a parameter or a wildcard does not count, but
 * for a Vert.x Web prefix route in a file that uses {@code io.vertx.ext.web}.
 * This is a reading of the text, not a compilation: a route in a comment counts as well.
 */
public final class HealthRoutes {
    private HealthRoutes() {}

    /** What a health path tells: whether the app is ready for traffic, whether it is alive, or both at once. */
    public enum Kind { READINESS, HEALTH, LIVENESS }

    /**
     * One health route found in the sources.
     *
     * @param path  the full path, starting with {@code /}
     * @param kind  what its last segment says
     * @param file  the source file it is in (relative to the service directory)
     * @param shape how it is registered, e.g. {@code get("/health")} or {@code @Path}, for init's notes
     */
    public record Route(String path, Kind kind, String file, String shape) {
        /** @return {@code GET /health in FILE (get("/health"))}, for init's output */
        public String describe() {
            return "GET " + path + " in " + file + " (" + shape + ")";
        }
    }

    private static final Set<String> READY = Set.of("ready", "readyz", "readiness");
    private static final Set<String> LIVE = Set.of("live", "livez", "liveness", "alive");
    private static final Set<String> HEALTH = Set.of("health", "healthz", "healthcheck");

    /**
     * Route builders: {@code get("/x"}, {@code .get("/x"}, {@code route("/x"}, {@code route(HttpMethod.GET, "/x"},
     * {@code head("/x"}; group 1 the receiver ({@code api} in {@code api.get(}), when there is one.
     */
    private static final Pattern BUILDER = Pattern.compile(
            "(?:([\\w$]+)\\s*\\.\\s*)?(?<![\\w$])(get|head|route|createContext)\\s*\\(\\s*(?:HttpMethod\\s*\\.\\s*GET\\s*,\\s*)?\"(/[^\"]*)\"");
    /**
     * Vert.x Web sub-routers, whose routes answer under the mount point: {@code route("/api/*").subRouter(api)}
     * (Vert.x 4.2+) and {@code mountSubRouter("/api", api)} (Vert.x 3, 4); group 1 or 3 the mount point,
     * group 2 or 4 the sub-router's variable.
     */
    private static final Pattern SUB_ROUTER = Pattern.compile(
            "\\broute\\s*\\(\\s*\"(/[^\"*]*)\\*?\"\\s*\\)\\s*\\.\\s*subRouter\\s*\\(\\s*([\\w$]+)\\s*\\)"
                    + "|\\bmountSubRouter\\s*\\(\\s*\"(/[^\"]*)\"\\s*,\\s*([\\w$]+)\\s*\\)");
    /**
     * A Vert.x Web prefix route, {@code /health*} or {@code /health/*}: Vert.x's router matches it
     * for the prefix itself too ({@code /health}), so a handler mounted there answers at the prefix;
     * group 1 the prefix. Other frameworks' wildcards (Javalin's {@code /health/*}) need not match it.
     */
    private static final Pattern VERTX_PREFIX_ROUTE = Pattern.compile("(/[^*{}:]*?)/?\\*");
    /** http4k: {@code "/health" bind GET}. */
    private static final Pattern HTTP4K = Pattern.compile("\"(/[^\"]*)\"\\s+bind\\s+(?:Method\\s*\\.\\s*)?GET\\b");
    /** The annotations that carry or mark a route, with their arguments when they have some. */
    private static final Pattern ANNOTATION = Pattern.compile(
            "@(?:[\\w.]+\\.)?(Path|GetMapping|RequestMapping|Controller|RestController|Get|GET|WebServlet)\\b"
                    + "(?:\\s*\\(([^()]*)\\))?");
    private static final Pattern NAMED_PATH = Pattern.compile(
            "\\b(?:value|path|urlPatterns|uri|uris)\\s*=\\s*(?:\\{\\s*|\\[\\s*)?\"([^\"]*)\"");
    private static final Pattern LEADING_LITERAL = Pattern.compile("^\\s*(?:\\{\\s*|\\[\\s*)?\"([^\"]*)\"");
    private static final Pattern TYPE_DECL = Pattern.compile("\\b(?:class|interface|object)\\s+\\w+");

    /**
     * Finds the health routes in the sources.
     *
     * @param sources source file (relative to the service directory) to its text, in path order
     * @return the routes, in file order then text order, each path once
     */
    public static List<Route> find(Map<String, String> sources) {
        List<Route> out = new ArrayList<>();
        for (Map.Entry<String, String> e : sources.entrySet()) {
            String text = e.getValue();
            Map<String, String> mounts = new java.util.HashMap<>();
            Matcher m = SUB_ROUTER.matcher(text);
            while (m.find()) {
                mounts.put(m.group(2) != null ? m.group(2) : m.group(4), m.group(1) != null ? m.group(1) : m.group(3));
            }
            boolean vertxWeb = text.contains("io.vertx.ext.web");
            Matcher b = BUILDER.matcher(text);
            while (b.find()) {
                String mount = b.group(1) == null ? null : mounts.get(b.group(1));
                String shape = b.group(2) + "(\"" + b.group(3) + "\")";
                Matcher prefix = VERTX_PREFIX_ROUTE.matcher(b.group(3));
                String path = vertxWeb && prefix.matches() && !prefix.group(1).isEmpty() ? prefix.group(1) : b.group(3);
                add(out, mount == null ? path : join(mount, path), e.getKey(),
                        mount == null ? shape : shape + " on a sub-router mounted at " + mount);
            }
            Matcher h = HTTP4K.matcher(text);
            while (h.find()) {
                add(out, h.group(1), e.getKey(), "\"" + h.group(1) + "\" bind GET");
            }
            annotated(out, e.getKey(), text);
        }
        return out;
    }

    /**
     * Routes declared with annotations: the class-level path (annotations before the type's
     * declaration) joined with each GET method's (a run of annotations with only white space
     * between them belongs to one method).
     */
    private static void annotated(List<Route> out, String file, String text) {
        Matcher type = TYPE_DECL.matcher(text);
        int typeAt = type.find() ? type.start() : -1;
        record Ann(String name, String args) {}
        String prefix = "";
        List<List<Ann>> blocks = new ArrayList<>();
        List<Ann> block = null;
        int lastEnd = -1;
        Matcher a = ANNOTATION.matcher(text);
        while (a.find()) {
            if (a.start() < typeAt) {
                String name = a.group(1);
                if (name.equals("WebServlet")) {
                    String p = path(a.group(2));
                    if (p != null) {
                        add(out, p, file, "@WebServlet");
                    }
                } else if (!name.equals("GET") && !name.equals("Get") && !name.equals("GetMapping")) {
                    String p = path(a.group(2));
                    prefix = p == null ? prefix : p;
                }
                continue;
            }
            if (block == null || !text.substring(lastEnd, a.start()).isBlank()) {
                block = new ArrayList<>();
                blocks.add(block);
            }
            block.add(new Ann(a.group(1), a.group(2)));
            lastEnd = a.end();
        }
        for (List<Ann> annotations : blocks) {
            boolean get = false;
            String path = null;
            String shape = null;
            for (Ann m : annotations) {
                String name = m.name();
                String p = path(m.args());
                switch (name) {
                    case "GET", "Get", "GetMapping" -> {
                        get = true;
                        shape = "@" + name;
                        path = p != null ? p : path;
                    }
                    case "RequestMapping" -> {
                        String args = m.args() == null ? "" : m.args();
                        if (!args.contains("method") || args.matches("(?s).*\\bGET\\b.*")) {
                            get = true;
                            shape = "@RequestMapping";
                        }
                        path = p != null ? p : path;
                    }
                    case "Path" -> {
                        path = p != null ? p : path;
                        shape = shape == null ? "@Path" : shape;
                    }
                    default -> { }
                }
            }
            if (get) {
                add(out, join(prefix, path == null ? "" : path), file, shape);
            }
        }
    }

    /** @return the path an annotation's arguments give ({@code "x"}, {@code value = "x"}, {@code path = {"x"}}), or {@code null} */
    private static String path(String args) {
        if (args == null) {
            return null;
        }
        Matcher named = NAMED_PATH.matcher(args);
        if (named.find()) {
            return named.group(1);
        }
        Matcher lead = LEADING_LITERAL.matcher(args);
        return lead.find() ? lead.group(1) : null;
    }

    private static String join(String prefix, String path) {
        String a = prefix.replaceAll("/+$", "");
        String b = path.replaceAll("^/+", "");
        String joined = (a.isEmpty() ? "" : (a.startsWith("/") ? a : "/" + a)) + (b.isEmpty() ? "" : "/" + b);
        return joined.isEmpty() ? "/" : joined;
    }

    private static void add(List<Route> out, String path, String file, String shape) {
        String p = path.startsWith("/") ? path : "/" + path;
        if (p.matches(".*[{}*:<>?\\s].*") || p.length() > 200) {
            return; // a parameter, a wildcard or a query: not a fixed path a probe can request
        }
        String last = p.replaceAll("/+$", "");
        last = last.substring(last.lastIndexOf('/') + 1).toLowerCase(Locale.ROOT);
        Kind kind = READY.contains(last) ? Kind.READINESS : LIVE.contains(last) ? Kind.LIVENESS
                : HEALTH.contains(last) ? Kind.HEALTH : null;
        if (kind == null || out.stream().anyMatch(r -> r.path().equals(p))) {
            return;
        }
        out.add(new Route(p, kind, file, shape));
    }

    /**
     * The route for the readiness probe: a readiness path first, else a general health path; a
     * liveness path alone is no readiness (an app alive but not ready would get traffic).
     *
     * @param routes what {@link #find} returned
     * @return the route, or {@code null} when none fits
     */
    public static Route readiness(List<Route> routes) {
        return first(routes, Kind.READINESS, Kind.HEALTH);
    }

    /**
     * The route for the liveness probe: a liveness path first, else a general health path; a
     * readiness path is no liveness (a restart would not make a dependency come back).
     *
     * @param routes what {@link #find} returned
     * @return the route, or {@code null} when none fits
     */
    public static Route liveness(List<Route> routes) {
        return first(routes, Kind.LIVENESS, Kind.HEALTH);
    }

    private static Route first(List<Route> routes, Kind... kinds) {
        for (Kind k : kinds) {
            for (Route r : routes) {
                if (r.kind() == k) {
                    return r;
                }
            }
        }
        return null;
    }
}
