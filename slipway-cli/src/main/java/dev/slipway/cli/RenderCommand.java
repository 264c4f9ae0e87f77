package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import dev.slipway.config.SlipwayConfig;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/**
 * {@code slipway render KIND}: files generated from slipway.yaml. The kinds are this command's
 * subcommands: to add one, write a {@link Kind} subclass (or any picocli command) and add it to
 * the {@code subcommands} list below; {@code render --help} lists it.
 */
@Command(name = "render", footerHeading = "%nExample:%n",
        footer = {"  slipway render ci examples/myapp --stdout", "  slipway render dockerfile examples/myapp --stdout > Dockerfile",
                "  slipway render kubernetes examples/myapp --stdout"},
        commandListHeading = "%nKinds:%n",
        description = "Write a file generated from slipway.yaml (CI workflow, and the kinds listed below).",
        subcommands = {RenderCommand.Ci.class, RenderCommand.DockerfileKind.class, RenderCommand.Systemd.class,
            RenderCommand.Nginx.class, RenderCommand.Kubernetes.class})
public final class RenderCommand extends GroupCommand {
    @Override
    String noun() {
        return "kind";
    }

    /**
     * A render kind: renders one file from the configuration; writes it (never over a different
     * file without {@code --force}) or prints it with {@code --stdout}.
     */
    public abstract static class Kind implements Runnable {
        @Mixin
        ServiceArg service;

        @Option(names = "--stdout", description = "Print the file instead of writing it.")
        boolean stdout;

        @Option(names = "--force", description = "Overwrite the file when it exists and differs.")
        boolean force;

        @Option(names = {"-o", "--output"}, paramLabel = "FILE", description = "Write here instead of the default path.")
        Path output;

        @CommandLine.Spec
        CommandLine.Model.CommandSpec spec;

        /**
         * @param config the loaded configuration
         * @return the default file to write (absolute), or {@code null} for a file that belongs on
         *         another machine (a unit, an nginx site): it is printed unless {@code -o} is given
         */
        abstract Path defaultPath(SlipwayConfig config);

        /**
         * @param config the loaded configuration
         * @return the file's text
         */
        abstract String render(SlipwayConfig config);

        @Override
        public void run() {
            SlipwayConfig config = service.load();
            String text = render(config);
            Console console = SlipwayCli.console(spec);
            if (stdout || output == null && defaultPath(config) == null) {
                console.out().print(text);
                console.out().flush();
                return;
            }
            Path file = output != null ? output.toAbsolutePath().normalize() : defaultPath(config);
            try {
                if (Files.exists(file)) {
                    if (Files.readString(file).equals(text)) {
                        console.println(file + " is up to date");
                        return;
                    }
                    if (!force) {
                        throw SlipwayException.usage(file + " exists and differs; use --force to overwrite it"
                                + " (or --stdout to compare)");
                    }
                }
                Files.createDirectories(file.getParent());
                Path tmp = Files.createTempFile(file.getParent(), ".slipway-render", ".tmp");
                Files.writeString(tmp, text);
                Files.move(tmp, file, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
            } catch (IOException e) {
                throw SlipwayException.failed("cannot write " + file + ": " + e.getMessage(), e);
            }
            console.println("wrote " + file);
        }
    }

    /** {@code slipway render ci}: the GitHub Actions workflow. */
    @Command(name = "ci", footerHeading = "%nExample:%n",
            footer = {"  slipway render ci examples/myapp --deploy-target hosts --environment production"},
            description = {"GitHub Actions workflow .github/workflows/release.yml: lint (warnings are errors),"
                    + " test (PostgreSQL service when the project uses it, JaCoCo), release (tags; --snapshot on"
                    + " the main branch; the image when image.repository is set, pushed on tags), deploy (behind a GitHub"
                    + " environment with required reviewers). CI installs Slipway from a pinned release, checksum verified.",
                "Written at the repository root (the nearest directory with .git)."})
    public static final class Ci extends Kind {
        @Option(names = "--branch", defaultValue = "main", paramLabel = "BRANCH",
                description = "The main branch: snapshot releases and images (default: main).")
        String branch;

