import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.Service;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * The servers for a lean streaming benchmark: Kafka, Redis, MariaDB and the S3 store on free ports, and the
 * Spring properties (as SPRING_APPLICATION_JSON files) for video-service on args[1]+2 and the gateway on
 * args[1] (management args[1]+10), so the script can start just those two JVMs instead of the whole stack.
 * Prints "READY" once the servers are up and stops them when its standard input closes.
 *
 * <p>args: data folder, gateway port.
 */
public class StreamBenchInfra {
    public static void main(String[] args) throws Exception {
        Path data = Path.of(args[0]).toAbsolutePath();
        int gatewayPort = Integer.parseInt(args[1]);
        int videoPort = gatewayPort + 2;
        Infra infra = Infra.start(data.resolve("infra"), Infra.ServerPorts.random());
        Runtime.getRuntime().addShutdownHook(new Thread(infra::close));
        for (Service service : new Service[] {Service.VIDEO, Service.GATEWAY}) {
            Map<String, String> props = new LinkedHashMap<>(infra.springProperties(service));
            props.put("server.port", Integer.toString(service == Service.VIDEO ? videoPort : gatewayPort));
            for (Service other : Service.values()) {
                // only video-service runs; the others point at ports nothing listens on
                int port = gatewayPort + (other.defaultPort() - Service.GATEWAY.defaultPort());
                props.put("spring.cloud.discovery.client.simple.instances." + other.id() + "[0].uri",
                        "http://127.0.0.1:" + port);
            }
            if (service == Service.GATEWAY) {
                props.put("management.server.port", Integer.toString(gatewayPort + 10));
            }
            props.put("spring.data.redis.timeout", "15s");
            props.put("spring.data.redis.connect-timeout", "15s");
            props.put("barrage.video.max-upload-size", "2GB");
            props.put("barrage.video.streams-per-client", "100000");
            Files.writeString(data.resolve(service.id() + ".json"), LocalStack.springApplicationJson(props));
        }
        System.out.println("S3 " + infra.s3Endpoint());
        System.out.println("PID " + ProcessHandle.current().pid());
        System.out.println("READY");
        System.out.flush();
        while (System.in.read() != -1) {
            // wait for the caller to close our input
        }
        System.exit(0);
    }
}
