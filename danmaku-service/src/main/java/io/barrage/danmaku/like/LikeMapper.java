package io.barrage.danmaku.like;

import java.util.List;
import java.util.Map;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

@Mapper
interface LikeMapper {

    /** The users' likes of one danmaku; returns how many were new (a replayed flush adds none). */
    @Insert({
        "<script>",
        "INSERT IGNORE INTO danmaku_like (danmaku_id, user_id, video_id) VALUES",
        "<foreach collection='users' item='u' separator=','>(#{danmakuId}, #{u}, #{videoId})</foreach>",
        "</script>"
    })
    int insertLikes(
            @Param("danmakuId") long danmakuId, @Param("videoId") long videoId, @Param("users") List<Long> users);

    @Insert({
        "INSERT INTO danmaku_like_count (danmaku_id, video_id, likes) VALUES (#{danmakuId}, #{videoId}, #{n})",
        "ON DUPLICATE KEY UPDATE likes = likes + VALUES(likes)"
    })
    int addCount(@Param("danmakuId") long danmakuId, @Param("videoId") long videoId, @Param("n") long n);

    /** A video's most liked danmaku (the counts a cold Redis is seeded with), bounded. */
    @Select({
        "SELECT danmaku_id AS danmakuId, likes FROM danmaku_like_count WHERE video_id = #{videoId} AND likes > 0",
        "ORDER BY likes DESC LIMIT #{limit}"
    })
    List<Map<String, Object>> counts(@Param("videoId") long videoId, @Param("limit") int limit);

    @Select("SELECT COALESCE((SELECT likes FROM danmaku_like_count WHERE danmaku_id = #{id}), 0)")
    long count(@Param("id") long danmakuId);

    @Select("SELECT EXISTS (SELECT 1 FROM danmaku_like WHERE danmaku_id = #{id} AND user_id = #{userId})")
    boolean liked(@Param("id") long danmakuId, @Param("userId") long userId);
}
