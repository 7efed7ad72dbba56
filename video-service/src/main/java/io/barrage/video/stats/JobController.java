package io.barrage.video.stats;

import io.barrage.platform.problem.ApiException;
import org.redisson.client.RedisException;
import org.springframework.dao.DataAccessException;
import org.springframework.http.HttpStatus;
import org.springframework.transaction.TransactionException;
import org.springframework.web.bind.annotation.PostMapping;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RestController;

/**
 * Jobs scheduler-service triggers (service credential checked by the web layer for all of /internal). Each
 * is safe to call again and from two callers at once; a failure answers 503 and loses nothing.
 */
@RestController
@RequestMapping("/internal/v1/jobs")
class JobController {

    private final ViewFlush flush;
    private final HotRanking ranking;

    JobController(ViewFlush flush, HotRanking ranking) {
        this.flush = flush;
        this.ranking = ranking;
    }

    @PostMapping("/view-count-flush")
    JobResult flushViews() throws InterruptedException {
        return run(flush::flush);
    }

    @PostMapping("/hot-ranking-decay")
    JobResult decay() throws InterruptedException {
        return run(ranking::decay);
    }

    @PostMapping("/ranking-refresh")
    JobResult refresh() throws InterruptedException {
        return run(ranking::refresh);
    }

    interface Job {
        long run() throws InterruptedException;
    }

    private static JobResult run(Job job) throws InterruptedException {
        try {
            return new JobResult(job.run());
        } catch (DataAccessException e) {
            if (e.getCause() instanceof RedisException || e.getClass().getName().contains("Redis")) {
                throw unavailable("redis-unavailable", "Redis is unavailable; nothing was lost, try again.", e);
            }
            throw unavailable("database-unavailable", "The database is unavailable; nothing was lost, try again.", e);
        } catch (TransactionException e) {
            // no connection for the transaction
            throw unavailable("database-unavailable", "The database is unavailable; nothing was lost, try again.", e);
        } catch (RedisException e) {
            throw unavailable("redis-unavailable", "Redis is unavailable; nothing was lost, try again.", e);
        }
    }

    private static ApiException unavailable(String code, String detail, Exception cause) {
        var e = new ApiException(HttpStatus.SERVICE_UNAVAILABLE, code, detail);
        e.initCause(cause);
        return e;
    }
}
