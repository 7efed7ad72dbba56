package io.barrage.danmaku.density;

import java.util.List;
import java.util.Map;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

@Mapper
interface DensityMapper {

    /** Adds each delta to its bucket (negative for removed danmaku): one statement per persisted batch. */
    @Insert({
        "<script>",
        "INSERT INTO danmaku_density (video_id, bucket, danmaku) VALUES",
        "<foreach collection='deltas' item='d' separator=','>(#{d.videoId}, #{d.bucket}, #{d.delta})</foreach>",
        "ON DUPLICATE KEY UPDATE danmaku = danmaku + VALUES(danmaku)",
        "</script>"
    })
    int add(@Param("deltas") List<Delta> deltas);

    /** The non-empty buckets of a video below {@code maxBucket}, ascending (the primary key serves it). */
    @Select({
        "SELECT bucket, danmaku FROM danmaku_density",
        "WHERE video_id = #{videoId} AND bucket < #{maxBucket} AND danmaku > 0 ORDER BY bucket"
    })
    List<Map<String, Object>> buckets(@Param("videoId") long videoId, @Param("maxBucket") long maxBucket);

    /** The texts said around a moment, bounded (the (video_id, playback_ms) index serves it). */
    @Select({
        "SELECT text FROM danmaku WHERE video_id = #{videoId} AND playback_ms >= #{fromMs} AND playback_ms < #{toMs}",
        "ORDER BY playback_ms LIMIT #{limit}"
    })
    List<String> texts(
            @Param("videoId") long videoId,
            @Param("fromMs") long fromMs,
            @Param("toMs") long toMs,
            @Param("limit") int limit);

    record Delta(long videoId, long bucket, long delta) {}
}
