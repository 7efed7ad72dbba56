package io.barrage.e2e;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import io.barrage.infra.Infra;
import io.barrage.infra.LocalStack;
import io.barrage.infra.Service;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;
import tools.jackson.databind.JsonNode;

/**
 * Kill -9 under live load, one component at a time, each then started again: danmaku-service, push-service,
 * user-service, Kafka, Redis, MariaDB and the gateway. A few signed-in senders post danmaku through the
 * gateway and retry each one with its Idempotency-Key until it is acknowledged; a few viewers (signed in
 * and anonymous) watch over WebSockets through the gateway and resume with {@code since} after every drop.
 * The services come back by themselves (the local stack restarts a service that died, with backoff); the
 * servers are started again by the test.
 *
 * <p>What must hold: every acknowledged danmaku is in history exactly once; every viewer saw every
 * acknowledged seq exactly once, in order; no signed-in sender was ever told to sign in (401). The figures
 * (acknowledged, retried, reconnects, outage per component) are printed.
 */
class ChaosTest {

    private static final int SENDERS = 3;
    private static final int VIEWERS = 3;
    /** Load between kills, so every component is killed under a flowing stream and leaves after it recovered. */
    private static final Duration SETTLE = Duration.ofSeconds(4);

    private final AtomicLong silentDrops = new AtomicLong();

    private final AtomicLong acknowledged = new AtomicLong();
    private final AtomicLong retried = new AtomicLong();
    private final AtomicLong toldToSignIn = new AtomicLong();
    private final AtomicInteger reconnects = new AtomicInteger();
    private final AtomicLong lastAckAt = new AtomicLong(System.nanoTime());
    /** seq → danmaku id of every acknowledged POST. */
    private final Map<Long, String> acked = new ConcurrentHashMap<>();

    private volatile boolean running = true;

    @Test
    void underLoadEveryComponentKilledAndRestartedLosesNoDanmakuShowsNoneTwiceAndSignsNobodyOut() throws Exception {
        LocalStack stack = E2eStack.get();
        Client client = new Client(E2eStack.gatewayUrl());
        String owner = registerAndLogin(client, "chaos_owner");
        byte[] clip;
        try (var in = ChaosTest.class.getResourceAsStream("/testcard.mp4")) {
            clip = in.readAllBytes();
        }
        Client.Response created = client.upload(owner, "chaos.mp4", "video/mp4", clip, Map.of("title", "chaos"));
        assertThat(created.status()).as(created.toString()).isEqualTo(201);
        long videoId = created.json().path("id").asLong();
        // danmaku need a playable video: the first rung of the ladder
        await().atMost(Duration.ofMinutes(3))
                .pollInterval(Duration.ofMillis(500))
                .until(() -> "READY"
                        .equals(client.get("/api/v1/videos/" + videoId, owner)
                                .json()
                                .path("status")
                                .asString()));

        List<String> senderTokens = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            senderTokens.add(registerAndLogin(client, "chaos_sender" + i));
        }
        List<ResumingViewer> viewers = new ArrayList<>();
        for (int i = 0; i < VIEWERS; i++) {
            // one anonymous viewer, the others signed in (the gateway checks their session on every reconnect)
            viewers.add(new ResumingViewer(
                    E2eStack.gatewayUrl(), videoId, i == 0 ? null : senderTokens.get(i - 1), reconnects, silentDrops));
        }
        viewers.forEach(ResumingViewer::start);
        await().atMost(Duration.ofSeconds(30)).until(() -> viewers.stream().allMatch(v -> v.connected));

        List<Thread> senders = new ArrayList<>();
        for (int i = 0; i < SENDERS; i++) {
            String token = senderTokens.get(i);
            String name = "s" + i;
            senders.add(Thread.ofPlatform().name("chaos-sender").start(() -> send(client, videoId, token, name)));
        }

        Map<String, Outage> outages = new LinkedHashMap<>();
        long began = System.nanoTime();
        Thread.sleep(SETTLE.toMillis());
        Infra infra = stack.infra();
        for (Service service : List.of(Service.DANMAKU, Service.PUSH, Service.USER)) {
            outages.put(service.id(), killService(stack, service));
        }
        outages.put("kafka", killServer(infra::killKafka, infra::startKafka));
        outages.put("redis", killServer(infra::killRedis, infra::startRedis));
        outages.put("mariadb", killServer(infra::killMariaDb, infra::startMariaDb));
        outages.put(Service.GATEWAY.id(), killService(stack, Service.GATEWAY));