        @Option(names = "--environment", defaultValue = "production", paramLabel = "NAME",
                description = "The GitHub environment that guards deploys (default: production).")
        String environment;

        @Option(names = "--deploy-target", paramLabel = "TARGET", completionCandidates = Candidates.CiTarget.class,
                description = "The target of 'slipway deploy --to': hosts or kubernetes (default: the one slipway.yaml"
                        + " configures; hosts when it configures neither or both).")
        String deployTarget;

        @Option(names = "--slipway-version", paramLabel = "VERSION",
                description = "The Slipway release CI installs (default: this Slipway's version).")
        String slipwayVersion;

        @Option(names = "--slipway-url", paramLabel = "URL",
                description = "Where that release's archives and checksums.txt are (default: the workflow variable"
                        + " SLIPWAY_RELEASE_URL).")
        String slipwayUrl;

        @Override
        Path defaultPath(SlipwayConfig config) {
            return repoRoot(config).resolve(dev.slipway.render.CiWorkflow.PATH);
        }

        @Override
        String render(SlipwayConfig config) {
            String target = deployTarget != null ? deployTarget
                    : config.kubernetes().configured() && config.hosts() == null ? "kubernetes" : "hosts";
            if (!Candidates.CiTarget.NAMES.contains(target)) {
                throw SlipwayException.usage("--deploy-target '" + target + "': CI deploys to hosts or kubernetes");
            }
            for (String[] v : new String[][] {{"--branch", branch}, {"--environment", environment}}) {
                if (!v[1].matches("[A-Za-z0-9][A-Za-z0-9._/-]*")) {
                    throw SlipwayException.usage(v[0] + " '" + v[1] + "' must be letters, digits, '.', '_', '/', '-'");
                }
            }
            var project = dev.slipway.init.Project.detect(config.serviceDir(),
                    config.main() != null ? config.main() : "(from slipway.yaml)");
            if (project.buildTool() == dev.slipway.init.Project.BuildTool.GRADLE) {
                throw SlipwayException.usage("render ci writes a Maven pipeline; " + project.serviceDir()
                        + " is a Gradle build: run 'slipway release' and 'slipway deploy' from your own workflow");
            }
            String version = slipwayVersion != null ? slipwayVersion : dev.slipway.render.CiWorkflow.runningVersion();
            if (!dev.slipway.util.Versions.isValid(version)) {
                throw SlipwayException.usage("--slipway-version '" + version + "' must be a version such as 0.2.0");
            }
            String url = slipwayUrl == null ? dev.slipway.render.CiWorkflow.URL_VARIABLE : slipwayUrl.replaceAll("/+$", "");
            if (slipwayUrl != null && !url.matches("(https?|file)://[^\\s'\"$`]+")) {
                throw SlipwayException.usage("--slipway-url '" + slipwayUrl + "' must be an http(s):// or file:// URL");
            }
            return dev.slipway.render.CiWorkflow.render(config, project, repoRoot(config),
                    new dev.slipway.render.CiWorkflow.Options(branch, environment, target, version, url));
        }

        private static Path repoRoot(SlipwayConfig config) {
            return dev.slipway.render.CiWorkflow.repoRoot(config.serviceDir(), config.serviceDir());
        }
    }

    /**
     * A kind rendered from {@code deploy.hosts}: its file belongs on a server, so it is printed unless
     * {@code -o} is given; without a {@code deploy.hosts} section it is a usage error.
     */
    abstract static class HostsKind extends Kind {
        @Override
        final Path defaultPath(SlipwayConfig config) {
            requireHosts(config);
            return null;
        }

        @Override
        final String render(SlipwayConfig config) {
            requireHosts(config);
            return renderHosts(config);
        }

        /**
         * @param config a configuration with {@code deploy.hosts}
         * @return the file's text
         */
        abstract String renderHosts(SlipwayConfig config);
    }

