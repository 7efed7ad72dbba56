package io.barrage.danmaku.uploader;

import java.util.List;
import org.apache.ibatis.annotations.Delete;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

@Mapper
interface UploaderMapper {

    @Select("SELECT EXISTS (SELECT 1 FROM danmaku_protected WHERE danmaku_id = #{id})")
    boolean isProtected(@Param("id") long danmakuId);

    @Insert("INSERT IGNORE INTO danmaku_protected (danmaku_id, video_id) VALUES (#{id}, #{videoId})")
    int protect(@Param("id") long danmakuId, @Param("videoId") long videoId);

    @Delete("DELETE FROM danmaku_protected WHERE danmaku_id = #{id}")
    int unprotect(@Param("id") long danmakuId);

    @Select("SELECT danmaku_id FROM danmaku_protected WHERE video_id = #{videoId} ORDER BY danmaku_id LIMIT #{limit}")
    List<Long> protectedOf(@Param("videoId") long videoId, @Param("limit") int limit);

    @Select("SELECT COALESCE((SELECT closed FROM danmaku_video_state WHERE video_id = #{videoId}), FALSE)")
    boolean closed(@Param("videoId") long videoId);

    @Insert({
        "INSERT INTO danmaku_video_state (video_id, closed) VALUES (#{videoId}, #{closed})",
        "ON DUPLICATE KEY UPDATE closed = VALUES(closed)"
    })
    int setClosed(@Param("videoId") long videoId, @Param("closed") boolean closed);
}
