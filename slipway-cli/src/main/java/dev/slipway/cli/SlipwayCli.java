package dev.slipway.cli;

import dev.slipway.Console;
import dev.slipway.SlipwayException;
import java.io.PrintWriter;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;
import picocli.CommandLine.ScopeType;

/**
 * The {@code slipway} command: parses arguments, runs one subcommand, maps failures to exit codes
 * (0 ok, 1 failed, 2 usage or config error, 3 inconclusive) and prints them without a stack trace
 * unless {@code --debug} is given.
 */
@Command(name = "slipway", mixinStandardHelpOptions = true, versionProvider = VersionCommand.Provider.class,
        description = "Go-style build and deploy for JVM services.",
        footerHeading = "%nExample:%n", footer = {"  slipway init && slipway ship"},
        exitCodeListHeading = "%nExit codes:%n",
        exitCodeList = {" 0:ok", " 1:failed (a deploy that failed was rolled back)", " 2:usage or configuration error; nothing changed",
            " 3:inconclusive: a canary analysis without a verdict"})
public final class SlipwayCli extends GroupCommand {

    /**
     * The subcommands by name, in the order the help lists them. They are not in the
     * {@code @Command} annotation so that a command line naming one of them builds only that one
     * ({@link #commandLine}): picocli reads every subcommand's options by reflection, which a
     * {@code slipway check} should not pay for (issue 16, an instant CLI). {@code SlipwayCliTest}
     * checks each name is its command's {@code @Command(name)}.
     */
    static final Map<String, Class<?>> SUBCOMMANDS = subcommands(
            "init", InitCommand.class, "render", RenderCommand.class, "completion", CompletionCommand.class,
            "check", CheckCommand.class, "schema", SchemaCommand.class, "build", BuildCommand.class,
            "release", ReleaseCommand.class, "deploy", DeployCommand.class, "ship", ShipCommand.class,
            "rollback", RollbackCommand.class, "status", StatusCommand.class, "history", HistoryCommand.class,
            "start", StartCommand.class, "lock", LockCommand.class, "stop", StopCommand.class,
            "cache", CacheCommand.class, "version", VersionCommand.class, "train-cli", TrainCommand.class,
            "image", ImageCommand.class, "canary", CanaryCommands.Canary.class, "promote", CanaryCommands.Promote.class,
            "abort", CanaryCommands.Abort.class, "help", CommandLine.HelpCommand.class);

    /** Subcommands that read the whole command tree: they always get all of it. */
    private static final Set<String> READ_THE_TREE = Set.of("help", "completion");

    @Option(names = "--debug", scope = ScopeType.INHERIT, description = "Print stack traces of errors.")
    boolean debug;

    @Override
    String noun() {
        return "command";
    }

    static {
        // picocli's default factory looks for Groovy's groovy.lang.Closure when its class initializes
        // (every command: option builders use it). The miss opens every jar on the class path, about
        // 40 ms of each command on the 80 jars of Slipway's own single file (found with
        // -Dsun.misc.URLClassPath.debug; issue 16, an instant CLI). Slipway has no Groovy closures;
        // picocli's documented switch skips the lookup.
        if (System.getProperty("picocli.disable.closures") == null) {
            System.setProperty("picocli.disable.closures", "true");
        }
    }

    /**
     * Runs the CLI with the given streams; used by {@link #main} and by tests.
     *
     * @param out  results
     * @param err  progress and errors
     * @param args the arguments
     * @return the exit code
     */
    public static int run(PrintWriter out, PrintWriter err, String... args) {
        dev.slipway.Trace.enable(java.util.Arrays.asList(args).contains("--debug"));
        if (connectsOverSsh(args)) {
            dev.slipway.remote.SshHost.warmUp();
        }
        CommandLine cli = commandLine(args);
        cli.setOut(out);
        cli.setErr(err);
        cli.setExecutionExceptionHandler((e, commandLine, parseResult) -> {
            boolean debug = parseResult.hasMatchedOption("--debug")
                    || parseResult.subcommands().stream().anyMatch(s -> s.hasMatchedOption("--debug"));
            return report(e, err, debug);
        });
        cli.setParameterExceptionHandler((e, args1) -> {
            String message = usageMessage(e);
            err.println("slipway: " + message);
            err.println("Run '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help' for usage.");
            err.flush();
            if (asksForJson(args1)) {
                // A script that asked for JSON reads stdout: it gets the refusal as a report, not nothing.
                Reports.json(out, Reports.failure(targetIn(e.getCommandLine(), args1), e.getCommandLine().getCommandName(),
                        null, SlipwayException.usage(message)));
            }
            return SlipwayException.USAGE;
        });
        int code = cli.execute(args);
        out.flush();
        err.flush();
        dev.slipway.Trace.mark("exit " + code);
        return code;
    }

