package io.barrage.danmaku.report;

import java.util.Collection;
import java.util.List;
import java.util.Map;
import org.apache.ibatis.annotations.Insert;
import org.apache.ibatis.annotations.Mapper;
import org.apache.ibatis.annotations.Param;
import org.apache.ibatis.annotations.Select;
import org.apache.ibatis.annotations.Update;

@Mapper
interface ReportMapper {

    /** 1 for a new report, 0 when this user already reported this danmaku. */
    @Insert({
        "INSERT IGNORE INTO danmaku_report (danmaku_id, reporter_id, reason)",
        "VALUES (#{danmakuId}, #{reporterId}, #{reason})"
    })
    int insert(
            @Param("danmakuId") long danmakuId, @Param("reporterId") long reporterId, @Param("reason") String reason);

    /** Opens the case, or counts one more report on it (a dismissed case comes back with a new report). */
    @Insert({
        "INSERT INTO danmaku_report_case (danmaku_id, video_id, reports, status) VALUES (#{danmakuId}, #{videoId}, 1, 'OPEN')",
        "ON DUPLICATE KEY UPDATE reports = reports + 1, status = IF(status = 'DELETED', status, 'OPEN')"
    })
    int countCase(@Param("danmakuId") long danmakuId, @Param("videoId") long videoId);

    @Select({
        "SELECT danmaku_id AS danmakuId, video_id AS videoId, reports, status, first_reported_at AS firstReportedAt",
        "FROM danmaku_report_case WHERE status = #{status}",
        "ORDER BY reports DESC, danmaku_id LIMIT #{limit} OFFSET #{offset}"
    })
    List<Map<String, Object>> queue(
            @Param("status") String status, @Param("offset") long offset, @Param("limit") int limit);

    @Select("SELECT COUNT(*) FROM danmaku_report_case WHERE status = #{status}")
    long queueSize(@Param("status") String status);

    @Select({
        "SELECT danmaku_id AS danmakuId, video_id AS videoId, reports, status, first_reported_at AS firstReportedAt",
        "FROM danmaku_report_case WHERE danmaku_id = #{id}"
    })
    Map<String, Object> caseOf(@Param("id") long danmakuId);

    @Select({
        "<script>",
        "SELECT danmaku_id AS danmakuId, reason, COUNT(*) AS n FROM danmaku_report WHERE danmaku_id IN",
        "<foreach collection='ids' item='id' open='(' separator=',' close=')'>#{id}</foreach>",
        "GROUP BY danmaku_id, reason",
        "</script>"
    })
    List<Map<String, Object>> reasons(@Param("ids") Collection<Long> danmakuIds);

    @Update({
        "UPDATE danmaku_report_case SET status = #{status}, resolved_at = UTC_TIMESTAMP(3)",
        "WHERE danmaku_id = #{id}"
    })
    int close(@Param("id") long danmakuId, @Param("status") String status);
}
