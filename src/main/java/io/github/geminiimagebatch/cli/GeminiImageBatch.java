package io.github.geminiimagebatch.cli;

import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.LoggerContext;
import io.github.geminiimagebatch.config.ConfigException;
import io.github.geminiimagebatch.config.Settings;
import io.github.geminiimagebatch.app.BatchApplication;
import io.github.geminiimagebatch.app.ComponentJars;
import io.github.geminiimagebatch.secret.Secrets;
import io.github.geminiimagebatch.queue.BrokerCommand;
import io.github.geminiimagebatch.simulator.SimulatorCommand;
import org.slf4j.LoggerFactory;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

import java.net.URISyntaxException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.util.Map;
import java.util.concurrent.Callable;

/** The command line: runs the batch service (or one pass with --once), the simulator, or a plan. */
@Command(name = "gemini-image-batch", mixinStandardHelpOptions = true, version = "gemini-image-batch 0.1.0",
        sortOptions = false, usageHelpAutoWidth = true,
        description = {
                "Turns files of prompts dropped into the inbox into images with Google's Gemini image models, "
                        + "paced under each provider's quotas. With no credentials it runs on the built-in simulator.",
                "",
                "Exit codes: 0 all items done or already done; 1 configuration or start-up error (or credentials "
                        + "refused with work left); 2 some items failed (see report.json); 3 work left pending until "
                        + "a quota resets; 70 out of memory or an internal JVM error: the process ended itself for its "
                        + "supervisor to restart it."},
        subcommands = {SimulatorCommand.class, PlanCommand.class, BrokerCommand.class})
public final class GeminiImageBatch implements Callable<Integer> {

    @Option(names = "--once", description = "Drain the inbox, wait for everything in flight, write the reports and exit.")
    boolean once;

    @Mixin
    SettingsOptions settingsOptions = new SettingsOptions();

    @Option(names = "--debug", description = "Verbose logs and stack traces on errors.")
    boolean debug;

    /** The one source of time for everything that decides by it: quota days, plans, budgets, reports, ETAs. */
    private final Clock clock;

    GeminiImageBatch(Clock clock) {
        this.clock = clock;
    }

    public static void main(String[] args) {
        System.exit(execute(args));
    }

    /** Runs the command line on the system clock; returns the exit code. */
    public static int execute(String... args) {
        return execute(Clock.systemUTC(), args);
    }

    /** Runs the command line with the given clock (tests run the real application at chosen instants). */
    public static int execute(Clock clock, String... args) {
        CommandLine cli = new CommandLine(new GeminiImageBatch(clock));
        cli.setAllowSubcommandsAsOptionParameters(true);
        cli.setParameterExceptionHandler((e, parsedArgs) -> {
            // picocli quotes the offending argument, which may be a key pasted in the wrong place.
            e.getCommandLine().getErr().println("gemini-image-batch: " + Secrets.redact(e.getMessage()) + ". See --help.");
            return 1;
        });
        cli.setExecutionExceptionHandler((e, cmd, parsed) -> {
            boolean debugOn = parsed.originalArgs().contains("--debug");
            if (e instanceof ConfigException || e.getCause() instanceof ConfigException) {
                ConfigException c = e instanceof ConfigException ce ? ce : (ConfigException) e.getCause();
                cmd.getErr().println("gemini-image-batch: " + Secrets.redact(c.getMessage()));
            } else {
                Throwable root = rootCause(e);
                cmd.getErr().println("gemini-image-batch: could not start: " + Secrets.redact(String.valueOf(root.getMessage()))
                        + Secrets.redact(ComponentJars.adviceFor(root)) + (debugOn ? "" : " (run with --debug for details)"));
            }
            if (debugOn) {
                e.printStackTrace(cmd.getErr());
            }
            return 1;
        });
        cli.setExitCodeExceptionMapper(e -> 1);
        return cli.execute(args);
    }

    static Throwable rootCause(Throwable e) {
        Throwable t = e;
        while (t.getCause() != null && t.getCause() != t) {
            if (t instanceof ConfigException) {
                return t;
            }
            t = t.getCause();
        }
        return t;
    }

    @Override
    public Integer call() throws Exception {
        setDebug(debug);
        Settings settings = loadSettings(flags());
        BatchApplication app = new BatchApplication(settings, home(), clock);
        try {
            return app.run();
        } catch (IllegalStateException e) {
            if (e.getCause() instanceof ConfigException c) {
                throw c;
            }
            throw e;
        }
    }

    Clock clock() {
        return clock;
    }

    Map<String, String> flags() {
        Map<String, String> flags = settingsOptions.flags();
        if (once) {
            flags.put("imagegen.once", "true");
        }
        return flags;
    }

    Settings loadSettings(Map<String, String> flags) throws ConfigException {
        return settingsOptions.load(flags, home());
    }

    /** The install folder: -Dimagegen.home, else the project folder the jar was built in, else the current folder. */
    static Path home() {
        String property = System.getProperty("imagegen.home");
        if (property != null && !property.isBlank()) {
            return Path.of(property);
        }
        try {
            Path code = Path.of(GeminiImageBatch.class.getProtectionDomain().getCodeSource().getLocation().toURI());
            Path target = Files.isDirectory(code) ? code.getParent() : code.getParent();
            if (target != null && target.getFileName() != null && target.getFileName().toString().equals("target")
                    && Files.isDirectory(target.getParent().resolve("routes"))) {
                return target.getParent();
            }
        } catch (URISyntaxException | SecurityException | NullPointerException ignored) {
            // fall through to the working directory
        }
        return Path.of("").toAbsolutePath();
    }

    static void setDebug(boolean on) {
        if (!on || !(LoggerFactory.getILoggerFactory() instanceof LoggerContext context)) {
            return;
        }
        context.getLogger("io.github.geminiimagebatch").setLevel(Level.DEBUG);
        context.getLogger("org.apache.camel").setLevel(Level.INFO);
    }
}