        running = false;
        for (Thread sender : senders) {
            sender.join(TimeUnit.SECONDS.toMillis(90));
        }
        long lastSeq = acked.keySet().stream().mapToLong(Long::longValue).max().orElse(0);
        // Every viewer has caught up with the last acknowledged seq (or waited long enough to show it did not).
        try {
            await().atMost(Duration.ofSeconds(60)).until(() -> viewers.stream().allMatch(v -> v.lastSeq() >= lastSeq));
        } catch (org.awaitility.core.ConditionTimeoutException e) {
            // not here: the figures and the assertions below say which seqs a viewer is missing
        }
        viewers.forEach(ResumingViewer::stop);
        // Persistence is asynchronous: history may lag the acknowledgements for a while.
        Map<Long, List<String>> history = new LinkedHashMap<>();
        List<String> texts = new ArrayList<>();
        await().atMost(Duration.ofSeconds(60))
                .pollInterval(Duration.ofSeconds(1))
                .until(() -> {
                    history.clear();
                    history.putAll(history(stack, videoId, texts));
                    return history.keySet().containsAll(acked.keySet());
                });

        System.out.printf(
                "%nchaos: %d s; acknowledged %d, retried %d, told to sign in %d, viewer reconnects %d%n",
                Duration.ofNanos(System.nanoTime() - began).toSeconds(),
                acknowledged.get(),
                retried.get(),
                toldToSignIn.get(),
                reconnects.get());
        outages.forEach((name, outage) -> System.out.printf(
                "chaos: %-16s down %5.1f s (kill to ready), longest pause between acknowledgements %5.1f s%n",
                name, outage.downSeconds, outage.ackPauseSeconds));
        System.out.printf("chaos: viewers replaced %d silent connections%n", silentDrops.get());
        for (ResumingViewer viewer : viewers) {
            TreeSet<Long> missing = new TreeSet<>(acked.keySet());
            missing.removeAll(viewer.seqs);
            System.out.printf(
                    "chaos: viewer %s saw %d seqs, %d gap frames, missing %s%n",
                    viewer.token == null ? "anonymous" : "signed in",
                    viewer.seqs.size(),
                    viewer.gaps.size(),
                    missing.size() > 20 ? missing.size() + " seqs from " + missing.first() : missing);
        }

