package io.barrage.gateway;

import static org.assertj.core.api.Assertions.assertThat;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.handler.AsyncPredicate;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.http.HttpMethod;
import org.springframework.mock.env.MockEnvironment;
import org.springframework.mock.http.server.reactive.MockServerHttpRequest;
import org.springframework.mock.web.server.MockServerWebExchange;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * The synchronous route lookup picks the route the stock reactive one picks: the first, in order, whose
 * predicate is true, also when a predicate answers later, fails, throws or answers nothing (none of
 * which match, as in the stock lookup).
 */
class RouteLookupTest {

    private static final FilteringWebHandler HANDLER = new FilteringWebHandler(List.of(), false);

    private static AsyncPredicate<ServerWebExchange> path(String prefix) {
        return AsyncPredicate.from(e -> e.getRequest().getPath().value().startsWith(prefix));
    }

    private static AsyncPredicate<ServerWebExchange> method(HttpMethod method) {
        return AsyncPredicate.from(e -> e.getRequest().getMethod().equals(method));
    }

    private static Route route(String id, AsyncPredicate<ServerWebExchange> predicate) {
        return Route.async()
                .id(id)
                .uri("http://127.0.0.1:1")
                .asyncPredicate(predicate)
                .build();
    }

    private static MockServerWebExchange exchange(HttpMethod method, String path) {
        return MockServerWebExchange.from(MockServerHttpRequest.method(method, path));
    }

    /** Spring Cloud Gateway's own lookup, for comparison. */
    private static final class Stock extends RoutePredicateHandlerMapping {

        Stock(RouteLocator locator) {
            super(HANDLER, locator, new GlobalCorsProperties(), new MockEnvironment());
        }

        Mono<Route> find(ServerWebExchange exchange) {
            return lookupRoute(exchange);
        }
    }

    /** The lookup under test, with its table taken as after a refresh, and the stock one over the same routes. */
    private record Lookups(RouteLookup synchronous, Stock stock) {

        static Lookups of(List<Route> routes) {
            RouteLocator locator = () -> Flux.fromIterable(routes);
            RouteLookup lookup = new RouteLookup(HANDLER, locator, new GlobalCorsProperties(), new MockEnvironment());
            lookup.onApplicationEvent(new RefreshRoutesResultEvent(locator));
            return new Lookups(lookup, new Stock(locator));
        }

        String synchronousId(HttpMethod method, String path) {
            return synchronous
                    .lookupRoute(exchange(method, path))
                    .map(Route::getId)
                    .block(Duration.ofSeconds(5));
        }

        String stockId(HttpMethod method, String path) {
            return stock.find(exchange(method, path)).map(Route::getId).block(Duration.ofSeconds(5));
        }
    }

    @Test
    void theFirstMatchingRouteInOrderWinsAsWithTheStockLookup() {
        Lookups lookups = Lookups.of(List.of(
                route("post-a", path("/a").and(method(HttpMethod.POST))),
                route("put-or-patch-b", path("/b").and(method(HttpMethod.PUT).or(method(HttpMethod.PATCH)))),
                route("not-get-c", path("/c").and(method(HttpMethod.GET).negate())),
                route("a", path("/a")),
                route("any", path("/"))));
        for (HttpMethod method : List.of(HttpMethod.GET, HttpMethod.POST, HttpMethod.PUT, HttpMethod.PATCH)) {
            for (String path : List.of("/a/1", "/b", "/c", "/x")) {
                assertThat(lookups.synchronousId(method, path))
                        .as("%s %s", method, path)
                        .isEqualTo(lookups.stockId(method, path));
            }
        }
        assertThat(lookups.synchronousId(HttpMethod.POST, "/a/1")).isEqualTo("post-a");
        assertThat(lookups.synchronousId(HttpMethod.GET, "/a/1")).isEqualTo("a");
        assertThat(lookups.synchronousId(HttpMethod.PATCH, "/b")).isEqualTo("put-or-patch-b");
        assertThat(lookups.synchronousId(HttpMethod.POST, "/c")).isEqualTo("not-get-c");
        assertThat(lookups.synchronousId(HttpMethod.GET, "/c")).isEqualTo("any");
    }

