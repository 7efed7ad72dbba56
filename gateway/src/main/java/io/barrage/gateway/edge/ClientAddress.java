package io.barrage.gateway.edge;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.util.List;
import java.util.regex.Pattern;
import org.springframework.boot.context.properties.ConfigurationProperties;
import org.springframework.boot.context.properties.bind.DefaultValue;
import org.springframework.http.server.reactive.ServerHttpRequest;
import org.springframework.stereotype.Component;

/**
 * The client's address, for per-address rate limits and login counters. By default the TCP peer: the
 * gateway is the edge, and a client-sent {@code X-Forwarded-For} proves nothing. Behind a load balancer
 * or ingress, list its addresses in {@code barrage.gateway.trusted-proxies} (addresses or CIDR blocks);
 * then the right-most {@code X-Forwarded-For} entry that is not a trusted proxy is the client, which is
 * the one entry a client cannot forge. Without that setting every client behind the proxy would share one
 * bucket.
 */
@Component
public class ClientAddress {

    private static final Pattern IP_TEXT = Pattern.compile("[0-9A-Fa-f.:]{2,45}");

    private final List<Block> trusted;

    ClientAddress(Properties properties) {
        this.trusted = properties.trustedProxies().stream().map(Block::parse).toList();
    }

    /** @param trustedProxies addresses or CIDR blocks of proxies in front of the gateway; none by default */
    @ConfigurationProperties("barrage.gateway")
    record Properties(@DefaultValue List<String> trustedProxies) {}

    /** The client's address as text, or null when the peer is unknown. */
    public String of(ServerHttpRequest request) {
        InetSocketAddress remote = request.getRemoteAddress();
        if (remote == null || remote.getAddress() == null) {
            return null;
        }
        InetAddress peer = remote.getAddress();
        if (!isTrusted(peer)) {
            return peer.getHostAddress();
        }
        List<String> forwarded = request.getHeaders().getValuesAsList("X-Forwarded-For");
        for (int i = forwarded.size() - 1; i >= 0; i--) {
            String hop = forwarded.get(i).strip();
            if (!IP_TEXT.matcher(hop).matches()) {
                break;
            }
            InetAddress address = parse(hop);
            if (address == null) {
                break;
            }
            if (!isTrusted(address)) {
                return address.getHostAddress();
            }
        }
        return peer.getHostAddress();
    }

    private boolean isTrusted(InetAddress address) {
        return trusted.stream().anyMatch(block -> block.contains(address));
    }

    private static InetAddress parse(String ipText) {
        try {
            // only IP literals reach here (IP_TEXT), so this never resolves a name
            return InetAddress.getByName(ipText);
        } catch (UnknownHostException e) {
            return null;
        }
    }

    private record Block(byte[] network, int prefix) {

        static Block parse(String text) {
            String[] parts = text.strip().split("/", 2);
            if (!IP_TEXT.matcher(parts[0]).matches()) {
                throw new IllegalArgumentException("not an IP address: " + text);
            }
            InetAddress address = ClientAddress.parse(parts[0]);
            if (address == null) {
                throw new IllegalArgumentException("not an IP address: " + text);
            }
            byte[] bytes = address.getAddress();
            int prefix = parts.length == 2 ? Integer.parseInt(parts[1]) : bytes.length * 8;
            return new Block(bytes, prefix);
        }

        boolean contains(InetAddress address) {
            byte[] bytes = address.getAddress();
            if (bytes.length != network.length) {
                return false;
            }
            int full = prefix / 8;
            for (int i = 0; i < full; i++) {
                if (bytes[i] != network[i]) {
                    return false;
                }
            }
            int rest = prefix % 8;
            if (rest == 0) {
                return true;
            }
            int mask = 0xff << (8 - rest);
            return (bytes[full] & mask) == (network[full] & mask);
        }
    }
}
