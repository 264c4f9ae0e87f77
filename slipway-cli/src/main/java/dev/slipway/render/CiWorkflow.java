package dev.slipway.render;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.init.Project;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The GitHub Actions workflow that {@code slipway render ci} writes to
 * {@code .github/workflows/release.yml}: lint, test, release, image and deploy jobs (GitHub's
 * workflow syntax: https://docs.github.com/actions/reference/workflow-syntax-for-github-actions).
 *
 * <p>Job graph: {@code lint -> test -> release -> image -> deploy}. Pull requests run lint and
 * test; pushes to the main branch also make a snapshot release and image; tags {@code v*} make
 * the release, push the image and deploy behind a GitHub environment. Credentials are referenced
 * as {@code ${{ secrets.NAME }}}, never written into the file. Every line stays within 80
 * characters so that yamllint's default rules pass.
 */
public final class CiWorkflow {
    /** Where the workflow goes, relative to the repository root. */
    public static final String PATH = ".github/workflows/release.yml";

    /** The JaCoCo Maven plugin the test job runs (coverage without editing the POM). */
    public static final String JACOCO = "org.jacoco:jacoco-maven-plugin:0.8.15";

    private CiWorkflow() {}

    /**
     * Choices the project's files do not answer.
     *
     * @param branch       the main branch (snapshot releases)
     * @param environment  the GitHub environment guarding deploys (configure required reviewers on it)
     * @param deployTarget the {@code slipway deploy --to} target
     */
    public record Options(String branch, String environment, String deployTarget) {}

    /**
     * Renders the workflow.
     *
     * @param config   the service's configuration
     * @param project  what the POMs say (JDK release, PostgreSQL)
     * @param repoRoot the repository root (where {@code .github/} lives)
     * @param options  branch, environment and deploy target
     * @return the YAML text
     */
    public static String render(SlipwayConfig config, Project project, Path repoRoot, Options options) {
        String service = rel(repoRoot, config.serviceDir());
        String reactor = rel(repoRoot, project.rootDir());
        String pom = reactor.equals(".") ? "" : " -f " + reactor + "/pom.xml";
        String distPath = (service.equals(".") ? "" : service + "/") + "dist/";
        int jdk = Math.max(project.jdk(), 17);
        StringBuilder y = new StringBuilder();
        y.append("""
                ---
                # CI/CD for %1$s, written by 'slipway render ci' from slipway.yaml.
                # Pull requests: lint, test. Pushes to %2$s: also a snapshot release and
                # image. Tags v*: release, image, then deploy after approval.
                #
                # Secrets (repository settings, Actions secrets):
                #   REGISTRY_USERNAME, REGISTRY_PASSWORD  push the image
                #   %6$s
                # Variables: SLIPWAY_INSTALL_URL, where CI downloads the slipway file.
                # Give the '%3$s' environment required reviewers (repository
                # settings, Environments): the deploy job waits for their approval.
                name: release

                "on":
                  push:
                    branches: [%2$s]
                    tags: ["v*"]
                  pull_request:
                    branches: [%2$s]

                permissions:
                  contents: read

                # One run per ref; a newer push cancels an older pull request run.
                concurrency:
                  group: ${{ github.workflow }}-${{ github.ref }}
                  cancel-in-progress: ${{ github.event_name == 'pull_request' }}

                env:
                  JAVA_VERSION: "%4$d"
                  SERVICE_DIR: %5$s

                jobs:
                  lint:
                    runs-on: ubuntu-latest
                    steps:
                """.formatted(config.name(), options.branch(), options.environment(), jdk, service,
                options.deployTarget().equals("kubernetes")
                        ? "KUBECONFIG                            deploy to the cluster"
                        : "SLIPWAY_SSH_KEY, SLIPWAY_KNOWN_HOSTS   deploy to the hosts"));
        setup(y, false);
        y.append("""
                      - name: Compile; compiler warnings are errors
                        run: >-
                          mvn -B%s verify -DskipTests
                          -Dmaven.compiler.showWarnings=true
                          -Dmaven.compiler.failOnWarning=true

                  test:
                    needs: lint
                    runs-on: ubuntu-latest
                """.formatted(pom));
        if (project.postgres()) {
            y.append("""
                        services:
                          postgres:
                            image: postgres:16
                            env:
                              # Throwaway database of this job only: no password.
                              POSTGRES_HOST_AUTH_METHOD: trust
                            ports: ["5432:5432"]
                            options: >-
                              --health-cmd pg_isready
                              --health-interval 5s
                              --health-timeout 5s
                              --health-retries 10
                        env:
                          DATABASE_URL: postgres://postgres@localhost:5432/postgres
                          PGHOST: localhost
                          PGPORT: "5432"
                          PGUSER: postgres
                          PGDATABASE: postgres
                    """);
        }
        y.append("    steps:\n");
        setup(y, false);
        y.append("""
                      - name: Test with JaCoCo coverage
                        run: >-
                          mvn -B%s
                          %s:prepare-agent
                          verify
                          %s:report
                      - name: Keep the coverage report
                        uses: actions/upload-artifact@v4
                        with:
                          name: coverage
                          path: "**/target/site/jacoco/"

                  release:
                    needs: [lint, test]
                    if: github.event_name == 'push'
                    runs-on: ubuntu-latest
                    permissions:
                      contents: write
                    steps:
                """.formatted(pom, JACOCO, JACOCO));
        setup(y, true);
        y.append("""
                      - name: slipway release (tag)
                        if: startsWith(github.ref, 'refs/tags/')
                        run: slipway release "$SERVICE_DIR"
                        env:
                          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
                      - name: slipway release --snapshot (%s)
                        if: "!startsWith(github.ref, 'refs/tags/')"
                        run: slipway release --snapshot "$SERVICE_DIR"
                      - name: Keep the release for the next jobs
                        uses: actions/upload-artifact@v4
                        with:
                          name: dist
                          path: %s

                  image:
                    needs: release
                    runs-on: ubuntu-latest
                    permissions:
                      contents: read
                      packages: write
                    steps:
                """.formatted(options.branch(), distPath));
        setup(y, true);
        download(y, distPath);
        y.append("""
                %s
                  deploy:
                    needs: [release, image]
                    if: startsWith(github.ref, 'refs/tags/')
                    runs-on: ubuntu-latest
                    # Required reviewers on this environment approve each deploy.
                    environment: %s
                    # Deploys never overlap and are never cancelled half-way.
                    concurrency:
                      group: deploy-%s
                      cancel-in-progress: false
                    steps:
                """.formatted(imageStep(config), options.environment(), options.environment()));
        setup(y, true);
        download(y, distPath);
        if (options.deployTarget().equals("kubernetes")) {
            y.append("""
                          - name: The cluster's kubeconfig
                            run: |
                              install -d -m 700 ~/.kube
                              printf '%s\\n' "$KUBECONFIG_TEXT" > ~/.kube/config
                              chmod 600 ~/.kube/config
                            env:
                              KUBECONFIG_TEXT: ${{ secrets.KUBECONFIG }}
                    """);
        } else {
            y.append("""
                          - name: SSH key and known host keys of the servers
                            run: |
                              install -d -m 700 ~/.ssh
                              printf '%s\\n' "$SSH_KEY" > ~/.ssh/id_ed25519
                              chmod 600 ~/.ssh/id_ed25519
                              printf '%s\\n' "$KNOWN_HOSTS" > ~/.ssh/known_hosts
                            env:
                              SSH_KEY: ${{ secrets.SLIPWAY_SSH_KEY }}
                              KNOWN_HOSTS: ${{ secrets.SLIPWAY_KNOWN_HOSTS }}
                    """);
        }
        y.append("""
                      - name: slipway deploy --to %s
                        run: slipway deploy "$SERVICE_DIR" --to %s
                """.formatted(options.deployTarget(), options.deployTarget()));
        return y.toString();
    }

    /**
     * The image job's last step: push to {@code image.repository} when it is set, else only build
     * the image (a push needs a repository; the comment says where to set it).
     */
    private static String imageStep(SlipwayConfig config) {
        if (config.image() != null && config.image().repository() != null) {
            return """
                          - name: slipway image --push (to image.repository in slipway.yaml)
                            run: slipway image "$SERVICE_DIR" --push
                            env:
                              SLIPWAY_REGISTRY_USERNAME: ${{ secrets.REGISTRY_USERNAME }}
                              SLIPWAY_REGISTRY_PASSWORD: ${{ secrets.REGISTRY_PASSWORD }}
                    """;
        }
        return """
                      # Set image.repository in slipway.yaml and 'slipway render ci' again to
                      # push the image to a registry; until then it is only built.
                      - name: slipway image
                        run: slipway image "$SERVICE_DIR"
                """;
    }

    /** Checkout, JDK and the ~/.m2 cache; with {@code slipway}, full history and the CLI. */
    private static void setup(StringBuilder y, boolean slipway) {
        y.append("      - uses: actions/checkout@v4\n");
        if (slipway) {
            y.append("""
                            with:
                              # Tags and history: versions and the changelog come from git.
                              fetch-depth: 0
                    """);
        }
        y.append("""
                      - uses: actions/setup-java@v4
                        with:
                          distribution: temurin
                          java-version: ${{ env.JAVA_VERSION }}
                      - name: Cache ~/.m2
                        uses: actions/cache@v4
                        with:
                          path: ~/.m2/repository
                          key: m2-${{ runner.os }}-${{ hashFiles('**/pom.xml') }}
                          restore-keys: m2-${{ runner.os }}-
                """);
        if (slipway) {
            y.append("""
                          - name: Install slipway
                            run: |
                              mkdir -p "$HOME/.local/bin"
                              curl -fsSL -o "$HOME/.local/bin/slipway" "$SLIPWAY_INSTALL_URL"
                              chmod +x "$HOME/.local/bin/slipway"
                              echo "$HOME/.local/bin" >> "$GITHUB_PATH"
                            env:
                              SLIPWAY_INSTALL_URL: ${{ vars.SLIPWAY_INSTALL_URL }}
                    """);
        }
    }

    private static void download(StringBuilder y, String distPath) {
        y.append("""
                      - name: The release from the release job
                        uses: actions/download-artifact@v4
                        with:
                          name: dist
                          path: %s
                """.formatted(distPath));
    }

    private static String rel(Path root, Path dir) {
        String r = root.toAbsolutePath().normalize().relativize(dir.toAbsolutePath().normalize()).toString();
        return r.isEmpty() ? "." : r;
    }

    /**
     * The repository root: the nearest directory at or above {@code dir} holding {@code .git},
     * else {@code fallback}.
     *
     * @param dir      where to start
     * @param fallback used outside git
     * @return the root
     */
    public static Path repoRoot(Path dir, Path fallback) {
        for (Path p = dir.toAbsolutePath().normalize(); p != null; p = p.getParent()) {
            if (Files.exists(p.resolve(".git"))) {
                return p;
            }
        }
        return fallback;
    }
}