    /** {@code slipway render systemd}: the hosts target's unit file; printed unless {@code -o} is given. */
    @Command(name = "systemd", footerHeading = "%nExample:%n",
            footer = {"  slipway render systemd examples/myapp > myapp.service && systemd-analyze verify ./myapp.service"},
            description = "The systemd unit the hosts target installs (hardening, restart limits, graceful stop, reload"
                    + " with HUP), from deploy.hosts. Printed unless -o FILE is given.")
    public static final class Systemd extends HostsKind {
        @Override
        String renderHosts(SlipwayConfig config) {
            return dev.slipway.deploy.hosts.HostUnit.render(config);
        }
    }

    /** {@code slipway render nginx}: upstream and server blocks over the hosts; printed unless {@code -o} is given. */
    @Command(name = "nginx", footerHeading = "%nExample:%n",
            footer = {"  slipway render nginx examples/myapp -o /etc/nginx/conf.d/myapp.conf && nginx -t"},
            description = "An nginx site over the hosts target's instances: upstream with keepalive, X-Forwarded-*,"
                    + " websocket upgrade, timeouts, quiet health location, TLS with redirect and HSTS when"
                    + " deploy.hosts.proxy sets a certificate. Printed unless -o FILE is given.")
    public static final class Nginx extends HostsKind {
        @Override
        String renderHosts(SlipwayConfig config) {
            return dev.slipway.deploy.hosts.NginxConf.render(config);
        }
    }

    private static void requireHosts(SlipwayConfig config) {
        if (config.hosts() == null) {
            throw SlipwayException.usage(config.file() + ": no 'deploy.hosts' section; this kind renders the hosts"
                    + " target's settings: add deploy.hosts with the servers (see docs/hosts.md)");
        }
    }

    /** {@code slipway render dockerfile}: a multi-stage Dockerfile that builds the image {@code slipway image} builds. */
    @Command(name = "dockerfile", footerHeading = "%nExample:%n",
            footer = {"  slipway render dockerfile examples/myapp --stdout"},
            description = {"A multi-stage Dockerfile (JDK + Maven stage, 'slipway build' stage, scratch final stage, non-root)"
                    + " that builds the same image as 'slipway image', for users who build with Docker.",
                "Written as Dockerfile in the service directory. Not built in Slipway's CI (no Docker engine there)."})
    public static final class DockerfileKind extends Kind {
        @Override
        Path defaultPath(SlipwayConfig config) {
            return config.serviceDir().resolve("Dockerfile");
        }

        @Override
        String render(SlipwayConfig config) {
            return dev.slipway.render.Dockerfile.render(config);
        }
    }

    /**
     * {@code slipway render kubernetes}: the Deployment, Service, HPA and PodDisruptionBudget of the
     * release (docs/kubernetes.md), checked by {@link dev.slipway.deploy.kubernetes.ManifestCheck}
     * before they are written; default file {@code dist/kubernetes/<name>.yaml}.
     */
    @Command(name = "kubernetes", footerHeading = "%nExample:%n",
            footer = {"  slipway render kubernetes examples/myapp --stdout | kubectl apply --dry-run=server -f -"},
            description = "Kubernetes manifests (Deployment, Service, HPA, PDB) from deploy.kubernetes, for kubectl apply -f.")
    public static final class Kubernetes extends Kind {
        @Option(names = "--image", paramLabel = "NAME@sha256:DIGEST",
                description = "The image (default: deploy.kubernetes.image, then dist/artifacts.json).")
        String image;

        @Override
        Path defaultPath(SlipwayConfig config) {
            return config.dist().resolve("kubernetes/" + config.name() + ".yaml");
        }

        @Override
        String render(SlipwayConfig config) {
            String yaml = dev.slipway.deploy.kubernetes.Manifests.of(config,
                    dev.slipway.deploy.kubernetes.KubeRelease.resolve(config, image)).yaml();
            try {
                dev.slipway.deploy.kubernetes.ManifestCheck.parse(yaml);
            } catch (IllegalArgumentException e) {
                throw SlipwayException.failed("the rendered manifests do not pass the check (a Slipway bug):\n"
                        + e.getMessage());
            }
            return yaml;
        }
    }
}
