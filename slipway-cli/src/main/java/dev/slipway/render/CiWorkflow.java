package dev.slipway.render;

import dev.slipway.config.SlipwayConfig;
import dev.slipway.init.Project;
import java.nio.file.Files;
import java.nio.file.Path;

/**
 * The GitHub Actions workflow that {@code slipway render ci} writes to
 * {@code .github/workflows/release.yml}: lint, test, release and deploy jobs (GitHub's workflow
 * syntax: https://docs.github.com/actions/reference/workflow-syntax-for-github-actions).
 *
 * <p>Job graph: {@code lint -> test -> release -> deploy}. Pull requests run lint and test; pushes
 * to the main branch also make a snapshot release (with its image when {@code image.repository} is
 * set; a snapshot is never pushed); tags {@code v*} make the release, push the image (the release
 * records the pushed digest in {@code dist/artifacts.json}) and deploy behind a GitHub environment.
 * The release job hands {@code dist/} to the deploy job as one tar, so the single files keep their
 * mode (artifact uploads drop file permissions): the hosts target gets its single files, the
 * kubernetes target the image digest. Slipway itself is installed from a pinned release: the
 * {@code slipway_VERSION_linux_amd64.tar.gz} archive of {@code SLIPWAY_RELEASE_URL} (Slipway's
 * own {@code slipway release}: the layout with {@code bin/slipway} under a top directory of the
 * archive's name), checked against that release's {@code checksums.txt} with {@code sha256sum -c}. Credentials are
 * referenced as {@code ${{ secrets.NAME }}}, never written into the file. Every line stays within
 * 80 characters so that yamllint's default rules pass.
 */
public final class CiWorkflow {
    /** Where the workflow goes, relative to the repository root. */
    public static final String PATH = ".github/workflows/release.yml";

    /** The JaCoCo Maven plugin the test job runs (coverage without editing the POM). */
    public static final String JACOCO = "org.jacoco:jacoco-maven-plugin:0.8.15";

    /** The workflow variable the release URL comes from when {@code --slipway-url} is not given. */
    public static final String URL_VARIABLE = "${{ vars.SLIPWAY_RELEASE_URL }}";

    /** The file the release job hands to the deploy job: {@code dist/} as a tar (modes kept). */
    public static final String DIST_TAR = "slipway-dist.tar";

    private CiWorkflow() {}

    /**
     * Choices the project's files do not answer.
     *
     * @param branch         the main branch (snapshot releases)
     * @param environment    the GitHub environment guarding deploys (configure required reviewers on it)
     * @param deployTarget   the {@code slipway deploy --to} target: {@code hosts} or {@code kubernetes}
     * @param slipwayVersion the Slipway release CI installs, e.g. {@code 0.2.0}
     * @param slipwayUrl     where that release's files are (a directory URL holding the archive and
     *                       {@code checksums.txt}), or {@link #URL_VARIABLE}
     */
    public record Options(String branch, String environment, String deployTarget, String slipwayVersion,
                          String slipwayUrl) {}

    /**
     * Renders the workflow.
     *
     * @param config   the service's configuration
     * @param project  what the POMs say (JDK release, PostgreSQL)
     * @param repoRoot the repository root (where {@code .github/} lives)
     * @param options  branch, environment, deploy target and the Slipway release
     * @return the YAML text
     */
    public static String render(SlipwayConfig config, Project project, Path repoRoot, Options options) {
        String service = rel(repoRoot, config.serviceDir());
        String reactor = rel(repoRoot, project.rootDir());
        String pom = reactor.equals(".") ? "" : " -f " + reactor + "/pom.xml";
        int jdk = Math.max(project.jdk(), 17);
        boolean kubernetes = options.deployTarget().equals("kubernetes");
        boolean image = config.image() != null && config.image().repository() != null;
        StringBuilder y = new StringBuilder();
        y.append("""
                ---
                # CI/CD for %1$s, written by 'slipway render ci' from slipway.yaml.
                # Pull requests: lint, test. Pushes to %2$s: also a snapshot release.
                # Tags v*: release, then deploy after approval.%7$s
                #
                # Secrets (repository settings, Actions secrets):
                #   REGISTRY_USERNAME, REGISTRY_PASSWORD  push the image
                #   %6$s
                # Slipway comes from SLIPWAY_RELEASE_URL below (default: the variable
                # SLIPWAY_RELEASE_URL): the directory of the Slipway release
                # SLIPWAY_VERSION, holding its archives and checksums.txt.
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
                  SLIPWAY_VERSION: "%8$s"
                  SLIPWAY_RELEASE_URL: %9$s

                jobs:
                  lint:
                    runs-on: ubuntu-latest
                    steps:
                """.formatted(config.name(), options.branch(), options.environment(), jdk, service,
                kubernetes ? "KUBECONFIG                            deploy to the cluster"
                        : "SLIPWAY_SSH_KEY, SLIPWAY_KNOWN_HOSTS   deploy to the hosts",
                image ? "\n# The release makes the image (image.repository); tags push it." : "",
                options.slipwayVersion(),
                options.slipwayUrl()));
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
        postgresService(y, project, "The tests need the database.");
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
                """.formatted(pom, JACOCO, JACOCO));
        postgresService(y, project, "The release's training run starts the app: it needs the database too.");
        y.append("    steps:\n");
        setup(y, true);
        y.append("""
                      - name: slipway release (tag)%s
                        if: startsWith(github.ref, 'refs/tags/')
                        run: slipway release "$SERVICE_DIR"
                        env:
                          GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}
                %s      - name: slipway release --snapshot (%s)
                        if: "!startsWith(github.ref, 'refs/tags/')"
                        run: slipway release --snapshot "$SERVICE_DIR"
                      # One tar: an artifact upload drops file modes, the tar keeps
                      # the single files executable.
                      - name: dist/ as one tar for the deploy job
                        run: tar -C "$SERVICE_DIR" -cf %s dist
                      - name: Keep the release for the deploy job
                        uses: actions/upload-artifact@v4
                        with:
                          name: dist
                          path: %s
                          retention-days: 7

