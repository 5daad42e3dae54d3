package io.github.geminiimagebatch.queue;

import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.concurrent.Callable;
import java.util.concurrent.CountDownLatch;

/** {@code gemini-image-batch broker}: an embedded, persistent Artemis broker in the foreground until Ctrl-C / SIGTERM. */
@Command(name = "broker", mixinStandardHelpOptions = true, sortOptions = false,
        description = "Runs an embedded, persistent ActiveMQ Artemis broker for the work queue. Instances started with"
                + " imagegen.work.uri=jms:queue:gemini-image-items and imagegen.jms.url pointing here compete for the"
                + " items of every batch. Stops on Ctrl-C or SIGTERM; queued items survive a restart.")
public final class BrokerCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = "--port", paramLabel = "PORT", defaultValue = "61616", description = "TCP port. Default: ${DEFAULT-VALUE}.")
    int port;

    @Option(names = "--bind", paramLabel = "ADDRESS", defaultValue = "127.0.0.1",
            description = "Address to listen on. Default: ${DEFAULT-VALUE} (loopback only). The broker has no users:"
                    + " bind it to another address only on a network you trust.")
    String bind;

    @Option(names = "--data", paramLabel = "DIR", defaultValue = "broker-data",
            description = "Folder of the message journal. Default: ${DEFAULT-VALUE}.")
    Path data;

    @Option(names = "--max-deliveries", paramLabel = "N", defaultValue = "6",
            description = "Deliveries of one message before the broker moves it to DLQ. Default: ${DEFAULT-VALUE}, one more"
                    + " than imagegen.work.maxDeliveries, so the workers dead-letter a failing item themselves (with"
                    + " its reason) and the broker only one that kept killing its worker.")
    int maxDeliveries;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        if (port < 1 || port > 65535 || maxDeliveries < 1) {
            spec.commandLine().getErr().println("gemini-image-batch broker: --port must be 1..65535 and --max-deliveries at least 1.");
            return 1;
        }
        Broker broker;
        try {
            broker = Broker.start(bind, port, data.toAbsolutePath(), maxDeliveries);
        } catch (Exception e) {
            spec.commandLine().getErr().println("gemini-image-batch broker: could not start on " + bind + ":" + port + " with data in "
                    + data.toAbsolutePath() + " (" + e.getMessage() + "). Is the port taken or the folder not writable?");
            return 1;
        }
        CountDownLatch stopped = new CountDownLatch(1);
        Runtime.getRuntime().addShutdownHook(new Thread(() -> {
            try {
                broker.close();
            } catch (Exception ignored) {
                // the JVM is going down; the journal is consistent after every commit
            } finally {
                stopped.countDown();
            }
        }, "broker-stop"));
        out.println("Artemis broker listening on " + broker.url() + ", data in " + data.toAbsolutePath()
                + ", dead letters in " + Broker.DEAD_LETTER_QUEUE + ". Point instances at it with"
                + " --set imagegen.jms.url=" + broker.url() + ". Ctrl-C stops it.");
        out.flush();
        stopped.await();
        return 0;
    }
}
