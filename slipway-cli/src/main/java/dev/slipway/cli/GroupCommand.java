package dev.slipway.cli;

import picocli.CommandLine;

/**
 * A command that only groups others ({@code slipway} itself, {@code render}, {@code cache},
 * {@code lock}): given none of them, it is a usage error (exit 2) that lists them.
 */
abstract class GroupCommand implements Runnable {
    @CommandLine.Spec
    CommandLine.Model.CommandSpec spec;

    /** @return what the grouped commands are called in the error: {@code subcommand} unless overridden */
    String noun() {
        return "subcommand";
    }

    @Override
    public final void run() {
        throw new CommandLine.ParameterException(spec.commandLine(), "missing " + noun() + ": one of "
                + String.join(", ", spec.subcommands().entrySet().stream()
                        .filter(s -> !s.getValue().getCommandSpec().usageMessage().hidden())
                        .filter(s -> s.getKey().equals(s.getValue().getCommandName())) // not an alias
                        .map(java.util.Map.Entry::getKey).toList()));
    }
}