    @Test
    void noRouteIsEmpty() {
        Lookups lookups = Lookups.of(List.of(route("a", path("/a"))));
        assertThat(lookups.synchronousId(HttpMethod.GET, "/b")).isNull();
    }

    @Test
    void aPredicateThatAnswersLaterHandsTheRestToTheReactiveLookup() {
        AtomicInteger asked = new AtomicInteger();
        AsyncPredicate<ServerWebExchange> later = exchange -> Mono.delay(Duration.ofMillis(20))
                .map(tick -> exchange.getRequest().getPath().value().startsWith("/late"))
                .doOnSubscribe(s -> asked.incrementAndGet());
        Lookups lookups = Lookups.of(
                List.of(route("sync-early", path("/early")), route("late", later), route("after", path("/"))));

        assertThat(lookups.synchronousId(HttpMethod.GET, "/early")).isEqualTo("sync-early");
        assertThat(asked).hasValue(0);
        assertThat(lookups.synchronousId(HttpMethod.GET, "/late/1")).isEqualTo("late");
        assertThat(lookups.synchronousId(HttpMethod.GET, "/other")).isEqualTo("after");
    }

    @Test
    void aPredicateThatThrowsFailsOrAnswersNothingDoesNotMatch() {
        AsyncPredicate<ServerWebExchange> throwing = exchange -> {
            throw new IllegalStateException("predicate bug");
        };
        Lookups throwingFirst = Lookups.of(List.of(route("throws", throwing), route("next", path("/"))));
        assertThat(throwingFirst.synchronousId(HttpMethod.GET, "/x")).isEqualTo("next");
        assertThat(throwingFirst.stockId(HttpMethod.GET, "/x")).isEqualTo("next");

        AsyncPredicate<ServerWebExchange> failing = exchange -> Mono.error(new IllegalStateException("failed"));
        Lookups failingFirst = Lookups.of(List.of(route("fails", failing), route("next", path("/"))));
        assertThat(failingFirst.synchronousId(HttpMethod.GET, "/x")).isEqualTo("next");
        assertThat(failingFirst.stockId(HttpMethod.GET, "/x")).isEqualTo("next");

        AsyncPredicate<ServerWebExchange> silent = exchange -> Mono.empty();
        Lookups silentFirst = Lookups.of(List.of(route("silent", silent), route("next", path("/"))));
        assertThat(silentFirst.synchronousId(HttpMethod.GET, "/x")).isEqualTo("next");
        assertThat(silentFirst.stockId(HttpMethod.GET, "/x")).isEqualTo("next");
    }

    @Test
    void beforeTheFirstRefreshTheStockLookupAnswersAndARefreshTakesNewRoutes() {
        List<Route> routes = new ArrayList<>(List.of(route("old", path("/"))));
        RouteLocator locator = () -> Flux.fromIterable(List.copyOf(routes));
        RouteLookup lookup = new RouteLookup(HANDLER, locator, new GlobalCorsProperties(), new MockEnvironment());
        assertThat(lookup.lookupRoute(exchange(HttpMethod.GET, "/x"))
                        .map(Route::getId)
                        .block())
                .isEqualTo("old");

        lookup.onApplicationEvent(new RefreshRoutesResultEvent(locator));
        routes.addFirst(route("new", path("/x")));
        assertThat(lookup.lookupRoute(exchange(HttpMethod.GET, "/x"))
                        .map(Route::getId)
                        .block())
                .as("the table is the one taken at the last refresh")
                .isEqualTo("old");

        lookup.onApplicationEvent(new RefreshRoutesResultEvent(locator, new IllegalStateException("bad")));
        assertThat(lookup.lookupRoute(exchange(HttpMethod.GET, "/x"))
                        .map(Route::getId)
                        .block())
                .as("a failed refresh keeps the table")
                .isEqualTo("old");

        lookup.onApplicationEvent(new RefreshRoutesResultEvent(locator));
        assertThat(lookup.lookupRoute(exchange(HttpMethod.GET, "/x"))
                        .map(Route::getId)
                        .block())
                .isEqualTo("new");
    }
}