        assertThat(acknowledged.get()).as("the load went on").isGreaterThan(50);
        history.forEach(
                (seq, ids) -> assertThat(ids).as("seq %d in history", seq).hasSize(1));
        acked.forEach((seq, id) -> assertThat(history.get(seq))
                .as("acknowledged seq %d in history", seq)
                .containsExactly(id));
        assertThat(history.values().stream().flatMap(List::stream).distinct().count())
                .as("no danmaku twice in history")
                .isEqualTo(history.values().stream().mapToLong(List::size).sum());
        assertThat(texts)
                .as("every sent text once: a retry with its Idempotency-Key never made a second danmaku")
                .doesNotHaveDuplicates();
        for (ResumingViewer viewer : viewers) {
            List<Long> seen = List.copyOf(viewer.seqs);
            assertThat(seen)
                    .as("a viewer's seqs: in order, none twice")
                    .isSorted()
                    .doesNotHaveDuplicates();
            assertThat(seen).as("a viewer saw every acknowledged seq").containsAll(new TreeSet<>(acked.keySet()));
            assertThat(viewer.gaps).as("no gap reported to a viewer").isEmpty();
        }
        assertThat(toldToSignIn.get())
                .as("signed-in senders told to sign in (401)")
                .isZero();
    }

    private record Outage(double downSeconds, double ackPauseSeconds) {}

    private interface Step {
        void run() throws Exception;
    }

    /** SIGKILL; the stack starts the service again by itself. */
    private Outage killService(LocalStack stack, Service service) throws Exception {
        long pid = stack.pid(service);
        int restarts = stack.restarts(service);
        long killedAt = System.nanoTime();
        stack.kill(service);
        await().atMost(Duration.ofSeconds(300))
                .pollInterval(Duration.ofMillis(250))
                .until(() -> stack.restarts(service) > restarts && stack.pid(service) != pid && stack.ready(service));
        return settle(killedAt);
    }

    /** SIGKILL; a crashed server stays down a moment, then is started again on its data. */
    private Outage killServer(Step kill, Step start) throws Exception {
        long killedAt = System.nanoTime();
        kill.run();
        Thread.sleep(2000);
        start.run();
        return settle(killedAt);
    }

    /** Waits for acknowledgements to flow again, then lets the load run a while before the next kill. */
    private Outage settle(long killedAt) throws InterruptedException {
        double down = (System.nanoTime() - killedAt) / 1e9;
        long before = acknowledged.get();
        await().atMost(Duration.ofSeconds(120)).until(() -> acknowledged.get() > before + SENDERS);
        double pause = Math.max(0, (lastAckPause.getAndSet(0)) / 1e9);
        Thread.sleep(SETTLE.toMillis());
        return new Outage(down, pause);
    }

    /** The longest wait between two acknowledgements since the last phase, in nanoseconds. */
    private final AtomicLong lastAckPause = new AtomicLong();

    private void acked(long seq, String id) {
        long now = System.nanoTime();
        long previous = lastAckAt.getAndSet(now);
        lastAckPause.accumulateAndGet(now - previous, Math::max);
        acked.put(seq, id);
        acknowledged.incrementAndGet();
    }

    /** One signed-in sender: a danmaku about every 1.2 s, each retried with its key until acknowledged. */
    private void send(Client client, long videoId, String token, String name) {
        int n = 0;
        while (running) {
            String key = UUID.randomUUID().toString();
            String body = "{\"text\":\"chaos " + name + " " + (++n) + "\",\"playbackMs\":" + (n % 12) * 1000 + "}";
            boolean first = true;
            while (true) {
                if (!first) {
                    retried.incrementAndGet();
                }
                first = false;
                Client.Response response;
                try {
                    response = client.postJson(
                            "/api/v1/videos/" + videoId + "/danmaku", token, body, "Idempotency-Key", key);
                } catch (RuntimeException e) {
                    pause(300); // the gateway itself is down
                    continue;
                }
                if (response.status() == 201) {
                    JsonNode created = response.json();
                    acked(created.path("seq").asLong(), created.path("id").asString());
                    break;
                }
                if (response.status() == 401) {
                    toldToSignIn.incrementAndGet();
                }
                String retryAfter = response.header("Retry-After");
                pause(
                        retryAfter != null && retryAfter.matches("\\d{1,2}")
                                ? Math.min(3000, Long.parseLong(retryAfter) * 1000)
                                : 300);
            }
            pause(1200);
        }
    }

    private static void pause(long millis) {
        try {
            Thread.sleep(millis);
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            throw new IllegalStateException(e);
        }
    }

    /** Every stored danmaku of the video by seq, from danmaku-service's resume API (the whole history, paged). */
    private static Map<Long, List<String>> history(LocalStack stack, long videoId, List<String> texts)
            throws Exception {
        texts.clear();
        HttpClient http = HttpClient.newHttpClient();
        Map<Long, List<String>> bySeq = new LinkedHashMap<>();
        long after = 0;
        while (true) {
            HttpResponse<String> response = http.send(
                    HttpRequest.newBuilder(URI.create(
                                    "http://127.0.0.1:" + stack.options().port(Service.DANMAKU) + "/internal/v1/videos/"
                                            + videoId + "/danmaku/since?seq=" + after + "&limit=1000"))
                            .header("X-Service-Token", stack.infra().serviceToken())
                            .timeout(Duration.ofSeconds(10))
                            .build(),
                    HttpResponse.BodyHandlers.ofString());
            if (response.statusCode() != 200) {
                throw new IllegalStateException("history: " + response.statusCode() + " " + response.body());
            }
            JsonNode page = Client.JSON.readTree(response.body());
            for (JsonNode item : page.path("items")) {
                long seq = item.path("seq").asLong();
                bySeq.computeIfAbsent(seq, s -> new ArrayList<>())
                        .add(item.path("id").asString());
                after = Math.max(after, seq);
            }
            if (!page.path("more").asBoolean()) {
                return bySeq;
            }
        }
    }

    private static String registerAndLogin(Client client, String prefix) {
        String username = prefix + "_" + System.nanoTime() % 1_000_000;
        Client.Response registered = client.postJson(
                "/api/v1/users",
                null,
                "{\"username\":\"" + username + "\",\"password\":\"correct horse battery\",\"displayName\":\""
                        + username + "\"}");
        assertThat(registered.status()).as(registered.toString()).isEqualTo(201);
        Client.Response login = client.postJson(
                "/api/v1/sessions", null, "{\"username\":\"" + username + "\",\"password\":\"correct horse battery\"}");
        assertThat(login.status()).as(login.toString()).isEqualTo(201);
        return login.json().path("token").asString();
    }
}
