package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.ConfigException;
import org.apache.camel.CamelContext;
import org.apache.camel.Ordered;
import org.apache.camel.StartupListener;
import org.apache.camel.component.platform.http.main.ManagementHttpServer;

import java.util.Optional;

/**
 * Whether the operator endpoints really listen. The port is checked before Camel starts
 * ({@link CamelSettings}), but two instances started together both find it free, and the second's
 * HTTP server then fails to bind while the process runs on without health. Camel starts its services
 * (the management server among them) before its routes; in between, this looks: a service whose
 * endpoints do not listen starts no route and ends with the start-up error (exit 1); a {@code --once}
 * run goes on without them, saying so in one line.
 */
final class ManagementPortCheck implements StartupListener, Ordered {

    private final boolean once;
    private volatile ConfigException failure;
    private volatile boolean listening = true;

    ManagementPortCheck(boolean once) {
        this.once = once;
    }

    @Override
    public void onCamelContextStarting(CamelContext context, boolean alreadyStarted) {
        ManagementHttpServer management = context.hasService(ManagementHttpServer.class);
        if (management == null) {
            return;
        }
        String host = management.getHost();
        int port = management.getPort();
        Optional<String> failed = ManagementBindFailureFilter.takeBindFailure(host, port);
        if (failed.isEmpty()) {
            return;
        }
        listening = false;
        String why = failed.get() + ": another process took the port while this one started";
        if (once) {
            CamelSettings.runningWithoutManagement(host, port, why);
            return;
        }
        failure = CamelSettings.managementPortTaken(host, port, why);
        // no route starts: the process ends before it takes any work
        context.setAutoStartup(false);
    }

    /** After Camel's own listener that starts the services added before the start (the management server). */
    @Override
    public int getOrder() {
        return Ordered.LOWEST;
    }

    @Override
    public void onCamelContextStarted(CamelContext context, boolean alreadyStarted) {
        // all is decided before the routes start
    }

    /** False when the operator endpoints were to listen and could not. */
    boolean listening() {
        return listening;
    }

    /** The start-up error when the endpoints of a service do not listen; null when they do. */
    ConfigException failure() {
        return failure;
    }
}
