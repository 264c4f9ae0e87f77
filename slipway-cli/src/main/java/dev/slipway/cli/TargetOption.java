package dev.slipway.cli;

import picocli.CommandLine.Option;

/** The {@code --to TARGET} and {@code --role ROLE} options of every command that acts on a target. */
public final class TargetOption {
    @Option(names = "--to", paramLabel = "TARGET", defaultValue = "local", completionCandidates = Candidates.Target.class,
            description = "The target: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}); each but local is set up"
                    + " under deploy.<target> in slipway.yaml.")
    String to;

    @Option(names = "--role", paramLabel = "ROLE", split = ",",
            description = "hosts: only the servers with this role (deploy.hosts.servers[].roles); repeatable.")
    java.util.List<String> roles = new java.util.ArrayList<>();
}
