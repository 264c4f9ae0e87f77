package dev.slipway.cli;

import java.io.IOException;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import picocli.CommandLine;
import picocli.CommandLine.Command;

/**
 * {@code slipway train-cli} (hidden): the training run of Slipway's own single file. Slipway trains
 * every app's startup by running it once at build time ({@code train} in slipway.yaml); a CLI is
 * not a server, so the repository's {@code slipway.yaml} runs this command with {@code train.urls: []},
 * and it runs the commands that must start at once: {@code --help}, {@code version}, {@code check}
 * (a good and a broken file), {@code status} and {@code history} of the local target, in this
 * process, on a service directory of its own that it deletes afterwards; then the SSH path of the
 * hosts target against an SSH server in this process ({@link TrainHosts}). Their output is dropped;
 * the class list (JDK 17-19) or cache (JDK 20+) the JVM records is what counts.
 */
@Command(name = "train-cli", hidden = true, footerHeading = "%nExample:%n", footer = {"  slipway train-cli"},
        description = "Run the commands Slipway's own single file is trained on (used by its build).")
public final class TrainCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** A service as {@code slipway init} writes one, with the sections the trained commands read. */
    static final String SERVICE = """
            name: trained
            service:
              port: 18080
              env: {LOG_FORMAT: json}
              readiness: {path: /health/ready, timeout: 30s}
            deploy:
              local: {address: 127.0.0.1, retain: 3}
            """;

    /**
     * A fuller service, in the shapes users' files take (comments, flow and block sequences, quoted
     * scalars, profiles, a Kubernetes section): the YAML scanner and the config records these need
     * are otherwise loaded from their jars by the first real {@code check}, and a class missing from
     * the archive makes the class loader open every jar before its own (issue 16).
     */
    static final String FULL = """
            # slipway.yaml as 'slipway init' writes one: comments, flow and block sequences, quoted scalars.
            name: trained-full
            main: example.Main  # a trailing comment
            build:
              command: [mvn, -q, -B, -DskipTests, package]
              jvmOptions:
                - -XX:+ExitOnOutOfMemoryError
              modules: [jdk.crypto.ec]
            profiles:
              dev:
                default: true
                defaults: {log.format: human}
              production:
                defaults: {log.format: json, debug.endpoints: "false"}
            service:
              port: 18081
              drainTimeout: 30s
              env: {LOG_FORMAT: 'json'}
              readiness:
                path: /health/ready
                interval: 1s
                timeout: 30s
              liveness:
                path: /health/live
            deploy:
              local:
                address: 127.0.0.1
                retain: 5
              kubernetes:
                namespace: production
                replicas: 3
                resources:
                  requests: {cpu: 100m, memory: 128Mi}
                  limits: {cpu: "1", memory: 384Mi}
                secretEnv:
                  DATABASE_URL: {secret: trained-db, key: database-url}
                hpa:
                  minReplicas: 3
                  maxReplicas: 20
                  cpu: 60
                  scaleUp: {stabilization: 60s, percent: 100, period: 60s}
                pdb: {minAvailable: 2}
            """;

    @Override
    public void run() {
        Path dir = null;
        try {
            dir = Files.createTempDirectory("slipway-train-cli");
            Path good = Files.createDirectories(dir.resolve("good"));
            Files.writeString(good.resolve("slipway.yaml"), SERVICE);
            Path full = Files.createDirectories(dir.resolve("full"));
            Files.writeString(full.resolve("slipway.yaml"), FULL);
            Path bad = Files.createDirectories(dir.resolve("bad"));
            Files.writeString(bad.resolve("slipway.yaml"), SERVICE.replace("port: 18080", "prot: 18080"));
            List<Integer> codes = new ArrayList<>();
            for (List<String> args : List.of(List.of("--help"), List.of("version"), List.of("check", good.toString()),
                    List.of("check", bad.toString()), List.of("check", full.toString()), List.of("status", good.toString()),
                    List.of("status", full.toString()),
                    List.of("history", good.toString()), List.of("deploy", "--help"))) {
                StringWriter sink = new StringWriter();
                codes.add(SlipwayCli.run(new PrintWriter(sink), new PrintWriter(sink), args.toArray(String[]::new)));
            }
            List<Integer> hosts = TrainHosts.train(dir);
            spec.commandLine().getOut().println("trained on " + codes.size() + " commands (exit codes " + codes + ") and "
                    + hosts.size() + " hosts commands over SSH (exit codes " + hosts + ")");
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        } catch (java.security.GeneralSecurityException e) {
            throw new IllegalStateException("cannot make the SSH training run's keys: " + e.getMessage(), e);
        } finally {
            try {
                if (dir != null) {
                    dev.slipway.util.Trees.deleteTree(dir);
                }
            } catch (IOException e) {
                // A temporary directory left behind is harmless.
            }
        }
    }
}
