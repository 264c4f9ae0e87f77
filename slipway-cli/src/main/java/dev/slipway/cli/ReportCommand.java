package dev.slipway.cli;

import picocli.CommandLine.Mixin;

/**
 * A target command that answers with one {@link dev.slipway.deploy.Report}: {@code status},
 * {@code history}, and (through {@link ChangeCommand}) the commands that change a target. They
 * take {@code --json}: one report object on stdout, also when the command fails.
 */
abstract class ReportCommand extends TargetCommand {
    @Mixin
    JsonOption jsonOption = new JsonOption();

    @Override
    final boolean json() {
        return jsonOption.json;
    }
}
