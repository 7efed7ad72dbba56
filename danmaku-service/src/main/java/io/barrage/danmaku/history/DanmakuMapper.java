package io.barrage.danmaku.history;

import com.baomidou.mybatisplus.core.mapper.BaseMapper;
import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

@Mapper
interface DanmakuMapper extends BaseMapper<DanmakuRow> {

    String COLUMNS = "id, video_id, seq, sender_id, text, playback_ms, mode, color, size, created_at";

    /**
     * INSERT IGNORE: a redelivered event hits the primary key or the (video_id, seq) key and is skipped, so
     * the consumer is idempotent without reading first. Returns how many rows were new.
     */
    @Insert({
        "<script>",
        "INSERT IGNORE INTO danmaku",
        "(id, video_id, seq, sender_id, text, playback_ms, mode, color, size, created_at) VALUES",
        "<foreach collection='rows' item='r' separator=','>",
        "(#{r.id}, #{r.videoId}, #{r.seq}, #{r.senderId}, #{r.text}, #{r.playbackMs}, #{r.mode}, #{r.color},",
        " #{r.size}, #{r.createdAt})",
        "</foreach>",
        "</script>"
    })
    int insertIgnore(@Param("rows") List<DanmakuRow> rows);

    /** One history segment, [fromMs, toMs), in the order viewers see it. */
    @Select({
        "SELECT " + COLUMNS + " FROM danmaku",
        "WHERE video_id = #{videoId} AND playback_ms >= #{fromMs} AND playback_ms < #{toMs}",
        "ORDER BY playback_ms, seq LIMIT #{limit}"
    })
    List<DanmakuRow> segment(
            @Param("videoId") long videoId,
            @Param("fromMs") long fromMs,
            @Param("toMs") long toMs,
            @Param("limit") int limit);

    /**
     * The 6-minute segments from {@code fromMs} on that hold danmaku, ascending, at most {@code limit}: a skip
     * scan, one index seek on (video_id, playback_ms) per segment found, however far apart they lie.
     * {@code maxSegment} stops it before the next segment's start would overflow a BIGINT.
     */
    @Select({
        "WITH RECURSIVE found (n, k) AS (",
        "  SELECT (SELECT MIN(playback_ms) FROM danmaku",
        "          WHERE video_id = #{videoId} AND playback_ms >= #{fromMs}) DIV 360000, 1",
        "  UNION ALL",
        "  SELECT (SELECT MIN(d.playback_ms) FROM danmaku d",
        "          WHERE d.video_id = #{videoId} AND d.playback_ms >= (f.n + 1) * 360000) DIV 360000, f.k + 1",
        "  FROM found f WHERE f.n IS NOT NULL AND f.n < #{maxSegment} AND f.k < #{limit}",
        ")",
        "SELECT n FROM found WHERE n IS NOT NULL ORDER BY n"
    })
    List<Long> nonEmptySegments(
            @Param("videoId") long videoId,
            @Param("fromMs") long fromMs,
            @Param("limit") int limit,
            @Param("maxSegment") long maxSegment);

    @Select({
        "<script>",
        "SELECT " + COLUMNS + " FROM danmaku WHERE id IN",
        "<foreach collection='ids' item='id' open='(' separator=',' close=')'>#{id}</foreach>",
        "</script>"
    })
    List<DanmakuRow> byIds(@Param("ids") Collection<Long> ids);

    /**
     * The same, locking what it read: a batch's "before" for the density ledger. Two writers removing the
     * same row (an API delete and the persister replaying its tombstone) are serialised on the row, and the
     * second finds it gone, so the curve never loses a danmaku twice.
     */
    @Select({
        "<script>",
        "SELECT " + COLUMNS + " FROM danmaku WHERE id IN",
        "<foreach collection='ids' item='id' open='(' separator=',' close=')'>#{id}</foreach>",
        "FOR UPDATE",
        "</script>"
    })
    List<DanmakuRow> byIdsForUpdate(@Param("ids") Collection<Long> ids);

    @Insert({
        "<script>",
        "INSERT IGNORE INTO danmaku_tombstone (id, video_id) VALUES",
        "<foreach collection='rows' item='r' separator=','>(#{r.id}, #{r.videoId})</foreach>",
        "</script>"
    })
    int insertTombstones(@Param("rows") List<DanmakuRow> rows);

    @Select("SELECT EXISTS (SELECT 1 FROM danmaku_tombstone WHERE id = #{id})")
    boolean tombstoned(@Param("id") long id);

    /** Removes the given rows if they are tombstoned: deletes, and Created events that arrive after them. */
    @Delete({
        "<script>",
        "DELETE d FROM danmaku d JOIN danmaku_tombstone t ON t.id = d.id WHERE d.id IN",
        "<foreach collection='ids' item='id' open='(' separator=',' close=')'>#{id}</foreach>",
        "</script>"
    })
    int deleteTombstoned(@Param("ids") Collection<Long> ids);

    @Select({
        "SELECT " + COLUMNS + " FROM danmaku WHERE sender_id = #{senderId}",
        "ORDER BY id DESC LIMIT #{limit} OFFSET #{offset}"
    })
    List<DanmakuRow> bySender(
            @Param("senderId") long senderId, @Param("offset") long offset, @Param("limit") int limit);

    /** A video's danmaku after a seq, in seq order (the (video_id, seq) key serves it): a resume's catch-up. */
    @Select({
        "SELECT " + COLUMNS + " FROM danmaku WHERE video_id = #{videoId} AND seq > #{afterSeq}",
        "ORDER BY seq LIMIT #{limit}"
    })
    List<DanmakuRow> afterSeq(
            @Param("videoId") long videoId, @Param("afterSeq") long afterSeq, @Param("limit") int limit);

    /** The highest seq stored for a video, or null when it has none. */
    @Select("SELECT MAX(seq) FROM danmaku WHERE video_id = #{videoId}")
    Long maxSeq(@Param("videoId") long videoId);

    /** The sequencer's last published seq of a video, or null when it never had one. */
    @Select("SELECT last_seq FROM danmaku_seq WHERE video_id = #{videoId}")
    Long publishedSeq(@Param("videoId") long videoId);

    @Select("SELECT COUNT(*) FROM danmaku WHERE sender_id = #{senderId}")
    long countBySender(@Param("senderId") long senderId);

    @Select({"SELECT " + COLUMNS + " FROM danmaku WHERE video_id = #{videoId}", "ORDER BY id LIMIT #{limit}"})
    List<DanmakuRow> firstOfVideo(@Param("videoId") long videoId, @Param("limit") int limit);

    @Delete({
        "<script>",
        "DELETE FROM danmaku WHERE id IN",
        "<foreach collection='ids' item='id' open='(' separator=',' close=')'>#{id}</foreach>",
        "</script>"
    })
    int deleteIds(@Param("ids") Collection<Long> ids);

    @Delete("DELETE FROM danmaku_seq WHERE video_id = #{videoId}")
    int forgetSequence(@Param("videoId") long videoId);

    @Select({
        "<script>",
        "SELECT video_id AS videoId, COUNT(*) AS n FROM danmaku WHERE video_id IN",
        "<foreach collection='videoIds' item='id' open='(' separator=',' close=')'>#{id}</foreach>",
        "GROUP BY video_id",
        "</script>"
    })
    List<Map<String, Object>> countsByVideo(@Param("videoIds") Collection<Long> videoIds);
}
