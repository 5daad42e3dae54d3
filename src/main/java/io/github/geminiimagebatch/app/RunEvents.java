package io.github.geminiimagebatch.app;

import io.github.geminiimagebatch.config.RunConfig;
import io.github.geminiimagebatch.pipeline.RunState;
import org.apache.camel.CamelContext;
import org.apache.camel.impl.event.CamelContextStoppingEvent;
import org.apache.camel.spi.CamelEvent;
import org.apache.camel.support.EventNotifierSupport;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.lang.management.ManagementFactory;

/** Ties the run to the Camel context's life: a stopping context stops the run; the inbox route's start is announced. */
final class RunEvents {

    private static final Logger LOG = LoggerFactory.getLogger("gemini-image-batch");

    private RunEvents() {
    }

    static void attach(CamelContext context, RunConfig config, RunState run) {
        context.getManagementStrategy().addEventNotifier(new EventNotifierSupport() {
            @Override
            public void notify(CamelEvent event) {
                if (event instanceof CamelContextStoppingEvent) {
                    run.stop();
                } else if (event instanceof CamelEvent.RouteStartedEvent started
                        && "inbox".equals(started.getRoute().getRouteId())) {
                    long sinceJvmStart = System.currentTimeMillis()
                            - ManagementFactory.getRuntimeMXBean().getStartTime();
                    LOG.info("Watching {} for prompt files{} (ready {} ms after start).",
                            config.inbox().toAbsolutePath(), config.once() ? " until it is drained" : "",
                            sinceJvmStart);
                }
            }
        });
    }
}