                  deploy:
                    needs: release
                    if: startsWith(github.ref, 'refs/tags/')
                    runs-on: ubuntu-latest
                    # Required reviewers on this environment approve each deploy.
                    environment: %s
                    # Deploys never overlap and are never cancelled half-way.
                    concurrency:
                      group: deploy-%s
                      cancel-in-progress: false
                    steps:
                """.formatted(image ? ", image pushed to image.repository" : "",
                image ? """
                                  SLIPWAY_REGISTRY_USERNAME: ${{ secrets.REGISTRY_USERNAME }}
                                  SLIPWAY_REGISTRY_PASSWORD: ${{ secrets.REGISTRY_PASSWORD }}
                        """ : "",
                options.branch(), DIST_TAR, DIST_TAR, options.environment(), options.environment()));
        setup(y, true);
        y.append("""
                      - name: The release from the release job
                        uses: actions/download-artifact@v4
                        with:
                          name: dist
                      - name: Unpack dist/ (%s)
                        run: tar -C "$SERVICE_DIR" -xf %s
                """.formatted(kubernetes ? "the image digest in dist/artifacts.json" : "the single files", DIST_TAR));
        if (kubernetes) {
            y.append("""
                          # $KUBECONFIG names the file: the JVM's user.home need not be $HOME.
                          - name: The cluster's kubeconfig
                            run: |
                              install -m 600 /dev/null "$RUNNER_TEMP/kubeconfig"
                              printf '%s\\n' "$KUBECONFIG_TEXT" > "$RUNNER_TEMP/kubeconfig"
                              echo "KUBECONFIG=$RUNNER_TEMP/kubeconfig" >> "$GITHUB_ENV"
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
     * Checkout, JDK and the ~/.m2 cache; with {@code slipway}, full history and Slipway installed
     * from the pinned release, its archive checked against the release's {@code checksums.txt}.
     */
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
                          - name: Install slipway ${{ env.SLIPWAY_VERSION }}, checksum verified
                            run: |
                              top="slipway_${SLIPWAY_VERSION}_linux_amd64"
                              dir="$HOME/.local/lib/slipway"
                              mkdir -p "$dir"
                              cd "$dir"
                              curl -fsSL -o checksums.txt "$SLIPWAY_RELEASE_URL/checksums.txt"
                              curl -fsSL -o "$top.tar.gz" "$SLIPWAY_RELEASE_URL/$top.tar.gz"
                              awk -v f="$top.tar.gz" '$2 == f' checksums.txt > sum
                              if [ ! -s sum ]; then
                                echo "no sha256 of $top.tar.gz in checksums.txt" >&2
                                exit 1
                              fi
                              sha256sum -c sum
                              tar -xzf "$top.tar.gz"
                              echo "$dir/$top/bin" >> "$GITHUB_PATH"
                              "$dir/$top/bin/slipway" version
                    """);
        }
    }

    /**
     * A job's PostgreSQL, when the project depends on the driver: a {@code postgres:16} service
     * container with trust authentication (a throwaway database of this job: no password to keep),
     * its connection as {@code DATABASE_URL} and libpq's {@code PG*} variables, and for Spring Boot,
     * Quarkus and Micronaut as the URL and user variables the framework binds to its connection
     * ({@link dev.slipway.init.DatabaseVariables}: {@code SPRING_DATASOURCE_URL},
     * {@code QUARKUS_DATASOURCE_JDBC_URL}, {@code DATASOURCES_DEFAULT_URL}): their starters configure
     * none for production, so the release's training run (and Spring Boot's tests) stop without them.
     *
     * @param y       the workflow so far, at a job's keys
     * @param project the project
     * @param why     the comment that says why the job needs it
     */
    private static void postgresService(StringBuilder y, Project project, String why) {
        if (!project.postgres()) {
            return;
        }
        y.append("""
                    # %s
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
                """.formatted(why));
        dev.slipway.init.DatabaseVariables.of(project.framework()).ifPresent(v -> y.append("""
                      %s: jdbc:postgresql://localhost:5432/postgres
                      %s: postgres
                """.formatted(v.url(), v.username())));
    }

    /**
     * @return the version of the Slipway running now (Maven's {@code project.version}, filtered into
     *         {@code slipway-version.properties}), or {@code dev} outside a Maven build
     */
    public static String runningVersion() {
        java.util.Properties p = new java.util.Properties();
        try (var in = CiWorkflow.class.getResourceAsStream("/dev/slipway/slipway-version.properties")) {
            if (in != null) {
                p.load(in);
            }
        } catch (java.io.IOException e) {
            return "dev";
        }
        return p.getProperty("version", "dev");
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
