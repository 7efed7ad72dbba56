package io.barrage.danmaku.history;

import com.baomidou.mybatisplus.core.mapper.BaseMapper;
import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

@Mapper
interface DanmakuMapper extends BaseMapper<DanmakuRow> {

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

    @Select({
        "SELECT id, video_id, seq, sender_id, text, playback_ms, mode, color, size, created_at FROM danmaku",
        "WHERE video_id = #{videoId} AND playback_ms BETWEEN #{fromMs} AND #{toMs}",
        "ORDER BY playback_ms, seq LIMIT #{limit}"
    })
    List<DanmakuRow> window(
            @Param("videoId") long videoId,
            @Param("fromMs") long fromMs,
            @Param("toMs") long toMs,
            @Param("limit") int limit);
}
