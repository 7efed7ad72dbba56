package io.barrage.platform.reactive;

import io.barrage.platform.problem.ApiException;
import io.barrage.platform.requestid.RequestIds;
import java.util.Map;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.http.HttpStatus;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.server.ServerWebExchange;

@SpringBootApplication
class ReactiveTestApp {

    @RestController
    static class Endpoints {

        @GetMapping("/online")
        Map<String, Object> online(@RequestParam long videoId, ServerWebExchange exchange) {
            return Map.of("videoId", videoId, "requestId", exchange.getAttribute(RequestIds.ATTRIBUTE));
        }

        @GetMapping("/gone")
        void gone() {
            throw new ApiException(HttpStatus.GONE, "room-closed", "The room is closed.");
        }
    }
}
