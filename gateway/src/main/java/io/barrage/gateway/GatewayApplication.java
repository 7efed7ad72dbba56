package io.barrage.gateway;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.boot.context.properties.ConfigurationPropertiesScan;

@SpringBootApplication
@ConfigurationPropertiesScan
public class GatewayApplication {

    /** Reactor Netty's system property for its event loops, read once when its loop resources are created. */
    static final String IO_WORKER_COUNT = "reactor.netty.ioWorkerCount";

    public static void main(String[] args) {
        oneEventLoopPerProcessor();
        SpringApplication.run(GatewayApplication.class, args);
    }

    /**
     * Reactor Netty starts max(processors, 4) event loops, so on a 1- or 2-processor pod the gateway's
     * server and client connections hop between more loops than there are processors. One loop per
     * processor measured better in every figure of one sitting (docs/benchmarks.md, "Per-request cost
     * against bare peers"). A system property it is, because Reactor Netty reads nothing else; an explicit
     * {@code -Dreactor.netty.ioWorkerCount} (e.g. in JAVA_TOOL_OPTIONS) still wins.
     */
    static void oneEventLoopPerProcessor() {
        if (System.getProperty(IO_WORKER_COUNT) == null) {
            System.setProperty(
                    IO_WORKER_COUNT, Integer.toString(Runtime.getRuntime().availableProcessors()));
        }
    }
}