    /**
     * @param args the command line
     * @return whether it names the hosts target ({@code --to hosts} or {@code --to=hosts}): the
     *         command will connect over SSH, so the SSH classes can load beside the command line's
     */
    static boolean connectsOverSsh(String... args) {
        for (int i = 0; i < args.length; i++) {
            if (args[i].equals("--to=hosts") || args[i].equals("--to") && i + 1 < args.length && args[i + 1].equals("hosts")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The whole command tree: {@code slipway} with every subcommand, each answering
     * {@code -h/--help} and printing its examples whole.
     *
     * @return a new command line
     */
    public static CommandLine commandLine() {
        CommandLine cli = new CommandLine(new SlipwayCli());
        SUBCOMMANDS.forEach(cli::addSubcommand);
        addHelp(cli);
        return cli;
    }

    /**
     * The command tree {@code args} need. When they start with a subcommand's name (after any
     * {@code --debug}): {@code slipway} with only that subcommand, since nothing else of the tree is
     * read ({@code help} and {@code completion} read all of it and get the whole tree). Otherwise
     * (the top-level help, no subcommand, an unknown one, {@code -V}): {@code slipway} with every
     * subcommand as a summary, its name, aliases and the description its help lists
     * ({@link #summary}), which the top-level help, the missing or unknown subcommand's error and its
     * suggestion read and which costs no reflection over the subcommands' options (issue 16, an
     * instant CLI). {@code HelpAndCompletionTest} checks the top-level help is the whole tree's.
     *
     * @param args the command line's arguments
     * @return a new command line
     */
    static CommandLine commandLine(String[] args) {
        String first = null;
        for (String a : args) {
            if (!a.equals("--debug")) {
                first = a;
                break;
            }
        }
        if (first != null && READ_THE_TREE.contains(first)) {
            return commandLine();
        }
        CommandLine cli = new CommandLine(new SlipwayCli());
        if (first != null && SUBCOMMANDS.containsKey(first)) {
            cli.addSubcommand(first, SUBCOMMANDS.get(first));
        } else {
            SUBCOMMANDS.forEach((name, type) -> cli.addSubcommand(name, summary(name, type)));
        }
        // Every subcommand answers -h/--help; -V stays top-level since 'build --version V' sets a version.
        addHelp(cli);
        return cli;
    }

    /**
     * A subcommand as the top-level help lists it, read from its {@code @Command} annotation alone:
     * name, aliases, header, description and whether it is hidden; no options or subcommands.
     */
    private static CommandLine summary(String name, Class<?> type) {
        Command c = type.getAnnotation(Command.class);
        CommandLine.Model.CommandSpec spec = CommandLine.Model.CommandSpec.create().name(name).aliases(c.aliases());
        spec.usageMessage().header(c.header()).description(c.description()).hidden(c.hidden());
        return new CommandLine(spec);
    }

    private static Map<String, Class<?>> subcommands(Object... nameAndClass) {
        Map<String, Class<?>> m = new LinkedHashMap<>();
        for (int i = 0; i < nameAndClass.length; i += 2) {
            m.put((String) nameAndClass[i], (Class<?>) nameAndClass[i + 1]);
        }
        return Collections.unmodifiableMap(m);
    }

    /**
     * Where each target keeps a service's output, for {@code slipway logs}, the command that deploy
     * tools (docker, kubectl, heroku) taught users to type: its "did you mean 'lock'?" left them
     * stuck. The files are the ones the targets write: the local target's {@code .slipway/local/<name>.log}
     * (docs/local-deploy.md), the hosts target's systemd unit ({@code deploy.hosts.service.unit},
     * {@code <unit>@PORT} with the proxy strategy) logging to the journal, a Deployment's pods, a
     * Swarm service's tasks.
     */
    static final String WHERE_LOGS_ARE = "a local deploy appends the service's stdout and stderr to"
            + " .slipway/local/NAME.log in the service directory (tail -f it); on hosts the systemd unit (deploy.hosts."
            + "service.unit, default the service name) logs to the journal: ssh HOST journalctl -u 'NAME*' -f; on"
            + " Kubernetes: kubectl logs deployment/NAME; on Swarm: docker service logs NAME. 'slipway status' shows"
            + " each instance's readiness, and a failed gate on hosts prints the unit's last journal lines";

    /**
     * The text of a usage error: picocli's message, except for an unknown subcommand, where it names
     * the subcommands that exist, in the word the parent's help lists them under ("kind" for
     * {@code render}, "command" elsewhere), and an unknown option close to one of the command's,
     * which it names ({@code --dry-rum}: did you mean {@code --dry-run}?).
     *
     * @param e the parse error
     * @return one line, without the "slipway: " prefix
     */
    static String usageMessage(CommandLine.ParameterException e) {
        CommandLine parent = e.getCommandLine();
        CommandLine.Model.CommandSpec spec = parent.getCommandSpec();
        if (e instanceof CommandLine.UnmatchedArgumentException u && !u.getUnmatched().isEmpty()
                && u.getUnmatched().get(0).startsWith("-") && !u.getUnmatched().get(0).equals("-")) {
            String word = u.getUnmatched().get(0).replaceFirst("=.*", "");
            List<String> options = spec.options().stream().filter(o -> !o.hidden())
                    .flatMap(o -> java.util.Arrays.stream(o.names())).toList();
            String close = dev.slipway.config.Suggest.closest(word, options);
            String message = e.getMessage().lines().findFirst().orElse("");
            return close == null ? e.getMessage() : message + "; did you mean '" + close + "'?";
        }
        if (!(e instanceof CommandLine.UnmatchedArgumentException u) || u.getUnmatched().isEmpty()
                || u.getUnmatched().get(0).startsWith("-") || parent.getSubcommands().isEmpty()
                || !spec.positionalParameters().isEmpty()) {
            return e.getMessage();
        }
        List<String> names = parent.getSubcommands().entrySet().stream()
                .filter(s -> s.getKey().equals(s.getValue().getCommandName())) // not an alias
                .filter(s -> !s.getValue().getCommandSpec().usageMessage().hidden())
                .map(Map.Entry::getKey).toList();
        String noun = spec.usageMessage().commandListHeading().replace("%n", "").trim().replaceAll(":$", "")
                .replaceAll("s$", "").toLowerCase(Locale.ROOT);
        String word = u.getUnmatched().get(0);
        if (parent.getParent() == null && (word.equals("logs") || word.equals("log"))) {
            return "slipway has no '" + word + "' command: " + WHERE_LOGS_ARE;
        }
        String close = dev.slipway.config.Suggest.closest(word, names);
        return "unknown " + noun + " '" + word + "' for '" + spec.qualifiedName() + "'"
                + (close != null ? "; did you mean '" + close + "'?" : "")
                + " (" + noun + "s: " + String.join(", ", names) + ")";
    }

    /** @return whether {@code --json} is among the options (before a {@code --} that ends them) */
    static boolean asksForJson(String[] args) {
        for (String a : args) {
            if (a.equals("--")) {
                return false;
            }
            if (a.equals("--json")) {
                return true;
            }
        }
        return false;
    }

    /**
     * The target a rejected command line names, for its JSON report: the last {@code --to} value
     * (also {@code --to=X}), {@code local} when the command takes {@code --to} and it is not given,
     * {@code null} for a command without targets.
     */
    static String targetIn(CommandLine command, String[] args) {
        String to = null;
        for (int i = 0; i < args.length && !args[i].equals("--"); i++) {
            if (args[i].equals("--to") && i + 1 < args.length) {
                to = args[++i];
            } else if (args[i].startsWith("--to=")) {
                to = args[i].substring("--to=".length());
            }
        }
        return to != null ? to : command.getCommandSpec().findOption("--to") != null ? "local" : null;
    }

    private static void addHelp(CommandLine command) {
        keepExamplesWhole(command);
        for (CommandLine sub : command.getSubcommands().values()) {
            if (sub.getCommand() instanceof CommandLine.HelpCommand) {
                sub.getCommandSpec().usageMessage().footerHeading("%nExample:%n").footer("  slipway help build");
            }
            if (sub.getCommandSpec().findOption("--help") == null) {
                sub.getCommandSpec().addOption(CommandLine.Model.OptionSpec.builder("-h", "--help").usageHelp(true)
                        .description("Show this help message and exit.").build());
            }
            addHelp(sub);
        }
    }

    /**
     * Prints the footer (the examples) line by line, never wrapped: picocli wraps footer text at the
     * usage width (80 columns), which would break an example command in the middle; a copied
     * example must run as it is. Lines are format strings as in picocli ({@code %n}).
     */
    private static void keepExamplesWhole(CommandLine command) {
        command.getHelpSectionMap().put(CommandLine.Model.UsageMessageSpec.SECTION_KEY_FOOTER, help -> {
            StringBuilder sb = new StringBuilder();
            for (String line : help.commandSpec().usageMessage().footer()) {
                sb.append(String.format(line)).append(System.lineSeparator());
            }
            return sb.toString();
        });
    }

    private static int report(Exception e, PrintWriter err, boolean debug) {
        Throwable cause = SlipwayException.unwrap(e);
        if (cause instanceof java.io.IOException io) {
            // A file or network failure that no step turned into a message: a failure shown by its cause line.
            err.println("slipway: " + SlipwayException.causeLine(io));
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return SlipwayException.FAILED;
        }
        if (cause instanceof SlipwayException s) {
            // A message that ends with a line break (one ending with a log's last lines) gets no second one.
            String m = "slipway: " + s.getMessage();
            err.print(m.endsWith("\n") ? m : m + System.lineSeparator());
            if (debug && s.output() != null) {
                err.println("--- the whole output of the failed tool ---");
                err.println(s.output().stripTrailing());
                err.println("---");
            }
            if (debug) {
                e.printStackTrace(err);
            }
            err.flush();
            return s.exitCode();
        }
        err.println("slipway: internal error: " + e + (debug ? "" : " (run with --debug for details)"));
        if (debug) {
            e.printStackTrace(err);
        }
        err.flush();
        return SlipwayException.FAILED;
    }

    /** @return a console over the command's streams */
    static Console console(CommandLine.Model.CommandSpec spec) {
        return new Console(spec.commandLine().getOut(), spec.commandLine().getErr(), System.console() != null);
    }

    /**
     * Entry point.
     *
     * @param args command-line arguments
     */
    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(System.out, true);
        PrintWriter err = new PrintWriter(System.err, true);
        System.exit(run(out, err, args));
    }
}
