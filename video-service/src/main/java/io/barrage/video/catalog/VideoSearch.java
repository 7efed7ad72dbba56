package io.barrage.video.catalog;

import com.baomidou.mybatisplus.core.conditions.query.QueryWrapper;
import io.barrage.platform.problem.ApiException;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import org.springframework.http.HttpStatus;
import org.springframework.stereotype.Service;

/**
 * The public list: READY videos only (deleted ones have status DELETED), paged, in one of three orders, each
 * served by an index that starts with {@code status}; title search through a FULLTEXT index.
 */
@Service
public class VideoSearch {

    /** Orders of the public list. */
    enum Order {
        /** newest first (the default), index (status, created_at) */
        NEW,
        /** most viewed first, by the views already flushed to MariaDB, index (status, views, id) */
        VIEWS,
        /** by title, index (status, title, id) */
        TITLE;

        static Order parse(String value) {
            try {
                return valueOf(value.toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                throw new ApiException(HttpStatus.BAD_REQUEST, "invalid-request", "sort must be new, views or title.");
            }
        }
    }

    /** InnoDB's default innodb_ft_min_token_size: shorter words are not in the FULLTEXT index. */
    static final int MIN_WORD = 3;

    private static final int MAX_WORDS = 8;

    private final VideoMapper videos;
    private final VideoStats stats;

    VideoSearch(VideoMapper videos, VideoStats stats) {
        this.videos = videos;
        this.stats = stats;
    }

    VideoPage list(int page, int size, Order order, String query) {
        String match = query == null || query.isBlank() ? null : booleanQuery(query);
        long total = videos.selectCount(ready(match));
        long offset = (long) page * size;
        if (offset >= total) {
            return new VideoPage(List.of(), page, size, total);
        }
        QueryWrapper<Video> select = ready(match);
        switch (order) {
            case NEW -> select.orderByDesc("created_at", "id");
            case VIEWS -> select.orderByDesc("views", "id");
            case TITLE -> select.orderByAsc("title", "id");
        }
        select.last("LIMIT " + size + " OFFSET " + offset);
        return new VideoPage(withViews(videos.selectList(select)), page, size, total);
    }

    /** One owner's videos in every state (uploading, failed, deleted but not yet purged), newest first. */
    VideoPage mine(long ownerId, int page, int size) {
        long total = videos.selectCount(new QueryWrapper<Video>().eq("owner_id", ownerId));
        List<Video> rows = videos.selectList(new QueryWrapper<Video>()
                .eq("owner_id", ownerId)
                .orderByDesc("created_at", "id")
                .last("LIMIT " + size + " OFFSET " + (long) page * size));
        return new VideoPage(withViews(rows), page, size, total);
    }

    /** The most viewed READY videos by MariaDB's count: the hot list when Redis is unavailable. */
    public List<VideoView> mostViewed(int limit) {
        return withViews(
                videos.selectList(ready(null).orderByDesc("views", "id").last("LIMIT " + limit)));
    }

    /** Those of the ids that are READY videos. */
    public List<Long> readyIds(Collection<Long> ids) {
        if (ids.isEmpty()) {
            return List.of();
        }
        return videos.selectObjs(ready(null).select("id").in("id", ids)).stream()
                .map(o -> ((Number) o).longValue())
                .toList();
    }

    private List<VideoView> withViews(List<Video> rows) {
        Map<Long, Long> pending =
                stats.pendingViews(rows.stream().map(Video::getId).toList());
        return rows.stream()
                .map(v -> VideoView.of(v, pending.getOrDefault(v.getId(), 0L)))
                .toList();
    }

    private static QueryWrapper<Video> ready(String match) {
        var where = new QueryWrapper<Video>().eq("status", VideoStatus.READY.name());
        if (match != null) {
            // bound as a parameter ({0}), never concatenated
            where.apply("MATCH(title) AGAINST({0} IN BOOLEAN MODE)", match);
        }
        return where;
    }

    /**
     * Every word of the query must start a word of the title: {@code "cat video"} becomes
     * {@code +cat* +video*}. Boolean-mode operators in the input are dropped with the other punctuation.
     */
    static String booleanQuery(String query) {
        List<String> words = new ArrayList<>();
        for (String word : query.split("[^\\p{L}\\p{N}]+")) {
            if (word.codePointCount(0, word.length()) >= MIN_WORD && words.size() < MAX_WORDS) {
                words.add("+" + word + "*");
            }
        }
        if (words.isEmpty()) {
            throw new ApiException(
                    HttpStatus.BAD_REQUEST,
                    "query-too-short",
                    "q needs at least one word of " + MIN_WORD + " or more letters or digits.");
        }
        return String.join(" ", words);
    }
}
