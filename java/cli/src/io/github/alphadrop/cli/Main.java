package io.github.alphadrop.cli;

import picocli.CommandLine;
import picocli.CommandLine.Command;

import java.io.PrintWriter;

/** The {@code alphadrop} command line. */
@Command(name = "alphadrop", mixinStandardHelpOptions = true, versionProvider = Main.Version.class,
        description = "Bayesian neural networks trained by dropout with the alpha-divergence objective (Li & Gal, 2017).",
        subcommands = {InfoCommand.class, DemoCommand.class, TrainCommand.class, EvaluateCommand.class, PredictCommand.class, UciCommand.class, AttackCommand.class,
                CommandLine.HelpCommand.class})
public final class Main {

    public static void main(String[] args) {
        System.exit(run(args));
    }

    /** Runs the command line and returns its exit code (0 ok, 1 failure, 2 bad usage). */
    public static int run(String... args) {
        CommandLine cli = new CommandLine(new Main());
        cli.setCaseInsensitiveEnumValuesAllowed(true);
        cli.setUsageHelpWidth(110);
        cli.setExecutionExceptionHandler(Main::onError);
        cli.setParameterExceptionHandler((e, a) -> {
            PrintWriter err = e.getCommandLine().getErr();
            err.println("alphadrop: " + e.getMessage());
            err.println("Try '" + e.getCommandLine().getCommandSpec().qualifiedName() + " --help'.");
            return 2;
        });
        try {
            return cli.execute(args);
        } catch (OutOfMemoryError e) {
            // What a size check could not foresee (a data file larger than the heap, say): one line, not a trace.
            System.err.println("alphadrop: out of memory (" + e.getMessage() + "); the JVM's heap is "
                    + Runtime.getRuntime().maxMemory() / (1 << 20) + " MiB: raise it with ALPHADROP_JAVA_OPTS=-Xmx16g");
            return 1;
        }
    }

    /** One line naming the problem; the stack trace only with --verbose. */
    private static int onError(Exception e, CommandLine cmd, CommandLine.ParseResult parsed) {
        boolean verbose = parsed.subcommands().stream().anyMatch(p -> p.hasMatchedOption("--verbose"))
                || parsed.hasMatchedOption("--verbose");
        PrintWriter err = cmd.getErr();
        err.println("alphadrop: " + describe(e));
        if (verbose) {
            e.printStackTrace(err);
        }
        err.flush();
        return 1;
    }

    static String describe(Throwable e) {
        if (e instanceof java.nio.file.NoSuchFileException n) {
            return "file not found: " + n.getFile() + (n.getReason() == null ? "" : " (" + n.getReason() + ")");
        }
        if (e instanceof java.nio.file.FileSystemException f && f.getFile() != null) {
            return f.getFile() + ": " + (f.getReason() == null ? f.getClass().getSimpleName() : f.getReason());
        }
        if (e instanceof java.nio.file.AccessDeniedException a) {
            return "permission denied: " + a.getFile();
        }
        String message = e.getMessage();
        return message == null || message.isBlank() ? e.getClass().getSimpleName() : message;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String v = Main.class.getPackage().getImplementationVersion();
            return new String[]{"alphadrop " + (v == null ? "0.1.0-SNAPSHOT" : v)};
        }
    }
}
