package io.barrage.scheduler.deletion;

import java.util.List;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;

/** Append-only: there is deliberately no update or delete here. */
@Mapper
interface DeletionAuditMapper {

    @Insert("INSERT INTO deletion_audit (video_id, action, actor_id, instance, objects_removed, danmaku_removed,"
            + " note, at) VALUES (#{videoId}, #{action}, #{actorId}, #{instance}, #{objects}, #{danmaku},"
            + " #{note}, UTC_TIMESTAMP(3))")
    void append(
            @Param("videoId") long videoId,
            @Param("action") String action,
            @Param("actorId") Long actorId,
            @Param("instance") String instance,
            @Param("objects") Integer objects,
            @Param("danmaku") Long danmaku,
            @Param("note") String note);

    @Select("SELECT * FROM deletion_audit WHERE video_id = #{videoId} ORDER BY id")
    List<DeletionAudit> forVideo(@Param("videoId") long videoId);
}
