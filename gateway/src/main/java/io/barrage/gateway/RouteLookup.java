package io.barrage.gateway;

import static org.springframework.cloud.gateway.support.ServerWebExchangeUtils.GATEWAY_PREDICATE_ROUTE_ATTR;

import java.util.List;
import java.util.concurrent.Callable;
import org.jspecify.annotations.Nullable;
import org.reactivestreams.Publisher;
import org.reactivestreams.Subscription;
import org.springframework.beans.factory.ObjectProvider;
import org.springframework.boot.autoconfigure.condition.ConditionalOnProperty;
import org.springframework.cloud.gateway.config.GlobalCorsProperties;
import org.springframework.cloud.gateway.event.RefreshRoutesResultEvent;
import org.springframework.cloud.gateway.handler.FilteringWebHandler;
import org.springframework.cloud.gateway.handler.RoutePredicateHandlerMapping;
import org.springframework.cloud.gateway.route.Route;
import org.springframework.cloud.gateway.route.RouteLocator;
import org.springframework.context.ApplicationListener;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;
import org.springframework.core.env.Environment;
import org.springframework.web.reactive.accept.ApiVersionStrategy;
import org.springframework.web.server.ServerWebExchange;
import reactor.core.CoreSubscriber;
import reactor.core.publisher.Flux;
import reactor.core.publisher.Mono;

/**
 * Finds a request's route by testing the routes in order on the calling thread, instead of through
 * Spring Cloud Gateway's reactive chain.
 *
 * <p>The stock lookup runs every request through the route cache's materialized signals and a {@code
 * filterWhen} over all routes, with a {@code flatMap} per combined predicate; a {@code GET
 * /api/v1/users/me} is tested against ten routes before its own. Every predicate this gateway configures
 * (paths and methods) answers at once, so here each answer is taken as it is given and the first matching
 * route is returned without any of that machinery. A predicate that does not answer at once (one that
 * reads the body, say) hands that route and the ones after it back to the stock reactive lookup, so
 * the outcome is the same either way: the first route, in order, whose predicate is true.
 *
 * <p>The routes are the route locator's, taken again after each refresh ({@link RefreshRoutesResultEvent});
 * until the first one the stock lookup is used.
 */
class RouteLookup extends RoutePredicateHandlerMapping implements ApplicationListener<RefreshRoutesResultEvent> {

    /**
     * In place of Spring Cloud Gateway's own handler mapping (it backs off when one exists);
     * {@code barrage.gateway.synchronous-route-lookup=false} brings the stock one back.
     */
    @Configuration(proxyBeanMethods = false)
    @ConditionalOnProperty(name = "barrage.gateway.synchronous-route-lookup", matchIfMissing = true)
    static class Wiring {

        @Bean
        RoutePredicateHandlerMapping routePredicateHandlerMapping(
                FilteringWebHandler webHandler,
                RouteLocator routeLocator,
                GlobalCorsProperties globalCorsProperties,
                Environment environment,
                ObjectProvider<ApiVersionStrategy> apiVersionStrategy) {
            RouteLookup lookup = new RouteLookup(webHandler, routeLocator, globalCorsProperties, environment);
            apiVersionStrategy.ifAvailable(lookup::setApiVersionStrategy);
            return lookup;
        }
    }

    private final RouteLocator routeLocator;
    private volatile @Nullable List<Route> routes;

    RouteLookup(
            FilteringWebHandler webHandler,
            RouteLocator routeLocator,
            GlobalCorsProperties globalCorsProperties,
            Environment environment) {
        super(webHandler, routeLocator, globalCorsProperties, environment);
        this.routeLocator = routeLocator;
    }

    @Override
    public void onApplicationEvent(RefreshRoutesResultEvent event) {
        if (event.isSuccess()) {
            // the caching locator answers from its cache, which the event says is filled
            routeLocator.getRoutes().collectList().subscribe(found -> routes = List.copyOf(found));
        }
    }

    @Override
    protected Mono<Route> lookupRoute(ServerWebExchange exchange) {
        List<Route> table = routes;
        if (table == null) {
            return super.lookupRoute(exchange);
        }
        for (int i = 0; i < table.size(); i++) {
            Route route = table.get(i);
            exchange.getAttributes().put(GATEWAY_PREDICATE_ROUTE_ATTR, route.getId());
            Answer answer;
            try {
                answer = Answer.of(route.getPredicate().apply(exchange));
            } catch (RuntimeException e) {
                logger.error("Error applying predicate for route: " + route.getId(), e);
                continue; // as the stock lookup: a predicate that throws does not match
            }
            if (answer.error != null) {
                // the stock lookup's filterWhen does not match a route whose predicate fails
                logger.error("Error applying predicate for route: " + route.getId(), answer.error);
                continue;
            }
            if (!answer.done) {
                return reactively(exchange, table.subList(i, table.size()));
            }
            if (answer.matched) {
                validateRoute(route, exchange);
                return Mono.just(route);
            }
        }
        return Mono.empty();
    }

    /** The stock lookup over what is left of the table, starting with the route that did not answer at once. */
    private Mono<Route> reactively(ServerWebExchange exchange, List<Route> rest) {
        return Flux.fromIterable(rest)
                .filterWhen(route -> {
                    exchange.getAttributes().put(GATEWAY_PREDICATE_ROUTE_ATTR, route.getId());
                    try {
                        return route.getPredicate().apply(exchange);
                    } catch (RuntimeException e) {
                        logger.error("Error applying predicate for route: " + route.getId(), e);
                        return Mono.just(false);
                    }
                })
                .next()
                .doOnNext(route -> validateRoute(route, exchange));
    }

    /** A predicate's answer as far as it was given during subscription: empty counts as false, as in filterWhen. */
    private static final class Answer implements CoreSubscriber<Boolean> {

        private static final Answer TRUE = done(true);
        private static final Answer FALSE = done(false);

        private boolean done;
        private boolean matched;
        private @Nullable Throwable error;
        private @Nullable Subscription subscription;

        private static Answer done(boolean matched) {
            Answer answer = new Answer();
            answer.done = true;
            answer.matched = matched;
            return answer;
        }

        static Answer of(Publisher<Boolean> publisher) {
            if (publisher instanceof Callable<?> scalar) { // Mono.just: what a plain predicate returns
                try {
                    return Boolean.TRUE.equals(scalar.call()) ? TRUE : FALSE;
                } catch (Exception e) {
                    Answer failed = done(false);
                    failed.error = e;
                    return failed;
                }
            }
            Answer answer = new Answer();
            publisher.subscribe(answer);
            if (!answer.done && answer.subscription != null) {
                answer.subscription.cancel(); // asked again reactively
            }
            return answer;
        }

        @Override
        public void onSubscribe(Subscription s) {
            subscription = s;
            s.request(1);
        }

        @Override
        public void onNext(Boolean value) {
            matched = Boolean.TRUE.equals(value);
            done = true;
        }

        @Override
        public void onError(Throwable t) {
            error = t;
            done = true;
        }

        @Override
        public void onComplete() {
            done = true;
        }
    }
}
